//! The gap planner: which federation requests to send next to close a room DAG's backward
//! extremities, from which server, and what was learned from each answer.
//!
//! The spec gives three walking endpoints
//! ([`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid),
//! [`/get_missing_events`](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)
//! and MSC4000 forwards fill) but no rule for how to use them to fill many gaps: the spec's
//! backfill section asks "DFS? BFS? Anything weirder?" and MSC4000 asks for "a smarter
//! heuristic". Synapse's answer is to backfill from the 5 backward extremities closest to the
//! depth being read, one server at a time, backing a failing point off for 2h, 4h, … 256h.
//!
//! - [`GapPlanner`] proposes the next requests for a [`RoomDag`](crate::dag::RoomDag) under a
//!   [`Strategy`] and learns from each [`Outcome`]: a server that answers `M_UNRECOGNIZED` to
//!   forwards fill is not asked for it again, a server that answered without an event is not
//!   asked for it again, caps seen are respected, failures back off on a simulated clock.
//! - [`Strategy`]: `synapse` (the baseline above), `dfs`, `bfs`, and `cover`, ours (see
//!   [`cover`]).
//! - [`simulator`]: a simulated federation of peers over a generated room, answering with the
//!   crate's reference answers ([`crate::federation`]), counting round trips, events
//!   transferred, duplicates and gaps left; [`shape`] generates the rooms it runs on.

mod backoff;
pub mod cover;
mod gap_planner;
mod knowledge;
mod peer;
mod plan;
pub mod shape;
pub mod simulator;
mod strategy;
pub mod wire;

pub use backoff::{backoff_ms, HOUR_MS};
pub use gap_planner::{GapPlanner, OpenGap, OpenReason, PlannerOptions};
pub use knowledge::{ServerHistory, Support};
pub use plan::{Outcome, PlannedRequest, Probe};
pub use strategy::Strategy;

/// Problem codes raised by the planner.
pub mod codes {
    /// A gap stays open: every server in the room answered without the missing event.
    pub const GAP_NO_SERVER_HOLDS: &str = "planner_gap_no_server_holds";
    /// A gap stays open: the servers that might hold it keep failing and are backing off.
    pub const GAP_SERVERS_UNAVAILABLE: &str = "planner_gap_servers_unavailable";
    /// A gap stays open: the round-trip or waiting budget ran out first.
    pub const GAP_BUDGET_EXHAUSTED: &str = "planner_gap_budget_exhausted";
    /// The planner was given no server to ask.
    pub const NO_SERVERS: &str = "planner_no_servers";
    /// A strategy name is not one of `synapse`, `dfs`, `bfs`, `cover`.
    pub const UNKNOWN_STRATEGY: &str = "planner_unknown_strategy";
    /// An argument from JS (options, events, an outcome, a request) has the wrong shape.
    pub const BAD_ARGUMENT: &str = "planner_bad_argument";
    /// An outcome was recorded for a request the planner has no record of.
    pub const UNKNOWN_REQUEST: &str = "planner_unknown_request";
    /// A simulated federation was asked to answer as a server it does not have.
    pub const UNKNOWN_SERVER: &str = "planner_unknown_server";
}
