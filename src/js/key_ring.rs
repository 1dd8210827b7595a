//! `KeyRing` for JS: servers' public keys from key server responses and notary answers.
//! Wraps [`crate::crypto::KeyRing`].

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::errors::codes::RESULT_NOT_SERIALIZABLE;
use super::errors::{string_arg, to_js_error};
use crate::crypto::keys::{parse_public_key, ServerKey};
use crate::crypto::{codes, KeyRing};
use crate::input::keys::TrustSource;
use crate::json_fields::{self, Fields, Shape};
use crate::problem::Problem;

#[wasm_bindgen(typescript_custom_section)]
const KEY_RING_TYPES: &str = r#"
/** One finding: a stable `code`, the JSON `path` of the field, a human `message`. */
export interface Problem {
  code: string;
  path: string;
  message: string;
  severity: "info" | "warning" | "error";
}

/** What `KeyRing.addResponse` did. */
export interface KeysAdded {
  /** How many keys were added or updated. */
  added: number;
  /** The keys added or updated. */
  keys: KeyInfo[];
  /** Why (parts of) the input were refused, one problem each. */
  problems: Problem[];
}

/** A server's published signing keys: the body of `GET /_matrix/key/v2/server`
 *  (server-server API, "Retrieving server keys"), self-signed by `server_name`. */
export interface ServerKeys {
  server_name: string;
  /** Keys in use: key ID (`ed25519:…`) → unpadded base64 public key. */
  verify_keys: Record<string, { key: string }>;
  /** Keys no longer in use, with when they stopped being used (ms). */
  old_verify_keys?: Record<string, { key: string; expired_ts: number }>;
  /** Until when (ms) the keys may be used. */
  valid_until_ts?: number;
  /** Server name → key ID → unpadded base64 signature. */
  signatures?: Record<string, Record<string, string>>;
}

/** A notary's answer to `POST /_matrix/key/v2/query` or `GET /_matrix/key/v2/query/{serverName}`
 *  (server-server API, "Querying keys through another server"). */
export interface KeyQueryResponse {
  server_keys: ServerKeys[];
}

/** A key held by a `KeyRing`. */
export interface KeyInfo {
  server_name: string;
  key_id: string;
  /** Unpadded base64 ed25519 public key. */
  key: string;
  valid_until_ts: number | null;
  expired_ts: number | null;
  /** Why the key is trusted as given; absent for keys from self-signed responses. */
  trusted?: "trusted_key_servers" | "given" | "server_database";
}
"#;

/// Reads a JSON text, UTF-8 bytes (a `Uint8Array`, e.g. a Node `Buffer`: copied, not
/// re-encoded) or a JS value (turned into JSON with `JSON.stringify`).
pub(crate) fn json_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        return crate::utf8::string_of(bytes.to_vec()).map_err(|e| {
            let message = format!(
                "{what}: the bytes are not UTF-8 (invalid byte at offset {}).",
                e.utf8_error().valid_up_to()
            );
            to_js_error(crate::input::codes::INPUT_NOT_JSON, &message)
        });
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| {
            to_js_error(
                crate::input::codes::INPUT_NOT_JSON,
                &format!("{what} cannot be turned into JSON."),
            )
        })
}

/// Reads an input as received: a string, or its UTF-8 bytes (a `Uint8Array`, copied, not
/// re-encoded). Objects are refused: parsing has already lost what the checks look at.
pub(crate) fn input_text(value: &JsValue, what: &str) -> Result<String, JsValue> {
    if value.as_string().is_none() && value.dyn_ref::<js_sys::Uint8Array>().is_none() {
        return Err(to_js_error(
            super::errors::codes::INVALID_ARGUMENT,
            &format!("`{what}` must be the text or bytes received (a string or a Uint8Array), not a parsed object: parsing loses duplicate keys and the difference between 1 and 1.0."),
        ));
    }
    json_text(value, what)
}

/// Serialises a report-like value to a plain JS object (through JSON, so the shape is the
/// one the CLI prints).
pub(crate) fn to_plain<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value)
        .map_err(|e| to_js_error(RESULT_NOT_SERIALIZABLE, &e.to_string()))?;
    js_sys::JSON::parse(&text)
}

/// Reads a plain JS array of objects of `shape` through JSON, as [`to_plain`] writes one; a
/// JSON text is a string here, not the value it spells.
pub(crate) fn list_from_plain(
    value: &JsValue,
    what: &str,
    shape: &'static Shape,
) -> Result<Vec<Fields>, JsValue> {
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default();
    json_fields::list_from_str(&text, shape).map_err(|e| {
        to_js_error(
            super::errors::codes::INVALID_ARGUMENT,
            &format!("{what}: {e}"),
        )
    })
}

fn problem_error(problem: &Problem) -> JsValue {
    to_js_error(problem.code, &problem.message)
}

/// Public signing keys of Matrix servers, checked against their self-signatures.
#[wasm_bindgen(js_name = KeyRing)]
#[derive(Default)]
pub struct JsKeyRing {
    inner: KeyRing,
}

impl JsKeyRing {
    /// The core key ring.
    pub(crate) fn inner(&self) -> &KeyRing {
        &self.inner
    }
}

#[wasm_bindgen(js_class = KeyRing)]
impl JsKeyRing {
    /// An empty key ring.
    #[wasm_bindgen(constructor)]
    pub fn new() -> JsKeyRing {
        JsKeyRing::default()
    }

    /// Adds the keys of a `GET /_matrix/key/v2/server` response, of an array of them (a
    /// keys file), or of every server in a notary's `/_matrix/key/v2/query` answer
    /// (`{server_keys: [...]}`), given as an object or JSON text. Responses whose
    /// self-signature fails are refused and reported.
    #[wasm_bindgen(js_name = addResponse, unchecked_return_type = "KeysAdded")]
    pub fn add_response(
        &mut self,
        #[wasm_bindgen(
            unchecked_param_type = "ServerKeys | ServerKeys[] | KeyQueryResponse | string | Uint8Array"
        )]
        response: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = json_text(&response, "The key response")?;
        to_plain(&self.inner.add_response_json(&text))
    }

    /// Adds one key the caller trusts without a signed response. Throws an `Error` with
    /// `code: "key_malformed"` when `key` is not unpadded base64 of an ed25519 public key.
    #[wasm_bindgen(js_name = addKey)]
    pub fn add_key(
        &mut self,
        #[wasm_bindgen(js_name = serverName, unchecked_param_type = "string")] server_name: JsValue,
        #[wasm_bindgen(js_name = keyId, unchecked_param_type = "string")] key_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(js_name = validUntilTs)] valid_until_ts: Option<f64>,
    ) -> Result<(), JsValue> {
        let server_name = string_arg(&server_name, "serverName")?;
        let key_id = string_arg(&key_id, "keyId")?;
        let parsed = parse_public_key(&string_arg(&key, "key")?).ok_or_else(|| {
            problem_error(&Problem::error(codes::KEY_MALFORMED, "$", format!("{server_name}'s key {key_id} is not unpadded base64 of a usable ed25519 public key.")))
        })?;
        self.inner.insert(ServerKey {
            server_name,
            key_id,
            key: parsed,
            valid_until_ts: valid_until_ts.map(|t| t as i64),
            expired_ts: None,
            trusted: Some(TrustSource::Given),
        });
        Ok(())
    }

    /// Every key held, sorted by server then key ID.
    #[wasm_bindgen(unchecked_return_type = "KeyInfo[]")]
    pub fn keys(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.keys())
    }

    /// How many keys are held.
    #[wasm_bindgen(getter)]
    pub fn size(&self) -> usize {
        self.inner.len()
    }
}
