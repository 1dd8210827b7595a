//! Longer simulations (native only): on both room shapes, every strategy closes every
//! closable gap and `cover` needs at most half the round trips of Synapse's rule with no
//! more events transferred (the target, at the limit of 100).
#![cfg(not(target_arch = "wasm32"))]

use mxdag::planner::shape::RoomShape;
use mxdag::planner::simulator::{simulate, SimulationOptions};
use mxdag::planner::Strategy;

/// Runs every strategy; checks what holds on every shape; returns (synapse, cover) round trips.
fn check(options: SimulationOptions) -> (u64, u64) {
    let reports = simulate(options, &Strategy::ALL);
    for r in &reports {
        assert!(
            r.all_closable_closed,
            "{} left {:?}",
            r.strategy, r.open_gaps
        );
        assert_eq!(r.closable_gaps_left, 0);
    }
    let (synapse, cover) = (&reports[0], &reports[3]);
    assert_eq!((synapse.strategy, cover.strategy), ("synapse", "cover"));
    assert!(cover.round_trips < synapse.round_trips);
    assert!(cover.events_transferred <= synapse.events_transferred);
    assert!(cover.duplicates < synapse.duplicates);
    (synapse.round_trips, cover.round_trips)
}

#[test]
fn cover_halves_synapse_round_trips_on_a_room_with_short_holes() {
    let (synapse, cover) = check(SimulationOptions {
        seed: 11,
        events: 4_000,
        gaps: 400,
        ..SimulationOptions::default()
    });
    assert!(cover * 2 <= synapse, "cover {cover} vs synapse {synapse}");
}

#[test]
fn cover_halves_synapse_round_trips_on_a_wide_room_joined_late() {
    let (synapse, cover) = check(SimulationOptions {
        seed: 12,
        events: 6_000,
        gaps: 300,
        shape: RoomShape::PublicRoom { width: 60 },
        ..SimulationOptions::default()
    });
    assert!(cover * 2 <= synapse, "cover {cover} vs synapse {synapse}");
}
