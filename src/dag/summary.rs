//! [`RoomSummary`]: the whole picture of a room DAG as plain data, with event IDs as strings
//! (what `mxdag dag --json` prints and what the JS `RoomDag.summary()` returns).

use serde::Serialize;

use super::arena::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// A backward extremity, as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GapSummary {
    /// The missing event.
    pub event_id: String,
    /// Held timeline events listing it in `prev_events`.
    pub referenced_by: Vec<String>,
    /// Whether it is held, but only as an outlier.
    pub held_as_outlier: bool,
    /// Estimated depth.
    pub estimated_depth: i64,
    /// Depth of the deepest forward extremity below it, if any.
    pub depth_below: Option<i64>,
    /// Depth levels missing, as far as depths tell.
    pub missing_depths: i64,
}

/// A fork, as printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ForkSummary {
    /// The event history split at.
    pub event_id: String,
    /// Its children.
    pub children: Vec<String>,
}

/// Counts of a room DAG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Held timeline events.
    pub timeline: usize,
    /// Held outliers.
    pub outliers: usize,
    /// Forward extremities.
    pub forward_extremities: usize,
    /// Backward extremities.
    pub backward_extremities: usize,
    /// Forks.
    pub forks: usize,
    /// Merges (events with several `prev_events`).
    pub merges: usize,
}

/// The whole picture of one room DAG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoomSummary {
    /// The room, once known.
    pub room_id: Option<String>,
    /// The room version its events were judged with, when a session judged them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub room_version: Option<&'static str>,
    /// Counts.
    pub counts: Counts,
    /// Lowest and highest depth among held timeline events.
    pub depth_range: Option<(i64, i64)>,
    /// Forward extremities.
    pub forward_extremities: Vec<String>,
    /// Backward extremities.
    pub backward_extremities: Vec<GapSummary>,
    /// Outliers.
    pub outliers: Vec<String>,
    /// Forks.
    pub forks: Vec<ForkSummary>,
    /// Consistency findings.
    pub findings: Vec<Problem>,
}

impl RoomDag {
    /// Event IDs of nodes.
    pub fn event_ids(&self, nodes: &[NodeIndex]) -> Vec<String> {
        nodes.iter().map(|&n| self.event_id(n)).collect()
    }

    /// The whole picture, IDs as strings. Linear in the DAG (plus sorting).
    pub fn summary(&self) -> RoomSummary {
        let forward = self.forward_extremities();
        let gaps = self.gaps();
        let forks = self.forks();
        let outliers = self.outliers();
        let mut depth_range: Option<(i64, i64)> = None;
        for d in self
            .nodes()
            .filter(|&n| self.is_timeline(n))
            .map(|n| self.depth(n))
        {
            depth_range = Some(depth_range.map_or((d, d), |(lo, hi)| (lo.min(d), hi.max(d))));
        }
        RoomSummary {
            room_id: self.room_id().map(str::to_owned),
            room_version: None,
            counts: Counts {
                timeline: self.timeline_len(),
                outliers: self.outlier_len(),
                forward_extremities: forward.len(),
                backward_extremities: gaps.len(),
                forks: forks.len(),
                merges: self
                    .nodes()
                    .filter(|&n| self.is_timeline(n) && self.prev_events(n).len() > 1)
                    .count(),
            },
            depth_range,
            forward_extremities: self.event_ids(&forward),
            backward_extremities: gaps
                .into_iter()
                .map(|g| GapSummary {
                    event_id: self.event_id(g.event),
                    referenced_by: self.event_ids(&g.referenced_by),
                    held_as_outlier: g.held_as_outlier,
                    estimated_depth: g.estimated_depth,
                    depth_below: g.depth_below,
                    missing_depths: g.missing_depths,
                })
                .collect(),
            outliers: self.event_ids(&outliers),
            forks: forks
                .into_iter()
                .map(|f| ForkSummary {
                    event_id: self.event_id(f.event),
                    children: self.event_ids(&f.children),
                })
                .collect(),
            findings: self.findings(),
        }
    }
}
