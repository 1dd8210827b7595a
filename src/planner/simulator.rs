//! A simulated federation over a generated room: the requester's [`RoomDag`] holds part of
//! the room ([`super::shape`]), each [`Peer`] holds another part and answers with the
//! crate's reference answers, and a [`GapPlanner`] decides what to ask until nothing more
//! can be done. The [`SimulationReport`] counts round trips, events transferred, duplicates
//! and gaps left, and says whether every closable gap (one some working peer holds) closed.

use std::collections::HashMap;

use serde::Serialize;

pub use super::peer::{Peer, PeerAnswer, PeerConfig};
use super::shape::{build, RoomShape, SimulatedRoom, ROOM_ID};
use super::{GapPlanner, Outcome, PlannerOptions, ServerHistory, Strategy, HOUR_MS};
use crate::dag::{Placement, RoomDag};

/// Simulated time one round of requests takes, in milliseconds.
pub const ROUND_MS: u64 = 250;

/// What to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationOptions {
    /// Seed of the room, the holes and the peers' parts.
    pub seed: u64,
    /// Events in the room.
    pub events: usize,
    /// Short holes punched into the requester's part.
    pub gaps: usize,
    /// The room's shape.
    pub shape: RoomShape,
    /// The servers.
    pub peers: Vec<PeerConfig>,
    /// The planner's settings (its strategy is set per run).
    pub planner: PlannerOptions,
}

impl Default for SimulationOptions {
    fn default() -> Self {
        Self {
            seed: 1,
            events: 10_000,
            gaps: 1_000,
            shape: RoomShape::Uniform,
            peers: PeerConfig::default_federation(),
            planner: PlannerOptions::default(),
        }
    }
}

/// A gap left open at the end, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenGapReport {
    /// The missing event.
    pub event_id: String,
    /// The reason's problem code.
    pub reason: &'static str,
    /// Whether a working peer holds it.
    pub closable: bool,
}

/// The result of one simulated run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimulationReport {
    /// The strategy's name.
    pub strategy: &'static str,
    /// Events in the room.
    pub events: usize,
    /// Events the requester held at the start.
    pub held_at_start: usize,
    /// Backward extremities at the start.
    pub gaps_at_start: usize,
    /// Requests sent.
    pub round_trips: u64,
    /// Rounds of requests sent together (the latency a requester waits for).
    pub rounds: u64,
    /// Requests per endpoint: `backfill`, `get_missing_events`, `forwards_fill`.
    pub requests: HashMap<&'static str, u64>,
    /// Events in all answers.
    pub events_transferred: u64,
    /// Events received that were held already (or twice in one answer).
    pub duplicates: u64,
    /// Duplicates per endpoint.
    pub duplicates_by_endpoint: HashMap<&'static str, u64>,
    /// Backward extremities at the end.
    pub gaps_left: usize,
    /// Of those, how many a working peer holds.
    pub closable_gaps_left: usize,
    /// Whether every closable gap closed.
    pub all_closable_closed: bool,
    /// Simulated hours spent, waiting for backoffs included.
    pub simulated_hours: f64,
    /// The gaps left open, with the reason.
    pub open_gaps: Vec<OpenGapReport>,
    /// What the planner learned about each server.
    pub servers: Vec<ServerHistory>,
}

/// A room, its peers and the requester's starting DAG, built once and run per strategy.
#[derive(Clone, Debug)]
pub struct Simulation {
    room: SimulatedRoom,
    peers: Vec<Peer>,
    options: SimulationOptions,
}

impl Simulation {
    /// Builds the room and the peers of `options`.
    pub fn new(options: SimulationOptions) -> Self {
        let room = build(options.shape, options.seed, options.events, options.gaps);
        let peers = options
            .peers
            .iter()
            .enumerate()
            .map(|(i, c)| Peer::new(c.clone(), &room, options.seed.wrapping_add(i as u64 + 7)))
            .collect();
        Self {
            room,
            peers,
            options,
        }
    }

    /// The peers.
    pub fn peers(&self) -> &[Peer] {
        &self.peers
    }

    /// Event `i` of the room (creation order).
    pub fn event(&self, i: usize) -> &crate::dag::DagEvent {
        &self.room.events[i]
    }

    /// The events the requester holds at the start.
    pub fn starting_events(&self) -> impl Iterator<Item = &crate::dag::DagEvent> {
        self.room
            .events
            .iter()
            .zip(&self.room.held)
            .filter(|(_, &h)| h)
            .map(|(e, _)| e)
    }

    /// The requester's DAG at the start.
    pub fn starting_dag(&self) -> RoomDag {
        let mut dag = RoomDag::for_room(ROOM_ID);
        dag.reserve(self.room.events.len(), 2);
        for (e, _) in self
            .room
            .events
            .iter()
            .zip(&self.room.held)
            .filter(|(_, &h)| h)
        {
            dag.insert(e, Placement::Timeline);
        }
        dag
    }

    /// A planner over the peers with `strategy`.
    pub fn planner(&self, strategy: Strategy) -> GapPlanner {
        let servers: Vec<String> = self.peers.iter().map(|p| p.config.name.clone()).collect();
        let options = PlannerOptions {
            strategy,
            ..self.options.planner
        };
        GapPlanner::new(ROOM_ID, &servers, options)
    }

    /// Answers one request as the planner's server `server` would, adds the events to
    /// `dag`, and returns the outcome plus the duplicates received.
    pub fn exchange(
        &self,
        dag: &mut RoomDag,
        server: usize,
        request: &crate::federation::FederationRequest,
    ) -> (Outcome, u64) {
        let Some(peer) = self.peers.get(server) else {
            return (Outcome::Failed, 0);
        };
        match peer.answer(request) {
            PeerAnswer::Failed => (Outcome::Failed, 0),
            PeerAnswer::Unrecognized => (Outcome::Unrecognized, 0),
            PeerAnswer::Events(list) => {
                let mut new = 0;
                let lowest_depth = list.iter().map(|&i| self.room.events[i].depth).min();
                for &i in &list {
                    let e = &self.room.events[i];
                    let before = dag
                        .index_of(&e.event_id)
                        .is_some_and(|n| dag.is_timeline(n));
                    dag.insert(e, Placement::Timeline);
                    new += usize::from(!before);
                }
                let received = list.len();
                let outcome = Outcome::Answered {
                    received,
                    new,
                    lowest_depth,
                };
                (outcome, (received - new) as u64)
            }
        }
    }

    /// Runs `strategy` until the planner has nothing more to ask.
    pub fn run(&self, strategy: Strategy) -> SimulationReport {
        let mut dag = self.starting_dag();
        let held_at_start = dag.timeline_len();
        let gaps_at_start = dag.gaps().len();
        let mut planner = self.planner(strategy);
        let mut report = SimulationReport {
            strategy: strategy.name(),
            events: self.room.events.len(),
            held_at_start,
            gaps_at_start,
            round_trips: 0,
            rounds: 0,
            requests: HashMap::new(),
            events_transferred: 0,
            duplicates: 0,
            duplicates_by_endpoint: HashMap::new(),
            gaps_left: 0,
            closable_gaps_left: 0,
            all_closable_closed: false,
            simulated_hours: 0.0,
            open_gaps: Vec::new(),
            servers: Vec::new(),
        };
        while let Some(requests) = planner.next_or_wait(&dag) {
            report.rounds += 1;
            for r in &requests {
                let (outcome, duplicates) = self.exchange(&mut dag, r.server_index, &r.request);
                if let Outcome::Answered { received, .. } = outcome {
                    report.events_transferred += received as u64;
                }
                report.duplicates += duplicates;
                *report
                    .duplicates_by_endpoint
                    .entry(r.endpoint())
                    .or_default() += duplicates;
                *report.requests.entry(r.endpoint()).or_default() += 1;
                planner.record(&dag, r, outcome);
            }
            planner.set_now_ms(planner.now_ms() + ROUND_MS);
        }
        report.round_trips = planner.round_trips();
        report.simulated_hours = planner.now_ms() as f64 / HOUR_MS as f64;
        for open in planner.open_gaps(&dag) {
            let event_id = dag.event_id(open.event);
            let closable = self
                .peers
                .iter()
                .any(|p| !p.config.down && p.holds(&event_id));
            report.closable_gaps_left += usize::from(closable);
            report.open_gaps.push(OpenGapReport {
                event_id,
                reason: open.reason.code(),
                closable,
            });
        }
        report.gaps_left = report.open_gaps.len();
        report.servers = planner.servers().to_vec();
        report.all_closable_closed = report.closable_gaps_left == 0;
        report
    }
}

/// Builds the simulation of `options` and runs each of `strategies` on it.
pub fn simulate(options: SimulationOptions, strategies: &[Strategy]) -> Vec<SimulationReport> {
    let simulation = Simulation::new(options);
    strategies.iter().map(|&s| simulation.run(s)).collect()
}
