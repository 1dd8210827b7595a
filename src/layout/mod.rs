//! Lanes and coordinates for drawing a room DAG.
//!
//! The room's events form a DAG through `prev_events` (spec: "Server-Server API → PDUs",
//! <https://spec.matrix.org/v1.16/server-server-api/#pdus>). The inspector draws it like a
//! commit graph: one row per event, newest at the top (row 0), and one *lane* (column) per
//! concurrent branch, so that a fork (two events naming the same prev event) and a merge (an
//! event naming several prev events) read as lines that split and join.
//!
//! The input is the events in a linear (topological) order — every parent before its
//! children — with their parents as compressed sparse rows ([`LayoutInput`]). Missing events
//! (backward extremities) are nodes like any other; the caller places each one just before
//! its first child so it is drawn right below the events that point at it.
//!
//! The walk goes from the newest node to the oldest and keeps, for each parent still to
//! come, the lane *reserved* for it: the lane is busy from the row of the first child that
//! asked for it down to the parent's own row, and no other node is placed in it meanwhile.
//! That is what makes every edge drawable as a one-row connector from the child to the
//! parent's lane followed by a straight vertical run in that lane ([`Layout::runs`]), which
//! crosses no other node. The cost is one visit per node and per edge, plus a binary heap of
//! free lanes: `O((n + e) · log L)` for `L` lanes, which stays small (the number of branches
//! alive at once).

mod assign;

pub use assign::layout;

/// The graph to lay out: nodes in linear order, parents as compressed sparse rows.
#[derive(Clone, Copy, Debug)]
pub struct LayoutInput<'a> {
    /// `offsets[i]..offsets[i + 1]` is the range of `parents` holding node `i`'s parents;
    /// `offsets.len()` is the number of nodes plus one.
    pub offsets: &'a [u32],
    /// Parent node indices (a node's `prev_events`, as indices into the same order).
    pub parents: &'a [u32],
    /// Each node's `depth` (for a missing event: its estimated depth). When a node has
    /// several parents, the deepest one (the nearest in time) continues the node's lane, so
    /// the picture does not depend on the order of `prev_events`, which carries no meaning.
    pub depths: &'a [u64],
}

/// Where each node and edge goes. Units: one lane wide, one row high.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layout {
    /// Horizontal position of each node (its lane, as a float for the drawer).
    pub x: Vec<f32>,
    /// Vertical position of each node (its row: 0 is the newest node).
    pub y: Vec<f32>,
    /// Lane of each node.
    pub lane: Vec<u32>,
    /// Edges as `(child, parent)` node index pairs, flattened, in the order the walk meets
    /// them (child rows ascending). Edge `k` is `edges[2k]`, `edges[2k + 1]`.
    pub edges: Vec<u32>,
    /// For each edge, whether it is a *back edge*: its parent does not come before its child
    /// in the input order (a cycle or a wrong order). Back edges reserve no lane and are
    /// drawn as straight lines.
    pub back_edge: Vec<bool>,
    /// Vertical lane runs as `(lane, first_row, last_row)` triples, flattened: every forward
    /// edge's vertical part lies on one of them, and runs of the same lane never overlap.
    /// Sorted by lane, then first row, so a drawer can merge neighbours far out.
    pub runs: Vec<u32>,
    /// Number of lanes used.
    pub lanes: u32,
    /// Problems with the input (parent index out of range, offsets not ascending...); the
    /// offending edges are left out and the rest is laid out.
    pub problems: Vec<crate::problem::Problem>,
}

/// Problem codes raised by the layout.
pub mod codes {
    /// A node's offsets are not ascending or point beyond `parents`; its parents are
    /// ignored.
    pub const LAYOUT_BAD_OFFSETS: &str = "layout_bad_offsets";
    /// A parent index is not a node index; the edge is ignored.
    pub const LAYOUT_PARENT_OUT_OF_RANGE: &str = "layout_parent_out_of_range";
    /// The depths array does not have one entry per node; missing depths count as 0.
    pub const LAYOUT_DEPTHS_LENGTH: &str = "layout_depths_length";
}
