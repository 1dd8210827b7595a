//! Reading walking requests from log lines, and classifying error bodies.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::federation::codes;
use mxdag::federation::error_body::{ErrorKind, ErrorResponse};
use mxdag::federation::request::{
    BackfillRequest, ForwardsFillPath, ForwardsFillRequest, GetMissingEventsRequest,
};
use mxdag::federation::FederationRequest;
use mxdag::planner::{PlannedRequest, Probe};

#[test]
fn backfill_from_a_log_line() {
    let line = r#""GET https://hs.example:8448/_matrix/federation/v1/backfill/%21room%3Aexample.org?v=%24a%3Aexample.org&v=$AbC+/x&limit=10 HTTP/1.1""#;
    let expected = FederationRequest::Backfill(BackfillRequest {
        room_id: "!room:example.org".into(),
        v: vec!["$a:example.org".into(), "$AbC+/x".into()],
        limit: 10,
    });
    assert_eq!(FederationRequest::parse(line, None), Ok(expected));
}

#[test]
fn get_missing_events_with_body_and_defaults() {
    let body = r#"{"earliest_events":["$e"],"latest_events":["$l1","$l2"]}"#;
    let parsed = FederationRequest::parse(
        "POST /_matrix/federation/v1/get_missing_events/!r:x",
        Some(body),
    )
    .unwrap();
    assert_eq!(
        parsed,
        FederationRequest::GetMissingEvents(GetMissingEventsRequest {
            room_id: "!r:x".into(),
            earliest_events: vec!["$e".into()],
            latest_events: vec!["$l1".into(), "$l2".into()],
            limit: 10,
            min_depth: 0,
        })
    );
    let no_body =
        FederationRequest::parse("POST /_matrix/federation/v1/get_missing_events/!r:x", None)
            .unwrap_err();
    assert_eq!(no_body.code, codes::REQUEST_BAD_PARAM);
    let bad = FederationRequest::parse(
        "POST /_matrix/federation/v1/get_missing_events/!r:x",
        Some(r#"{"latest_events":[]}"#),
    );
    assert_eq!(
        bad.unwrap_err().message,
        "The get_missing_events body needs earliest_events as an array of event IDs."
    );
}

#[test]
fn forwards_fill_on_each_of_its_three_paths() {
    for (prefix, path) in [
        ("v1", ForwardsFillPath::Stable),
        ("org.matrix.msc4000", ForwardsFillPath::Msc4000),
        (
            "unstable/org.matrix.msc4000",
            ForwardsFillPath::UnstableMsc4000,
        ),
    ] {
        let line = format!(
            "GET /_matrix/federation/{prefix}/forwards_fill/!r:x?from_event_id=%24a&limit=5"
        );
        let parsed = FederationRequest::parse(&line, None).unwrap();
        assert_eq!(
            parsed,
            FederationRequest::ForwardsFill(ForwardsFillRequest {
                room_id: "!r:x".into(),
                from_event_id: vec!["$a".into()],
                limit: 5,
                path,
            })
        );
        assert_eq!(
            (parsed.endpoint(), parsed.limit(), parsed.room_id()),
            ("forwards_fill", 5, "!r:x")
        );
        assert_eq!(path.prefix(), prefix);
        assert_eq!(path.is_unstable(), prefix != "v1");
    }
}

#[test]
fn forwards_fill_paths_go_on_the_wire_as_parsed() {
    // What the planner sends on each path is read back as the same request, path included.
    assert_eq!(
        ForwardsFillPath::ALL,
        [
            ForwardsFillPath::Stable,
            ForwardsFillPath::Msc4000,
            ForwardsFillPath::UnstableMsc4000
        ]
    );
    let mut lines = Vec::new();
    for path in ForwardsFillPath::ALL {
        let request = FederationRequest::ForwardsFill(ForwardsFillRequest {
            room_id: "!r:x".into(),
            from_event_id: vec!["$a/b+c".into(), "$d".into()],
            limit: 7,
            path,
        });
        let planned = PlannedRequest {
            server: "hs.example".into(),
            server_index: 0,
            request: request.clone(),
            gaps: Vec::new(),
            probe: Probe::FromBelow,
            from: Vec::new(),
        };
        assert_eq!(FederationRequest::parse(&planned.line(), None), Ok(request));
        lines.push(planned.line());
    }
    assert_eq!(
        lines,
        [
            "GET /_matrix/federation/v1/forwards_fill/%21r%3Ax?from_event_id=%24a%2Fb%2Bc&from_event_id=%24d&limit=7",
            "GET /_matrix/federation/org.matrix.msc4000/forwards_fill/%21r%3Ax?from_event_id=%24a%2Fb%2Bc&from_event_id=%24d&limit=7",
            "GET /_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/%21r%3Ax?from_event_id=%24a%2Fb%2Bc&from_event_id=%24d&limit=7",
        ]
    );
}

#[test]
fn other_forwards_fill_prefixes_are_unknown() {
    for line in [
        "GET /_matrix/federation/v2/forwards_fill/!r:x?from_event_id=%24a&limit=5",
        "GET /_matrix/federation/unstable/forwards_fill/!r:x?from_event_id=%24a&limit=5",
        "GET /_matrix/federation/unstable/org.matrix.msc4000/v1/forwards_fill/!r:x?from_event_id=%24a&limit=5",
    ] {
        let problem = FederationRequest::parse(line, None).unwrap_err();
        assert_eq!(problem.code, codes::REQUEST_UNKNOWN_ENDPOINT, "{line}");
    }
}

#[test]
fn bad_requests_name_the_problem() {
    let cases = [
        ("GET /_matrix/federation/v1/backfill/!r:x?v=$a", codes::REQUEST_BAD_PARAM, "The query has no limit parameter; it is required."),
        ("GET /_matrix/federation/v1/backfill/!r:x?v=$a&limit=-1", codes::REQUEST_BAD_PARAM, "limit=-1 is not a non-negative integer."),
        ("GET /_matrix/federation/v1/backfill/!r:x?limit=3", codes::REQUEST_BAD_PARAM, "The query has no v parameter; at least one is required."),
        ("GET /_matrix/federation/v1/state/!r:x", codes::REQUEST_UNKNOWN_ENDPOINT, "/_matrix/federation/v1/state/!r:x is not /backfill, /get_missing_events, MSC4000 /forwards_fill, /timestamp_to_event nor MSC4370 /extremities."),
        ("GET /_matrix/federation/v1/backfill/!r:x?v=%2&limit=1", codes::REQUEST_UNPARSABLE, "Bad percent-escape at byte 0 of \"%2\"."),
        ("GET /_matrix/federation/v1/backfill/!r:x?v=%ff&limit=1", codes::REQUEST_UNPARSABLE, "\"%ff\" does not decode to UTF-8."),
        ("hello", codes::REQUEST_UNPARSABLE, "No /_matrix/federation/ path in \"hello\"."),
    ];
    for (line, code, message) in cases {
        let problem = FederationRequest::parse(line, None).unwrap_err();
        assert_eq!(
            (problem.code, problem.message.as_str()),
            (code, message),
            "{line}"
        );
    }
}

#[test]
fn error_bodies_are_classified() {
    let kind = |status, body: &str| ErrorResponse::classify(status, body).map(|e| e.kind);
    assert_eq!(
        kind(
            Some(404),
            r#"{"errcode":"M_UNRECOGNIZED","error":"Unrecognized request"}"#
        ),
        Some(ErrorKind::Unrecognized)
    );
    assert_eq!(
        kind(None, r#"{"errcode":"M_UNRECOGNIZED"}"#),
        Some(ErrorKind::Unrecognized)
    );
    assert_eq!(
        kind(Some(400), r#"{"errcode":"M_INVALID_PARAM"}"#),
        Some(ErrorKind::InvalidParam)
    );
    assert_eq!(kind(Some(400), "Bad Request"), Some(ErrorKind::NoErrcode));
    assert_eq!(
        kind(Some(400), r#"{"error":"no"}"#),
        Some(ErrorKind::NoErrcode)
    );
    assert_eq!(kind(Some(404), ""), Some(ErrorKind::EmptyNotFound));
    assert_eq!(
        kind(Some(403), r#"{"errcode":"M_FORBIDDEN"}"#),
        Some(ErrorKind::Other("M_FORBIDDEN".into()))
    );
    assert_eq!(kind(Some(200), r#"{"pdus":[]}"#), None);
    assert_eq!(kind(None, ""), None);
}
