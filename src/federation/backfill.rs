//! `GET /_matrix/federation/v1/backfill/{roomId}?v=…&limit=…`
//! ([spec](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid)):
//! the PDUs that preceded the `v` events, **including them**, up to `limit`, newest first.
//! The spec does not say how to walk divergent history; the seeds' TODO asks "DFS? BFS?".
//!
//! The reference answer offers both orders real servers use:
//!
//! - [`BackfillOrder::Synapse`]: a priority queue on depth, deepest (newest) first, ties by
//!   newer `origin_server_ts` (Synapse uses its `stream_ordering`, which an outside observer
//!   does not see) then event ID; the result sorted by depth, newest first;
//! - [`BackfillOrder::BreadthFirst`]: breadth-first over `prev_events` from the `v` events
//!   (Dendrite), in the order walked.
//!
//! Both skip unknown `v` events silently and never return outliers, as Synapse does.

use std::cmp::Ordering;

use super::answer::Answer;
use super::codes;
use super::ordering::{monotone, AnswerOrdering};
use super::request::BackfillRequest;
use crate::dag::walk::breadth_first;
use crate::dag::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// Real servers' caps on `limit` for `/backfill`.
pub const CAPS: &[(u64, &str)] = &[
    (100, "Synapse (and Dendrite)"),
    (150, "the conduwuit family"),
];

/// How the reference answer walks and orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum BackfillOrder {
    /// Synapse: priority queue on depth, newest first.
    #[default]
    Synapse,
    /// Dendrite: breadth-first.
    BreadthFirst,
}

/// The reference answer: the `v` events that are held timeline events, then their held
/// timeline ancestors, at most `limit` in all, in `order`.
pub fn reference_answer(
    dag: &RoomDag,
    v: &[String],
    limit: u64,
    order: BackfillOrder,
) -> Vec<NodeIndex> {
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut seeds: Vec<NodeIndex> = Vec::new();
    for n in v
        .iter()
        .filter_map(|id| dag.index_of(id))
        .filter(|&n| dag.is_timeline(n))
    {
        if !seeds.contains(&n) {
            seeds.push(n);
        }
    }
    match order {
        BackfillOrder::BreadthFirst => {
            breadth_first(
                dag.node_count(),
                &seeds,
                |n| dag.prev_events(n),
                |n| dag.is_timeline(n),
                limit,
            )
            .order
        }
        BackfillOrder::Synapse => synapse_walk(dag, &seeds, limit),
    }
}

/// Newest first: deeper, then newer, then smaller event ID.
fn newest_first(dag: &RoomDag, a: NodeIndex, b: NodeIndex) -> Ordering {
    (dag.depth(b), dag.origin_server_ts(b))
        .cmp(&(dag.depth(a), dag.origin_server_ts(a)))
        .then_with(|| dag.ids().cmp_ids(a, b))
}

fn synapse_walk(dag: &RoomDag, seeds: &[NodeIndex], limit: usize) -> Vec<NodeIndex> {
    let mut taken = vec![false; dag.node_count()];
    // A sorted vector as the priority queue would cost n² on wide rooms; a heap keyed by
    // (depth, ts) with ID ties settled at the end keeps it n log n.
    let mut queue: std::collections::BinaryHeap<(i64, i64, std::cmp::Reverse<String>, NodeIndex)> =
        seeds
            .iter()
            .map(|&n| {
                (
                    dag.depth(n),
                    dag.origin_server_ts(n),
                    std::cmp::Reverse(dag.event_id(n)),
                    n,
                )
            })
            .collect();
    let mut out = Vec::new();
    while out.len() < limit {
        let Some((_, _, _, node)) = queue.pop() else {
            break;
        };
        if std::mem::replace(&mut taken[node as usize], true) {
            continue;
        }
        out.push(node);
        for &p in dag.prev_events(node) {
            if dag.is_timeline(p) && !taken[p as usize] {
                queue.push((
                    dag.depth(p),
                    dag.origin_server_ts(p),
                    std::cmp::Reverse(dag.event_id(p)),
                    p,
                ));
            }
        }
    }
    crate::sort::sort_u32s_by(&mut out, &mut |a, b| newest_first(dag, a, b));
    out
}

/// The backfill part of the contract check.
pub(crate) fn check(answer: &Answer, request: &BackfillRequest) -> (Vec<Problem>, AnswerOrdering) {
    let v = answer.known(&request.v);
    let (visit, met_gap) = answer.walk(&v, true);
    let mut problems = answer.reach_problems(
        &visit,
        met_gap || answer.any_unknown(&request.v),
        |_| false,
        (codes::NOT_AN_ANCESTOR, codes::ANCESTRY_UNPROVEN),
        "a v event or an ancestor of one",
    );
    let returned: std::collections::HashSet<&str> =
        answer.events.iter().map(|e| e.event_id.as_str()).collect();
    let included = request
        .v
        .iter()
        .filter(|id| returned.contains(id.as_str()))
        .count();
    problems.push(Problem::info(
        codes::GIVEN_EVENTS,
        format!("$.{}", answer.field),
        format!(
            "The answer includes {included} of the {} v events (the spec says it includes them).",
            request.v.len()
        ),
    ));
    let reference = reference_answer(
        answer.held,
        &request.v,
        request.limit,
        BackfillOrder::Synapse,
    );
    problems.extend(answer.size_note(request.limit, reference.len(), CAPS));
    let depths: Vec<i64> = answer.events.iter().map(|e| e.depth).collect();
    let levels = answer.levels(&visit);
    let ordering = answer.ordering(monotone(&depths, false), &levels, false);
    (problems, ordering)
}
