//! The contract check: does an answer keep its endpoint's promise?
//!
//! Checked for every endpoint: every event belongs to the room, at most `limit` events, no
//! duplicates. Then per endpoint (see [`super::backfill`], [`super::get_missing_events`],
//! [`super::forwards_fill`]): ancestry or succession, proved through the answer plus the DAG
//! already held (an *overlay*: a copy of the DAG with the answer's events added). Where the
//! overlay has a gap on the way, the proof is missing and the finding is a warning; only a
//! walk that met no gap can prove an event does not belong, which is an error.
//!
//! Also reported, as information: which known ordering the answer matches, and when an answer
//! smaller than asked matches a real server's cap (Synapse and Dendrite 100 for `/backfill`,
//! Synapse 20 for `/get_missing_events`; the conduwuit family 150 and 50).

use serde::Serialize;

use super::answer::{Answer, Returned};
use super::error_body::ErrorResponse;
use super::ordering::AnswerOrdering;
use super::request::FederationRequest;
use super::{backfill, codes, forwards_fill, get_missing_events};
use crate::dag::{DagEvent, NodeIndex, RoomDag};
use crate::problem::Problem;

/// A response as received: the events of a success body, in order, or an error body.
#[derive(Clone, Debug)]
pub enum ResponseBody<'a> {
    /// The `pdus` of a transaction, or the `events` of `/get_missing_events`.
    Events(&'a [DagEvent]),
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
    let events = match response {
        ResponseBody::Error(error) => {
            let problem = error.to_problem(request.endpoint());
            return ContractVerdict {
                ok: !problem.is_error(),
                ordering: AnswerOrdering::None,
                problems: vec![problem],
            };
        }
        ResponseBody::Events(events) => events,
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
    };
    problems.extend(endpoint_problems);
    problems.push(Problem::info(
        codes::ORDERING,
        format!("$.{field}"),
        format!("The answer's order matches: {}.", ordering.as_str()),
    ));
    problems.sort_by_key(|p| std::cmp::Reverse(p.severity));
    ContractVerdict {
        ok: !problems.iter().any(Problem::is_error),
        ordering,
        problems,
    }
}

/// The reference answer a correct server holding `dag` gives to `request`, as nodes in
/// answer order. `order` applies to `/backfill` only (the other two are oldest first).
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
    }
}
