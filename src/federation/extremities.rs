//! MSC4370 `GET /_matrix/federation/unstable/org.matrix.msc4370/extremities/{roomId}`
//! ([MSC4370](https://github.com/matrix-org/matrix-spec-proposals/pull/4370); Synapse serves
//! it with `experimental_features: {msc4370_enabled: true}`): the room's forward extremities
//! as the server holds them, answered as `{prev_events: [...]}` — the events a new event of
//! the server would list in its `prev_events`. A room can then be opened from its ID alone.
//!
//! The reference answer is the forward extremities of the DAG held. The contract check:
//! `prev_events` is a non-empty list of distinct event ID strings (a room has at least one
//! forward extremity); a named event that a held timeline event lists in its `prev_events`
//! is not a forward extremity (an error when the DAG held has no gap, so that it is the
//! room as a whole; a warning otherwise, as the server may not hold that successor); events
//! not held are noted, to be fetched with `/event`; held forward extremities the answer does
//! not name are noted as information (the server may not hold them yet).

use std::collections::HashSet;

use serde_json::Value;

use super::codes;
use crate::dag::{Children, NodeIndex, RoomDag};
use crate::problem::Problem;

/// How many event IDs a message lists before saying "and N more".
const LISTED: usize = 5;

/// Reads the `prev_events` of an answer's JSON object; a missing list or a non-string entry
/// is a [`codes::RESPONSE_SHAPE`] problem at its path.
pub fn read(body: &Value) -> Result<Vec<String>, Problem> {
    let list = body
        .get("prev_events")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Problem::error(
                codes::RESPONSE_SHAPE,
                "$.prev_events",
                "The answer needs prev_events, the room's forward extremities, as an array of event IDs.",
            )
        })?;
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                // The value as `{v}` writes it, without the pretty-printing `{v:#}` brings in.
                let v = serde_json::to_string(v).unwrap_or_default();
                Problem::error(
                    codes::RESPONSE_SHAPE,
                    format!("$.prev_events[{i}]"),
                    format!("prev_events[{i}] is {v}, not an event ID string."),
                )
            })
        })
        .collect()
}

/// The reference answer: the forward extremities of the DAG held.
pub fn reference_answer(dag: &RoomDag) -> Vec<NodeIndex> {
    dag.forward_extremities()
}

/// The contract check of a success answer's JSON object, against the DAG held.
pub(crate) fn check(held: &RoomDag, body: &Value) -> Vec<Problem> {
    let named = match read(body) {
        Ok(named) => named,
        Err(problem) => return vec![problem],
    };
    if named.is_empty() {
        return vec![Problem::error(
            codes::NO_EXTREMITIES,
            "$.prev_events",
            "prev_events is empty, but every room has at least one forward extremity.",
        )];
    }
    let complete = held.node_count() > 0 && held.gaps().is_empty();
    let children = Children::build(held, true);
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut not_held = Vec::new();
    for (i, id) in named.iter().enumerate() {
        let path = format!("$.prev_events[{i}]");
        if !seen.insert(id.as_str()) {
            problems.push(Problem::error(
                codes::DUPLICATE_EVENT,
                path,
                format!("Event {id} appears more than once in prev_events."),
            ));
            continue;
        }
        let Some(n) = held.index_of(id).filter(|&n| held.is_held(n)) else {
            not_held.push(id.as_str());
            continue;
        };
        if !held.is_timeline(n) || !held.is_referenced(n) {
            continue;
        }
        let successor = children
            .of(n)
            .iter()
            .find(|&&c| held.is_timeline(c))
            .map_or_else(String::new, |&c| held.event_id(c));
        problems.push(if complete {
            Problem::error(
                codes::NOT_AN_EXTREMITY,
                path,
                format!("Event {id} is not a forward extremity: held event {successor} lists it in prev_events, and the DAG held has no gap."),
            )
        } else {
            Problem::warning(
                codes::EXTREMITY_UNPROVEN,
                path,
                format!("Event {id} is not a forward extremity of the DAG held (held event {successor} lists it in prev_events); the server may not hold {successor}."),
            )
        });
    }
    if !not_held.is_empty() {
        problems.push(Problem::info(
            codes::EVENT_NOT_HELD,
            "$.prev_events",
            format!(
                "{} of the {} events named are not held: fetch them (/event) to check they exist in the room: {}.",
                not_held.len(),
                named.len(),
                listed(&not_held)
            ),
        ));
    }
    let unnamed: Vec<String> = reference_answer(held)
        .into_iter()
        .map(|n| held.event_id(n))
        .filter(|id| !seen.contains(id.as_str()))
        .collect();
    if !unnamed.is_empty() {
        let ids: Vec<&str> = unnamed.iter().map(String::as_str).collect();
        problems.push(Problem::info(
            codes::EXTREMITY_NOT_NAMED,
            "$.prev_events",
            format!(
                "{} forward extremities of the DAG held are not named (the server may not hold them yet): {}.",
                ids.len(),
                listed(&ids)
            ),
        ));
    }
    problems
}

/// The first few IDs, then how many more.
fn listed(ids: &[&str]) -> String {
    let shown = ids[..ids.len().min(LISTED)].join(", ");
    match ids.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_non_string_entry_is_named_as_json_writes_it() {
        let entries = [
            serde_json::json!(1),
            serde_json::json!(-2.5e300),
            serde_json::json!(null),
            serde_json::json!({"b": [true, "\u{1}é\"\\"], "a": {}}),
            serde_json::json!([]),
        ];
        for v in entries {
            let problem = read(&serde_json::json!({ "prev_events": ["$ok", v] })).unwrap_err();
            assert_eq!(problem.path, "$.prev_events[1]");
            assert_eq!(
                problem.message,
                format!("prev_events[1] is {v}, not an event ID string.")
            );
        }
    }
}
