//! Forward and backward extremities, as servers use the words (Synapse's
//! `event_forward_extremities` and `event_backward_extremities`; the spec's
//! [`/get_missing_events`](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)
//! and [`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid)
//! exist to fill the latter).

use super::arena::{NodeIndex, RoomDag};

/// A backward extremity: an event listed in `prev_events` but not held in the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The missing event.
    pub event: NodeIndex,
    /// Held timeline events that list it in `prev_events`, in the linear order's tie-break.
    pub referenced_by: Vec<NodeIndex>,
    /// Whether the event is held, but only as an outlier (its own history is unknown).
    pub held_as_outlier: bool,
    /// Estimated depth: one less than the lowest depth among `referenced_by` (or the
    /// outlier's own depth).
    pub estimated_depth: i64,
    /// Depth of the deepest held forward extremity below `estimated_depth`: where the hole
    /// probably ends. `None` when nothing held lies below (a gap at the start).
    pub depth_below: Option<i64>,
    /// Depth levels missing as far as depths tell: `estimated_depth - depth_below`, or
    /// `estimated_depth` when nothing is held below (depths start at 1).
    pub missing_depths: i64,
}

impl RoomDag {
    /// Held timeline events that no held timeline event lists in `prev_events`, in the linear
    /// order's tie-break (depth, `origin_server_ts`, event ID).
    pub fn forward_extremities(&self) -> Vec<NodeIndex> {
        let mut tips: Vec<NodeIndex> = self
            .nodes()
            .filter(|&n| self.is_timeline(n) && !self.is_referenced(n))
            .collect();
        self.sort_by_order_key(&mut tips);
        tips
    }

    /// Whether the node is a backward extremity: referenced by a held timeline event, not
    /// held in the timeline.
    pub fn is_gap(&self, node: NodeIndex) -> bool {
        self.is_referenced(node) && !self.is_timeline(node)
    }

    /// Backward extremities (gaps), closest to the present first: by estimated depth
    /// descending, then event ID.
    pub fn gaps(&self) -> Vec<Gap> {
        let mut slot = vec![u32::MAX; self.node_count()];
        let mut gaps: Vec<Gap> = Vec::new();
        for node in self.nodes().filter(|&n| self.is_gap(n)) {
            slot[node as usize] = gaps.len() as u32;
            gaps.push(Gap {
                event: node,
                referenced_by: Vec::new(),
                held_as_outlier: self.is_outlier(node),
                estimated_depth: i64::MAX,
                depth_below: None,
                missing_depths: 0,
            });
        }
        for child in self.nodes().filter(|&n| self.is_timeline(n)) {
            for &p in self.prev_events(child) {
                if let Some(gap) = gaps.get_mut(slot[p as usize] as usize) {
                    gap.referenced_by.push(child);
                    gap.estimated_depth =
                        gap.estimated_depth.min(self.depth(child).saturating_sub(1));
                }
            }
        }
        // Forward extremities sorted by depth: the deepest one below each gap, by binary search.
        let mut tip_depths: Vec<i64> = self
            .forward_extremities()
            .iter()
            .map(|&t| self.depth(t))
            .collect();
        crate::sort::sort(&mut tip_depths);
        for gap in &mut gaps {
            if gap.held_as_outlier {
                gap.estimated_depth = self.depth(gap.event);
            }
            self.sort_by_order_key(&mut gap.referenced_by);
            let below = tip_depths.partition_point(|&d| d < gap.estimated_depth);
            gap.depth_below = below.checked_sub(1).map(|i| tip_depths[i]);
            gap.missing_depths = match gap.depth_below {
                Some(d) => gap.estimated_depth.saturating_sub(d),
                None => gap.estimated_depth.max(0),
            };
        }
        crate::sort::sort_by(&mut gaps, |a, b| {
            b.estimated_depth
                .cmp(&a.estimated_depth)
                .then_with(|| self.ids().cmp_ids(a.event, b.event))
        });
        gaps
    }

    /// Held outliers, in the linear order's tie-break.
    pub fn outliers(&self) -> Vec<NodeIndex> {
        let mut out: Vec<NodeIndex> = self.nodes().filter(|&n| self.is_outlier(n)).collect();
        self.sort_by_order_key(&mut out);
        out
    }
}
