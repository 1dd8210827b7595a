//! Signing JSON and events, as a homeserver does before it sends them.
//!
//! Spec: [Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json)
//! and [Server-Server API § Signing events](https://spec.matrix.org/v1.16/server-server-api/#signing-events):
//! an event first gets its content hash (`hashes.sha256`), then is redacted, and the
//! redacted form without `signatures` and `unsigned` is signed.

use ed25519_dalek::Signer as _;
pub use ed25519_dalek::SigningKey;

use super::codes;
use crate::canonical_json::{self, Object, Value};
use crate::event::hashes::{self, SIGNING_SKIPPED};
use crate::event::redaction;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// A signing key from its 32-byte seed in unpadded base64 (as in the spec's test vectors
/// and Synapse's `signing.key`).
pub fn signing_key_from_seed(seed_base64: &str) -> Result<SigningKey, Problem> {
    let bytes = hashes::decode_base64(seed_base64.trim())
        .ok_or_else(|| bad_key("the seed is not unpadded base64"))?;
    let seed: [u8; 32] = bytes.try_into().map_err(|b: Vec<u8>| {
        bad_key(&format!(
            "the seed is {} bytes, an ed25519 seed is 32",
            b.len()
        ))
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Reads a Synapse `signing.key` file: lines `ed25519 <version> <seed>`; returns every key as
/// (key ID `ed25519:<version>`, key). Blank lines are skipped.
pub fn parse_signing_key_file(text: &str) -> Result<Vec<(String, SigningKey)>, Problem> {
    let mut keys = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let parts: Vec<&str> = line.split_whitespace().collect();
        match parts.as_slice() {
            ["ed25519", version, seed] => {
                keys.push((format!("ed25519:{version}"), signing_key_from_seed(seed)?))
            }
            _ => {
                return Err(bad_key(&format!(
                    "line {} is not `ed25519 <key version> <seed>`",
                    n + 1
                )))
            }
        }
    }
    if keys.is_empty() {
        return Err(bad_key("the file holds no key"));
    }
    Ok(keys)
}

fn bad_key(why: &str) -> Problem {
    Problem::error(
        codes::SIGNING_KEY_MALFORMED,
        "$",
        format!("Signing key cannot be read: {why}."),
    )
}

/// The public half of `key` in unpadded base64, as `verify_keys` lists it.
pub fn public_key_base64(key: &SigningKey) -> String {
    hashes::base64_unpadded(key.verifying_key().as_bytes())
}

/// Signs the canonical JSON of `bytes` and returns the signature in unpadded base64.
pub fn sign_bytes(bytes: &[u8], key: &SigningKey) -> String {
    hashes::base64_unpadded(&key.sign(bytes).to_bytes())
}

fn add_signature(object: &mut Object, server_name: &str, key_id: &str, signature: String) {
    let mut signatures = match object.remove("signatures") {
        Some(Value::Object(o)) => o,
        _ => Object::new(),
    };
    let mut by_server = match signatures.remove(server_name) {
        Some(Value::Object(o)) => o,
        _ => Object::new(),
    };
    by_server.insert(key_id, Value::String(signature));
    signatures.insert(server_name, Value::Object(by_server));
    object.insert("signatures", Value::Object(signatures));
}

fn as_object(value: &mut Value) -> Result<&mut Object, Problem> {
    value.as_object_mut().ok_or_else(|| {
        Problem::error(
            codes::NOT_AN_OBJECT,
            "$",
            "Only a JSON object can be signed.",
        )
    })
}

/// Signs a JSON object: signs the canonical JSON of it without `signatures` and `unsigned`,
/// and adds the signature under `signatures.<server_name>.<key_id>`.
pub fn sign_json(
    value: &mut Value,
    server_name: &str,
    key_id: &str,
    key: &SigningKey,
) -> Result<(), Problem> {
    let object = as_object(value)?;
    let mut bytes = Vec::with_capacity(512);
    canonical_json::write_object_except(object, &SIGNING_SKIPPED, &mut bytes);
    add_signature(object, server_name, key_id, sign_bytes(&bytes, key));
    Ok(())
}

/// Hashes and signs an event for `version`, as its origin server would: sets
/// `hashes.sha256` to the content hash, then signs the redacted event. Returns the event ID
/// (the event's own `event_id` in v1/v2, the reference hash from v3; `None` for a v1/v2
/// event without one).
pub fn sign_event(
    event: &mut Value,
    version: &RoomVersion,
    server_name: &str,
    key_id: &str,
    key: &SigningKey,
) -> Result<Option<String>, Problem> {
    let object = as_object(event)?;
    let content_hash = hashes::base64_unpadded(&hashes::content_hash(object));
    let mut hash_object = match object.remove("hashes") {
        Some(Value::Object(o)) => o,
        _ => Object::new(),
    };
    hash_object.insert("sha256", Value::String(content_hash));
    object.insert("hashes", Value::Object(hash_object));

    let redacted = redaction::redact(object, version).event;
    let bytes = hashes::signing_bytes(&redacted);
    add_signature(object, server_name, key_id, sign_bytes(&bytes, key));
    Ok(match version.event_id_in_event() {
        true => object
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        false => hashes::event_id_from_reference_hash(&hashes::sha256(&bytes), version),
    })
}
