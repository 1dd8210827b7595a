//! `POST /_matrix/federation/v1/get_missing_events/{roomId}` with body `{limit = 10,
//! min_depth = 0, earliest_events, latest_events}`
//! ([spec](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)):
//! a breadth-first walk of `prev_events` from `latest_events`, not entering `earliest_events`,
//! stopping at `limit`.
//!
//! The reference answer returns neither `latest_events` nor `earliest_events`, and lists the
//! events oldest first (Synapse's habit: it reverses its walk). It **honours `min_depth`**:
//! events below it are neither returned nor walked through. Every known server ignores
//! `min_depth` (Synapse clamps `limit` to 20 and walks on; the conduwuit family caps at 50):
//! such a server sends the same walk continued below `min_depth`, which the contract check
//! accepts and notes as information.

use std::collections::HashSet;

use super::answer::Answer;
use super::codes;
use super::ordering::{monotone, AnswerOrdering};
use super::request::GetMissingEventsRequest;
use crate::dag::walk::{breadth_first, UNREACHED};
use crate::dag::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// Real servers' caps on `limit` for `/get_missing_events`.
pub const CAPS: &[(u64, &str)] = &[(20, "Synapse"), (50, "the conduwuit family")];

/// The reference answer: held timeline ancestors of the held `latest_events`, breadth-first,
/// `earliest_events` blocking, events below `min_depth` excluded, at most `limit`, oldest
/// first.
pub fn reference_answer(dag: &RoomDag, request: &GetMissingEventsRequest) -> Vec<NodeIndex> {
    let mut blocked = vec![false; dag.node_count()];
    for n in request
        .earliest_events
        .iter()
        .filter_map(|id| dag.index_of(id))
    {
        blocked[n as usize] = true;
    }
    let latest: Vec<NodeIndex> = request
        .latest_events
        .iter()
        .filter_map(|id| dag.index_of(id))
        .filter(|&n| dag.is_held(n) && !blocked[n as usize])
        .collect();
    let enter = |n: NodeIndex| {
        dag.is_timeline(n) && !blocked[n as usize] && dag.depth(n) >= request.min_depth
    };
    let limit = usize::try_from(request.limit)
        .unwrap_or(usize::MAX)
        .saturating_add(latest.len());
    let visit = breadth_first(
        dag.node_count(),
        &latest,
        |n| dag.prev_events(n),
        enter,
        limit,
    );
    let mut out = visit.beyond_starts(usize::try_from(request.limit).unwrap_or(usize::MAX));
    out.reverse();
    out
}

/// The get_missing_events part of the contract check.
pub(crate) fn check(
    answer: &Answer,
    request: &GetMissingEventsRequest,
) -> (Vec<Problem>, AnswerOrdering) {
    let latest = answer.known(&request.latest_events);
    let (visit, met_gap) = answer.walk(&latest, true);
    let uncertain = met_gap || answer.any_unknown(&request.latest_events);
    // Latest events that are ancestors of other latest events: Synapse's walk starts its
    // "seen" set from earliest_events only, so it returns those.
    let latest_parents: Vec<NodeIndex> = latest
        .iter()
        .flat_map(|&n| answer.overlay.prev_events(n).iter().copied())
        .collect();
    let (behind_latest, _) = answer.walk(&latest_parents, true);
    let earliest: HashSet<&str> = request.earliest_events.iter().map(String::as_str).collect();
    let latest_ids: HashSet<&str> = request.latest_events.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    let mut below = 0usize;
    for (i, e) in answer.events.iter().enumerate() {
        if earliest.contains(e.event_id.as_str()) {
            problems.push(Problem::error(
                codes::EARLIEST_RETURNED,
                answer.path(i, ""),
                format!(
                    "Event {} is in the request's earliest_events, which the answer must not include.",
                    e.event_id
                ),
            ));
        }
        if latest_ids.contains(e.event_id.as_str()) {
            let behind_another =
                answer.nodes[i].is_some_and(|n| behind_latest.level[n as usize] != UNREACHED);
            problems.push(if behind_another {
                Problem::info(
                    codes::LATEST_RETURNED,
                    answer.path(i, ""),
                    format!(
                        "Event {} is in the request's latest_events but also an ancestor of another of them; Synapse returns such events too, as its walk skips only earliest_events.",
                        e.event_id
                    ),
                )
            } else {
                Problem::warning(
                    codes::LATEST_RETURNED,
                    answer.path(i, ""),
                    format!(
                        "Event {} is in the request's latest_events, which the requester already holds; the walk starts behind them.",
                        e.event_id
                    ),
                )
            });
        }
        below += usize::from(e.depth < request.min_depth);
    }
    let given = |i: usize| latest_ids.contains(answer.events[i].event_id.as_str());
    problems.extend(answer.reach_problems(
        &visit,
        uncertain,
        given,
        (codes::NOT_AN_ANCESTOR, codes::ANCESTRY_UNPROVEN),
        "an ancestor of latest_events",
    ));
    if below > 0 {
        problems.push(Problem::info(
            codes::BELOW_MIN_DEPTH,
            format!("$.{}", answer.field),
            format!(
                "{below} events lie below min_depth {}: the server ignores min_depth, as every known server does.",
                request.min_depth
            ),
        ));
    }
    let reference = reference_answer(answer.held, request);
    problems.extend(answer.size_note(request.limit, reference.len(), CAPS));
    // The order is judged on the walk the endpoint describes: earliest_events block it.
    let (walked, _) = answer.walk_avoiding(&latest, true, &answer.known(&request.earliest_events));
    let levels = answer.levels(&walked);
    let synapse_order = !levels.contains(&u32::MAX) && monotone(&levels, false);
    let ordering = answer.ordering(synapse_order, &levels, true);
    (problems, ordering)
}
