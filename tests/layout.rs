//! Layout of small DAG shapes, asserted exactly, and the drawing invariant on a large braid.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use mxdag::layout::{codes, layout, Layout, LayoutInput};

/// Builds the CSR input from parent lists and lays it out.
fn lay(parents: &[&[u32]], depths: &[u64]) -> Layout {
    let mut offsets = vec![0u32];
    let mut flat = Vec::new();
    for p in parents {
        flat.extend_from_slice(p);
        offsets.push(flat.len() as u32);
    }
    layout(&LayoutInput {
        offsets: &offsets,
        parents: &flat,
        depths,
    })
}

/// Runs as sorted `(lane, first, last)` triples.
fn runs(l: &Layout) -> Vec<(u32, u32, u32)> {
    let mut r: Vec<_> = l.runs.chunks(3).map(|c| (c[0], c[1], c[2])).collect();
    r.sort();
    r
}

#[test]
fn linear_chain_is_one_lane() {
    let l = lay(&[&[], &[0], &[1]], &[1, 2, 3]);
    assert_eq!(l.lane, vec![0, 0, 0]);
    assert_eq!(l.y, vec![2.0, 1.0, 0.0]);
    assert_eq!(l.x, vec![0.0, 0.0, 0.0]);
    assert_eq!(l.edges, vec![2, 1, 1, 0]);
    assert_eq!(l.back_edge, vec![false, false]);
    assert_eq!(runs(&l), vec![(0, 0, 2)]);
    assert_eq!(l.lanes, 1);
    assert!(l.problems.is_empty());
}

#[test]
fn fork_opens_a_second_lane_that_joins_the_parent() {
    // a; b -> a; c -> a: two forward extremities on one parent.
    let l = lay(&[&[], &[0], &[0]], &[1, 2, 2]);
    assert_eq!(l.lane, vec![0, 1, 0]);
    assert_eq!(l.y, vec![2.0, 1.0, 0.0]);
    assert_eq!(l.edges, vec![2, 0, 1, 0]);
    assert_eq!(runs(&l), vec![(0, 0, 2), (1, 1, 1)]);
    assert_eq!(l.lanes, 2);
}

#[test]
fn merge_keeps_the_deepest_parent_in_its_lane() {
    // a; b -> a; c -> a; d -> [b, c]; c is deeper than b, so c continues d's lane.
    let l = lay(&[&[], &[0], &[0], &[1, 2]], &[1, 2, 3, 4]);
    assert_eq!(l.lane, vec![0, 1, 0, 0]);
    assert_eq!(runs(&l), vec![(0, 0, 3), (1, 1, 2)]);
    // Same depths: the later parent in the order wins; prev_events order does not matter.
    let a = lay(&[&[], &[0], &[0], &[1, 2]], &[1, 2, 2, 3]);
    let b = lay(&[&[], &[0], &[0], &[2, 1]], &[1, 2, 2, 3]);
    assert_eq!(a.lane, b.lane);
    assert_eq!(a.lane, vec![0, 1, 0, 0]);
}

#[test]
fn freed_lane_is_reused_and_a_straight_continuation_stays_one_run() {
    // 0; 1 -> 0; 2 -> 0; 3 -> [2]; 4 -> [3, 1].
    // Row 0: node 4 in lane 0; 3 is deeper, keeps lane 0; 1 gets lane 1 from row 1.
    // Row 1: node 3 lane 0 -> parent 2 keeps lane 0. Row 2: node 2 -> 0 keeps lane 0.
    // Row 3: node 1 lane 1: 0 is awaited by lane 0, so lane 1 is freed. Row 4: node 0.
    let l = lay(&[&[], &[0], &[0], &[2], &[3, 1]], &[1, 2, 2, 3, 4]);
    assert_eq!(l.lane, vec![0, 1, 0, 0, 0]);
    assert_eq!(runs(&l), vec![(0, 0, 4), (1, 1, 3)]);
    // Two extremities whose only parents are taken: the second reuses lane 1 after the
    // first freed it, and the runs stay apart (no line joins unrelated nodes).
    // 0; 1 -> 0; 2 -> 0; 3 -> 0.
    let l = lay(&[&[], &[0], &[0], &[0]], &[1, 2, 2, 2]);
    assert_eq!(l.lane, vec![0, 1, 1, 0]);
    assert_eq!(runs(&l), vec![(0, 0, 3), (1, 1, 1), (1, 2, 2)]);
    // Runs come sorted by lane, then first row.
    assert_eq!(l.runs, vec![0, 0, 3, 1, 1, 1, 1, 2, 2]);
}

#[test]
fn lane_freed_by_a_node_continues_into_its_new_parent_lane() {
    // 0; 1; 2 -> 0; 3 -> [0, 1]: node 3 (row 0) keeps lane 0 for 1 (deeper) and 0 gets lane 1.
    // Node 2 (row 1) is awaited by nobody and lanes 0 and 1 are busy, so it opens lane 2.
    let l = lay(&[&[], &[], &[0], &[0, 1]], &[1, 2, 2, 3]);
    assert_eq!(l.lane, vec![1, 0, 2, 0]);
    assert_eq!(runs(&l), vec![(0, 0, 2), (1, 1, 3), (2, 1, 1)]);
    assert_eq!(l.lanes, 3);
}

#[test]
fn gap_node_sits_below_the_events_pointing_at_it() {
    // Node 0 is a missing event referenced by 1 and 2 (a fork over a gap).
    let l = lay(&[&[], &[0], &[0]], &[5, 6, 6]);
    assert_eq!(l.y[0], 2.0);
    assert_eq!(l.edges, vec![2, 0, 1, 0]);
}

#[test]
fn back_edges_and_bad_indices_are_reported_not_followed() {
    // 0 -> 1 (a parent after its child: a cycle in v1 or a wrong order), 1 -> 0, 2 -> 7.
    let l = lay(&[&[1], &[0], &[7, 0, 0]], &[1, 2, 3]);
    assert_eq!(l.edges, vec![2, 0, 1, 0, 0, 1]);
    assert_eq!(l.back_edge, vec![false, false, true]);
    assert_eq!(l.problems.len(), 1);
    assert_eq!(l.problems[0].code, codes::LAYOUT_PARENT_OUT_OF_RANGE);
    assert_eq!(l.problems[0].path, "$.parents[2]");
    // Self reference.
    let l = lay(&[&[0]], &[1]);
    assert_eq!(l.back_edge, vec![true]);
    assert_eq!(runs(&l), vec![(0, 0, 0)]);
}

#[test]
fn unusable_offsets_and_depths_yield_problems() {
    let l = layout(&LayoutInput {
        offsets: &[0, 5, 1],
        parents: &[0],
        depths: &[],
    });
    assert_eq!(l.lane.len(), 2);
    let found: Vec<_> = l.problems.iter().map(|p| p.code).collect();
    assert_eq!(
        found,
        vec![
            codes::LAYOUT_DEPTHS_LENGTH,
            codes::LAYOUT_BAD_OFFSETS,
            codes::LAYOUT_BAD_OFFSETS
        ]
    );
    let empty = layout(&LayoutInput {
        offsets: &[],
        parents: &[],
        depths: &[],
    });
    assert_eq!(empty.lane.len(), 0);
    assert_eq!(empty.lanes, 0);
}

/// A braid of concurrent senders: each node names 1-3 recent nodes (deterministic LCG).
fn braid(n: usize) -> (Vec<u32>, Vec<u32>, Vec<u64>) {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = |m: u64| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) % m
    };
    let (mut offsets, mut parents, mut depths) = (vec![0u32], Vec::new(), Vec::<u64>::new());
    for i in 0..n {
        let mut d = 0;
        if i > 0 {
            for _ in 0..1 + next(3) {
                let p = i - 1 - next(i.min(6) as u64) as usize;
                parents.push(p as u32);
                d = d.max(depths[p] + 1);
            }
        }
        depths.push(d);
        offsets.push(parents.len() as u32);
    }
    (offsets, parents, depths)
}

#[test]
fn every_forward_edge_runs_in_a_lane_no_other_node_occupies() {
    let (offsets, parents, depths) = braid(3000);
    let l = layout(&LayoutInput {
        offsets: &offsets,
        parents: &parents,
        depths: &depths,
    });
    assert!(l.problems.is_empty());
    // Which node sits at (lane, row)?
    let mut at = std::collections::HashMap::new();
    for i in 0..3000 {
        assert!(
            at.insert((l.lane[i], l.y[i] as u32), i).is_none(),
            "two nodes share a cell"
        );
    }
    let cover = |lane: u32, row: u32| {
        l.runs
            .chunks(3)
            .any(|r| r[0] == lane && r[1] <= row && row <= r[2])
    };
    for e in l.edges.chunks(2) {
        let (c, p) = (e[0] as usize, e[1] as usize);
        let (rc, rp, lp) = (l.y[c] as u32, l.y[p] as u32, l.lane[p]);
        for row in rc + 1..=rp {
            assert!(
                cover(lp, row),
                "edge {c}->{p}: row {row} of lane {lp} is not in a run"
            );
            if let Some(&other) = at.get(&(lp, row)) {
                assert_eq!(other, p, "edge {c}->{p} crosses node {other}");
            }
        }
    }
    // Runs of one lane never overlap.
    let mut r: Vec<_> = l.runs.chunks(3).map(|c| (c[0], c[1], c[2])).collect();
    r.sort();
    for w in r.windows(2) {
        assert!(
            w[0].0 != w[1].0 || w[0].2 < w[1].1,
            "runs {:?} and {:?} overlap",
            w[0],
            w[1]
        );
    }
    assert!(
        l.lanes <= 12,
        "a braid of width 6 needs few lanes, used {}",
        l.lanes
    );
}
