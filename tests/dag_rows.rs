//! `RoomDag::layout_rows`: the drawing's rows (order with gaps, CSR parents, depths, flags).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod dag_support;

use std::collections::{HashMap, HashSet};

use dag_support::*;
use mxdag::dag::{row_flags, synthetic, LayoutRows, Placement, RoomDag};

const F: u8 = row_flags::FORWARD;
const G: u8 = row_flags::GAP;
const O: u8 = row_flags::OUTLIER;

#[test]
fn gap_sits_before_its_first_child() {
    // a ← b ← c, c also names the missing g; d is a second tip on a.
    let dag = dag_of(&[
        ev("a", &[], 1, 10),
        ev("b", &["a"], 2, 20),
        ev("c", &["b", "g"], 3, 30),
        ev("d", &["a"], 2, 25),
    ]);
    let rows = dag.layout_rows();
    assert_eq!(names(&dag, &rows.nodes), ["a", "b", "d", "g", "c"]);
    assert_eq!(rows.offsets, [0, 0, 1, 2, 2, 4]);
    assert_eq!(rows.parents, [0, 0, 1, 3]);
    assert_eq!(rows.depths, [1, 2, 2, 2, 3]);
    assert_eq!(rows.flags, [0, 0, F, G, F]);
    assert_eq!(rows.len(), 5);
}

#[test]
fn gap_depth_is_below_its_shallowest_child_and_outlier_gaps_keep_their_own() {
    // g is missing, named by c (depth 7) and e (depth 4); o is held only as an outlier.
    let mut dag = dag_of(&[
        ev("c", &["g"], 7, 70),
        ev("e", &["g", "o"], 4, 40),
        ev("x", &["c", "e"], 8, 80),
    ]);
    dag.insert(&ev("o", &[], 2, 5), Placement::Outlier);
    dag.insert(&ev("lone", &[], 9, 5), Placement::Outlier);
    let rows = dag.layout_rows();
    assert_eq!(names(&dag, &rows.nodes), ["g", "o", "e", "c", "x"]);
    assert_eq!(rows.offsets, [0, 0, 0, 2, 3, 5]);
    assert_eq!(rows.parents, [0, 1, 0, 3, 2]);
    assert_eq!(rows.depths, [3, 2, 4, 7, 8]);
    assert_eq!(rows.flags, [G, G | O, 0, 0, F]);
}

#[test]
fn empty_dag_and_cycles() {
    let rows = RoomDag::new().layout_rows();
    assert!(rows.is_empty());
    assert_eq!(rows.offsets, [0]);
    // a and b name each other (possible with unverified events): both rows, both edges kept.
    let dag = dag_of(&[ev("a", &["b"], 1, 10), ev("b", &["a"], 2, 20)]);
    let rows = dag.layout_rows();
    assert_eq!(names(&dag, &rows.nodes), ["a", "b"]);
    assert_eq!(rows.offsets, [0, 1, 2]);
    assert_eq!(rows.parents, [1, 0]);
    assert_eq!(rows.flags, [0, 0]);
}

/// The rows as the page built them before (www/model.js): from the linear order, the gap
/// list, the forward extremities and the `prev_events` by ID, with maps from ID to row.
fn rows_by_ids(dag: &RoomDag, prevs: &HashMap<String, Vec<String>>) -> (Vec<String>, LayoutRows) {
    let gaps: HashMap<String, _> = dag
        .gaps()
        .into_iter()
        .map(|g| (dag.event_id(g.event), g))
        .collect();
    let forward: HashSet<String> = dag
        .forward_extremities()
        .iter()
        .map(|&n| dag.event_id(n))
        .collect();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut ids: Vec<String> = Vec::new();
    for node in dag.linear_order() {
        let id = dag.event_id(node);
        for p in &prevs[&id] {
            if gaps.contains_key(p) && !index.contains_key(p) {
                index.insert(p.clone(), ids.len() as u32);
                ids.push(p.clone());
            }
        }
        index.insert(id.clone(), ids.len() as u32);
        ids.push(id);
    }
    let mut rows = LayoutRows {
        offsets: vec![0],
        ..LayoutRows::default()
    };
    for id in &ids {
        let node = dag.index_of(id).unwrap();
        rows.nodes.push(node);
        if let Some(g) = gaps.get(id) {
            rows.depths.push(g.estimated_depth);
            rows.flags.push(G | if g.held_as_outlier { O } else { 0 });
        } else {
            rows.parents
                .extend(prevs[id].iter().filter_map(|p| index.get(p)));
            rows.depths.push(dag.depth(node));
            rows.flags.push(if forward.contains(id) { F } else { 0 });
        }
        rows.offsets.push(rows.parents.len() as u32);
    }
    (ids, rows)
}

#[test]
fn equals_the_old_path_by_ids_on_a_generated_room() {
    // 3,000 events; every 50th is missing (a gap), every 70th held only as an outlier.
    let events = synthetic::room(7, 3000, ROOM);
    let mut dag = RoomDag::new();
    let mut prevs = HashMap::new();
    for (i, e) in events.iter().enumerate() {
        if i % 50 == 25 {
            continue;
        }
        let placement = if i % 70 == 35 {
            Placement::Outlier
        } else {
            Placement::Timeline
        };
        dag.insert(e, placement);
        prevs.insert(e.event_id.clone(), e.prev_events.clone());
    }
    let rows = dag.layout_rows();
    let (ids, expected) = rows_by_ids(&dag, &prevs);
    assert_eq!(rows, expected);
    assert_eq!(dag.event_ids(&rows.nodes), ids);
    let gaps = rows.flags.iter().filter(|&&f| f & G != 0).count();
    assert_eq!(gaps, dag.gaps().len());
    assert!(rows.flags.contains(&(G | O)));
    assert_eq!(rows.len(), dag.timeline_len() + gaps);
}
