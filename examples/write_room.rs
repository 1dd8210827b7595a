//! Writes a generated room as NDJSON, natively: for benchmarks at sizes the wasm generator
//! cannot hold in its memory (a million events and more).
//!   cargo run --release --example write_room -- '<GenerateRoomOptions as JSON>' OUT.ndjson
use std::io::Write;

use mxdag::canonical_json;
use mxdag::generate::{generate_room, GenerateOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(options), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: write_room '<GenerateRoomOptions as JSON>' OUT.ndjson");
        std::process::exit(2);
    };
    let options: GenerateOptions = serde_json::from_str(&options).expect("options");
    let room = generate_room(&options).expect("a room");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out).expect("out"));
    for pdu in &room.pdus {
        file.write_all(canonical_json::to_string(pdu).as_bytes())
            .and_then(|()| file.write_all(b"\n"))
            .expect("written");
    }
    file.flush().expect("written");
    eprintln!(
        "{} events of room {} to {out}",
        room.pdus.len(),
        room.room_id
    );
}
