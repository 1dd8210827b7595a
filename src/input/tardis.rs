//! tardis scenario files (matrix-org/tardis, `.json5`): `{tardis_version, room_version,
//! room_id, calculate_event_ids, annotations: {title, titles, events}, events: [...]}`.
//! They are written in JSON5 (comments, trailing commas, continued strings), which the hosts
//! decode into JSON first with a JSON5 library (`www/decode.js`, used by the CLI and the
//! page), so the library wasm carries no JSON5 parser. Their events have
//! made-up IDs (`$CREATE`), no `hashes` and no `signatures`: they are drawn under those IDs
//! and cannot be checked. `room_version` defaults to `"10"` as in tardis, unless an
//! `m.room.create` event names one; `room_id` fills events that have none.

use super::scan::SplitObject;
use super::{Input, InputEvent, InputShape, Origin};
use crate::canonical_json::{self, Value};
use crate::problem::Problem;

/// The room version tardis assumes when a scenario names none.
const DEFAULT_ROOM_VERSION: &str = "10";

/// Fields only a scenario has.
const MARKERS: [&str; 5] = [
    "tardis_version",
    "calculate_event_ids",
    "annotations",
    "precalculated_state_after",
    "on_load_at_start",
];

/// Whether a complete JSON object is a scenario.
pub(super) fn is_scenario(object: &SplitObject) -> bool {
    object.has("events") && MARKERS.iter().any(|k| object.has(k))
}

/// Reads a scenario written in plain JSON.
pub(super) fn read(text: &str, input: &mut Input) {
    match canonical_json::from_str(text) {
        Ok(value) => read_value(&value, input),
        Err(e) => {
            input.shaped(InputShape::TardisScenario);
            input
                .problems
                .push(e.to_problem("$", "The tardis scenario"));
        }
    }
}

fn read_value(scenario: &Value, input: &mut Input) {
    input.shaped(InputShape::TardisScenario);
    let text = |key: &str| scenario.get(key).and_then(Value::as_str);
    let annotations = scenario.get("annotations");
    let note = |id: &str| {
        annotations
            .and_then(|a| a.get("events"))
            .and_then(|e| e.get(id))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    input.title = annotations
        .and_then(|a| a.get("title"))
        .and_then(Value::as_str)
        .map(|t| t.trim().to_owned());
    let Some(events) = scenario.get("events").and_then(Value::as_array) else {
        input.problems.push(Problem::error(
            super::codes::INPUT_SHAPE_UNKNOWN,
            "$.events",
            "The tardis scenario's `events` must be an array of events.",
        ));
        return;
    };
    for (i, event) in events.iter().enumerate() {
        if input.is_full() {
            input.leave_out(events.len() - i);
            break;
        }
        let mut event = event.clone();
        if let (Some(room_id), Some(object)) = (text("room_id"), event.as_object_mut()) {
            if !object.contains_key("room_id") {
                object.insert("room_id", Value::from(room_id));
            }
        }
        let id = event
            .get("event_id")
            .and_then(Value::as_str)
            .map(str::to_owned);
        input.add_event(InputEvent {
            origin: Origin::Scenario,
            annotation: id.as_deref().and_then(note),
            ..InputEvent::plain(format!("events[{i}]"), Ok(event))
        });
    }
    input.room_version = match text("room_version") {
        Some(v) => Some(v.to_owned()),
        None if input.room_version_named().is_some() => None,
        None => Some(DEFAULT_ROOM_VERSION.to_owned()),
    };
}
