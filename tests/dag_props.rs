//! Property tests: insertion order does not matter, and every reference answer keeps its own
//! endpoint's contract.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use mxdag::dag::{synthetic, DagEvent, NodeIndex, Placement, RoomDag};
use mxdag::federation::backfill::{self, BackfillOrder};
use mxdag::federation::request::{
    BackfillRequest, ForwardsFillPath, ForwardsFillRequest, GetMissingEventsRequest,
};
use mxdag::federation::{
    check_response, forwards_fill, get_missing_events, FederationRequest, ResponseBody,
};
use proptest::prelude::*;

const ROOM: &str = "!prop:example.org";

/// A synthetic room with some events dropped (gaps), shuffled by `keys`.
fn room(seed: u64, n: usize, drop_every: usize) -> Vec<DagEvent> {
    synthetic::room(seed, n, ROOM)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| drop_every < 2 || i % drop_every != drop_every - 1)
        .map(|(_, e)| e)
        .collect()
}

fn build(events: &[DagEvent]) -> RoomDag {
    let mut dag = RoomDag::new();
    for e in events {
        dag.insert(e, Placement::Timeline);
    }
    dag
}

fn ids(dag: &RoomDag, nodes: &[NodeIndex]) -> Vec<String> {
    nodes.iter().map(|&n| dag.event_id(n)).collect()
}

/// (forward extremities, linear order, gaps as (ID, estimated depth, referenced by)).
type Summary = (Vec<String>, Vec<String>, Vec<(String, i64, Vec<String>)>);

fn summary(dag: &RoomDag) -> Summary {
    let gaps = dag
        .gaps()
        .into_iter()
        .map(|g| {
            (
                dag.event_id(g.event),
                g.estimated_depth,
                ids(dag, &g.referenced_by),
            )
        })
        .collect();
    (
        ids(dag, &dag.forward_extremities()),
        ids(dag, &dag.linear_order()),
        gaps,
    )
}

fn events_of(
    dag: &RoomDag,
    nodes: &[NodeIndex],
    by_id: &HashMap<String, DagEvent>,
) -> Vec<DagEvent> {
    nodes
        .iter()
        .map(|&n| by_id[&dag.event_id(n)].clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn insertion_order_does_not_matter(seed in 1u64..1000, n in 1usize..80, drop_every in 0usize..6, keys in prop::collection::vec(any::<u32>(), 80)) {
        let events = room(seed, n, drop_every);
        let mut shuffled: Vec<(u32, DagEvent)> = events.iter().cloned().enumerate().map(|(i, e)| (keys[i], e)).collect();
        shuffled.sort_by_key(|(k, _)| *k);
        let shuffled: Vec<DagEvent> = shuffled.into_iter().map(|(_, e)| e).collect();
        let (a, b) = (build(&events), build(&shuffled));
        prop_assert_eq!(summary(&a), summary(&b));
        prop_assert_eq!(a.linear_order().len(), events.len());
        prop_assert!(a.findings().is_empty());
    }

    #[test]
    fn reference_answers_keep_their_contract(seed in 1u64..1000, n in 2usize..60, drop_every in 0usize..5, pick in any::<u64>(), limit in 0u64..40, bfs in any::<bool>()) {
        let events = room(seed, n, drop_every);
        let dag = build(&events);
        let by_id: HashMap<String, DagEvent> = events.iter().map(|e| (e.event_id.clone(), e.clone())).collect();
        let order = dag.linear_order();
        let a = ids(&dag, &[order[(pick % order.len() as u64) as usize]]);
        let b = ids(&dag, &[order[((pick >> 20) % order.len() as u64) as usize]]);

        let bf_order = if bfs { BackfillOrder::BreadthFirst } else { BackfillOrder::Synapse };
        let answer = backfill::reference_answer(&dag, &a, limit, bf_order);
        let request = FederationRequest::Backfill(BackfillRequest { room_id: ROOM.into(), v: a.clone(), limit });
        let answer_events = events_of(&dag, &answer, &by_id);
        for held in [&dag, &RoomDag::new()] {
            let verdict = check_response(held, &request, ResponseBody::Events(&answer_events));
            prop_assert!(verdict.ok, "backfill {:?}", verdict.problems);
            prop_assert!(verdict.problems.iter().all(|p| p.severity == mxdag::problem::Severity::Info), "{:?}", verdict.problems);
        }

        let gme = GetMissingEventsRequest { room_id: ROOM.into(), earliest_events: b.clone(), latest_events: a.clone(), limit, min_depth: (pick % 7) as i64 };
        let answer = events_of(&dag, &get_missing_events::reference_answer(&dag, &gme), &by_id);
        let verdict = check_response(&dag, &FederationRequest::GetMissingEvents(gme), ResponseBody::Events(&answer));
        prop_assert!(verdict.ok, "gme {:?}", verdict.problems);
        prop_assert_eq!(verdict.ordering, mxdag::federation::AnswerOrdering::Synapse);

        let answer = events_of(&dag, &forwards_fill::reference_answer(&dag, &b, limit), &by_id);
        let request = FederationRequest::ForwardsFill(ForwardsFillRequest { room_id: ROOM.into(), from_event_id: b, limit, path: ForwardsFillPath::ALL[(pick % 3) as usize] });
        let verdict = check_response(&dag, &request, ResponseBody::Events(&answer));
        prop_assert!(verdict.ok, "forwards fill {:?}", verdict.problems);
        prop_assert_eq!(verdict.ordering, mxdag::federation::AnswerOrdering::BreadthFirst);
    }
}
