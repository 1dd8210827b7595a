//! An event's fingerprint: a digest equal for copies of one event and different for a
//! changed copy, which lets the DAG tell "the same event again" from "the same event ID with
//! other content" (room versions 1 and 2 allow that: their IDs are not derived from the
//! content). Written here, beside the content hash it shares its one pass of canonical JSON
//! with, and used by [`crate::dag::DagEvent`].

use sha2::Digest;

use crate::canonical_json::{self, Object};

/// Top-level keys left out of an event's fingerprint: what differs between copies of one
/// event without changing it (`unsigned`, extra `signatures`, and the client API's copies of
/// `unsigned` and `sender`), sorted.
pub const SKIPPED: [&str; 9] = [
    "age",
    "invite_room_state",
    "knock_room_state",
    "prev_content",
    "redacted_because",
    "replaces_state",
    "signatures",
    "unsigned",
    "user_id",
];

/// FNV-1a's offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The fingerprint of an event: FNV-1a over its canonical JSON without [`SKIPPED`], so two
/// copies of one event agree and a changed copy does not.
pub fn of_event(event: &Object) -> u64 {
    let mut bytes = Vec::with_capacity(1024);
    canonical_json::write_object_except(event, &SKIPPED, &mut bytes);
    of_bytes(&bytes)
}

/// A 64-bit fingerprint of arbitrary bytes (FNV-1a).
pub fn of_bytes(bytes: &[u8]) -> u64 {
    fingerprint_on(FNV_OFFSET, bytes)
}

/// FNV-1a of `bytes`, going on from `hash`.
fn fingerprint_on(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// The canonical JSON of an event and its [fingerprint](of_event), written once: the
/// fingerprint goes over the same bytes but for the members it skips. When given, `content`
/// is fed the bytes of the content hash (the same JSON without
/// [`super::hashes::CONTENT_HASH_SKIPPED`]).
pub fn canonical_and_fingerprint(
    event: &Object,
    mut content: Option<&mut sha2::Sha256>,
) -> (String, u64) {
    let mut out = Vec::with_capacity(1024);
    out.push(b'{');
    let mut hash = fingerprint_on(FNV_OFFSET, b"{");
    let (mut fingerprinted, mut hashed) = (0, 0);
    if let Some(sha) = content.as_deref_mut() {
        sha.update(b"{");
    }
    for (i, (key, value)) in event.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let member = out.len();
        canonical_json::write_str(key, &mut out);
        out.push(b':');
        canonical_json::write(value, &mut out);
        if !SKIPPED.contains(&key) {
            if fingerprinted > 0 {
                hash = fingerprint_on(hash, b",");
            }
            fingerprinted += 1;
            hash = fingerprint_on(hash, &out[member..]);
        }
        if let Some(sha) = content.as_deref_mut() {
            if !super::hashes::CONTENT_HASH_SKIPPED.contains(&key) {
                sha.update(if hashed > 0 {
                    &out[member - 1..]
                } else {
                    &out[member..]
                });
                hashed += 1;
            }
        }
    }
    out.push(b'}');
    hash = fingerprint_on(hash, b"}");
    if let Some(sha) = content {
        sha.update(b"}");
    }
    // Canonical JSON of an object whose strings are UTF-8 is UTF-8.
    (crate::utf8::string_of(out).unwrap_or_default(), hash)
}
