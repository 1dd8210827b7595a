//! A hand-built room for the authorization-rule tests: signed events of any room version,
//! `prev_events` the last event sent, `auth_events` the auth events selection computed here
//! from the room's current state (independently of `mxdag::auth::selection`), and the state
//! updated with each event the rules allow.
#![allow(dead_code)]

use mxdag::auth::{authorize, AuthEvent, AuthEvents};
use mxdag::canonical_json::{self, Object, Value};
use mxdag::event::sign_event;
use mxdag::event::{pdu_from_value, Pdu};
use mxdag::problem::Problem;
use mxdag::room_version::RoomVersion;

use super::common::{key_of, KEY_ID};

pub const ALICE: &str = "@alice:a.test";
pub const BOB: &str = "@bob:b.test";
pub const CAROL: &str = "@carol:c.test";
pub const DAVE: &str = "@dave:d.test";

/// One room being built.
#[derive(Clone)]
pub struct Room {
    pub version: RoomVersion,
    pub room_id: String,
    /// Every event built, in order.
    pub events: Vec<Pdu>,
    /// By event: rejected by the rules.
    pub rejected: Vec<bool>,
    /// The current state: `(type, state_key)` → index into `events`.
    pub state: Vec<((String, String), usize)>,
    /// The event new events follow.
    pub last: usize,
    serial: u32,
}

/// Parses test JSON.
pub fn v(text: &str) -> Value {
    canonical_json::from_str(text).expect("test JSON")
}

fn server(user: &str) -> &str {
    user.split_once(':').map_or("", |(_, s)| s)
}

/// The problem code of a result (`None` when allowed).
pub fn code(result: &Result<(), Problem>) -> Option<&'static str> {
    result.as_ref().err().map(|p| p.code)
}

impl Room {
    /// A room of `version` created by `creator` with `extra` added to the create content
    /// (`{}` for none).
    pub fn new(version: RoomVersion, creator: &str, extra: &str) -> Room {
        let mut content = v(extra);
        if let Value::Object(c) = &mut content {
            c.insert("room_version", Value::from(version.id));
            if version.auth.creator_in_content && !c.contains_key("creator") {
                c.insert("creator", Value::from(creator));
            }
        }
        let room_id = match version.room_id_from_create_event() {
            true => String::new(),
            false => format!("!room:{}", server(creator)),
        };
        let mut room = Room {
            version,
            room_id,
            events: Vec::new(),
            rejected: Vec::new(),
            state: Vec::new(),
            last: 0,
            serial: 0,
        };
        let create = room.event("m.room.create", Some(""), creator, content, &[], &[]);
        if version.room_id_from_create_event() {
            room.room_id = format!("!{}", &create.event_id[1..]);
        }
        room.push(create, false);
        room
    }

    /// A room of `version` where `ALICE` created the room, joined, set the power levels
    /// `levels` (alice 100 unless v12, where she is a creator) and the join rule.
    pub fn standard(version: RoomVersion, join_rule: &str) -> Room {
        let mut room = Room::new(version, ALICE, "{}");
        room.ok(
            "m.room.member",
            Some(ALICE),
            ALICE,
            r#"{"membership":"join"}"#,
        );
        let users = match version.auth.privileged_creators {
            true => "{}".to_owned(),
            false => format!(r#"{{"{ALICE}":100}}"#),
        };
        room.ok(
            "m.room.power_levels",
            Some(""),
            ALICE,
            &format!(r#"{{"users":{users}}}"#),
        );
        room.ok(
            "m.room.join_rules",
            Some(""),
            ALICE,
            &format!(r#"{{"join_rule":"{join_rule}"}}"#),
        );
        room
    }

    /// Leaves `n` serials unused, so that a clone of this room (another branch of a fork)
    /// builds events with other IDs, depths and timestamps.
    pub fn skip(&mut self, n: u32) {
        self.serial += n;
    }

    /// The create event.
    pub fn create(&self) -> &Pdu {
        &self.events[0]
    }

    /// The current state event of a pair.
    pub fn current(&self, event_type: &str, state_key: &str) -> Option<usize> {
        self.state
            .iter()
            .find(|((t, k), _)| t == event_type && k == state_key)
            .map(|(_, i)| *i)
    }

    /// The auth events selection, computed from the state here.
    pub fn selection(
        &self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: &Value,
    ) -> Vec<usize> {
        let mut keys: Vec<(String, String)> = Vec::new();
        if !self.version.auth.privileged_creators {
            keys.push(("m.room.create".into(), String::new()));
        }
        keys.push(("m.room.power_levels".into(), String::new()));
        keys.push(("m.room.member".into(), sender.into()));
        if event_type == "m.room.member" {
            let target = state_key.unwrap_or("");
            keys.push(("m.room.member".into(), target.into()));
            let membership = content.get("membership").and_then(Value::as_str);
            if matches!(membership, Some("join" | "invite" | "knock")) {
                keys.push(("m.room.join_rules".into(), String::new()));
            }
            let token = content
                .get("third_party_invite")
                .and_then(|t| t.get("signed"))
                .and_then(|s| s.get("token"))
                .and_then(Value::as_str);
            if let (Some("invite"), Some(token)) = (membership, token) {
                keys.push(("m.room.third_party_invite".into(), token.into()));
            }
            let via = content
                .get("join_authorised_via_users_server")
                .and_then(Value::as_str);
            if let (Some("join"), Some(via), true) =
                (membership, via, self.version.auth.restricted_join_rule)
            {
                keys.push(("m.room.member".into(), via.into()));
            }
        }
        let mut out: Vec<usize> = keys
            .iter()
            .filter_map(|(t, k)| self.current(t, k))
            .collect();
        out.dedup();
        out
    }

    /// Builds a signed event (not yet judged) with these `prev_events` and `auth_events`
    /// (indices into `events`).
    pub fn event(
        &mut self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: Value,
        prev: &[usize],
        auth: &[usize],
    ) -> Pdu {
        let ids = |list: &[usize]| -> Vec<String> {
            list.iter()
                .map(|&i| self.events[i].event_id.clone())
                .collect()
        };
        let (prev, auth) = (ids(prev), ids(auth));
        self.event_with_ids(event_type, state_key, sender, content, &prev, &auth)
    }

    /// [`Room::event`] with `prev_events` and `auth_events` as IDs.
    pub fn event_with_ids(
        &mut self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: Value,
        prev: &[String],
        auth: &[String],
    ) -> Pdu {
        self.serial += 1;
        let reference = |id: &String| match self.version.event_id_in_event() {
            true => v(&format!(r#"["{id}",{{"sha256":"AAAA"}}]"#)),
            false => Value::from(id.as_str()),
        };
        let mut e = Object::new();
        let mut content = content;
        // Before v11 a redaction names its target at the top level.
        if event_type == "m.room.redaction" && !self.version.redaction.v11 {
            if let Some(redacts) = content.as_object_mut().and_then(|c| c.remove("redacts")) {
                e.insert("redacts", redacts);
            }
        }
        e.insert("type", Value::from(event_type));
        e.insert("sender", Value::from(sender));
        if !(self.version.room_id_from_create_event() && event_type == "m.room.create") {
            e.insert("room_id", Value::from(self.room_id.as_str()));
        }
        e.insert("content", content);
        e.insert("depth", Value::Int(self.serial as i64));
        e.insert(
            "origin_server_ts",
            Value::Int(1_700_000_000_000 + self.serial as i64),
        );
        e.insert(
            "prev_events",
            Value::Array(prev.iter().map(reference).collect()),
        );
        e.insert(
            "auth_events",
            Value::Array(auth.iter().map(reference).collect()),
        );
        e.insert("hashes", Value::Object(Object::new()));
        e.insert("signatures", Value::Object(Object::new()));
        if let Some(k) = state_key {
            e.insert("state_key", Value::from(k));
        }
        if self.version.event_id_in_event() {
            e.insert(
                "event_id",
                Value::from(format!("$e{}:{}", self.serial, server(sender))),
            );
        }
        let mut event = Value::Object(e);
        sign_event(
            &mut event,
            &self.version,
            server(sender),
            KEY_ID,
            &key_of(server(sender)),
        )
        .unwrap();
        pdu_from_value(event, &self.version)
            .unwrap_or_else(|p| panic!("test event is a PDU: {p:?}"))
    }

    /// A new event after the last one, with the selection as its auth events.
    pub fn draft(
        &mut self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: &str,
    ) -> Pdu {
        let content = v(content);
        let auth = self.selection(event_type, state_key, sender, &content);
        let prev = [self.last];
        self.event(event_type, state_key, sender, content, &prev, &auth)
    }

    /// Authorises `pdu` against its auth events as held here.
    pub fn authorize(&self, pdu: &Pdu) -> Result<(), Problem> {
        let entries: Vec<AuthEvent> = pdu
            .fields
            .auth_events
            .iter()
            .map(|id| {
                let i = self
                    .events
                    .iter()
                    .position(|e| e.event_id == *id)
                    .expect("auth event held");
                AuthEvent {
                    pdu: &self.events[i],
                    rejected: self.rejected[i],
                }
            })
            .collect();
        let create = AuthEvent {
            pdu: &self.events[0],
            rejected: self.rejected[0],
        };
        authorize(
            pdu,
            &AuthEvents {
                entries: &entries,
                create: Some(create),
            },
        )
    }

    /// Keeps `pdu`: the last event, and part of the state when allowed.
    pub fn push(&mut self, pdu: Pdu, rejected: bool) -> usize {
        let i = self.events.len();
        if let (Some(key), false) = (&pdu.fields.state_key, rejected) {
            let pair = (pdu.fields.event_type.clone(), key.clone());
            self.state.retain(|(p, _)| *p != pair);
            self.state.push((pair, i));
        }
        self.events.push(pdu);
        self.rejected.push(rejected);
        self.last = i;
        i
    }

    /// Drafts, authorises and keeps an event; returns the result.
    pub fn send(
        &mut self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: &str,
    ) -> Result<(), Problem> {
        let pdu = self.draft(event_type, state_key, sender, content);
        let result = self.authorize(&pdu);
        self.push(pdu, result.is_err());
        result
    }

    /// [`Room::send`] that must be allowed.
    pub fn ok(
        &mut self,
        event_type: &str,
        state_key: Option<&str>,
        sender: &str,
        content: &str,
    ) -> usize {
        let result = self.send(event_type, state_key, sender, content);
        assert!(
            result.is_ok(),
            "room version {}: {event_type} from {sender}: {result:?}",
            self.version
        );
        self.last
    }

    /// Joins `user` (public room) or fails the test.
    pub fn join(&mut self, user: &str) {
        self.ok(
            "m.room.member",
            Some(user),
            user,
            r#"{"membership":"join"}"#,
        );
    }

    /// `sender` sets `user`'s membership.
    pub fn member(&mut self, sender: &str, user: &str, membership: &str) -> Result<(), Problem> {
        self.send(
            "m.room.member",
            Some(user),
            sender,
            &format!(r#"{{"membership":"{membership}"}}"#),
        )
    }
}
