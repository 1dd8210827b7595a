//! Reading a walking endpoint's response body: a transaction `{origin, origin_server_ts,
//! pdus}` (`/backfill`, forwards fill), `{events}` (`/get_missing_events`), or an error body
//! (see [`super::error_body`]).

use super::answer::Returned;
use super::codes;
use super::contract::{check_readable, check_response, ContractVerdict, ResponseBody};
use super::error_body::ErrorResponse;
use super::request::FederationRequest;
use crate::canonical_json::{self, Value};
use crate::dag::{DagEvent, RoomDag};
use crate::problem::Problem;

/// A response body, read.
#[derive(Clone, Debug, PartialEq)]
pub enum ParsedResponse {
    /// The events (`pdus` or `events`), as JSON, in order.
    Events(Vec<Value>),
    /// An error body.
    Error(ErrorResponse),
}

/// Reads `body` (with the HTTP `status` when known). Either list key is accepted for any
/// endpoint; a missing list or non-JSON body is a [`codes::RESPONSE_SHAPE`] problem.
pub fn parse_response(status: Option<u16>, body: &str) -> Result<ParsedResponse, Problem> {
    let shape = |message: String| Problem::error(codes::RESPONSE_SHAPE, "$", message);
    if let Some(error) = ErrorResponse::classify(status, body) {
        if let Some(ok) = status.filter(|s| (200..300).contains(s)) {
            let errcode = error.errcode.as_deref().unwrap_or("an error");
            return Err(shape(format!(
                "The response has status {ok}, a success, but carries {errcode} instead of the answer's events."
            )));
        }
        return Ok(ParsedResponse::Error(error));
    }
    let value = canonical_json::from_str(body)
        .map_err(|e| shape(format!("The response is not JSON: {}.", e.message)))?;
    let list = match value {
        Value::Object(mut obj) => ["pdus", "events"].iter().find_map(|k| obj.remove(k)),
        _ => None,
    };
    match list {
        Some(Value::Array(events)) => Ok(ParsedResponse::Events(events)),
        _ => Err(shape(
            "The response has neither a pdus nor an events array, nor an errcode.".into(),
        )),
    }
}

/// Reads the answer to a request that names events (`/timestamp_to_event`, MSC4370
/// `/extremities`: [`FederationRequest::names_events`]) and checks it against the contract
/// of `request`: an error body, else a JSON object.
pub fn check_named_text(
    dag: &RoomDag,
    request: &FederationRequest,
    status: Option<u16>,
    body: &str,
) -> ContractVerdict {
    let broken = |message: String| ContractVerdict {
        ok: false,
        ordering: super::AnswerOrdering::None,
        problems: vec![Problem::error(codes::RESPONSE_SHAPE, "$", message)],
    };
    if let Some(error) = ErrorResponse::classify(status, body) {
        if let Some(ok) = status.filter(|s| (200..300).contains(s)) {
            let errcode = error.errcode.as_deref().unwrap_or("an error");
            return broken(format!(
                "The response has status {ok}, a success, but carries {errcode} instead of the answer."
            ));
        }
        return check_response(dag, request, ResponseBody::Error(error));
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(value) if value.is_object() => check_response(dag, request, ResponseBody::Named(&value)),
        Ok(_) => broken(format!(
            "The /{} answer is not a JSON object.",
            request.endpoint()
        )),
        Err(e) => broken(format!("The response is not JSON: {e}.")),
    }
}

/// Reads a response body and checks it against the contract of `request`, turning each event
/// into a [`DagEvent`] with `read` (which computes event IDs for the room version). Events
/// `read` cannot use are reported (their problems, with the path of the event) and left out
/// of the rest of the check.
pub fn check_response_text(
    dag: &RoomDag,
    request: &FederationRequest,
    status: Option<u16>,
    body: &str,
    read: impl Fn(Value) -> Result<DagEvent, Vec<Problem>>,
) -> ContractVerdict {
    if request.names_events() {
        return check_named_text(dag, request, status, body);
    }
    let events = match parse_response(status, body) {
        Err(problem) => {
            return ContractVerdict {
                ok: false,
                ordering: super::AnswerOrdering::None,
                problems: vec![problem],
            };
        }
        Ok(ParsedResponse::Error(error)) => {
            return check_response(dag, request, ResponseBody::Error(error))
        }
        Ok(ParsedResponse::Events(events)) => events,
    };
    let field = if matches!(request, FederationRequest::GetMissingEvents(_)) {
        "events"
    } else {
        "pdus"
    };
    let total = events.len();
    let mut unreadable = Vec::new();
    let mut read_events = Vec::with_capacity(total);
    let mut positions = Vec::with_capacity(total);
    for (i, value) in events.into_iter().enumerate() {
        match read(value) {
            Ok(event) => {
                read_events.push(event);
                positions.push(i);
            }
            Err(problems) => unreadable.extend(problems.into_iter().map(|mut p| {
                p.path = format!("$.{field}[{i}]{}", p.path.trim_start_matches('$'));
                p
            })),
        }
    }
    let returned = Returned {
        positions: &positions,
        total,
    };
    let mut verdict = check_readable(
        dag,
        request,
        ResponseBody::Events(&read_events),
        Some(returned),
    );
    if !unreadable.is_empty() {
        verdict.ok &= !unreadable.iter().any(Problem::is_error);
        unreadable.append(&mut verdict.problems);
        verdict.problems = unreadable;
    }
    verdict
}
