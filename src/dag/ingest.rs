//! Adding whole inputs to a [`RoomDag`]: any shape [`crate::event::input::split_input`]
//! accepts (a `/backfill` or forwards fill transaction, a `/get_missing_events` answer, a
//! JSON array, NDJSON as tardis writes it, a bare PDU), and rows of a Synapse `event_json`
//! export (`{event_id, json}` with the event as a JSON string).
//!
//! With a room version (given, or read from an `m.room.create` event in the input) each event
//! goes through the PDU format check of [`crate::event::pdu`], which computes the event ID
//! for room versions 3 and later; limits that servers must not enforce on backfilled events
//! (20 `prev_events`, 10 `auth_events`) are only warnings here. Without a version, events
//! must carry their `event_id`.

use serde::Serialize;

use super::arena::RoomDag;
use super::event::{DagEvent, Placement};
use super::json::dag_event_from_json;
use crate::canonical_json::{self, Value};
use crate::event::input::{split_input, InputShape};
use crate::event::verdict::room_version_of;
use crate::event::{codes as event_codes, pdu, Pdu};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

impl From<&Pdu> for DagEvent {
    /// The DAG fields of a format-checked PDU. The room of a room version 12 create event is
    /// the one it defines; the fingerprint covers the whole event's canonical JSON.
    fn from(pdu: &Pdu) -> Self {
        DagEvent {
            event_id: pdu.event_id.clone(),
            room_id: pdu.room_id.clone().or_else(|| pdu.create_room_id()),
            prev_events: pdu.prev_events.clone(),
            auth_events: pdu.auth_events.clone(),
            depth: pdu.depth,
            origin_server_ts: pdu.origin_server_ts,
            sender: pdu.sender.clone(),
            event_type: pdu.event_type.clone(),
            state_key: pdu.state_key.clone(),
            content_fingerprint: DagEvent::fingerprint_of(pdu.to_canonical_json().as_bytes()),
        }
    }
}

/// What adding an input did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Ingested {
    /// The shape the input was recognised as.
    pub shape: InputShape,
    /// The room version used, when one was given or found.
    pub room_version: Option<String>,
    /// Events added (or already held).
    pub added: usize,
    /// Events that could not be read or were refused.
    pub refused: usize,
    /// Problems of the input and of refused events (paths prefixed with the event's index).
    pub problems: Vec<Problem>,
}

/// Reads one event for the DAG: through the PDU format check when the room version is known,
/// else from its own `event_id`. A Synapse `event_json` row is unwrapped first.
pub fn read_event(value: Value, version: Option<&RoomVersion>) -> Result<DagEvent, Vec<Problem>> {
    let value = unwrap_synapse_row(value)?;
    let Some(v) = version else {
        return dag_event_from_json(&value).map_err(|p| vec![p]);
    };
    // An event that names its own ID in a version that computes IDs (a client-format event,
    // an export) is read as is; so is any event with an ID that fails the PDU format check,
    // since the DAG needs only its edges.
    let names_id = value.get("event_id").is_some();
    if names_id && !v.event_id_in_event() {
        return dag_event_from_json(&value).map_err(|p| vec![p]);
    }
    let prepared = pdu::prepare(value.clone(), v, true, "The event");
    match prepared.pdu {
        Some(pdu) => Ok(DagEvent::from(&pdu)),
        None if names_id => dag_event_from_json(&value).map_err(|p| vec![p]),
        None => Err(prepared.problems),
    }
}

/// `{event_id, json: "<event>"}` (Synapse's `event_json` table) → the event, with its ID.
fn unwrap_synapse_row(value: Value) -> Result<Value, Vec<Problem>> {
    let Some(json) = value.get("json").and_then(Value::as_str) else {
        return Ok(value);
    };
    let mut inner = canonical_json::from_str(json)
        .map_err(|e| vec![e.to_problem("$.json", "The Synapse event_json row's json")])?;
    if let (Some(id), Value::Object(obj)) =
        (value.get("event_id").and_then(Value::as_str), &mut inner)
    {
        if !obj.contains_key("event_id") {
            obj.insert("event_id", Value::from(id));
        }
    }
    Ok(inner)
}

impl RoomDag {
    /// Adds every event of an input text. `version` is the room version if known; else the
    /// one an `m.room.create` event in the input names; else events must carry `event_id`.
    pub fn add_input(
        &mut self,
        text: &str,
        version: Option<&RoomVersion>,
        placement: Placement,
    ) -> Ingested {
        let split = split_input(text);
        let mut problems = split.problems;
        let found = match room_version_of(&split.events) {
            Some(Ok(v)) => Some(v),
            Some(Err(name)) => {
                problems.push(Problem::warning(
                    event_codes::UNKNOWN_ROOM_VERSION,
                    "$",
                    format!("The input's m.room.create names room version {name}, which mxdag does not know; events must carry event_id."),
                ));
                None
            }
            None => None,
        };
        let version = version.copied().or(found);
        let mut report = Ingested {
            shape: split.shape,
            room_version: version.map(|v| v.id.to_owned()),
            added: 0,
            refused: 0,
            problems,
        };
        let before = self.ingest_findings().len();
        for (i, event) in split.events.into_iter().enumerate() {
            let read = event
                .map_err(|p| vec![p])
                .and_then(|v| read_event(v, version.as_ref()));
            match read.map(|e| self.insert(&e, placement)) {
                Ok(Some(_)) => report.added += 1,
                Ok(None) => report.refused += 1,
                Err(event_problems) => {
                    report.refused += 1;
                    let errors = event_problems.into_iter().filter(Problem::is_error);
                    report.problems.extend(errors.map(|mut p| {
                        p.path = format!("$[{i}]{}", p.path.trim_start_matches('$'));
                        p
                    }));
                }
            }
        }
        report
            .problems
            .extend_from_slice(&self.ingest_findings()[before..]);
        report
    }
}
