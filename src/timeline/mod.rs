//! The timeline: a room's held DAG read as a linear list of events, as an archive viewer
//! shows it, with **gap entries** where history is missing.
//!
//! - Pages of events in the DAG's [linear order](crate::dag::RoomDag::linear_order),
//!   forwards and backwards from an anchor (an event, a timestamp, a token), as the
//!   client-server API's
//!   [`/messages`](https://spec.matrix.org/v1.16/client-server-api/#get_matrixclientv3roomsroomidmessages)
//!   pages: `chunk` in the direction of pagination, `start` and `end` tokens.
//! - Each page carries gap entries in the shape
//!   [MSC3871](https://github.com/matrix-org/matrix-spec-proposals/pull/3871) proposes
//!   (`event_id`, `prev_pagination_token`, `next_pagination_token`: the event whose
//!   `prev_events` are not held and the spots on either side of it), extended with what the
//!   DAG knows: the missing event IDs and the number of missing events as depths tell
//!   ([`crate::dag::Gap::missing_depths`]). The requests that fill a gap come from the
//!   planner ([`crate::planner::GapPlanner::next_requests_for`]).
//! - Jump to a date ([`Timeline::jump`]): the held event closest to a timestamp, at or after
//!   it (`dir=f`) or at or before it (`dir=b`), as the spec's
//!   [`timestamp_to_event`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid)
//!   defines it.
//!
//! **Pages are stable.** The order is computed once; events that arrive later (a filled
//! gap, forwards fill) are *inserted* into it without moving held events relative to one
//! another ([`Timeline::refresh`] says where each run went), so tokens stay valid and what a
//! reader saw stays in place. Filled history goes right before the event that referenced
//! the gap, where the gap entry was; events with no held descendant go right after their
//! held parents. Where a late event's parents and children were ordered the other way round
//! before it arrived (possible only with inconsistent depths), stability wins: it goes
//! before its children.
//!
//! The index — the position of every node in the order and the held events sorted by
//! `origin_server_ts` — is built once and updated on insertion, so a page costs its length
//! and a date jump a binary search.

mod date;
mod insert;
mod page;
mod token;

use std::collections::HashMap;

use crate::dag::{NodeIndex, RoomDag};

pub use insert::{Inserted, Refreshed};
pub use page::{Anchor, Direction, GapEntry, Page};
pub use token::Token;

/// Problem codes raised by the timeline.
pub mod codes {
    /// A pagination token is not one this timeline writes (or names no timeline event).
    pub const BAD_TOKEN: &str = "timeline_bad_token";
    /// A pagination token was written before the timeline was rebuilt (the room was read
    /// again, so its nodes changed).
    pub const STALE_TOKEN: &str = "timeline_stale_token";
    /// An anchor event is not held in the room's timeline.
    pub const UNKNOWN_EVENT: &str = "timeline_unknown_event";
    /// A direction is not `f` or `b` (the spec's `dir`).
    pub const BAD_DIRECTION: &str = "timeline_bad_direction";
    /// The DAG changed since the index was refreshed: call `refresh` first.
    pub const STALE_INDEX: &str = "timeline_stale_index";
    /// The timeline was asked about a room the session does not hold.
    pub const UNKNOWN_ROOM: &str = "timeline_unknown_room";
}

/// Marks a node without a place in the order.
const NOWHERE: u32 = u32::MAX;

/// What the index knows of one backward extremity (see [`crate::dag::Gap`]).
#[derive(Clone, Debug)]
struct GapInfo {
    /// Held timeline events that list it in `prev_events`.
    referenced_by: Vec<NodeIndex>,
    /// Depth levels missing, as depths tell.
    missing_depths: i64,
}

/// The index of a room's timeline. See the [module documentation](self).
///
/// It does not hold the DAG: every call takes the [`RoomDag`] it was built on, and
/// [`refresh`](Self::refresh) brings it up to date after the DAG grew.
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    /// Held timeline events, in the stable order.
    order: Vec<NodeIndex>,
    /// By node: its position in `order`, or [`NOWHERE`].
    pos: Vec<u32>,
    /// Held timeline events sorted by (`origin_server_ts`, position).
    by_time: Vec<NodeIndex>,
    /// The backward extremities, by node.
    gaps: HashMap<NodeIndex, GapInfo>,
    /// Bumped at every rebuild; tokens carry it.
    epoch: u32,
    /// What the DAG looked like at the last refresh: node count, timeline events, and the
    /// IDs of its first and last node (a DAG read again has other nodes).
    seen: Seen,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Seen {
    nodes: usize,
    timeline: usize,
    first: Option<String>,
    last: Option<String>,
}

impl Seen {
    fn of(dag: &RoomDag) -> Self {
        let n = dag.node_count();
        Seen {
            nodes: n,
            timeline: dag.timeline_len(),
            first: (n > 0).then(|| dag.event_id(0)),
            last: (n > 0).then(|| dag.event_id(n as NodeIndex - 1)),
        }
    }

    /// Whether `dag` is this DAG, perhaps grown since.
    fn same_or_grown(&self, dag: &RoomDag) -> bool {
        let same_node = |id: &Option<String>, node: usize| match id {
            None => true,
            Some(id) => dag.index_of(id) == Some(node as NodeIndex),
        };
        dag.node_count() >= self.nodes
            && dag.timeline_len() >= self.timeline
            && same_node(&self.first, 0)
            && same_node(&self.last, self.nodes.saturating_sub(1))
    }
}

impl Timeline {
    /// Builds the index of `dag`: its linear order, positions, time index and gaps.
    pub fn new(dag: &RoomDag) -> Self {
        let mut timeline = Timeline {
            epoch: 1,
            ..Timeline::default()
        };
        timeline.rebuild(dag);
        timeline
    }

    /// Held timeline events, in the timeline's order.
    pub fn order(&self) -> &[NodeIndex] {
        &self.order
    }

    /// Number of events in the timeline.
    pub fn len(&self) -> usize {
        self.order.len()
    }

    /// Whether the timeline holds no event.
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// The position of a node in the order, when it is a held timeline event.
    pub fn position(&self, node: NodeIndex) -> Option<usize> {
        match self.pos.get(node as usize) {
            Some(&p) if p != NOWHERE => Some(p as usize),
            _ => None,
        }
    }

    /// The rebuild count: tokens written under another epoch are refused.
    pub fn epoch(&self) -> u32 {
        self.epoch
    }

    /// Whether the index is up to date with `dag` (no refresh needed).
    pub fn is_current(&self, dag: &RoomDag) -> bool {
        self.seen == Seen::of(dag)
    }

    /// Indexes `dag` from scratch (the caller decides whether tokens become stale).
    fn rebuild(&mut self, dag: &RoomDag) {
        self.order = dag.linear_order();
        self.reindex_positions(dag.node_count());
        // Keys inline, so that the sort reads memory in order.
        let mut keyed: Vec<(i64, u32)> = self
            .order
            .iter()
            .enumerate()
            .map(|(i, &n)| (dag.origin_server_ts(n), i as u32))
            .collect();
        crate::sort::sort(&mut keyed);
        self.by_time = keyed
            .into_iter()
            .map(|(_, i)| self.order[i as usize])
            .collect();
        self.gaps = gap_infos(dag);
        self.seen = Seen::of(dag);
    }

    /// Sets `pos` from `order`.
    fn reindex_positions(&mut self, node_count: usize) {
        self.pos.clear();
        self.pos.resize(node_count, NOWHERE);
        for (i, &n) in self.order.iter().enumerate() {
            self.pos[n as usize] = i as u32;
        }
    }
}

/// The gaps of `dag` as the index keeps them (the DAG's own estimate, [`RoomDag::gaps`]).
fn gap_infos(dag: &RoomDag) -> HashMap<NodeIndex, GapInfo> {
    dag.gaps()
        .into_iter()
        .map(|g| {
            let info = GapInfo {
                referenced_by: g.referenced_by,
                missing_depths: g.missing_depths,
            };
            (g.event, info)
        })
        .collect()
}
