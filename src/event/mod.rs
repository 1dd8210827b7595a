//! Events (PDUs): format, redaction, hashes and event IDs, and the verdict of the checks a
//! server performs on receipt.
//!
//! Spec: [Server-Server API § PDUs](https://spec.matrix.org/v1.16/server-server-api/#pdus) and
//! [§ Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu).
//!
//! # Using it from the rest of the crate
//!
//! - [`parse_pdu`] / [`parse_pdu_value`] / [`pdu_from_value`]: one event → a format-checked
//!   [`Pdu`] with its event ID (or every problem, when one is an error). No signature or
//!   content hash check.
//! - [`validate_input`]: any accepted input text (a `/backfill`, `/forwards_fill` or
//!   `/event` transaction, a `/get_missing_events` answer, a PDU, an array, NDJSON) + a
//!   [`crate::crypto::KeyRing`] → a [`Validation`]: the [`Report`] (a [`Verdict`] and
//!   problems per event, counts, keys to fetch) and the [`Pdu`] of every event not dropped
//!   (the redacted form for `redacted` ones). The room version is given or read from an
//!   `m.room.create` in the input ([`verdict::room_version_of`]).
//! - [`validate_values`]: the same for events already parsed.
//! - [`hashes`]: content hash, reference hash, event IDs, v12 room IDs;
//!   [`redaction::redact`] and [`redaction::write_signing_bytes`].
//! - [`mod@format`]: the PDU limits as constants (`MAX_PDU_BYTES`, …) and ID grammar helpers.
//!
//! Per event, the canonical JSON is written twice and no more: once without `hashes`,
//! `signatures` and `unsigned` (content hash and size limit), once redacted without
//! `signatures` and `unsigned` (reference hash, event ID and signatures).

pub mod codes;
pub mod fingerprint;
pub mod format;
pub mod hashes;
pub mod pdu;
pub mod received;
pub mod redaction;
pub mod report;
pub mod signing;
pub mod verdict;

pub use format::PduFields;
pub use pdu::{Pdu, Plain};
pub use report::{EventReport, Outcome, Report, Verdict};
pub use signing::sign_event;
pub use verdict::{
    judge_apart, validate_events, validate_input, validate_values, Judged, Known, ValidateOptions,
    Validation,
};

use crate::canonical_json::{self, Value};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Parses one PDU from JSON text and checks its format for `version`: duplicate keys,
/// floats (v6+), missing or mistyped fields, limits (not as a backfilled event). Returns the
/// [`Pdu`] with its event ID, or every problem when one of them is an error. Signatures and
/// the content hash are not checked (see [`validate_input`]).
pub fn parse_pdu(json: &str, version: &RoomVersion) -> Result<Pdu, Vec<Problem>> {
    match canonical_json::from_str(json) {
        Ok(value) => pdu_from_value(value, version),
        Err(e) => Err(vec![e.to_problem("$", "The event")]),
    }
}

/// [`parse_pdu`] for an event already parsed by serde_json (which cannot report duplicate
/// keys: the last one is kept).
pub fn parse_pdu_value(
    value: serde_json::Value,
    version: &RoomVersion,
) -> Result<Pdu, Vec<Problem>> {
    pdu_from_value(Value::from(value), version)
}

/// [`parse_pdu`] for an event held as a [`Value`].
pub fn pdu_from_value(value: Value, version: &RoomVersion) -> Result<Pdu, Vec<Problem>> {
    let prepared = pdu::prepare_value(value, version, false, "The event");
    prepared.pdu.map(|pdu| *pdu).ok_or(prepared.problems)
}
