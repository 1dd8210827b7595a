//! The auth events selection and the rules on an event's `auth_events` list.
//!
//! Spec: [Server-Server API § Auth events selection](https://spec.matrix.org/v1.16/server-server-api/#auth-events-selection);
//! rules 2 and 3 of [room version 12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)
//! (rule 2 of [v1–v11](https://spec.matrix.org/v1.16/rooms/v11/#authorization-rules)).

use super::{codes, describe, reject, AuthEvent, AuthEvents};
use crate::canonical_json::Value;
use crate::event::Pdu;
use crate::problem::{Problem, Severity};

/// The `(type, state_key)` pairs the auth events selection picks for `event`, in the
/// spec's order: the create event (v1–v11), the power levels, the sender's membership; for
/// `m.room.member` also the target's membership, the join rules (join, invite, knock), the
/// `m.room.third_party_invite` of the token (a third-party invite) and the membership of
/// `join_authorised_via_users_server` (a join in a version with restricted rooms).
/// Empty for the create event.
pub fn selected(event: &Pdu) -> Vec<(&'static str, String)> {
    if event.is_create() {
        return Vec::new();
    }
    let mut out: Vec<(&'static str, String)> = Vec::with_capacity(6);
    let mut add = |pair: (&'static str, String)| {
        if !out.contains(&pair) {
            out.push(pair);
        }
    };
    if !event.room_version.auth.privileged_creators {
        add(("m.room.create", String::new()));
    }
    add(("m.room.power_levels", String::new()));
    add(("m.room.member", event.fields.sender.clone()));
    if event.fields.event_type != "m.room.member" {
        return out;
    }
    if let Some(target) = &event.fields.state_key {
        add(("m.room.member", target.clone()));
    }
    let content = event.content();
    let membership = event.membership();
    if matches!(membership, Some("join" | "invite" | "knock")) {
        add(("m.room.join_rules", String::new()));
    }
    if membership == Some("invite") {
        let token = content
            .get("third_party_invite")
            .and_then(|t| t.get("signed"))
            .and_then(|s| s.get("token"))
            .and_then(Value::as_str);
        if let Some(token) = token {
            add(("m.room.third_party_invite", token.to_owned()));
        }
    }
    if membership == Some("join") && event.room_version.auth.restricted_join_rule {
        let via = content
            .get("join_authorised_via_users_server")
            .and_then(Value::as_str);
        if let Some(user) = via {
            add(("m.room.member", user.to_owned()));
        }
    }
    out
}

/// The `(type, state_key)` of an auth event (`state_key` empty for a non-state event,
/// which no selection picks).
fn key_of(pdu: &Pdu) -> (&str, Option<&str>) {
    (
        pdu.fields.event_type.as_str(),
        pdu.fields.state_key.as_deref(),
    )
}

/// Rules 2 (v12) and 3.1–3.5 on the list of auth events; returns the room's create event.
///
/// - 2 (v12): the room ID is `!` + the ID of an accepted create event;
/// - 3.1: no two entries share a `type` and `state_key`;
/// - 3.2: every entry is of a pair the selection picks (in v12, never the create event);
/// - 3.3: no entry was itself rejected;
/// - 3.4 (v1–v11): one entry is the create event;
/// - 3.5: every entry is of the event's room.
pub fn check<'a>(event: &Pdu, auth: &AuthEvents<'a>) -> Result<&'a Pdu, Problem> {
    let rules = event.room_version.auth;
    let fail = |code, rule, why: &str, against: Option<&Pdu>| {
        Err(reject(event, code, "$.auth_events", rule, why, against))
    };
    let mut create = None;
    if rules.privileged_creators {
        let room_id = event.fields.room_id.as_deref().unwrap_or("");
        // The create event's ID is the room ID with `$` for `!` (compared without building it:
        // this runs for every event).
        let opaque = room_id.strip_prefix('!').unwrap_or(room_id);
        let names_it = |c: &AuthEvent| c.pdu.event_id.strip_prefix('$') == Some(opaque);
        match auth.create {
            Some(c) if names_it(&c) && c.pdu.is_create() && !c.rejected => create = Some(c.pdu),
            Some(c) => {
                return fail(
                    codes::ROOM_ID_NOT_ACCEPTED_CREATE,
                    "2",
                    &format!("the room ID {room_id} is not the ID of an accepted create event"),
                    Some(c.pdu),
                )
            }
            None => {
                return fail(
                    codes::ROOM_ID_NOT_ACCEPTED_CREATE,
                    "2",
                    &format!("the create event ${opaque} the room ID names is not given"),
                    None,
                )
            }
        }
    }
    let entries = auth.entries;
    for (i, entry) in entries.iter().enumerate() {
        let key = key_of(entry.pdu);
        if let Some(first) = entries[..i].iter().find(|e| key_of(e.pdu) == key) {
            let why = format!(
                "two auth events have the same type and state key: {} and {}",
                first.pdu.event_id, entry.pdu.event_id
            );
            return fail(codes::AUTH_EVENTS_DUPLICATE, "3.1", &why, Some(entry.pdu));
        }
    }
    let selected = selected(event);
    for entry in entries {
        let (event_type, state_key) = key_of(entry.pdu);
        let picked =
            state_key.is_some_and(|k| selected.iter().any(|(t, s)| *t == event_type && s == k));
        if !picked {
            let why = match event_type == "m.room.create" && rules.privileged_creators {
                true => "the create event is listed, which this version's auth events selection never selects".to_owned(),
                false => format!("the auth events selection does not select {event_type} {state_key:?} for this event"),
            };
            return fail(codes::AUTH_EVENTS_UNEXPECTED, "3.2", &why, Some(entry.pdu));
        }
    }
    if let Some(bad) = entries.iter().find(|e| e.rejected) {
        return fail(
            codes::AUTH_EVENT_REJECTED,
            "3.3",
            "an auth event was itself rejected on receipt",
            Some(bad.pdu),
        );
    }
    if !rules.privileged_creators {
        create = entries.iter().map(|e| e.pdu).find(|p| p.is_create());
        if create.is_none() {
            return fail(
                codes::AUTH_EVENTS_NO_CREATE,
                "2.4 (room versions 1–11)",
                "no m.room.create event among the auth events",
                None,
            );
        }
    }
    if let Some(other) = entries
        .iter()
        .find(|e| e.pdu.fields.room_id != event.fields.room_id)
    {
        let why = format!(
            "an auth event is of room {}, not {}",
            other.pdu.fields.room_id.as_deref().unwrap_or("(none)"),
            event.fields.room_id.as_deref().unwrap_or("(none)")
        );
        return fail(codes::AUTH_EVENT_OTHER_ROOM, "3.5", &why, Some(other.pdu));
    }
    create.ok_or_else(|| {
        reject(
            event,
            codes::AUTH_EVENTS_NO_CREATE,
            "$.auth_events",
            "3",
            "no create event",
            None,
        )
    })
}

/// Pairs the selection picks for `event` that `entries` lack although an event of that
/// pair existed before: one of `earlier` (the auth events of the entries, say) is of it.
/// State events are never removed from a room, only replaced, so the current one of that
/// pair existed when the event was sent. A warning each, naming the witness.
pub fn missing(event: &Pdu, entries: &[&Pdu], earlier: &[&Pdu]) -> Vec<Problem> {
    let mut out = Vec::new();
    for (event_type, state_key) in selected(event) {
        let is_pair = |p: &Pdu| key_of(p) == (event_type, Some(state_key.as_str()));
        if entries.iter().any(|p| is_pair(p)) {
            continue;
        }
        if let Some(witness) = earlier.iter().find(|p| is_pair(p)) {
            out.push(Problem::new(
                Severity::Warning,
                codes::AUTH_EVENTS_MISSING_SELECTED,
                "$.auth_events",
                format!(
                    "{} lists no {event_type} {state_key:?} in auth_events, though the auth events selection picks the current one and {} shows the room had one (Server-Server API, auth events selection).",
                    describe(event),
                    describe(witness)
                ),
            ));
        }
    }
    out
}
