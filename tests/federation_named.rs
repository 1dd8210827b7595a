//! `/timestamp_to_event` and MSC4370 `/extremities`: reading their request lines, the
//! reference answers and the contract checks of answers that name events.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use dag_support::*;
use mxdag::dag::RoomDag;
use mxdag::federation::backfill::BackfillOrder;
use mxdag::federation::request::{
    Direction, ExtremitiesRequest, TimestampToEventPath, TimestampToEventRequest,
};
use mxdag::federation::{
    check_named_text, codes, reference_answer, ContractVerdict, FederationRequest,
};
use mxdag::planner::{PlannedRequest, Probe};
use mxdag::problem::Severity;

fn ts_request(ts: i64, dir: Direction) -> FederationRequest {
    FederationRequest::TimestampToEvent(TimestampToEventRequest {
        room_id: ROOM.into(),
        ts,
        dir,
        path: TimestampToEventPath::Stable,
    })
}

fn extremities_request() -> FederationRequest {
    FederationRequest::Extremities(ExtremitiesRequest {
        room_id: ROOM.into(),
    })
}

fn ts_answer(name: &str, ts: i64) -> String {
    format!(r#"{{"event_id":"{}","origin_server_ts":{ts}}}"#, full(name))
}

fn extremities_answer(names: &[&str]) -> String {
    serde_json::json!({ "prev_events": fulls(names) }).to_string()
}

/// (code, severity, path) of every problem.
fn found(verdict: &ContractVerdict) -> Vec<(&'static str, Severity, String)> {
    verdict
        .problems
        .iter()
        .map(|p| (p.code, p.severity, p.path.clone()))
        .collect()
}

fn reference(dag: &RoomDag, request: &FederationRequest) -> Vec<String> {
    names(dag, &reference_answer(dag, request, BackfillOrder::Synapse))
}

#[test]
fn requests_from_log_lines() {
    let stable = "GET https://hs.example/_matrix/federation/v1/timestamp_to_event/%21room%3Aexample.org?ts=1700000000000&dir=b HTTP/1.1";
    assert_eq!(
        FederationRequest::parse(stable, None),
        Ok(FederationRequest::TimestampToEvent(
            TimestampToEventRequest {
                room_id: ROOM.into(),
                ts: 1_700_000_000_000,
                dir: Direction::Backwards,
                path: TimestampToEventPath::Stable,
            }
        ))
    );
    let unstable = "GET /_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/!room:example.org?dir=f&ts=5";
    let parsed = FederationRequest::parse(unstable, None).unwrap();
    assert_eq!(
        parsed,
        FederationRequest::TimestampToEvent(TimestampToEventRequest {
            room_id: ROOM.into(),
            ts: 5,
            dir: Direction::Forwards,
            path: TimestampToEventPath::UnstableMsc3030,
        })
    );
    assert!(parsed.is_optional() && parsed.names_events());
    let extremities =
        "GET /_matrix/federation/unstable/org.matrix.msc4370/extremities/%21room%3Aexample.org";
    let parsed = FederationRequest::parse(extremities, None).unwrap();
    assert_eq!(parsed, extremities_request());
    assert_eq!(parsed.endpoint(), "extremities");
    assert!(parsed.is_optional() && parsed.names_events());
    assert!(!ts_request(1, Direction::Forwards).is_optional());
}

#[test]
fn bad_timestamp_to_event_parameters_are_named() {
    for (query, needle) in [
        ("dir=f", "no ts parameter"),
        ("ts=10", "no dir parameter"),
        ("ts=soon&dir=f", "ts=soon is not an integer"),
        ("ts=10&dir=x", "dir=x is neither f nor b"),
    ] {
        let line = format!("GET /_matrix/federation/v1/timestamp_to_event/!r:x?{query}");
        let problem = FederationRequest::parse(&line, None).unwrap_err();
        assert_eq!(problem.code, codes::REQUEST_BAD_PARAM, "{query}");
        assert!(
            problem.message.contains(needle),
            "{query}: {}",
            problem.message
        );
    }
}

#[test]
fn planned_lines_read_back() {
    for request in [
        ts_request(-3, Direction::Backwards),
        FederationRequest::TimestampToEvent(TimestampToEventRequest {
            room_id: ROOM.into(),
            ts: 42,
            dir: Direction::Forwards,
            path: TimestampToEventPath::UnstableMsc3030,
        }),
        extremities_request(),
    ] {
        let planned = PlannedRequest {
            server: "hs.example".into(),
            server_index: 0,
            request: request.clone(),
            gaps: Vec::new(),
            probe: Probe::FromBelow,
            from: Vec::new(),
        };
        assert_eq!(planned.method(), "GET");
        assert_eq!(FederationRequest::parse(&planned.line(), None), Ok(request));
    }
}

#[test]
fn reference_answers_follow_synapse() {
    // a 10, b 20, c 21 (fork), m 30, n 40.
    let dag = dag_of(&merge());
    assert_eq!(reference(&dag, &ts_request(20, Direction::Forwards)), ["b"]);
    assert_eq!(
        reference(&dag, &ts_request(20, Direction::Backwards)),
        ["b"]
    );
    assert_eq!(
        reference(&dag, &ts_request(25, Direction::Backwards)),
        ["c"]
    );
    assert_eq!(reference(&dag, &ts_request(25, Direction::Forwards)), ["m"]);
    assert_eq!(
        reference(&dag, &ts_request(41, Direction::Forwards)),
        Vec::<String>::new()
    );
    assert_eq!(
        reference(&dag, &ts_request(9, Direction::Backwards)),
        Vec::<String>::new()
    );
    // Same timestamp: the deeper event going back, the shallower going forward.
    let tied = dag_of(&[ev("a", &[], 1, 10), ev("b", &["a"], 2, 10)]);
    assert_eq!(
        reference(&tied, &ts_request(10, Direction::Backwards)),
        ["b"]
    );
    assert_eq!(
        reference(&tied, &ts_request(10, Direction::Forwards)),
        ["a"]
    );
    assert_eq!(
        reference(&dag_of(&fork()), &extremities_request()),
        ["c", "d"]
    );
}

#[test]
fn right_timestamp_answer_is_clean() {
    let dag = dag_of(&linear());
    for (ts, dir, name, at) in [
        (25, Direction::Forwards, "c", 30),
        (25, Direction::Backwards, "b", 20),
        (30, Direction::Forwards, "c", 30),
    ] {
        let verdict = check_named_text(&dag, &ts_request(ts, dir), Some(200), &ts_answer(name, at));
        assert!(verdict.ok, "{ts} {dir:?}: {:?}", verdict.problems);
        assert!(verdict.problems.is_empty(), "{:?}", verdict.problems);
    }
}

#[test]
fn wrong_side_of_ts_is_an_error_even_unheld() {
    let verdict = check_named_text(
        &RoomDag::new(),
        &ts_request(25, Direction::Forwards),
        Some(200),
        &ts_answer("b", 20),
    );
    assert!(!verdict.ok);
    assert_eq!(
        found(&verdict),
        [
            (
                codes::WRONG_SIDE_OF_TS,
                Severity::Error,
                "$.origin_server_ts".into()
            ),
            (codes::EVENT_NOT_HELD, Severity::Info, "$.event_id".into()),
        ]
    );
    assert_eq!(
        verdict.problems[0].message,
        "Event $b:example.org has origin_server_ts 20, but dir=f asks for an event at or after ts 25."
    );
}

#[test]
fn timestamp_that_differs_from_the_held_event_is_an_error() {
    let verdict = check_named_text(
        &dag_of(&linear()),
        &ts_request(25, Direction::Forwards),
        Some(200),
        &ts_answer("c", 31),
    );
    assert!(!verdict.ok);
    assert_eq!(
        found(&verdict),
        [(
            codes::TS_MISMATCH,
            Severity::Error,
            "$.origin_server_ts".into()
        )]
    );
}

#[test]
fn unknown_event_is_noted_to_be_fetched() {
    let verdict = check_named_text(
        &dag_of(&linear()),
        &ts_request(55, Direction::Forwards),
        Some(200),
        &ts_answer("zzz", 60),
    );
    assert!(verdict.ok);
    assert_eq!(
        found(&verdict),
        [(codes::EVENT_NOT_HELD, Severity::Info, "$.event_id".into())]
    );
}

#[test]
fn a_closer_held_event_is_a_warning() {
    // Going back from 45, d (40) is held and closer than b (20).
    let verdict = check_named_text(
        &dag_of(&linear()),
        &ts_request(45, Direction::Backwards),
        Some(200),
        &ts_answer("b", 20),
    );
    assert!(verdict.ok);
    assert_eq!(
        found(&verdict),
        [(codes::NOT_NEAREST, Severity::Warning, "$.event_id".into())]
    );
    assert!(verdict.problems[0].message.contains("$d:example.org"));
}

#[test]
fn not_found_is_judged_against_the_dag_held() {
    let not_found = r#"{"errcode":"M_NOT_FOUND","error":"Unable to find event"}"#;
    let dag = dag_of(&linear());
    let none_after = check_named_text(
        &dag,
        &ts_request(51, Direction::Forwards),
        Some(404),
        not_found,
    );
    assert_eq!(
        found(&none_after),
        [(codes::NO_EVENT_FOUND, Severity::Info, "$".into())]
    );
    let one_after = check_named_text(
        &dag,
        &ts_request(45, Direction::Forwards),
        Some(404),
        not_found,
    );
    assert_eq!(
        found(&one_after),
        [(codes::NO_EVENT_FOUND, Severity::Warning, "$".into())]
    );
    assert!(one_after.problems[0].message.contains("$e:example.org"));
}

#[test]
fn bad_shapes_are_named() {
    let dag = RoomDag::new();
    let ts = ts_request(1, Direction::Forwards);
    for (request, body, path) in [
        (&ts, r#"{"origin_server_ts":5}"#, "$.event_id"),
        (
            &ts,
            r#"{"event_id":"$x","origin_server_ts":"5"}"#,
            "$.origin_server_ts",
        ),
        (&ts, r#"["$x"]"#, "$"),
        (&ts, "not json", "$"),
        (&extremities_request(), r#"{"pdus":[]}"#, "$.prev_events"),
        (
            &extremities_request(),
            r#"{"prev_events":["$a",7]}"#,
            "$.prev_events[1]",
        ),
    ] {
        let verdict = check_named_text(&dag, request, Some(200), body);
        assert!(!verdict.ok, "{body}");
        assert_eq!(
            found(&verdict),
            [(codes::RESPONSE_SHAPE, Severity::Error, path.to_string())],
            "{body}"
        );
    }
}

#[test]
fn unrecognized_is_information_for_the_msc() {
    let body = r#"{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"#;
    let verdict = check_named_text(&RoomDag::new(), &extremities_request(), Some(404), body);
    assert!(verdict.ok);
    assert_eq!(
        found(&verdict),
        [(codes::ERROR_UNRECOGNIZED, Severity::Info, "$".into())]
    );
    // The stable /timestamp_to_event is in the spec: a server without it is worth a warning.
    let stable = check_named_text(
        &RoomDag::new(),
        &ts_request(1, Direction::Forwards),
        Some(404),
        body,
    );
    assert_eq!(found(&stable)[0].1, Severity::Warning);
}

#[test]
fn right_extremities_are_clean() {
    let dag = dag_of(&fork());
    let verdict = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&["d", "c"]),
    );
    assert!(verdict.ok);
    assert!(verdict.problems.is_empty(), "{:?}", verdict.problems);
}

#[test]
fn non_extremity_is_an_error_in_a_complete_dag() {
    let dag = dag_of(&fork());
    let verdict = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&["d", "b"]),
    );
    assert!(!verdict.ok);
    assert_eq!(
        found(&verdict),
        [
            (
                codes::NOT_AN_EXTREMITY,
                Severity::Error,
                "$.prev_events[1]".into()
            ),
            (
                codes::EXTREMITY_NOT_NAMED,
                Severity::Info,
                "$.prev_events".into()
            ),
        ]
    );
    assert_eq!(
        verdict.problems[0].message,
        "Event $b:example.org is not a forward extremity: held event $d:example.org lists it in prev_events, and the DAG held has no gap."
    );
    assert!(verdict.problems[1].message.contains("$c:example.org"));
}

#[test]
fn non_extremity_is_a_warning_across_a_gap() {
    let dag = dag_of(&gap_middle());
    let verdict = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&["d"]),
    );
    assert!(verdict.ok);
    assert_eq!(
        found(&verdict),
        [
            (
                codes::EXTREMITY_UNPROVEN,
                Severity::Warning,
                "$.prev_events[0]".into()
            ),
            (
                codes::EXTREMITY_NOT_NAMED,
                Severity::Info,
                "$.prev_events".into()
            ),
        ]
    );
}

#[test]
fn unknown_empty_and_repeated_extremities() {
    let dag = dag_of(&linear());
    let unknown = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&["e", "f"]),
    );
    assert!(unknown.ok);
    assert_eq!(
        found(&unknown),
        [(
            codes::EVENT_NOT_HELD,
            Severity::Info,
            "$.prev_events".into()
        )]
    );
    assert!(unknown.problems[0]
        .message
        .contains("1 of the 2 events named"));
    let empty = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&[]),
    );
    assert_eq!(
        found(&empty),
        [(
            codes::NO_EXTREMITIES,
            Severity::Error,
            "$.prev_events".into()
        )]
    );
    let twice = check_named_text(
        &dag,
        &extremities_request(),
        Some(200),
        &extremities_answer(&["e", "e"]),
    );
    assert_eq!(
        found(&twice),
        [(
            codes::DUPLICATE_EVENT,
            Severity::Error,
            "$.prev_events[1]".into()
        )]
    );
}

#[test]
fn a_body_of_the_other_kind_is_a_shape_error() {
    use mxdag::federation::{check_response, ResponseBody};
    let events = pick(&linear(), &["e"]);
    let pdus = check_response(
        &RoomDag::new(),
        &extremities_request(),
        ResponseBody::Events(&events),
    );
    assert_eq!(
        pdus.problems[0].message,
        "/extremities answers with event IDs, not with PDUs."
    );
    let body = serde_json::json!({ "prev_events": [] });
    let named = check_response(
        &RoomDag::new(),
        &FederationRequest::parse(
            "GET /_matrix/federation/v1/backfill/!r:x?v=$a&limit=2",
            None,
        )
        .unwrap(),
        ResponseBody::Named(&body),
    );
    assert_eq!(
        named.problems[0].message,
        "/backfill answers with PDUs, not with event IDs."
    );
    assert!(!pdus.ok && !named.ok);
}

#[test]
fn a_session_checks_named_answers_without_taking_events() {
    use mxdag::input::InputShape;
    use mxdag::session::{Ingest, RoomSession};
    let mut session = RoomSession::new(Some(ROOM), None);
    let request = extremities_request();
    let how = |status| Ingest {
        source: "extremities",
        request: Some(&request),
        status: Some(status),
        ..Ingest::default()
    };
    // `{prev_events}` would read as an event; as this answer it names events and adds none.
    let report = session.ingest(&extremities_answer(&["a"]), &how(200));
    assert_eq!(
        (report.input, report.added, report.counts.total),
        (InputShape::EventIds, 0, 0)
    );
    let contract = report.contract.expect("the contract of the answer");
    assert_eq!(contract.endpoint, "extremities");
    assert!(contract.verdict.ok);
    assert_eq!(contract.verdict.problems[0].code, codes::EVENT_NOT_HELD);
    let refused = session.ingest(r#"{"errcode":"M_UNRECOGNIZED","error":"no"}"#, &how(404));
    assert_eq!(refused.input, InputShape::ErrorResponse);
    assert_eq!(
        refused.contract.unwrap().verdict.problems[0].code,
        codes::ERROR_UNRECOGNIZED
    );
}
