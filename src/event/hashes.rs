//! Content hashes, reference hashes and event IDs.
//!
//! Spec: [Server-Server API § Calculating the content hash for an event](https://spec.matrix.org/v1.16/server-server-api/#calculating-the-content-hash-for-an-event),
//! [§ Calculating the reference hash for an event](https://spec.matrix.org/v1.16/server-server-api/#calculating-the-reference-hash-for-an-event),
//! and "Event IDs" of [room version 3](https://spec.matrix.org/v1.16/rooms/v3/#event-ids) and
//! [room version 4](https://spec.matrix.org/v1.16/rooms/v4/#event-ids); room IDs of
//! [room version 12](https://spec.matrix.org/v1.16/rooms/v12/#room-ids).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::redaction;
use crate::canonical_json::{self, Object, Value};
use crate::crypto::encoding::{base64_unpadded, SIGNING_SKIPPED};
use crate::room_version::{EventFormat, RoomVersion};

/// Top-level keys the content hash leaves out.
pub const CONTENT_HASH_SKIPPED: [&str; 3] = ["hashes", "signatures", "unsigned"];

/// SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The content hash of `event`: SHA-256 of its canonical JSON without `hashes`,
/// `signatures` and `unsigned`.
pub fn content_hash(event: &Object) -> [u8; 32] {
    let mut bytes = Vec::with_capacity(1024);
    canonical_json::write_object_except(event, &CONTENT_HASH_SKIPPED, &mut bytes);
    sha256(&bytes)
}

/// The bytes that signatures cover and the reference hash digests: the canonical JSON of
/// the *redacted* event without `signatures` and `unsigned`.
pub fn signing_bytes(redacted_event: &Object) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(512);
    canonical_json::write_object_except(redacted_event, &SIGNING_SKIPPED, &mut bytes);
    bytes
}

/// The reference hash of `event` for `version`: SHA-256 of [`signing_bytes`] of its
/// redacted form.
pub fn reference_hash(event: &Object, version: &RoomVersion) -> [u8; 32] {
    sha256(&signing_bytes(&redaction::redact(event, version).event))
}

/// Encodes a reference hash as an event ID for a v3+ version: `$` + unpadded base64,
/// standard alphabet in v3, URL-safe from v4. Returns `None` for v1/v2, whose IDs are not
/// derived from the hash.
pub fn event_id_from_reference_hash(hash: &[u8; 32], version: &RoomVersion) -> Option<String> {
    match version.event_format {
        EventFormat::V1 => None,
        EventFormat::V3 => Some(format!("${}", base64_unpadded(hash))),
        EventFormat::V4 => Some(format!("${}", URL_SAFE_NO_PAD.encode(hash))),
    }
}

/// The event ID of `event`: the `event_id` it carries in v1/v2, else computed from the
/// reference hash. `None` for a v1/v2 event without a string `event_id`.
pub fn event_id(event: &Object, version: &RoomVersion) -> Option<String> {
    match version.event_format {
        EventFormat::V1 => event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => event_id_from_reference_hash(&reference_hash(event, version), version),
    }
}

/// Room version 12: the room ID a create event defines, `!` + its reference hash in
/// URL-safe unpadded base64.
pub fn room_id_from_create_event(create_event: &Object, version: &RoomVersion) -> String {
    format!(
        "!{}",
        URL_SAFE_NO_PAD.encode(reference_hash(create_event, version))
    )
}
