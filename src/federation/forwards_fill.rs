//! MSC4000 forwards fill: `GET /_matrix/federation/v1/forwards_fill/{roomId}?from_event_id=…&limit=…`
//! (unstable: `/_matrix/federation/org.matrix.msc4000/forwards_fill/{roomId}` as the MSC names
//! it, or `/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/{roomId}` as Synapse
//! names unstable endpoints; see [`super::request::ForwardsFillPath`]), "a mirror
//! image of `/backfill`": the PDUs that succeed the given events (list them, transitively, in
//! `prev_events`), up to `limit`, in a transaction. No server implements it yet; servers that
//! lack it answer `404 M_UNRECOGNIZED` (see [`super::error_body`]).
//!
//! The MSC leaves open, and the reference answer chooses:
//!
//! - **whether the given events are included.** The `limit` text says "including the given
//!   events", the rationale says only successors are wanted. The reference answer excludes
//!   them; the contract check accepts answers either way (they count against `limit`).
//! - **the walk.** Breadth-first over children, so that every forward extremity's next events
//!   come before any one branch is exhausted (the MSC's "Potential issues"); children in the
//!   linear order's tie-break (depth, `origin_server_ts`, event ID).
//! - **the order.** Oldest first, as walked (the reverse of backfill's newest first).
//! - **how many `from_event_id`s.** No cap (the MSC's TODO); unknown ones are skipped, as
//!   backfill skips unknown `v` events.

use super::answer::Answer;
use super::codes;
use super::ordering::AnswerOrdering;
use super::request::ForwardsFillRequest;
use crate::dag::walk::breadth_first;
use crate::dag::{Children, NodeIndex, RoomDag};
use crate::problem::Problem;

/// The reference answer: held timeline successors of the held `from_event_id` events,
/// breadth-first over children, the given events excluded, at most `limit`, oldest first.
pub fn reference_answer(dag: &RoomDag, from_event_id: &[String], limit: u64) -> Vec<NodeIndex> {
    let from: Vec<NodeIndex> = from_event_id
        .iter()
        .filter_map(|id| dag.index_of(id))
        .filter(|&n| dag.is_held(n))
        .collect();
    let children = Children::build(dag, true);
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let visit = breadth_first(
        dag.node_count(),
        &from,
        |n| children.of(n),
        |n| dag.is_timeline(n),
        limit.saturating_add(from.len()),
    );
    visit.beyond_starts(limit)
}

/// The forwards fill part of the contract check.
pub(crate) fn check(
    answer: &Answer,
    request: &ForwardsFillRequest,
) -> (Vec<Problem>, AnswerOrdering) {
    let from = answer.known(&request.from_event_id);
    let (visit, _) = answer.walk(&from, false);
    let from_ids: std::collections::HashSet<&str> =
        request.from_event_id.iter().map(String::as_str).collect();
    let given = |i: usize| from_ids.contains(answer.events[i].event_id.as_str());
    let mut problems = answer.reach_problems(
        &visit,
        answer.unreached_meet_gap(&visit),
        given,
        (codes::NOT_A_SUCCESSOR, codes::SUCCESSION_UNPROVEN),
        "a successor of from_event_id",
    );
    let included = (0..answer.events.len()).filter(|&i| given(i)).count();
    problems.push(Problem::info(
        codes::GIVEN_EVENTS,
        format!("$.{}", answer.field),
        format!(
            "The answer includes {included} of the {} from_event_id events (MSC4000 leaves this open; both are accepted).",
            request.from_event_id.len()
        ),
    ));
    let reference = reference_answer(answer.held, &request.from_event_id, request.limit);
    problems.extend(answer.size_note(request.limit, reference.len() + included, &[]));
    let levels = answer.levels(&visit);
    // MSC4000 has no Synapse implementation: no Synapse order to recognise.
    let ordering = answer.ordering(false, &levels, true);
    (problems, ordering)
}
