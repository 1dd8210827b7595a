//! Adding whole inputs to a [`RoomDag`]: any shape [`crate::event::input::split_input`]
//! accepts (a `/backfill` or forwards fill transaction, a `/get_missing_events` answer, a
//! JSON array, NDJSON as tardis writes it, a bare PDU), and rows of a Synapse `event_json`
//! export: `{event_id, json}` with the event as a JSON string (`sqlite3 -json`), or
//! tab-separated rows (`COPY event_json TO STDOUT`, `sqlite3 -tabs`) whose first column is
//! the event ID and one column the event's JSON (PostgreSQL's text-format backslash escapes
//! are undone when the column does not parse as it stands).
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
            room_id: pdu.fields.room_id.clone().or_else(|| pdu.create_room_id()),
            prev_events: pdu.fields.prev_events.clone(),
            auth_events: pdu.fields.auth_events.clone(),
            depth: pdu.fields.depth,
            origin_server_ts: pdu.fields.origin_server_ts,
            sender: pdu.fields.sender.clone(),
            event_type: pdu.fields.event_type.clone(),
            state_key: pdu.fields.state_key.clone(),
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

/// Reads one event of a federation answer: as [`read_event`], except that a PDU of a room
/// version that computes event IDs (v3+) and names an `event_id` of its own must name its
/// reference hash; an answer could otherwise pass an event off as another. A PDU whose
/// format is broken keeps the ID it names, as in [`read_event`].
pub fn read_answer_event(
    value: Value,
    version: Option<&RoomVersion>,
) -> Result<DagEvent, Vec<Problem>> {
    let value = unwrap_synapse_row(value)?;
    let (Some(v), Value::Object(object)) = (version, &value) else {
        return read_event(value, version);
    };
    let Some(claimed) = object.get("event_id").and_then(Value::as_str) else {
        return read_event(value, version);
    };
    if v.event_id_in_event() {
        return read_event(value, version);
    }
    let mut pdu_form = object.clone();
    pdu_form.remove("event_id");
    match pdu::prepare(Value::Object(pdu_form), v, true, "The event").pdu {
        Some(pdu) if pdu.event_id == claimed => Ok(DagEvent::from(&pdu)),
        Some(pdu) => Err(vec![Problem::error(
            super::codes::EVENT_ID_MISMATCH,
            "$.event_id",
            format!(
                "The event names itself {claimed}, but its reference hash makes it {}.",
                pdu.event_id
            ),
        )]),
        None => read_event(value, version),
    }
}

/// `{event_id, json: "<event>"}` (Synapse's `event_json` table) → the event, with its ID.
fn unwrap_synapse_row(value: Value) -> Result<Value, Vec<Problem>> {
    let Some(json) = value.get("json") else {
        return Ok(value);
    };
    let Some(json) = json.as_str() else {
        return Err(vec![Problem::error(
            super::codes::UNREADABLE_EVENT,
            "$.json",
            "A Synapse event_json row has no event JSON (no column holds a JSON object with a type).",
        )]);
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

/// Reads every event of an input text, calling `take` with each readable event and its
/// canonical JSON text; `take` says whether the event was kept. Returns the report without
/// DAG findings.
pub fn read_input(
    text: &str,
    version: Option<&RoomVersion>,
    mut take: impl FnMut(DagEvent, &Value) -> bool,
) -> Ingested {
    let rows = tsv_rows(text);
    let split = split_input(rows.as_deref().unwrap_or(text));
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
    for (i, event) in split.events.into_iter().enumerate() {
        let read = event.map_err(|p| vec![p]).and_then(|v| {
            let event = read_event(v.clone(), version.as_ref())?;
            Ok((event, v))
        });
        match read.map(|(event, value)| take(event, &value)) {
            Ok(true) => report.added += 1,
            Ok(false) => report.refused += 1,
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
}

/// Tab-separated `event_json` rows rewritten as NDJSON of `{event_id, json}` rows, when
/// `text` has such rows (lines with a tab that do not start as JSON); `None` otherwise.
fn tsv_rows(text: &str) -> Option<String> {
    let is_row = |line: &str| line.contains('\t') && !line.trim_start().starts_with(['{', '[']);
    if !text.lines().any(is_row) {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() + text.len() / 8);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        if !is_row(line) {
            out.extend_from_slice(line.as_bytes());
            out.push(b'\n');
            continue;
        }
        let columns: Vec<&str> = line.split('\t').collect();
        let json = columns
            .iter()
            .find(|c| c.starts_with('{') && c.contains("\"type\""))
            .map(|c| {
                if canonical_json::from_str(c).is_ok() {
                    (*c).to_owned()
                } else {
                    unescape_copy_text(c)
                }
            });
        let row: Vec<(String, Value)> = [
            columns
                .first()
                .filter(|c| c.starts_with('$'))
                .map(|id| ("event_id".to_owned(), Value::from(*id))),
            Some(("json".to_owned(), json.map_or(Value::Null, Value::String))),
        ]
        .into_iter()
        .flatten()
        .collect();
        canonical_json::write(&Value::Object(row.into_iter().collect()), &mut out);
        out.push(b'\n');
    }
    String::from_utf8(out).ok()
}

/// Undoes PostgreSQL's `COPY … TO` text-format escapes (`\\`, `\t`, `\n`, `\r`).
fn unescape_copy_text(column: &str) -> String {
    let mut out = String::with_capacity(column.len());
    let mut chars = column.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// The room version the first of `texts` with an `m.room.create` event names.
pub fn room_version_of_inputs<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<RoomVersion> {
    texts
        .into_iter()
        .find_map(|t| room_version_of(&split_input(t).events).and_then(Result::ok))
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
        let before = self.ingest_findings().len();
        let mut report = read_input(text, version, |event, _| {
            self.insert(&event, placement).is_some()
        });
        report
            .problems
            .extend_from_slice(&self.ingest_findings()[before..]);
        report
    }
}

/// The DAGs of every room found in some inputs, in the order rooms were first seen; events
/// without a room go to the first room.
#[derive(Clone, Debug, Default)]
pub struct Rooms {
    /// One DAG per room.
    pub dags: Vec<RoomDag>,
    by_room: std::collections::HashMap<String, usize>,
}

impl Rooms {
    /// No rooms yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds every event of an input text to the DAG of its room (see [`RoomDag::add_input`]).
    pub fn add_input(
        &mut self,
        text: &str,
        version: Option<&RoomVersion>,
        placement: Placement,
    ) -> Ingested {
        read_input(text, version, |event, _| {
            let slot = match event.room_id.as_deref() {
                Some(room) => match self.by_room.get(room) {
                    Some(&i) => i,
                    None => {
                        self.by_room.insert(room.to_owned(), self.dags.len());
                        self.dags.push(RoomDag::for_room(room));
                        self.dags.len() - 1
                    }
                },
                None if self.dags.is_empty() => {
                    self.dags.push(RoomDag::new());
                    0
                }
                None => 0,
            };
            self.dags[slot].insert(&event, placement).is_some()
        })
    }

    /// The DAG of `room_id`, if any of its events were seen.
    pub fn room(&self, room_id: &str) -> Option<&RoomDag> {
        self.by_room.get(room_id).map(|&i| &self.dags[i])
    }
}

/// The events of `texts` whose IDs are in `wanted`, as canonical JSON text, in the order of
/// `wanted` (the first copy of each; IDs not found are left out). Used to turn a reference
/// answer's IDs back into PDUs.
pub fn pick_events(
    texts: &[&str],
    version: Option<&RoomVersion>,
    wanted: &[String],
) -> Vec<String> {
    let mut found: std::collections::HashMap<&str, Option<String>> =
        wanted.iter().map(|id| (id.as_str(), None)).collect();
    for text in texts {
        read_input(text, version, |event, value| {
            if let Some(slot @ None) = found.get_mut(event.event_id.as_str()) {
                *slot = Some(canonical_json::to_string(value));
            }
            true
        });
    }
    wanted
        .iter()
        .filter_map(|id| found.get_mut(id.as_str()).and_then(Option::take))
        .collect()
}
