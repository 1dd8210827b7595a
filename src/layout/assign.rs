//! The lane assignment walk: newest node first, one lane reserved per awaited parent.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::{codes, Layout, LayoutInput};
use crate::problem::Problem;

const NONE: u32 = u32::MAX;

/// Lane bookkeeping: the free lanes (lowest first), and for each lane where its current run
/// started and the row it was last freed at.
struct Lanes {
    free: BinaryHeap<Reverse<u32>>,
    run_start: Vec<u32>,
    freed_at: Vec<u32>,
    runs: Vec<u32>,
}

impl Lanes {
    /// Takes the lowest free lane (or a new one) for something starting at `row`. When the
    /// lane was freed on the row just above by the node whose parent it now carries
    /// (`continues`), the run goes on instead of starting again.
    fn take(&mut self, row: u32, continues: bool) -> u32 {
        let lane = match self.free.pop() {
            Some(Reverse(lane)) => lane,
            None => {
                self.run_start.push(row);
                self.freed_at.push(NONE);
                return (self.run_start.len() - 1) as u32;
            }
        };
        let l = lane as usize;
        if !(continues && self.freed_at[l].checked_add(1) == Some(row)) {
            self.runs
                .extend([lane, self.run_start[l], self.freed_at[l]]);
            self.run_start[l] = row;
        }
        self.freed_at[l] = NONE;
        lane
    }

    /// Frees `lane` after the node on `row`.
    fn release(&mut self, lane: u32, row: u32) {
        self.freed_at[lane as usize] = row;
        self.free.push(Reverse(lane));
    }

    /// Closes every run still open and returns them all, sorted by lane, then first row.
    fn finish(mut self) -> Vec<u32> {
        for (lane, (&start, &freed)) in self.run_start.iter().zip(&self.freed_at).enumerate() {
            if freed != NONE {
                self.runs.extend([lane as u32, start, freed]);
            }
        }
        let mut triples: Vec<[u32; 3]> = self
            .runs
            .chunks_exact(3)
            .map(|c| [c[0], c[1], c[2]])
            .collect();
        crate::sort::sort(&mut triples);
        triples.into_iter().flatten().collect()
    }
}

/// The parents of node `i` as a slice, or a problem when the offsets are unusable.
fn parents_of<'a>(input: &LayoutInput<'a>, i: usize) -> Result<&'a [u32], Problem> {
    let (start, end) = (input.offsets[i] as usize, input.offsets[i + 1] as usize);
    input.parents.get(start..end).ok_or_else(|| {
        Problem::error(
            codes::LAYOUT_BAD_OFFSETS,
            format!("$.offsets[{i}]"),
            format!(
                "node {i}: parent range {start}..{end} is not within the {} parents; its \
                 parents are ignored",
                input.parents.len()
            ),
        )
    })
}

/// Lays out `input`: see the [module documentation](super) for the rules.
pub fn layout(input: &LayoutInput<'_>) -> Layout {
    let n = input.offsets.len().saturating_sub(1);
    let mut out = Layout {
        x: vec![0.0; n],
        y: vec![0.0; n],
        lane: vec![0; n],
        ..Layout::default()
    };
    if input.depths.len() != n {
        out.problems.push(Problem::warning(
            codes::LAYOUT_DEPTHS_LENGTH,
            "$.depths",
            format!(
                "{} depths given for {n} nodes; missing depths count as 0",
                input.depths.len()
            ),
        ));
    }
    let depth = |i: usize| input.depths.get(i).copied().unwrap_or(0);
    let mut awaited = vec![NONE; n];
    let mut last_child = vec![NONE; n];
    let mut lanes = Lanes {
        free: BinaryHeap::new(),
        run_start: Vec::new(),
        freed_at: Vec::new(),
        runs: Vec::new(),
    };

    for i in (0..n).rev() {
        let row = (n - 1 - i) as u32;
        let lane = match awaited[i] {
            NONE => lanes.take(row, false),
            lane => lane,
        };
        out.lane[i] = lane;
        out.x[i] = lane as f32;
        out.y[i] = row as f32;

        let parents = parents_of(input, i).unwrap_or_else(|problem| {
            out.problems.push(problem);
            &[]
        });
        // Record the edges once each, and pick the parent that continues this lane: the
        // deepest parent that no lane awaits yet (ties: the later one in the order).
        let mut heir = NONE;
        for (k, &p) in parents.iter().enumerate() {
            let pu = p as usize;
            if pu >= n {
                out.problems.push(Problem::error(
                    codes::LAYOUT_PARENT_OUT_OF_RANGE,
                    format!("$.parents[{}]", input.offsets[i] as usize + k),
                    format!(
                        "node {i}: parent {p} is not a node index (there are {n}); edge ignored"
                    ),
                ));
                continue;
            }
            if last_child[pu] == i as u32 {
                continue;
            }
            last_child[pu] = i as u32;
            out.edges.extend([i as u32, p]);
            out.back_edge.push(pu >= i);
            let better = heir == NONE || (depth(pu), pu) > (depth(heir as usize), heir as usize);
            if pu < i && awaited[pu] == NONE && better {
                heir = p;
            }
        }
        if heir == NONE {
            lanes.release(lane, row);
        } else {
            awaited[heir as usize] = lane;
        }
        for &p in parents {
            let pu = p as usize;
            if pu < i && awaited[pu] == NONE {
                awaited[pu] = lanes.take(row + 1, true);
            }
        }
    }
    out.lanes = lanes.run_start.len() as u32;
    out.runs = lanes.finish();
    out
}
