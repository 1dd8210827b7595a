//! `ValidationBench` (tools build): each stage of validation run alone in wasm over a
//! generated room, for the Node benchmark (`benches/node/validate.mjs`). A thin wrapper over
//! [`crate::generate::bench`], the code `cargo bench --bench validate` runs natively.

use wasm_bindgen::prelude::*;

use super::errors::to_js_error;
use super::generate::generate_from;
use crate::generate::bench::{self, Stage};
use crate::generate::codes;

/// A generated room prepared so that each stage of validation can be timed alone.
#[wasm_bindgen(js_name = ValidationBench)]
pub struct JsValidationBench {
    inner: bench::ValidationBench,
    events: usize,
}

#[wasm_bindgen(js_class = ValidationBench)]
impl JsValidationBench {
    /// Generates the room (`GenerateRoomOptions`, as `generateRoom` takes them) and prepares
    /// every stage's input; throws as `generateRoom` does.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GenerateRoomOptions | undefined")] options: JsValue,
    ) -> Result<JsValidationBench, JsValue> {
        let room = generate_from(options)?;
        Ok(Self {
            events: room.pdus.len(),
            inner: bench::ValidationBench::new(&room),
        })
    }

    /// The number of events in the room.
    #[wasm_bindgen(getter)]
    pub fn events(&self) -> usize {
        self.events
    }

    /// The stages' names, in order: `parse`, `event_id`, `content_hash`, `signature_single`,
    /// `signature_batch`, `signature_slice`, `full`.
    pub fn stages() -> Vec<String> {
        Stage::ALL.iter().map(|s| s.name().to_owned()).collect()
    }

    /// The longer description of stage `name`, for printed tables.
    pub fn describe(name: &str) -> Result<String, JsValue> {
        Ok(stage(name)?.description().to_owned())
    }

    /// Runs stage `name` over every event (over the first tenth when `warmUp`); returns how
    /// many events it accepted. Throws an `Error` with `code` `generate_unknown_bench_stage`.
    pub fn run(
        &self,
        name: &str,
        #[wasm_bindgen(js_name = warmUp)] warm_up: bool,
    ) -> Result<usize, JsValue> {
        Ok(self.inner.run(stage(name)?, warm_up))
    }
}

fn stage(name: &str) -> Result<Stage, JsValue> {
    Stage::from_name(name).ok_or_else(|| {
        to_js_error(
            codes::UNKNOWN_BENCH_STAGE,
            &format!(
                "No benchmark stage is called {name:?}; the stages are {}.",
                Stage::ALL.map(Stage::name).join(", ")
            ),
        )
    })
}

/// The state benchmark's room (`benches/node/state.mjs`): a generated version 12 room
/// with 10% state changes, forks and partitions, and a session to take it. A thin
/// wrapper over [`crate::generate::state_bench::StateBench`], what `cargo bench --bench
/// state` runs natively.
#[wasm_bindgen(js_name = StateBench)]
pub struct JsStateBench {
    room: crate::generate::state_bench::StateBench,
    session: crate::session::RoomSession,
}

#[wasm_bindgen(js_class = StateBench)]
impl JsStateBench {
    /// Generates a room of `events` events (at least 7) and an empty session with its keys.
    #[wasm_bindgen(constructor)]
    pub fn new(events: u32) -> JsStateBench {
        let room = crate::generate::state_bench::StateBench::new(events.max(7));
        let session = room.session();
        Self { room, session }
    }

    /// The number of events in the room.
    #[wasm_bindgen(getter)]
    pub fn events(&self) -> usize {
        self.room.event_ids.len()
    }

    /// The number of events with more than one `prev_events`.
    #[wasm_bindgen(getter)]
    pub fn merges(&self) -> usize {
        self.room.merges
    }

    /// Takes the whole room into the session (checks 1–6 and the state of every event);
    /// returns how many events are `valid`.
    pub fn ingest(&mut self) -> usize {
        self.room.ingest(&mut self.session).counts.valid
    }

    /// Forgets the states and computes them again: state resolution at every merge, check
    /// 5 for every event, check 6.
    #[wasm_bindgen(js_name = resolveAgain)]
    pub fn resolve_again(&mut self) {
        self.session.resolve_states_again();
    }

    /// Bytes of heap memory the states and the memoised auth edges hold.
    #[wasm_bindgen(js_name = stateBytes)]
    pub fn state_bytes(&self) -> usize {
        self.session.state_heap_bytes()
    }

    /// The state before every event, asked one by one; returns the number of entries.
    #[wasm_bindgen(js_name = stateBeforeEvery)]
    pub fn state_before_every(&self) -> usize {
        let before = crate::session::Position::Before;
        self.room
            .event_ids
            .iter()
            .map(|id| self.session.state_at(id, before).map_or(0, |s| s.len()))
            .sum()
    }
}
