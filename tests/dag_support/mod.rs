//! Hand-built rooms shared by the DAG and federation tests.
#![allow(dead_code)]

use mxdag::dag::{DagEvent, NodeIndex, Placement, RoomDag};

/// The room every hand-built event belongs to.
pub const ROOM: &str = "!room:example.org";

/// A timeline event `$id:example.org` with `prev_events` (short names), depth and timestamp.
pub fn ev(id: &str, prevs: &[&str], depth: i64, ts: i64) -> DagEvent {
    DagEvent {
        event_id: full(id),
        room_id: Some(ROOM.to_owned()),
        prev_events: prevs.iter().map(|p| full(p)).collect(),
        auth_events: Vec::new(),
        depth,
        origin_server_ts: ts,
        sender: "@alice:example.org".to_owned(),
        event_type: "m.room.message".to_owned(),
        state_key: None,
        content_fingerprint: DagEvent::fingerprint_of(id.as_bytes()),
    }
}

/// `$name:example.org`.
pub fn full(name: &str) -> String {
    format!("${name}:example.org")
}

/// A DAG holding `events` in the timeline, added in the given order.
pub fn dag_of(events: &[DagEvent]) -> RoomDag {
    let mut dag = RoomDag::new();
    for e in events {
        dag.insert(e, Placement::Timeline);
    }
    dag
}

/// Short names (without `$` and `:example.org`) of nodes.
pub fn names(dag: &RoomDag, nodes: &[NodeIndex]) -> Vec<String> {
    nodes.iter().map(|&n| short(&dag.event_id(n))).collect()
}

/// The short name of a full hand-built ID.
pub fn short(id: &str) -> String {
    id.trim_start_matches('$')
        .trim_end_matches(":example.org")
        .to_owned()
}

/// Linear: a ← b ← c ← d ← e, depths 1..5.
pub fn linear() -> Vec<DagEvent> {
    vec![
        ev("a", &[], 1, 10),
        ev("b", &["a"], 2, 20),
        ev("c", &["b"], 3, 30),
        ev("d", &["c"], 4, 40),
        ev("e", &["d"], 5, 50),
    ]
}

/// Fork: a ← b, a ← c (c older), b ← d.
pub fn fork() -> Vec<DagEvent> {
    vec![
        ev("a", &[], 1, 10),
        ev("b", &["a"], 2, 30),
        ev("c", &["a"], 2, 20),
        ev("d", &["b"], 3, 40),
    ]
}

/// Merge: a ← b, a ← c, {b, c} ← m, m ← n.
pub fn merge() -> Vec<DagEvent> {
    vec![
        ev("a", &[], 1, 10),
        ev("b", &["a"], 2, 20),
        ev("c", &["a"], 2, 21),
        ev("m", &["b", "c"], 3, 30),
        ev("n", &["m"], 4, 40),
    ]
}

/// Braid of two concurrent senders: x1 ← x2 ← x3 and y1 ← y2 ← y3 off a root r, each
/// merging the other's previous event from time to time.
pub fn braid() -> Vec<DagEvent> {
    vec![
        ev("r", &[], 1, 10),
        ev("x1", &["r"], 2, 20),
        ev("y1", &["r"], 2, 21),
        ev("x2", &["x1", "y1"], 3, 30),
        ev("y2", &["y1"], 3, 31),
        ev("x3", &["x2"], 4, 40),
        ev("y3", &["y2", "x2"], 4, 41),
    ]
}

/// Partition and rejoin: root r, one side p1 ← p2 ← p3, the other q1 ← q2, then j merges.
pub fn partition() -> Vec<DagEvent> {
    vec![
        ev("r", &[], 1, 10),
        ev("p1", &["r"], 2, 20),
        ev("p2", &["p1"], 3, 30),
        ev("p3", &["p2"], 4, 40),
        ev("q1", &["r"], 2, 25),
        ev("q2", &["q1"], 3, 35),
        ev("j", &["p3", "q2"], 5, 50),
    ]
}

/// Gap in the middle: a ← b ← (c missing) ← d ← e.
pub fn gap_middle() -> Vec<DagEvent> {
    vec![
        ev("a", &[], 1, 10),
        ev("b", &["a"], 2, 20),
        ev("d", &["c"], 4, 40),
        ev("e", &["d"], 5, 50),
    ]
}

/// Gap at the start: (c missing) ← d ← e.
pub fn gap_start() -> Vec<DagEvent> {
    vec![ev("d", &["c"], 4, 40), ev("e", &["d"], 5, 50)]
}

/// A cycle as room version 1 allows: r ← x, x ← y, y ← x (x lists y and r), z after y.
pub fn cycle_v1() -> Vec<DagEvent> {
    vec![
        ev("r", &[], 1, 10),
        ev("x", &["r", "y"], 2, 20),
        ev("y", &["x"], 3, 30),
        ev("z", &["y"], 4, 40),
    ]
}

/// Lopsided: a long branch r ← s1 ← s2 ← s3 ← s4 and a short one r ← t1, merged by m, so
/// that breadth-first and depth orders differ.
pub fn lopsided() -> Vec<DagEvent> {
    vec![
        ev("r", &[], 1, 10),
        ev("s1", &["r"], 2, 20),
        ev("s2", &["s1"], 3, 30),
        ev("s3", &["s2"], 4, 40),
        ev("s4", &["s3"], 5, 50),
        ev("t1", &["r"], 2, 25),
        ev("m", &["s4", "t1"], 6, 60),
    ]
}

/// The hand-built events with these short names, in this order (for answers).
pub fn pick(events: &[DagEvent], short_names: &[&str]) -> Vec<DagEvent> {
    short_names
        .iter()
        .map(|n| {
            events
                .iter()
                .find(|e| e.event_id == full(n))
                .cloned()
                .unwrap_or_else(|| panic!("no event {n}"))
        })
        .collect()
}

/// Full IDs of short names.
pub fn fulls(short_names: &[&str]) -> Vec<String> {
    short_names.iter().map(|n| full(n)).collect()
}
