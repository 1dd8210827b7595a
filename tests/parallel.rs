//! Validation on several cores (`mxdag::session::parallel`): judgements of slices made with
//! the session's context give the report `ingest` gives, byte for byte; judgements made for
//! other bytes, another session, another version or other keys are not used. A large input
//! taken in parts (`mxdag::session`'s parts) gives the report, rows and state taking it whole
//! gives.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::canonical_json::{self, Value};
use mxdag::generate::{generate_room, Damage, GenerateOptions, GeneratedRoom, ShapeOptions};
use mxdag::input::event_spans;
use mxdag::room_version::RoomVersion;
use mxdag::session::parallel::{judge_slice, JudgeContext};
use mxdag::session::{Ingest, RoomSession};

fn room(version: &str, events: u32) -> GeneratedRoom {
    generate_room(&GenerateOptions {
        room_version: version.into(),
        shape: ShapeOptions {
            events,
            servers: 3,
            seed: 5,
            concurrency: 0.4,
            redaction: true,
            ..ShapeOptions::default()
        },
        damage: Damage {
            pruned: 2,
            tampered: true,
            bad_signature: true,
        },
        ..GenerateOptions::default()
    })
    .unwrap()
}

fn session_with_keys(room: &GeneratedRoom) -> RoomSession {
    let mut session = RoomSession::new(None, Some(room.room_version));
    for key in &room.server_keys {
        session.add_keys(&canonical_json::to_string(key));
    }
    session
}

/// The judgements of `text` in slices of `per` events, made with `context`.
fn judge(context: &[u8], text: &str, per: usize) -> Vec<Vec<u8>> {
    let context = JudgeContext::from_bytes(context).unwrap();
    let spans = event_spans(text).unwrap();
    let mut out = Vec::new();
    for (n, chunk) in spans.spans.chunks(per).enumerate() {
        let (start, end) = (chunk[0].0, chunk[chunk.len() - 1].1);
        let judged = judge_slice(
            &context,
            &text[start..end],
            start,
            n * per,
            chunk,
            spans.kind,
        );
        out.push(judged.unwrap());
    }
    out
}

/// NDJSON, a JSON array and a transaction of the room's PDUs, with a duplicate key, `1.0`,
/// an item that is not an object, an event written with spaces (not canonical JSON), one
/// with a key of the client API (`age`), one with its own event ID written (as exports
/// write it from room version 3) and one with another's among them; the NDJSON also with a
/// BOM, blank lines and a line cut short.
fn inputs(room: &GeneratedRoom) -> Vec<String> {
    let mut lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    lines[3] = lines[3].replacen("\"depth\":", "\"depth\":1,\"depth\":", 1);
    lines[5] = lines[5].replacen("\"depth\":", "\"depth\":1.0,\"x\":", 1);
    lines[11] = lines[11].replacen("{", "{\"age\":5,", 1);
    lines[13] = lines[13].replacen("\"depth\":", "\"depth\" : ", 1);
    if !lines[15].contains("\"event_id\"") {
        let own = format!("{{\"event_id\":\"{}\",", room.event_ids[15]);
        lines[15] = lines[15].replacen("{", &own, 1);
        let other = format!("{{\"event_id\":\"{}\",", room.event_ids[2]);
        lines[17] = lines[17].replacen("{", &other, 1);
    }
    lines.insert(7, "[1,2]".to_owned());
    let array = format!("[\n{}\n]", lines.join(",\n"));
    let transaction = format!(
        "{{\"origin\":\"a.test\",\"origin_server_ts\":1,\"pdus\":[{}]}}",
        lines.join(",")
    );
    lines.insert(9, "{\"type\":".to_owned());
    let ndjson = format!("\u{feff}{}\n\n", lines.join("\n"));
    vec![ndjson, array, transaction]
}

fn report_json(session: &mut RoomSession, text: &str, judgements: &[Vec<u8>]) -> String {
    let how = Ingest {
        source: "input",
        via_backfill: true,
        ..Ingest::default()
    };
    let report = session.ingest_judged(text, &how, judgements);
    serde_json::to_string(&report).unwrap()
}

#[test]
fn judged_on_other_cores_the_report_is_the_same() {
    // Room versions 1 and 2 write event IDs, 3 encodes them in standard base64.
    for version in ["12", "1", "2", "3", "5"] {
        let room = room(version, 120);
        for text in inputs(&room) {
            let mut whole = session_with_keys(&room);
            let expected = report_json(&mut whole, &text, &[]);
            let mut parallel = session_with_keys(&room);
            let context = parallel.judge_context(None, true, [7; 16]).unwrap();
            let judgements = judge(&context, &text, 25);
            let events = event_spans(&text).unwrap().spans.len();
            let v = RoomVersion::from_id(version).unwrap();
            let known = parallel.judged_outcomes(&text, &judgements, &v, true, events);
            assert!(
                known.iter().all(Option::is_some),
                "v{version}: every slice used"
            );
            assert_eq!(
                report_json(&mut parallel, &text, &judgements),
                expected,
                "v{version}"
            );
            let held = |s: &RoomSession| s.dag().unwrap().nodes().count();
            assert_eq!(held(&whole), held(&parallel), "v{version}");
        }
    }
}

/// A session that takes inputs of more than `items` items in parts of `items`.
fn in_parts(room: &GeneratedRoom, items: usize) -> RoomSession {
    let mut session = session_with_keys(room);
    session.set_part_events(items);
    session
}

/// What a session shows of what it took: its rows and current state.
fn held(session: &RoomSession) -> (mxdag::session::SessionRows, String) {
    let state = session.current_state().map_err(|e| format!("{e:?}"));
    (session.rows(), format!("{state:?}"))
}

#[test]
fn taken_in_parts_the_report_rows_and_state_are_those_taken_whole() {
    for version in ["12", "1", "5"] {
        let room = room(version, 150);
        let mut texts = inputs(&room);
        // Newest first, as backfill gives them: events wait for auth events in later parts.
        let newest_first: Vec<String> = room
            .pdus
            .iter()
            .rev()
            .map(canonical_json::to_string)
            .collect();
        texts.push(newest_first.join("\n"));
        for (n, text) in texts.iter().enumerate() {
            let mut whole = in_parts(&room, usize::MAX);
            let expected = report_json(&mut whole, text, &[]);
            // Read again as another version: the events dropped were kept alike.
            let other = RoomVersion::from_id(if version == "1" { "3" } else { "1" }).unwrap();
            let mut again = in_parts(&room, usize::MAX);
            report_json(&mut again, text, &[]);
            let expected_again = serde_json::to_string(&again.reread(other)).unwrap();
            for items in [1, 16, 40] {
                let mut parts = in_parts(&room, items);
                let report = report_json(&mut parts, text, &[]);
                assert_eq!(report, expected, "v{version}, input {n}, parts of {items}");
                assert!(held(&parts) == held(&whole), "v{version}, input {n}");
                let report = serde_json::to_string(&parts.reread(other)).unwrap();
                assert_eq!(report, expected_again, "v{version}, input {n}, read again");
            }
            // With judgements made on other cores too.
            let mut parts = in_parts(&room, 16);
            let context = parts.judge_context(None, true, [9; 16]).unwrap();
            let judgements = judge(&context, text, 25);
            assert_eq!(report_json(&mut parts, text, &judgements), expected);
            let report = serde_json::to_string(&parts.reread(other)).unwrap();
            assert_eq!(
                report, expected_again,
                "v{version}, input {n}, judged, read again"
            );
        }
    }
}

#[test]
fn parts_are_taken_as_their_judgements_arrive_in_any_order() {
    let room = room("12", 150);
    for text in inputs(&room) {
        let mut whole = in_parts(&room, usize::MAX);
        let expected = report_json(&mut whole, &text, &[]);
        let mut session = in_parts(&room, 16);
        let context = session.judge_context(None, true, [4; 16]).unwrap();
        let mut judgements = judge(&context, &text, 10);
        // The last slice's judgement comes first, then the rest from the first on.
        let last = judgements.pop().unwrap();
        let how = Ingest {
            source: "input",
            via_backfill: true,
            ..Ingest::default()
        };
        let mut taking = session.begin_parts(text.clone(), &how).ok().unwrap();
        session.take_judged_parts(&mut taking, &[last]);
        assert_eq!(taking.taken(), 0, "the first part waits for its judgements");
        let mut taken = Vec::new();
        for judgement in judgements {
            session.take_judged_parts(&mut taking, &[judgement]);
            taken.push(taking.taken());
        }
        assert!(
            taken.windows(2).any(|w| w[0] < w[1]),
            "parts taken as judged"
        );
        assert_eq!(taking.taken(), taking.items(), "all judged, all taken");
        let report = session.finish_parts(taking);
        assert_eq!(serde_json::to_string(&report).unwrap(), expected);
    }
}

#[test]
fn real_synapse_files_taken_in_parts_give_the_report_taken_whole() {
    // Exported from a real Synapse (tests/homeserver): PDUs with `event_id` written in
    // them, and its `event_json` table as JSON rows (the event ID beside each event).
    let keys = include_str!("fixtures/synapse/B.server_keys_json.json");
    for text in [
        include_str!("fixtures/synapse/export-with-event-id.ndjson"),
        include_str!("fixtures/synapse/event_json.sqlite-json.json"),
    ] {
        let take = |items| {
            let mut session = RoomSession::new(None, None);
            session.add_keys(keys);
            session.set_part_events(items);
            let report = report_json(&mut session, text, &[]);
            (report, held(&session))
        };
        let (whole, whole_held) = take(usize::MAX);
        let (parts, parts_held) = take(3);
        assert_eq!(parts, whole);
        assert!(parts_held == whole_held);
        let report: serde_json::Value = serde_json::from_str(&whole).unwrap();
        assert!(
            report["counts"]["valid"].as_u64() > Some(10),
            "{}",
            report["counts"]
        );
        // The file is one the session takes in parts (a list whose version it names).
        let mut session = RoomSession::new(None, None);
        session.set_part_events(3);
        assert!(session
            .begin_parts(text.to_owned(), &Ingest::default())
            .is_ok());
    }
}

#[test]
fn taken_in_parts_the_problems_left_out_are_counted_once_for_the_input() {
    // 4,000 objects that are no PDU, each with several problems: past the report's budget.
    let lines = vec!["{\"type\":\"m.room.message\",\"depth\":1.5}"; 4_000].join("\n");
    let version = RoomVersion::from_id("10").unwrap();
    let take = |items| {
        let mut session = RoomSession::new(None, Some(version));
        session.set_part_events(items);
        report_json(&mut session, &lines, &[])
    };
    let whole = take(usize::MAX);
    assert_eq!(take(300), whole);
    assert_eq!(whole.matches("problems of").count(), 1, "one summary");
}

#[test]
fn keys_among_the_events_of_a_large_input_judge_them_all() {
    let room = room("12", 150);
    let mut lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    for key in &room.server_keys {
        lines.insert(100, canonical_json::to_string(key));
    }
    let text = lines.join("\n");
    let verdicts = |items| {
        let mut session = RoomSession::new(None, None);
        session.set_part_events(items);
        let how = Ingest {
            source: "input",
            via_backfill: true,
            ..Ingest::default()
        };
        let report = session.ingest(&text, &how);
        assert_eq!(
            report.keys.added,
            room.server_keys.len(),
            "parts of {items}"
        );
        (report.counts, held(&session))
    };
    let (whole, whole_held) = verdicts(usize::MAX);
    let (parts, parts_held) = verdicts(16);
    assert_eq!(parts, whole);
    assert_eq!(
        parts.unchecked, 0,
        "the events before the keys were judged again"
    );
    assert!(parts_held == whole_held);
}

#[test]
fn an_event_id_a_judgement_carries_is_used_only_when_the_judgement_is_authentic() {
    let room = room("12", 60);
    let text = &inputs(&room)[0];
    let v = RoomVersion::from_id("12").unwrap();
    let events = event_spans(text).unwrap().spans.len();
    let mut session = session_with_keys(&room);
    let context = session.judge_context(None, true, [5; 16]).unwrap();
    let judgements = judge(&context, text, 20);
    let known = session.judged_outcomes(text, &judgements, &v, true, events);
    // The digests carried are the event's: its ID is the reference hash.
    let reference = |i: usize| {
        known[i]
            .as_ref()
            .unwrap()
            .digests
            .as_ref()
            .unwrap()
            .reference
    };
    let id = mxdag::event::hashes::event_id_from_reference_hash(&reference(0), &v);
    assert_eq!(id.as_deref(), Some(room.event_ids[0].as_str()));
    let canonical = |i: usize| known[i].as_ref().unwrap().canonical_at.is_some();
    let spans = event_spans(text).unwrap().spans;
    let spaced = spans
        .iter()
        .position(|&(s, e)| text[s..e].contains("\" : "))
        .unwrap();
    assert!(
        canonical(0) && !canonical(spaced),
        "the line written with spaces is not"
    );
    // The first event's reference hash swapped for the second's in the judgement: the tag
    // no longer holds, the judgement is not used and the IDs are computed here.
    let mut swapped = judgements.clone();
    let at = swapped[0]
        .windows(32)
        .position(|w| w == reference(0))
        .unwrap();
    swapped[0][at..at + 32].copy_from_slice(&reference(1));
    let known = session.judged_outcomes(text, &swapped, &v, true, events);
    assert!(known[..20].iter().all(Option::is_none));
    assert!(known[20..].iter().all(Option::is_some));
    let mut whole = session_with_keys(&room);
    let expected = report_json(&mut whole, text, &[]);
    assert!(expected.contains(&room.event_ids[0]));
    assert_eq!(report_json(&mut session, text, &swapped), expected);
}

#[test]
fn judgements_made_for_something_else_are_not_used() {
    let room = room("12", 60);
    let text = &inputs(&room)[0];
    let v = RoomVersion::from_id("12").unwrap();
    let events = event_spans(text).unwrap().spans.len();
    let mut session = session_with_keys(&room);
    let context = session.judge_context(None, true, [1; 16]).unwrap();
    let unused = |session: &RoomSession, judgements: &[Vec<u8>], text: &str, backfill| {
        let known = session.judged_outcomes(text, judgements, &v, backfill, events);
        known.iter().all(Option::is_none)
    };
    // Another session's secret.
    let mut other = session_with_keys(&room);
    let foreign = judge(&other.judge_context(None, true, [2; 16]).unwrap(), text, 20);
    assert!(unused(&session, &foreign, text, true));
    // Another backfill flag than the input is taken with.
    let judgements = judge(&context, text, 20);
    assert!(unused(&session, &judgements, text, false));
    // Other bytes: one signature changed in the text taken.
    let sig_at = text.find("\"ed25519:").unwrap() + 20;
    let mut changed = text.clone();
    let swapped = if &text[sig_at..sig_at + 1] == "A" {
        "B"
    } else {
        "A"
    };
    changed.replace_range(sig_at..sig_at + 1, swapped);
    let known = session.judged_outcomes(&changed, &judgements, &v, true, events);
    assert!(
        known[0..20].iter().any(Option::is_none),
        "the slice with the change"
    );
    assert!(known[20..].iter().all(Option::is_some), "the others");
    // A flipped bit breaks the tag.
    let mut flipped = judgements.clone();
    let at = flipped[1].len() - 9;
    flipped[1][at] ^= 1;
    let known = session.judged_outcomes(text, &flipped, &v, true, events);
    assert!(known[20..40].iter().all(Option::is_none));
    // Keys added since the context was made.
    let mut later = session_with_keys(&room);
    let before = later.judge_context(None, true, [3; 16]).unwrap();
    let judged = judge(&before, text, 20);
    later.add_keys("example.org ed25519:new 11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    assert!(unused(&later, &judged, text, true));
    // Whatever the judgements, the report is the one `ingest` gives.
    let mut whole = session_with_keys(&room);
    let expected = report_json(&mut whole, text, &[]);
    let mut forged = session_with_keys(&room);
    forged.judge_context(None, true, [1; 16]);
    assert_eq!(report_json(&mut forged, text, &flipped), expected);
}

#[test]
fn the_version_named_is_found_parsing_only_what_can_be_a_create_event() {
    for version in ["12", "3"] {
        for text in inputs(&room(version, 30)) {
            let whole = mxdag::input::recognise(&text).room_version_named();
            let found = mxdag::input::version_candidates(&text);
            assert_eq!(found.room_version_named(), whole);
            assert_eq!(whole, Some(Ok(version.to_owned())));
            assert!(found.events.len() < 5, "only the candidates are parsed");
        }
    }
    // The first create event names the version: items that only mention one, or escape
    // something, are read before it. Where `m.room.create` occurs more than once (a file of
    // several rooms, whose versions may differ) every candidate is read; where it occurs
    // once, nothing after the create event is.
    let lines = [
        r#"{"type":"m.room.message","content":{"body":"about m.room.create"}}"#,
        r#"{"type":"m.room.message","content":{"body":"a \"quote\""}}"#,
        r#"{"type":"m.room.create","state_key":"x","content":{"room_version":"5"}}"#,
        r#"{"type":"m.room.create","state_key":"","content":{"room_version":"12"}}"#,
        r#"{"type":"m.room.create","state_key":"","content":{"room_version":"3"}}"#,
        r#"{"type":"m.room.message","content":{"body":"b \"c\""}}"#,
    ];
    let text = lines.join("\n");
    let found = mxdag::input::version_candidates(&text);
    let whole = mxdag::input::recognise(&text).room_version_named();
    assert_eq!(found.room_version_named(), whole);
    assert_eq!(whole, Some(Ok("12".to_owned())));
    assert_eq!(found.events.len(), 6, "every candidate");
    let single = [lines[1], lines[3], lines[5]].join("\n");
    let found = mxdag::input::version_candidates(&single);
    assert_eq!(found.room_version_named(), Some(Ok("12".to_owned())));
    assert_eq!(found.events.len(), 2, "read up to the only create event");
}

#[test]
fn shapes_that_are_no_list_of_events_have_no_spans() {
    let room = room("12", 10);
    let one = canonical_json::to_string(&room.pdus[0]);
    assert!(event_spans(&one).is_none(), "one event");
    assert!(
        event_spans("{\"chunk\":[],\"start\":\"s\"}").is_none(),
        "a client answer"
    );
    assert!(event_spans("$a\t{}\n").is_none(), "tab-separated rows");
    let keys = canonical_json::to_string(&Value::Array(room.server_keys.clone()));
    // A list of keys has spans, but its items are not events: judge_slice says so.
    let spans = event_spans(&keys).unwrap();
    let mut session = session_with_keys(&room);
    let context =
        JudgeContext::from_bytes(&session.judge_context(None, false, [0; 16]).unwrap()).unwrap();
    assert!(judge_slice(&context, &keys, 0, 0, &spans.spans, spans.kind).is_none());
}

#[test]
fn a_list_broken_between_its_items_is_taken_whole_with_its_problem() {
    // Brackets that match, but no comma between the items (found by the ingest fuzz
    // target: taken in parts, the list's own problem was lost).
    let version = RoomVersion::from_id("5").unwrap();
    for text in [
        "[{\"a\":1} {\"b\":2}]",
        "{\"origin\":\"a.example\",\"pdus\":[{\"a\":1} \"b\"]}",
    ] {
        assert!(event_spans(text).is_none(), "{text}");
        let take = |items| {
            let mut session = RoomSession::new(None, Some(version));
            session.set_part_events(items);
            report_json(&mut session, text, &[])
        };
        let whole = take(usize::MAX);
        assert!(whole.contains("expected `,` or `]`"), "{whole}");
        assert_eq!(take(1), whole);
    }
}

#[test]
fn taken_in_parts_the_missing_keys_are_listed_as_taken_whole() {
    // Without keys, each part names the keys its events lack; the report lists them
    // sorted, once each, as taking the input whole does (the ingest fuzz target found them
    // listed part by part). The room's creator sorts last, so its key comes first.
    let room = generate_room(&GenerateOptions {
        room_version: "12".into(),
        shape: ShapeOptions {
            events: 60,
            servers: 3,
            server_names: vec!["z.test".into(), "a.test".into(), "m.test".into()],
            ..ShapeOptions::default()
        },
        ..GenerateOptions::default()
    })
    .unwrap();
    let lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    let text = lines.join("\n");
    let missing = |items| {
        let mut session = RoomSession::new(None, Some(room.room_version));
        session.set_part_events(items);
        session.ingest(&text, &Ingest::default()).missing_keys
    };
    let whole = missing(usize::MAX);
    assert_eq!(whole.len(), 3, "{whole:?}");
    assert!(whole.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(missing(1), whole);
}

/// The workers' context is made with the version given to the session, whatever version is
/// asked for; else with the one asked for (the input's own), else the session's.
#[test]
fn the_context_takes_the_version_given_else_the_one_asked_for() {
    let (v10, v12) = (RoomVersion::from_id("10"), RoomVersion::from_id("12"));
    let mut given = RoomSession::new(None, v10);
    let asked = given.judge_context(v12, true, [1; 16]);
    assert_eq!(
        asked,
        given.judge_context(None, true, [1; 16]),
        "the version given"
    );
    let mut named = RoomSession::new(None, None);
    assert!(named.name_room_version(v10.unwrap()).is_none());
    let asked = named.judge_context(v12, true, [1; 16]);
    assert_ne!(
        asked,
        named.judge_context(None, true, [1; 16]),
        "the version asked for"
    );
    assert_eq!(
        asked,
        RoomSession::new(None, None).judge_context(v12, true, [1; 16])
    );
}

/// A judgement says which events are plain and what was read of them: of a generated room,
/// exactly the events that are no state event, whose text is their canonical JSON and that
/// judged alone are valid without a problem, each with its ID, the fields read from its
/// text and its summary; not those with a key of the client API, written with spaces, or
/// whose content was changed (redacted, for a broken content hash), nor those the room's
/// generator damaged.
#[test]
fn a_judgement_carries_what_was_read_of_the_plain_events() {
    let room = room("11", 60);
    let mut lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    let changed: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("\"m.room.message\""))
        .take(3)
        .collect();
    lines[changed[0]] = lines[changed[0]].replacen('{', "{\"age\":5,", 1);
    lines[changed[1]] = lines[changed[1]].replacen("\"depth\":", "\"depth\" : ", 1);
    lines[changed[2]] = lines[changed[2]].replacen("\"body\":\"", "\"body\":\"changed ", 1);
    let text = lines.join("\n");

    let mut session = session_with_keys(&room);
    let context = session.judge_context(None, false, [1; 16]).unwrap();
    let judged = judge(&context, &text, lines.len()).pop().unwrap();
    let said = mxdag::session::parallel::read_back(&judged).unwrap();

    // Judged here, one by one, as the session would without judgements.
    let spans = event_spans(&text).unwrap();
    let events = mxdag::input::read_spans(&text, &spans.spans, spans.kind).unwrap();
    let options = mxdag::event::ValidateOptions::default();
    let alone = mxdag::event::validate_events(events, &room.room_version, session.keys(), &options);
    let mut plain = 0;
    for (i, line) in lines.iter().enumerate() {
        let value = canonical_json::from_str(line).unwrap();
        let report = &alone.report.events[i];
        let expected = value.get("state_key").is_none()
            && report.verdict == mxdag::event::Verdict::Valid
            && report.problems.is_empty()
            && canonical_json::to_string(&value) == *line;
        assert_eq!(said[i].plain.is_some(), expected, "line {i}: {line}");
        let (Some(p), mxdag::event::Judged::Pdu(pdu)) = (&said[i].plain, &alone.events[i]) else {
            continue;
        };
        plain += 1;
        assert_eq!(p.event_id, pdu.event_id);
        assert_eq!(p.fields, pdu.fields);
        let text = |key: &str| value.get(key).and_then(Value::as_str).unwrap_or_default();
        let head = format!("{} · {}", text("type"), text("sender"));
        assert!(p.summary.starts_with(&head), "{} / {head}", p.summary);
    }
    assert!(changed.iter().all(|&i| said[i].plain.is_none()));
    assert!(plain > 10, "{plain}");
}
