//! Signing JSON, as a homeserver does before it sends it (events are signed through
//! [`crate::event::sign_event`], which redacts them first).
//!
//! Spec: [Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json).

use ed25519_dalek::Signer as _;
pub use ed25519_dalek::SigningKey;

use super::codes;
use super::encoding::{base64_unpadded, decode_base64, SIGNING_SKIPPED};
use crate::canonical_json::{self, Object, Value};
use crate::problem::Problem;

/// A signing key from its 32-byte seed in unpadded base64 (as in the spec's test vectors
/// and Synapse's `signing.key`).
pub fn signing_key_from_seed(seed_base64: &str) -> Result<SigningKey, Problem> {
    let bytes = decode_base64(seed_base64.trim())
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
    base64_unpadded(key.verifying_key().as_bytes())
}

/// Signs the canonical JSON of `bytes` and returns the signature in unpadded base64.
pub fn sign_bytes(bytes: &[u8], key: &SigningKey) -> String {
    base64_unpadded(&key.sign(bytes).to_bytes())
}

/// Adds `signature` under `signatures.<server_name>.<key_id>` of `object`.
pub(crate) fn add_signature(
    object: &mut Object,
    server_name: &str,
    key_id: &str,
    signature: String,
) {
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

/// `value` as an object; `not_an_object` otherwise.
pub(crate) fn as_object(value: &mut Value) -> Result<&mut Object, Problem> {
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
