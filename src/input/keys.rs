//! Keys an input carries, in every form a user has them:
//!
//! - `GET /_matrix/key/v2/server` responses and notary answers (`{server_keys: [...]}`)
//!   ([spec](https://spec.matrix.org/v1.16/server-server-api/#retrieving-server-keys)):
//!   used only when their self-signature verifies;
//! - keys trusted as given: Synapse's `trusted_key_servers` list (`[{server_name,
//!   verify_keys: {key_id: base64}}]`, alone or under `trusted_key_servers`), lines
//!   `SERVER_NAME KEY_ID BASE64`, and the rows of Synapse's key tables: `server_keys_json`
//!   (`key_json`, a key response as fetched, read as a response) and
//!   `server_signature_keys` (`verify_key`, the raw key, trusted: it is the server's own
//!   record of keys it verified).
//!
//! Keys are only gathered here; [`crate::crypto::KeyRing`] checks and holds them.

use base64::Engine;
use serde::Serialize;

use super::{codes, Input, InputShape};
use crate::canonical_json::{self, Value};
use crate::problem::Problem;

/// A key an input carries.
#[derive(Clone, Debug, PartialEq)]
pub enum KeyInput {
    /// A server keys object (`/_matrix/key/v2/server`, one of a notary's `server_keys`, or a
    /// `server_keys_json` row's `key_json`): its keys count only if it is self-signed.
    Response {
        /// Where it was in the input, for messages.
        label: String,
        /// The keys object.
        response: Value,
    },
    /// A key taken as given.
    Trusted(TrustedKey),
}

/// A public key the user trusts without a self-signed response.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TrustedKey {
    /// The server the key belongs to.
    pub server_name: String,
    /// The key ID, e.g. `ed25519:auto`.
    pub key_id: String,
    /// The public key, unpadded base64 as given (checked by the key ring).
    pub key: String,
    /// Until when the key is valid, when the source says.
    pub valid_until_ts: Option<i64>,
    /// Where the trust comes from.
    pub source: TrustSource,
}

/// Why a key is trusted as given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TrustSource {
    /// Synapse's `trusted_key_servers` configuration.
    TrustedKeyServers,
    /// Given by the user: a `SERVER_NAME KEY_ID BASE64` line (`--trusted-key`, the page's
    /// Keys dialog) or `KeyRing.addKey`.
    Given,
    /// A row of a homeserver's `server_signature_keys` table.
    ServerDatabase,
}

impl TrustSource {
    /// The source in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::TrustedKeyServers => "trusted_key_servers",
            Self::Given => "a key given as trusted",
            Self::ServerDatabase => "the homeserver's server_signature_keys table",
        }
    }
}

/// The key-only shape that describes `keys`.
pub(super) fn shape_of(keys: &[KeyInput]) -> InputShape {
    match keys.first() {
        Some(KeyInput::Trusted(k)) if k.source == TrustSource::ServerDatabase => {
            InputShape::SynapseKeys
        }
        Some(KeyInput::Trusted(_)) => InputShape::TrustedKeys,
        _ => InputShape::ServerKeys,
    }
}

/// The keys `value` holds, `None` when it is not a key input at all; `Err` when it is one
/// but unusable.
pub(super) fn from_value(value: &Value, label: &str) -> Option<Result<Vec<KeyInput>, Problem>> {
    let object = value.as_object()?;
    if let Some(list) = object.get("server_keys") {
        let list = list.as_array().map(Vec::as_slice).unwrap_or_default();
        let responses = list
            .iter()
            .enumerate()
            .map(|(i, response)| KeyInput::Response {
                label: format!("{label}: server_keys[{i}]"),
                response: response.clone(),
            });
        return Some(Ok(responses.collect()));
    }
    if let Some(list) = object.get("trusted_key_servers") {
        let items = list.as_array().map(Vec::as_slice).unwrap_or_default();
        let mut keys = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match trusted_entry(item, &format!("{label}: trusted_key_servers[{i}]")) {
                Ok(k) => keys.extend(k),
                Err(p) => return Some(Err(p)),
            }
        }
        return Some(Ok(keys));
    }
    if object.contains_key("server_name") && object.contains_key("verify_keys") {
        let all_strings = object
            .get("verify_keys")
            .and_then(Value::as_object)
            .is_some_and(|keys| !keys.is_empty() && keys.iter().all(|(_, k)| k.as_str().is_some()));
        if all_strings {
            return Some(trusted_entry(value, label));
        }
        return Some(Ok(vec![KeyInput::Response {
            label: label.to_owned(),
            response: value.clone(),
        }]));
    }
    if let Some(key_json) = object.get("key_json") {
        return Some(key_json_response(key_json, label).map(|k| vec![k]));
    }
    if object.contains_key("verify_key") && object.contains_key("key_id") {
        return Some(signature_key_row(value, label).map(|k| vec![k]));
    }
    None
}

fn unreadable(label: &str, why: &str) -> Problem {
    Problem::error(codes::KEY_INPUT_UNREADABLE, "$", format!("{label}: {why}"))
}

/// One `trusted_key_servers` entry: `{server_name, verify_keys: {key_id: base64}}`.
fn trusted_entry(entry: &Value, label: &str) -> Result<Vec<KeyInput>, Problem> {
    let server = entry
        .get("server_name")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            unreadable(
                label,
                "a trusted_key_servers entry has no string `server_name`.",
            )
        })?;
    let Some(verify_keys) = entry.get("verify_keys").and_then(Value::as_object) else {
        let what = match entry.get("verify_keys") {
            Some(_) => "has a `verify_keys` that is no object of key IDs to base64 keys",
            None => "names no `verify_keys`",
        };
        return Err(unreadable(
            label,
            &format!("the trusted_key_servers entry of {server} {what}, so there is no key to trust (Synapse fetches its keys instead; give its /_matrix/key/v2/server response)."),
        ));
    };
    verify_keys
        .iter()
        .map(|(key_id, key)| {
            let key = key.as_str().ok_or_else(|| {
                unreadable(
                    label,
                    &format!("{server}'s key {key_id} is not a base64 string."),
                )
            })?;
            Ok(KeyInput::Trusted(TrustedKey {
                server_name: server.to_owned(),
                key_id: key_id.to_owned(),
                key: key.to_owned(),
                valid_until_ts: None,
                source: TrustSource::TrustedKeyServers,
            }))
        })
        .collect()
}

/// A `server_keys_json` row: its `key_json` is a keys object as fetched (JSON text, a JSON
/// object, or PostgreSQL `bytea` hex `\x…`).
fn key_json_response(key_json: &Value, label: &str) -> Result<KeyInput, Problem> {
    let response = match key_json {
        Value::Object(_) => key_json.clone(),
        Value::String(text) => {
            let text = match hex_bytes(text) {
                Some(bytes) => String::from_utf8(bytes).map_err(|_| {
                    unreadable(label, "`key_json` is hex of bytes that are not UTF-8.")
                })?,
                None => text.clone(),
            };
            canonical_json::from_str(&text)
                .map_err(|e| e.to_problem("$.key_json", &format!("{label}: `key_json`")))?
        }
        other => {
            return Err(unreadable(
                label,
                &format!("`key_json` is {}, not a key response.", other.type_name()),
            ))
        }
    };
    Ok(KeyInput::Response {
        label: label.to_owned(),
        response,
    })
}

/// A `server_signature_keys` row: `server_name`, `key_id`, `ts_valid_until_ms` and the raw
/// `verify_key` (hex, `\x` hex, or base64).
fn signature_key_row(row: &Value, label: &str) -> Result<KeyInput, Problem> {
    let text = |k: &str| row.get(k).and_then(Value::as_str);
    let (Some(server_name), Some(key_id), Some(key)) =
        (text("server_name"), text("key_id"), text("verify_key"))
    else {
        return Err(unreadable(
            label,
            "a server_signature_keys row needs string `server_name`, `key_id` and `verify_key` columns.",
        ));
    };
    Ok(KeyInput::Trusted(TrustedKey {
        server_name: server_name.to_owned(),
        key_id: key_id.to_owned(),
        key: raw_key_base64(key),
        valid_until_ts: row.get("ts_valid_until_ms").and_then(Value::as_i64),
        source: TrustSource::ServerDatabase,
    }))
}

/// A raw key column as unpadded base64: hex (with or without `\x`) is converted, anything
/// else is taken as base64 already.
fn raw_key_base64(column: &str) -> String {
    match hex_bytes(column).filter(|b| b.len() == 32) {
        Some(bytes) => base64::engine::general_purpose::STANDARD_NO_PAD.encode(bytes),
        None => column.trim_end_matches('=').to_owned(),
    }
}

/// The bytes of PostgreSQL `bytea` hex output (`\x…`, or `\\x…` as COPY escapes it) or of
/// plain hex of an even length of at least 64 digits; `None` otherwise.
fn hex_bytes(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("\\\\x")
        .or_else(|| text.strip_prefix("\\x"))
        .or_else(|| (text.len() >= 64).then_some(text))?;
    if digits.len() % 2 != 0 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).ok())
        .collect()
}

/// Keys in the columns of a tab-separated row of a key table: a `server_keys_json` row (a
/// `bytea` column holding a keys object) or a `server_signature_keys` row (`server_name`,
/// `key_id`, …, `ts_valid_until_ms`, `verify_key`). `None` when the row holds no key.
pub(super) fn from_columns(
    columns: &[&str],
    label: &str,
) -> Option<Result<Vec<KeyInput>, Problem>> {
    if let Some(json) = columns.iter().find_map(|c| {
        let bytes = hex_bytes(c)?;
        let text = String::from_utf8(bytes).ok()?;
        text.contains("verify_keys").then_some(text)
    }) {
        return Some(key_json_response(&Value::String(json), label).map(|k| vec![k]));
    }
    let key_id_at = columns.iter().position(|c| c.starts_with("ed25519:"))?;
    let key = columns
        .iter()
        .rev()
        .find(|c| hex_bytes(c).is_some_and(|b| b.len() == 32))?;
    let server_name = key_id_at.checked_sub(1).map(|i| columns[i])?;
    let valid_until_ts = columns.iter().filter_map(|c| c.parse::<i64>().ok()).max();
    Some(Ok(vec![KeyInput::Trusted(TrustedKey {
        server_name: server_name.to_owned(),
        key_id: columns[key_id_at].to_owned(),
        key: raw_key_base64(key),
        valid_until_ts,
        source: TrustSource::ServerDatabase,
    })]))
}

/// Reads `SERVER_NAME KEY_ID BASE64` lines (blank lines and `#` comments skipped); `false`
/// when the text's first such line does not have that form.
pub(super) fn read_key_lines(text: &str, input: &mut Input) -> bool {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .peekable();
    if lines.peek().is_none_or(|(_, l)| key_line(l).is_none()) {
        return false;
    }
    for (n, line) in lines {
        match key_line(line) {
            Some(key) => input.keys.push(KeyInput::Trusted(key)),
            None => input.problems.push(unreadable(
                &format!("Line {}", n + 1),
                "is not `SERVER_NAME KEY_ID BASE64` (e.g. `example.org ed25519:auto <unpadded base64 public key>`).",
            )),
        }
    }
    input.shaped(InputShape::TrustedKeys);
    true
}

/// One `SERVER_NAME KEY_ID BASE64` line.
fn key_line(line: &str) -> Option<TrustedKey> {
    let mut words = line.split_whitespace();
    let (server_name, key_id, key) = (words.next()?, words.next()?, words.next()?);
    if words.next().is_some() || !key_id.starts_with("ed25519:") {
        return None;
    }
    Some(TrustedKey {
        server_name: server_name.to_owned(),
        key_id: key_id.to_owned(),
        key: key.trim_end_matches('=').to_owned(),
        valid_until_ts: None,
        source: TrustSource::Given,
    })
}
