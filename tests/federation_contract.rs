//! Contract checks of walking answers against the DAG held.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use dag_support::*;
use mxdag::dag::{DagEvent, RoomDag};
use mxdag::federation::error_body::ErrorResponse;
use mxdag::federation::request::{
    BackfillRequest, ForwardsFillPath, ForwardsFillRequest, GetMissingEventsRequest,
};
use mxdag::federation::{
    check_response, codes, AnswerOrdering, ContractVerdict, FederationRequest, ResponseBody,
};
use mxdag::problem::Severity;

fn backfill_request(v: &[&str], limit: u64) -> FederationRequest {
    FederationRequest::Backfill(BackfillRequest {
        room_id: ROOM.into(),
        v: fulls(v),
        limit,
    })
}

fn gme_request(
    earliest: &[&str],
    latest: &[&str],
    limit: u64,
    min_depth: i64,
) -> FederationRequest {
    FederationRequest::GetMissingEvents(GetMissingEventsRequest {
        room_id: ROOM.into(),
        earliest_events: fulls(earliest),
        latest_events: fulls(latest),
        limit,
        min_depth,
    })
}

fn ff_request(from: &[&str], limit: u64) -> FederationRequest {
    ff_request_on(ForwardsFillPath::Stable, from, limit)
}

fn ff_request_on(path: ForwardsFillPath, from: &[&str], limit: u64) -> FederationRequest {
    FederationRequest::ForwardsFill(ForwardsFillRequest {
        room_id: ROOM.into(),
        from_event_id: fulls(from),
        limit,
        path,
    })
}

fn check(held: &RoomDag, request: &FederationRequest, answer: &[DagEvent]) -> ContractVerdict {
    check_response(held, request, ResponseBody::Events(answer))
}

/// (code, severity, path) of every problem but the ordering note.
fn found(verdict: &ContractVerdict) -> Vec<(&'static str, Severity, String)> {
    verdict
        .problems
        .iter()
        .filter(|p| p.code != codes::ORDERING)
        .map(|p| (p.code, p.severity, p.path.clone()))
        .collect()
}

#[test]
fn backfill_orders_are_all_accepted_and_told_apart() {
    let room = lopsided();
    let empty = RoomDag::new();
    let request = backfill_request(&["m"], 7);
    for (order, expected) in [
        (
            &["m", "s4", "s3", "s2", "t1", "s1", "r"][..],
            AnswerOrdering::Synapse,
        ),
        (
            &["m", "s4", "t1", "s3", "r", "s2", "s1"][..],
            AnswerOrdering::BreadthFirst,
        ),
        (
            &["m", "t1", "s4", "s3", "s2", "s1", "r"][..],
            AnswerOrdering::LocalTimeline,
        ),
        (
            &["r", "m", "t1", "s4", "s3", "s2", "s1"][..],
            AnswerOrdering::None,
        ),
    ] {
        let verdict = check(&empty, &request, &pick(&room, order));
        assert!(verdict.ok, "{order:?}: {:?}", verdict.problems);
        assert_eq!(verdict.ordering, expected, "{order:?}");
        assert_eq!(
            found(&verdict),
            [(codes::GIVEN_EVENTS, Severity::Info, "$.pdus".to_string())]
        );
    }
}

#[test]
fn backfill_non_ancestor_is_an_error_without_gaps() {
    let room = linear();
    let verdict = check(
        &dag_of(&room),
        &backfill_request(&["c"], 5),
        &pick(&room, &["c", "b", "e"]),
    );
    assert!(!verdict.ok);
    assert_eq!(verdict.problems[0].code, codes::NOT_AN_ANCESTOR);
    assert_eq!(verdict.problems[0].path, "$.pdus[2]");
    assert_eq!(
        verdict.problems[0].message,
        "Event $e:example.org should be a v event or an ancestor of one, and is not, as the answer plus the DAG held show."
    );
}

#[test]
fn backfill_across_a_gap_is_only_a_warning() {
    let room = gap_middle();
    let verdict = check(
        &RoomDag::new(),
        &backfill_request(&["e"], 5),
        &pick(&room, &["e", "d", "b"]),
    );
    assert!(verdict.ok);
    assert_eq!(
        found(&verdict)[0],
        (
            codes::ANCESTRY_UNPROVEN,
            Severity::Warning,
            "$.pdus[2]".to_string()
        )
    );
}

#[test]
fn limit_duplicates_and_room_are_errors() {
    let room = linear();
    let mut stranger = ev("x", &["e"], 6, 60);
    stranger.room_id = Some("!other:example.org".into());
    let mut answer = pick(&room, &["e", "d", "d"]);
    answer.push(stranger);
    let verdict = check(&dag_of(&room), &backfill_request(&["e"], 3), &answer);
    assert!(!verdict.ok);
    let errors: Vec<_> = verdict
        .problems
        .iter()
        .filter(|p| p.is_error())
        .map(|p| (p.code, p.path.as_str()))
        .collect();
    assert_eq!(
        errors,
        [
            (codes::DUPLICATE_EVENT, "$.pdus[2]"),
            (codes::WRONG_ROOM, "$.pdus[3].room_id"),
            (codes::OVER_LIMIT, "$.pdus"),
        ]
    );
}

#[test]
fn smaller_answers_name_the_server_cap() {
    let chain: Vec<DagEvent> = (0..130)
        .map(|i: i64| {
            let prev = format!("c{}", i.max(1) - 1);
            let prevs: Vec<&str> = if i == 0 { vec![] } else { vec![prev.as_str()] };
            ev(&format!("c{i}"), &prevs, i + 1, i * 10)
        })
        .collect();
    let held = dag_of(&chain);
    let mut answer: Vec<DagEvent> = chain.iter().rev().take(100).cloned().collect();
    let verdict = check(&held, &backfill_request(&["c129"], 500), &answer);
    assert!(verdict.ok);
    let cap = verdict
        .problems
        .iter()
        .find(|p| p.code == codes::SERVER_CAP)
        .expect("cap note");
    assert_eq!(cap.message, "The answer has 100 events for limit 500: Synapse (and Dendrite) caps this endpoint at 100; still correct.");
    answer.truncate(60);
    let verdict = check(&held, &backfill_request(&["c129"], 500), &answer);
    let short = verdict
        .problems
        .iter()
        .find(|p| p.code == codes::SHORTER_THAN_REFERENCE)
        .expect("short note");
    assert_eq!(
        short.message,
        "The answer has 60 events; a server holding the DAG known here would send 130."
    );
}

#[test]
fn get_missing_events_contract() {
    let room = partition();
    let held = dag_of(&room);
    let good = check(
        &held,
        &gme_request(&["r"], &["j"], 10, 0),
        &pick(&room, &["p1", "q1", "p2", "q2", "p3"]),
    );
    assert!(good.ok);
    assert_eq!(good.ordering, AnswerOrdering::Synapse);
    assert_eq!(found(&good), []);
    let bfs = check(
        &held,
        &gme_request(&["r"], &["j"], 10, 0),
        &pick(&room, &["p3", "q2", "p2", "q1", "p1"]),
    );
    assert_eq!(bfs.ordering, AnswerOrdering::BreadthFirst);
    let bad = check(
        &held,
        &gme_request(&["r"], &["p3"], 10, 0),
        &pick(&room, &["r", "p1", "q1", "p3"]),
    );
    assert!(!bad.ok);
    let codes_found: Vec<_> = found(&bad).into_iter().map(|(c, _, p)| (c, p)).collect();
    assert_eq!(
        codes_found,
        [
            (codes::EARLIEST_RETURNED, "$.events[0]".to_string()),
            (codes::NOT_AN_ANCESTOR, "$.events[2]".to_string()),
            (codes::LATEST_RETURNED, "$.events[3]".to_string()),
        ]
    );
    // Returning a latest event the requester holds is a warning, not a broken contract.
    let repeated = check(
        &held,
        &gme_request(&["r"], &["p3"], 10, 0),
        &pick(&room, &["p1", "p2", "p3"]),
    );
    assert!(repeated.ok);
    assert_eq!(
        found(&repeated),
        [(
            codes::LATEST_RETURNED,
            Severity::Warning,
            "$.events[2]".to_string()
        )]
    );
}

/// Synapse's walk skips only earliest_events, so a latest event that is an ancestor of
/// another latest event comes back: noted as Synapse's way, not a fault.
#[test]
fn get_missing_events_latest_event_behind_another_is_synapses_way() {
    let room = partition();
    // The requester holds r and j, whose prev_events p3 and q2 it lacks.
    let held = dag_of(&[room[0].clone(), room[6].clone()]);
    let verdict = check(
        &held,
        &gme_request(&["r"], &["j", "p3"], 10, 0),
        &pick(&room, &["p1", "q1", "p2", "q2", "p3"]),
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
    assert_eq!(
        found(&verdict),
        [(
            codes::LATEST_RETURNED,
            Severity::Info,
            "$.events[4]".to_string()
        )]
    );
}

#[test]
fn get_missing_events_min_depth_is_noted_not_failed() {
    let room = partition();
    let verdict = check(
        &dag_of(&room),
        &gme_request(&[], &["j"], 3, 3),
        &pick(&room, &["q1", "q2", "p3"]),
    );
    assert!(verdict.ok);
    let note = verdict
        .problems
        .iter()
        .find(|p| p.code == codes::BELOW_MIN_DEPTH)
        .expect("note");
    assert_eq!(
        note.message,
        "1 events lie below min_depth 3: the server ignores min_depth, as every known server does."
    );
}

#[test]
fn forwards_fill_accepts_answers_with_or_without_the_given_events() {
    let room = partition();
    let held = dag_of(&pick(&room, &["r", "p1", "q1"]));
    for answer in [&["p2", "q2", "p3", "j"][..], &["p1", "q1", "p2", "q2"][..]] {
        let verdict = check(&held, &ff_request(&["p1", "q1"], 4), &pick(&room, answer));
        assert!(verdict.ok, "{answer:?}: {:?}", verdict.problems);
        assert_eq!(verdict.ordering, AnswerOrdering::BreadthFirst);
    }
    let verdict = check(
        &dag_of(&room),
        &ff_request(&["p2"], 4),
        &pick(&room, &["p3", "q2", "j"]),
    );
    assert!(!verdict.ok);
    assert_eq!(
        found(&verdict)[0],
        (
            codes::NOT_A_SUCCESSOR,
            Severity::Error,
            "$.pdus[1]".to_string()
        )
    );
}

#[test]
fn forwards_fill_is_judged_alike_on_its_three_paths() {
    // The path a request went on (stable, the MSC's unstable form, Synapse's `unstable/`
    // form) changes nothing in the contract: a good answer and a bad one read the same, and
    // so does `404 M_UNRECOGNIZED`, read from a log line on each path.
    let room = partition();
    let cases = [
        // A good answer, and one with an event that succeeds nothing asked.
        (
            dag_of(&pick(&room, &["r", "p1", "q1"])),
            &["p1", "q1"][..],
            pick(&room, &["p2", "q2", "p3", "j"]),
        ),
        (dag_of(&room), &["p2"][..], pick(&room, &["p3", "q2", "j"])),
    ];
    let expected: Vec<ContractVerdict> = cases
        .iter()
        .map(|(held, from, answer)| check(held, &ff_request(from, 4), answer))
        .collect();
    assert!(expected[0].ok && !expected[1].ok);
    for path in ForwardsFillPath::ALL {
        for ((held, from, answer), expected) in cases.iter().zip(&expected) {
            let request = ff_request_on(path, from, 4);
            assert_eq!(&check(held, &request, answer), expected, "{path:?}");
        }
        let line = format!(
            "GET /_matrix/federation/{}/forwards_fill/%21r%3Ax?from_event_id=%24a&limit=3",
            path.prefix()
        );
        let parsed = FederationRequest::parse(&line, None).unwrap();
        let unrecognized =
            ErrorResponse::classify(Some(404), r#"{"errcode":"M_UNRECOGNIZED"}"#).unwrap();
        let verdict = check_response(&RoomDag::new(), &parsed, ResponseBody::Error(unrecognized));
        assert!(verdict.ok, "{path:?}");
        assert_eq!(
            (verdict.problems[0].code, verdict.problems[0].severity),
            (codes::ERROR_UNRECOGNIZED, Severity::Info),
            "{path:?}"
        );
    }
}

#[test]
fn forwards_fill_across_a_gap_is_only_a_warning() {
    let room = gap_middle();
    let verdict = check(
        &dag_of(&pick(&room, &["a", "b"])),
        &ff_request(&["b"], 4),
        &pick(&room, &["d", "e"]),
    );
    assert!(verdict.ok);
    assert_eq!(found(&verdict)[0].0, codes::SUCCESSION_UNPROVEN);
}

#[test]
fn error_bodies_are_understood() {
    let request = ff_request(&["a"], 10);
    let unsupported = ErrorResponse::classify(
        Some(404),
        r#"{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"#,
    )
    .unwrap();
    let verdict = check_response(&RoomDag::new(), &request, ResponseBody::Error(unsupported));
    assert!(verdict.ok);
    assert_eq!(verdict.problems[0].code, codes::ERROR_UNRECOGNIZED);
    assert_eq!(
        verdict.problems[0].message,
        "404 M_UNRECOGNIZED: the server does not implement /forwards_fill (\"Unrecognized request\"); try its other paths (MSC4000 has three: v1, org.matrix.msc4000, unstable/org.matrix.msc4000), then another server."
    );
    // Backfill is part of federation itself: not implementing it is a warning, with no
    // other path to try.
    let unsupported =
        ErrorResponse::classify(Some(404), r#"{"errcode":"M_UNRECOGNIZED"}"#).unwrap();
    let backfill = backfill_request(&["a"], 5);
    let verdict = check_response(&RoomDag::new(), &backfill, ResponseBody::Error(unsupported));
    assert_eq!(
        (verdict.problems[0].severity, verdict.problems[0].message.as_str()),
        (
            Severity::Warning,
            "404 M_UNRECOGNIZED: the server does not implement /backfill, which every federating server must; ask another server."
        )
    );
    // A success status carrying an error body is not an answer.
    let mixed =
        mxdag::federation::parse_response(Some(200), r#"{"errcode":"M_FORBIDDEN","error":"no"}"#);
    assert_eq!(
        mixed.err().map(|p| p.message),
        Some("The response has status 200, a success, but carries M_FORBIDDEN instead of the answer's events.".to_string())
    );
    let invalid = ErrorResponse::classify(
        Some(400),
        r#"{"errcode":"M_INVALID_PARAM","error":"limit"}"#,
    )
    .unwrap();
    let verdict = check_response(&RoomDag::new(), &request, ResponseBody::Error(invalid));
    assert_eq!(
        (verdict.problems[0].code, verdict.problems[0].severity),
        (codes::ERROR_INVALID_PARAM, Severity::Warning)
    );
}

#[test]
fn unknown_starting_events_leave_ancestry_unproven() {
    let room = partition();
    let verdict = check(
        &RoomDag::new(),
        &gme_request(&["r"], &["j"], 10, 0),
        &pick(&room, &["q1", "p3"]),
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
    let codes_found: Vec<_> = found(&verdict)
        .into_iter()
        .map(|(c, s, _)| (c, s))
        .collect();
    assert_eq!(
        codes_found,
        [
            (codes::ANCESTRY_UNPROVEN, Severity::Warning),
            (codes::ANCESTRY_UNPROVEN, Severity::Warning)
        ]
    );
    let verdict = check(
        &RoomDag::new(),
        &backfill_request(&["j"], 10),
        &pick(&room, &["p3", "p2"]),
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
}
