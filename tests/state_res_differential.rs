//! Differential test of state resolution: the state mxdag's session computes before a
//! merge event against `ruma_state_res::resolve` (0.18) on the states after the two
//! branches it merges, over generated rooms of room versions 2–12 whose branches conflict:
//! concurrent power level changes, bans, kicks, joins, leaves, invites, join rule changes,
//! name and topic changes on both sides of a partition.
//!
//! The inputs of ruma's resolution (the branch states, the auth chains, the conflicted
//! state subgraph of v2.1) are computed here from the events' JSON, independently of
//! mxdag's state resolution. The two must agree on every room.
#![cfg(not(target_arch = "wasm32"))]

mod auth_support;
mod common;
mod ruma_support;

use std::collections::{HashMap, HashSet};

use auth_support::{Room, ALICE, BOB, CAROL, DAVE};
use mxdag::canonical_json;
use mxdag::event::Pdu;
use mxdag::room_version::{RoomVersion, ALL};
use mxdag::session::{Ingest, Position, RoomSession, StateEntry};
use ruma_common::{EventId, OwnedEventId, RoomVersionId};
use ruma_events::StateEventType;
use ruma_state_res::utils::event_id_set::EventIdSet;
use ruma_state_res::StateMap;
use ruma_support::RumaEvent;

const USERS: [&str; 5] = [ALICE, BOB, CAROL, DAVE, "@eve:a.test"];
const SERVERS: [&str; 4] = ["a.test", "b.test", "c.test", "d.test"];

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

/// One random state change on `room`'s branch (allowed or rejected, as the rules say).
fn random_change(rng: &mut Rng, room: &mut Room) {
    let sender = *rng.pick(&USERS);
    let target = *rng.pick(&USERS);
    let version = room.version;
    match rng.below(10) {
        0..=3 => {
            let membership = rng.pick(&["join", "join", "leave", "ban", "invite"]);
            let _ = room.member(sender, target, membership);
        }
        4..=5 => {
            let mut users: Vec<String> = Vec::new();
            for u in USERS {
                if version.auth.privileged_creators && u == ALICE {
                    continue;
                }
                if rng.below(2) == 0 {
                    users.push(format!(r#""{u}":{}"#, rng.pick(&[0, 10, 50, 100])));
                }
            }
            let content = format!(
                r#"{{"users":{{{}}},"state_default":{},"ban":{},"kick":50}}"#,
                users.join(","),
                rng.pick(&[0, 50]),
                rng.pick(&[0, 50, 100])
            );
            let _ = room.send("m.room.power_levels", Some(""), sender, &content);
        }
        6 => {
            let rule = rng.pick(&["public", "invite"]);
            let content = format!(r#"{{"join_rule":"{rule}"}}"#);
            let _ = room.send("m.room.join_rules", Some(""), sender, &content);
        }
        7..=8 => {
            let content = format!(r#"{{"name":"n{}"}}"#, rng.below(1000));
            let _ = room.send("m.room.name", Some(""), sender, &content);
        }
        _ => {
            let content = format!(r#"{{"topic":"t{}"}}"#, rng.below(1000));
            let _ = room.send("m.room.topic", Some(""), sender, &content);
        }
    }
}

/// The state of a branch as ruma's map.
fn ruma_state(room: &Room) -> StateMap<OwnedEventId> {
    room.state
        .iter()
        .map(|((t, k), i)| {
            let id = OwnedEventId::try_from(room.events[*i].event_id.as_str()).unwrap();
            ((StateEventType::from(t.as_str()), k.clone()), id)
        })
        .collect()
}

/// The auth chain of `id` over `events`, by walking `auth_events`.
fn auth_chain(events: &HashMap<String, Pdu>, id: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut stack: Vec<String> = events[id].fields.auth_events.clone();
    while let Some(a) = stack.pop() {
        if out.insert(a.clone()) {
            stack.extend(events[&a].fields.auth_events.iter().cloned());
        }
    }
    out
}

/// The conflicted state subgraph (room version 12): events reachable from a conflicted
/// event that reach a conflicted event along `auth_events`, the conflicted ones included.
fn conflicted_subgraph(events: &HashMap<String, Pdu>, conflicted: &[String]) -> HashSet<String> {
    let set: HashSet<&String> = conflicted.iter().collect();
    let mut out: HashSet<String> = conflicted.iter().cloned().collect();
    for c in conflicted {
        for x in auth_chain(events, c) {
            let reaches = auth_chain(events, &x).iter().any(|y| set.contains(y));
            if reaches {
                out.insert(x);
            }
        }
    }
    out
}

/// ruma's resolution of the two branch states.
fn ruma_resolve(
    version: RoomVersion,
    a: &Room,
    b: &Room,
    all: &[Pdu],
    rejected: &HashSet<String>,
) -> Vec<StateEntry> {
    let rules = RoomVersionId::try_from(version.id)
        .unwrap()
        .rules()
        .unwrap();
    let v2 = *rules.state_res.v2_rules().expect("a v2 room version");
    let by_id: HashMap<String, Pdu> = all
        .iter()
        .map(|e| (e.event_id.clone(), e.clone()))
        .collect();
    let ruma: HashMap<OwnedEventId, RumaEvent> = all
        .iter()
        .map(|e| {
            let r = RumaEvent::of(e, rejected.contains(&e.event_id));
            (r.id.clone(), r)
        })
        .collect();
    let states = [ruma_state(a), ruma_state(b)];
    let chains: Vec<EventIdSet<OwnedEventId>> = states
        .iter()
        .map(|s| {
            s.values()
                .flat_map(|id| {
                    let mut c = auth_chain(&by_id, id.as_str());
                    c.insert(id.to_string());
                    c
                })
                .map(|id| OwnedEventId::try_from(id.as_str()).unwrap())
                .collect()
        })
        .collect();
    let resolved = ruma_state_res::resolve(
        &rules.authorization,
        &v2,
        states.iter(),
        chains,
        |id: &EventId| ruma.get(id).cloned(),
        |conflicted: &StateMap<Vec<OwnedEventId>>| {
            let ids: Vec<String> = conflicted
                .values()
                .flatten()
                .map(|i| i.to_string())
                .collect();
            Some(
                conflicted_subgraph(&by_id, &ids)
                    .iter()
                    .map(|i| OwnedEventId::try_from(i.as_str()).unwrap())
                    .collect(),
            )
        },
    )
    .expect("ruma resolves");
    let mut out: Vec<StateEntry> = resolved
        .into_iter()
        .map(|((t, k), id)| StateEntry {
            event_type: t.to_string(),
            state_key: k,
            event_id: id.to_string(),
        })
        .collect();
    out.sort();
    out
}

/// The servers' keys as key responses, one per line.
fn keys() -> String {
    SERVERS
        .iter()
        .map(|s| canonical_json::to_string(&common::key_response(s, i64::MAX / 2)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The state of a branch as mxdag's entries, sorted.
fn entries(room: &Room) -> Vec<StateEntry> {
    let mut out: Vec<StateEntry> = room
        .state
        .iter()
        .map(|((t, k), i)| StateEntry {
            event_type: t.clone(),
            state_key: k.clone(),
            event_id: room.events[*i].event_id.clone(),
        })
        .collect();
    out.sort();
    out
}

/// A generated room of `version`: a common start, then two branches of random changes,
/// merged by one message.
fn generated(
    version: RoomVersion,
    rng: &mut Rng,
) -> (Room, Room, Vec<Pdu>, String, HashSet<String>) {
    let mut room = Room::standard(version, "public");
    for user in [BOB, CAROL, DAVE] {
        room.join(user);
    }
    let users = match version.auth.privileged_creators {
        true => format!(r#"{{"{BOB}":100,"{CAROL}":50}}"#),
        false => format!(r#"{{"{ALICE}":100,"{BOB}":100,"{CAROL}":50}}"#),
    };
    room.ok(
        "m.room.power_levels",
        Some(""),
        ALICE,
        &format!(r#"{{"users":{users}}}"#),
    );
    for _ in 0..rng.below(4) {
        random_change(rng, &mut room);
    }
    let forked_at = room.events.len();
    let (mut a, mut b) = (room.clone(), room.clone());
    b.skip(500);
    for _ in 0..1 + rng.below(6) {
        random_change(rng, &mut a);
    }
    for _ in 0..1 + rng.below(6) {
        random_change(rng, &mut b);
    }
    let prev = [
        a.events[a.last].event_id.clone(),
        b.events[b.last].event_id.clone(),
    ];
    let content = auth_support::v(r#"{"body":"merge"}"#);
    let merge = a.event_with_ids("m.room.message", None, ALICE, content, &prev, &[]);
    let merge_id = merge.event_id.clone();
    let mut all = a.events.clone();
    all.extend(b.events[forked_at..].iter().cloned());
    all.push(merge);
    let mut rejected = HashSet::new();
    for (i, r) in a.rejected.iter().enumerate() {
        if *r {
            rejected.insert(a.events[i].event_id.clone());
        }
    }
    for (i, r) in b.rejected.iter().enumerate() {
        if *r {
            rejected.insert(b.events[i].event_id.clone());
        }
    }
    (a, b, all, merge_id, rejected)
}

#[test]
fn the_state_before_a_merge_is_ruma_state_res_resolution() {
    let mut rng = Rng(0x5eed_57a7_e2e5);
    let mut conflicted_rooms = 0;
    let mut compared = 0;
    for round in 0..100 {
        for version in ALL.into_iter().filter(|v| v.id != "1") {
            let (a, b, all, merge, rejected) = generated(version, &mut rng);
            let mut session = RoomSession::new(None, Some(version));
            session.add_keys(&keys());
            let lines: Vec<String> = all.iter().rev().map(Pdu::to_canonical_json).collect();
            session.ingest(&lines.join("\n"), &Ingest::default());
            // The branch states as the session computes them: the test's own (linear).
            let tip_a = &a.events[a.last].event_id;
            let tip_b = &b.events[b.last].event_id;
            assert_eq!(
                session.state_at(tip_a, Position::After).unwrap(),
                entries(&a),
                "round {round} v{version}"
            );
            assert_eq!(
                session.state_at(tip_b, Position::After).unwrap(),
                entries(&b),
                "round {round} v{version}"
            );
            if entries(&a) != entries(&b) {
                conflicted_rooms += 1;
            }
            let ours = session.state_at(&merge, Position::Before).expect("known");
            let theirs = ruma_resolve(version, &a, &b, &all, &rejected);
            assert_eq!(ours, theirs, "round {round} v{version}");
            compared += 1;
        }
    }
    assert!(
        conflicted_rooms > compared / 2,
        "{conflicted_rooms} of {compared} rooms conflict"
    );
}
