//! Recognising an input's shape and splitting it into one JSON text per event.
//!
//! Accepted shapes: a transaction `{origin, origin_server_ts, pdus}` (answers of
//! [`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid),
//! MSC4000 `/forwards_fill` and [`/event`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1eventeventid)),
//! a [`/get_missing_events`](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)
//! answer `{events}`, a bare PDU, a JSON array of PDUs, and NDJSON (one PDU per line).
//!
//! The top level is split by a small iterative scanner that only matches brackets and
//! strings, so one broken event (duplicate keys, invalid escapes, 100,000-deep nesting)
//! spoils only itself: each event text is then parsed on its own. A truncated array keeps
//! the events before the cut.

use serde::Serialize;

use super::codes;
use crate::canonical_json::{self, codes as json_codes, Value};
use crate::problem::Problem;

/// The shape an input was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputShape {
    /// `{origin, origin_server_ts, pdus}`: `/backfill`, `/forwards_fill` or `/event`.
    Transaction,
    /// `{events}`: `/get_missing_events`.
    GetMissingEvents,
    /// One bare PDU.
    Pdu,
    /// A JSON array of PDUs.
    Array,
    /// One PDU per line.
    Ndjson,
    /// Nothing usable.
    Unrecognised,
}

/// An input split into events.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitInput {
    /// The recognised shape.
    pub shape: InputShape,
    /// A transaction's `origin`.
    pub origin: Option<String>,
    /// Each event, parsed, or the problem that kept it from parsing.
    pub events: Vec<Result<Value, Problem>>,
    /// Problems with the input as a whole.
    pub problems: Vec<Problem>,
}

/// Where a scan stopped, for messages.
struct ScanError {
    code: &'static str,
    at: usize,
    what: &'static str,
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

fn truncated(at: usize) -> ScanError {
    ScanError {
        code: json_codes::JSON_TRUNCATED,
        at,
        what: "the text ends inside a value",
    }
}

/// Returns the end (exclusive) of the JSON value starting at `start`. Matches brackets with
/// a heap stack, so any nesting depth is fine; scalars are not validated here.
fn scan_value(b: &[u8], start: usize) -> Result<usize, ScanError> {
    let mut stack: Vec<u8> = Vec::new();
    let mut i = start;
    loop {
        let Some(&c) = b.get(i) else {
            return Err(truncated(i));
        };
        match c {
            b'"' => {
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Err(truncated(i)),
                        Some(b'\\') => i += 2,
                        Some(b'"') => break,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
            }
            b'{' | b'[' => {
                stack.push(if c == b'{' { b'}' } else { b']' });
                i += 1;
            }
            b'}' | b']' => {
                if stack.pop() != Some(c) {
                    let what = "a bracket does not match";
                    return Err(ScanError {
                        code: json_codes::JSON_SYNTAX,
                        at: i,
                        what,
                    });
                }
                i += 1;
            }
            _ if stack.is_empty() => {
                // A number or literal at the top: it ends at the next delimiter.
                let delimiter =
                    |c: &u8| matches!(c, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\n' | b'\r');
                return Ok(i + b[i..].iter().position(delimiter).unwrap_or(b.len() - i));
            }
            _ => i += 1,
        }
        if stack.is_empty() {
            return Ok(i);
        }
    }
}

/// Splits a JSON array `[a, b, …]` at `start` into its element texts. On a broken array
/// the elements before the break are returned with the error.
fn split_array(text: &str, start: usize) -> (Vec<&str>, Option<ScanError>) {
    let b = text.as_bytes();
    let mut items = Vec::new();
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b']') {
        return (items, None);
    }
    loop {
        let item_start = skip_ws(b, i);
        let end = match scan_value(b, item_start) {
            Ok(end) => end,
            Err(e) => return (items, Some(e)),
        };
        items.push(&text[item_start..end]);
        i = skip_ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return (items, None),
            None => {
                return (
                    items,
                    Some(ScanError {
                        code: json_codes::JSON_TRUNCATED,
                        at: i,
                        what: "the array is not closed",
                    }),
                )
            }
            Some(_) => {
                return (
                    items,
                    Some(ScanError {
                        code: json_codes::JSON_SYNTAX,
                        at: i,
                        what: "expected `,` or `]`",
                    }),
                )
            }
        }
    }
}

/// A JSON object split into (key, value text) fields.
struct SplitObject<'a> {
    fields: Vec<(String, &'a str)>,
    /// End of the object (exclusive) when it is complete.
    end: Option<usize>,
    /// When the text ends or breaks inside the value of a field: its key and where the
    /// value starts.
    cut: Option<(String, usize)>,
}

/// Splits the JSON object at `start` into its fields, as far as it goes.
fn split_object(text: &str, start: usize) -> SplitObject<'_> {
    let b = text.as_bytes();
    let mut out = SplitObject {
        fields: Vec::new(),
        end: None,
        cut: None,
    };
    let mut i = skip_ws(b, start + 1);
    if b.get(i) == Some(&b'}') {
        out.end = Some(i + 1);
        return out;
    }
    loop {
        let key_start = skip_ws(b, i);
        let Ok(key_end) = scan_value(b, key_start) else {
            return out;
        };
        let Ok(key) = serde_json::from_str::<String>(&text[key_start..key_end]) else {
            return out;
        };
        i = skip_ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return out;
        }
        let value_start = skip_ws(b, i + 1);
        let Ok(value_end) = scan_value(b, value_start) else {
            out.cut = Some((key, value_start));
            return out;
        };
        out.fields.push((key, &text[value_start..value_end]));
        i = skip_ws(b, value_end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => {
                out.end = Some(i + 1);
                return out;
            }
            _ => return out,
        }
    }
}

fn parse_event(text: &str, index: usize) -> Result<Value, Problem> {
    canonical_json::from_str(text).map_err(|e| e.to_problem("$", &format!("Event #{index}")))
}

/// Parses line `line` (1-based, counting blank lines) of NDJSON; a problem names the line
/// of the file and the column within it.
fn parse_line(text: &str, line: usize) -> Result<Value, Problem> {
    canonical_json::from_str(text).map_err(|e| {
        let position = format!(" at line {} column {}", e.line, e.column);
        let reason = e.message.strip_suffix(&position).unwrap_or(&e.message);
        Problem::error(
            e.code,
            "$",
            format!(
                "Line {line} is not usable JSON: {reason} (column {}).",
                e.column
            ),
        )
    })
}

fn scan_problem(e: &ScanError, text: &str, what: &str) -> Problem {
    let before = &text.as_bytes()[..e.at.min(text.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    Problem::error(
        e.code,
        "$",
        format!(
            "{what} is not usable JSON: {} (line {line}, byte {}).",
            e.what, e.at
        ),
    )
}

/// Recognises the shape of `text` and splits it into events.
pub fn split_input(text: &str) -> SplitInput {
    let mut out = SplitInput {
        shape: InputShape::Unrecognised,
        origin: None,
        events: Vec::new(),
        problems: Vec::new(),
    };
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    match b.get(start) {
        None => {
            out.problems.push(Problem::error(
                codes::INPUT_EMPTY,
                "$",
                "The input is empty.",
            ));
        }
        Some(b'[') => {
            out.shape = InputShape::Array;
            let (items, error) = split_array(text, start);
            out.events = items
                .iter()
                .enumerate()
                .map(|(i, t)| parse_event(t, i))
                .collect();
            out.problems
                .extend(error.map(|e| scan_problem(&e, text, "The array of PDUs")));
        }
        Some(b'{') => split_object_input(text, start, &mut out),
        Some(_) => out.problems.push(Problem::error(
            codes::INPUT_NOT_JSON,
            "$",
            "The input is neither a JSON object, a JSON array, nor NDJSON of PDUs.",
        )),
    }
    out
}

fn split_object_input(text: &str, start: usize, out: &mut SplitInput) {
    let b = text.as_bytes();
    let object = split_object(text, start);
    let field = |name: &str| {
        object
            .fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| *v)
    };
    out.origin = field("origin").and_then(|o| serde_json::from_str(o).ok());
    if object.end.is_some_and(|end| skip_ws(b, end) == b.len()) {
        return split_fields(text, &field, out);
    }
    // Not one JSON object: NDJSON when the first line is a JSON value of its own.
    let first_line = text[start..].lines().next().unwrap_or("");
    if first_line.len() < text.len() - start && scan_value(first_line.as_bytes(), 0).is_ok() {
        out.shape = InputShape::Ndjson;
        let lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        out.events = lines.map(|(n, l)| parse_line(l, n + 1)).collect();
        return;
    }
    // A transaction or `{events}` broken or cut short: keep the events read before the
    // break, and report the input's own problem.
    let whole_problem = match canonical_json::from_str(text) {
        Err(e) => e.to_problem("$", "The input"),
        Ok(_) => Problem::error(
            json_codes::JSON_SYNTAX,
            "$",
            "The input is not one JSON object.",
        ),
    };
    let read_list = ["pdus", "events"]
        .into_iter()
        .find_map(|k| field(k).map(|v| (k, v)));
    if let Some((key, list)) = read_list.filter(|(_, v)| v.starts_with('[')) {
        out.shape = list_shape(key).unwrap_or(InputShape::Unrecognised);
        split_list(list, key, out);
        out.problems.push(whole_problem);
        return;
    }
    if let Some((key, value_start)) = &object.cut {
        if let Some(shape) = list_shape(key).filter(|_| b.get(*value_start) == Some(&b'[')) {
            out.shape = shape;
            split_list(&text[*value_start..], key, out);
            return;
        }
    }
    out.problems.push(whole_problem);
}

/// The shape of an object whose list of events is under `key`.
fn list_shape(key: &str) -> Option<InputShape> {
    match key {
        "pdus" => Some(InputShape::Transaction),
        "events" => Some(InputShape::GetMissingEvents),
        _ => None,
    }
}

/// Splits the array text `list` (the value of `key`) into events.
fn split_list(list: &str, key: &str, out: &mut SplitInput) {
    let (items, error) = split_array(list, 0);
    out.events = items
        .iter()
        .enumerate()
        .map(|(i, t)| parse_event(t, i))
        .collect();
    out.problems
        .extend(error.map(|e| scan_problem(&e, list, &format!("`{key}`"))));
}

/// Dispatches a complete top-level object on its fields.
fn split_fields<'a>(text: &str, field: &dyn Fn(&str) -> Option<&'a str>, out: &mut SplitInput) {
    let list = ["pdus", "events"]
        .into_iter()
        .find_map(|k| field(k).map(|v| (k, v)));
    match list {
        Some((key, value)) if value.starts_with('[') => {
            out.shape = list_shape(key).unwrap_or(InputShape::Unrecognised);
            split_list(value, key, out);
        }
        Some((key, _)) => out.problems.push(Problem::error(
            codes::INPUT_SHAPE_UNKNOWN,
            format!("$.{key}"),
            format!("The input's `{key}` must be an array of PDUs."),
        )),
        None if field("type").is_some() || field("sender").is_some() => {
            out.shape = InputShape::Pdu;
            out.events.push(parse_event(text, 0));
        }
        None => out.problems.push(Problem::error(
            codes::INPUT_SHAPE_UNKNOWN,
            "$",
            "The input is a JSON object but neither a transaction (`pdus`), a `/get_missing_events` answer (`events`) nor a PDU (`type`, `sender`).",
        )),
    }
}
