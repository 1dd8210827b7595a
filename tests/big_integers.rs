//! Integers beyond 64 bits in room versions 1–5 (legal there: canonical JSON bounds integers
//! only from [room version 6](https://spec.matrix.org/v1.16/rooms/v6/#canonical-json)) are
//! kept exact through parsing, canonical JSON, hashing and signing, as Synapse's canonical
//! JSON keeps them; `tests/vectors/big_integers.json` was made with canonicaljson and
//! signedjson (`tests/vectors/make_vectors.py`).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use mxdag::canonical_json::{self, codes as json_codes, from_str, to_string, Value};
use mxdag::crypto::KeyRing;
use mxdag::event::Verdict;
use mxdag::room_version::RoomVersion;

const VECTOR: &str = include_str!("vectors/big_integers.json");

fn vector(field: &str) -> String {
    let v = from_str(VECTOR).unwrap();
    v.get(field).and_then(Value::as_str).unwrap().to_owned()
}

#[test]
fn integers_beyond_64_bits_keep_their_digits() {
    let text = "[18446744073709551616,-9223372036854775809,340282366920938463463374607431768211456,18446744073709551615,-9223372036854775808,1.5,-0]";
    assert_eq!(
        to_string(&from_str(text).unwrap()),
        "[18446744073709551616,-9223372036854775809,340282366920938463463374607431768211456,18446744073709551615,-9223372036854775808,1.5,0]"
    );
    assert_eq!(
        from_str("18446744073709551616").unwrap(),
        Value::BigInt("18446744073709551616".into())
    );
    assert_eq!(
        from_str("-9223372036854775809").unwrap(),
        Value::BigInt("-9223372036854775809".into())
    );
    // Past what a double can hold (serde_json alone refuses it as out of range).
    let huge = "9".repeat(400);
    assert_eq!(to_string(&from_str(&huge).unwrap()), huge);
    // Digits in strings and keys are left alone; floats stay floats, read as the nearest
    // double (Python's `json` and JavaScript's `JSON.parse` read 1234.567890123457 too).
    let text =
        r#"{"12345678901234567890123":"12345678901234567890123","f":1.2345678901234567890e3}"#;
    assert_eq!(
        to_string(&from_str(text).unwrap()),
        r#"{"12345678901234567890123":"12345678901234567890123","f":1234.567890123457}"#
    );
    assert_eq!(
        canonical_json::encoded_len(&from_str("[-18446744073709551616]").unwrap()),
        "[-18446744073709551616]".len()
    );
}

#[test]
fn a_long_integer_does_not_make_broken_json_parse() {
    for text in [
        "[018446744073709551616]",
        "[18446744073709551616",
        "[18446744073709551616 1]",
        "{\"a\":18446744073709551616,\"a\":1}",
        "[18446744073709551616, tru]",
    ] {
        assert!(from_str(text).is_err(), "{text}");
    }
    // Error positions are those of the text as written.
    let e = from_str("[18446744073709551616, x]").unwrap_err();
    assert_eq!((e.code, e.column), (json_codes::JSON_SYNTAX, 24));
}

#[test]
fn big_integers_are_out_of_range_from_room_version_6() {
    let value = from_str(r#"{"a":18446744073709551616,"b":[-9223372036854775809]}"#).unwrap();
    let mut problems = Vec::new();
    canonical_json::check_numbers(&value, "$", true, "Event #0", &mut problems);
    let found: Vec<_> = problems.iter().map(|p| (p.code, p.path.as_str())).collect();
    assert_eq!(
        found,
        [
            (json_codes::INTEGER_OUT_OF_RANGE, "$.a"),
            (json_codes::INTEGER_OUT_OF_RANGE, "$.b[0]")
        ]
    );
    assert!(problems[0].message.contains("18446744073709551616"));
    problems.clear();
    canonical_json::check_numbers(&value, "$", false, "Event #0", &mut problems);
    assert!(problems.is_empty(), "{problems:?}");
}

/// The event Synapse's libraries hashed and signed over the exact digits is valid here, under
/// the same event ID and content hash.
#[test]
fn synapse_signed_event_with_big_integers_is_valid() {
    let mut keys = KeyRing::new();
    let added = keys.add_response_json(&vector("key_response"));
    assert_eq!(added.added, 1, "{:?}", added.problems);
    let text = vector("event");
    let event = from_str(&text).unwrap();
    assert_eq!(to_string(&event), text, "the vector is canonical JSON");
    let version = &RoomVersion::from_id(&vector("room_version")).unwrap();
    let report = &judge_one(&text, version, &keys);
    assert_eq!(report.verdict, Verdict::Valid, "{:?}", report.problems);
    assert_eq!(
        report.event_id.as_deref(),
        Some(vector("event_id").as_str())
    );
    // Changing the last digit is tampering the content hash sees.
    let tampered = text.replace("18446744073709551617", "18446744073709551618");
    assert_eq!(
        judge_one(&tampered, version, &keys).verdict,
        Verdict::Redacted
    );
}

/// Events signed here over big integers, written out and read back, are valid in room
/// versions 1–5 and refused from 6.
#[test]
fn own_signed_events_with_big_integers() {
    let keys = ring(&["origin.test"]);
    let content = json(
        r#"{"users_default":18446744073709551616,"events_default":-9223372036854775809,"ban":50}"#,
    );
    for version in versions() {
        let event = signed(
            unsigned_event(
                version,
                "origin.test",
                "m.room.power_levels",
                Some(""),
                content.clone(),
            ),
            version,
            "origin.test",
        );
        let text = to_string(&event);
        assert!(text.contains(r#""events_default":-9223372036854775809"#));
        assert!(text.contains(r#""users_default":18446744073709551616"#));
        let report = &judge_one(&text, version, &keys);
        if version.strict_canonical_json {
            assert_eq!(report.verdict, Verdict::Dropped, "v{version}");
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.code == json_codes::INTEGER_OUT_OF_RANGE),
                "v{version}: {:?}",
                report.problems
            );
        } else {
            assert_eq!(
                report.verdict,
                Verdict::Valid,
                "v{version}: {:?}",
                report.problems
            );
        }
    }
}
