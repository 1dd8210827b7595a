//! The contract check: does an answer keep its endpoint's promise?
//!
//! Checked for every endpoint: every event belongs to the room, at most `limit` events, no
//! duplicates. Then per endpoint (see [`super::backfill`], [`super::get_missing_events`],
//! [`super::forwards_fill`]): ancestry or succession, proved through the answer plus the DAG
//! already held (an *overlay*: a copy of the DAG with the answer's events added). Where the
//! overlay has a gap on the way, the proof is missing and the finding is a warning; only a
//! walk that met no gap can prove an event does not belong, which is an error.
//!
//! The answers of `/timestamp_to_event` and MSC4370 `/extremities` name events instead of
//! carrying them ([`ResponseBody::Named`]); they are judged against the DAG held alone (see
//! [`super::timestamp_to_event`], [`super::extremities`]).
//!
//! Also reported, as information: which known ordering the answer matches, and when an answer
//! smaller than asked matches a real server's cap (Synapse and Dendrite 100 for `/backfill`,
//! Synapse 20 for `/get_missing_events`; the conduwuit family 150 and 50).

use serde::Serialize;

use super::answer::{Answer, Returned};
use super::error_body::{ErrorKind, ErrorResponse};
use super::ordering::AnswerOrdering;
use super::request::FederationRequest;
use super::{backfill, codes, extremities, forwards_fill, get_missing_events, timestamp_to_event};
use crate::dag::{DagEvent, NodeIndex, RoomDag};
use crate::problem::Problem;

/// A response as received: the events of a success body, in order, or an error body.
#[derive(Clone, Debug)]
pub enum ResponseBody<'a> {
    /// The `pdus` of a transaction, or the `events` of `/get_missing_events`.
    Events(&'a [DagEvent]),
    /// The JSON object of an answer that names events (`/timestamp_to_event`, MSC4370
    /// `/extremities`).
    Named(&'a serde_json::Value),
    /// An error response.
    Error(ErrorResponse),
}

/// The verdict on one answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContractVerdict {
    /// No error-level problem.
    pub ok: bool,
    /// The known ordering the answer matches (information).
    pub ordering: AnswerOrdering,
    /// Every finding, errors first.
    pub problems: Vec<Problem>,
}

/// Judges `response` to `request` against the endpoint's contract, with `dag` the events
/// already held (possibly empty).
pub fn check_response(
    dag: &RoomDag,
    request: &FederationRequest,
    response: ResponseBody,
) -> ContractVerdict {
    check_readable(dag, request, response, None)
}

/// [`check_response`] on the readable events of an answer some of whose PDUs could not be
/// read: paths name the response's own indices and the limit counts every PDU returned.
pub(crate) fn check_readable(
    dag: &RoomDag,
    request: &FederationRequest,
    response: ResponseBody,
    returned: Option<Returned>,
) -> ContractVerdict {
    let events = match (response, request) {
        (ResponseBody::Error(error), FederationRequest::TimestampToEvent(r))
            if error.kind == ErrorKind::Other("M_NOT_FOUND".into()) =>
        {
            return verdict(vec![timestamp_to_event::not_found(dag, r)]);
        }
        (ResponseBody::Error(error), _) => {
            return verdict(vec![
                error.to_problem(request.endpoint(), request.is_optional())
            ]);
        }
        (ResponseBody::Named(body), FederationRequest::TimestampToEvent(r)) => {
            return verdict(timestamp_to_event::check(dag, r, body));
        }
        (ResponseBody::Named(body), FederationRequest::Extremities(_)) => {
            return verdict(extremities::check(dag, body));
        }
        // A body of the other kind: a list of PDUs for an endpoint that names events, or
        // the reverse.
        (ResponseBody::Named(_), _)
        | (
            ResponseBody::Events(_),
            FederationRequest::TimestampToEvent(_) | FederationRequest::Extremities(_),
        ) => {
            let (is, not) = match request.names_events() {
                true => ("event IDs", "PDUs"),
                false => ("PDUs", "event IDs"),
            };
            return verdict(vec![Problem::error(
                codes::RESPONSE_SHAPE,
                "$",
                format!("/{} answers with {is}, not with {not}.", request.endpoint()),
            )]);
        }
        (ResponseBody::Events(events), _) => events,
    };
    let field = if matches!(request, FederationRequest::GetMissingEvents(_)) {
        "events"
    } else {
        "pdus"
    };
    let answer = Answer::new(dag, request.room_id(), events, field, returned);
    let mut problems = answer.common_problems(request.limit());
    let (endpoint_problems, ordering) = match request {
        FederationRequest::Backfill(r) => backfill::check(&answer, r),
        FederationRequest::GetMissingEvents(r) => get_missing_events::check(&answer, r),
        FederationRequest::ForwardsFill(r) => forwards_fill::check(&answer, r),
        // Answered above: their answers carry no events.
        FederationRequest::TimestampToEvent(_) | FederationRequest::Extremities(_) => {
            (Vec::new(), AnswerOrdering::None)
        }
    };
    problems.extend(endpoint_problems);
    problems.push(Problem::info(
        codes::ORDERING,
        format!("$.{field}"),
        format!("The answer's order matches: {}.", ordering.as_str()),
    ));
    crate::problem::most_severe_first(&mut problems);
    ContractVerdict {
        ok: !problems.iter().any(Problem::is_error),
        ordering,
        problems,
    }
}

/// The verdict of an answer that has no order to judge, errors first.
fn verdict(mut problems: Vec<Problem>) -> ContractVerdict {
    crate::problem::most_severe_first(&mut problems);
    ContractVerdict {
        ok: !problems.iter().any(Problem::is_error),
        ordering: AnswerOrdering::None,
        problems,
    }
}

/// The reference answer a correct server holding `dag` gives to `request`, as nodes in
/// answer order. `order` applies to `/backfill` only (the other two walks are oldest first;
/// `/timestamp_to_event` names at most one event, MSC4370 `/extremities` the forward
/// extremities in the linear order's tie-break).
pub fn reference_answer(
    dag: &RoomDag,
    request: &FederationRequest,
    order: backfill::BackfillOrder,
) -> Vec<NodeIndex> {
    match request {
        FederationRequest::Backfill(r) => backfill::reference_answer(dag, &r.v, r.limit, order),
        FederationRequest::GetMissingEvents(r) => get_missing_events::reference_answer(dag, r),
        FederationRequest::ForwardsFill(r) => {
            forwards_fill::reference_answer(dag, &r.from_event_id, r.limit)
        }
        FederationRequest::TimestampToEvent(r) => {
            timestamp_to_event::reference_answer(dag, r.ts, r.dir)
                .into_iter()
                .collect()
        }
        FederationRequest::Extremities(_) => extremities::reference_answer(dag),
    }
}
