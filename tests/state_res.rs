//! State resolution in the session: hand-built rooms of every room version with a fork
//! whose branches conflict, merged by one event. Each test states the spec's reason for
//! the expected state; the states must not depend on the order the events arrive in.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod auth_support;
mod common;

use auth_support::{Room, ALICE, BOB, CAROL};
use mxdag::auth::codes as c;
use mxdag::canonical_json;
use mxdag::event::{Pdu, Verdict};
use mxdag::room_version::{RoomVersion, StateResAlgorithm, ALL};
use mxdag::session::{
    Ingest, IngestReport, Position, RoomSession, StateAuth, StateEntry, StateError,
};

const SERVERS: [&str; 4] = ["a.test", "b.test", "c.test", "d.test"];

/// The servers' keys as key responses, one per line.
fn keys() -> String {
    SERVERS
        .iter()
        .map(|s| canonical_json::to_string(&common::key_response(s, i64::MAX / 2)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `events` in `order`, one NDJSON input, taken by a session holding the keys.
fn session_of(version: RoomVersion, events: &[Pdu], order: &[usize]) -> RoomSession {
    taken(version, events, order).0
}

/// [`session_of`], with the report of the input.
fn taken(version: RoomVersion, events: &[Pdu], order: &[usize]) -> (RoomSession, IngestReport) {
    let mut session = RoomSession::new(None, Some(version));
    session.add_keys(&keys());
    let lines: Vec<String> = order
        .iter()
        .map(|&i| events[i].to_canonical_json())
        .collect();
    let report = session.ingest(&lines.join("\n"), &Ingest::default());
    (session, report)
}

/// A public room where alice gave bob the level 50 and carol joined.
fn base(version: RoomVersion) -> Room {
    let mut room = Room::standard(version, "public");
    room.join(BOB);
    room.join(CAROL);
    let users = match version.auth.privileged_creators {
        true => format!(r#"{{"{BOB}":50}}"#),
        false => format!(r#"{{"{ALICE}":100,"{BOB}":50}}"#),
    };
    room.ok(
        "m.room.power_levels",
        Some(""),
        ALICE,
        &format!(r#"{{"users":{users}}}"#),
    );
    room
}

/// A fork of `room`: two branches from its last event. The second's events come later
/// (higher depth and `origin_server_ts`) when `b_later`.
fn fork(room: &Room, b_later: bool) -> (Room, Room) {
    let (mut a, mut b) = (room.clone(), room.clone());
    match b_later {
        true => b.skip(1000),
        false => a.skip(1000),
    }
    (a, b)
}

/// Every event of both branches (the fork's own once), and the merge event: alice's
/// message on branch `a` naming both branches' last events in `prev_events`.
fn merged(a: &mut Room, b: &Room, forked_at: usize) -> Vec<Pdu> {
    let prev = [
        a.events[a.last].event_id.clone(),
        b.events[b.last].event_id.clone(),
    ];
    let content = auth_support::v(r#"{"body":"merge"}"#);
    let auth: Vec<String> = a
        .selection("m.room.message", None, ALICE, &content)
        .iter()
        .map(|&i| a.events[i].event_id.clone())
        .collect();
    let merge = a.event_with_ids("m.room.message", None, ALICE, content, &prev, &auth);
    a.push(merge, false);
    let mut all = a.events.clone();
    all.extend(b.events[forked_at..].iter().cloned());
    all
}

/// The entry of `(event_type, state_key)` in `state`.
fn entry<'a>(state: &'a [StateEntry], event_type: &str, state_key: &str) -> Option<&'a str> {
    state
        .iter()
        .find(|e| e.event_type == event_type && e.state_key == state_key)
        .map(|e| e.event_id.as_str())
}

/// Every event's states and verdict in `session`.
fn all_states(session: &RoomSession, events: &[Pdu]) -> Vec<(String, Verdict, String, String)> {
    events
        .iter()
        .map(|e| {
            let held = session.held(&e.event_id).expect("held");
            let before = session.state_at(&e.event_id, Position::Before);
            let after = session.state_at(&e.event_id, Position::After);
            (
                e.event_id.clone(),
                held.verdict,
                format!("{before:?}"),
                format!("{after:?}"),
            )
        })
        .collect()
}

#[test]
fn a_ban_on_one_branch_undoes_the_banned_users_name_change_on_the_other() {
    for version in ALL {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        assert!(a.member(ALICE, BOB, "ban").is_ok());
        let ban = a.events[a.last].event_id.clone();
        b.ok("m.room.name", Some(""), BOB, r#"{"name":"bob's"}"#);
        let name = b.events[b.last].event_id.clone();
        let events = merged(&mut a, &b, forked_at);
        let merge = events[a.last].event_id.clone();
        let session = session_of(version, &events, &(0..events.len()).collect::<Vec<_>>());
        let before = session.state_at(&merge, Position::Before).expect("known");
        assert_eq!(
            entry(&before, "m.room.member", BOB),
            Some(ban.as_str()),
            "v{version}"
        );
        match version.state_res {
            // v2: the ban is a power event, applied first; bob's name change is then checked
            // against a state where bob is banned ("the sender's membership is not join").
            StateResAlgorithm::V2 | StateResAlgorithm::V2_1 => {
                assert_eq!(entry(&before, "m.room.name", ""), None, "v{version}")
            }
            // v1: a key only one state holds is not a conflict ("R … the union of the
            // states to be resolved, excluding any conflicting events").
            StateResAlgorithm::V1 => {
                assert_eq!(entry(&before, "m.room.name", ""), Some(name.as_str()))
            }
        }
        // Sorted by type, then state key.
        let mut sorted = before.clone();
        sorted.sort_by(|x, y| (&x.event_type, &x.state_key).cmp(&(&y.event_type, &y.state_key)));
        assert_eq!(before, sorted);
        assert_eq!(session.state_at(&merge, Position::After).unwrap(), before);
        // The name event's own state after holds it.
        let after_name = session.state_at(&name, Position::After).unwrap();
        assert_eq!(entry(&after_name, "m.room.name", ""), Some(name.as_str()));
    }
}

#[test]
fn concurrent_names_of_equal_standing_resolve_to_the_later_one() {
    for version in ALL {
        for b_later in [false, true] {
            let room = base(version);
            let forked_at = room.events.len();
            let (mut a, mut b) = fork(&room, b_later);
            a.ok("m.room.name", Some(""), ALICE, r#"{"name":"A"}"#);
            let name_a = a.events[a.last].event_id.clone();
            b.ok("m.room.name", Some(""), BOB, r#"{"name":"B"}"#);
            let name_b = b.events[b.last].event_id.clone();
            let events = merged(&mut a, &b, forked_at);
            let merge = events[a.last].event_id.clone();
            let session = session_of(version, &events, &(0..events.len()).collect::<Vec<_>>());
            let before = session.state_at(&merge, Position::Before).unwrap();
            // v2: same mainline position (both cite the same power levels), so the later
            // `origin_server_ts` is applied last and wins; v1: "the event with the highest
            // depth … that passes authentication in R".
            let winner = if b_later { &name_b } else { &name_a };
            assert_eq!(
                entry(&before, "m.room.name", ""),
                Some(winner.as_str()),
                "v{version}"
            );
        }
    }
}

#[test]
fn concurrent_power_level_changes_resolve_by_the_senders_power() {
    for version in ALL
        .into_iter()
        .filter(|v| v.state_res != StateResAlgorithm::V1)
    {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        // Alice (100 or creator) raises carol to 50; bob (50) sets events_default: each
        // power levels event is allowed on its own branch.
        let users_a = match version.auth.privileged_creators {
            true => format!(r#"{{"{BOB}":50,"{CAROL}":50}}"#),
            false => format!(r#"{{"{ALICE}":100,"{BOB}":50,"{CAROL}":50}}"#),
        };
        a.ok(
            "m.room.power_levels",
            Some(""),
            ALICE,
            &format!(r#"{{"users":{users_a}}}"#),
        );
        let pl_a = a.events[a.last].event_id.clone();
        let users_b = match version.auth.privileged_creators {
            true => format!(r#"{{"{BOB}":50}}"#),
            false => format!(r#"{{"{ALICE}":100,"{BOB}":50}}"#),
        };
        b.ok(
            "m.room.power_levels",
            Some(""),
            BOB,
            &format!(r#"{{"users":{users_b},"events_default":10}}"#),
        );
        let events = merged(&mut a, &b, forked_at);
        let merge = events[a.last].event_id.clone();
        let session = session_of(version, &events, &(0..events.len()).collect::<Vec<_>>());
        let before = session.state_at(&merge, Position::Before).unwrap();
        // The reverse topological power ordering puts alice's first (greater power);
        // bob's is then checked against the partial state holding alice's, where carol
        // has 50: bob removes her level, which is not below his own 50, so the power
        // levels rules reject it ("for each user … whose value is changed … if the old
        // value is greater than or equal to the sender's level, reject") and alice's stays.
        assert_eq!(
            entry(&before, "m.room.power_levels", ""),
            Some(pl_a.as_str()),
            "v{version}"
        );
    }
}

#[test]
fn states_do_not_depend_on_the_order_events_arrive_in() {
    for version in ALL {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        assert!(a.member(ALICE, BOB, "ban").is_ok());
        a.ok("m.room.topic", Some(""), ALICE, r#"{"topic":"t"}"#);
        b.ok("m.room.name", Some(""), BOB, r#"{"name":"bob's"}"#);
        b.ok("m.room.message", None, CAROL, r#"{"body":"hi"}"#);
        let events = merged(&mut a, &b, forked_at);
        let forward: Vec<usize> = (0..events.len()).collect();
        let backward: Vec<usize> = forward.iter().rev().copied().collect();
        let mut shuffled = forward.clone();
        shuffled.rotate_left(forward.len() / 2);
        let want = all_states(&session_of(version, &events, &forward), &events);
        for order in [&backward, &shuffled] {
            let got = all_states(&session_of(version, &events, order), &events);
            assert_eq!(got, want, "v{version}");
        }
        // And in several inputs, newest first (backfill).
        let mut session = RoomSession::new(None, Some(version));
        session.add_keys(&keys());
        for chunk in backward.chunks(3) {
            let lines: Vec<String> = chunk
                .iter()
                .map(|&i| events[i].to_canonical_json())
                .collect();
            session.ingest(&lines.join("\n"), &Ingest::default());
        }
        assert_eq!(all_states(&session, &events), want, "v{version}");
    }
}

#[test]
fn a_missing_prev_event_makes_the_state_unknown_naming_it() {
    for version in ALL {
        let mut room = base(version);
        room.ok("m.room.topic", Some(""), ALICE, r#"{"topic":"t"}"#);
        let topic = room.last;
        room.ok("m.room.message", None, BOB, r#"{"body":"after"}"#);
        let message = room.events[room.last].event_id.clone();
        let order: Vec<usize> = (0..room.events.len()).filter(|&i| i != topic).collect();
        let session = session_of(version, &room.events, &order);
        let missing = room.events[topic].event_id.clone();
        match session.state_at(&message, Position::Before) {
            Err(StateError::Unknown { missing: m, .. }) => assert_eq!(m, vec![missing.clone()]),
            other => panic!("v{version}: {other:?}"),
        }
        let held = session.held(&message).unwrap();
        assert!(
            matches!(&held.state, StateAuth::Unknown { missing: m, .. } if *m == vec![missing.clone()])
        );
        assert!(matches!(
            session.state_at("$nope", Position::Before),
            Err(StateError::NotHeld { .. })
        ));
    }
}

/// A merge whose one side is not held and whose other side waits on a deeper gap names
/// its own missing prev event first: that is the gap to fill for it.
#[test]
fn a_merge_names_its_own_missing_prev_event_before_a_deeper_gap() {
    for version in ALL {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        a.ok("m.room.message", None, ALICE, r#"{"body":"deeper gap"}"#);
        let deeper = a.last;
        a.ok("m.room.message", None, ALICE, r#"{"body":"a side"}"#);
        b.ok("m.room.message", None, CAROL, r#"{"body":"b side"}"#);
        let b_tip = b.events[b.last].event_id.clone();
        let events = merged(&mut a, &b, forked_at);
        let merge = a.events[a.last].event_id.clone();
        let order: Vec<usize> = (0..events.len())
            .filter(|&i| i != deeper && events[i].event_id != b_tip)
            .collect();
        let session = session_of(version, &events, &order);
        match session.state_at(&merge, Position::Before) {
            Err(StateError::Unknown { missing, .. }) => {
                assert_eq!(missing, vec![b_tip.clone()], "v{version}")
            }
            other => panic!("v{version}: {other:?}"),
        }
    }
}

#[test]
fn an_event_the_state_before_it_forbids_is_rejected_by_check_5() {
    for version in ALL {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        assert!(a.member(ALICE, BOB, "ban").is_ok());
        let ban = a.events[a.last].event_id.clone();
        b.ok("m.room.message", None, CAROL, r#"{"body":"b side"}"#);
        let mut events = merged(&mut a, &b, forked_at);
        // Bob speaks after the merge, citing his join (check 4 passes on those).
        let content = auth_support::v(r#"{"body":"still here?"}"#);
        let auth: Vec<String> = b
            .selection("m.room.message", None, BOB, &content)
            .iter()
            .map(|&i| b.events[i].event_id.clone())
            .collect();
        let prev = [events[a.last].event_id.clone()];
        let late = a.event_with_ids("m.room.message", None, BOB, content, &prev, &auth);
        events.push(late.clone());
        let session = session_of(version, &events, &(0..events.len()).collect::<Vec<_>>());
        let held = session.held(&late.event_id).unwrap();
        assert_eq!(
            held.verdict,
            Verdict::Rejected,
            "v{version}: {:?}",
            held.problems
        );
        let StateAuth::Rejected { problem } = &held.state else {
            panic!("v{version}: {:?}", held.state)
        };
        assert_eq!(problem.code, c::SENDER_NOT_JOINED);
        assert!(problem.message.contains(&ban), "{}", problem.message);
        assert!(problem.message.contains("check 5"), "{}", problem.message);
        // Check 4 allowed it.
        assert_eq!(held.auth, mxdag::session::Auth::Allowed);
    }
}

#[test]
fn an_event_on_a_branch_the_current_state_forbids_is_soft_failed() {
    for version in ALL {
        let room = base(version);
        let forked_at = room.events.len();
        let (mut a, mut b) = fork(&room, true);
        assert!(a.member(ALICE, BOB, "ban").is_ok());
        b.ok("m.room.message", None, BOB, r#"{"body":"unaware"}"#);
        let message = b.events[b.last].event_id.clone();
        let mut events = a.events.clone();
        events.extend(b.events[forked_at..].iter().cloned());
        let session = session_of(version, &events, &(0..events.len()).collect::<Vec<_>>());
        let held = session.held(&message).unwrap();
        assert_eq!(
            held.verdict,
            Verdict::SoftFailed,
            "v{version}: {:?}",
            held.state
        );
        let StateAuth::SoftFailed { problem } = &held.state else {
            panic!()
        };
        assert_eq!(problem.code, c::SENDER_NOT_JOINED);
        let current = session.current_state().unwrap();
        assert_eq!(
            entry(&current, "m.room.member", BOB),
            Some(a.events[a.last].event_id.as_str())
        );
        // The ban itself passes against the current state.
        assert_eq!(
            session.held(&a.events[a.last].event_id).unwrap().verdict,
            Verdict::Valid
        );
        assert_eq!(
            session
                .verdict_counts(std::slice::from_ref(&message))
                .soft_failed,
            1
        );
    }
}

#[test]
fn the_auth_chain_is_every_auth_event_reached() {
    for version in ALL {
        let mut room = base(version);
        room.ok("m.room.message", None, CAROL, r#"{"body":"x"}"#);
        let message = room.events[room.last].clone();
        let mut session = session_of(
            version,
            &room.events,
            &(0..room.events.len()).collect::<Vec<_>>(),
        );
        let chain = session.auth_chain(&message.event_id).unwrap();
        // Independently: walk auth_events over the room's events.
        let mut want: Vec<String> = Vec::new();
        let mut stack: Vec<String> = message.fields.auth_events.clone();
        while let Some(id) = stack.pop() {
            if want.contains(&id) {
                continue;
            }
            let e = room.events.iter().find(|e| e.event_id == id).unwrap();
            stack.extend(e.fields.auth_events.iter().cloned());
            want.push(id);
        }
        want.sort();
        assert_eq!(chain, want, "v{version}");
        assert!(!chain.is_empty());
    }
}

#[test]
fn a_long_chain_of_unchecked_events_shares_one_gap() {
    // Client-format events (no signatures): unchecked, so no state after them is known.
    // Each event's gap names the first event not checked, not every one before it.
    let lines: Vec<String> = (0..2000)
        .map(|i| {
            let prev = match i {
                0 => String::new(),
                _ => format!(r#""$e{}:x.test""#, i - 1),
            };
            format!(
                r#"{{"event_id":"$e{i}:x.test","room_id":"!r:x.test","type":"m.room.message","sender":"@u:x.test","depth":{},"origin_server_ts":{i},"prev_events":[{prev}],"content":{{}}}}"#,
                i + 1
            )
        })
        .collect();
    let mut session = RoomSession::new(Some("!r:x.test"), Some(RoomVersion::V1));
    session.ingest(&lines.join("\n"), &Ingest::default());
    match session.state_at("$e1999:x.test", Position::Before) {
        Err(StateError::Unknown { missing, .. }) => assert_eq!(missing, vec!["$e0:x.test"]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_join_rules_change_undone_by_a_concurrent_demotion_is_a_state_reset() {
    use mxdag::session::marks;
    use mxdag::session::merges::codes::STATE_RESET;
    for version in ALL
        .into_iter()
        .filter(|v| v.state_res != StateResAlgorithm::V1)
    {
        let room = base(version);
        let forked_at = room.events.len();
        let join_rules = room.events[room.current("m.room.join_rules", "").unwrap()]
            .event_id
            .clone();
        let (mut a, mut b) = fork(&room, true);
        // Bob (50, the default state level) makes the room invite-only on one branch;
        // alice takes his level away on the other.
        a.ok(
            "m.room.join_rules",
            Some(""),
            BOB,
            r#"{"join_rule":"invite"}"#,
        );
        let invite_only = a.events[a.last].event_id.clone();
        let users = match version.auth.privileged_creators {
            true => "{}".to_owned(),
            false => format!(r#"{{"{ALICE}":100}}"#),
        };
        b.ok(
            "m.room.power_levels",
            Some(""),
            ALICE,
            &format!(r#"{{"users":{users}}}"#),
        );
        let demotion = b.events[b.last].event_id.clone();
        let events = merged(&mut a, &b, forked_at);
        let merge = events[a.last].event_id.clone();
        let (session, report) = taken(version, &events, &(0..events.len()).collect::<Vec<_>>());
        // Alice's power levels sort first (greater power); bob's join rules are then
        // checked against a state where his level is the users default, 0, below the
        // state default 50: rejected, so the join rules go back to the public ones, which
        // bob's own join (in his event's auth chain) was authorised by.
        let before = session.state_at(&merge, Position::Before).unwrap();
        assert_eq!(
            entry(&before, "m.room.join_rules", ""),
            Some(join_rules.as_str()),
            "v{version}"
        );
        assert_eq!(
            entry(&before, "m.room.power_levels", ""),
            Some(demotion.as_str()),
            "v{version}"
        );
        let details = session
            .details(&merge)
            .unwrap()
            .merge
            .expect("a conflicted merge");
        let rules = details
            .conflicted
            .iter()
            .find(|c| c.event_type == "m.room.join_rules")
            .expect("the join rules conflicted");
        let mut both = vec![join_rules.clone(), invite_only.clone()];
        both.sort();
        assert_eq!(rules.candidates, both);
        assert_eq!(rules.resolved.as_deref(), Some(join_rules.as_str()));
        // Why: bob's join rules were refused by the power rule in the partial state; the
        // public ones, taken before them, stayed.
        let outcome = |pair: &mxdag::session::merges::ConflictedEntry, id: &str| {
            pair.outcomes
                .iter()
                .find(|o| o.event_id == id)
                .cloned()
                .unwrap_or_else(|| panic!("v{version}: no outcome of {id} in {pair:?}"))
        };
        let refused = outcome(rules, &invite_only);
        assert_eq!(refused.step, "power_ordering");
        assert_eq!(
            refused.refused_by.as_deref(),
            Some(c::EVENT_LEVEL),
            "v{version}: {refused:?}"
        );
        let kept = outcome(rules, &join_rules);
        assert!(
            kept.refused_by.is_none() && kept.why.starts_with("kept"),
            "{kept:?}"
        );
        assert!(rules.decided_by.as_deref().unwrap().contains(&join_rules));
        // The demotion replaced the power levels it was authorised on top of.
        let levels = details
            .conflicted
            .iter()
            .find(|c| c.event_type == "m.room.power_levels")
            .expect("the power levels conflicted");
        assert_eq!(levels.resolved.as_deref(), Some(demotion.as_str()));
        let replaced = levels
            .outcomes
            .iter()
            .find(|o| o.event_id != demotion)
            .unwrap();
        assert!(
            replaced.why.contains("authorised on top of it"),
            "v{version}: {replaced:?}"
        );
        assert!(replaced.place < outcome(levels, &demotion).place);
        // One reset, of the join rules only (the demotion is a successor, not a return).
        assert_eq!(details.resets.len(), 1, "v{version}: {:?}", details.resets);
        let reset = &details.resets[0];
        assert_eq!(reset.code, STATE_RESET);
        assert!(reset.message.contains(&merge) && reset.message.contains(&invite_only));
        // Reported as a finding of the input and of the room, and marked on the merge's row.
        assert!(report.findings.iter().any(|p| p.code == STATE_RESET));
        let summary = &session.summaries()[0];
        assert_eq!(
            summary
                .findings
                .iter()
                .filter(|p| p.code == STATE_RESET)
                .count(),
            1
        );
        let rows = session.rows();
        let merge_marks: Vec<u8> = rows
            .marks
            .iter()
            .copied()
            .filter(|m| m & marks::CONFLICTED_MERGE != 0)
            .collect();
        assert_eq!(merge_marks.len(), 1, "v{version}");
        assert_ne!(merge_marks[0] & marks::STATE_RESET, 0);
        // A merge whose sides agree has no merge details.
        let fork_point = &events[forked_at - 1].event_id;
        assert!(session.details(fork_point).unwrap().merge.is_none());
    }
}
