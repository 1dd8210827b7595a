//! The room DAG: what a room's events mean as a graph.
//!
//! Every PDU names its parents in `prev_events`
//! ([spec: server-server API, "PDUs"](https://spec.matrix.org/v1.16/server-server-api/#pdus)),
//! so the events a server holds form a directed acyclic graph whose tips are the **forward
//! extremities** and whose holes are the **backward extremities**. [`RoomDag`] takes events in
//! any order, from any response, and keeps:
//!
//! - forward extremities: held timeline events that no held timeline event lists in
//!   `prev_events` ([`RoomDag::forward_extremities`]);
//! - backward extremities (gaps): events listed in `prev_events` but not held in the timeline,
//!   each with the events that reference it, an estimated depth and the size of the hole as far
//!   as depths tell ([`RoomDag::gaps`]);
//! - outliers: events held without their place in the timeline, such as auth events or state
//!   from `/state` ([`Placement::Outlier`]);
//! - forks and merges, a deterministic linear order ([`RoomDag::linear_order`]) and
//!   consistency findings ([`RoomDag::findings`]).
//!
//! The arena keeps nodes in vectors addressed by `u32` indices and every event ID once (see
//! [`ids`]); every pass over the graph is linear or `n log n`, and no walk recurses, so a
//! chain of a million events or a `prev_events` cycle (possible in room versions 1 and 2, and
//! with unverified events) cannot overflow a stack or loop.

mod arena;
mod event;
mod extremities;
mod findings;
pub mod ids;
pub mod ingest;
pub mod json;
mod order;
mod rows;
pub mod summary;
pub mod synthetic;
pub mod walk;

pub use arena::{NodeIndex, RoomDag};
pub use event::{DagEvent, EventHead, Placement};
pub use extremities::Gap;
pub use findings::{Fork, Merge};
pub use ingest::Placeable;
pub use rows::{row_flags, LayoutRows};
pub use walk::Children;

/// Problem codes raised by the room DAG.
pub mod codes {
    /// An event names a room other than the DAG's room.
    pub const OTHER_ROOM: &str = "dag_other_room";
    /// An event ID arrived twice with different content (possible in room versions 1 and 2,
    /// where the ID is not derived from the content).
    pub const EVENT_ID_REUSED: &str = "dag_event_id_reused";
    /// An event lists itself in `prev_events`.
    pub const SELF_REFERENCE: &str = "dag_prev_events_self_reference";
    /// An event lists the same event twice in `prev_events`.
    pub const DUPLICATE_PREV_EVENT: &str = "dag_duplicate_prev_event";
    /// Events reach themselves through `prev_events`: the graph is not acyclic.
    pub const CYCLE: &str = "dag_prev_events_cycle";
    /// An event's `depth` is not greater than the depth of one of its `prev_events`.
    pub const DEPTH_NOT_INCREASING: &str = "dag_depth_not_increasing";
    /// An event has more `prev_events` than the arena keeps (65535); the rest are ignored.
    pub const TOO_MANY_PREV_EVENTS: &str = "dag_too_many_prev_events";
    /// An event has an empty event ID.
    pub const EMPTY_EVENT_ID: &str = "dag_empty_event_id";
    /// An event's JSON lacks a field the DAG needs, or has it in the wrong type.
    pub const UNREADABLE_EVENT: &str = "dag_unreadable_event";
    /// A room version 3+ PDU in an answer names an `event_id` other than its reference hash.
    pub const EVENT_ID_MISMATCH: &str = "dag_event_id_mismatch";
}
