//! Adding whole inputs (transactions, `{events}`, NDJSON, Synapse rows) with event IDs
//! computed by the event module, and checking a real-format answer from its text.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::canonical_json::{self, Value};
use mxdag::crypto::signing::{sign_event, SigningKey};
use mxdag::dag::ingest::read_event;
use mxdag::dag::{codes as dag_codes, Placement, RoomDag};
use mxdag::event::input::InputShape;
use mxdag::federation::{check_response_text, AnswerOrdering, FederationRequest};
use mxdag::room_version::RoomVersion;

const ROOM: &str = "!dag:origin.test";

/// A signed event of room version `v` with `prev_events` given as IDs; returns (ID, JSON).
fn pdu(
    v: &str,
    event_type: &str,
    state_key: Option<&str>,
    prevs: &[&str],
    depth: i64,
) -> (String, String) {
    let version = RoomVersion::from_id(v).unwrap();
    let prev_list: Vec<String> = prevs.iter().map(|p| format!("\"{p}\"")).collect();
    let state = state_key
        .map(|k| format!(r#","state_key":"{k}""#))
        .unwrap_or_default();
    let content = if event_type == "m.room.create" {
        format!(r#"{{"room_version":"{v}","creator":"@a:origin.test"}}"#)
    } else {
        format!(r#"{{"body":"d{depth}","msgtype":"m.text"}}"#)
    };
    let text = format!(
        r#"{{"type":"{event_type}"{state},"sender":"@a:origin.test","room_id":"{ROOM}","content":{content},"depth":{depth},"origin_server_ts":{},"origin":"origin.test","prev_events":[{}],"auth_events":[],"hashes":{{}},"signatures":{{}}}}"#,
        1_700_000_000_000 + depth,
        prev_list.join(",")
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

/// create ← m1 ← m2 in room version 10.
fn chain_v10() -> Vec<(String, String)> {
    let create = pdu("10", "m.room.create", Some(""), &[], 1);
    let m1 = pdu("10", "m.room.message", None, &[&create.0], 2);
    let m2 = pdu("10", "m.room.message", None, &[&m1.0], 3);
    vec![create, m1, m2]
}

#[test]
fn a_transaction_in_any_order_computes_ids_from_the_create_events_version() {
    let chain = chain_v10();
    let pdus: Vec<&str> = chain.iter().rev().map(|(_, json)| json.as_str()).collect();
    let text = format!(
        r#"{{"origin":"origin.test","origin_server_ts":5,"pdus":[{}]}}"#,
        pdus.join(",")
    );
    let mut dag = RoomDag::new();
    let report = dag.add_input(&text, None, Placement::Timeline);
    assert_eq!(
        (
            report.shape,
            report.room_version.as_deref(),
            report.added,
            report.refused
        ),
        (InputShape::Transaction, Some("10"), 3, 0)
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);
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
}

#[test]
fn ndjson_and_get_missing_events_shapes() {
    let chain = chain_v10();
    let version = RoomVersion::from_id("10").unwrap();
    let mut dag = RoomDag::new();
    let ndjson: Vec<&str> = chain[1..].iter().map(|(_, j)| j.as_str()).collect();
    let report = dag.add_input(&ndjson.join("\n"), Some(&version), Placement::Timeline);
    assert_eq!((report.shape, report.added), (InputShape::Ndjson, 2));
    assert_eq!(dag.event_ids(&[dag.gaps()[0].event]), [chain[0].0.clone()]);
    let report = dag.add_input(
        &format!(r#"{{"events":[{}]}}"#, chain[0].1),
        Some(&version),
        Placement::Outlier,
    );
    assert_eq!(
        (report.shape, report.added),
        (InputShape::GetMissingEvents, 1)
    );
    assert_eq!(dag.outlier_len(), 1);
    assert!(dag.gaps()[0].held_as_outlier);
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
    let mut dag = RoomDag::new();
    let report = dag.add_input(
        &format!("{create}\n{}", canonical_json::to_string(&row)),
        None,
        Placement::Timeline,
    );
    assert_eq!(
        (report.room_version.as_deref(), report.added, report.refused),
        (Some("1"), 2, 0),
        "{:?}",
        report.problems
    );
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
    let mut dag = RoomDag::new();
    let report = dag.add_input(
        &text,
        RoomVersion::from_id("10").as_ref(),
        Placement::Timeline,
    );
    assert_eq!((report.added, report.refused), (1, 1));
    assert!(
        report.problems.iter().all(|p| p.path.starts_with("$[0]")),
        "{:?}",
        report.problems
    );
    assert!(!report.problems.is_empty());
    let no_id = read_event(canonical_json::from_str(r#"{"type":"x"}"#).unwrap(), None).unwrap_err();
    assert_eq!(no_id[0].code, dag_codes::UNREADABLE_EVENT);
}

#[test]
fn a_backfill_answer_is_checked_from_its_text() {
    let chain = chain_v10();
    let version = RoomVersion::from_id("10").unwrap();
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
    let verdict = check_response_text(&RoomDag::new(), &request, Some(200), &body, |v| {
        read_event(v, Some(&version))
    });
    assert!(verdict.ok, "{:?}", verdict.problems);
    assert_eq!(verdict.ordering, AnswerOrdering::Synapse);
    let broken = check_response_text(
        &RoomDag::new(),
        &request,
        None,
        r#"{"pdus":[{"type":7}]}"#,
        |v| read_event(v, Some(&version)),
    );
    assert!(!broken.ok);
    assert!(
        broken.problems[0].path.starts_with("$.pdus[0]"),
        "{:?}",
        broken.problems
    );
    // An unreadable PDU still counts against the limit, and the readable events' problems
    // name their own index in the response.
    let limit_one = FederationRequest::parse(
        &format!(
            "GET /_matrix/federation/v1/backfill/{ROOM}?v={}&limit=2",
            chain[2].0
        ),
        None,
    )
    .unwrap();
    let body = format!(r#"{{"pdus":[{{"type":7}},{},{}]}}"#, chain[2].1, chain[2].1);
    let mixed = check_response_text(&RoomDag::new(), &limit_one, Some(200), &body, |v| {
        read_event(v, Some(&version))
    });
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
    let unsupported = check_response_text(&RoomDag::new(), &request, Some(404), "", |v| {
        read_event(v, Some(&version))
    });
    assert_eq!(
        (unsupported.ok, unsupported.problems[0].code),
        (true, "error_empty_not_found")
    );
}

#[test]
fn rooms_split_by_room_and_events_are_picked_back() {
    let chain = chain_v10();
    let other = r#"{"event_id":"$o:x","room_id":"!other:x","type":"m.room.message","depth":1,"prev_events":[]}"#;
    let texts = [chain[0].1.clone(), format!("{}\n{other}", chain[1].1)];
    let version = mxdag::dag::ingest::room_version_of_inputs(texts.iter().map(String::as_str));
    assert_eq!(version.map(|v| v.id), Some("10"));
    let mut rooms = mxdag::dag::ingest::Rooms::new();
    for t in &texts {
        rooms.add_input(t, version.as_ref(), Placement::Timeline);
    }
    let ids: Vec<Option<&str>> = rooms.dags.iter().map(|d| d.room_id()).collect();
    assert_eq!(ids, [Some(ROOM), Some("!other:x")]);
    assert_eq!(rooms.room(ROOM).map(RoomDag::timeline_len), Some(2));
    let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
    let wanted = [chain[1].0.clone(), "$nope".to_owned(), chain[0].0.clone()];
    let picked = mxdag::dag::ingest::pick_events(&texts, version.as_ref(), &wanted);
    assert_eq!(picked, [chain[1].1.clone(), chain[0].1.clone()]);
}

#[test]
fn tab_separated_synapse_exports() {
    let create = r#"{"type":"m.room.create","state_key":"","sender":"@a:x","room_id":"!r:x","content":{"note":"a \"quoted\" word"},"depth":1,"origin_server_ts":1,"prev_events":[],"auth_events":[]}"#;
    let message = r#"{"type":"m.room.message","sender":"@a:x","room_id":"!r:x","content":{},"depth":2,"origin_server_ts":2,"prev_events":[["$c:x",{}]],"auth_events":[]}"#;
    // sqlite3 -tabs writes the JSON as is; PostgreSQL's COPY doubles its backslashes.
    let copied = create.replace('\\', "\\\\");
    let text = format!("$c:x\t!r:x\t{{}}\t{copied}\t1\n$m:x\t!r:x\t{{}}\t{message}\t1\n$bad:x\t!r:x\tno json here\n");
    let mut dag = RoomDag::new();
    let report = dag.add_input(&text, None, Placement::Timeline);
    assert_eq!(
        (report.added, report.refused),
        (2, 1),
        "{:?}",
        report.problems
    );
    assert_eq!(report.problems[0].code, dag_codes::UNREADABLE_EVENT);
    assert_eq!(report.problems[0].path, "$[2].json");
    assert_eq!(dag.event_ids(&dag.linear_order()), ["$c:x", "$m:x"]);
}

/// In an answer, a v3+ PDU that names an `event_id` must name its reference hash: otherwise
/// an answer could pass an event off as another (say, as the `v` event asked for).
#[test]
fn an_answer_pdu_naming_a_wrong_event_id_is_refused() {
    use mxdag::dag::ingest::read_answer_event;
    let chain = chain_v10();
    let version = RoomVersion::from_id("10").unwrap();
    let with_id = |json: &str, id: &str| {
        let mut value = canonical_json::from_str(json).unwrap();
        if let Value::Object(object) = &mut value {
            object.insert("event_id", Value::from(id));
        }
        value
    };
    // Naming its own ID is accepted (some servers add it).
    let honest = read_answer_event(with_id(&chain[1].1, &chain[1].0), Some(&version)).unwrap();
    assert_eq!(honest.event_id, chain[1].0);
    // Naming another event's ID is refused, naming both IDs.
    let lying = read_answer_event(with_id(&chain[1].1, &chain[2].0), Some(&version)).unwrap_err();
    assert_eq!(lying[0].code, dag_codes::EVENT_ID_MISMATCH);
    assert_eq!(
        lying[0].message,
        format!(
            "The event names itself {}, but its reference hash makes it {}.",
            chain[2].0, chain[1].0
        )
    );
    // read_event, for exports, keeps the ID it is given.
    let export = read_event(with_id(&chain[1].1, &chain[2].0), Some(&version)).unwrap();
    assert_eq!(export.event_id, chain[2].0);
}
