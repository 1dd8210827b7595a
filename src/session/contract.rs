//! The contract check of an answer the session takes: judged against the DAG of its room as
//! held before the answer, with the events as the session read them (one parse).

use super::report::Contract;
use super::RoomSession;
use crate::dag::{DagEvent, Placeable, RoomDag};
use crate::event::codes as event_codes;
use crate::event::report::Report;
use crate::federation::answer::Returned;
use crate::federation::contract::{check_readable, check_response, ResponseBody};
use crate::federation::error_body::ErrorResponse;
use crate::federation::{
    check_named_text, codes as fed_codes, AnswerOrdering, ContractVerdict, FederationRequest,
};
use crate::input::InputShape;
use crate::problem::Problem;

impl RoomSession {
    /// The contract verdict of an answer to `request`, against the DAG of its room as held
    /// before the answer.
    pub(super) fn contract(
        &self,
        request: &FederationRequest,
        status: Option<u16>,
        shape: InputShape,
        text: &str,
        placed: &[Placeable],
        report: &Report,
    ) -> Contract {
        let empty;
        let dag = match self.dag_of(request.room_id()) {
            Some(dag) => dag,
            None => {
                empty = RoomDag::for_room(request.room_id());
                &empty
            }
        };
        let verdict = answer_verdict(dag, request, status, shape, text, placed, report);
        Contract {
            endpoint: request.endpoint(),
            room_id: request.room_id().to_owned(),
            verdict,
        }
    }
}

/// The contract verdict of an answer whose events were judged and read for the DAG.
fn answer_verdict(
    dag: &RoomDag,
    request: &FederationRequest,
    status: Option<u16>,
    shape: InputShape,
    text: &str,
    placed: &[Placeable],
    report: &Report,
) -> ContractVerdict {
    let broken = |message: String| ContractVerdict {
        ok: false,
        ordering: AnswerOrdering::None,
        problems: vec![Problem::error(fed_codes::RESPONSE_SHAPE, "$", message)],
    };
    if request.names_events() {
        return check_named_text(dag, request, status, text);
    }
    if let Some(error) = ErrorResponse::classify(status, text) {
        if let Some(ok) = status.filter(|s| (200..300).contains(s)) {
            let errcode = error.errcode.as_deref().unwrap_or("an error");
            return broken(format!("The response has status {ok}, a success, but carries {errcode} instead of the answer's events."));
        }
        return check_response(dag, request, ResponseBody::Error(error));
    }
    let field = match shape {
        InputShape::Transaction => "pdus",
        InputShape::GetMissingEvents => "events",
        other => {
            return broken(format!(
                "The response is {}, not a transaction (`pdus`), an `{{events}}` answer nor an error (`errcode`).",
                other.describe()
            ))
        }
    };
    let mut events = Vec::with_capacity(placed.len());
    let mut positions = Vec::with_capacity(placed.len());
    let mut unreadable = Vec::new();
    for (i, (dag_event, event)) in placed.iter().zip(&report.events).enumerate() {
        let prefix = |p: &Problem| Problem {
            path: format!("$.{field}[{i}]{}", p.path.trim_start_matches('$')),
            ..p.clone()
        };
        if let Some(Ok(e)) = dag_event {
            events.push(DagEvent::clone(e));
            positions.push(i);
            let mismatch = event
                .problems
                .iter()
                .filter(|p| p.code == event_codes::EVENT_ID_MISMATCH);
            unreadable.extend(mismatch.map(prefix));
        } else {
            let errors = event.problems.iter().filter(|p| p.is_error());
            unreadable.extend(errors.map(prefix));
        }
    }
    let returned = Returned {
        positions: &positions,
        total: placed.len(),
    };
    let mut verdict = check_readable(dag, request, ResponseBody::Events(&events), Some(returned));
    if !unreadable.is_empty() {
        verdict.ok &= !unreadable.iter().any(Problem::is_error);
        unreadable.append(&mut verdict.problems);
        verdict.problems = unreadable;
    }
    verdict
}
