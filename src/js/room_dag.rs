//! `RoomDag` for JavaScript: a room's event graph built from columns (see [`crate::dag`]),
//! for bulk structure and benchmarks, with the reference answers of the walking endpoints.
//! Results are plain JS objects and arrays of strings; event IDs are strings at this edge.

use wasm_bindgen::prelude::*;

use super::answer::{id_array, parse_request, reference_answer_js};
use super::errors::{optional_string_arg, to_js_error};
use super::key_ring::to_plain;
use crate::dag::{EventHead, Placement, RoomDag};

#[wasm_bindgen(typescript_custom_section)]
const DAG_TYPES: &str = r#"
/** A backward extremity (gap). */
export interface GapSummary {
  event_id: string;
  /** Held timeline events listing it in `prev_events`. */
  referenced_by: string[];
  held_as_outlier: boolean;
  estimated_depth: number;
  depth_below: number | null;
  missing_depths: number;
}

/** A room's DAG as the rows of a drawing, ready for `layoutDag`: timeline events in
 *  linear order, each gap just before its first child. */
export interface LayoutRows {
  /** The event ID of each row. */
  ids: string[];
  /** Row `i`'s parents are `parents[offsets[i]] … parents[offsets[i + 1] - 1]` (rows + 1 entries). */
  offsets: Uint32Array;
  /** Parents as row indices. */
  parents: Uint32Array;
  /** Each row's depth (a gap's estimated depth). */
  depths: Float64Array;
  /** 1 forward extremity, 2 gap, 4 held as outlier. */
  flags: Uint8Array;
  /** Outliers held (they have no row). */
  outliers: number;
}

/** A fork: an event with several children. */
export interface ForkSummary { event_id: string; children: string[]; }

/** The whole picture of one room's DAG (`mxdag dag --json`'s rooms). */
export interface RoomSummary {
  room_id: string | null;
  /** The room version its events were judged with (a RoomSession's rooms only). */
  room_version?: string;
  counts: { timeline: number; outliers: number; forward_extremities: number; backward_extremities: number; forks: number; merges: number };
  depth_range: [number, number] | null;
  forward_extremities: string[];
  backward_extremities: GapSummary[];
  outliers: string[];
  forks: ForkSummary[];
  findings: Problem[];
}

/** The federation endpoints whose answers are checked: those that walk a room's DAG
 *  (`/backfill`, `/get_missing_events`, `/forwards_fill` of MSC4000), and those whose answers
 *  name events (`/timestamp_to_event`, `/extremities` of MSC4370). */
export type Endpoint = "backfill" | "get_missing_events" | "forwards_fill" | "timestamp_to_event" | "extremities";

/** The order of a `/backfill` answer: Synapse's (by depth, newest first) or breadth-first. */
export type BackfillOrder = "synapse" | "bfs";

/** What a correct server sends for a request, in its order. */
export interface ReferenceAnswer {
  endpoint: Endpoint;
  room_id: string;
  event_ids: string[];
}
"#;

/// A room's event DAG, built from columns of event IDs and edges: structure only, nothing
/// is validated. Events from inputs go through `RoomSession`, which judges them first.
#[wasm_bindgen(js_name = RoomDag)]
pub struct JsRoomDag {
    inner: RoomDag,
}

impl JsRoomDag {
    /// The core DAG, taken over (a `Timeline` built on it).
    pub(crate) fn into_inner(self) -> RoomDag {
        self.inner
    }
}

#[wasm_bindgen(js_class = RoomDag)]
impl JsRoomDag {
    /// An empty DAG, of `roomId` if given (events of other rooms are then refused).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = roomId, unchecked_optional_param_type = "string")]
        room_id: JsValue,
    ) -> Result<JsRoomDag, JsValue> {
        let room_id = optional_string_arg(&room_id, "roomId")?;
        let inner = room_id
            .as_deref()
            .map_or_else(RoomDag::new, RoomDag::for_room);
        Ok(JsRoomDag { inner })
    }

    /// The room, once known.
    #[wasm_bindgen(getter, js_name = roomId)]
    pub fn room_id(&self) -> Option<String> {
        self.inner.room_id().map(str::to_owned)
    }

    /// Adds many timeline events at once from columns: `eventIds` and `prevIds` are UTF-8
    /// bytes of event IDs separated by `\n` (`new TextEncoder().encode(ids.join("\n"))`);
    /// event `i` has `prevCounts[i]` consecutive entries of `prevIds`, `depths[i]` and
    /// `timestamps[i]`. Returns how many events were added. The fastest way in: no per-event
    /// JS object or string crosses into wasm.
    #[wasm_bindgen(js_name = addColumns)]
    pub fn add_columns(
        &mut self,
        #[wasm_bindgen(js_name = eventIds)] event_ids: &[u8],
        #[wasm_bindgen(js_name = prevIds)] prev_ids: &[u8],
        #[wasm_bindgen(js_name = prevCounts)] prev_counts: &[u8],
        depths: &[f64],
        timestamps: &[f64],
    ) -> Result<u32, JsValue> {
        let columns_error = |m: &str| to_js_error(super::errors::codes::DAG_COLUMNS, m);
        let n = prev_counts.len();
        if depths.len() != n || timestamps.len() != n {
            return Err(columns_error(
                "prevCounts, depths and timestamps must have one entry per event.",
            ));
        }
        let event_ids =
            std::str::from_utf8(event_ids).map_err(|_| columns_error("eventIds is not UTF-8."))?;
        let prev_ids =
            std::str::from_utf8(prev_ids).map_err(|_| columns_error("prevIds is not UTF-8."))?;
        let mut ids = event_ids.split('\n');
        let mut prevs = prev_ids.split('\n');
        let mut prev_list: Vec<&str> = Vec::with_capacity(8);
        self.inner.reserve(n, 2);
        let mut added = 0;
        for i in 0..n {
            let event_id = ids
                .next()
                .ok_or_else(|| columns_error("eventIds has fewer IDs than prevCounts."))?;
            prev_list.clear();
            for _ in 0..prev_counts[i] {
                prev_list.push(prevs.next().ok_or_else(|| {
                    columns_error("prevIds has fewer IDs than prevCounts add up to.")
                })?);
            }
            let head = EventHead {
                event_id,
                depth: depths[i] as i64,
                origin_server_ts: timestamps[i] as i64,
                ..EventHead::default()
            };
            added += u32::from(
                self.inner
                    .insert_fields(&head, prev_list.iter().copied(), Placement::Timeline)
                    .is_some(),
            );
        }
        Ok(added)
    }

    /// Makes room for `events` more events (about two `prev_events` each), so that bulk
    /// ingest in several `addColumns` calls grows no vector on the way.
    pub fn reserve(&mut self, events: u32) {
        self.inner.reserve(events as usize, 2);
    }

    /// Forward extremities, as event IDs.
    #[wasm_bindgen(js_name = forwardExtremities)]
    pub fn forward_extremities(&self) -> Vec<String> {
        self.inner.event_ids(&self.inner.forward_extremities())
    }

    /// Backward extremities: `[{event_id, referenced_by, held_as_outlier, estimated_depth,
    /// depth_below, missing_depths}]`, closest to the present first.
    #[wasm_bindgen(unchecked_return_type = "GapSummary[]")]
    pub fn gaps(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.summary().backward_extremities)
    }

    /// Outliers, as event IDs.
    pub fn outliers(&self) -> Vec<String> {
        self.inner.event_ids(&self.inner.outliers())
    }

    /// Held timeline events in linear order, as event IDs.
    #[wasm_bindgen(js_name = linearOrder)]
    pub fn linear_order(&self) -> Vec<String> {
        self.inner.event_ids(&self.inner.linear_order())
    }

    /// The DAG as rows of a drawing, ready for `layoutDag` (see [`RoomDag::layout_rows`]):
    /// timeline events in linear order, each gap just before its first child. Returns
    /// `{ids, offsets, parents, depths, flags, outliers}` (`LayoutRows`): `ids` the event ID
    /// of each row (strings), `offsets` (`Uint32Array`, rows + 1) and `parents`
    /// (`Uint32Array`, row indices) the parents as compressed sparse rows, `depths`
    /// (`Float64Array`: the event's depth, a gap's estimated depth), `flags` (`Uint8Array`:
    /// 1 forward extremity, 2 gap, 4 held as outlier) and `outliers` (the number of
    /// outliers held).
    #[wasm_bindgen(js_name = layoutInput, unchecked_return_type = "LayoutRows")]
    pub fn layout_input(&self) -> js_sys::Object {
        let rows = self.inner.layout_rows();
        let ids = id_array(&self.inner, &rows.nodes);
        let depths: Vec<f64> = rows.depths.iter().map(|&d| d as f64).collect();
        let out = js_sys::Object::new();
        let fields: [(&str, JsValue); 6] = [
            ("ids", ids.into()),
            (
                "offsets",
                js_sys::Uint32Array::from(&rows.offsets[..]).into(),
            ),
            (
                "parents",
                js_sys::Uint32Array::from(&rows.parents[..]).into(),
            ),
            ("depths", js_sys::Float64Array::from(&depths[..]).into()),
            ("flags", js_sys::Uint8Array::from(&rows.flags[..]).into()),
            ("outliers", JsValue::from(self.inner.outlier_len() as u32)),
        ];
        for (key, value) in fields {
            // Defining a property on a fresh plain object cannot fail.
            let _ = js_sys::Reflect::set(&out, &JsValue::from_str(key), &value);
        }
        out
    }

    /// Number of timeline events in linear order, computing it (for benchmarks that do not
    /// want the IDs copied out).
    #[wasm_bindgen(js_name = linearOrderLength)]
    pub fn linear_order_length(&self) -> u32 {
        self.inner.linear_order().len() as u32
    }

    /// Consistency findings: `[{code, path, message, severity}]`.
    #[wasm_bindgen(unchecked_return_type = "Problem[]")]
    pub fn findings(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.findings())
    }

    /// Everything at once: `{room_id, counts, depth_range, forward_extremities,
    /// backward_extremities, outliers, forks, findings}` (the `mxdag dag --json` object).
    #[wasm_bindgen(unchecked_return_type = "RoomSummary")]
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.summary())
    }

    /// Bytes of memory the DAG holds (allocated capacity).
    #[wasm_bindgen(js_name = heapBytes)]
    pub fn heap_bytes(&self) -> f64 {
        self.inner.heap_bytes() as f64
    }

    /// The reference answer to a request line (`GET /_matrix/federation/v1/backfill/…`), with
    /// the JSON `body` for `/get_missing_events`, and `order` `"synapse"` (default) or `"bfs"`
    /// for `/backfill`: `{endpoint, room_id, event_ids}` in answer order.
    #[wasm_bindgen(js_name = referenceAnswer, unchecked_return_type = "ReferenceAnswer")]
    pub fn reference_answer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BackfillOrder")] order: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = parse_request(&request, &body)?;
        reference_answer_js(&self.inner, &request, &order)
    }
}
