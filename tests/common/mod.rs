//! Helpers shared by the integration tests: deterministic server keys, signed key
//! responses, and hand-built signed events for any room version.
#![allow(dead_code)]

use mxdag::canonical_json::{self, Object, Value};
use mxdag::crypto::signing::{public_key_base64, sign_json, SigningKey};
use mxdag::crypto::KeyRing;
use mxdag::event::sign_event;
use mxdag::event::{validate_values, EventReport, ValidateOptions};
use mxdag::room_version::{RoomVersion, ALL};

/// A deterministic key for `server` (the seed is the server name's bytes, padded).
pub fn key_of(server: &str) -> SigningKey {
    let mut seed = [7u8; 32];
    for (i, b) in server.bytes().enumerate().take(32) {
        seed[i] = b;
    }
    SigningKey::from_bytes(&seed)
}

pub const KEY_ID: &str = "ed25519:k1";

/// Parses JSON text into a `Value`, panicking on test typos.
pub fn json(text: &str) -> Value {
    canonical_json::from_str(text).expect("test JSON is valid")
}

/// A `/_matrix/key/v2/server` response for `server`, signed by itself.
pub fn key_response(server: &str, valid_until_ts: i64) -> Value {
    let mut response = json(&format!(
        r#"{{"server_name":"{server}","valid_until_ts":{valid_until_ts},"verify_keys":{{"{KEY_ID}":{{"key":"{}"}}}},"old_verify_keys":{{}}}}"#,
        public_key_base64(&key_of(server))
    ));
    sign_json(&mut response, server, KEY_ID, &key_of(server)).unwrap();
    response
}

/// A key ring holding the keys of `servers`, valid until far in the future.
pub fn ring(servers: &[&str]) -> KeyRing {
    let mut ring = KeyRing::new();
    for s in servers {
        let added = ring.add_response(&key_response(s, i64::MAX / 2));
        assert_eq!(added.added, 1, "{:?}", added.problems);
    }
    ring
}

/// A room ID for `version`: `!room:origin.test`, or a hash-shaped one for v12.
pub fn room_id(version: &RoomVersion) -> String {
    match version.room_id_from_create_event() {
        true => format!("!{}", "A".repeat(43)),
        false => "!room:origin.test".to_owned(),
    }
}

/// A previous-event reference in the version's format.
pub fn reference(version: &RoomVersion, n: usize) -> Value {
    let id = match version.event_format {
        mxdag::room_version::EventFormat::V1 => format!("$prev{n}:origin.test"),
        mxdag::room_version::EventFormat::V3 => format!("${}", "B/".repeat(21) + "C"),
        mxdag::room_version::EventFormat::V4 => format!("${}", "B_".repeat(21) + "C"),
    };
    match version.event_id_in_event() {
        true => json(&format!(r#"["{id}",{{"sha256":"abc"}}]"#)),
        false => Value::String(id),
    }
}

/// An unsigned event of `version` sent by `@alice:{server}` with `content`.
pub fn unsigned_event(
    version: &RoomVersion,
    server: &str,
    event_type: &str,
    state_key: Option<&str>,
    content: Value,
) -> Value {
    let mut e = Object::new();
    e.insert("type", Value::from(event_type));
    e.insert("sender", Value::from(format!("@alice:{server}")));
    e.insert("room_id", Value::from(room_id(version)));
    e.insert("content", content);
    e.insert("depth", Value::Int(12));
    e.insert("origin_server_ts", Value::Int(1_700_000_000_000));
    e.insert("origin", Value::from(server));
    e.insert("prev_events", Value::Array(vec![reference(version, 1)]));
    e.insert("auth_events", Value::Array(vec![reference(version, 2)]));
    e.insert("hashes", Value::Object(Object::new()));
    e.insert("signatures", Value::Object(Object::new()));
    e.insert("unsigned", json(r#"{"age_ts":5}"#));
    if let Some(k) = state_key {
        e.insert("state_key", Value::from(k));
    }
    if version.event_id_in_event() {
        e.insert("event_id", Value::from(format!("$ev1:{server}")));
    }
    Value::Object(e)
}

/// Signs `event` as `server` would.
pub fn signed(mut event: Value, version: &RoomVersion, server: &str) -> Value {
    sign_event(&mut event, version, server, KEY_ID, &key_of(server)).unwrap();
    event
}

/// A signed `m.room.message` of `version` from `origin.test`.
pub fn message(version: &RoomVersion, body: &str) -> Value {
    let content = json(&format!(r#"{{"body":"{body}","msgtype":"m.text"}}"#));
    signed(
        unsigned_event(version, "origin.test", "m.room.message", None, content),
        version,
        "origin.test",
    )
}

/// Every room version.
pub fn versions() -> &'static [RoomVersion] {
    &ALL
}

/// Sets `path` (top-level key, then nested keys) in `value` to `new`.
pub fn set(value: &mut Value, path: &[&str], new: Value) {
    let mut cur = value;
    for key in &path[..path.len() - 1] {
        cur = cur.as_object_mut().unwrap().get_mut(key).unwrap();
    }
    cur.as_object_mut()
        .unwrap()
        .insert(path[path.len() - 1], new);
}

/// Removes the top-level `key` from `value`.
pub fn remove(value: &mut Value, key: &str) {
    value.as_object_mut().unwrap().remove(key);
}

/// The report on one event, given as JSON text, judged as `version` with `keys`.
pub fn judge_one(text: &str, version: &RoomVersion, keys: &KeyRing) -> EventReport {
    let event = canonical_json::from_str(text).expect("the test's event is JSON");
    validate_values(vec![Ok(event)], version, keys, &ValidateOptions::default())
        .report
        .events
        .remove(0)
}
