//! The room of the state benchmark: what `cargo bench --bench state` measures natively and
//! `benches/node/state.mjs` measures in wasm (through the tools build's `StateBench`), from
//! the same code — a generated version 12 room with 10% state changes, forks and
//! partitions, held by a [`RoomSession`] that has its servers' keys.

use super::{generate_room, GenerateOptions, ShapeOptions};
use crate::canonical_json;
use crate::session::{Ingest, IngestReport, RoomSession};

/// The generated room as NDJSON, its keys, and how many merges it has.
pub struct StateBench {
    text: String,
    keys: String,
    version: crate::room_version::RoomVersion,
    /// The event IDs, in topological order.
    pub event_ids: Vec<String>,
    /// Events with more than one `prev_events`.
    pub merges: usize,
}

impl StateBench {
    /// Generates a room of `events` events.
    pub fn new(events: u32) -> StateBench {
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
        let merges = room
            .pdus
            .iter()
            .filter(|p| {
                p.get("prev_events")
                    .and_then(|v| v.as_array())
                    .is_some_and(|a| a.len() > 1)
            })
            .count();
        let line = |values: &[canonical_json::Value]| {
            let lines: Vec<String> = values.iter().map(canonical_json::to_string).collect();
            lines.join("\n")
        };
        StateBench {
            text: line(&room.pdus),
            keys: line(&room.server_keys),
            version: room.room_version,
            event_ids: room.event_ids,
            merges,
        }
    }

    /// A session holding the room's keys and nothing else.
    pub fn session(&self) -> RoomSession {
        let mut session = RoomSession::new(None, Some(self.version));
        session.add_keys(&self.keys);
        session
    }

    /// Takes the whole room into `session` (checks 1–6, the states of every event).
    pub fn ingest(&self, session: &mut RoomSession) -> IngestReport {
        session.ingest(&self.text, &Ingest::default())
    }
}
