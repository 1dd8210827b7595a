//! `cargo bench --bench state`: the state before and after every event of a generated room
//! of 100,000 events (`MXDAG_BENCH_EVENTS=N` changes it) with 10% state changes, forks and
//! partitions, natively: checks 1–6 on ingest, then the states alone computed again
//! (state resolution at every merge, check 5 for every event, check 6), and the memory the
//! states and auth chains hold per event. `benches/node/state.mjs` runs the same in wasm.

use std::time::Instant;

use mxdag::generate::state_bench::StateBench;
use mxdag::session::Position;

fn main() {
    let events: u32 = std::env::var("MXDAG_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let room = StateBench::new(events);
    let mut session = room.session();
    let start = Instant::now();
    let report = room.ingest(&mut session);
    let ingest = start.elapsed().as_secs_f64();
    println!(
        "ingest, checks 1-6 of {} events: {ingest:.3} s ({:?})",
        room.event_ids.len(),
        report.counts
    );
    let start = Instant::now();
    session.resolve_states_again();
    let states = start.elapsed().as_secs_f64();
    let bytes = session.state_heap_bytes();
    println!(
        "states before and after every event again: {states:.3} s ({} merges), {} bytes per event held",
        room.merges,
        bytes / room.event_ids.len().max(1)
    );
    let start = Instant::now();
    let mut entries = 0;
    for id in &room.event_ids {
        entries += session
            .state_at(id, Position::Before)
            .map_or(0, |s| s.len());
    }
    println!(
        "state_at(before) of every event: {:.3} s ({entries} entries)",
        start.elapsed().as_secs_f64()
    );
}
