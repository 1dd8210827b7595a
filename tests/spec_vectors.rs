//! The spec's published test vectors: [Appendices § Cryptographic test vectors](https://spec.matrix.org/v1.16/appendices/#cryptographic-test-vectors)
//! (also used by Synapse's `tests/crypto/test_event_signing.py`). Seed
//! `YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1`, server `domain`, key ID `ed25519:1`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::canonical_json::{self, Value};
use mxdag::crypto::signing::{public_key_base64, sign_json, signing_key_from_seed, SigningKey};
use mxdag::event::sign_event;
use mxdag::room_version::RoomVersion;

const SEED: &str = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";

fn key() -> SigningKey {
    signing_key_from_seed(SEED).expect("the spec's seed is valid")
}

fn signed(json: &str) -> String {
    let mut value = canonical_json::from_str(json).unwrap();
    sign_json(&mut value, "domain", "ed25519:1", &key()).unwrap();
    canonical_json::to_string(&value)
}

/// The public key of the seed (not published by the spec; derived independently with a
/// plain RFC 8032 implementation). The seed's last base64 character carries non-zero
/// trailing bits, which decoders must accept; padding is accepted too.
#[test]
fn seed_gives_its_public_key() {
    assert_eq!(
        public_key_base64(&key()),
        "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI"
    );
    assert_eq!(
        public_key_base64(&key()),
        public_key_base64(&signing_key_from_seed(&format!("{SEED}=")).unwrap())
    );
}

/// "JSON Signing": `{}`.
#[test]
fn signing_empty_object() {
    assert_eq!(
        signed("{}"),
        r#"{"signatures":{"domain":{"ed25519:1":"K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"}}}"#
    );
}

/// "JSON Signing": `{"one": 1, "two": "Two"}`.
#[test]
fn signing_object_with_data() {
    assert_eq!(
        signed(r#"{ "two": "Two", "one": 1 }"#),
        r#"{"one":1,"signatures":{"domain":{"ed25519:1":"KqmLSbO39/Bzb0QIYE82zqLwsA+PDzYIpIRA2sRQ4sL53+sN6/fpNSoqE7BP7vBZhG6kYdD13EIMJpvhJI+6Bw"}},"two":"Two"}"#
    );
}

fn sign_vector_event(json: &str, version: &RoomVersion) -> Value {
    let mut event = canonical_json::from_str(json).unwrap();
    sign_event(&mut event, version, "domain", "ed25519:1", &key()).unwrap();
    event
}

fn field<'a>(event: &'a Value, a: &str, b: &str) -> &'a str {
    event
        .get(a)
        .and_then(|v| v.get(b))
        .and_then(Value::as_str)
        .unwrap()
}

const MINIMAL_EVENT: &str = r#"{
    "room_id": "!x:domain", "sender": "@a:domain", "origin": "domain",
    "origin_server_ts": 1000000, "signatures": {}, "hashes": {}, "type": "X",
    "content": {}, "prev_events": [], "auth_events": [], "depth": 3,
    "unsigned": {"age_ts": 1000000}
}"#;

const REDACTABLE_EVENT: &str = r#"{
    "content": {"body": "Here is the message content"}, "event_id": "$0:domain",
    "origin": "domain", "origin_server_ts": 1000000, "type": "m.room.message",
    "room_id": "!r:domain", "sender": "@u:domain", "signatures": {},
    "unsigned": {"age_ts": 1000000}
}"#;

/// "Event Signing": the minimally-sized event. The vectors predate room version 11, whose
/// redaction drops `origin`: versions 1–10 give the published signature.
#[test]
fn signing_minimal_event() {
    for version in &mxdag::room_version::ALL[..10] {
        let event = sign_vector_event(MINIMAL_EVENT, version);
        assert_eq!(
            field(&event, "hashes", "sha256"),
            "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"
        );
        let sig = event
            .get("signatures")
            .and_then(|s| s.get("domain"))
            .and_then(|d| d.get("ed25519:1"));
        assert_eq!(
            sig.and_then(Value::as_str),
            Some("KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"),
            "room version {version}"
        );
        let age = event.get("unsigned").and_then(|u| u.get("age_ts"));
        assert_eq!(
            age,
            Some(&Value::Int(1000000)),
            "unsigned is kept untouched"
        );
    }
}

/// "Event Signing": the event with redactable content: the content hash covers the body, the
/// signature only the redacted form.
#[test]
fn signing_redactable_event() {
    let event = sign_vector_event(REDACTABLE_EVENT, &RoomVersion::V1);
    assert_eq!(
        field(&event, "hashes", "sha256"),
        "onLKD1bGljeBWQhWZ1kaP9SorVmRQNdN5aM2JYU2n/g"
    );
    let sig = event
        .get("signatures")
        .and_then(|s| s.get("domain"))
        .and_then(|d| d.get("ed25519:1"));
    assert_eq!(
        sig.and_then(Value::as_str),
        Some("Wm+VzmOUOz08Ds+0NTWb1d4CZrVsJSikkeRxh6aCcUwu6pNC78FunoD7KNWzqFn241eYHYMGCA5McEiVPdhzBA")
    );
    assert_eq!(
        event
            .get("content")
            .and_then(|c| c.get("body"))
            .and_then(Value::as_str),
        Some("Here is the message content")
    );
}

/// Room version 11 no longer keeps `origin` in the redacted form, so the same event gets a
/// different signature (and the content hash, which ignores redaction, stays).
#[test]
fn version_11_signs_without_origin() {
    let event = sign_vector_event(MINIMAL_EVENT, &RoomVersion::V11);
    assert_eq!(
        field(&event, "hashes", "sha256"),
        "5jM4wQpv6lnBo7CLIghJuHdW+s2CMBJPUOGOC89ncos"
    );
    let sig = event
        .get("signatures")
        .and_then(|s| s.get("domain"))
        .and_then(|d| d.get("ed25519:1"))
        .and_then(Value::as_str);
    assert_ne!(sig, Some("KxwGjPSDEtvnFgU00fwFz+l6d2pJM6XBIaMEn81SXPTRl16AqLAYqfIReFGZlHi5KLjAWbOoMszkwsQma+lYAg"));
}
