//! `cargo bench --bench adversarial`: what hostile inputs cost — a transaction of `N` empty
//! PDUs `{}` (`MXDAG_ADVERSARIAL_PDUS`, default 1,000,000: 3 MB), taken by a room session as
//! the CLI and the page take it (room version 10 given, so every event is judged). Prints
//! the input's size, the time, the peak resident memory of the process (Linux `VmHWM`) and
//! the size of the JSON report. Run one size per process (`benches/adversarial.sh` runs the
//! usual sizes), as the peak is the process's. `MXDAG_ADVERSARIAL_STAGE=recognise` or
//! `validate` stops after `input::recognise` or `event::validate_input` (no session), to
//! see which layer holds the memory.

use std::time::Instant;

use mxdag::room_version::RoomVersion;
use mxdag::session::{Ingest, RoomSession};

/// The process's peak resident memory in MB (`VmHWM` of `/proc/self/status`).
fn peak_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    let n: usize = std::env::var("MXDAG_ADVERSARIAL_PDUS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let mut text = String::from(r#"{"origin":"evil.test","origin_server_ts":1,"pdus":["#);
    for i in 0..n {
        text.push_str(if i == 0 { "{}" } else { ",{}" });
    }
    text.push_str("]}");
    let base = peak_mb().unwrap_or(0.0);
    let start = Instant::now();
    let stage = std::env::var("MXDAG_ADVERSARIAL_STAGE").unwrap_or_default();
    if stage == "recognise" || stage == "validate" {
        let events = match stage.as_str() {
            "recognise" => mxdag::input::recognise(&text).events.len(),
            _ => {
                let keys = mxdag::crypto::KeyRing::new();
                let options = mxdag::event::ValidateOptions::default();
                let v =
                    mxdag::event::validate_input(&text, Some(&RoomVersion::V10), &keys, &options);
                v.map_or(0, |v| v.report.events.len())
            }
        };
        println!(
            "{n} empty PDUs, {stage} only: {events} events, {:.2} s, peak memory {:.0} MB",
            start.elapsed().as_secs_f64(),
            peak_mb().unwrap_or(0.0)
        );
        return;
    }
    let mut session = RoomSession::new(None, Some(RoomVersion::V10));
    let report = session.ingest(
        &text,
        &Ingest {
            source: "adversarial",
            ..Ingest::default()
        },
    );
    let judged = start.elapsed().as_secs_f64();
    let json = serde_json::to_string(&report).unwrap_or_default();
    let total = start.elapsed().as_secs_f64();
    println!(
        "{n} empty PDUs: input {:.1} MB; ingest {judged:.2} s, with the JSON report {total:.2} s; \
         peak memory {:.0} MB (input text {base:.0} MB before); report {:.1} MB ({:.0}x the input), \
         {} events reported, {} problems of the input",
        text.len() as f64 / 1e6,
        peak_mb().unwrap_or(0.0),
        json.len() as f64 / 1e6,
        json.len() as f64 / text.len() as f64,
        report.events.len(),
        report.problems.len(),
    );
}
