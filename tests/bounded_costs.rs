//! Every cost bounded by the input: at most `MAX_EVENTS_PER_INPUT` events read from one
//! input (the rest counted and reported), at most `MAX_PROBLEMS_PER_EVENT` problems listed
//! per event and `MAX_PROBLEMS_PER_REPORT` per report, with counts of what was left out.
//! Large inputs: native only (the wasm test runs would take minutes).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::*;
use mxdag::canonical_json::{to_string, Value};
use mxdag::event::codes::{FIELD_MISSING, PROBLEMS_LEFT_OUT};
use mxdag::event::report::{MAX_PROBLEMS_PER_EVENT, MAX_PROBLEMS_PER_REPORT};
use mxdag::event::{validate_input, ValidateOptions, Verdict};
use mxdag::input::{codes as input_codes, recognise, MAX_EVENTS_PER_INPUT};
use mxdag::room_version::RoomVersion;

fn empty_pdus(n: usize) -> String {
    let pdus = vec!["{}"; n].join(",");
    format!(r#"{{"origin":"evil.test","origin_server_ts":1,"pdus":[{pdus}]}}"#)
}

#[test]
fn events_past_the_limit_are_counted_not_read() {
    let input = recognise(&empty_pdus(MAX_EVENTS_PER_INPUT + 5));
    assert_eq!(input.events.len(), MAX_EVENTS_PER_INPUT);
    assert_eq!(input.events_left_out, 5);
    let problem = input
        .problems
        .iter()
        .find(|p| p.code == input_codes::INPUT_TOO_MANY_EVENTS)
        .expect("the input says it was cut");
    assert!(problem.is_error());
    assert!(
        problem.message.contains("1000005 events"),
        "{}",
        problem.message
    );
    assert!(problem.message.contains("MAX_EVENTS_PER_INPUT"));
    // NDJSON too.
    let lines = vec!["{}"; MAX_EVENTS_PER_INPUT + 2].join("\n");
    let input = recognise(&lines);
    assert_eq!(
        (input.events.len(), input.events_left_out),
        (MAX_EVENTS_PER_INPUT, 2)
    );
    // At the limit, nothing is left out.
    let input = recognise(&empty_pdus(1000));
    assert_eq!((input.events.len(), input.events_left_out), (1000, 0));
    assert!(input.problems.is_empty(), "{:?}", input.problems);
}

#[test]
fn a_flood_of_broken_events_gives_a_bounded_report() {
    let n = 100_000;
    let text = empty_pdus(n);
    let keys = ring(&["origin.test"]);
    let report = validate_input(
        &text,
        Some(&RoomVersion::V10),
        &keys,
        &ValidateOptions::default(),
    )
    .unwrap()
    .report;
    assert_eq!(report.events.len(), n);
    assert!(report.events.iter().all(|e| e.verdict == Verdict::Dropped));
    let listed: usize = report.events.iter().map(|e| e.problems.len()).sum();
    // The budget, plus the one summary.
    assert!(listed <= MAX_PROBLEMS_PER_REPORT + 1, "{listed}");
    // `{}` misses ten fields: one problem names them all.
    let first = &report.events[0].problems;
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(
        (first[0].code, first[0].path.as_str()),
        (FIELD_MISSING, "$")
    );
    assert!(
        first[0].message.contains("`type`, `sender`"),
        "{}",
        first[0].message
    );
    let summary = report
        .events
        .iter()
        .flat_map(|e| &e.problems)
        .find(|p| p.code == PROBLEMS_LEFT_OUT)
        .expect("what was left out is counted");
    assert!(
        summary
            .message
            .contains(&format!("field_missing ×{}", n - MAX_PROBLEMS_PER_REPORT)),
        "{}",
        summary.message
    );
    // Each event is still listed with its verdict (~110 bytes for a 3-byte `{}`); before the
    // caps the report was 770 times the input.
    let json = serde_json::to_string(&report).unwrap();
    assert!(
        json.len() < 60 * text.len(),
        "{} bytes for {} of input",
        json.len(),
        text.len()
    );
}

#[test]
fn problems_of_one_event_are_capped() {
    let version = &RoomVersion::V10;
    let mut event = message(version, "floats");
    let floats: Vec<Value> = (0..1000).map(|i| Value::Float(i as f64 + 0.5)).collect();
    set(&mut event, &["content", "floats"], Value::Array(floats));
    let keys = ring(&["origin.test"]);
    let report = validate_input(
        &to_string(&event),
        Some(version),
        &keys,
        &ValidateOptions::default(),
    )
    .unwrap()
    .report;
    let problems = &report.events[0].problems;
    assert_eq!(problems.len(), MAX_PROBLEMS_PER_EVENT);
    let last = problems.last().unwrap();
    assert_eq!(last.code, PROBLEMS_LEFT_OUT);
    assert!(last.message.contains("more problems"), "{}", last.message);
    assert_eq!(report.events[0].verdict, Verdict::Dropped);
}
