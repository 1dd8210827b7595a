//! A simulated peer: one server's part of the room, answering the three walking endpoints
//! with the crate's reference answers, under its own caps, order and failures.

use serde::Serialize;

use super::shape::SimulatedRoom;
use crate::dag::synthetic::Rng;
use crate::dag::{NodeIndex, Placement, RoomDag};
use crate::federation::backfill::{self, BackfillOrder};
use crate::federation::{forwards_fill, get_missing_events, FederationRequest};

/// How one simulated server behaves.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeerConfig {
    /// The server name.
    pub name: String,
    /// Where in the room's history (0.0 = the create event, 1.0 = the end) it joined: it holds
    /// nothing older.
    pub joined_at: f64,
    /// Fraction of the events since it joined that it lacks.
    pub lacks: f64,
    /// Its cap on `/backfill` `limit`.
    pub backfill_cap: u64,
    /// Its cap on `/get_missing_events` `limit`.
    pub get_missing_events_cap: u64,
    /// Whether it implements MSC4000 forwards fill (else `404 M_UNRECOGNIZED`).
    pub forwards_fill: bool,
    /// Breadth-first (Dendrite) rather than Synapse's depth order for `/backfill`.
    pub breadth_first: bool,
    /// Fails every request (a server that is down).
    pub down: bool,
}

impl PeerConfig {
    /// A peer holding the whole room, Synapse's caps (100 / 20), no forwards fill.
    pub fn synapse(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            joined_at: 0.0,
            lacks: 0.0,
            backfill_cap: 100,
            get_missing_events_cap: 20,
            forwards_fill: false,
            breadth_first: false,
            down: false,
        }
    }

    /// The default federation: a lagging server capping at 20 that lacks a fifth of the room,
    /// a server that is down, a Synapse holding everything, a conduwuit-like server (150 / 50)
    /// that joined at 30%, and an mxdag-like server with forwards fill (100 / 100) that
    /// joined at 60%. Listed in that order, so "one server at a time" meets the weak ones first.
    pub fn default_federation() -> Vec<Self> {
        let base = Self::synapse;
        vec![
            Self {
                lacks: 0.2,
                backfill_cap: 20,
                ..base("lagging.example")
            },
            Self {
                down: true,
                ..base("down.example")
            },
            base("synapse.example"),
            Self {
                joined_at: 0.3,
                lacks: 0.05,
                backfill_cap: 150,
                get_missing_events_cap: 50,
                breadth_first: true,
                ..base("conduwuit.example")
            },
            Self {
                joined_at: 0.6,
                lacks: 0.1,
                get_missing_events_cap: 100,
                forwards_fill: true,
                breadth_first: true,
                ..base("mxdag.example")
            },
        ]
    }
}

/// What a peer answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeerAnswer {
    /// Events, as indices into the room's event list.
    Events(Vec<usize>),
    /// `404 M_UNRECOGNIZED`.
    Unrecognized,
    /// An error or no answer.
    Failed,
}

/// A simulated server.
#[derive(Clone, Debug)]
pub struct Peer {
    /// How it behaves.
    pub config: PeerConfig,
    dag: RoomDag,
    /// Room event index of each of its nodes.
    room_index: Vec<usize>,
}

impl Peer {
    /// The peer's part of `room`, chosen deterministically from `seed`.
    pub fn new(config: PeerConfig, room: &SimulatedRoom, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let n = room.events.len();
        let from = ((config.joined_at.clamp(0.0, 1.0) * n as f64) as usize).min(n - 1);
        let lack_per_mille = (config.lacks.clamp(0.0, 1.0) * 1000.0) as u64;
        let mut dag = RoomDag::new();
        dag.reserve(n - from, 2);
        let mut room_index = Vec::new();
        for (i, e) in room.events.iter().enumerate().skip(from) {
            // The newest event is always held: every peer is in the room now.
            if i + 1 < n && rng.below(1000) < lack_per_mille {
                continue;
            }
            if let Some(node) = dag.insert(e, Placement::Timeline) {
                let slot = node as usize;
                if room_index.len() <= slot {
                    room_index.resize(slot + 1, usize::MAX);
                }
                room_index[slot] = i;
            }
        }
        Self {
            config,
            dag,
            room_index,
        }
    }

    /// Whether the peer holds event `id` in its timeline.
    pub fn holds(&self, id: &str) -> bool {
        self.dag
            .index_of(id)
            .is_some_and(|n| self.dag.is_timeline(n))
    }

    /// The peer's answer to `request`.
    pub fn answer(&self, request: &FederationRequest) -> PeerAnswer {
        if self.config.down {
            return PeerAnswer::Failed;
        }
        let nodes: Vec<NodeIndex> = match request {
            FederationRequest::Backfill(r) => {
                let order = if self.config.breadth_first {
                    BackfillOrder::BreadthFirst
                } else {
                    BackfillOrder::Synapse
                };
                let limit = r.limit.min(self.config.backfill_cap);
                backfill::reference_answer(&self.dag, &r.v, limit, order)
            }
            FederationRequest::GetMissingEvents(r) => {
                let mut capped = r.clone();
                capped.limit = r.limit.min(self.config.get_missing_events_cap);
                get_missing_events::reference_answer(&self.dag, &capped)
            }
            FederationRequest::ForwardsFill(r) => {
                if !self.config.forwards_fill {
                    return PeerAnswer::Unrecognized;
                }
                let limit = r.limit.min(self.config.backfill_cap);
                forwards_fill::reference_answer(&self.dag, &r.from_event_id, limit)
            }
            // The simulated peer serves the walking endpoints only: the planner never asks
            // for these, whose answers name events instead of carrying them.
            FederationRequest::TimestampToEvent(_) | FederationRequest::Extremities(_) => {
                return PeerAnswer::Unrecognized
            }
        };
        PeerAnswer::Events(
            nodes
                .into_iter()
                .map(|n| self.room_index[n as usize])
                .collect(),
        )
    }
}
