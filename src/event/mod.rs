//! Events (PDUs): format, redaction, hashes and event IDs, and the verdict of the checks a
//! server performs on receipt.
//!
//! Spec: [Server-Server API § PDUs](https://spec.matrix.org/v1.16/server-server-api/#pdus) and
//! [§ Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu).
//!
//! # Using it from the rest of the crate
//!
//! - [`parse_pdu`] / [`parse_pdu_value`]: one event → a format-checked [`Pdu`] with its event
//!   ID (or the problems that make it unusable). No signature check.
//! - [`verdict::validate_events`]: many events + a [`crate::crypto::KeyRing`] → a
//!   [`report::Report`] with a verdict per event (valid / redacted / dropped), plus the
//!   [`Pdu`]s of the usable ones. Signatures are verified in one batch.
//! - [`input::split_input`]: any accepted input text (transaction, `{events}`, bare PDU,
//!   array, NDJSON) → one raw text per event.
//! - [`hashes`]: content hash, reference hash, event IDs; [`redaction::redact`].

pub mod codes;
pub mod format;
pub mod hashes;
pub mod input;
pub mod pdu;
pub mod redaction;
pub mod report;
pub mod verdict;

pub use pdu::Pdu;
pub use report::{EventReport, Report, Verdict};
pub use verdict::{validate_input, validate_values, ValidateOptions, Validation};

use crate::canonical_json::{self, Value};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Parses one PDU from JSON text and checks its format for `version`: duplicate keys,
/// floats (v6+), missing or mistyped fields, limits (not as a backfilled event). Returns the
/// [`Pdu`] with its event ID, or every problem when one of them is an error. Signatures and
/// the content hash are not checked (see [`verdict::validate_events`]).
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
    let prepared = pdu::prepare(value, version, false, "The event");
    prepared.pdu.ok_or(prepared.problems)
}
