//! The session's own pass over a large file whose slices were judged on other cores, alone,
//! natively: for profiling what the session spends once the judgements are in hand.
//!   cargo run --release --example judged_ingest -- [EVENTS] [ROUNDS]
//! Generates the page benchmark's room (v10, 4 servers; `benches/browser/load-file.mjs`),
//! judges it in slices of 2,000 events (what the workers do), then takes it ROUNDS times
//! in a fresh session that names no version, begun in parts and given the judgements one
//! at a time (what the page's worker does), and once on one core without them, printing
//! the time of each. `MXDAG_PART_EVENTS=N` takes the judged runs in parts of N events.
//! Under `perf record`, set
//! `MXDAG_PROFILE_SKIP_SINGLE=1` so that only the judged runs are sampled after judging.
use std::time::Instant;

use mxdag::canonical_json;
use mxdag::generate::{generate_room, GenerateOptions, GeneratedRoom, ShapeOptions};
use mxdag::input::event_spans;
use mxdag::session::parallel::{judge_slice, JudgeContext};
use mxdag::session::{Ingest, RoomSession};

fn session(room: &GeneratedRoom) -> RoomSession {
    let mut session = RoomSession::new(None, None);
    for key in &room.server_keys {
        session.add_keys(&canonical_json::to_string(key));
    }
    session
}

fn main() {
    let mut args = std::env::args().skip(1);
    let events: u32 = args.next().map_or(100_000, |n| n.parse().expect("EVENTS"));
    let rounds: usize = args.next().map_or(1, |n| n.parse().expect("ROUNDS"));
    let at = Instant::now();
    let room = generate_room(&GenerateOptions {
        room_version: "10".into(),
        shape: ShapeOptions {
            seed: 4000,
            events,
            servers: 4,
            concurrency: 0.35,
            max_prev_events: 4,
            partitions: 2,
            ..ShapeOptions::default()
        },
        ..GenerateOptions::default()
    })
    .expect("a room");
    let lines: Vec<String> = room.pdus.iter().map(canonical_json::to_string).collect();
    let text = lines.join("\n");
    drop(lines);
    eprintln!(
        "generated {} events, {} bytes in {:.2} s",
        room.pdus.len(),
        text.len(),
        at.elapsed().as_secs_f64()
    );
    let how = Ingest {
        source: "room.ndjson",
        via_backfill: true,
        ..Ingest::default()
    };
    // As the page does: the session names no version (the file's create event does), the
    // input is begun in parts, then judged with the context the session gives.
    let judge = |s: &mut RoomSession| {
        let context = s.judge_context(None, true, [7; 16]).expect("a context");
        let context = JudgeContext::from_bytes(&context).expect("a context");
        let spans = event_spans(&text).expect("spans");
        let mut judgements = Vec::new();
        for (n, chunk) in spans.spans.chunks(2000).enumerate() {
            let (start, end) = (chunk[0].0, chunk[chunk.len() - 1].1);
            let slice = &text[start..end];
            let judgement = judge_slice(&context, slice, start, n * 2000, chunk, spans.kind);
            judgements.push(judgement.expect("a judgement"));
        }
        judgements
    };
    let at = Instant::now();
    let mut first = session(&room);
    let taking = first.begin_parts(text.clone(), &how).expect("in parts");
    let judgements = judge(&mut first);
    drop((first, taking));
    let bytes: usize = judgements.iter().map(Vec::len).sum();
    eprintln!(
        "judged in {:.2} s ({} judgements, {bytes} bytes)",
        at.elapsed().as_secs_f64(),
        judgements.len()
    );
    let mut report = String::new();
    for round in 0..rounds {
        let mut s = session(&room);
        // Another part size, to compare (`MXDAG_PART_EVENTS=4096`).
        if let Some(n) = std::env::var("MXDAG_PART_EVENTS")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            s.set_part_events(n);
        }
        let copy = text.clone();
        let at = Instant::now();
        let mut taking = s.begin_parts(copy, &how).expect("in parts");
        s.judge_context(None, true, [7; 16]);
        for judgement in &judgements {
            s.take_judged_parts(&mut taking, std::slice::from_ref(judgement));
        }
        let taken_at = at.elapsed().as_secs_f64();
        let taken = s.finish_parts(taking);
        let total = at.elapsed().as_secs_f64();
        eprintln!(
            "round {round}: the session's pass with judgements {total:.3} s ({taken_at:.3} s \
             taking the parts as judged, {:.3} s finishing)",
            total - taken_at
        );
        let at = Instant::now();
        report = serde_json::to_string(&taken).expect("json");
        eprintln!(
            "  its report as JSON: {} bytes in {:.3} s",
            report.len(),
            at.elapsed().as_secs_f64()
        );
    }
    if std::env::var_os("MXDAG_PROFILE_SKIP_SINGLE").is_none() {
        let mut s = session(&room);
        let at = Instant::now();
        let taken = s.ingest(&text, &how);
        eprintln!(
            "one core, no judgements: {:.3} s",
            at.elapsed().as_secs_f64()
        );
        let same = serde_json::to_string(&taken).expect("json") == report;
        eprintln!("the same report: {same}");
    }
}
