//! `cargo bench --bench state`: the state before and after every event of a generated room
//! of 100,000 events (`MXDAG_BENCH_EVENTS=N` changes it) with 10% state changes, forks and
//! partitions, natively: checks 1–6 on ingest, then the states alone computed again
//! (state resolution at every merge, check 5 for every event, check 6), and the memory the
//! states and auth chains hold per event.

use std::time::Instant;

use mxdag::canonical_json;
use mxdag::generate::{generate_room, GenerateOptions, ShapeOptions};
use mxdag::session::{Ingest, Position, RoomSession};

fn main() {
    let events: u32 = std::env::var("MXDAG_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let room = generate_room(&GenerateOptions {
        room_version: "12".into(),
        shape: ShapeOptions {
            events,
            servers: 5,
            users_per_server: 4,
            seed: 2024,
            concurrency: 0.4,
            partitions: (events / 2_000).max(1),
            partition_length: 40,
            state_changes: 0.1,
            ..ShapeOptions::default()
        },
        ..GenerateOptions::default()
    })
    .expect("version 12 exists");
    let text: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    let keys: Vec<String> = room
        .server_keys
        .iter()
        .map(canonical_json::to_string)
        .collect();
    let mut session = RoomSession::new(None, Some(room.room_version));
    session.add_keys(&keys.join("\n"));
    let start = Instant::now();
    let report = session.ingest(&text.join("\n"), &Ingest::default());
    let ingest = start.elapsed().as_secs_f64();
    println!(
        "ingest, checks 1-6 of {} events: {ingest:.3} s ({:?})",
        room.pdus.len(),
        report.counts
    );
    let start = Instant::now();
    session.resolve_states_again();
    let states = start.elapsed().as_secs_f64();
    let bytes = session.state_heap_bytes();
    let merges = room
        .pdus
        .iter()
        .filter(|p| {
            p.get("prev_events")
                .and_then(|v| v.as_array())
                .is_some_and(|a| a.len() > 1)
        })
        .count();
    println!(
        "states before and after every event again: {states:.3} s ({merges} merges), {} bytes per event held",
        bytes / room.pdus.len().max(1)
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
