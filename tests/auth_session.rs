//! Check 4 in the room session: held events are authorised against their own auth events
//! once those are held and decided, rejected events get the verdict `rejected` with the
//! rule's problem, events whose auth events are not held are `auth_unknown` naming them,
//! and the order events arrive in does not change any result.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod auth_support;
mod common;

use auth_support::{Room, BOB, CAROL};
use mxdag::auth::codes as c;
use mxdag::canonical_json;
use mxdag::event::Verdict;
use mxdag::room_version::{RoomVersion, ALL};
use mxdag::session::{Auth, Ingest, RoomSession};

const SERVERS: [&str; 4] = ["a.test", "b.test", "c.test", "d.test"];

/// The servers' keys as key responses, one per line.
fn keys() -> String {
    SERVERS
        .iter()
        .map(|s| canonical_json::to_string(&common::key_response(s, i64::MAX / 2)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A public room where bob and carol joined, bob tried to ban carol without the level
/// (rejected), then bob spoke; and a message from the banned-by-nobody carol.
fn room(version: RoomVersion) -> Room {
    let mut room = Room::standard(version, "public");
    room.join(BOB);
    room.join(CAROL);
    assert!(room.member(BOB, CAROL, "ban").is_err());
    room.ok("m.room.message", None, BOB, r#"{"body":"hi"}"#);
    room.ok("m.room.message", None, CAROL, r#"{"body":"still here"}"#);
    room
}

/// The events of `room` in `order`, one NDJSON input, taken by a session holding the keys.
fn session_of(room: &Room, order: &[usize]) -> RoomSession {
    let mut session = RoomSession::new(None, Some(room.version));
    session.add_keys(&keys());
    let lines: Vec<String> = order
        .iter()
        .map(|&i| room.events[i].to_canonical_json())
        .collect();
    session.ingest(&lines.join("\n"), &Ingest::default());
    session
}

/// Verdict, auth status and problem codes of every event of `room` in `session`.
fn results(room: &Room, session: &RoomSession) -> Vec<(Verdict, String, Vec<&'static str>)> {
    room.events
        .iter()
        .map(|e| {
            let held = session.held(&e.event_id).expect("held");
            let status = match &held.auth {
                Auth::NotChecked => "not_checked".to_owned(),
                Auth::Unknown { missing, .. } => format!("unknown {missing:?}"),
                Auth::Allowed => "allowed".to_owned(),
                Auth::Rejected { problem } => format!("rejected {}", problem.code),
            };
            let mut codes: Vec<&'static str> = held.problems.iter().map(|p| p.code).collect();
            codes.sort_unstable();
            (held.verdict, status, codes)
        })
        .collect()
}

#[test]
fn the_session_rejects_what_the_rules_reject_and_allows_the_rest() {
    for version in ALL {
        let room = room(version);
        let order: Vec<usize> = (0..room.events.len()).collect();
        let session = session_of(&room, &order);
        for (i, event) in room.events.iter().enumerate() {
            let held = session.held(&event.event_id).unwrap();
            match room.rejected[i] {
                true => {
                    assert_eq!(held.verdict, Verdict::Rejected, "v{version} #{i}");
                    assert_eq!(held.problems[0].code, c::BAN_LEVEL, "v{version} #{i}");
                    assert!(
                        matches!(&held.auth, Auth::Rejected { problem } if problem.code == c::BAN_LEVEL)
                    );
                }
                false => {
                    assert_eq!(
                        held.verdict,
                        Verdict::Valid,
                        "v{version} #{i}: {:?}",
                        held.problems
                    );
                    assert_eq!(held.auth, Auth::Allowed, "v{version} #{i}");
                }
            }
        }
        let details = session.details(&room.events[6].event_id).unwrap();
        assert!(matches!(details.auth, Some(Auth::Rejected { .. })));
    }
}

#[test]
fn the_order_events_arrive_in_does_not_change_any_result() {
    for version in [
        RoomVersion::V1,
        RoomVersion::V6,
        RoomVersion::V10,
        RoomVersion::V12,
    ] {
        let room = room(version);
        let n = room.events.len();
        let forwards: Vec<usize> = (0..n).collect();
        let expected = results(&room, &session_of(&room, &forwards));
        let backwards: Vec<usize> = (0..n).rev().collect();
        assert_eq!(
            results(&room, &session_of(&room, &backwards)),
            expected,
            "v{version} backwards"
        );
        // One event per input, newest first (as backfill brings them), and interleaved.
        let mut session = RoomSession::new(None, Some(version));
        session.add_keys(&keys());
        for &i in &backwards {
            session.ingest(&room.events[i].to_canonical_json(), &Ingest::default());
            // Newest first, every event but the create event arrives before its auth events.
            let auth = &session.held(&room.events[i].event_id).unwrap().auth;
            assert_eq!(
                matches!(auth, Auth::Unknown { .. }),
                i != 0,
                "v{version} #{i}: {auth:?}"
            );
        }
        assert_eq!(results(&room, &session), expected, "v{version} one by one");
        let shuffled: Vec<usize> = (0..n).map(|i| (i * 5 + 3) % n).collect();
        assert_eq!(
            results(&room, &session_of(&room, &shuffled)),
            expected,
            "v{version} shuffled"
        );
    }
}

#[test]
fn an_event_whose_auth_events_are_not_held_is_auth_unknown_naming_them() {
    let room = room(RoomVersion::V11);
    let message = room.events.len() - 1;
    let session = session_of(&room, &[message]);
    let held = session.held(&room.events[message].event_id).unwrap();
    assert_eq!(held.verdict, Verdict::Valid);
    let Auth::Unknown { problem, missing } = &held.auth else {
        panic!("{:?}", held.auth)
    };
    let expected: Vec<String> = room.events[message].fields.auth_events.clone();
    assert_eq!(missing, &expected);
    assert_eq!(problem.code, c::AUTH_UNKNOWN);
    assert!(
        expected.iter().all(|id| problem.message.contains(id)),
        "{}",
        problem.message
    );
}

/// The session's summary of check 4 counts every held event once and names the auth events
/// not held — the create event, for a room taken without it — as the CLI reports them.
#[test]
fn the_auth_summary_counts_every_held_event_and_names_the_auth_events_not_held() {
    for version in [RoomVersion::V11, RoomVersion::V12] {
        let room = room(version);
        let all: Vec<usize> = (0..room.events.len()).collect();
        let whole = session_of(&room, &all).auth_summary();
        assert_eq!(
            whole.allowed + whole.rejected,
            room.events.len(),
            "v{version}"
        );
        assert_eq!((whole.not_run, whole.not_held.len()), (0, 0), "v{version}");
        let without_create: Vec<usize> = (1..room.events.len()).collect();
        let summary = session_of(&room, &without_create).auth_summary();
        assert_eq!(
            summary.allowed + summary.rejected,
            0,
            "v{version}: {summary:?}"
        );
        assert_eq!(summary.not_run, room.events.len() - 1, "v{version}");
        assert_eq!(
            summary.not_held,
            vec![room.create().event_id.clone()],
            "v{version}"
        );
    }
}

#[test]
fn in_v12_the_create_event_the_room_id_names_is_awaited_too() {
    let room = room(RoomVersion::V12);
    let last = room.events.len() - 1;
    let without_create: Vec<usize> = (1..room.events.len()).collect();
    let session = session_of(&room, &without_create);
    let held = session.held(&room.events[last].event_id).unwrap();
    let create = vec![room.create().event_id.clone()];
    assert!(matches!(&held.auth, Auth::Unknown { missing, .. } if *missing == create));
    let join = session.held(&room.events[1].event_id).unwrap();
    assert!(matches!(&join.auth, Auth::Unknown { missing, .. } if *missing == create));
}

#[test]
fn an_event_authorised_by_a_rejected_event_is_rejected() {
    let mut room = room(RoomVersion::V10);
    // Bob's rejected ban of carol, used as carol's membership in a later event's auth events.
    let ban = room
        .events
        .iter()
        .position(|e| e.membership() == Some("ban"))
        .unwrap();
    let mut auth = room.selection("m.room.message", None, CAROL, &auth_support::v("{}"));
    let carol = room.current("m.room.member", CAROL).unwrap();
    auth.retain(|&i| i != carol);
    auth.push(ban);
    let prev = [room.last];
    let pdu = room.event(
        "m.room.message",
        None,
        CAROL,
        auth_support::v(r#"{"body":"x"}"#),
        &prev,
        &auth,
    );
    room.push(pdu, true);
    let order: Vec<usize> = (0..room.events.len()).rev().collect();
    let session = session_of(&room, &order);
    let held = session.held(&room.events[room.last].event_id).unwrap();
    assert_eq!(held.verdict, Verdict::Rejected);
    assert_eq!(held.problems[0].code, c::AUTH_EVENT_REJECTED);
    assert!(held.problems[0]
        .message
        .contains(&room.events[ban].event_id));
}

#[test]
fn events_wait_for_keys_then_are_authorised_when_the_keys_arrive() {
    let room = room(RoomVersion::V10);
    let mut session = RoomSession::new(None, Some(room.version));
    let lines: Vec<String> = room.events.iter().map(|e| e.to_canonical_json()).collect();
    let report = session.ingest(&lines.join("\n"), &Ingest::default());
    assert_eq!(report.counts.unchecked, room.events.len());
    assert_eq!(report.auth.allowed + report.auth.rejected, 0);
    let keys = session.add_keys(&keys());
    assert_eq!(keys.rejudged.auth.rejected, 1);
    assert_eq!(keys.rejudged.auth.allowed, room.events.len() - 1);
    let order: Vec<usize> = (0..room.events.len()).collect();
    assert_eq!(
        results(&room, &session),
        results(&room, &session_of(&room, &order))
    );
}

#[test]
fn the_report_counts_the_rejected_events_of_the_input() {
    let room = room(RoomVersion::V9);
    let mut session = RoomSession::new(None, Some(room.version));
    session.add_keys(&keys());
    let lines: Vec<String> = room.events.iter().map(|e| e.to_canonical_json()).collect();
    let report = session.ingest(&lines.join("\n"), &Ingest::default());
    assert_eq!(
        (report.counts.rejected, report.counts.valid),
        (1, room.events.len() - 1)
    );
    assert_eq!(
        (
            report.auth.rejected,
            report.auth.allowed,
            report.auth.unknown
        ),
        (1, room.events.len() - 1, 0)
    );
    let rejected = report
        .events
        .iter()
        .find(|e| e.verdict == Verdict::Rejected)
        .unwrap();
    assert_eq!(rejected.problems[0].code, c::BAN_LEVEL);
    assert_eq!(report.outcome, mxdag::event::Outcome::Invalid);
}

#[test]
fn generated_rooms_pass_the_authorization_rules() {
    use mxdag::generate::{generate_room, GenerateOptions, ShapeOptions};
    for version in ALL {
        let room = generate_room(&GenerateOptions {
            room_version: version.id.into(),
            shape: ShapeOptions {
                events: 300,
                servers: 4,
                seed: 11,
                concurrency: 0.4,
                ..ShapeOptions::default()
            },
            ..GenerateOptions::default()
        })
        .unwrap();
        let mut session = RoomSession::new(None, None);
        for key in &room.server_keys {
            session.add_keys(&canonical_json::to_string(key));
        }
        let lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
        let report = session.ingest(&lines.join("\n"), &Ingest::default());
        let rejected: Vec<&str> = report
            .events
            .iter()
            .filter(|e| e.verdict == Verdict::Rejected)
            .map(|e| e.problems[0].message.as_str())
            .collect();
        assert!(rejected.is_empty(), "v{version}: {rejected:#?}");
        // The generator's auth events are the selection: nothing selected is missing.
        let missing: Vec<&str> = report
            .events
            .iter()
            .flat_map(|e| &e.problems)
            .filter(|p| p.code == c::AUTH_EVENTS_MISSING_SELECTED)
            .map(|p| p.message.as_str())
            .collect();
        assert!(missing.is_empty(), "v{version}: {missing:#?}");
        assert_eq!(report.auth.allowed, room.pdus.len(), "v{version}");
    }
}

#[test]
fn auth_events_that_leave_out_what_the_room_had_are_flagged() {
    let mut room = room(RoomVersion::V10);
    let auth: Vec<usize> = room
        .selection("m.room.message", None, BOB, &auth_support::v("{}"))
        .into_iter()
        .filter(|&i| room.events[i].fields.event_type != "m.room.power_levels")
        .collect();
    let prev = [room.last];
    let pdu = room.event(
        "m.room.message",
        None,
        BOB,
        auth_support::v(r#"{"body":"x"}"#),
        &prev,
        &auth,
    );
    room.push(pdu, false);
    let order: Vec<usize> = (0..room.events.len()).collect();
    let session = session_of(&room, &order);
    let held = session.held(&room.events[room.last].event_id).unwrap();
    assert_eq!(held.auth, Auth::Allowed);
    let flagged: Vec<&str> = held
        .problems
        .iter()
        .filter(|p| p.code == c::AUTH_EVENTS_MISSING_SELECTED)
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(flagged.len(), 1, "{:?}", held.problems);
    assert!(flagged[0].contains("m.room.power_levels"), "{}", flagged[0]);
}

#[test]
fn events_that_waited_for_the_room_version_are_authorised_when_it_is_given() {
    let room = room(RoomVersion::V11);
    let mut session = RoomSession::new(None, None);
    session.add_keys(&keys());
    // Without the create event nothing names the room version: the events wait.
    let lines: Vec<String> = room.events[1..]
        .iter()
        .map(|e| e.to_canonical_json())
        .collect();
    let report = session.ingest(&lines.join("\n"), &Ingest::default());
    assert_eq!(report.waiting, room.events.len() - 1);
    let report = session.set_room_version(RoomVersion::V11).unwrap();
    // Placed now, but their create event is not held: all wait for it, by ID.
    assert_eq!(report.auth.unknown, room.events.len() - 1);
    let report = session.ingest(&room.create().to_canonical_json(), &Ingest::default());
    assert_eq!(
        (report.auth.allowed, report.auth.rejected),
        (room.events.len() - 1, 1)
    );
    let order: Vec<usize> = (0..room.events.len()).collect();
    assert_eq!(
        results(&room, &session),
        results(&room, &session_of(&room, &order))
    );
}
