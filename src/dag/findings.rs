//! Forks, merges and consistency findings.
//!
//! A fork is a held timeline event that two or more held timeline events list in
//! `prev_events` (the room's history split there); a merge is an event with two or more
//! `prev_events` (history joined again, as servers do when they send with several forward
//! extremities, [spec: server-server API, "PDUs"](https://spec.matrix.org/v1.16/server-server-api/#pdus)).

use super::arena::{NodeIndex, RoomDag};
use super::codes;
use super::walk::Children;
use crate::problem::Problem;

/// An event with several children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fork {
    /// The event history split at.
    pub event: NodeIndex,
    /// Its held timeline children, in the linear order's tie-break.
    pub children: Vec<NodeIndex>,
}

/// An event with several `prev_events`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merge {
    /// The merging event.
    pub event: NodeIndex,
    /// Its `prev_events`, as listed.
    pub prev_events: Vec<NodeIndex>,
}

/// How many event IDs a cycle finding names before it summarises.
const CYCLE_IDS_SHOWN: usize = 10;

impl RoomDag {
    /// Forks among held timeline events, in the linear order's tie-break.
    pub fn forks(&self) -> Vec<Fork> {
        let children = Children::build(self, true);
        let mut forks: Vec<NodeIndex> = self
            .nodes()
            .filter(|&n| self.is_timeline(n) && children.of(n).len() > 1)
            .collect();
        self.sort_by_order_key(&mut forks);
        forks
            .into_iter()
            .map(|n| Fork {
                event: n,
                children: children.of(n).to_vec(),
            })
            .collect()
    }

    /// Held timeline events with several `prev_events`, in the linear order's tie-break.
    pub fn merges(&self) -> Vec<Merge> {
        let mut merges: Vec<NodeIndex> = self
            .nodes()
            .filter(|&n| self.is_timeline(n) && self.prev_events(n).len() > 1)
            .collect();
        self.sort_by_order_key(&mut merges);
        merges
            .into_iter()
            .map(|n| Merge {
                event: n,
                prev_events: self.prev_events(n).to_vec(),
            })
            .collect()
    }

    /// Every consistency finding: those made while adding events (other rooms, reused IDs,
    /// self-references, repeated `prev_events`), then `prev_events` cycles, then depths that
    /// do not increase along `prev_events`.
    pub fn findings(&self) -> Vec<Problem> {
        let mut out = self.ingest_findings().to_vec();
        let cycle = self.cycle_nodes();
        if !cycle.is_empty() {
            let mut ids: Vec<String> = cycle.iter().map(|&n| self.event_id(n)).collect();
            crate::sort::sort(&mut ids);
            let more = ids.len().saturating_sub(CYCLE_IDS_SHOWN);
            ids.truncate(CYCLE_IDS_SHOWN);
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            out.push(Problem::error(
                codes::CYCLE,
                "$.prev_events",
                format!(
                    "Events {}{tail} reach themselves through prev_events; the room graph must be acyclic.",
                    ids.join(", ")
                ),
            ));
        }
        for node in self.linear_order() {
            for (i, &p) in self.prev_events(node).iter().enumerate() {
                if self.is_held(p) && self.depth(node) <= self.depth(p) {
                    out.push(Problem::warning(
                        codes::DEPTH_NOT_INCREASING,
                        format!("$.prev_events[{i}]"),
                        format!(
                            "Event {} has depth {} but its prev event {} has depth {}; depth must exceed every prev event's.",
                            self.event_id(node),
                            self.depth(node),
                            self.event_id(p),
                            self.depth(p)
                        ),
                    ));
                }
            }
        }
        out
    }
}
