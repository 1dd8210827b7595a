//! The room session: inputs of every shape taken in one pass (recognised, judged, checked
//! against their request, placed), event IDs computed by the one rule for every entry point,
//! and an answer's contract judged from its text.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::canonical_json::{self, Value};
use mxdag::crypto::signing::SigningKey;
use mxdag::dag::codes as dag_codes;
use mxdag::event::sign_event;
use mxdag::event::{codes as event_codes, Outcome, Verdict};
use mxdag::federation::{AnswerOrdering, FederationRequest};
use mxdag::input::InputShape;
use mxdag::room_version::RoomVersion;
use mxdag::session::{Ingest, RoomSession};

const ROOM: &str = "!dag:origin.test";

/// A signed event of room version `v` sent by `@a:origin.test` with `prev_events` and
/// `auth_events` given as IDs; returns (ID, JSON).
fn pdu(
    v: &str,
    event_type: &str,
    state_key: Option<&str>,
    prevs: &[&str],
    auths: &[&str],
    depth: i64,
) -> (String, String) {
    let version = RoomVersion::from_id(v).unwrap();
    let prev_list: Vec<String> = prevs.iter().map(|p| format!("\"{p}\"")).collect();
    let auth_list: Vec<String> = auths.iter().map(|p| format!("\"{p}\"")).collect();
    let state = state_key
        .map(|k| format!(r#","state_key":"{k}""#))
        .unwrap_or_default();
    let content = if event_type == "m.room.create" {
        format!(r#"{{"room_version":"{v}","creator":"@a:origin.test"}}"#)
    } else if event_type == "m.room.member" {
        r#"{"membership":"join"}"#.to_owned()
    } else {
        format!(r#"{{"body":"d{depth}","msgtype":"m.text"}}"#)
    };
    let text = format!(
        r#"{{"type":"{event_type}"{state},"sender":"@a:origin.test","room_id":"{ROOM}","content":{content},"depth":{depth},"origin_server_ts":{},"origin":"origin.test","prev_events":[{}],"auth_events":[{}],"hashes":{{}},"signatures":{{}}}}"#,
        1_700_000_000_000 + depth,
        prev_list.join(","),
        auth_list.join(",")
    );
    let mut event = canonical_json::from_str(&text).unwrap();
    let id = sign_event(
        &mut event,
        &version,
        "origin.test",
        "ed25519:k",
        &SigningKey::from_bytes(&[3; 32]),
    )
    .unwrap();
    (id.unwrap(), canonical_json::to_string(&event))
}

/// create ← join ← message in room version 10: the creator joins, then speaks (each
/// passes the authorization rules against its auth events).
fn chain_v10() -> Vec<(String, String)> {
    let create = pdu("10", "m.room.create", Some(""), &[], &[], 1);
    let join = pdu(
        "10",
        "m.room.member",
        Some("@a:origin.test"),
        &[&create.0],
        &[&create.0],
        2,
    );
    let m2 = pdu(
        "10",
        "m.room.message",
        None,
        &[&join.0],
        &[&create.0, &join.0],
        3,
    );
    vec![create, join, m2]
}

/// `json` with `key` set to `value` (as exports and the client API add keys).
fn with(json: &str, key: &str, value: Value) -> String {
    let mut event = canonical_json::from_str(json).unwrap();
    if let Value::Object(object) = &mut event {
        object.insert(key, value);
    }
    canonical_json::to_string(&event)
}

/// The signing key of [`pdu`]'s events as a trusted key line.
fn key_line() -> String {
    let key = SigningKey::from_bytes(&[3; 32]).verifying_key();
    format!(
        "origin.test ed25519:k {}",
        mxdag::crypto::encoding::base64_unpadded(key.as_bytes())
    )
}

fn take(session: &mut RoomSession, text: &str) -> mxdag::session::IngestReport {
    session.ingest(text, &Ingest::default())
}

#[test]
fn a_transaction_in_any_order_computes_ids_from_the_create_events_version() {
    let chain = chain_v10();
    let pdus: Vec<&str> = chain.iter().rev().map(|(_, json)| json.as_str()).collect();
    let text = format!(
        r#"{{"origin":"origin.test","origin_server_ts":5,"pdus":[{}]}}"#,
        pdus.join(",")
    );
    let mut session = RoomSession::new(None, None);
    let report = take(&mut session, &text);
    assert_eq!(
        (
            report.input,
            report.room_version.as_deref(),
            report.added,
            report.refused
        ),
        (InputShape::Transaction, Some("10"), 3, 0)
    );
    assert!(report.findings.is_empty(), "{:?}", report.findings);
    let dag = session.dag().unwrap();
    assert_eq!(
        dag.event_ids(&dag.forward_extremities()),
        [chain[2].0.clone()]
    );
    let order: Vec<String> = chain.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(dag.event_ids(&dag.linear_order()), order);
    assert!(
        dag.ids().hash(dag.index_of(&chain[0].0).unwrap()).is_some(),
        "v4+ IDs are kept as hashes"
    );
    // No keys were given: the events are unchecked, not invalid.
    assert_eq!(report.counts.unchecked, 3);
    assert_eq!(report.outcome, Outcome::Unchecked);
    assert_eq!(report.missing_keys.len(), 1);
}

#[test]
fn ndjson_and_get_missing_events_shapes() {
    let chain = chain_v10();
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    let ndjson: Vec<&str> = chain[1..].iter().map(|(_, j)| j.as_str()).collect();
    let report = take(&mut session, &ndjson.join("\n"));
    assert_eq!((report.input, report.added), (InputShape::Ndjson, 2));
    assert_eq!(report.events[1].label, "Line 2");
    let dag = session.dag().unwrap();
    assert_eq!(dag.event_ids(&[dag.gaps()[0].event]), [chain[0].0.clone()]);
    let outliers = Ingest {
        outliers: true,
        ..Ingest::default()
    };
    let report = session.ingest(&format!(r#"{{"events":[{}]}}"#, chain[0].1), &outliers);
    assert_eq!(
        (report.input, report.added),
        (InputShape::GetMissingEvents, 1)
    );
    let dag = session.dag().unwrap();
    assert_eq!(dag.outlier_len(), 1);
    assert!(dag.gaps()[0].held_as_outlier);
}

/// An export that adds `event_id` (and client keys) to v3+ PDUs: hashed and verified
/// without them, the written ID compared with the computed one, the chain whole.
#[test]
fn exports_with_event_id_and_client_keys_get_the_computed_ids() {
    let chain = chain_v10();
    let lines: Vec<String> = chain
        .iter()
        .map(|(id, json)| {
            let json = with(json, "event_id", Value::from(id.as_str()));
            with(&json, "age", Value::from(1234))
        })
        .collect();
    let mut session = RoomSession::new(None, None);
    let keys_report = session.add_keys(&key_line());
    assert_eq!(keys_report.keys.added, 1, "{:?}", keys_report.problems);
    let report = take(&mut session, &lines.join("\n"));
    assert_eq!(report.counts.valid, 3, "{:#?}", report.events);
    assert_eq!(report.outcome, Outcome::Valid);
    let ids: Vec<Option<&str>> = report
        .events
        .iter()
        .map(|e| e.event_id.as_deref())
        .collect();
    let expected: Vec<Option<&str>> = chain.iter().map(|(id, _)| Some(id.as_str())).collect();
    assert_eq!(ids, expected);
    let set_aside = &report.events[0].problems;
    assert!(
        set_aside
            .iter()
            .any(|p| p.code == event_codes::NON_PDU_KEYS_SET_ASIDE
                && p.message.contains("`event_id`, `age`")),
        "{set_aside:?}"
    );
    let dag = session.dag().unwrap();
    assert_eq!(dag.forward_extremities().len(), 1);
    assert!(dag.gaps().is_empty());
}

/// An event whose written ID is not its reference hash: an error naming both, held under
/// the computed ID, reported as a finding.
#[test]
fn a_written_id_that_the_content_contradicts_is_an_error_and_a_finding() {
    let chain = chain_v10();
    let lying = with(&chain[1].1, "event_id", Value::from(chain[2].0.as_str()));
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    let report = take(&mut session, &lying);
    let event = &report.events[0];
    assert_eq!(event.event_id.as_deref(), Some(chain[1].0.as_str()));
    let mismatch = event
        .problems
        .iter()
        .find(|p| p.code == event_codes::EVENT_ID_MISMATCH)
        .expect("event_id_mismatch");
    assert!(mismatch.message.contains(&chain[2].0) && mismatch.message.contains(&chain[1].0));
    assert_eq!(report.outcome, Outcome::Invalid);
    assert_eq!(
        report.findings[0].code,
        event_codes::EVENT_ID_MISMATCH,
        "{report:#?}"
    );
    let dag = session.dag().unwrap();
    assert!(dag.index_of(&chain[1].0).is_some_and(|n| dag.is_held(n)));
    assert!(dag.index_of(&chain[2].0).is_none());
}

#[test]
fn room_version_1_pairs_and_synapse_rows() {
    let create = r#"{"event_id":"$c:origin.test","type":"m.room.create","state_key":"","sender":"@a:origin.test","room_id":"!r:origin.test","content":{"creator":"@a:origin.test"},"depth":1,"origin_server_ts":1,"origin":"origin.test","prev_events":[],"auth_events":[],"hashes":{"sha256":"x"},"signatures":{}}"#;
    let message = r#"{"event_id":"$m:origin.test","type":"m.room.message","sender":"@a:origin.test","room_id":"!r:origin.test","content":{},"depth":2,"origin_server_ts":2,"prev_events":[["$c:origin.test",{"sha256":"x"}]],"auth_events":[["$c:origin.test",{"sha256":"x"}]],"hashes":{"sha256":"x"},"signatures":{}}"#;
    let row = Value::Object(
        [
            ("event_id".to_owned(), Value::from("$m:origin.test")),
            ("json".to_owned(), Value::from(message)),
        ]
        .into_iter()
        .collect(),
    );
    let mut session = RoomSession::new(None, None);
    let report = take(
        &mut session,
        &format!("{create}\n{}", canonical_json::to_string(&row)),
    );
    assert_eq!(
        (report.room_version.as_deref(), report.added, report.refused),
        (Some("1"), 2, 0),
        "{:?}",
        report.problems
    );
    assert_eq!(report.input, InputShape::SynapseEventJson);
    let dag = session.dag().unwrap();
    assert_eq!(
        dag.event_ids(&dag.linear_order()),
        ["$c:origin.test", "$m:origin.test"]
    );
}

#[test]
fn unreadable_events_are_refused_and_the_rest_kept() {
    let chain = chain_v10();
    let text = format!(
        r#"{{"origin":"o","origin_server_ts":1,"pdus":[{{"type":7}},{}]}}"#,
        chain[0].1
    );
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    let report = take(&mut session, &text);
    assert_eq!((report.added, report.refused), (1, 1));
    assert_eq!(report.events[0].verdict, Verdict::Dropped);
    assert!(!report.events[0].problems.is_empty());
}

/// PDUs taken before anyone names the room version wait for it; naming it judges them.
#[test]
fn pdus_wait_for_the_room_version() {
    let chain = chain_v10();
    let mut session = RoomSession::new(None, None);
    let report = take(&mut session, &format!("{}\n{}", chain[2].1, chain[1].1));
    assert_eq!((report.added, report.refused, report.waiting), (0, 0, 2));
    assert_eq!(report.room_version, None);
    assert_eq!(
        report.events[0].problems[0].code,
        event_codes::UNKNOWN_ROOM_VERSION
    );
    let judged = session
        .set_room_version(RoomVersion::V10)
        .expect("the waiting events are judged");
    assert_eq!((judged.added, judged.waiting), (2, 0));
    let ids: Vec<Option<&str>> = judged
        .events
        .iter()
        .map(|e| e.event_id.as_deref())
        .collect();
    assert_eq!(ids, [Some(chain[2].0.as_str()), Some(chain[1].0.as_str())]);
    assert!(session
        .details(&chain[1].0)
        .unwrap()
        .source
        .unwrap()
        .ends_with("Line 2"));
}

/// The whole room read again as another version: other IDs (v11 redacts `origin`), the
/// same sources.
#[test]
fn a_room_is_read_again_as_another_version() {
    let chain = chain_v10();
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    take(&mut session, &format!("{}\n{}", chain[1].1, chain[2].1));
    let again = session.reread(RoomVersion::V11);
    assert_eq!((again.added, again.refused), (2, 0));
    let dag = session.dag().unwrap();
    // The events' own IDs change; the IDs their prev_events name (written in v10) are gaps.
    assert!(!dag.index_of(&chain[1].0).is_some_and(|n| dag.is_held(n)));
    assert_eq!(dag.event_ids(&dag.linear_order()).len(), 2);
    assert_eq!(dag.gaps().len(), 2);
    assert_eq!(session.room_version(), Some(RoomVersion::V11));
}

/// Events dropped under a version the input did not name are read again as another: a
/// wrong choice loses nothing.
#[test]
fn events_dropped_under_a_chosen_version_are_read_again() {
    let chain = chain_v10();
    let mut session = RoomSession::new(None, RoomVersion::from_id("1"));
    let first = take(&mut session, &format!("{}\n{}", chain[1].1, chain[2].1));
    // Room version 1 wants an `event_id` in the event: both are dropped.
    assert_eq!((first.added, first.counts.dropped), (0, 2));
    let again = session.reread(RoomVersion::V10);
    assert_eq!(
        (again.added, again.refused, again.counts.dropped),
        (2, 0, 0)
    );
    let dag = session.dag().unwrap();
    assert!(dag.index_of(&chain[1].0).is_some_and(|n| dag.is_held(n)));
    assert!(dag.index_of(&chain[2].0).is_some_and(|n| dag.is_held(n)));
    // The same when the version was set for events that waited for one.
    let mut session = RoomSession::new(None, None);
    take(&mut session, &format!("{}\n{}", chain[1].1, chain[2].1));
    let judged = session.set_room_version(RoomVersion::V1).unwrap();
    assert_eq!((judged.added, judged.counts.dropped), (0, 2));
    let again = session.reread(RoomVersion::V10);
    assert_eq!((again.added, again.counts.dropped), (2, 0));
}

fn answer(
    session: &mut RoomSession,
    request: &FederationRequest,
    status: Option<u16>,
    body: &str,
) -> mxdag::federation::ContractVerdict {
    let how = Ingest {
        request: Some(request),
        status,
        ..Ingest::default()
    };
    session.ingest(body, &how).contract.unwrap().verdict
}

#[test]
fn a_backfill_answer_is_checked_from_its_text() {
    let chain = chain_v10();
    let version = RoomVersion::from_id("10");
    let request = FederationRequest::parse(
        &format!(
            "GET /_matrix/federation/v1/backfill/{ROOM}?v={}&limit=10",
            chain[2].0
        ),
        None,
    )
    .unwrap();
    let body = format!(
        r#"{{"origin":"o","origin_server_ts":1,"pdus":[{},{},{}]}}"#,
        chain[2].1, chain[1].1, chain[0].1
    );
    let verdict = answer(
        &mut RoomSession::new(None, version),
        &request,
        Some(200),
        &body,
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
    assert_eq!(verdict.ordering, AnswerOrdering::Synapse);
    let broken = answer(
        &mut RoomSession::new(None, version),
        &request,
        None,
        r#"{"pdus":[{"type":7}]}"#,
    );
    assert!(!broken.ok);
    assert!(
        broken.problems[0].path.starts_with("$.pdus[0]"),
        "{:?}",
        broken.problems
    );
    // An unreadable PDU still counts against the limit, and the readable events' problems
    // name their own index in the response.
    let limit_two = FederationRequest::parse(
        &format!(
            "GET /_matrix/federation/v1/backfill/{ROOM}?v={}&limit=2",
            chain[2].0
        ),
        None,
    )
    .unwrap();
    let body = format!(r#"{{"pdus":[{{"type":7}},{},{}]}}"#, chain[2].1, chain[2].1);
    let mixed = answer(
        &mut RoomSession::new(None, version),
        &limit_two,
        Some(200),
        &body,
    );
    let paths: Vec<(&str, &str)> = mixed
        .problems
        .iter()
        .filter(|p| p.severity == mxdag::problem::Severity::Error)
        .map(|p| (p.code, p.path.as_str()))
        .collect();
    assert!(
        paths.contains(&("contract_over_limit", "$.pdus")),
        "{paths:?}"
    );
    assert!(
        paths.contains(&("contract_duplicate_event", "$.pdus[2]")),
        "{paths:?}"
    );
    assert!(
        paths.iter().any(|(_, p)| p.starts_with("$.pdus[0]")),
        "{paths:?}"
    );
    let unsupported = answer(
        &mut RoomSession::new(None, version),
        &request,
        Some(404),
        "",
    );
    assert_eq!(
        (unsupported.ok, unsupported.problems[0].code),
        (true, "error_empty_not_found")
    );
}

/// An answer is judged against the DAG as held *before* it; its events join afterwards.
#[test]
fn an_answer_is_judged_before_its_events_join() {
    let chain = chain_v10();
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    take(&mut session, &chain[2].1);
    let request = FederationRequest::parse(
        &format!(
            "GET /_matrix/federation/v1/backfill/{ROOM}?v={}&limit=10",
            chain[1].0
        ),
        None,
    )
    .unwrap();
    let body = format!(r#"{{"pdus":[{},{}]}}"#, chain[1].1, chain[0].1);
    let verdict = answer(&mut session, &request, Some(200), &body);
    assert!(verdict.ok, "{:?}", verdict.problems);
    let dag = session.dag().unwrap();
    assert_eq!(dag.timeline_len(), 3);
    assert!(dag.gaps().is_empty());
}

/// In an answer, a v3+ PDU that names an `event_id` must name its reference hash: otherwise
/// an answer could pass an event off as another (say, as the `v` event asked for).
#[test]
fn an_answer_pdu_naming_a_wrong_event_id_breaks_the_contract() {
    let chain = chain_v10();
    let request = FederationRequest::parse(
        &format!(
            "GET /_matrix/federation/v1/backfill/{ROOM}?v={}&limit=10",
            chain[2].0
        ),
        None,
    )
    .unwrap();
    let honest = with(&chain[2].1, "event_id", Value::from(chain[2].0.as_str()));
    let verdict = answer(
        &mut RoomSession::new(None, RoomVersion::from_id("10")),
        &request,
        Some(200),
        &format!(r#"{{"pdus":[{honest}]}}"#),
    );
    assert!(verdict.ok, "{:?}", verdict.problems);
    let lying = with(&chain[1].1, "event_id", Value::from(chain[2].0.as_str()));
    let verdict = answer(
        &mut RoomSession::new(None, RoomVersion::from_id("10")),
        &request,
        Some(200),
        &format!(r#"{{"pdus":[{lying}]}}"#),
    );
    assert!(!verdict.ok);
    assert!(verdict
        .problems
        .iter()
        .any(|p| p.code == event_codes::EVENT_ID_MISMATCH && p.path == "$.pdus[0].event_id"));
}

#[test]
fn rooms_split_by_room() {
    let chain = chain_v10();
    let other = r#"{"event_id":"$o:x","room_id":"!other:x","type":"m.room.message","depth":1,"prev_events":[]}"#;
    let mut session = RoomSession::new(None, None);
    take(&mut session, &chain[0].1);
    take(&mut session, &format!("{}\n{other}", chain[1].1));
    let ids: Vec<Option<&str>> = session.dags().map(|d| d.room_id()).collect();
    assert_eq!(ids, [Some(ROOM), Some("!other:x")]);
    assert_eq!(session.dag_of(ROOM).map(|d| d.timeline_len()), Some(2));
    let details = session.details(&chain[1].0).unwrap();
    assert_eq!(details.json.as_deref(), Some(chain[1].1.as_str()));
    assert_eq!(details.prev[0].event_id, chain[0].0);
    assert!(details.source.unwrap().ends_with("Line 1"));

    // The session's room is the first seen until another is chosen: its DAG, rows and
    // records are those of the room shown.
    assert_eq!(session.dag().and_then(|d| d.room_id()), Some(ROOM));
    assert_eq!(session.rows().rows.len(), 2);
    assert!(!session.show_room("!not-held:x"), "a room not held");
    assert_eq!(session.dag().and_then(|d| d.room_id()), Some(ROOM));
    assert!(session.show_room("!other:x"));
    assert_eq!(session.dag().and_then(|d| d.room_id()), Some("!other:x"));
    assert_eq!(session.rows().rows.len(), 1);
    let dag = session.dag().unwrap();
    assert_eq!(dag.event_ids(&dag.linear_order()), ["$o:x"]);
    assert_eq!(session.held_records().iter().flatten().count(), 1);
    assert!(session.show_room(ROOM));
    assert_eq!(session.rows().rows.len(), 2);
}

#[test]
fn tab_separated_synapse_exports() {
    let create = r#"{"type":"m.room.create","state_key":"","sender":"@a:x","room_id":"!r:x","content":{"note":"a \"quoted\" word"},"depth":1,"origin_server_ts":1,"prev_events":[],"auth_events":[]}"#;
    let message = r#"{"type":"m.room.message","sender":"@a:x","room_id":"!r:x","content":{},"depth":2,"origin_server_ts":2,"prev_events":[["$c:x",{}]],"auth_events":[]}"#;
    // sqlite3 -tabs writes the JSON as is; PostgreSQL's COPY doubles its backslashes.
    let copied = create.replace('\\', "\\\\");
    let text = format!("$c:x\t!r:x\t{{}}\t{copied}\t1\n$m:x\t!r:x\t{{}}\t{message}\t1\n$bad:x\t!r:x\tno json here\n");
    let mut session = RoomSession::new(None, None);
    let report = take(&mut session, &text);
    assert_eq!(report.input, InputShape::SynapseEventJson);
    assert_eq!(
        (report.added, report.refused),
        (2, 0),
        "{:?}",
        report.problems
    );
    assert_eq!(report.problems[0].code, "row_unreadable");
    // No hashes nor signatures: drawn under the IDs the rows give, unchecked.
    assert_eq!(report.counts.unchecked, 2);
    assert!(report.events[0]
        .problems
        .iter()
        .any(|p| p.code == event_codes::CLIENT_FORMAT_EVENT));
    let dag = session.dag().unwrap();
    assert_eq!(dag.event_ids(&dag.linear_order()), ["$c:x", "$m:x"]);
}

#[test]
fn an_event_of_another_room_is_refused_in_a_fixed_room() {
    let chain = chain_v10();
    let mut session = RoomSession::new(Some("!elsewhere:x"), RoomVersion::from_id("10"));
    let report = take(&mut session, &chain[1].1);
    assert_eq!(report.refused, 1);
    assert_eq!(report.findings[0].code, dag_codes::OTHER_ROOM);
}

/// Room versions 1–10: a `state_key` over 255 bytes but not over 255 code points is an event
/// servers persist as rejected (so rooms do not break): it stays in the DAG, no gap opens.
/// From room version 11 the byte limit is strict and the event is dropped.
#[test]
fn over_long_fields_are_rejected_before_v11_and_dropped_from_it() {
    let long_key = "é".repeat(200); // 400 bytes, 200 code points
    for (v, verdict, code, placed, gaps) in [
        (
            "10",
            Verdict::Rejected,
            event_codes::FIELD_OVER_BYTE_LIMIT,
            3,
            0,
        ),
        ("11", Verdict::Dropped, event_codes::FIELD_TOO_LONG, 2, 1),
    ] {
        let create = pdu(v, "m.room.create", Some(""), &[], &[], 1);
        let state = pdu(v, "m.room.topic", Some(&long_key), &[&create.0], &[], 2);
        let child = pdu(v, "m.room.message", None, &[&state.0], &[], 3);
        let mut session = RoomSession::new(None, RoomVersion::from_id(v));
        session.add_keys(&key_line());
        let text = format!(r#"{{"events":[{},{},{}]}}"#, create.1, state.1, child.1);
        let report = take(&mut session, &text);
        let judged = &report.events[1];
        assert_eq!(judged.verdict, verdict, "v{v}: {:?}", judged.problems);
        assert!(judged
            .problems
            .iter()
            .any(|p| p.code == code && p.path == "$.state_key"));
        // Rejected, it is held and no gap opens; dropped, it leaves a gap as at a server.
        assert_eq!(report.added, placed, "v{v}");
        assert_eq!(session.dag().unwrap().gaps().len(), gaps, "v{v}");
    }
    // A field over 255 code points is dropped in every version.
    let create = pdu("10", "m.room.create", Some(""), &[], &[], 1);
    let state = pdu(
        "10",
        "m.room.topic",
        Some(&"é".repeat(300)),
        &[&create.0],
        &[],
        2,
    );
    let mut session = RoomSession::new(None, RoomVersion::from_id("10"));
    let report = take(&mut session, &state.1);
    assert_eq!(report.events[0].verdict, Verdict::Dropped);
}

/// Keys refused while adding (a key line whose key is no ed25519 public key) are in the
/// report's problems, naming the server and the key, next to the input's own.
#[test]
fn refused_keys_are_reported_with_the_input() {
    let mut session = RoomSession::new(None, None);
    let report = session.add_keys(&format!("{}\nexample.org ed25519:x notbase64", key_line()));
    assert_eq!(report.keys.added, 1);
    let codes: Vec<&str> = report.problems.iter().map(|p| p.code).collect();
    assert_eq!(codes, ["key_malformed"]);
    assert!(report.problems[0]
        .message
        .starts_with("example.org's key ed25519:x"));
    assert!(report.keys.problems.is_empty(), "one list: the report's");
}
