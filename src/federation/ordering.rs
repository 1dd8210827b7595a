//! Which known ordering an answer follows. Servers order walking answers differently and the
//! spec fixes none of it, so this is information, never a verdict:
//!
//! - `synapse`: Synapse's habit. `/backfill`: depth never increases down the list (it sorts
//!   its priority-queue result by depth, newest first). `/get_missing_events`: its
//!   breadth-first result reversed, so the distance from `latest_events` never increases.
//! - `bfs`: breadth-first as walked (Dendrite): the distance from the events asked about never
//!   decreases down the list.
//! - `timeline`: a server's local timeline (the conduwuit family): `/backfill` newest first,
//!   every event before its own `prev_events`; `/get_missing_events` and forwards fill oldest
//!   first, every event after them.
//! - `none`: none of these.

use serde::Serialize;

use crate::dag::{NodeIndex, RoomDag};

/// A known ordering of walking answers (see the module documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerOrdering {
    /// Synapse's order.
    Synapse,
    /// Breadth-first order as walked (Dendrite).
    #[serde(rename = "bfs")]
    BreadthFirst,
    /// A local timeline, as the conduwuit family sends.
    #[serde(rename = "timeline")]
    LocalTimeline,
    /// None of the known orders.
    None,
}

impl AnswerOrdering {
    /// The name used in JSON and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Synapse => "synapse",
            Self::BreadthFirst => "bfs",
            Self::LocalTimeline => "timeline",
            Self::None => "none",
        }
    }
}

/// Whether `values` never decrease (`rising`) or never increase (not `rising`).
pub(crate) fn monotone<T: PartialOrd>(values: &[T], rising: bool) -> bool {
    values
        .windows(2)
        .all(|w| if rising { w[0] <= w[1] } else { w[0] >= w[1] })
}

/// Whether every answered event comes after (`oldest_first`) or before (newest first) each
/// of its `prev_events` that is also in the answer. `nodes` are the answer's nodes in `dag`.
pub(crate) fn topological(dag: &RoomDag, nodes: &[Option<NodeIndex>], oldest_first: bool) -> bool {
    let mut position = vec![usize::MAX; dag.node_count()];
    for (i, n) in nodes.iter().enumerate() {
        if let Some(n) = n {
            position[*n as usize] = position[*n as usize].min(i);
        }
    }
    nodes.iter().enumerate().all(|(i, n)| {
        n.is_none_or(|n| {
            dag.prev_events(n).iter().all(|&p| {
                let at = position[p as usize];
                at == usize::MAX || if oldest_first { at < i } else { at > i }
            })
        })
    })
}
