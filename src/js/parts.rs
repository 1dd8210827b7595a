//! `PartsTaking`: a large input taken in parts as the judgements of its slices arrive from
//! other cores (see `src/session/parts.rs`), so that this core places one part while the
//! others judge the next. `www/judge-pool.js` drives it.

use js_sys::Uint8Array;
use wasm_bindgen::prelude::*;

use super::key_ring::{input_text, to_plain};
use super::session::{IngestOptions, JsRoomSession};
use crate::session::parts::PartsTaking;

/// A large input a `RoomSession` is taking in parts (`beginParts`): give it the judgements
/// of its slices as they come (`takeJudgedParts`), then end it (`finishParts`).
#[wasm_bindgen(js_name = PartsTaking)]
pub struct JsPartsTaking {
    inner: PartsTaking,
}

#[wasm_bindgen(js_class = PartsTaking)]
impl JsPartsTaking {
    /// How many items the input holds.
    #[wasm_bindgen(getter)]
    pub fn items(&self) -> u32 {
        self.inner.items() as u32
    }

    /// How many of them were taken so far.
    #[wasm_bindgen(getter)]
    pub fn taken(&self) -> u32 {
        self.inner.taken() as u32
    }

    /// The room version its events are judged with: give it to `judgeContext`.
    #[wasm_bindgen(getter, js_name = roomVersion)]
    pub fn room_version(&self) -> String {
        self.inner.room_version().id.to_owned()
    }

    /// Where its events lie, as `eventSpans` finds them (found when it was begun).
    #[wasm_bindgen(getter, unchecked_return_type = "EventSpans | undefined")]
    pub fn spans(&self) -> Result<JsValue, JsValue> {
        super::parallel::spans_to_js(self.inner.spans())
    }
}

#[wasm_bindgen(js_class = RoomSession)]
impl JsRoomSession {
    /// Begins taking `input` (the text or UTF-8 bytes received) in parts, with `options` as
    /// `ingest` reads them, when it is a list of more than 4,096 events whose room version
    /// is known and no answer to a request; else `undefined` (take it with `ingest`). Its
    /// report, once finished, is the one `ingest` gives.
    #[wasm_bindgen(js_name = beginParts)]
    pub fn begin_parts(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IngestOptions | undefined")] options: JsValue,
    ) -> Result<Option<JsPartsTaking>, JsValue> {
        let options = IngestOptions::read(&options)?;
        let text = input_text(&input, "input")?;
        super::reserve_heap(text.len());
        let session = self.shared();
        let begun = session.borrow_mut().begin_parts(text, &options.ingest());
        Ok(begun.ok().map(|inner| JsPartsTaking { inner }))
    }

    /// Reads `judgements` (from `judgeSlice`, with this session's `judgeContext`) of the
    /// input `taking` holds, and takes each part whose events are all judged now; judgements
    /// made for anything else are ignored.
    #[wasm_bindgen(js_name = takeJudgedParts)]
    pub fn take_judged_parts(&mut self, taking: &mut JsPartsTaking, judgements: Vec<Uint8Array>) {
        let judgements: Vec<Vec<u8>> = judgements.iter().map(Uint8Array::to_vec).collect();
        let session = self.shared();
        session
            .borrow_mut()
            .take_judged_parts(&mut taking.inner, &judgements);
    }

    /// Takes the parts left (verifying here what no judgement covered) and gives the
    /// input's report; `taking` is used up.
    #[wasm_bindgen(js_name = finishParts, unchecked_return_type = "IngestReport")]
    pub fn finish_parts(&mut self, taking: JsPartsTaking) -> Result<JsValue, JsValue> {
        let session = self.shared();
        let report = session.borrow_mut().finish_parts(taking.inner);
        to_plain(&report)
    }
}
