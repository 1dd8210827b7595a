//! Gap-filling strategies on simulated federations: for each room, each strategy at limit
//! 100, the round trips, rounds, events transferred, duplicates and gaps left.
//!
//! `cargo bench --bench planner` runs the two rooms of `docs/planner.md`; arguments
//! `EVENTS GAPS SEED [WIDTH]` run one room of that size instead (WIDTH > 0: public-room shape).

use std::time::Instant;

use mxdag::planner::shape::RoomShape;
use mxdag::planner::simulator::{simulate, SimulationOptions};
use mxdag::planner::Strategy;

fn run(title: &str, options: SimulationOptions) {
    println!("\n## {title}\n");
    println!("| strategy | round trips | rounds | backfill | get_missing_events | forwards_fill | events transferred | duplicates | gaps at start | gaps left | closable left | simulated hours | wall ms |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    let start = Instant::now();
    let reports = simulate(options, &Strategy::ALL);
    let total = start.elapsed().as_millis() / reports.len() as u128;
    for r in &reports {
        let n = |e: &str| r.requests.get(e).copied().unwrap_or(0);
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | ~{} |",
            r.strategy,
            r.round_trips,
            r.rounds,
            n("backfill"),
            n("get_missing_events"),
            n("forwards_fill"),
            r.events_transferred,
            r.duplicates,
            r.gaps_at_start,
            r.gaps_left,
            r.closable_gaps_left,
            r.simulated_hours,
            total
        );
    }
    let synapse = &reports[0];
    let cover = reports.last().expect("four strategies");
    println!(
        "\ncover / synapse: round trips {:.2}×, events transferred {:.2}×",
        cover.round_trips as f64 / synapse.round_trips.max(1) as f64,
        cover.events_transferred as f64 / synapse.events_transferred.max(1) as f64
    );
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if let [events, gaps, seed, rest @ ..] = args.as_slice() {
        let width = rest.first().copied().unwrap_or(0) as usize;
        let shape = if width > 0 {
            RoomShape::PublicRoom { width }
        } else {
            RoomShape::Uniform
        };
        let options = SimulationOptions {
            seed: *seed,
            events: *events as usize,
            gaps: *gaps as usize,
            shape,
            ..SimulationOptions::default()
        };
        run(
            &format!("{events} events, {gaps} holes, seed {seed}, {shape:?}"),
            options,
        );
        return;
    }
    for seed in [1, 2, 3] {
        run(
            &format!("10,000 events, 1,000 short holes and one long one, seed {seed}"),
            SimulationOptions {
                seed,
                ..SimulationOptions::default()
            },
        );
    }
    run(
        "Large public room: 50,000 events from 300 concurrent servers, joined at 60%, 1,500 holes",
        SimulationOptions {
            seed: 1,
            events: 50_000,
            gaps: 1_500,
            shape: RoomShape::PublicRoom { width: 300 },
            ..SimulationOptions::default()
        },
    );
}
