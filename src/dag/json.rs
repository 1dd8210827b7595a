//! Reading a [`DagEvent`] from an event's JSON when the event carries its own `event_id`
//! (room versions 1 and 2 over federation; client-format events, Synapse exports and tardis
//! NDJSON for every version). Events of room version 3 and later as sent over federation
//! carry no ID: those go through [`crate::event`], which computes it from the reference hash.

use serde_json::Value;

use super::codes;
use super::event::DagEvent;
use crate::problem::Problem;

/// Reads the DAG fields of one event. `prev_events` and `auth_events` may be plain IDs (room
/// version 3+) or `[id, {hashes}]` pairs (room versions 1 and 2). The fingerprint is FNV-1a
/// over the event's JSON with sorted keys, so equal events fingerprint equally.
pub fn dag_event_from_json(value: &Value) -> Result<DagEvent, Problem> {
    let obj = value
        .as_object()
        .ok_or_else(|| field_problem("$", "The event is not a JSON object."))?;
    let event_id = obj.get("event_id").and_then(Value::as_str).ok_or_else(|| {
        field_problem(
            "$.event_id",
            "The event carries no event_id string; give the room version so it can be computed.",
        )
    })?;
    let text = |key: &str| obj.get(key).and_then(Value::as_str).map(str::to_owned);
    // JS numbers may arrive as floats with no fraction (through serde-wasm-bindgen).
    let int = |key: &str| {
        let v = obj.get(key);
        v.and_then(Value::as_i64)
            .or_else(|| {
                v.and_then(Value::as_f64)
                    .filter(|f| f.fract() == 0.0)
                    .map(|f| f as i64)
            })
            .unwrap_or(0)
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
        content_fingerprint: DagEvent::fingerprint_of(value.to_string().as_bytes()),
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
            let id = item.as_str().or_else(|| item.get(0).and_then(Value::as_str));
            id.map(str::to_owned).ok_or_else(|| {
                field_problem(
                    &format!("$.{key}[{i}]"),
                    &format!("Event {event_id}: {key}[{i}] is neither an event ID nor an [event ID, hashes] pair."),
                )
            })
        })
        .collect()
}
