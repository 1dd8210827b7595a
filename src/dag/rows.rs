//! [`LayoutRows`]: the room DAG as the rows of a drawing, ready for [`crate::layout`].
//!
//! The rows are the held timeline events in [linear order](RoomDag::linear_order) with every
//! backward extremity (gap) placed just before the first event that lists it in
//! `prev_events` ([spec: server-server API, "PDUs"](https://spec.matrix.org/v1.16/server-server-api/#pdus)),
//! so a gap is drawn right under the events pointing at it. Parents are given as compressed
//! sparse rows of row indices, as [`crate::layout::LayoutInput`] takes them. One pass over
//! the order and the edges after the sort: no event ID is looked up or copied.

use super::arena::{NodeIndex, RoomDag};

/// Bits of [`LayoutRows::flags`].
pub mod row_flags {
    /// A forward extremity: a held timeline event no held timeline event lists in
    /// `prev_events`.
    pub const FORWARD: u8 = 1;
    /// A backward extremity (gap): listed in `prev_events`, not held in the timeline.
    pub const GAP: u8 = 2;
    /// Held as an outlier (only ever set together with [`GAP`]: outliers that no timeline
    /// event references are not rows).
    pub const OUTLIER: u8 = 4;
}

/// The rows of a drawing of the DAG. See the [module documentation](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LayoutRows {
    /// The DAG node of each row.
    pub nodes: Vec<NodeIndex>,
    /// `rows + 1` offsets into `parents`: row `i` has parents `parents[offsets[i]..offsets[i + 1]]`.
    pub offsets: Vec<u32>,
    /// Parents as row indices, in `prev_events` order (self-references and repeats removed);
    /// gaps have none.
    pub parents: Vec<u32>,
    /// The event's `depth`; for a gap its estimated depth (see [`super::Gap::estimated_depth`]).
    pub depths: Vec<i64>,
    /// [`row_flags`] of each row.
    pub flags: Vec<u8>,
}

impl LayoutRows {
    /// Number of rows.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }
}

impl RoomDag {
    /// The rows of a drawing of the DAG: timeline events in linear order, each gap just
    /// before its first child. See [`LayoutRows`].
    pub fn layout_rows(&self) -> LayoutRows {
        let order = self.linear_order();
        let mut row = vec![u32::MAX; self.node_count()];
        let mut nodes = Vec::with_capacity(order.len());
        for &node in &order {
            for &p in self.prev_events(node) {
                if row[p as usize] == u32::MAX && self.is_gap(p) {
                    row[p as usize] = nodes.len() as u32;
                    nodes.push(p);
                }
            }
            row[node as usize] = nodes.len() as u32;
            nodes.push(node);
        }
        let mut offsets = Vec::with_capacity(nodes.len() + 1);
        offsets.push(0);
        let mut parents = Vec::with_capacity(nodes.len() * 2);
        let mut depths = Vec::with_capacity(nodes.len());
        let mut flags = Vec::with_capacity(nodes.len());
        for &node in &nodes {
            if self.is_timeline(node) {
                let placed = self.prev_events(node).iter().map(|&p| row[p as usize]);
                parents.extend(placed.filter(|&r| r != u32::MAX));
                depths.push(self.depth(node));
                flags.push(if self.is_referenced(node) {
                    0
                } else {
                    row_flags::FORWARD
                });
            } else {
                depths.push(i64::MAX);
                let outlier = if self.is_outlier(node) {
                    row_flags::OUTLIER
                } else {
                    0
                };
                flags.push(row_flags::GAP | outlier);
            }
            offsets.push(parents.len() as u32);
        }
        // A gap's depth: one less than its shallowest child's, or an outlier's own depth.
        for i in 0..nodes.len() {
            let below = depths[i].saturating_sub(1);
            for &p in &parents[offsets[i] as usize..offsets[i + 1] as usize] {
                if flags[p as usize] & row_flags::GAP != 0 {
                    depths[p as usize] = depths[p as usize].min(below);
                }
            }
        }
        for (i, &node) in nodes.iter().enumerate() {
            if flags[i] & row_flags::OUTLIER != 0 {
                depths[i] = self.depth(node);
            }
        }
        LayoutRows {
            nodes,
            offsets,
            parents,
            depths,
            flags,
        }
    }
}
