//! Client-API answers that carry whole events: Synapse returns PDUs from the client API
//! when the filter says `"event_format": "federation"`
//! ([spec: filtering](https://spec.matrix.org/v1.16/client-server-api/#filtering)), and
//! its admin API does the same for a room's messages, context and state.
//!
//! - `/context/{eventId}` ([spec](https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidcontexteventid)):
//!   `events_before`, `event`, `events_after` (timeline) and `state`;
//! - `/messages` ([spec](https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidmessages)):
//!   `chunk` (timeline) and `state`;
//! - `/sync` ([spec](https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3sync)):
//!   `rooms.{join,leave}.{roomId}.timeline.events` and `state.events`;
//! - a room's state as Synapse's admin API gives it: `{state: [...]}`.
//!
//! State entries are held without their place in the timeline (outliers): a client answer
//! lists the state *at* an event, not the events just before it.

use super::scan::{split_array, SplitObject};
use super::{classify, parse_item, Input, InputShape, Item, Section};
use crate::canonical_json::{self, Value};

/// Reads a client-API answer; `false` when `object` is not one.
pub(super) fn read(object: &SplitObject, input: &mut Input) -> bool {
    let shape = if object.has("events_before") || object.has("events_after") {
        InputShape::ClientContext
    } else if object.has("chunk") {
        InputShape::ClientMessages
    } else if object.has("rooms") && !object.has("type") {
        InputShape::ClientSync
    } else if object.has("state") && object.fields.len() == 1 {
        InputShape::ClientState
    } else {
        return false;
    };
    input.shaped(shape);
    if shape == InputShape::ClientSync {
        read_sync(object.field("rooms").unwrap_or("null"), input);
        return true;
    }
    for (key, section) in [
        ("events_before", Section::Timeline),
        ("event", Section::Timeline),
        ("events_after", Section::Timeline),
        ("chunk", Section::Timeline),
        ("state", Section::State),
    ] {
        let Some(text) = object.field(key) else {
            continue;
        };
        if key == "event" {
            push(
                parse_item(text, key.to_owned()),
                key.to_owned(),
                section,
                input,
            );
        } else {
            read_section(text, key, section, input);
        }
    }
    true
}

/// One list of events (`chunk`, `state`, …) of a client answer.
fn read_section(text: &str, key: &str, section: Section, input: &mut Input) {
    read_list(text, key, input, |input, value, label| {
        push(value, label, section, input)
    });
}

/// The array `text`, the value of `key`, item by item: `each(input, item, label)` for
/// `key[0]`, `key[1]`, … up to the most events an input holds; a problem when it is no
/// array.
pub(super) fn read_list(
    text: &str,
    key: &str,
    input: &mut Input,
    mut each: impl FnMut(&mut Input, Result<Value, super::Problem>, String),
) {
    if !text.starts_with('[') {
        if text != "null" {
            input.problems.push(super::Problem::error(
                super::codes::INPUT_SHAPE_UNKNOWN,
                canonical_json::path_key("$", key),
                format!("The input's `{key}` must be an array of events."),
            ));
        }
        return;
    }
    let (items, error) = split_array(text, 0);
    for (i, item) in items.iter().enumerate() {
        if input.is_full() {
            input.leave_out(items.len() - i);
            break;
        }
        let label = format!("{key}[{i}]");
        each(input, parse_item(item, label.clone()), label);
    }
    input
        .problems
        .extend(error.map(|e| e.to_problem(text, &format!("`{key}`"))));
}

/// One event of a client answer or export, held in `section`, or what else the item is.
pub(super) fn push(
    value: Result<Value, super::Problem>,
    label: String,
    section: Section,
    input: &mut Input,
) {
    match classify(value, label) {
        Item::Event(mut e) => {
            e.section = section;
            input.add_event(*e);
        }
        other => input.push(other),
    }
}

/// `rooms.{join,leave,…}.{roomId}`: each room's `timeline.events` and `state.events`.
fn read_sync(rooms: &str, input: &mut Input) {
    let rooms = match canonical_json::from_str(rooms) {
        Ok(v) => v,
        Err(e) => {
            input
                .problems
                .push(e.to_problem("$.rooms", "The /sync answer's `rooms`"));
            return;
        }
    };
    let Some(kinds) = rooms.as_object() else {
        return;
    };
    for (kind, by_room) in kinds.iter() {
        for (room_id, room) in by_room.as_object().into_iter().flat_map(|o| o.iter()) {
            for (part, section) in [("state", Section::State), ("timeline", Section::Timeline)] {
                let events = room.get(part).and_then(|p| p.get("events"));
                for (i, event) in events
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let label = format!("rooms.{kind}.{room_id}.{part}.events[{i}]");
                    push(Ok(with_room(event.clone(), room_id)), label, section, input);
                }
            }
        }
    }
}

/// A `/sync` event without `room_id` (the client format leaves it out) gets its room's.
fn with_room(mut event: Value, room_id: &str) -> Value {
    if let Some(object) = event.as_object_mut() {
        if !object.contains_key("room_id") && !object.contains_key("hashes") {
            object.insert("room_id", Value::from(room_id));
        }
    }
    event
}
