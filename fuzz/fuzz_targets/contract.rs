//! Request parsing and the contract check: any request line and body parse or fail cleanly;
//! a request that parses is judged against any answer (as records, as text, and through a
//! session) with a small DAG held, and its reference answer computed.
#![no_main]

mod common;

use libfuzzer_sys::arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use mxdag::dag::json::dag_event_from_json;
use mxdag::federation::backfill::BackfillOrder;
use mxdag::federation::{
    check_response, check_response_text, reference_answer, FederationRequest, ResponseBody,
};
use mxdag::session::{Ingest, RoomSession};

fuzz_target!(|data: &[u8]| {
    // Layout: request line \n body \n answer text \0 record bytes.
    let (text, records) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let text = String::from_utf8_lossy(text);
    let mut parts = text.splitn(3, '\n');
    let line = parts.next().unwrap_or("");
    let body = parts.next();
    let answer = parts.next().unwrap_or("");
    let Ok(request) = FederationRequest::parse(line, body) else {
        return;
    };
    let _ = (request.room_id(), request.limit(), request.endpoint());

    let mut u = Unstructured::new(records);
    let Ok(held) = common::dag(&mut u, 16) else {
        return;
    };
    let Ok(answered) = common::records(&mut u, 16) else {
        return;
    };
    let verdict = check_response(&held, &request, ResponseBody::Events(&answered));
    assert_eq!(verdict.ok, !verdict.problems.iter().any(|p| p.is_error()));
    for order in [BackfillOrder::Synapse, BackfillOrder::BreadthFirst] {
        let _ = reference_answer(&held, &request, order);
    }
    let status = u.arbitrary::<Option<u16>>().unwrap_or(None);
    let _ = check_response_text(&held, &request, status, answer, |v| {
        dag_event_from_json(&v).map_err(|p| vec![p])
    });

    let mut session = RoomSession::new(None, None);
    session.ingest(
        answer,
        &Ingest {
            source: line,
            request: Some(&request),
            status,
            ..Ingest::default()
        },
    );
});
