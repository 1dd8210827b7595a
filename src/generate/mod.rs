//! A deterministic room generator: realistic signed PDUs for tests, benchmarks, the demo
//! peer and the planner's simulator.
//!
//! A seed and a few options always give the same room, on every host. Generation has two
//! layers:
//!
//! - [`shape`]: the DAG — which server sends which event at which tick, its `prev_events`,
//!   `auth_events` and `depth` — from a simulated federation with delayed delivery (forks
//!   and merges) and partitions (with their rejoin). No hashing, no signing: it scales to
//!   millions of events ([`generate_shape`]).
//! - [`render`]: the shape as PDUs of a room version (Server-Server API, "PDUs"; Room
//!   Versions, "Event format"), with content hashes, each server's ed25519 signature, event
//!   IDs, the server key responses (`GET /_matrix/key/v2/server`), and the damage options
//!   (events pruned for history visibility, a tampered event, a bad signature)
//!   ([`generate_room`]).
//!
//! [`bench`] runs each stage of validation alone over a generated room, for the benchmarks.

pub mod bench;
pub mod content;
pub mod damage;
pub mod keys;
pub mod prng;
pub mod render;
pub mod shape;
pub mod state_bench;

use serde::Deserialize;

pub use damage::{Damage, DamageReport};
pub use keys::ServerSigningKey;
pub use render::{generate_room, GenerateOptions, GeneratedRoom};
pub use shape::{
    generate_shape, EventKind, Membership, Partition, RoomShape, ShapeEvent, ShapeUser,
};

/// Options for the shape of a room. Field names are camelCase when read from JS.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ShapeOptions {
    /// The seed: the same seed and options give the same room.
    pub seed: u64,
    /// Number of events (at least the 7 opening state events are always generated).
    pub events: u32,
    /// Number of servers in the room.
    pub servers: u16,
    /// Users per server (they join over the first fifth of the room).
    pub users_per_server: u32,
    /// Names for the first servers (the rest get generated names).
    pub server_names: Vec<String>,
    /// Probability that an event reaches the other servers late (0 gives a single chain).
    pub concurrency: f64,
    /// The longest delay, in ticks, of a late event.
    pub max_delay: u32,
    /// At most this many `prev_events` per event (1–20; Synapse uses up to 10).
    pub max_prev_events: usize,
    /// Number of partitions, each followed by a rejoin.
    pub partitions: u32,
    /// Length of a partition in ticks (shortened to fit the room).
    pub partition_length: u32,
    /// Probability that an event (after the opening) is a state change rather than a message.
    pub state_changes: f64,
    /// Whether one message is redacted (an `m.room.redaction`, two thirds into the room).
    pub redaction: bool,
    /// The last this-many events reach no other server before the end, so the room ends
    /// with several forward extremities (one per server that sent among them).
    pub final_forks: u32,
}

impl Default for ShapeOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            events: 200,
            servers: 3,
            users_per_server: 2,
            server_names: Vec::new(),
            concurrency: 0.3,
            max_delay: 3,
            max_prev_events: 3,
            partitions: 1,
            partition_length: 20,
            state_changes: 0.05,
            redaction: true,
            final_forks: 0,
        }
    }
}

/// The problem codes the generator raises when its options cannot be honoured.
pub mod codes {
    /// The requested room version is not one of 1–12.
    pub const UNKNOWN_ROOM_VERSION: &str = "generate_unknown_room_version";
    /// The options object could not be read.
    pub const BAD_OPTIONS: &str = "generate_bad_options";
    /// A benchmark stage name that is not one of [`super::bench::Stage::ALL`].
    pub const UNKNOWN_BENCH_STAGE: &str = "generate_unknown_bench_stage";
}
