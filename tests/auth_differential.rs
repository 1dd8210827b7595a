//! Differential test of the authorization rules: mxdag's [`authorize`] against ruma's
//! (`ruma-state-res` 0.18, `check_state_independent_auth_rules` then
//! `check_state_dependent_auth_rules` with the state the event's own `auth_events` give,
//! which is check 4 on receipt) on thousands of events of generated rooms of every room
//! version: random members joining, leaving, inviting, knocking, kicking and banning, power
//! level changes, join rule changes, restricted joins, and events whose `auth_events` are
//! mutated (an entry dropped, a stale one, an extra one, a duplicate).
//!
//! The two must agree on every event. Where ruma departs from the spec, a test below
//! names the case and the spec's text; the random walk then avoids it.
#![cfg(not(target_arch = "wasm32"))]

mod auth_support;
mod common;
mod ruma_support;

use std::collections::HashMap;

use auth_support::{v, Room, ALICE, BOB, CAROL, DAVE};
use mxdag::canonical_json::{self, Value};
use mxdag::event::Pdu;
use mxdag::room_version::{RoomVersion, ALL};
use ruma_common::{EventId, OwnedEventId, RoomVersionId};
use ruma_events::StateEventType;
use ruma_support::RumaEvent;

/// The events of `room` as ruma reads them, by ID.
type Held = HashMap<OwnedEventId, RumaEvent>;

/// ruma's verdict on `pdu` against its own auth events as held in `room` (check 4).
fn ruma_auth(room: &Room, events: &Held, pdu: &Pdu) -> Result<(), String> {
    ruma_check(room.version, &room.create().event_id, events, pdu)
}

/// ruma's verdict on `pdu` of a room of `version` whose create event is `create_id`, with
/// `events` held.
fn ruma_check(
    version: RoomVersion,
    create_id: &str,
    events: &Held,
    pdu: &Pdu,
) -> Result<(), String> {
    let rules = RoomVersionId::try_from(version.id)
        .unwrap()
        .rules()
        .unwrap()
        .authorization;
    let incoming = RumaEvent::of(pdu, false);
    ruma_state_res::check_state_independent_auth_rules(&rules, &incoming, |id: &EventId| {
        events.get(id)
    })?;
    let auth: Vec<&RumaEvent> = incoming
        .auth
        .iter()
        .filter_map(|id| events.get(id))
        .collect();
    ruma_state_res::check_state_dependent_auth_rules(
        &rules,
        &incoming,
        |t: &StateEventType, key: &str| {
            if *t == StateEventType::RoomCreate {
                return events.get(<&EventId>::try_from(create_id).unwrap());
            }
            auth.iter().copied().find(|e| {
                e.event_type.to_string() == t.to_string() && e.state_key.as_deref() == Some(key)
            })
        },
    )
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const USERS: [&str; 5] = [ALICE, BOB, CAROL, DAVE, "@eve:a.test"];

/// A random event's type, state key, sender and content for `room`.
fn random_event(rng: &mut Rng, room: &Room) -> (String, Option<String>, String, String) {
    let version = room.version;
    let sender = rng.pick(&USERS).to_string();
    let target = rng.pick(&USERS).to_string();
    let member = |m: &str| {
        (
            "m.room.member".to_owned(),
            Some(target.clone()),
            sender.clone(),
            format!(r#"{{"membership":"{m}"}}"#),
        )
    };
    match rng.below(16) {
        14 => {
            let target = &room.events[rng.below(room.events.len())].event_id;
            (
                "m.room.redaction".into(),
                None,
                sender,
                format!(r#"{{"redacts":"{target}"}}"#),
            )
        }
        15 => {
            let server = rng.pick(&["a.test", "b.test"]);
            (
                "m.room.aliases".into(),
                Some(server.to_string()),
                sender,
                r#"{"aliases":[]}"#.into(),
            )
        }
        0..=1 => member("join"),
        2 => (
            "m.room.member".into(),
            Some(sender.clone()),
            sender.clone(),
            r#"{"membership":"join"}"#.into(),
        ),
        3 => member("invite"),
        4 => member("leave"),
        5 => member("ban"),
        6 => member(if version.knocking { "knock" } else { "leave" }),
        7 => {
            let via = rng.pick(&USERS);
            let content =
                format!(r#"{{"membership":"join","join_authorised_via_users_server":"{via}"}}"#);
            (
                "m.room.member".into(),
                Some(sender.clone()),
                sender,
                content,
            )
        }
        8 => {
            let rule = rng.pick(&[
                "public",
                "invite",
                "knock",
                "restricted",
                "knock_restricted",
            ]);
            (
                "m.room.join_rules".into(),
                Some(String::new()),
                sender,
                format!(r#"{{"join_rule":"{rule}","allow":[]}}"#),
            )
        }
        9 => (
            "m.room.power_levels".into(),
            Some(String::new()),
            sender,
            random_levels(rng, version),
        ),
        10 => (
            "m.room.name".into(),
            Some(String::new()),
            sender,
            r#"{"name":"n"}"#.into(),
        ),
        11 => (
            "m.room.third_party_invite".into(),
            Some("tok".into()),
            sender,
            r#"{"public_key":"x"}"#.into(),
        ),
        12 => (
            format!("org.example.{}", rng.below(2)),
            Some(target.clone()),
            sender,
            "{}".into(),
        ),
        _ => (
            "m.room.message".into(),
            None,
            sender,
            r#"{"body":"hello"}"#.into(),
        ),
    }
}

/// Random power levels: some users at random levels, some fields set, strings before v10.
fn random_levels(rng: &mut Rng, version: RoomVersion) -> String {
    let level = |rng: &mut Rng| *rng.pick(&[0i64, 10, 50, 60, 100]);
    let quoted = |rng: &mut Rng, n: i64| match version.auth.string_power_levels && rng.below(4) == 0
    {
        true => format!(r#""{n}""#),
        false => n.to_string(),
    };
    let mut users = Vec::new();
    for user in USERS {
        let creator = version.auth.privileged_creators && user == ALICE;
        if !creator && rng.below(2) == 0 {
            let n = level(rng);
            users.push(format!(r#""{user}":{}"#, quoted(rng, n)));
        }
    }
    if !version.auth.privileged_creators && rng.below(4) != 0 {
        users.push(format!(r#""{ALICE}":100"#));
    }
    users.sort();
    users.dedup_by(|a, b| {
        a.split(':').next() == b.split(':').next() && a.contains(ALICE) && b.contains(ALICE)
    });
    let mut fields = vec![format!(r#""users":{{{}}}"#, users.join(","))];
    for field in [
        "ban",
        "kick",
        "invite",
        "state_default",
        "events_default",
        "redact",
    ] {
        if rng.below(3) == 0 {
            let n = level(rng);
            fields.push(format!(r#""{field}":{}"#, quoted(rng, n)));
        }
    }
    if rng.below(3) == 0 {
        let n = level(rng);
        fields.push(format!(r#""events":{{"m.room.name":{n}}}"#));
    }
    if rng.below(4) == 0 {
        let n = level(rng);
        fields.push(format!(r#""notifications":{{"room":{n}}}"#));
    }
    format!("{{{}}}", fields.join(","))
}

/// `auth` mutated one way: an entry dropped, a stale state event of the same pair, an
/// extra entry, or a duplicate.
fn mutate(rng: &mut Rng, room: &Room, mut auth: Vec<usize>) -> Vec<usize> {
    let stale = |i: usize| {
        let e = &room.events[i];
        (1..i).rev().find(|&j| {
            let o = &room.events[j];
            o.fields.event_type == e.fields.event_type && o.fields.state_key == e.fields.state_key
        })
    };
    match rng.below(4) {
        0 if !auth.is_empty() => {
            auth.remove(rng.below(auth.len()));
        }
        1 if !auth.is_empty() => {
            let k = rng.below(auth.len());
            if let Some(old) = stale(auth[k]) {
                auth[k] = old;
            }
        }
        2 => {
            let extra = rng.below(room.events.len());
            // v12 events that list the create event are dropped by the format checks.
            let create_in_v12 = extra == 0 && room.version.auth.privileged_creators;
            if room.events[extra].is_state() && !create_in_v12 {
                auth.push(extra);
            }
        }
        _ if !auth.is_empty() => {
            let k = auth[rng.below(auth.len())];
            if let Some(old) = stale(k) {
                auth.push(old);
            }
        }
        _ => {}
    }
    auth
}

/// How many events were compared, allowed and rejected, and how many disagreed in a
/// known case.
#[derive(Default, Debug)]
struct Tally {
    compared: usize,
    allowed: usize,
    rejected: usize,
    known: usize,
}

/// ruma rejects a join or knock whose auth events hold no `m.room.join_rules` ("no
/// `m.room.join_rules` event in current state"). The spec's rules read "the `join_rule`"
/// without saying what it is when there is none; Synapse (`event_auth.py`,
/// `_is_membership_change_allowed`: `join_rule = JoinRules.INVITE` when the auth events have
/// no join rules event) reads `invite`, and so does mxdag, so a joined or invited user's
/// join is allowed.
const JOIN_RULES_ABSENT: &str =
    "join without m.room.join_rules: ruma rejects, servers read `invite`";

/// The known case `pdu` falls in where mxdag allows and ruma rejects, if any.
fn known_difference(
    room: &Room,
    pdu: &Pdu,
    ours: bool,
    theirs: &Result<(), String>,
) -> Option<&'static str> {
    let no_join_rules = !pdu.fields.auth_events.iter().any(|id| {
        room.events
            .iter()
            .any(|e| e.event_id == *id && e.fields.event_type == "m.room.join_rules")
    });
    let join = pdu.fields.event_type == "m.room.member" && pdu.membership() == Some("join");
    let ruma_says = theirs
        .as_ref()
        .err()
        .is_some_and(|e| e.contains("m.room.join_rules"));
    (ours && join && no_join_rules && ruma_says).then_some(JOIN_RULES_ABSENT)
}

/// Builds one random room of `version` from `seed`, comparing every event.
fn walk(version: RoomVersion, seed: u64, events: usize, tally: &mut Tally) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut room = Room::standard(version, "public");
    let mut held: Held = room
        .events
        .iter()
        .zip(&room.rejected)
        .map(|(e, &r)| {
            (
                OwnedEventId::try_from(e.event_id.as_str()).unwrap(),
                RumaEvent::of(e, r),
            )
        })
        .collect();
    for _ in 0..events {
        let (event_type, state_key, sender, content) = random_event(&mut rng, &room);
        let value = v(&content);
        let mut auth = room.selection(&event_type, state_key.as_deref(), &sender, &value);
        if rng.below(5) == 0 {
            auth = mutate(&mut rng, &room, auth);
        }
        let prev = [room.last];
        let pdu = room.event(
            &event_type,
            state_key.as_deref(),
            &sender,
            value,
            &prev,
            &auth,
        );
        let ours = room.authorize(&pdu);
        let theirs = ruma_auth(&room, &held, &pdu);
        if ours.is_ok() != theirs.is_ok()
            && known_difference(&room, &pdu, ours.is_ok(), &theirs).is_some()
        {
            tally.known += 1;
            let event = RumaEvent::of(&pdu, false);
            held.insert(event.id.clone(), event);
            room.push(pdu, false);
            continue;
        }
        assert_eq!(
            ours.is_ok(),
            theirs.is_ok(),
            "room version {version}, seed {seed}, event {}: {}\nmxdag: {ours:?}\nruma: {theirs:?}\nauth events: {:?}",
            room.events.len(),
            canonical_json::to_string(&Value::Object(pdu.event.clone())),
            auth.iter().map(|&i| canonical_json::to_string(&Value::Object(room.events[i].event.clone()))).collect::<Vec<_>>()
        );
        tally.compared += 1;
        match ours.is_ok() {
            true => tally.allowed += 1,
            false => tally.rejected += 1,
        }
        let event = RumaEvent::of(&pdu, ours.is_err());
        held.insert(event.id.clone(), event);
        room.push(pdu, ours.is_err());
    }
}

#[test]
fn ruma_rejects_a_join_without_join_rules_where_servers_read_invite() {
    for version in ALL {
        let mut room = Room::standard(version, "public");
        room.join(BOB);
        let held: Held = room
            .events
            .iter()
            .map(|e| {
                (
                    OwnedEventId::try_from(e.event_id.as_str()).unwrap(),
                    RumaEvent::of(e, false),
                )
            })
            .collect();
        // Bob, joined, joins again (a profile change) listing no join rules.
        let value = v(r#"{"membership":"join","displayname":"Bob"}"#);
        let auth: Vec<usize> = room
            .selection("m.room.member", Some(BOB), BOB, &value)
            .into_iter()
            .filter(|&i| room.events[i].fields.event_type != "m.room.join_rules")
            .collect();
        let prev = [room.last];
        let pdu = room.event("m.room.member", Some(BOB), BOB, value, &prev, &auth);
        let (ours, theirs) = (room.authorize(&pdu), ruma_auth(&room, &held, &pdu));
        assert!(ours.is_ok(), "v{version}: {ours:?}");
        assert_eq!(
            known_difference(&room, &pdu, true, &theirs),
            Some(JOIN_RULES_ABSENT),
            "v{version}: {theirs:?}"
        );
    }
}

#[test]
fn mxdag_and_ruma_agree_on_random_rooms_of_every_version() {
    for version in ALL {
        let mut tally = Tally::default();
        for seed in 1..=12 {
            walk(version, seed, 120, &mut tally);
        }
        assert_eq!(tally.compared + tally.known, 12 * 120);
        eprintln!("room version {version}: {tally:?}");
        // The walk exercises both outcomes in earnest.
        assert!(
            tally.allowed > 200 && tally.rejected > 200,
            "v{version}: {tally:?}"
        );
    }
}

/// mxdag's verdict on `pdu` with its auth events found in `by_id`.
fn ours_on(
    pdu: &Pdu,
    by_id: &HashMap<&str, &Pdu>,
    create: &Pdu,
) -> Result<(), mxdag::problem::Problem> {
    use mxdag::auth::{authorize, AuthEvent, AuthEvents};
    let held = |pdu| AuthEvent {
        pdu,
        rejected: false,
    };
    let entries: Vec<AuthEvent> = pdu
        .fields
        .auth_events
        .iter()
        .map(|id| held(by_id[id.as_str()]))
        .collect();
    authorize(
        pdu,
        &AuthEvents {
            entries: &entries,
            create: Some(held(create)),
        },
    )
}

/// `pdu` with one auth event dropped (each in turn), and sent by a user of another server
/// who never joined.
fn mutations(pdu: &Pdu) -> Vec<Pdu> {
    let mut out = Vec::new();
    for i in 0..pdu.fields.auth_events.len() {
        let mut m = pdu.clone();
        m.fields.auth_events.remove(i);
        out.push(m);
    }
    if !pdu.is_create() {
        let mut m = pdu.clone();
        m.fields.sender = "@mallory:evil.test".to_owned();
        out.push(m);
    }
    out
}

#[test]
fn mxdag_and_ruma_agree_on_the_generators_rooms_with_forks_and_mutated_events() {
    use mxdag::event::pdu_from_value;
    use mxdag::generate::{generate_room, Damage, GenerateOptions, ShapeOptions};
    let mut tally = Tally::default();
    for version in ALL {
        let generated = generate_room(&GenerateOptions {
            room_version: version.id.into(),
            shape: ShapeOptions {
                events: 400,
                servers: 5,
                seed: 3,
                concurrency: 0.5,
                ..ShapeOptions::default()
            },
            damage: Damage::default(),
            ..GenerateOptions::default()
        })
        .unwrap();
        let pdus: Vec<Pdu> = generated
            .pdus
            .iter()
            .map(|p| pdu_from_value(p.clone(), &version).unwrap())
            .collect();
        let held: Held = pdus
            .iter()
            .map(|p| {
                (
                    OwnedEventId::try_from(p.event_id.as_str()).unwrap(),
                    RumaEvent::of(p, false),
                )
            })
            .collect();
        let by_id: HashMap<&str, &Pdu> = pdus.iter().map(|p| (p.event_id.as_str(), p)).collect();
        let create = pdus.iter().find(|p| p.is_create()).unwrap();
        for pdu in &pdus {
            let ours = ours_on(pdu, &by_id, create);
            let theirs = ruma_check(version, &create.event_id, &held, pdu);
            assert!(
                ours.is_ok() && theirs.is_ok(),
                "v{version} {}: {ours:?} / {theirs:?}",
                pdu.event_id
            );
            tally.compared += 1;
            tally.allowed += 1;
            for mutated in mutations(pdu) {
                let ours = ours_on(&mutated, &by_id, create);
                let theirs = ruma_check(version, &create.event_id, &held, &mutated);
                let known = ours.is_ok()
                    && theirs
                        .as_ref()
                        .is_err_and(|e| e.contains("m.room.join_rules"));
                assert!(
                    ours.is_ok() == theirs.is_ok() || known,
                    "v{version} {} mutated ({:?}, {}): {ours:?} / {theirs:?}",
                    pdu.event_id,
                    mutated.fields.auth_events,
                    mutated.fields.sender
                );
                tally.compared += 1;
                match (ours.is_ok(), known) {
                    (_, true) => tally.known += 1,
                    (true, false) => tally.allowed += 1,
                    (false, false) => tally.rejected += 1,
                }
            }
        }
    }
    eprintln!("generated rooms: {tally:?}");
    assert!(tally.rejected > 5000 && tally.allowed > 5000, "{tally:?}");
}
