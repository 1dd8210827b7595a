//! An event as an input carried it, reduced to the PDU it stands for — the one rule every
//! entry point (check, dag, the page, the JS API) applies before hashing anything.
//!
//! Over federation a room version 3+ PDU carries no `event_id`
//! ([spec: room version 3, event IDs](https://spec.matrix.org/v1.16/rooms/v3/#event-ids)),
//! but exports, client-API answers and database queries add one. The redaction algorithm of
//! room versions 1–10 keeps a top-level `event_id`, so hashing such an event *with* the key
//! gives a wrong ID and a failed signature. The client API also adds legacy copies at the
//! top level (`age`, `user_id`, `prev_content`, … — Synapse's client format v1), which
//! change the content hash. All of these are set aside here; the ID the input wrote is kept
//! to compare with the one computed from the reference hash.
//!
//! Events that carry neither `hashes` nor `signatures` but an ID (the plain client format),
//! and tardis scenario events, are not PDUs: they are identified by the ID they carry and
//! cannot be checked. In a federation answer every event is judged as a PDU.

use super::codes;
use crate::canonical_json::{Object, Value};
use crate::input::Origin;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Top-level keys the client API adds to an event (Synapse's client format v1 copies them
/// from `unsigned` or `sender`). They are never part of a PDU that current servers send.
pub const CLIENT_KEYS: [&str; 7] = [
    "age",
    "invite_room_state",
    "knock_room_state",
    "prev_content",
    "redacted_because",
    "replaces_state",
    "user_id",
];

/// What kind of event an input item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// A PDU: it carries `hashes` or `signatures` and is checked in full.
    Pdu,
    /// A client-format event: neither `hashes` nor `signatures`.
    Client,
    /// A tardis scenario event: a made-up ID, neither `hashes` nor `signatures`.
    Scenario,
}

/// An event reduced to its PDU.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// The event without the keys that are not part of the PDU.
    pub event: Object,
    /// The ID the input named: the event's own `event_id` (set aside from room version 3),
    /// else the ID beside it (an export's column).
    pub written_id: Option<String>,
    /// Client keys set aside, with their values: restored if the content hash matches only
    /// with them (a very old event that was signed with such a key).
    pub client_keys: Vec<(String, Value)>,
    /// What kind of event it is.
    pub form: Form,
    /// Problems found while reducing it (an ID beside the event contradicting its own).
    pub problems: Vec<Problem>,
}

impl Received {
    /// Reduces `event` for `version`. `row_id` is an ID given beside the event; `label`
    /// names the event in messages.
    pub fn reduce(
        mut event: Object,
        version: &RoomVersion,
        row_id: Option<String>,
        origin: Origin,
        label: &str,
    ) -> Self {
        let own_id = event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let signed = event.contains_key("hashes") || event.contains_key("signatures");
        let identified = own_id.is_some() || row_id.is_some();
        let form = match origin {
            Origin::Scenario => Form::Scenario,
            Origin::Plain if !signed && identified => Form::Client,
            _ => Form::Pdu,
        };
        let mut problems = Vec::new();
        if let (Some(own), Some(row)) = (&own_id, &row_id) {
            if own != row {
                problems.push(Problem::error(
                    codes::EVENT_ID_MISMATCH,
                    "$.event_id",
                    format!("{label}: the export's event_id column names {row}, but the event names itself {own}."),
                ));
            }
        }
        let mut removed = Vec::new();
        let mut client_keys = Vec::new();
        if form == Form::Pdu {
            if !version.event_id_in_event() && event.remove("event_id").is_some() {
                removed.push("event_id".to_owned());
            }
            for key in CLIENT_KEYS {
                if let Some(value) = event.remove(key) {
                    removed.push(key.to_owned());
                    client_keys.push((key.to_owned(), value));
                }
            }
        }
        if !removed.is_empty() {
            let keys = removed
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            problems.push(Problem::info(
                codes::NON_PDU_KEYS_SET_ASIDE,
                "$",
                format!("{label}: {keys} are not part of a room version {version} PDU (exports and the client API add them); they were set aside before hashing and verifying."),
            ));
        }
        Received {
            event,
            written_id: own_id.or(row_id),
            client_keys,
            form,
            problems,
        }
    }

    /// Why an event that is not a PDU cannot be checked (`None` for a PDU).
    pub fn not_checkable(&self, label: &str) -> Option<Problem> {
        let id = self.written_id.as_deref();
        Some(match (self.form, id) {
            (Form::Pdu, _) => return None,
            (_, None) => Problem::error(
                codes::EVENT_NOT_IDENTIFIABLE,
                "$",
                format!("{label}: carries neither `hashes`, `signatures` nor an `event_id`, so it can be neither checked nor placed in the DAG."),
            ),
            (Form::Scenario, Some(id)) => Problem::warning(
                codes::SCENARIO_EVENT,
                "$",
                format!("{label} ({id}) is a tardis scenario event: a made-up ID and no hashes or signatures, so it is drawn but cannot be checked."),
            ),
            (_, Some(id)) => Problem::warning(
                codes::CLIENT_FORMAT_EVENT,
                "$",
                format!("{label} ({id}) is in the client-API format (no `hashes`, no `signatures`), so its ID, hashes and signatures cannot be checked; it is drawn under the ID the input gives. Export it in the federation format (filter `\"event_format\": \"federation\"`, or Synapse's event_json table) to check it."),
            ),
        })
    }
}

/// The problem of an event whose written ID is not the one its content hashes to; `None`
/// when they agree or nothing was written.
pub fn id_mismatch(written: Option<&str>, computed: &str, label: &str) -> Option<Problem> {
    let written = written.filter(|w| *w != computed)?;
    Some(Problem::error(
        codes::EVENT_ID_MISMATCH,
        "$.event_id",
        format!("{label}: the input names the event {written}, but its content hashes to {computed}; it is held as {computed}."),
    ))
}
