//! Room DAG benchmark: a synthetic room of 1,000,000 events (1–3 prev events each, forks and
//! merges, room version 4+ event IDs), then ingest + forward extremities + gaps + linear order.
//!
//! Run: `cargo bench --bench dag` (optionally `-- N` for another event count). Memory is the
//! DAG's allocated capacity as counted by [`RoomDag::heap_bytes`] (every vector's capacity
//! times its element size, the ID table included), divided by the number of events.
//! The same measurement in wasm under Node: `scripts/build && node benches/node/dag.mjs`.

use std::time::Instant;

use mxdag::dag::{synthetic, Placement, RoomDag};

/// CPU time of this process in milliseconds (Linux `/proc/self/stat`, 10 ms ticks), the
/// fairer figure on a shared machine; `None` elsewhere.
fn cpu_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks * 10.0)
}

fn main() {
    let n: usize = std::env::args()
        .filter_map(|a| a.parse().ok())
        .next()
        .unwrap_or(1_000_000);
    let t = Instant::now();
    let events = synthetic::room(7, n, "!bench:example.org");
    println!(
        "generated {n} events in {:.0} ms (not counted)",
        t.elapsed().as_secs_f64() * 1e3
    );
    let prevs: usize = events.iter().map(|e| e.prev_events.len()).sum();

    let cpu_start = cpu_ms();
    let start = Instant::now();
    let mut dag = RoomDag::new();
    // As the bulk JS path (`RoomDag.addColumns`) does: the event count is known up front.
    dag.reserve(n, 2);
    for e in &events {
        dag.insert(e, Placement::Timeline);
    }
    let ingest = start.elapsed();
    let tips = dag.forward_extremities();
    let extremities = start.elapsed() - ingest;
    let order = dag.linear_order();
    let total = start.elapsed();
    let cpu = cpu_ms().zip(cpu_start).map(|(end, start)| end - start);
    let gaps = dag.gaps().len();
    let forks = dag.forks().len();

    assert_eq!(order.len(), n);
    println!(
        "prev_events per event: {:.2}; forward extremities: {}; gaps: {gaps}; forks: {forks}",
        prevs as f64 / n as f64,
        tips.len()
    );
    println!(
        "ingest {:.0} ms, extremities {:.0} ms, linear order {:.0} ms, total {:.0} ms ({:.2} µs/event)",
        ingest.as_secs_f64() * 1e3,
        extremities.as_secs_f64() * 1e3,
        (total - ingest - extremities).as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e3,
        total.as_secs_f64() * 1e6 / n as f64
    );
    if let Some(cpu) = cpu {
        println!("CPU time for ingest + extremities + order: {cpu:.0} ms");
    }
    let bytes = dag.heap_bytes();
    println!(
        "DAG memory: {bytes} bytes allocated = {:.1} bytes/event",
        bytes as f64 / n as f64
    );
}
