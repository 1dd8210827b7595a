//! `validateEvents` for JS: judges PDUs and returns the report as a plain object.
//! Wraps [`crate::event::validate_input`].

use wasm_bindgen::prelude::*;

use super::errors::{optional_string_arg, to_js_error};
use super::key_ring::{json_text, to_plain, JsKeyRing};
use crate::event::verdict::room_version_named;
use crate::event::{codes, validate_input, ValidateOptions};
use crate::room_version::RoomVersion;

#[wasm_bindgen(typescript_custom_section)]
const VALIDATE_TYPES: &str = r#"
/** Options of `validateEvents`. */
export interface ValidateOptions {
  /** The events arrived by backfill: the 20 prev / 10 auth event limits become warnings. */
  viaBackfill?: boolean;
}

/** A PDU (server-server API, "PDUs"; fields per room version in the room versions
 *  specification) as a JSON object. Inputs are judged, not trusted: any field may be
 *  missing or of another type, and the report says which. */
export interface Pdu {
  /** Carried only in room versions 1 and 2; computed (reference hash) from version 3. */
  event_id?: string;
  room_id?: string;
  sender?: string;
  type?: string;
  state_key?: string;
  content?: Record<string, unknown>;
  depth?: number;
  origin_server_ts?: number;
  /** Event IDs (room versions 3 and later) or `[event_id, hashes]` pairs (1 and 2). */
  prev_events?: (string | [string, Record<string, string>])[];
  auth_events?: (string | [string, Record<string, string>])[];
  redacts?: string;
  hashes?: { sha256: string };
  /** Server name → key ID → unpadded base64 signature. */
  signatures?: Record<string, Record<string, string>>;
  unsigned?: Record<string, unknown>;
  [field: string]: unknown;
}

/** The verdict on one event after the checks on receipt (format, signatures, content hash,
 *  and in a session the authorization rules): `unchecked` when a signing key is not held or
 *  the event is no PDU (not invalid), `rejected` when a server persists it as rejected
 *  (lenient size limits, v1–10; or it fails the authorization rules against its auth events
 *  or the state before it), `soft_failed` when it passes those but fails them against the
 *  current state of the room. */
export type Verdict = "valid" | "redacted" | "rejected" | "soft_failed" | "unchecked" | "dropped";

/** Verdict counts. */
export interface Counts { total: number; valid: number; redacted: number; rejected: number; soft_failed: number; unchecked: number; dropped: number; }

/** The report on one event. */
export interface EventReport {
  /** Position in the input, from 0. */
  index: number;
  /** Where the event is in the input, as messages name it: `Line 7`, `Event #3`, `chunk[2]`. */
  label: string;
  /** Carried in v1/v2, computed (reference hash) from v3; null when unknown. */
  event_id: string | null;
  verdict: Verdict;
  /** For redacted events: true when the sender pruned it, false when tampered. */
  pruned_by_sender?: boolean;
  problems: Problem[];
}

/** The report on a whole input. */
export interface ValidationReport {
  room_version: string;
  input: InputShape;
  counts: Counts;
  events: EventReport[];
  /** Problems with the input as a whole. */
  problems: Problem[];
  /** Keys needed but not in the key ring: fetch them and validate again. */
  missing_keys: MissingKey[];
}
"#;

fn read_options(options: Option<&js_sys::Object>) -> ValidateOptions {
    let flag = |o: &js_sys::Object, name: &str| {
        js_sys::Reflect::get(o, &JsValue::from_str(name))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    options.map_or_else(ValidateOptions::default, |o| ValidateOptions {
        via_backfill: flag(o, "viaBackfill"),
    })
}

/// Judges PDUs: `pdus` is an array of PDU objects, or JSON text (a string, or its UTF-8
/// bytes as a `Uint8Array`, which skips re-encoding) in any accepted shape (a
/// `/backfill`/`/forwards_fill`/`/event` transaction, a `/get_missing_events` answer, a PDU,
/// an array, NDJSON). `roomVersion` (`"1"`…`"12"`) defaults to the one named by an
/// `m.room.create` event in the input. Throws an `Error` with `code:
/// "unknown_room_version"` when no version is known, `"input_not_json"` when `pdus` cannot
/// be turned into JSON; every problem of the events themselves is in the report. Pass the
/// text as received for exact checks: JS objects have already lost duplicate keys and the
/// difference between `1` and `1.0`.
#[wasm_bindgen(js_name = validateEvents, unchecked_return_type = "ValidationReport")]
pub fn validate_events(
    #[wasm_bindgen(unchecked_param_type = "Pdu[] | string | Uint8Array")] pdus: JsValue,
    #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string | undefined")]
    room_version: JsValue,
    #[wasm_bindgen(js_name = keyRing)] key_ring: &JsKeyRing,
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateOptions")] options: Option<
        js_sys::Object,
    >,
) -> Result<JsValue, JsValue> {
    let room_version = optional_string_arg(&room_version, "roomVersion")?;
    let text = json_text(&pdus, "The PDUs")?;
    super::reserve_heap(text.len());
    let version = match room_version.as_deref() {
        None | Some("") => None,
        Some(id) => Some(RoomVersion::from_id(id).ok_or_else(|| {
            to_js_error(
                codes::UNKNOWN_ROOM_VERSION,
                &format!("Room version {id:?} is not one mxdag knows (1–12)."),
            )
        })?),
    };
    let validation = validate_input(
        &text,
        version.as_ref(),
        key_ring.inner(),
        &read_options(options.as_ref()),
    )
    .map_err(|p| to_js_error(p.code, &p.message))?;
    to_plain(&validation.report)
}

/// The room version the `m.room.create` event in `input` (the text or UTF-8 bytes) names
/// (`"1"` when its content names none), or `undefined` when the input holds no create
/// event. Reads the input as `validateEvents` does, parsing only the items that can be a
/// create event; throws an `Error` with `code: "unknown_room_version"` when the create
/// event names a version mxdag does not know.
#[wasm_bindgen(js_name = roomVersionOf)]
pub fn room_version_of_text(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<Option<String>, JsValue> {
    let text = super::key_ring::input_text(&input, "input")?;
    room_version_named(&crate::input::version_candidates(&text))
        .map(|v| v.map(|v| v.id.to_owned()))
        .map_err(|p| to_js_error(p.code, &p.message))
}

#[cfg(test)]
mod tests {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::super::key_ring::JsKeyRing;
    use super::validate_events;
    use crate::canonical_json::{self, Value};
    use crate::crypto::signing::{public_key_base64, sign_json, signing_key_from_seed};
    use crate::event::sign_event;
    use crate::room_version::RoomVersion;

    const SEED: &str = "YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1";

    fn get(value: &JsValue, path: &[&str]) -> JsValue {
        path.iter().fold(value.clone(), |v, k| {
            js_sys::Reflect::get(&v, &JsValue::from_str(k)).unwrap()
        })
    }

    fn ring() -> JsKeyRing {
        let key = signing_key_from_seed(SEED).unwrap();
        let mut response = canonical_json::from_str(&format!(
            r#"{{"server_name":"domain","valid_until_ts":2000000,"verify_keys":{{"ed25519:1":{{"key":"{}"}}}}}}"#,
            public_key_base64(&key)
        ))
        .unwrap();
        sign_json(&mut response, "domain", "ed25519:1", &key).unwrap();
        let mut ring = JsKeyRing::new();
        let added = ring
            .add_response(JsValue::from_str(&canonical_json::to_string(&response)))
            .unwrap();
        assert_eq!(get(&added, &["added"]).as_f64(), Some(1.0));
        ring
    }

    fn event(body: &str) -> String {
        let mut e = canonical_json::from_str(&format!(
            r#"{{"type":"m.room.message","room_id":"!r:domain","sender":"@u:domain","content":{{"body":"{body}"}},"depth":1,"origin_server_ts":1000000,"prev_events":[],"auth_events":[],"hashes":{{}},"signatures":{{}}}}"#
        ))
        .unwrap();
        let key = signing_key_from_seed(SEED).unwrap();
        sign_event(&mut e, &RoomVersion::V11, "domain", "ed25519:1", &key).unwrap();
        canonical_json::to_string(&e)
    }

    #[test]
    fn key_ring_lists_its_keys() {
        let ring = ring();
        assert_eq!(ring.size(), 1);
        let keys = ring.keys().unwrap();
        assert_eq!(
            get(&keys, &["0", "server_name"]).as_string().as_deref(),
            Some("domain")
        );
        assert_eq!(
            get(&keys, &["0", "valid_until_ts"]).as_f64(),
            Some(2000000.0)
        );
    }

    #[test]
    fn validates_objects_and_text() {
        let ring = ring();
        let objects = js_sys::JSON::parse(&format!("[{},{}]", event("a"), event("b"))).unwrap();
        let report = validate_events(objects, JsValue::from_str("11"), &ring, None).unwrap();
        assert_eq!(get(&report, &["counts", "valid"]).as_f64(), Some(2.0));
        assert_eq!(
            get(&report, &["events", "1", "verdict"])
                .as_string()
                .as_deref(),
            Some("valid")
        );
        let mut tampered = canonical_json::from_str(&event("c")).unwrap();
        if let Some(Value::Object(content)) =
            tampered.as_object_mut().and_then(|o| o.get_mut("content"))
        {
            content.insert("body", Value::from("d"));
        }
        let text = format!("{}\n{}\n", event("a"), canonical_json::to_string(&tampered));
        let report = validate_events(
            JsValue::from_str(&text),
            JsValue::from_str("11"),
            &ring,
            None,
        )
        .unwrap();
        assert_eq!(
            get(&report, &["input"]).as_string().as_deref(),
            Some("ndjson")
        );
        assert_eq!(
            get(&report, &["events", "1", "verdict"])
                .as_string()
                .as_deref(),
            Some("redacted")
        );
        assert_eq!(
            get(&report, &["events", "1", "pruned_by_sender"]).as_bool(),
            Some(false)
        );
    }

    #[test]
    fn errors_carry_codes() {
        let ring = ring();
        let error = validate_events(
            JsValue::from_str(&event("a")),
            JsValue::from_str("13"),
            &ring,
            None,
        )
        .unwrap_err();
        assert!(error.is_instance_of::<js_sys::Error>());
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("unknown_room_version")
        );
        let error = validate_events(
            JsValue::from_str(&event("a")),
            JsValue::UNDEFINED,
            &ring,
            None,
        )
        .unwrap_err();
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("unknown_room_version")
        );
        // A number where the version string belongs is an argument error, not a trap.
        let error = validate_events(
            JsValue::from_str(&event("a")),
            JsValue::from(12),
            &ring,
            None,
        )
        .unwrap_err();
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("invalid_argument")
        );
        assert_eq!(
            get(&error, &["message"]).as_string().as_deref(),
            Some("`roomVersion` must be a string or undefined such as \"12\", not a number.")
        );
        let error = validate_events(
            JsValue::from(js_sys::BigInt::from(1u32)),
            JsValue::from_str("1"),
            &ring,
            None,
        )
        .unwrap_err();
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("input_not_json")
        );
        let not_utf8 = js_sys::Uint8Array::from(&[b'[', 0xff, b']'][..]);
        let error =
            validate_events(not_utf8.into(), JsValue::from_str("1"), &ring, None).unwrap_err();
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("input_not_json")
        );
        let bytes = js_sys::Uint8Array::from(format!("[{}]", event("é")).as_bytes());
        let report = validate_events(bytes.into(), JsValue::from_str("11"), &ring, None).unwrap();
        assert_eq!(get(&report, &["counts", "valid"]).as_f64(), Some(1.0));
        let mut bad = JsKeyRing::new();
        let error = bad
            .add_key("domain".into(), "ed25519:1".into(), "xyz".into(), None)
            .unwrap_err();
        assert_eq!(
            get(&error, &["code"]).as_string().as_deref(),
            Some("key_malformed")
        );
        assert_eq!(bad.size(), 0);
    }

    #[test]
    fn deep_nesting_is_reported_not_fatal() {
        let ring = ring();
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let text = format!(r#"{{"origin":"domain","pdus":[{deep},{}]}}"#, event("ok"));
        let options: js_sys::Object = js_sys::JSON::parse(r#"{"viaBackfill":true}"#)
            .unwrap()
            .unchecked_into();
        let report = validate_events(
            JsValue::from_str(&text),
            JsValue::from_str("11"),
            &ring,
            Some(options),
        )
        .unwrap();
        assert_eq!(
            get(&report, &["events", "0", "problems", "0", "code"])
                .as_string()
                .as_deref(),
            Some("json_too_deep")
        );
        assert_eq!(
            get(&report, &["events", "1", "verdict"])
                .as_string()
                .as_deref(),
            Some("valid")
        );
    }
}
