//! Reading a [`DagEvent`] from an event's JSON under an ID the input gives it: events that
//! are no PDU (client format, tardis scenarios), whose IDs cannot be computed. PDUs go
//! through [`crate::event`], which computes their IDs.

use super::codes;
use super::event::DagEvent;
use crate::canonical_json::{Object, Value};
use crate::problem::Problem;

/// Reads the DAG fields of one event that carries its own `event_id`.
pub fn dag_event_from_json(value: &Value) -> Result<DagEvent, Problem> {
    let event_id = value
        .get("event_id")
        .and_then(Value::as_str)
        .ok_or_else(|| {
            field_problem(
            "$.event_id",
            "The event carries no event_id string; give the room version so it can be computed.",
        )
        })?;
    let obj = value
        .as_object()
        .ok_or_else(|| field_problem("$", "The event is not a JSON object."))?;
    dag_event_with_id(event_id, obj)
}

/// Reads the DAG fields of one event under `event_id`. `prev_events` and `auth_events` may
/// be plain IDs (room version 3+) or `[id, {hashes}]` pairs (room versions 1 and 2); see
/// [`DagEvent::fingerprint_of_event`] for the fingerprint.
pub fn dag_event_with_id(event_id: &str, obj: &Object) -> Result<DagEvent, Problem> {
    dag_event_with_fingerprint(event_id, obj, DagEvent::fingerprint_of_event(obj))
}

/// [`dag_event_with_id`] for an event whose fingerprint is known.
pub(crate) fn dag_event_with_fingerprint(
    event_id: &str,
    obj: &Object,
    content_fingerprint: u64,
) -> Result<DagEvent, Problem> {
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    // JS numbers may arrive as floats with no fraction.
    let int = |key: &str| match obj.get(key) {
        Some(Value::Int(i)) => *i,
        Some(Value::Float(f)) if f.fract() == 0.0 => *f as i64,
        _ => 0,
    };
    Ok(DagEvent {
        event_id: event_id.to_owned(),
        room_id: text("room_id"),
        prev_events: id_list(obj.get("prev_events"), event_id, "prev_events")?,
        auth_events: id_list(obj.get("auth_events"), event_id, "auth_events")?,
        depth: int("depth"),
        origin_server_ts: int("origin_server_ts"),
        sender: text("sender").unwrap_or_default(),
        event_type: text("type").unwrap_or_default(),
        state_key: text("state_key"),
        content_fingerprint,
    })
}

fn field_problem(path: &str, message: &str) -> Problem {
    Problem::error(codes::UNREADABLE_EVENT, path, message)
}

/// A list of event IDs, or of `[id, {hashes}]` pairs.
fn id_list(value: Option<&Value>, event_id: &str, key: &str) -> Result<Vec<String>, Problem> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let items = value.as_array().ok_or_else(|| {
        field_problem(
            &format!("$.{key}"),
            &format!("Event {event_id}: {key} is not an array."),
        )
    })?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let pair_id = item.as_array().and_then(|pair| pair.first()).and_then(Value::as_str);
            let id = item.as_str().or(pair_id);
            id.map(str::to_owned).ok_or_else(|| {
                field_problem(
                    &format!("$.{key}[{i}]"),
                    &format!("Event {event_id}: {key}[{i}] is neither an event ID nor an [event ID, hashes] pair."),
                )
            })
        })
        .collect()
}
