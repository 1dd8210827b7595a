//! Bad input: every broken event gets a specific problem with a JSON path, nothing panics,
//! and the other events of the same input are still judged.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use mxdag::canonical_json::{to_string, Value};
use mxdag::event::{validate_input, Report, ValidateOptions, Verdict};
use mxdag::input::{recognise, InputShape};
use mxdag::room_version::RoomVersion;

fn check(text: &str, version: &RoomVersion, via_backfill: bool) -> Report {
    let keys = ring(&["origin.test"]);
    validate_input(
        text,
        Some(version),
        &keys,
        &ValidateOptions { via_backfill },
    )
    .unwrap()
    .report
}

fn good(version: &RoomVersion) -> String {
    to_string(&message(version, "fine"))
}

/// (verdict, first problem code, its path) of each event.
fn summary(report: &Report) -> Vec<(Verdict, &'static str, String)> {
    report
        .events
        .iter()
        .map(|e| {
            let first = e
                .problems
                .iter()
                .find(|p| p.is_error())
                .or(e.problems.first());
            (
                e.verdict,
                first.map_or("", |p| p.code),
                first.map_or(String::new(), |p| p.path.clone()),
            )
        })
        .collect()
}

#[test]
fn broken_events_in_a_transaction_spoil_only_themselves() {
    let v = RoomVersion::V10;
    let deep = r#"{"a":"#.repeat(100_000) + "1" + &"}".repeat(100_000);
    let mut float = message(&v, "f");
    set(&mut float, &["content", "n"], Value::Float(1.5));
    let pdus = [
        good(&v),
        r#"{"type":"x","type":"y"}"#.to_owned(),
        deep,
        to_string(&float),
        r#"{"type":"\ud800"}"#.to_owned(),
        r#"{"depth":1e400}"#.to_owned(),
        "5".to_owned(),
        good(&v),
    ];
    let text = format!(
        r#"{{"origin":"origin.test","origin_server_ts":5,"pdus":[{}]}}"#,
        pdus.join(",\n")
    );
    let report = check(&text, &v, false);
    assert_eq!(report.input, InputShape::Transaction);
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let d = Verdict::Dropped;
    assert_eq!(
        summary(&report),
        [
            (Verdict::Valid, "", String::new()),
            (d, "json_duplicate_key", "$".into()),
            (d, "json_too_deep", "$".into()),
            (d, "float_not_allowed", "$.content.n".into()),
            (d, "json_invalid_string", "$".into()),
            (d, "json_number_out_of_range", "$".into()),
            (d, "event_not_object", "$".into()),
            (Verdict::Valid, "", String::new()),
        ]
    );
    assert!(report.events[1].problems[0]
        .message
        .starts_with("Event #1 is not usable JSON: duplicate key \"type\""));
    assert_eq!(report.counts.valid, 2);
    assert_eq!(report.counts.dropped, 6);
}

#[test]
fn floats_are_warnings_before_version_6() {
    let v = RoomVersion::V5;
    let mut event = unsigned_event(
        &v,
        "origin.test",
        "m.room.message",
        None,
        Value::Object(Default::default()),
    );
    set(&mut event, &["content", "n"], Value::Float(1.5));
    let report = check(&to_string(&signed(event, &v, "origin.test")), &v, false);
    assert_eq!(
        summary(&report),
        [(Verdict::Valid, "float_not_allowed", "$.content.n".into())]
    );
}

#[test]
fn a_truncated_transaction_keeps_the_events_before_the_cut() {
    let v = RoomVersion::V11;
    let text = format!(
        r#"{{"origin":"o","pdus":[{},{},{{"type":"m.room.mess"#,
        good(&v),
        good(&v)
    );
    let report = check(&text, &v, false);
    assert_eq!(report.input, InputShape::Transaction);
    assert_eq!(report.counts.total, 2);
    assert_eq!(report.counts.valid, 2);
    assert_eq!(report.problems.len(), 1);
    assert_eq!(report.problems[0].code, "json_truncated");
    assert_eq!(recognise(&text).origin.as_deref(), Some("o"));
}

#[test]
fn a_truncated_array_keeps_the_events_before_the_cut() {
    let v = RoomVersion::V11;
    let text = format!(r#"[{},{},{{"type":"m.room.mess"#, good(&v), good(&v));
    let report = check(&text, &v, false);
    assert_eq!(report.input, InputShape::Array);
    assert_eq!(report.counts.valid, 2);
    assert_eq!(report.counts.total, 2);
    assert_eq!(report.problems[0].code, "json_truncated");
}

#[test]
fn ndjson_lines_are_judged_one_by_one() {
    let v = RoomVersion::V12;
    let text = format!("{}\n{{\"type\": \n\n{}\n[1,2\n", good(&v), good(&v));
    let report = check(&text, &v, false);
    assert_eq!(report.input, InputShape::Ndjson);
    let codes: Vec<_> = summary(&report).into_iter().map(|s| (s.0, s.1)).collect();
    assert_eq!(
        codes,
        [
            (Verdict::Valid, ""),
            (Verdict::Dropped, "json_truncated"),
            (Verdict::Valid, ""),
            (Verdict::Dropped, "json_truncated")
        ]
    );
    // Broken lines are named by their line in the file (blank lines counted).
    let messages: Vec<&str> = report
        .events
        .iter()
        .filter_map(|e| e.problems.first())
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(
        messages,
        [
            "Line 2 is not usable JSON: EOF while parsing a value (column 9).",
            "Line 5 is not usable JSON: EOF while parsing a list (column 4)."
        ]
    );
}

#[test]
fn shapes_are_recognised() {
    let v = RoomVersion::V9;
    let event = good(&v);
    for (text, shape) in [
        (
            format!(r#"{{"events":[{event}]}}"#),
            InputShape::GetMissingEvents,
        ),
        (
            format!(r#"{{"origin":"origin.test","origin_server_ts":1,"pdus":[{event}]}}"#),
            InputShape::Transaction,
        ),
        (event.clone(), InputShape::Pdu),
        (format!("  [{event}, {event}]  "), InputShape::Array),
    ] {
        let report = check(&text, &v, false);
        assert_eq!(report.input, shape);
        assert!(
            report.counts.total >= 1 && report.counts.valid == report.counts.total,
            "{shape:?}"
        );
    }
    assert_eq!(
        recognise(r#"{"origin":"a.test","pdus":[]}"#)
            .origin
            .as_deref(),
        Some("a.test")
    );
}

#[test]
fn unusable_inputs_are_input_problems() {
    let v = RoomVersion::V9;
    for (text, code) in [
        ("", "input_empty"),
        ("   \n ", "input_empty"),
        ("hello", "input_not_json"),
        ("null", "input_shape_unknown"),
        ("42", "input_shape_unknown"),
        (r#""str""#, "input_shape_unknown"),
        (r#"{"hello": 1}"#, "input_shape_unknown"),
        (r#"{"pdus": 5}"#, "input_shape_unknown"),
        (r#"{"type": "x", "#, "json_truncated"),
        (r#"{"type": "x"} trailing"#, "json_syntax"),
        (r#"{"pdus":"#, "json_truncated"),
        (r#"{"pdus": "#, "json_truncated"),
        (r#"{"pdus": ["\é"#, "json_truncated"),
        ("[\"é\\", "json_truncated"),
    ] {
        let report = check(text, &v, false);
        assert_eq!(report.counts.total, 0, "{text}");
        assert_eq!(
            report.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
            [code],
            "{text}"
        );
    }
    // A bare PDU nested 100,000 deep: one event, refused by the parser, no crash.
    let deep = r#"{"type":"#.to_owned() + &"[".repeat(100_000) + &"]".repeat(100_000) + "}";
    let report = check(&deep, &v, false);
    assert_eq!(
        summary(&report),
        [(Verdict::Dropped, "json_too_deep", "$".into())]
    );
}

#[test]
fn the_room_version_comes_from_the_create_event() {
    let keys = ring(&["origin.test"]);
    let create = r#"{"type":"m.room.create","state_key":"","content":{"room_version":"7"}}"#;
    let validation = validate_input(
        &format!("[{create}]"),
        None,
        &keys,
        &ValidateOptions::default(),
    )
    .unwrap();
    assert_eq!(validation.report.room_version, "7");
    let no_version = r#"[{"type":"m.room.create","state_key":"","content":{}}]"#;
    assert_eq!(
        validate_input(no_version, None, &keys, &ValidateOptions::default())
            .unwrap()
            .report
            .room_version,
        "1"
    );
    let unknown =
        r#"[{"type":"m.room.create","state_key":"","content":{"room_version":"org.example.99"}}]"#;
    let err = validate_input(unknown, None, &keys, &ValidateOptions::default()).unwrap_err();
    assert_eq!(err.code, "unknown_room_version");
    assert!(err.message.contains("org.example.99"));
    let not_a_string = r#"[{"type":"m.room.create","state_key":"","content":{"room_version":5}}]"#;
    let err = validate_input(not_a_string, None, &keys, &ValidateOptions::default()).unwrap_err();
    assert_eq!(err.code, "unknown_room_version");
    assert!(
        err.message.contains("names room version 5,"),
        "{}",
        err.message
    );
    let err = validate_input(
        &good(&RoomVersion::V3),
        None,
        &keys,
        &ValidateOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code, "unknown_room_version");
}

/// A signed event of `version` after `edit`, judged alone.
fn edited(version: &RoomVersion, via_backfill: bool, edit: impl FnOnce(&mut Value)) -> Report {
    let mut event = unsigned_event(
        version,
        "origin.test",
        "m.room.message",
        None,
        json(r#"{"body":"x"}"#),
    );
    edit(&mut event);
    check(
        &to_string(&signed(event, version, "origin.test")),
        version,
        via_backfill,
    )
}

#[test]
fn prev_and_auth_event_limits_are_warnings_on_backfill() {
    let v = RoomVersion::V10;
    let many = |n| Value::Array((0..n).map(|i| reference(&v, i)).collect());
    let too_many_prev = |e: &mut Value| set(e, &["prev_events"], many(21));
    assert_eq!(
        summary(&edited(&v, false, too_many_prev)),
        [(
            Verdict::Dropped,
            "too_many_prev_events",
            "$.prev_events".into()
        )]
    );
    assert_eq!(
        summary(&edited(&v, true, too_many_prev)),
        [(
            Verdict::Valid,
            "too_many_prev_events",
            "$.prev_events".into()
        )]
    );
    let too_many_auth = |e: &mut Value| set(e, &["auth_events"], many(11));
    assert_eq!(
        summary(&edited(&v, false, too_many_auth)),
        [(
            Verdict::Dropped,
            "too_many_auth_events",
            "$.auth_events".into()
        )]
    );
    assert_eq!(
        summary(&edited(&v, true, too_many_auth)),
        [(
            Verdict::Valid,
            "too_many_auth_events",
            "$.auth_events".into()
        )]
    );
    let just_enough = |e: &mut Value| {
        set(e, &["prev_events"], many(20));
        set(e, &["auth_events"], many(10));
    };
    assert_eq!(
        summary(&edited(&v, false, just_enough)),
        [(Verdict::Valid, "", String::new())]
    );
}

#[test]
fn size_limits() {
    let v = RoomVersion::V11;
    let long = |n: usize| Value::from("x".repeat(n));
    assert_eq!(
        summary(&edited(&v, false, |e| set(e, &["type"], long(256))))[0].1,
        "field_too_long"
    );
    assert_eq!(
        summary(&edited(&v, false, |e| set(e, &["type"], long(255))))[0].0,
        Verdict::Valid
    );
    assert_eq!(
        summary(&edited(&v, false, |e| set(e, &["state_key"], long(256))))[0].2,
        "$.state_key"
    );
    let long_sender = Value::from(format!("@{}:origin.test", "a".repeat(250)));
    assert_eq!(
        summary(&edited(&v, false, |e| set(e, &["sender"], long_sender)))[0].2,
        "$.sender"
    );

    // The whole PDU: 65536 bytes of canonical JSON with signatures is the most allowed.
    let empty_body = unsigned_event(
        &v,
        "origin.test",
        "m.room.message",
        None,
        json(r#"{"body":""}"#),
    );
    let size = to_string(&signed(empty_body, &v, "origin.test")).len();
    let fill =
        |n: usize| move |e: &mut Value| set(e, &["content", "body"], Value::from("x".repeat(n)));
    let at_limit = edited(&v, false, fill(65536 - size));
    assert_eq!(summary(&at_limit), [(Verdict::Valid, "", String::new())]);
    let over = edited(&v, false, fill(65537 - size));
    assert_eq!(
        summary(&over),
        [(Verdict::Dropped, "event_too_large", "$".into())]
    );
}

#[test]
fn depth_bounds_per_version() {
    for (version, depth, code) in [
        (RoomVersion::V5, Value::Int(i64::MAX), ""),
        (RoomVersion::V5, Value::UInt(1 << 63), "depth_out_of_range"),
        (RoomVersion::V6, Value::Int((1 << 53) - 1), ""),
        (RoomVersion::V6, Value::Int(1 << 53), "integer_out_of_range"),
        (RoomVersion::V3, Value::Int(-1), "depth_out_of_range"),
    ] {
        let report = edited(&version, false, |e| set(e, &["depth"], depth.clone()));
        assert_eq!(summary(&report)[0].1, code, "v{version} {depth:?}");
        if !code.is_empty() {
            assert_eq!(summary(&report)[0].2, "$.depth");
        }
    }
}

/// A timestamp beyond i64 (allowed by the canonical JSON of versions 1–5) is named, not
/// dropped silently; from v6 the canonical JSON check names it.
#[test]
fn timestamp_beyond_i64_is_named() {
    for (version, code) in [
        (RoomVersion::V5, "origin_server_ts_out_of_range"),
        (RoomVersion::V6, "integer_out_of_range"),
    ] {
        let report = edited(&version, false, |e| {
            set(e, &["origin_server_ts"], Value::UInt(u64::MAX))
        });
        assert_eq!(
            summary(&report),
            [(Verdict::Dropped, code, "$.origin_server_ts".to_string())],
            "v{version}"
        );
    }
}

#[test]
fn wrong_types_and_missing_fields_have_paths() {
    let v = RoomVersion::V10;
    for (key, value, code, path) in [
        ("sender", Value::Int(1), "field_wrong_type", "$.sender"),
        ("content", Value::from("x"), "field_wrong_type", "$.content"),
        ("depth", Value::from("12"), "field_wrong_type", "$.depth"),
        (
            "prev_events",
            Value::from("$x"),
            "field_wrong_type",
            "$.prev_events",
        ),
        (
            "prev_events",
            json("[1]"),
            "field_wrong_type",
            "$.prev_events[0]",
        ),
        (
            "auth_events",
            json(r#"["$abc:server"]"#),
            "malformed_id",
            "$.auth_events[0]",
        ),
        ("sender", Value::from("alice"), "malformed_id", "$.sender"),
        ("room_id", Value::from("room"), "malformed_id", "$.room_id"),
        ("room_id", Value::from("é"), "malformed_id", "$.room_id"),
        (
            "signatures",
            json(r#"{"other.test":"x"}"#),
            "field_wrong_type",
            "$.signatures[\"other.test\"]",
        ),
    ] {
        let report = edited(&v, false, |e| set(e, &[key], value.clone()));
        assert_eq!(
            summary(&report),
            [(Verdict::Dropped, code, path.to_owned())],
            "{key} = {value:?}"
        );
    }
    for key in [
        "type",
        "sender",
        "room_id",
        "content",
        "depth",
        "origin_server_ts",
        "prev_events",
        "auth_events",
    ] {
        let report = edited(&v, false, |e| remove(e, key));
        assert_eq!(
            summary(&report),
            [(Verdict::Dropped, "field_missing", format!("$.{key}"))],
            "{key}"
        );
    }
    let mut no_hashes = message(&v, "x");
    remove(&mut no_hashes, "hashes");
    assert_eq!(
        summary(&check(&to_string(&no_hashes), &v, false)),
        [(Verdict::Dropped, "field_missing", "$.hashes".into())]
    );
    // Version-specific reference formats.
    let v3_id_in_v4 = Value::Array(vec![reference(&RoomVersion::V3, 0)]);
    let report = edited(&RoomVersion::V4, false, |e| {
        set(e, &["prev_events"], v3_id_in_v4)
    });
    assert_eq!(summary(&report)[0].1, "malformed_id");
    let plain_in_v1 = Value::Array(vec![Value::from("$a:b")]);
    let report = edited(&RoomVersion::V1, false, |e| {
        set(e, &["prev_events"], plain_in_v1)
    });
    assert_eq!(summary(&report)[0].2, "$.prev_events[0]");
    let report = edited(&RoomVersion::V2, false, |e| remove(e, "event_id"));
    assert_eq!(
        summary(&report)[0],
        (Verdict::Dropped, "field_missing", "$.event_id".into())
    );
    // An `event_id` written into a v3+ PDU (after signing, as exports add it) is set aside
    // before hashing, then compared with the reference hash: the event stays valid, the
    // wrong ID is an error.
    let v3 = RoomVersion::V3;
    let unsigned = unsigned_event(&v3, "origin.test", "m.room.message", None, json("{}"));
    let mut event = signed(unsigned, &v3, "origin.test");
    set(&mut event, &["event_id"], Value::from("$x:y"));
    let report = check(&to_string(&event), &v3, false);
    assert_eq!(
        summary(&report)[0],
        (Verdict::Valid, "event_id_mismatch", "$.event_id".into())
    );
    assert_eq!(report.events[0].problems[1].code, "non_pdu_keys_set_aside");
}

#[test]
fn content_hash_missing_or_malformed_means_redacted() {
    let v = RoomVersion::V8;
    let mut event = message(&v, "x");
    set(&mut event, &["hashes"], json(r#"{"sha256":"???"}"#));
    let report = check(&to_string(&event), &v, false);
    // Changing `hashes` breaks the signature too (it is kept by redaction).
    assert_eq!(summary(&report)[0].1, "signature_invalid");
    let mut event = unsigned_event(&v, "origin.test", "m.room.message", None, json("{}"));
    event = signed(event, &v, "origin.test");
    set(&mut event, &["hashes"], json(r#"{"sha256":"???"}"#));
    // Re-sign over the broken hash so only the hash is wrong.
    let key = key_of("origin.test");
    set(&mut event, &["signatures"], json("{}"));
    let bytes = mxdag::event::hashes::signing_bytes(
        &mxdag::event::redaction::redact(event.as_object().unwrap(), &v).event,
    );
    let sig = mxdag::crypto::signing::sign_bytes(&bytes, &key);
    set(
        &mut event,
        &["signatures"],
        json(&format!(r#"{{"origin.test":{{"{KEY_ID}":"{sig}"}}}}"#)),
    );
    let report = check(&to_string(&event), &v, false);
    let codes: Vec<_> = report.events[0].problems.iter().map(|p| p.code).collect();
    assert_eq!(report.events[0].verdict, Verdict::Redacted);
    // Both warnings (the content is empty, as after pruning), in the order of the checks.
    assert_eq!(report.events[0].pruned_by_sender, Some(true));
    assert_eq!(codes, ["content_hash_malformed", "content_hash_mismatch"]);
}

/// A NUL (U+0000) in `sender`, `type`, `state_key`, `room_id` or an event ID is refused by the
/// format check with `field_has_nul` at the field's path, even when signed; one in the
/// content is fine.
#[test]
fn nul_in_identifiers_is_refused() {
    use mxdag::event::codes::FIELD_HAS_NUL;
    for version in [&RoomVersion::V1, &RoomVersion::V10] {
        let content = json(r#"{"body":"a\u0000b","membership":"join"}"#);
        let base = unsigned_event(
            version,
            "origin.test",
            "m.room.member",
            Some("@b:origin.test"),
            content,
        );
        let mut cases: Vec<(&str, Value)> = vec![
            ("$.sender", Value::from("@a\u{0}:origin.test")),
            ("$.type", Value::from("m.room.member\u{0}")),
            ("$.state_key", Value::from("\u{0}@b:origin.test")),
            ("$.room_id", Value::from("!r\u{0}m:origin.test")),
        ];
        if version.event_id_in_event() {
            cases.push(("$.event_id", Value::from("$e\u{0}v:origin.test")));
        }
        for (path, bad) in cases {
            let mut event = base.clone();
            set(&mut event, &[&path[2..]], bad);
            let text = to_string(&signed(event, version, "origin.test"));
            let report = check(&text, version, false);
            let problem = report.events[0]
                .problems
                .iter()
                .find(|p| p.code == FIELD_HAS_NUL)
                .unwrap_or_else(|| panic!("v{version} {path}: {:?}", report.events[0].problems));
            assert_eq!(problem.path, path);
            assert!(problem.message.contains(&format!("`{}`", &path[2..])));
            assert_ne!(report.events[0].verdict, Verdict::Valid);
        }
        // In a reference to another event.
        let mut event = base.clone();
        let reference = match version.event_id_in_event() {
            true => json(r#"["$p\u0000:origin.test",{"sha256":"abc"}]"#),
            false => Value::from(format!("${}\u{0}", "B".repeat(42))),
        };
        set(&mut event, &["prev_events"], Value::Array(vec![reference]));
        let report = check(
            &to_string(&signed(event, version, "origin.test")),
            version,
            false,
        );
        assert!(report.events[0]
            .problems
            .iter()
            .any(|p| p.code == FIELD_HAS_NUL && p.path == "$.prev_events[0]"));
        // NUL in the content only: valid.
        let report = check(
            &to_string(&signed(base, version, "origin.test")),
            version,
            false,
        );
        assert_eq!(
            report.events[0].verdict,
            Verdict::Valid,
            "{:?}",
            report.events[0].problems
        );
    }
}
