//! The stages of validation, each run alone over a generated room: what `cargo bench --bench
//! validate` measures natively and the Node benchmark measures in wasm (through the tools
//! build's `ValidationBench`), from the same code.
//!
//! Everything a stage needs is prepared before it runs (the texts, the parsed events, the
//! signed bytes, the signature checks, `/backfill` transactions of 100), so timing one run of
//! a stage times that stage only.

use std::hint::black_box;

use super::GeneratedRoom;
use crate::canonical_json::{self, Object};
use crate::crypto::signatures::{verify_all, SignatureCheck, BATCH_SIZE};
use crate::crypto::KeyRing;
use crate::event::hashes::{content_hash, event_id, signing_bytes};
use crate::event::redaction::redact;
use crate::event::{validate_input, ValidateOptions};
use crate::room_version::RoomVersion;

/// Events per `/backfill` transaction in the full-validation stage (the spec's usual limit).
pub const TRANSACTION_SIZE: usize = 100;

/// One stage of validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Text → canonical JSON tree (strict numbers, duplicate keys refused).
    Parse,
    /// Redaction + reference hash → event ID.
    EventId,
    /// Content hash (SHA-256 of the canonical JSON without `hashes`, `signatures`, `unsigned`).
    ContentHash,
    /// ed25519 signatures one by one (`verify_strict`).
    SignatureSingle,
    /// ed25519 signatures in batches ([`verify_all`]) of one transaction's events, as full
    /// validation checks them.
    SignatureBatch,
    /// ed25519 signatures in batches of [`BATCH_SIZE`], as a worker checks a slice of a file.
    SignatureSlice,
    /// Everything, as `/backfill` transactions of [`TRANSACTION_SIZE`] events: text in,
    /// report out.
    Full,
}

impl Stage {
    /// Every stage, in the order the benchmarks print them.
    pub const ALL: [Stage; 7] = [
        Stage::Parse,
        Stage::EventId,
        Stage::ContentHash,
        Stage::SignatureSingle,
        Stage::SignatureBatch,
        Stage::SignatureSlice,
        Stage::Full,
    ];

    /// The stage's name in benchmark output and in the JS API.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::EventId => "event_id",
            Stage::ContentHash => "content_hash",
            Stage::SignatureSingle => "signature_single",
            Stage::SignatureBatch => "signature_batch",
            Stage::SignatureSlice => "signature_slice",
            Stage::Full => "full",
        }
    }

    /// A longer description for printed tables.
    pub fn description(self) -> &'static str {
        match self {
            Stage::Parse => "parse (canonical JSON tree)",
            Stage::EventId => "event ID (redact + reference hash)",
            Stage::ContentHash => "content hash",
            Stage::SignatureSingle => "signature, one by one (verify_strict)",
            Stage::SignatureBatch => "signature, batched by 100 (verify_all)",
            Stage::SignatureSlice => "signature, batched by 2,048 (a file's slices)",
            Stage::Full => "full validation (transactions of 100)",
        }
    }

    /// The stage named `name` ([`Stage::name`]).
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// A generated room prepared for running each [`Stage`] alone.
pub struct ValidationBench {
    version: RoomVersion,
    texts: Vec<String>,
    objects: Vec<Object>,
    messages: Vec<Vec<u8>>,
    checks: Vec<SignatureCheck>,
    transactions: Vec<String>,
    ring: KeyRing,
}

impl ValidationBench {
    /// Prepares `room` (generated with signatures, no damage) for the stages.
    pub fn new(room: &GeneratedRoom) -> Self {
        let version = room.room_version;
        let texts: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
        let objects: Vec<Object> = room
            .pdus
            .iter()
            .filter_map(|p| p.as_object().cloned())
            .collect();
        let messages = objects
            .iter()
            .map(|o| signing_bytes(&redact(o, &version).event))
            .collect();
        let checks = (0..room.pdus.len())
            .filter_map(|i| room.sender_signature(i))
            .collect();
        let mut ring = KeyRing::new();
        for response in &room.server_keys {
            ring.add_response(response);
        }
        let transactions = texts
            .chunks(TRANSACTION_SIZE)
            .map(|chunk| {
                format!(
                    r#"{{"origin":"matrix.example.org","origin_server_ts":1700000000000,"pdus":[{}]}}"#,
                    chunk.join(",")
                )
            })
            .collect();
        Self {
            version,
            texts,
            objects,
            messages,
            checks,
            transactions,
            ring,
        }
    }

    /// The events as text (canonical JSON), one per PDU.
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The `/backfill` transactions the full stage validates.
    pub fn transactions(&self) -> &[String] {
        &self.transactions
    }

    /// How many of the first `n` signature checks verify, checked in batches of `size`.
    fn verified_in_batches(&self, n: usize, size: usize) -> usize {
        let messages: Vec<&[u8]> = self.messages.iter().map(Vec::as_slice).collect();
        self.checks[..n]
            .chunks(size)
            .map(|batch| {
                verify_all(&messages, batch)
                    .iter()
                    .filter(|ok| **ok)
                    .count()
            })
            .sum()
    }

    /// Runs `stage` over every event, or over the first tenth of its inputs (events, or
    /// transactions for [`Stage::Full`]) when `warm_up`; returns how
    /// many events it accepted (parsed, identified, hashed, verified; for full validation,
    /// not dropped), which for an undamaged room is every event it ran over.
    pub fn run(&self, stage: Stage, warm_up: bool) -> usize {
        let part = |n: usize| if warm_up { n.div_ceil(10) } else { n };
        match stage {
            Stage::Parse => self.texts[..part(self.texts.len())]
                .iter()
                .filter(|t| black_box(canonical_json::from_str(t)).is_ok())
                .count(),
            Stage::EventId => self.objects[..part(self.objects.len())]
                .iter()
                .filter(|o| black_box(event_id(o, &self.version)).is_some())
                .count(),
            Stage::ContentHash => self.objects[..part(self.objects.len())]
                .iter()
                .filter(|o| black_box(content_hash(o)) != [0; 32])
                .count(),
            Stage::SignatureSingle => self.checks[..part(self.checks.len())]
                .iter()
                .filter(|c| {
                    c.key
                        .verify_strict(&self.messages[c.message], &c.signature)
                        .is_ok()
                })
                .count(),
            Stage::SignatureBatch => {
                self.verified_in_batches(part(self.checks.len()), TRANSACTION_SIZE)
            }
            Stage::SignatureSlice => self.verified_in_batches(part(self.checks.len()), BATCH_SIZE),
            Stage::Full => {
                let options = ValidateOptions { via_backfill: true };
                self.transactions[..part(self.transactions.len())]
                    .iter()
                    .filter_map(|t| {
                        validate_input(t, Some(&self.version), &self.ring, &options).ok()
                    })
                    .map(|v| {
                        let counts = &black_box(v).report.counts;
                        counts.total - counts.dropped
                    })
                    .sum()
            }
        }
    }
}
