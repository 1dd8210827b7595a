//! `cargo bench --bench validate`: the per-event checks on 100,000 generated, realistic PDUs
//! (about 900 bytes, 1–3 prev events, signed by 5 servers' keys), natively.
//!
//! Each stage runs over every event once (after a warm-up pass over a tenth of them) and
//! prints events per second on one core: parse (canonical JSON tree), event ID, content hash,
//! signature check one by one and in batches, and full validation of the events as
//! `/backfill` transactions of 100 events (text in, report out); and ruma's
//! `reference_hash` + `verify_event` on the same events for comparison. `MXDAG_BENCH_EVENTS=N`
//! changes the number of events; `MXDAG_BENCH_ONLY=word` runs only the stages whose name
//! contains `word` (e.g. `full`, for `perf record`).

use std::hint::black_box;
use std::time::Instant;

use mxdag::generate::bench::{Stage, ValidationBench};
use mxdag::generate::{generate_room, GenerateOptions, GeneratedRoom, ShapeOptions};

/// This thread's CPU time in nanoseconds (Linux `/proc/thread-self/schedstat`), so that rates
/// mean "on one core" even when other processes share the machine.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Runs `f` (a warm-up first) and prints `count` events' rate per CPU second (per wall-clock
/// second where CPU time is not available). With `MXDAG_BENCH_ONLY=word`, only stages whose
/// name contains `word` run (for profiling).
fn stage(name: &str, count: usize, warm_up: impl FnOnce(), f: impl FnOnce()) {
    if std::env::var("MXDAG_BENCH_ONLY").is_ok_and(|only| !name.contains(&only)) {
        return;
    }
    warm_up();
    let (cpu, start) = (cpu_ns(), Instant::now());
    f();
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu
        .zip(cpu_ns())
        .map_or(wall, |(a, b)| (b - a) as f64 / 1e9);
    let rate = count as f64 / cpu;
    println!("{name:<44} {rate:>12.0} events/s  ({cpu:.3} s CPU, {wall:.3} s wall)");
}

fn room(events: u32) -> GeneratedRoom {
    let start = Instant::now();
    let room = generate_room(&GenerateOptions {
        room_version: "12".into(),
        shape: ShapeOptions {
            events,
            servers: 5,
            users_per_server: 4,
            seed: 2024,
            concurrency: 0.4,
            ..ShapeOptions::default()
        },
        ..GenerateOptions::default()
    })
    .expect("version 12 exists");
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{:<44} {:>12.0} events/s  ({seconds:.3} s)",
        "generate (shape, hash, sign)",
        f64::from(events) / seconds
    );
    room
}

fn main() {
    let events: u32 = std::env::var("MXDAG_BENCH_EVENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let room = room(events);
    let bench = ValidationBench::new(&room);
    let texts = bench.texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let prevs: usize = room.shape.events.iter().map(|e| e.prev_events.len()).sum();
    println!(
        "{} v{} PDUs, {} bytes on average, {:.2} prev events on average, {} servers",
        texts.len(),
        room.room_version.id,
        bytes / texts.len(),
        prevs as f64 / texts.len() as f64,
        room.signing_keys.len()
    );

    for s in Stage::ALL {
        stage(
            s.description(),
            texts.len(),
            || {
                bench.run(s, true);
            },
            || {
                assert_eq!(
                    bench.run(s, false),
                    texts.len(),
                    "{}: every event is fine",
                    s.name()
                )
            },
        );
    }
    ruma_stage(&room, texts);
}

/// The same checks with ruma, for comparison: parse into ruma's canonical JSON, reference
/// hash (event ID), `verify_event` (signatures one by one, then the content hash).
fn ruma_stage(room: &GeneratedRoom, texts: &[String]) {
    use ruma_common::{CanonicalJsonObject, RoomVersionId};
    let rules = RoomVersionId::V12.rules().expect("ruma knows v12");
    let keys: ruma_signatures::PublicKeyMap = room
        .signing_keys
        .iter()
        .map(|k| {
            let key =
                ruma_common::serde::Base64::parse(k.public_key_base64()).expect("valid base64");
            (k.server_name.clone(), [(k.key_id.clone(), key)].into())
        })
        .collect();
    let run = |texts: &[String]| {
        for t in texts {
            let object: CanonicalJsonObject =
                serde_json::from_str(t).expect("generated events parse");
            black_box(ruma_signatures::reference_hash(&object, &rules).ok());
            black_box(ruma_signatures::verify_event(&keys, &object, &rules).ok());
        }
    };
    stage(
        "ruma: parse, reference hash, verify_event",
        texts.len(),
        || run(&texts[..texts.len() / 10]),
        || run(texts),
    );
}
