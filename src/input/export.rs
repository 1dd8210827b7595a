//! Synapse database exports of a room's events: rows of the `event_json` table, whose
//! `json` column holds the event as Synapse received it (a PDU, without `event_id` from room
//! version 3) and whose `event_id` column holds its ID.
//!
//! - `{event_id, json}` objects, `json` a string (`sqlite3 -json`) or an object
//!   (`psql … row_to_json`), in a JSON array or one per line;
//! - tab-separated rows (`psql -c "COPY … TO STDOUT"`, `sqlite3 -tabs`): the first column
//!   the event ID when it starts with `$`, and the column holding a JSON object with a
//!   `type` the event. PostgreSQL's text-format escapes (`\\`, `\t`, `\n`, `\r`) are undone
//!   when the column does not parse as it stands. Rows of the key tables in the same format
//!   are read as keys (see [`super::keys::from_columns`]).

use super::{codes, keys, Input, InputEvent, InputShape};
use crate::canonical_json::{self, Value};
use crate::problem::Problem;

/// An `event_json` row → its event, with the row's `event_id` as [`InputEvent::row_id`];
/// anything else is an event as it stands.
pub(super) fn unwrap_row(value: Value, label: String) -> InputEvent {
    let row_id = value
        .get("event_id")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let inner = match value.get("json") {
        None => return InputEvent::plain(label, Ok(value)),
        Some(Value::String(json)) => canonical_json::from_str(json)
            .map_err(|e| e.to_problem("$.json", &format!("{label}: the event_json row's `json`"))),
        Some(object @ Value::Object(_)) => Ok(object.clone()),
        Some(other) => Err(Problem::error(
            codes::ROW_UNREADABLE,
            "$.json",
            format!(
                "{label}: the event_json row's `json` is {}, not the event's JSON.",
                other.type_name()
            ),
        )),
    };
    InputEvent {
        row_id,
        ..InputEvent::plain(label, inner)
    }
}

/// Reads tab-separated rows; `false` when `text` has none (no line with a tab that does not
/// start as JSON).
pub(super) fn read_tsv(text: &str, input: &mut Input) -> bool {
    let is_row = |line: &str| line.contains('\t') && !line.trim_start().starts_with(['{', '[']);
    if !text.lines().any(is_row) {
        return false;
    }
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let label = format!("Line {}", n + 1);
        let columns: Vec<&str> = line.split('\t').collect();
        if let Some(json) = columns
            .iter()
            .find(|c| c.starts_with('{') && c.contains("\"type\""))
        {
            if input.is_full() {
                input.leave_out(1);
                continue;
            }
            let event = parse_column(json).map_err(|e| e.to_problem("$", &label));
            let row_id = columns
                .first()
                .filter(|c| c.starts_with('$'))
                .map(|c| (*c).to_owned());
            input.add_event(InputEvent {
                row_id,
                ..InputEvent::plain(label, event)
            });
            continue;
        }
        match keys::from_columns(&columns, &label) {
            Some(Ok(k)) => input.keys.extend(k),
            Some(Err(problem)) => input.problems.push(problem),
            None => input.problems.push(Problem::error(
                codes::ROW_UNREADABLE,
                "$",
                format!("{label}: a tab-separated row with no column holding an event's JSON (an object with a `type`) nor a key."),
            )),
        }
    }
    let shape = match input.events.is_empty() && !input.keys.is_empty() {
        true => InputShape::SynapseKeys,
        false => InputShape::SynapseEventJson,
    };
    input.shaped(shape);
    true
}

/// A JSON column as it stands, or with PostgreSQL's COPY escapes undone.
fn parse_column(column: &str) -> Result<Value, canonical_json::ParseError> {
    canonical_json::from_str(column).or_else(|e| {
        let unescaped = unescape_copy_text(column);
        canonical_json::from_str(&unescaped).map_err(|_| e)
    })
}

/// Undoes PostgreSQL's `COPY … TO` text-format escapes (`\\`, `\t`, `\n`, `\r`).
pub(super) fn unescape_copy_text(column: &str) -> String {
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
