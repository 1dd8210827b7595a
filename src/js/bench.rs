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
    /// `signature_batch`, `full`.
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
            &format!("No benchmark stage is called {name:?}; the stages are parse, event_id, content_hash, signature_single, signature_batch, full."),
        )
    })
}
