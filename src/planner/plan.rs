//! What the planner proposes ([`PlannedRequest`]) and what it is told back ([`Outcome`]).

use crate::dag::NodeIndex;
use crate::federation::request::{
    BackfillRequest, ForwardsFillPath, ForwardsFillRequest, GetMissingEventsRequest,
};
use crate::federation::FederationRequest;

/// How a request reaches a gap, which decides what an answer without it proves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Probe {
    /// `/backfill` names the missing event in `v`: an untruncated answer without it proves
    /// the server does not hold it.
    ById,
    /// `/get_missing_events` starts at the held events that reference the gap: a server that
    /// lacks those starting events answers nothing for it, so the proof is weaker.
    FromChildren,
    /// Forwards fill walks up from held events below the hole.
    FromBelow,
}

/// One request the planner proposes: the endpoint request, the server to send it to, and the
/// gaps it aims to close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedRequest {
    /// The server to ask (a server name from the planner's list).
    pub server: String,
    /// Its position in the planner's server list.
    pub server_index: usize,
    /// The request: `/backfill`, `/get_missing_events` or forwards fill.
    pub request: FederationRequest,
    /// The backward extremities (nodes of the DAG the plan was made on) it aims to close.
    pub gaps: Vec<NodeIndex>,
    /// How the request reaches those gaps.
    pub probe: Probe,
    /// For forwards fill: the held events it walks up from.
    pub from: Vec<NodeIndex>,
}

impl PlannedRequest {
    /// The `limit` sent.
    pub fn limit(&self) -> u64 {
        self.request.limit()
    }

    /// The endpoint's name (`backfill`, `get_missing_events`, `forwards_fill`).
    pub fn endpoint(&self) -> &'static str {
        self.request.endpoint()
    }
}

/// What became of a request, as the caller saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The server answered with `received` events, of which `new` were not held before.
    /// The caller has already added them to the DAG.
    Answered {
        /// Events in the answer.
        received: usize,
        /// Events in the answer the DAG did not hold.
        new: usize,
        /// The lowest `depth` in the answer (`None` when empty): what the server's history
        /// reaches down to.
        lowest_depth: Option<i64>,
    },
    /// `404 M_UNRECOGNIZED`: the server does not implement the endpoint.
    Unrecognized,
    /// Any other error, a timeout, or an answer that could not be used.
    Failed,
}

/// Builds a `/backfill` request.
pub(crate) fn backfill(room_id: &str, v: Vec<String>, limit: u64) -> FederationRequest {
    FederationRequest::Backfill(BackfillRequest {
        room_id: room_id.to_owned(),
        v,
        limit,
    })
}

/// Builds a `/get_missing_events` request.
pub(crate) fn get_missing_events(
    room_id: &str,
    earliest_events: Vec<String>,
    latest_events: Vec<String>,
    limit: u64,
) -> FederationRequest {
    FederationRequest::GetMissingEvents(GetMissingEventsRequest {
        room_id: room_id.to_owned(),
        earliest_events,
        latest_events,
        limit,
        min_depth: 0,
    })
}

/// Builds a forwards fill request (stable path).
pub(crate) fn forwards_fill(room_id: &str, from: Vec<String>, limit: u64) -> FederationRequest {
    FederationRequest::ForwardsFill(ForwardsFillRequest {
        room_id: room_id.to_owned(),
        from_event_id: from,
        limit,
        path: ForwardsFillPath::Stable,
    })
}
