//! Validation on several cores for JavaScript hosts (see [`crate::session::parallel`]):
//! `eventSpans` finds where the events of an input lie, `judgeSlice` judges a slice of them
//! in a worker's own wasm instance, and `RoomSession.ingestJudged` takes the input with the
//! judgements. `node/parallel.js` (Node `worker_threads`) and `www/judge-pool.js` (Web
//! Workers) drive them.

use js_sys::{Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::errors::{codes as arg_codes, to_js_error};
use super::key_ring::input_text;
use crate::input::{event_spans, EventSpans, SpanKind};
use crate::session::parallel::{judge_slice, JudgeContext};

#[wasm_bindgen(typescript_custom_section)]
const PARALLEL_TYPES: &str = r#"
/** Where the events of an input lie (`eventSpans`). */
export interface EventSpans {
  /** How its items are read: 1 NDJSON lines, 2 a JSON array, 3 a federation answer's list. */
  kind: number;
  /** `start, end` byte offsets (UTF-8, end exclusive) of each event, in input order. */
  spans: Uint32Array;
}
"#;

/// Fills `out` from the host's `crypto.getRandomValues` (browsers, workers, Node 20+).
pub(crate) fn fill_random(out: &mut [u8]) -> Result<(), JsValue> {
    let crypto = Reflect::get(&js_sys::global(), &JsValue::from_str("crypto"))?;
    let get = Reflect::get(&crypto, &JsValue::from_str("getRandomValues"))?;
    let get = get.dyn_into::<js_sys::Function>().map_err(|_| {
        to_js_error(
            arg_codes::NO_RANDOM_SOURCE,
            "crypto.getRandomValues is not available.",
        )
    })?;
    let buffer = Uint8Array::new_with_length(out.len() as u32);
    get.call1(&crypto, &buffer)?;
    buffer.copy_to(out);
    Ok(())
}

/// Where the events of `input` (its text or UTF-8 bytes) lie, when its shape is a list of
/// events (NDJSON, a JSON array, a transaction's `pdus`, a `/get_missing_events` answer's
/// `events`); `undefined` for other shapes, which are judged whole. Nothing is parsed.
#[wasm_bindgen(js_name = eventSpans, unchecked_return_type = "EventSpans | undefined")]
pub fn event_spans_js(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
) -> Result<JsValue, JsValue> {
    let text = input_text(&input, "input")?;
    match event_spans(&text) {
        Some(found) => spans_to_js(&found),
        None => Ok(JsValue::UNDEFINED),
    }
}

/// `found` as an `EventSpans` object; `undefined` when an offset does not fit in 32 bits.
pub(crate) fn spans_to_js(found: &EventSpans) -> Result<JsValue, JsValue> {
    let mut flat = Vec::with_capacity(found.spans.len() * 2);
    for &(start, end) in &found.spans {
        let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
            return Ok(JsValue::UNDEFINED);
        };
        flat.extend([start, end]);
    }
    let out = js_sys::Object::new();
    Reflect::set(&out, &"kind".into(), &found.kind.to_byte().into())?;
    Reflect::set(&out, &"spans".into(), &Uint32Array::from(&flat[..]))?;
    Ok(out.into())
}

/// Judges the events of one slice of an input, in a worker: `slice` the input's bytes from
/// byte `start` on (at least up to the end of the last event), `spans` the `start, end`
/// pairs of its events as `eventSpans` gave them (offsets in the whole input), `first` the
/// index of the first of them, `kind` `eventSpans`'s. Returns the judgement to give to the
/// session's `ingestJudged`, or `undefined` when the slice holds something else than events
/// (then take the input with `ingest`).
#[wasm_bindgen(js_name = judgeSlice)]
pub fn judge_slice_js(
    context: &[u8],
    slice: &[u8],
    start: u32,
    first: u32,
    spans: &[u32],
    kind: u8,
) -> Result<Option<Vec<u8>>, JsValue> {
    let invalid = |what: &str| to_js_error(arg_codes::INVALID_ARGUMENT, what);
    let context = JudgeContext::from_bytes(context)
        .ok_or_else(|| invalid("`context` is not a judge context (RoomSession.judgeContext)."))?;
    let kind = SpanKind::from_byte(kind).ok_or_else(|| invalid("`kind` must be 1, 2 or 3."))?;
    super::reserve_heap(slice.len());
    let text = crate::utf8::str_of(slice)
        .map_err(|_| invalid("`slice` must hold whole events of the input (UTF-8)."))?;
    let pairs: Vec<(usize, usize)> = spans
        .chunks_exact(2)
        .map(|p| (p[0] as usize, p[1] as usize))
        .collect();
    Ok(judge_slice(
        &context,
        text,
        start as usize,
        first as usize,
        &pairs,
        kind,
    ))
}
