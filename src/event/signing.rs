//! Signing an event as its origin server does before sending it.
//!
//! Spec: [Server-Server API § Signing events](https://spec.matrix.org/v1.16/server-server-api/#signing-events):
//! an event first gets its content hash (`hashes.sha256`), then is redacted, and the
//! redacted form without `signatures` and `unsigned` is signed
//! ([Appendices § Signing JSON](https://spec.matrix.org/v1.16/appendices/#signing-json)).

use super::{hashes, redaction};
use crate::canonical_json::{Object, Value};
use crate::crypto::encoding::base64_unpadded;
use crate::crypto::signing::{add_signature, as_object, sign_bytes, SigningKey};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

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
    let content_hash = base64_unpadded(&hashes::content_hash(object));
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
