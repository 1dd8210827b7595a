//! Inputs nobody here made (tests/fixtures/): a real Synapse's client-API answers, database
//! exports and key tables, and a scenario in tardis's format — judged and drawn right: the
//! event IDs Synapse stored, valid with the database's keys or trusted ones, one forward
//! extremity and no false gap in a linear room.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::BTreeSet;

use mxdag::event::{codes as event_codes, Outcome, Verdict};
use mxdag::input::keys::TrustSource;
use mxdag::input::{holds_only_keys, recognise, InputShape};
use mxdag::session::{Ingest, IngestReport, RoomSession};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("fixtures/synapse/", $name))
    };
}

const KEYS_JSON: &str = fixture!("B.server_keys_json.json");
const SIGNATURE_KEYS: &str = fixture!("B.server_signature_keys.json");
const EVENT_JSON: &str = fixture!("event_json.sqlite-json.json");
const CONTEXT: &str = fixture!("context.json");
const ELEMENT_EXPORT: &str = fixture!("element-export.json");
const EXPORT_WITH_ID: &str = fixture!("export-with-event-id.ndjson");

/// The exports of the linear room that hold PDUs, with the shape each is.
const PDU_EXPORTS: [(&str, &str, InputShape); 6] = [
    (
        "messages",
        fixture!("messages-federation.json"),
        InputShape::ClientMessages,
    ),
    (
        "admin messages",
        fixture!("admin-messages-federation.json"),
        InputShape::ClientMessages,
    ),
    (
        "sync",
        fixture!("sync-federation.json"),
        InputShape::ClientSync,
    ),
    ("export with event_id", EXPORT_WITH_ID, InputShape::Ndjson),
    ("sqlite3 -json", EVENT_JSON, InputShape::SynapseEventJson),
    (
        "sqlite3 -tabs",
        fixture!("event_json.sqlite-tabs.tsv"),
        InputShape::SynapseEventJson,
    ),
];

/// The event IDs Synapse stored (its event_json table's `event_id` column).
fn synapse_ids() -> BTreeSet<String> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(EVENT_JSON).unwrap();
    rows.iter()
        .map(|r| r["event_id"].as_str().unwrap().to_owned())
        .collect()
}

fn take(session: &mut RoomSession, text: &str) -> IngestReport {
    session.ingest(text, &Ingest::default())
}

fn ids_of(report: &IngestReport) -> BTreeSet<String> {
    report
        .events
        .iter()
        .filter_map(|e| e.event_id.clone())
        .collect()
}

#[test]
fn every_export_of_the_linear_room_has_synapses_ids_and_validates_with_its_keys() {
    for (name, text, shape) in PDU_EXPORTS {
        let mut session = RoomSession::new(None, None);
        let keys = session.add_keys(KEYS_JSON);
        assert_eq!(
            (keys.keys.added, keys.problems.len()),
            (1, 0),
            "{name}: {:?}",
            keys.problems
        );
        let report = take(&mut session, text);
        assert_eq!(report.input, shape, "{name}");
        assert_eq!(report.room_version.as_deref(), Some("10"), "{name}");
        assert_eq!(
            ids_of(&report),
            synapse_ids(),
            "{name}: Synapse's event IDs"
        );
        assert_eq!(
            report.counts.valid, report.counts.total,
            "{name}: {:#?}",
            report.events
        );
        assert_eq!(report.outcome, Outcome::Valid, "{name}");
        // Every event of the real room passes the authorization rules (check 4).
        assert_eq!(
            (
                report.auth.allowed,
                report.auth.rejected,
                report.auth.unknown
            ),
            (report.counts.total, 0, 0),
            "{name}"
        );
        let dag = session.dag().unwrap();
        assert_eq!(dag.forward_extremities().len(), 1, "{name}: a linear room");
        assert!(dag.gaps().is_empty(), "{name}: no false gap");
        assert_eq!(dag.timeline_len(), 18, "{name}");
    }
}

#[test]
fn the_key_tables_and_trusted_keys_are_key_inputs() {
    for text in [
        KEYS_JSON,
        SIGNATURE_KEYS,
        fixture!("trusted_key_servers.yaml"),
    ] {
        assert!(text.starts_with('#') || holds_only_keys(text), "{text}");
    }
    assert!(!holds_only_keys(EVENT_JSON) && !holds_only_keys(EXPORT_WITH_ID));
    assert_eq!(recognise(KEYS_JSON).shape(), InputShape::ServerKeys);
    assert_eq!(recognise(SIGNATURE_KEYS).shape(), InputShape::SynapseKeys);
    // The database's own record of verified keys, and the same key as trusted_key_servers
    // (the YAML's section as JSON) and as a key line: trusted, and said so on every event.
    let public_key = "q69rD9yl/OuxXG6kLT+9Zmel8J7ly2cj0FQI6uMuIBE";
    let trusted_list = format!(
        r#"{{"trusted_key_servers":[{{"server_name":"127.0.0.1:46329","verify_keys":{{"ed25519:a_A":"{public_key}"}}}}]}}"#
    );
    let key_line = format!("127.0.0.1:46329 ed25519:a_A {public_key}");
    for (keys, source) in [
        (SIGNATURE_KEYS.to_owned(), TrustSource::ServerDatabase),
        (trusted_list, TrustSource::TrustedKeyServers),
        (key_line, TrustSource::Given),
    ] {
        let mut session = RoomSession::new(None, None);
        let added = session.add_keys(&keys);
        assert_eq!(added.keys.keys.len(), 1, "{source:?}: {:?}", added.problems);
        assert_eq!(added.keys.keys[0].trusted, Some(source));
        let report = take(&mut session, EXPORT_WITH_ID);
        assert_eq!(report.counts.valid, 18, "{source:?}");
        assert!(report.events.iter().all(|e| e
            .problems
            .iter()
            .any(|p| p.code == "signed_with_trusted_key")));
    }
}

#[test]
fn without_keys_the_events_are_unchecked_not_invalid_and_keys_later_check_them() {
    let mut session = RoomSession::new(None, None);
    let report = take(&mut session, EXPORT_WITH_ID);
    assert_eq!(report.counts.unchecked, 18);
    assert_eq!(report.outcome, Outcome::Unchecked);
    assert_eq!(report.missing_keys.len(), 1);
    let keys = session.add_keys(KEYS_JSON);
    assert_eq!((keys.rejudged.judged, keys.rejudged.checked), (18, 18));
    assert!(session.missing_keys().is_empty());
    let last = session.dag().unwrap().forward_extremities()[0];
    let id = session.dag().unwrap().event_id(last);
    assert_eq!(session.held(&id).unwrap().verdict, Verdict::Valid);
}

#[test]
fn a_context_answer_is_the_client_format_drawn_under_its_ids() {
    let mut session = RoomSession::new(None, None);
    session.add_keys(KEYS_JSON);
    let report = take(&mut session, CONTEXT);
    assert_eq!(report.input, InputShape::ClientContext);
    assert_eq!(
        report.room_version.as_deref(),
        Some("10"),
        "from the create event in its state"
    );
    assert_eq!(report.outcome, Outcome::Unchecked);
    assert!(report.events.iter().all(|e| e.verdict == Verdict::Unchecked
        && e.problems
            .iter()
            .any(|p| p.code == event_codes::CLIENT_FORMAT_EVENT)));
    assert!(ids_of(&report).is_subset(&synapse_ids()));
    // No prev_events: held as outliers, not as a timeline of tips; an event both in
    // `events_after` and `state` is one event (its copies differ only in `unsigned`).
    let dag = session.dag().unwrap();
    assert_eq!((dag.timeline_len(), dag.outlier_len()), (0, 13));
    assert!(report.findings.is_empty(), "{:?}", report.findings);
}

/// The timeline events of `context.json`, oldest first: what the Element export holds.
fn context_timeline_ids() -> Vec<String> {
    let context: serde_json::Value = serde_json::from_str(CONTEXT).unwrap();
    let mut before: Vec<&serde_json::Value> = context["events_before"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    before.reverse();
    let after = context["events_after"].as_array().unwrap().iter();
    before
        .into_iter()
        .chain([&context["event"]])
        .chain(after)
        .map(|e| e["event_id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn an_element_chat_export_is_read_under_synapses_ids_unchecked_with_its_room_name() {
    assert_eq!(
        recognise(ELEMENT_EXPORT).shape,
        Some(InputShape::ElementExport)
    );
    let mut session = RoomSession::new(None, Some(mxdag::room_version::RoomVersion::V10));
    session.add_keys(KEYS_JSON);
    let report = take(&mut session, ELEMENT_EXPORT);
    assert_eq!(report.input, InputShape::ElementExport);
    assert_eq!(report.title.as_deref(), Some("mxdag linear"));
    assert_eq!(report.outcome, Outcome::Unchecked);
    assert!(report.events.iter().all(|e| e.verdict == Verdict::Unchecked
        && e.problems
            .iter()
            .any(|p| p.code == event_codes::CLIENT_FORMAT_EVENT)));
    let ids: Vec<String> = report
        .events
        .iter()
        .filter_map(|e| e.event_id.clone())
        .collect();
    assert_eq!(
        ids,
        context_timeline_ids(),
        "the export's order, Synapse's IDs"
    );
    assert_eq!(session.dag().unwrap().outlier_len(), ids.len());
}

#[test]
fn an_element_export_whose_messages_are_no_list_says_so() {
    let input = recognise(r#"{"messages": {"a": 1}}"#);
    assert_eq!(input.shape, Some(InputShape::ElementExport));
    assert!(input.events.is_empty());
    assert!(input.problems[0]
        .message
        .contains("`messages` must be an array of events"));
}

#[test]
fn a_forged_event_in_an_export_is_caught_and_flagged() {
    let mut lines: Vec<String> = EXPORT_WITH_ID.lines().map(str::to_owned).collect();
    let i = lines
        .iter()
        .position(|l| l.contains("\"m.room.message\""))
        .unwrap();
    let mut forged: serde_json::Value = serde_json::from_str(&lines[i]).unwrap();
    let written = forged["event_id"].as_str().unwrap().to_owned();
    forged["content"]["body"] = "forged".into();
    forged["depth"] = (forged["depth"].as_i64().unwrap() + 1).into();
    lines[i] = forged.to_string();
    let mut session = RoomSession::new(None, None);
    session.add_keys(KEYS_JSON);
    let report = take(&mut session, &lines.join("\n"));
    let event = &report.events[i];
    assert_eq!(event.verdict, Verdict::Dropped, "{:?}", event.problems);
    assert!(event
        .problems
        .iter()
        .any(|p| p.code == event_codes::EVENT_ID_MISMATCH && p.message.contains(&written)));
    assert_eq!(report.findings[0].code, event_codes::EVENT_ID_MISMATCH);
    assert_eq!(report.outcome, Outcome::Invalid);
    let summary = &session.summaries()[0];
    assert!(summary
        .findings
        .iter()
        .any(|p| p.code == event_codes::EVENT_ID_MISMATCH));
}

/// tests/fixtures/tardis/linear.json5 as JSON (the hosts decode JSON5 before the core).
const SCENARIO: &str = r#"{"tardis_version":1,"calculate_event_ids":true,"room_version":"10",
"room_id":"!scenario:example.org","annotations":{"title":"Alice makes a room",
"events":{"$BOB_JOIN":"Bob joins the public room."}},"events":[
{"event_id":"$CREATE","type":"m.room.create","state_key":"","sender":"@alice:example.org","content":{"room_version":"10"},"depth":1,"prev_events":[],"auth_events":[]},
{"event_id":"$ALICE_JOIN","type":"m.room.member","state_key":"@alice:example.org","sender":"@alice:example.org","content":{"membership":"join"},"depth":2,"prev_events":["$CREATE"],"auth_events":["$CREATE"]},
{"event_id":"$BOB_JOIN","type":"m.room.member","state_key":"@bob:example.org","sender":"@bob:example.org","content":{"membership":"join"},"depth":3,"prev_events":["$ALICE_JOIN"],"auth_events":["$CREATE"]}]}"#;

#[test]
fn a_tardis_scenario_is_drawn_with_its_made_up_ids_and_annotations() {
    let mut session = RoomSession::new(None, None);
    let report = take(&mut session, SCENARIO);
    assert_eq!(report.input, InputShape::TardisScenario);
    assert_eq!(report.room_version.as_deref(), Some("10"));
    assert_eq!(report.title.as_deref(), Some("Alice makes a room"));
    assert!(report.events.iter().all(|e| e.verdict == Verdict::Unchecked
        && e.problems
            .iter()
            .any(|p| p.code == event_codes::SCENARIO_EVENT)));
    let dag = session.dag().unwrap();
    assert_eq!(
        dag.event_ids(&dag.linear_order()),
        ["$CREATE", "$ALICE_JOIN", "$BOB_JOIN"]
    );
    assert_eq!(dag.room_id(), Some("!scenario:example.org"));
    let details = session.details("$BOB_JOIN").unwrap();
    assert_eq!(
        details.annotation.as_deref(),
        Some("Bob joins the public room.")
    );
}

/// A transaction whose `pdus` key appears twice (as a careless proxy or a hand-edited file
/// makes it): servers disagree on what it means, so the answer is in error, and the events
/// read are those of the last `pdus`, as Synapse reads them — whole or in parts alike.
#[test]
fn a_repeated_key_in_an_answer_is_an_error_and_the_last_value_is_read() {
    let lines: Vec<&str> = EXPORT_WITH_ID.lines().filter(|l| !l.is_empty()).collect();
    let text = format!(
        "{{\"origin\":\"a.example\",\"pdus\":[{}],\"origin_server_ts\":1,\"pdus\":[{}]}}",
        lines[..3].join(","),
        lines[3]
    );
    assert!(mxdag::input::event_spans(&text).is_none(), "read whole");
    let mut session = RoomSession::new(None, Some(mxdag::room_version::RoomVersion::V10));
    let report = take(&mut session, &text);
    assert_eq!(report.input, InputShape::Transaction);
    assert_eq!(report.events.len(), 1, "{report:?}");
    let problem = report
        .problems
        .iter()
        .find(|p| p.code == "json_duplicate_key")
        .expect("the repeated key is a problem of the input");
    assert!(problem.message.contains("`pdus`"), "{}", problem.message);
    assert_eq!(report.outcome, Outcome::Invalid);
}

/// A key input's problems name the item as an item, not as an event, and a
/// `trusted_key_servers` entry whose `verify_keys` is not an object says so (it said the
/// entry named none).
#[test]
fn key_problems_name_items_and_say_what_is_wrong_with_verify_keys() {
    let mut session = RoomSession::new(None, None);
    let listed = session.add_keys(
        r#"[{"trusted_key_servers":[{"server_name":"hs.example.com","verify_keys":[1,2]}]}]"#,
    );
    let message = &listed.problems[0].message;
    assert!(message.starts_with("Item #0: "), "{message}");
    assert!(message.contains("no object of key IDs"), "{message}");
    let absent = session.add_keys(r#"{"trusted_key_servers":[{"server_name":"hs.example.com"}]}"#);
    assert!(
        absent.problems[0]
            .message
            .contains("names no `verify_keys`"),
        "{}",
        absent.problems[0].message
    );
}

/// Synapse's whole `event_json` table (`SELECT event_id, room_id, json FROM event_json`, no
/// `WHERE room_id`) from the homeserver suite's server A: 309 events of 8 rooms of room
/// versions 1, 3, 10, 11 and 12, with the key tables of both servers.
const ALL_ROOMS: &str = fixture!("all-rooms/event_json.all-rooms.sqlite-json.json");
const ALL_ROOMS_KEYS: [&str; 2] = [
    fixture!("all-rooms/A.server_keys_json.json"),
    fixture!("all-rooms/B.server_keys_json.json"),
];

/// The rows of [`ALL_ROOMS`]: `(room_id, event_id)`.
fn all_rooms_rows() -> Vec<(String, String)> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(ALL_ROOMS).unwrap();
    let column = |r: &serde_json::Value, k: &str| r[k].as_str().unwrap().to_owned();
    rows.iter()
        .map(|r| (column(r, "room_id"), column(r, "event_id")))
        .collect()
}

/// The events of `report` that are not valid: label, verdict and problems.
fn not_valid(report: &IngestReport) -> Vec<(&str, Verdict, &[mxdag::problem::Problem])> {
    report
        .events
        .iter()
        .filter(|e| e.verdict != Verdict::Valid)
        .map(|e| (e.label.as_str(), e.verdict, e.problems.as_slice()))
        .collect()
}

/// Each room of a whole-table dump is judged with the version its own create event names:
/// every event valid under Synapse's ID, every room drawn with all its events.
#[test]
fn a_whole_event_json_table_judges_each_room_with_its_own_version() {
    let rows = all_rooms_rows();
    let mut session = RoomSession::new(None, None);
    for keys in ALL_ROOMS_KEYS {
        assert_eq!(session.add_keys(keys).keys.added, 1);
    }
    let report = session.ingest(ALL_ROOMS, &Ingest::default());
    assert_eq!(report.input, InputShape::SynapseEventJson);
    let not_valid = not_valid(&report);
    assert!(not_valid.is_empty(), "{not_valid:#?}");
    let ids: BTreeSet<String> = report
        .events
        .iter()
        .filter_map(|e| e.event_id.clone())
        .collect();
    let synapse: BTreeSet<String> = rows.iter().map(|(_, id)| id.clone()).collect();
    assert_eq!(ids, synapse, "Synapse's event IDs");
    let summaries = session.summaries();
    let rooms: BTreeSet<&str> = rows.iter().map(|(room, _)| room.as_str()).collect();
    assert_eq!(summaries.len(), rooms.len());
    for summary in &summaries {
        let room = summary.room_id.as_deref().expect("a room ID");
        let held = summary.counts.timeline + summary.counts.outliers;
        let rows_of_room = rows.iter().filter(|(r, _)| r == room).count();
        assert_eq!(held, rows_of_room, "{room}");
    }
}

/// Taken in parts (as a large dump is), the report is the one taking it whole gives.
#[test]
fn a_whole_event_json_table_in_parts_is_judged_as_whole() {
    let take = |parts: Option<usize>| {
        let mut session = RoomSession::new(None, None);
        for keys in ALL_ROOMS_KEYS {
            session.add_keys(keys);
        }
        if let Some(items) = parts {
            session.set_part_events(items);
        }
        let report = session.ingest(ALL_ROOMS, &Ingest::default());
        (report, session.summaries())
    };
    let whole = take(None);
    assert_eq!(whole.0.counts.valid, all_rooms_rows().len());
    for items in [1, 7, 64] {
        assert_eq!(take(Some(items)), whole, "parts of {items}");
    }
}

/// The rows of [`ALL_ROOMS`] room by room, in the order rooms first appear: what dumping
/// the table once per room (`WHERE room_id = …`) gives, one file each.
fn all_rooms_files() -> Vec<(String, String)> {
    let rows: Vec<serde_json::Value> = serde_json::from_str(ALL_ROOMS).unwrap();
    let mut files: Vec<(String, Vec<serde_json::Value>)> = Vec::new();
    for row in rows {
        let room = row["room_id"].as_str().unwrap().to_owned();
        match files.iter_mut().find(|(r, _)| *r == room) {
            Some((_, of_room)) => of_room.push(row),
            None => files.push((room, vec![row])),
        }
    }
    files
        .into_iter()
        .map(|(room, rows)| (room, serde_json::to_string(&rows).unwrap()))
        .collect()
}

/// Files of rooms of several versions, taken one after another (`mxdag check a.json
/// b.json`, which names the first file's version ahead, or the page, one file at a time):
/// each judged with the version its own create event names, with no mismatch warning.
#[test]
fn files_of_rooms_of_several_versions_are_each_judged_with_their_own() {
    let files = all_rooms_files();
    assert!(files.len() > 3);
    for named_ahead in [false, true] {
        let mut session = RoomSession::new(None, None);
        for keys in ALL_ROOMS_KEYS {
            session.add_keys(keys);
        }
        if named_ahead {
            let candidates = mxdag::input::version_candidates(&files[0].1);
            let first = mxdag::event::verdict::room_version_named(&candidates)
                .unwrap()
                .unwrap();
            assert!(session.name_room_version(first).is_none());
        }
        let mut versions = BTreeSet::new();
        for (room, file) in &files {
            let report = session.ingest(file, &Ingest::default());
            let not_valid = not_valid(&report);
            assert!(
                not_valid.is_empty(),
                "{room} (named ahead: {named_ahead}): {not_valid:#?}"
            );
            assert!(report.problems.is_empty(), "{room}: {:?}", report.problems);
            let own = session
                .summaries()
                .into_iter()
                .find(|s| s.room_id.as_deref() == Some(room.as_str()));
            let own = own
                .expect("the room is held")
                .room_version
                .expect("its version");
            assert_eq!(report.room_version.as_deref(), Some(own), "{room}");
            versions.insert(own);
        }
        let held: BTreeSet<&str> = session.room_versions().into_iter().collect();
        assert_eq!(held, versions);
        assert_eq!(versions.len(), 5, "versions 1, 3, 10, 11 and 12");
    }
}

/// A file naming, for a room the session holds, another version than the room's own is
/// warned about, naming the room and both versions.
#[test]
fn a_file_naming_another_version_for_a_held_room_is_warned_about() {
    let files = all_rooms_files();
    let mut session = RoomSession::new(None, None);
    let (room, first) = &files[0];
    session.ingest(first, &Ingest::default());
    let held = session.room_version().expect("a version").id;
    let other = if held == "10" { "11" } else { "10" };
    let rows: Vec<serde_json::Value> = serde_json::from_str(first).unwrap();
    let mut create: serde_json::Value = rows
        .iter()
        .map(|r| serde_json::from_str::<serde_json::Value>(r["json"].as_str().unwrap()).unwrap())
        .find(|e| e["type"] == "m.room.create")
        .expect("the room's create event");
    create["content"]["room_version"] = other.into();
    let report = session.ingest(&create.to_string(), &Ingest::default());
    let message = format!("The input names room version {other} for room {room}, which the session holds as room version {held}; the input's events are judged as room version {other}.");
    let codes: Vec<_> = report
        .problems
        .iter()
        .map(|p| (p.code, p.message.as_str()))
        .collect();
    assert_eq!(
        codes,
        [(event_codes::ROOM_VERSION_MISMATCH, message.as_str())]
    );
}

/// A dump whose first create event names a version mxdag does not know: that room's
/// events wait for one, and every other room is judged with its own version, its states
/// computed.
#[test]
fn a_room_of_an_unknown_version_first_leaves_the_other_rooms_judged_with_their_states() {
    let mut rows: Vec<serde_json::Value> = serde_json::from_str(ALL_ROOMS).unwrap();
    let create = serde_json::json!({
        "type": "m.room.create", "state_key": "", "room_id": "!unknown:example.org",
        "sender": "@a:example.org", "origin_server_ts": 1, "depth": 1,
        "prev_events": [], "auth_events": [], "content": {"room_version": "org.example.unknown"},
        "hashes": {"sha256": "x"}, "signatures": {},
    });
    rows.insert(0, serde_json::json!({"event_id": "$u:example.org", "room_id": "!unknown:example.org", "json": create.to_string()}));
    let mut session = RoomSession::new(None, None);
    for keys in ALL_ROOMS_KEYS {
        session.add_keys(keys);
    }
    let report = session.ingest(&serde_json::to_string(&rows).unwrap(), &Ingest::default());
    assert_eq!(report.counts.valid, rows.len() - 1);
    assert!(report
        .problems
        .iter()
        .any(|p| p.code == event_codes::UNKNOWN_ROOM_VERSION));
    let (room, _) = &all_rooms_rows()[0];
    assert!(session.show_room(room));
    let state = session.current_state().expect("the room's state");
    assert!(
        state.iter().any(|e| e.event_type == "m.room.create"),
        "{state:?}"
    );
}
