//! Damage done to a generated room after signing, as real federation traffic has it.
//!
//! - Events pruned for history visibility: a server sends the events the requester may not
//!   see in their redacted form (Server-Server API, "Retrieving events" and "Backfilling":
//!   such events are redacted, not dropped), so the content hash fails while the signature,
//!   which covers the redacted form, still verifies. The target of the room's
//!   `m.room.redaction` is sent redacted too, as servers send redacted events.
//! - One tampered event: its content changed after signing (the content hash fails, and its
//!   content is not the redacted form).
//! - One bad signature: the sending server's signature replaced by one over other bytes.

use serde::{Deserialize, Serialize};

use super::keys::ServerSigningKey;
use super::prng::SplitMix64;
use super::shape::{EventKind, RoomShape};
use crate::canonical_json::{Object, Value};
use crate::crypto::signing::sign_bytes;
use crate::event::redaction::redact;
use crate::room_version::RoomVersion;

/// Which damage to do. Field names are camelCase when read from JS.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Damage {
    /// Number of messages sent pruned, as for history visibility.
    pub pruned: u32,
    /// Whether one message is tampered with after signing.
    pub tampered: bool,
    /// Whether one message carries a bad signature.
    pub bad_signature: bool,
}

/// Which events (indices into the PDUs) were damaged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DamageReport {
    /// Messages sent pruned for history visibility.
    pub pruned: Vec<u32>,
    /// The target of the room's redaction, sent redacted.
    pub redacted: Option<u32>,
    /// The tampered message.
    pub tampered: Option<u32>,
    /// The message with a bad signature.
    pub bad_signature: Option<u32>,
}

/// Damages `pdus` as `damage` asks, choosing distinct messages at random.
pub fn apply_damage(
    pdus: &mut [Value],
    shape: &RoomShape,
    version: &RoomVersion,
    damage: &Damage,
    keys: &[ServerSigningKey],
    seed: u64,
) -> DamageReport {
    let mut report = DamageReport::default();
    let mut rng = SplitMix64::derive(seed, 3);
    report.redacted = shape.events.iter().find_map(|e| match e.kind {
        EventKind::Redaction(target) => Some(target),
        _ => None,
    });
    let mut messages: Vec<u32> = (0..shape.events.len() as u32)
        .filter(|&i| {
            shape.events[i as usize].kind == EventKind::Message && Some(i) != report.redacted
        })
        .collect();
    let mut take = || -> Option<u32> {
        (!messages.is_empty()).then(|| messages.swap_remove(rng.index(messages.len())))
    };
    report.tampered = if damage.tampered { take() } else { None };
    report.bad_signature = if damage.bad_signature { take() } else { None };
    report.pruned = (0..damage.pruned).map_while(|_| take()).collect();
    report.pruned.sort_unstable();

    for &index in report.pruned.iter().chain(&report.redacted) {
        if let Some(Value::Object(event)) = pdus.get_mut(index as usize) {
            *event = redact(event, version).event;
        }
    }
    if let Some(Value::Object(event)) = report.tampered.and_then(|i| pdus.get_mut(i as usize)) {
        if let Some(Value::Object(content)) = event.get_mut("content") {
            let body = content
                .get("body")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let changed = format!("{body} (changed in transit)");
            content.insert("body", changed.into());
        }
    }
    if let Some(index) = report.bad_signature {
        let key = &keys[usize::from(shape.events[index as usize].server)];
        if let Some(Value::Object(event)) = pdus.get_mut(index as usize) {
            let bad = sign_bytes(b"a different event", &key.key);
            replace_signature(event, key, bad);
        }
    }
    report
}

fn replace_signature(event: &mut Object, key: &ServerSigningKey, signature: String) {
    if let Some(Value::Object(signatures)) = event.get_mut("signatures") {
        if let Some(Value::Object(by_server)) = signatures.get_mut(&key.server_name) {
            by_server.insert(key.key_id.clone(), signature.into());
        }
    }
}
