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

use mxdag::canonical_json::{self, Value};
use mxdag::crypto::keys::{parse_public_key, parse_signature};
use mxdag::crypto::signatures::{verify_all, SignatureCheck};
use mxdag::crypto::KeyRing;
use mxdag::event::hashes::{content_hash, event_id, signing_bytes};
use mxdag::event::redaction::redact;
use mxdag::event::{validate_input, ValidateOptions};
use mxdag::generate::{generate_room, GenerateOptions, GeneratedRoom, ShapeOptions};

/// This thread's CPU time in nanoseconds (Linux `/proc/thread-self/schedstat`), so that rates
/// mean "on one core" even when other processes share the machine.
fn cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Runs `f` over `items` (a tenth first, to warm up) and prints the rate per CPU second (per
/// wall-clock second where CPU time is not available). With `MXDAG_BENCH_ONLY=word`, only
/// stages whose name contains `word` run (for profiling).
fn stage<T>(name: &str, items: &[T], per_item: usize, mut f: impl FnMut(&T)) {
    if std::env::var("MXDAG_BENCH_ONLY").is_ok_and(|only| !name.contains(&only)) {
        return;
    }
    for item in &items[..items.len() / 10] {
        f(item);
    }
    let (cpu, start) = (cpu_ns(), Instant::now());
    for item in items {
        f(item);
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu = cpu
        .zip(cpu_ns())
        .map_or(wall, |(a, b)| (b - a) as f64 / 1e9);
    let rate = (items.len() * per_item) as f64 / cpu;
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
    let version = room.room_version;
    let texts: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let prevs: usize = room.shape.events.iter().map(|e| e.prev_events.len()).sum();
    println!(
        "{} v{} PDUs, {} bytes on average, {:.2} prev events on average, {} servers",
        texts.len(),
        version.id,
        bytes / texts.len(),
        prevs as f64 / texts.len() as f64,
        room.signing_keys.len()
    );

    stage("parse (canonical JSON tree)", &texts, 1, |t| {
        black_box(canonical_json::from_str(t).ok());
    });
    let objects: Vec<_> = room
        .pdus
        .iter()
        .filter_map(|p| p.as_object().cloned())
        .collect();
    stage("event ID (redact + reference hash)", &objects, 1, |o| {
        black_box(event_id(o, &version));
    });
    stage("content hash", &objects, 1, |o| {
        black_box(content_hash(o));
    });

    let messages: Vec<Vec<u8>> = objects
        .iter()
        .map(|o| signing_bytes(&redact(o, &version).event))
        .collect();
    let checks: Vec<SignatureCheck> = objects
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let key = &room.signing_keys[usize::from(room.shape.events[i].server)];
            let signature = o
                .get("signatures")
                .and_then(|s| s.get(&key.server_name))
                .and_then(|s| s.get(&key.key_id))
                .and_then(Value::as_str)
                .and_then(parse_signature)
                .expect("generated events are signed");
            let key = parse_public_key(&key.public_key_base64()).expect("generated keys are valid");
            SignatureCheck {
                message: i,
                key,
                signature,
            }
        })
        .collect();
    stage("signature, one by one (verify_strict)", &checks, 1, |c| {
        black_box(
            c.key
                .verify_strict(&messages[c.message], &c.signature)
                .is_ok(),
        );
    });
    let slices: Vec<&[u8]> = messages.iter().map(Vec::as_slice).collect();
    let batches: Vec<&[SignatureCheck]> = checks.chunks(1000).collect();
    stage("signature, batched (verify_all)", &batches, 1000, |b| {
        black_box(verify_all(&slices, b));
    });

    let mut ring = KeyRing::new();
    for response in &room.server_keys {
        ring.add_response(response);
    }
    let transactions: Vec<String> = texts
        .chunks(100)
        .map(|chunk| {
            format!(
                r#"{{"origin":"matrix.example.org","origin_server_ts":1700000000000,"pdus":[{}]}}"#,
                chunk.join(",")
            )
        })
        .collect();
    let options = ValidateOptions { via_backfill: true };
    stage(
        "full validation (transactions of 100)",
        &transactions,
        100,
        |t| {
            let validation =
                validate_input(t, Some(&version), &ring, &options).expect("version given");
            assert_eq!(validation.report.counts.dropped, 0);
            black_box(validation);
        },
    );
    ruma_stage(&room, &texts);
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
    stage("ruma: parse, reference hash, verify_event", texts, 1, |t| {
        let object: CanonicalJsonObject = serde_json::from_str(t).expect("generated events parse");
        black_box(ruma_signatures::reference_hash(&object, &rules).ok());
        black_box(ruma_signatures::verify_event(&keys, &object, &rules).ok());
    });
}
