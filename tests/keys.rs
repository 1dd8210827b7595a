//! The key ring: server key responses, notary answers, self-signatures, validity.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use common::*;
use mxdag::canonical_json::{to_string, Value};
use mxdag::crypto::keys::KeyLookup;
use mxdag::crypto::signing::{
    parse_signing_key_file, public_key_base64, sign_json, signing_key_from_seed,
};
use mxdag::crypto::KeyRing;

#[test]
fn a_self_signed_response_adds_its_keys() {
    let mut ring = KeyRing::new();
    let added = ring.add_response_json(&to_string(&key_response("a.test", 5000)));
    assert_eq!(added.added, 1);
    assert!(added.problems.is_empty());
    let keys = ring.keys();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].server_name.as_str(), keys[0].key_id.as_str()),
        ("a.test", KEY_ID)
    );
    assert_eq!(keys[0].key, public_key_base64(&key_of("a.test")));
    assert_eq!(keys[0].valid_until_ts, Some(5000));
    assert!(matches!(
        ring.lookup("a.test", KEY_ID, 5000, true),
        KeyLookup::Valid(_)
    ));
    assert!(matches!(
        ring.lookup("a.test", KEY_ID, 5001, true),
        KeyLookup::Expired(_)
    ));
    assert!(matches!(
        ring.lookup("a.test", KEY_ID, 5001, false),
        KeyLookup::Valid(_)
    ));
    assert!(matches!(
        ring.lookup("a.test", "ed25519:other", 1, true),
        KeyLookup::Unknown
    ));
    assert!(matches!(
        ring.lookup("b.test", KEY_ID, 1, true),
        KeyLookup::Unknown
    ));
}

#[test]
fn a_response_not_signed_by_its_server_is_refused() {
    let mut ring = KeyRing::new();
    let mut response = key_response("a.test", 5000);
    set(&mut response, &["valid_until_ts"], Value::Int(9_999_999));
    let added = ring.add_response(&response);
    assert_eq!(added.added, 0);
    assert_eq!(added.problems[0].code, "key_self_signature_invalid");
    assert_eq!(added.problems[0].path, "$.signatures[\"a.test\"]");
    assert!(ring.is_empty());

    // Signed by someone else only.
    let mut response = key_response("a.test", 5000);
    set(&mut response, &["signatures"], json("{}"));
    sign_json(&mut response, "notary.test", KEY_ID, &key_of("notary.test")).unwrap();
    assert_eq!(
        ring.add_response(&response).problems[0].code,
        "key_self_signature_invalid"
    );
}

/// A keys file holds several `/key/v2/server` responses side by side, as a JSON array.
#[test]
fn an_array_of_responses_adds_each_that_checks_out() {
    let mut ring = KeyRing::new();
    let mut bad = key_response("b.test", 7000);
    set(&mut bad, &["valid_until_ts"], Value::Int(1));
    let list = Value::Array(vec![key_response("a.test", 5000), bad, Value::from("x")]);
    let added = ring.add_response(&list);
    assert_eq!(added.added, 1);
    let paths: Vec<(&str, &str)> = added
        .problems
        .iter()
        .map(|p| (p.code, p.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("key_self_signature_invalid", "$[1].signatures[\"b.test\"]"),
            ("key_response_invalid", "$[2]"),
        ]
    );
}

#[test]
fn notary_answers_add_each_server_that_checks_out() {
    let mut bad = key_response("b.test", 7000);
    set(&mut bad, &["server_name"], Value::from("c.test"));
    let mut answer = json(r#"{"server_keys":[]}"#);
    let list = vec![
        key_response("a.test", 5000),
        bad,
        json("3"),
        key_response("d.test", 6000),
    ];
    set(&mut answer, &["server_keys"], Value::Array(list));
    let mut ring = KeyRing::new();
    let added = ring.add_response(&answer);
    assert_eq!(added.added, 2);
    let codes: Vec<_> = added
        .problems
        .iter()
        .map(|p| (p.code, p.path.as_str()))
        .collect();
    assert_eq!(
        codes,
        [
            (
                "key_self_signature_invalid",
                "$.server_keys[1].signatures[\"c.test\"]"
            ),
            ("key_response_invalid", "$.server_keys[2]")
        ]
    );
    let servers: Vec<_> = ring.keys().into_iter().map(|k| k.server_name).collect();
    assert_eq!(servers, ["a.test", "d.test"]);
}

#[test]
fn old_verify_keys_are_valid_until_they_expired() {
    let old = signing_key_from_seed("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").unwrap();
    let mut response = json(&format!(
        r#"{{"server_name":"a.test","valid_until_ts":9000,"verify_keys":{{"{KEY_ID}":{{"key":"{}"}}}},"old_verify_keys":{{"ed25519:old":{{"key":"{}","expired_ts":1000}}}}}}"#,
        public_key_base64(&key_of("a.test")),
        public_key_base64(&old)
    ));
    sign_json(&mut response, "a.test", KEY_ID, &key_of("a.test")).unwrap();
    let mut ring = KeyRing::new();
    assert_eq!(ring.add_response(&response).added, 2);
    assert!(matches!(
        ring.lookup("a.test", "ed25519:old", 1000, true),
        KeyLookup::Valid(_)
    ));
    assert!(matches!(
        ring.lookup("a.test", "ed25519:old", 1001, true),
        KeyLookup::Expired(_)
    ));
    let old_info = ring
        .keys()
        .into_iter()
        .find(|k| k.key_id == "ed25519:old")
        .unwrap();
    assert_eq!(
        (old_info.expired_ts, old_info.valid_until_ts),
        (Some(1000), None)
    );
}

#[test]
fn the_longest_validity_wins() {
    let mut ring = KeyRing::new();
    ring.add_response(&key_response("a.test", 9000));
    ring.add_response(&key_response("a.test", 5000));
    assert_eq!(ring.keys()[0].valid_until_ts, Some(9000));
    ring.add_response(&key_response("a.test", 12000));
    assert_eq!(ring.keys()[0].valid_until_ts, Some(12000));
}

#[test]
fn malformed_keys_and_responses() {
    let mut ring = KeyRing::new();
    let r = ring.add_response_json(
        r#"{"server_name":"a.test","verify_keys":{"ed25519:x":{"key":"short"}}}"#,
    );
    assert_eq!(
        r.problems.iter().map(|p| p.code).collect::<Vec<_>>(),
        ["key_malformed", "key_self_signature_invalid"]
    );
    assert_eq!(r.problems[0].path, "$.verify_keys[\"ed25519:x\"]");
    assert_eq!(
        ring.add_response_json("{").problems[0].code,
        "json_truncated"
    );
    assert_eq!(
        ring.add_response_json(r#"{"verify_keys":{}}"#).problems[0].code,
        "key_response_invalid"
    );
    assert_eq!(
        ring.add_response_json(r#"{"server_keys":{}}"#).problems[0].code,
        "key_response_invalid"
    );
    // A small-order (weak) public key is refused.
    let weak = "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    let r = ring.add_response_json(&format!(
        r#"{{"server_name":"a.test","verify_keys":{{"ed25519:w":{{"key":"{weak}"}}}}}}"#
    ));
    assert_eq!(r.problems[0].code, "key_malformed");
    assert!(ring.is_empty());
}

#[test]
fn synapse_signing_key_files() {
    let keys =
        parse_signing_key_file("ed25519 a_AbCd YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1\n\n")
            .unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].0, "ed25519:a_AbCd");
    let spec = signing_key_from_seed("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1").unwrap();
    assert_eq!(keys[0].1.to_bytes(), spec.to_bytes());
    for bad in ["", "ed25519 only_two", "rsa a b", "ed25519 a AAAA"] {
        assert_eq!(
            parse_signing_key_file(bad).unwrap_err().code,
            "signing_key_malformed",
            "{bad:?}"
        );
    }
}
