//! Reference answers of /backfill, /get_missing_events and MSC4000 forwards fill on
//! hand-built rooms.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use dag_support::*;
use mxdag::federation::backfill::{self, BackfillOrder};
use mxdag::federation::request::GetMissingEventsRequest;
use mxdag::federation::{forwards_fill, get_missing_events};

fn backfill(
    events: &[mxdag::dag::DagEvent],
    v: &[&str],
    limit: u64,
    order: BackfillOrder,
) -> Vec<String> {
    let dag = dag_of(events);
    names(
        &dag,
        &backfill::reference_answer(&dag, &fulls(v), limit, order),
    )
}

fn gme(
    events: &[mxdag::dag::DagEvent],
    earliest: &[&str],
    latest: &[&str],
    limit: u64,
    min_depth: i64,
) -> Vec<String> {
    let dag = dag_of(events);
    let request = GetMissingEventsRequest {
        room_id: ROOM.into(),
        earliest_events: fulls(earliest),
        latest_events: fulls(latest),
        limit,
        min_depth,
    };
    names(&dag, &get_missing_events::reference_answer(&dag, &request))
}

fn forwards(events: &[mxdag::dag::DagEvent], from: &[&str], limit: u64) -> Vec<String> {
    let dag = dag_of(events);
    names(
        &dag,
        &forwards_fill::reference_answer(&dag, &fulls(from), limit),
    )
}

#[test]
fn backfill_linear_includes_v_and_stops_at_limit() {
    assert_eq!(
        backfill(&linear(), &["e"], 3, BackfillOrder::Synapse),
        ["e", "d", "c"]
    );
    assert_eq!(
        backfill(&linear(), &["e"], 3, BackfillOrder::BreadthFirst),
        ["e", "d", "c"]
    );
    assert_eq!(
        backfill(&linear(), &["c"], 0, BackfillOrder::Synapse),
        Vec::<String>::new()
    );
}

#[test]
fn backfill_fork_synapse_and_bfs_differ() {
    assert_eq!(
        backfill(&fork(), &["d", "c"], 10, BackfillOrder::Synapse),
        ["d", "b", "c", "a"]
    );
    assert_eq!(
        backfill(&fork(), &["d", "c"], 10, BackfillOrder::BreadthFirst),
        ["d", "c", "b", "a"]
    );
}

#[test]
fn backfill_braid_takes_newest_first() {
    assert_eq!(
        backfill(&braid(), &["x3", "y3"], 4, BackfillOrder::Synapse),
        ["y3", "x3", "y2", "x2"]
    );
    assert_eq!(
        backfill(&braid(), &["x3", "y3"], 4, BackfillOrder::BreadthFirst),
        ["x3", "y3", "x2", "y2"]
    );
}

#[test]
fn backfill_lopsided_follows_depth_or_breadth() {
    assert_eq!(
        backfill(&lopsided(), &["m"], 5, BackfillOrder::Synapse),
        ["m", "s4", "s3", "s2", "t1"]
    );
    assert_eq!(
        backfill(&lopsided(), &["m"], 5, BackfillOrder::BreadthFirst),
        ["m", "s4", "t1", "s3", "r"]
    );
}

#[test]
fn backfill_skips_unknown_v_and_stops_at_gaps() {
    assert_eq!(
        backfill(&gap_middle(), &["nope", "e"], 10, BackfillOrder::Synapse),
        ["e", "d"]
    );
    assert_eq!(
        backfill(&gap_middle(), &["c"], 10, BackfillOrder::Synapse),
        Vec::<String>::new()
    );
}

#[test]
fn backfill_excludes_outliers() {
    let mut dag = dag_of(&linear());
    dag.insert(&ev("o", &["e"], 6, 60), mxdag::dag::Placement::Outlier);
    dag.insert(&ev("f", &["o"], 7, 70), mxdag::dag::Placement::Timeline);
    let answer = backfill::reference_answer(&dag, &fulls(&["f", "o"]), 10, BackfillOrder::Synapse);
    assert_eq!(names(&dag, &answer), ["f"]);
}

#[test]
fn get_missing_events_partition() {
    assert_eq!(
        gme(&partition(), &["r"], &["j"], 10, 0),
        ["p1", "q1", "p2", "q2", "p3"]
    );
    assert_eq!(gme(&partition(), &["r"], &["j"], 3, 0), ["p2", "q2", "p3"]);
    assert_eq!(gme(&partition(), &[], &["j"], 3, 3), ["p2", "q2", "p3"]);
    assert_eq!(
        gme(&partition(), &["p2"], &["j"], 10, 0),
        ["r", "q1", "q2", "p3"]
    );
}

#[test]
fn get_missing_events_never_returns_latest_or_earliest() {
    assert_eq!(gme(&linear(), &["b"], &["e", "d"], 10, 0), ["c"]);
    assert_eq!(gme(&cycle_v1(), &[], &["z"], 10, 0), ["r", "x", "y"]);
}

#[test]
fn forwards_fill_walks_children_oldest_first() {
    assert_eq!(
        forwards(&partition(), &["r"], 10),
        ["p1", "q1", "p2", "q2", "p3", "j"]
    );
    assert_eq!(forwards(&partition(), &["r"], 3), ["p1", "q1", "p2"]);
    assert_eq!(forwards(&partition(), &["p3", "q2"], 10), ["j"]);
    assert_eq!(forwards(&gap_middle(), &["a"], 10), ["b"]);
    assert_eq!(
        forwards(&gap_middle(), &["unknown"], 10),
        Vec::<String>::new()
    );
    assert_eq!(forwards(&braid(), &["y1"], 10), ["x2", "y2", "x3", "y3"]);
}
