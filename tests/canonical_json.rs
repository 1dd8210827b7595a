//! Canonical JSON: encoding ([Appendices § Canonical JSON](https://spec.matrix.org/v1.16/appendices/#canonical-json))
//! and the strictness rules (room version 6+).

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::canonical_json::{
    self, check_numbers, codes, encoded_len, from_str, to_string, Value, MAX_DEPTH,
};

fn canon(text: &str) -> String {
    to_string(&from_str(text).unwrap())
}

/// The spec's own examples of canonical JSON.
#[test]
fn spec_examples() {
    assert_eq!(canon("{}"), "{}");
    assert_eq!(
        canon(r#"{"one": 1, "two": "Two"}"#),
        r#"{"one":1,"two":"Two"}"#
    );
    assert_eq!(canon(r#"{"b": "2", "a": "1"}"#), r#"{"a":"1","b":"2"}"#);
    assert_eq!(
        canon(
            r#"{"auth":{"success":true,"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"medium":"email","address":"john.doe@example.org"},{"medium":"msisdn","address":"123456789"}]}}}"#
        ),
        r#"{"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}}"#
    );
    assert_eq!(canon(r#"{"a": "日本語"}"#), r#"{"a":"日本語"}"#);
    assert_eq!(canon(r#"{"本": 2, "日": 1}"#), r#"{"日":1,"本":2}"#);
    assert_eq!(canon(r#"{"a": "\u65E5"}"#), r#"{"a":"日"}"#);
    assert_eq!(canon(r#"{"a": null}"#), r#"{"a":null}"#);
    assert_eq!(canon(r#"{"a": -0}"#), r#"{"a":0}"#);
    assert_eq!(
        canon("[-9223372036854775808,18446744073709551615,0,10,-7]"),
        "[-9223372036854775808,18446744073709551615,0,10,-7]"
    );
}

#[test]
fn escapes_are_the_shortest() {
    assert_eq!(
        canon(r#""\u0000\u0008\u0009\u000a\u000c\u000d\u001f\u007f\"\\\/""#),
        "\"\\u0000\\b\\t\\n\\f\\r\\u001f\u{7f}\\\"\\\\/\""
    );
    // Non-BMP characters are written as UTF-8, not as surrogate pairs.
    assert_eq!(canon(r#""\ud83d\ude00""#), "\"😀\"");
}

/// Strings are scanned eight bytes at a time for what needs an escape: every ASCII byte
/// and a multi-byte character, at each position of strings of every length up to 24 (so
/// before, inside and after whole words), escape as serde_json escapes them (the same
/// shortest escapes canonical JSON asks for).
#[test]
fn escapes_are_found_at_every_position() {
    let specials: Vec<String> = (0u8..0x80)
        .map(|b| char::from(b).to_string())
        .chain(["é", "😀", "\u{7f}"].map(str::to_owned))
        .collect();
    for len in 0..24 {
        for at in 0..len {
            for special in &specials {
                let mut text: String = "abcdefghijklmnopqrstuvwx"[..len].to_owned();
                text.replace_range(at..at + 1, special);
                let json = to_string(&Value::String(text.clone()));
                assert_eq!(json, serde_json::to_string(&text).unwrap(), "{text:?}");
            }
        }
    }
}

#[test]
fn keys_sort_by_code_point() {
    // U+FB01 (in UTF-16 after a surrogate pair) sorts before U+1F600 by code point.
    assert_eq!(
        canon(r#"{"😀":1,"ﬁ":2,"Z":3,"a":4}"#),
        r#"{"Z":3,"a":4,"ﬁ":2,"😀":1}"#
    );
}

/// An object's keys are held two ways (the keys of PDUs without an allocation, others in a
/// string): they sort, look up, repeat and replace alike, in small objects (scanned) and
/// large ones (binary-searched).
#[test]
fn common_and_other_keys_behave_alike() {
    // `type` and `sender` are common keys, the others are not; `\u0074ype` is `type` escaped.
    let text = r#"{"typf":1,"sender":2,"\u0074ype":3,"sendes":4,"t":5,"content":{"body":"x"}}"#;
    let value = from_str(text).unwrap();
    assert_eq!(
        to_string(&value),
        r#"{"content":{"body":"x"},"sender":2,"sendes":4,"t":5,"type":3,"typf":1}"#
    );
    let object = value.as_object().unwrap();
    for (key, n) in [
        ("type", 3),
        ("typf", 1),
        ("sender", 2),
        ("sendes", 4),
        ("t", 5),
    ] {
        assert_eq!(object.get(key), Some(&Value::Int(n)), "{key}");
    }
    assert_eq!(object.get("typ"), None);
    assert!(object.contains_key("content") && !object.contains_key("contents"));

    // A repeated common key is a duplicate whether or not one of them is escaped.
    assert!(from_str(r#"{"type":1,"\u0074ype":2}"#).is_err());

    // Past 16 entries lookups binary-search: every key is still found, and edits keep order.
    let mut big = canonical_json::Object::new();
    let names: Vec<String> = (0..40).map(|i| format!("k{i:02}")).collect();
    for (i, name) in names.iter().enumerate().rev() {
        big.insert(name.clone(), Value::Int(i as i64));
    }
    big.insert("type", Value::Int(100));
    big.insert("depth", Value::Int(101));
    for (i, name) in names.iter().enumerate() {
        assert_eq!(big.get(name), Some(&Value::Int(i as i64)), "{name}");
    }
    assert_eq!(big.insert("type", Value::Int(102)), Some(Value::Int(100)));
    assert_eq!(big.remove("depth"), Some(Value::Int(101)));
    assert_eq!(big.get("depth"), None);
    let keys: Vec<&str> = big.iter().map(|(k, _)| k).collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(keys, sorted);
    assert_eq!(keys.len(), 41);
}

#[test]
fn encoded_len_matches_the_encoding() {
    for text in [
        r#"{"a":[1,-20,"x\n\u0001",{"b":null,"c":true,"d":false}],"é":12345678901234}"#,
        "[]",
        "{}",
        r#""\"""#,
        "1.5",
        "0",
        "-9223372036854775808",
        "18446744073709551615",
        "[9,10,-10,99,100,-1]",
    ] {
        let value = from_str(text).unwrap();
        assert_eq!(
            encoded_len(&value),
            canonical_json::to_vec(&value).len(),
            "{text}"
        );
    }
}

#[test]
fn numbers_keep_their_kind() {
    assert_eq!(from_str("1").unwrap(), Value::Int(1));
    assert_eq!(
        from_str("-9223372036854775808").unwrap(),
        Value::Int(i64::MIN)
    );
    assert_eq!(
        from_str("18446744073709551615").unwrap(),
        Value::UInt(u64::MAX)
    );
    assert_eq!(from_str("1.0").unwrap(), Value::Float(1.0));
    assert_eq!(from_str("0.0").unwrap(), Value::Float(0.0));
    assert_eq!(from_str("-0").unwrap(), Value::Int(0));
    assert_eq!(from_str("1e3").unwrap(), Value::Float(1000.0));
    assert_eq!(
        from_str("18446744073709551616").unwrap(),
        Value::BigInt("18446744073709551616".into())
    );
}

/// Floats (legal in room versions 1–5) are read as the nearest double, as Python's `json` and
/// Synapse's canonicaljson read them, so their canonical text round-trips. serde_json's
/// default parser was one unit in the last place off on these (found by `fuzz/`'s
/// `canonical_json` target): the canonical text of a float parsed to a different float, and
/// an event holding one would have hashed differently than its sender hashed it.
#[test]
fn floats_are_read_exactly_and_round_trip() {
    for (text, canonical) in [
        ("[2.2599999400000443e+165]", "[2.2599999400000443e+165]"),
        ("[2259999940000044.1e150]", "[2.2599999400000443e+165]"),
        (
            r#"{"a":[0,-1,90071999999999,1.5,-0.0,2259999940000044.1e150]}"#,
            r#"{"a":[0,-1,90071999999999,1.5,0,2.2599999400000443e+165]}"#,
        ),
    ] {
        let value = from_str(text).unwrap();
        assert_eq!(to_string(&value), canonical, "{text}");
        assert_eq!(from_str(canonical).unwrap(), value, "{canonical}");
    }
    assert_eq!(
        from_str("2.2599999400000443e+165").unwrap(),
        Value::Float(2.2599999400000443e165)
    );
}

fn number_problems(text: &str, strict: bool) -> Vec<(&'static str, String, bool)> {
    let mut problems = Vec::new();
    check_numbers(
        &from_str(text).unwrap(),
        "$",
        strict,
        "Event #0",
        &mut problems,
    );
    problems
        .into_iter()
        .map(|p| (p.code, p.path.clone(), p.is_error()))
        .collect()
}

#[test]
fn floats_and_large_integers_are_reported_with_paths() {
    let text = r#"{"content":{"a":[1,2.5],"m.b":9007199254740992,"c":-9007199254740992,"ok":9007199254740991}}"#;
    assert_eq!(
        number_problems(text, true),
        [
            (codes::FLOAT_NOT_ALLOWED, "$.content.a[1]".to_owned(), true),
            (codes::INTEGER_OUT_OF_RANGE, "$.content.c".to_owned(), true),
            (
                codes::INTEGER_OUT_OF_RANGE,
                "$.content[\"m.b\"]".to_owned(),
                true
            ),
        ]
    );
    // Before room version 6: floats are warnings, large integers fine.
    assert_eq!(
        number_problems(text, false),
        [(codes::FLOAT_NOT_ALLOWED, "$.content.a[1]".to_owned(), false)]
    );
    assert_eq!(number_problems("18446744073709551615", true).len(), 1);
}

fn parse_code(text: &str) -> &'static str {
    from_str(text).unwrap_err().code
}

#[test]
fn what_canonical_json_cannot_hold_is_a_parse_error() {
    assert_eq!(
        parse_code(r#"{"a":1,"b":2,"a":3}"#),
        codes::JSON_DUPLICATE_KEY
    );
    assert!(from_str(r#"{"a":{"x":1,"x":1}}"#)
        .unwrap_err()
        .message
        .contains("\"x\""));
    assert_eq!(parse_code(r#""\ud800""#), codes::JSON_INVALID_STRING);
    assert_eq!(parse_code(r#""\udc00x""#), codes::JSON_INVALID_STRING);
    assert_eq!(parse_code(r#""\q""#), codes::JSON_INVALID_STRING);
    assert_eq!(parse_code(r#""\u12G4""#), codes::JSON_INVALID_STRING);
    assert_eq!(parse_code("\"a\u{1}b\""), codes::JSON_INVALID_STRING);
    assert_eq!(parse_code(r#"{"a": 1"#), codes::JSON_TRUNCATED);
    assert_eq!(parse_code(r#"{"a": tru}"#), codes::JSON_SYNTAX);
    assert_eq!(parse_code("1e400"), codes::JSON_NUMBER_OUT_OF_RANGE);
    assert_eq!(parse_code("{} x"), codes::JSON_SYNTAX);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
    assert!(from_str(&ok).is_ok());
    let too_deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
    assert_eq!(parse_code(&too_deep), codes::JSON_TOO_DEEP);
    let hostile = r#"{"a":"#.repeat(100_000) + "1" + &"}".repeat(100_000);
    assert_eq!(parse_code(&hostile), codes::JSON_TOO_DEEP);
    let unclosed = "[".repeat(100_000);
    assert_eq!(parse_code(&unclosed), codes::JSON_TOO_DEEP);
}
