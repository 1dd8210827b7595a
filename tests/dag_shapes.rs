//! The room DAG on hand-built shapes: extremities, gaps, forks, merges, order, findings.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use dag_support::*;
use mxdag::dag::{codes, DagEvent, Placement, RoomDag};

fn fwd(dag: &RoomDag) -> Vec<String> {
    names(dag, &dag.forward_extremities())
}

fn order(dag: &RoomDag) -> Vec<String> {
    names(dag, &dag.linear_order())
}

fn codes_of(dag: &RoomDag) -> Vec<&'static str> {
    dag.findings().iter().map(|p| p.code).collect()
}

/// Every shape, added forwards and backwards, gives the same extremities, gaps and order.
fn both_ways(events: &[DagEvent]) -> RoomDag {
    let forwards = dag_of(events);
    let mut reversed = events.to_vec();
    reversed.reverse();
    let backwards = dag_of(&reversed);
    assert_eq!(fwd(&forwards), fwd(&backwards));
    assert_eq!(order(&forwards), order(&backwards));
    let gap_ids = |d: &RoomDag| {
        d.gaps()
            .iter()
            .map(|g| (d.event_id(g.event), g.estimated_depth))
            .collect::<Vec<_>>()
    };
    assert_eq!(gap_ids(&forwards), gap_ids(&backwards));
    forwards
}

#[test]
fn linear_chain() {
    let dag = both_ways(&linear());
    assert_eq!(fwd(&dag), ["e"]);
    assert_eq!(order(&dag), ["a", "b", "c", "d", "e"]);
    assert!(dag.gaps().is_empty());
    assert!(dag.forks().is_empty() && dag.merges().is_empty());
    assert!(dag.findings().is_empty());
    assert_eq!(
        (dag.timeline_len(), dag.outlier_len(), dag.node_count()),
        (5, 0, 5)
    );
}

#[test]
fn fork_has_two_tips() {
    let dag = both_ways(&fork());
    assert_eq!(fwd(&dag), ["c", "d"]);
    assert_eq!(order(&dag), ["a", "c", "b", "d"]);
    let forks = dag.forks();
    assert_eq!(forks.len(), 1);
    assert_eq!(names(&dag, &[forks[0].event]), ["a"]);
    assert_eq!(names(&dag, &forks[0].children), ["c", "b"]);
}

#[test]
fn merge_joins_history() {
    let dag = both_ways(&merge());
    assert_eq!(fwd(&dag), ["n"]);
    assert_eq!(order(&dag), ["a", "b", "c", "m", "n"]);
    let merges = dag.merges();
    assert_eq!(merges.len(), 1);
    assert_eq!(names(&dag, &[merges[0].event]), ["m"]);
    assert_eq!(names(&dag, &merges[0].prev_events), ["b", "c"]);
}

#[test]
fn braid_of_concurrent_senders() {
    let dag = both_ways(&braid());
    assert_eq!(fwd(&dag), ["x3", "y3"]);
    assert_eq!(order(&dag), ["r", "x1", "y1", "x2", "y2", "x3", "y3"]);
    let forks: Vec<String> = dag
        .forks()
        .iter()
        .map(|f| short(&dag.event_id(f.event)))
        .collect();
    assert_eq!(forks, ["r", "y1", "x2"]);
    let merges: Vec<String> = dag
        .merges()
        .iter()
        .map(|m| short(&dag.event_id(m.event)))
        .collect();
    assert_eq!(merges, ["x2", "y3"]);
}

#[test]
fn partition_and_rejoin() {
    let dag = both_ways(&partition());
    assert_eq!(fwd(&dag), ["j"]);
    assert_eq!(order(&dag), ["r", "p1", "q1", "p2", "q2", "p3", "j"]);
    assert!(dag.findings().is_empty());
}

#[test]
fn gap_in_the_middle() {
    let dag = both_ways(&gap_middle());
    assert_eq!(fwd(&dag), ["b", "e"]);
    assert_eq!(order(&dag), ["a", "b", "d", "e"]);
    let gaps = dag.gaps();
    assert_eq!(gaps.len(), 1);
    let g = &gaps[0];
    assert_eq!(dag.event_id(g.event), "$c:example.org");
    assert_eq!(names(&dag, &g.referenced_by), ["d"]);
    assert_eq!(
        (
            g.estimated_depth,
            g.depth_below,
            g.missing_depths,
            g.held_as_outlier
        ),
        (3, Some(2), 1, false)
    );
}

#[test]
fn gap_at_the_start() {
    let dag = both_ways(&gap_start());
    assert_eq!(fwd(&dag), ["e"]);
    let g = &dag.gaps()[0];
    assert_eq!(names(&dag, &[g.event]), ["c"]);
    assert_eq!(
        (g.estimated_depth, g.depth_below, g.missing_depths),
        (3, None, 3)
    );
}

#[test]
fn cycle_in_room_version_1_is_reported_not_looped() {
    let dag = both_ways(&cycle_v1());
    assert_eq!(order(&dag), ["r", "x", "y", "z"]);
    assert_eq!(names(&dag, &dag.cycle_nodes()), ["x", "y"]);
    assert_eq!(fwd(&dag), ["z"]);
    let findings = dag.findings();
    assert_eq!(codes_of(&dag), [codes::CYCLE, codes::DEPTH_NOT_INCREASING]);
    assert_eq!(
        findings[0].message,
        "Events $x:example.org, $y:example.org reach themselves through prev_events; the room graph must be acyclic."
    );
    assert_eq!(findings[1].path, "$.prev_events[1]");
}

#[test]
fn self_reference_and_repeated_prev_are_dropped_edges() {
    let dag = dag_of(&[ev("a", &[], 1, 1), ev("s", &["s", "a", "a"], 2, 2)]);
    assert_eq!(
        codes_of(&dag),
        [codes::SELF_REFERENCE, codes::DUPLICATE_PREV_EVENT]
    );
    assert_eq!(
        names(
            &dag,
            dag.prev_events(dag.index_of("$s:example.org").unwrap())
        ),
        ["a"]
    );
    assert_eq!(fwd(&dag), ["s"]);
    assert_eq!(order(&dag), ["a", "s"]);
}

#[test]
fn other_room_and_reused_id_are_refused() {
    let mut dag = dag_of(&linear());
    let mut stranger = ev("x", &["e"], 6, 60);
    stranger.room_id = Some("!other:example.org".into());
    assert_eq!(dag.insert(&stranger, Placement::Timeline), None);
    let mut clash = ev("e", &["d"], 5, 50);
    clash.content_fingerprint ^= 1;
    assert_eq!(dag.insert(&clash, Placement::Timeline), None);
    assert_eq!(
        dag.insert(&ev("e", &["d"], 5, 50), Placement::Timeline),
        dag.index_of("$e:example.org")
    );
    assert_eq!(codes_of(&dag), [codes::OTHER_ROOM, codes::EVENT_ID_REUSED]);
    assert_eq!(dag.timeline_len(), 5);
    assert_eq!(dag.index_of("$x:example.org"), None);
    assert_eq!(dag.room_id(), Some(ROOM));
}

#[test]
fn outliers_stay_out_of_the_timeline_until_promoted() {
    let mut dag = dag_of(&[ev("a", &[], 1, 10)]);
    let outlier = ev("o", &["q"], 7, 70);
    dag.insert(&outlier, Placement::Outlier);
    assert_eq!(names(&dag, &dag.outliers()), ["o"]);
    assert!(
        dag.gaps().is_empty(),
        "an outlier's prev_events open no gap"
    );
    assert_eq!(fwd(&dag), ["a"]);
    dag.insert(&ev("t", &["a", "o"], 8, 80), Placement::Timeline);
    let gaps = dag.gaps();
    assert_eq!(names(&dag, &[gaps[0].event]), ["o"]);
    assert!(gaps[0].held_as_outlier);
    assert_eq!(gaps[0].estimated_depth, 7);
    dag.insert(&outlier, Placement::Timeline);
    assert!(dag.outliers().is_empty());
    assert_eq!(names(&dag, &[dag.gaps()[0].event]), ["q"]);
    assert_eq!(order(&dag), ["a", "o", "t"]);
    assert_eq!((dag.timeline_len(), dag.outlier_len()), (3, 0));
}

#[test]
fn a_million_long_chain_does_not_overflow() {
    let n = 200_000;
    let mut dag = RoomDag::new();
    for i in 0..n {
        let prev: Vec<String> = if i == 0 {
            vec![]
        } else {
            vec![format!("$e{}", i - 1)]
        };
        let e = DagEvent {
            event_id: format!("$e{i}"),
            prev_events: prev,
            depth: i as i64 + 1,
            ..DagEvent::default()
        };
        dag.insert(&e, Placement::Timeline);
    }
    assert_eq!(dag.linear_order().len(), n);
    assert!(dag.cycle_nodes().is_empty());
    assert_eq!(dag.forward_extremities().len(), 1);
}
