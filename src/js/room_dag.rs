//! `RoomDag` for JavaScript: a room's event graph (see [`crate::dag`]) with the reference
//! answers and contract checks of the walking endpoints (see [`crate::federation`]).
//! Results are plain JS objects and arrays of strings; event IDs are strings at this edge.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors::{optional_string_arg, string_arg, to_js_error};
use super::key_ring::json_text;
use crate::canonical_json::{self, Value};
use crate::dag::ingest::{
    pick_events, read_answer_event, read_event, room_version_of_inputs, Rooms,
};
use crate::dag::{EventHead, NodeIndex, Placement, RoomDag};
use crate::federation::backfill::BackfillOrder;
use crate::federation::{check_response_text, reference_answer, FederationRequest};
use crate::room_version::RoomVersion;

/// A room's event DAG.
#[wasm_bindgen(js_name = RoomDag)]
pub struct RoomDagJs {
    inner: RoomDag,
    version: Option<RoomVersion>,
}

/// Serialises to a plain JS value (objects, not Maps; numbers, not BigInts).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| to_js_error("js_serialize", &e.to_string()))
}

fn placement(outlier: Option<bool>) -> Placement {
    if outlier.unwrap_or(false) {
        Placement::Outlier
    } else {
        Placement::Timeline
    }
}

fn parse_version(id: &str) -> Result<RoomVersion, JsValue> {
    RoomVersion::from_id(id).ok_or_else(|| {
        to_js_error(
            "unknown_room_version",
            &format!("Unknown room version {id:?}."),
        )
    })
}

/// Reads the `request` line and optional `body` arguments of `referenceAnswer` and
/// `checkContract`.
fn parse_request(request: &JsValue, body: &JsValue) -> Result<FederationRequest, JsValue> {
    let request = string_arg(request, "request")?;
    let body = optional_string_arg(body, "body")?;
    FederationRequest::parse(&request, body.as_deref()).map_err(|p| to_js_error(p.code, &p.message))
}

/// The event IDs of `nodes` as a JS array of strings, decoded from one `\n`-joined string
/// (one crossing into JS instead of one per ID). IDs holding a newline themselves (room
/// versions 1 and 2 take any string) are copied one by one instead.
fn id_array(dag: &RoomDag, nodes: &[NodeIndex]) -> js_sys::Array {
    let mut joined = String::with_capacity(nodes.len() * 45);
    for (i, &node) in nodes.iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        dag.ids().write_id(node, &mut joined);
    }
    if nodes.is_empty() || joined.bytes().filter(|&b| b == b'\n').count() + 1 != nodes.len() {
        return nodes
            .iter()
            .map(|&node| JsValue::from(dag.event_id(node)))
            .collect();
    }
    js_sys::JsString::from(joined).split("\n")
}

#[derive(Serialize)]
struct Added {
    added: usize,
    refused: usize,
    problems: Vec<crate::problem::Problem>,
}

#[derive(Serialize)]
struct Answer<'a> {
    endpoint: &'a str,
    room_id: &'a str,
    event_ids: Vec<String>,
}

#[wasm_bindgen(js_class = RoomDag)]
impl RoomDagJs {
    /// An empty DAG, of `roomId` if given (events of other rooms are then refused), for room
    /// version `roomVersion` if given (needed to compute the IDs of room version 3+ PDUs,
    /// else read from an `m.room.create` event in the first input that has one).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = roomId, unchecked_param_type = "string | undefined")]
        room_id: JsValue,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string | undefined")]
        room_version: JsValue,
    ) -> Result<RoomDagJs, JsValue> {
        let room_id = optional_string_arg(&room_id, "roomId")?;
        let room_version = optional_string_arg(&room_version, "roomVersion")?;
        let inner = room_id
            .as_deref()
            .map_or_else(RoomDag::new, RoomDag::for_room);
        let version = room_version
            .map(|id| {
                RoomVersion::from_id(&id).ok_or_else(|| {
                    to_js_error(
                        "unknown_room_version",
                        &format!("Unknown room version {id:?}."),
                    )
                })
            })
            .transpose()?;
        Ok(RoomDagJs { inner, version })
    }

    /// Loads input texts (as `addInput` reads them) into one `RoomDag` per room, in the
    /// order rooms were first seen. The room version is `roomVersion` if given, else the one
    /// the first `m.room.create` event in any text names. Returns `{rooms: RoomDag[],
    /// inputs: [{shape, room_version, added, refused, problems}]}` (one input per text).
    #[wasm_bindgen(js_name = loadRooms)]
    pub fn load_rooms(
        texts: Vec<String>,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string | undefined")]
        room_version: JsValue,
        outlier: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let version = match optional_string_arg(&room_version, "roomVersion")? {
            Some(id) => Some(parse_version(&id)?),
            None => room_version_of_inputs(texts.iter().map(String::as_str)),
        };
        let mut rooms = Rooms::new();
        let inputs: Vec<_> = texts
            .iter()
            .map(|t| rooms.add_input(t, version.as_ref(), placement(outlier)))
            .collect();
        let list = js_sys::Array::new();
        for inner in rooms.dags {
            list.push(&JsValue::from(RoomDagJs { inner, version }));
        }
        let out = js_sys::Object::new();
        js_sys::Reflect::set(&out, &"rooms".into(), &list)?;
        js_sys::Reflect::set(&out, &"inputs".into(), &to_js(&inputs)?)?;
        Ok(out.into())
    }

    /// The events of `texts` with the IDs `eventIds`, as JSON text, in that order (IDs not
    /// found are left out): turns a reference answer back into PDUs.
    #[wasm_bindgen(js_name = pickEvents)]
    pub fn pick_events(
        texts: Vec<String>,
        #[wasm_bindgen(js_name = eventIds)] event_ids: Vec<String>,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string | undefined")]
        room_version: JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let version = match optional_string_arg(&room_version, "roomVersion")? {
            Some(id) => Some(parse_version(&id)?),
            None => room_version_of_inputs(texts.iter().map(String::as_str)),
        };
        let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
        Ok(pick_events(&texts, version.as_ref(), &event_ids))
    }

    /// The room, once known.
    #[wasm_bindgen(getter, js_name = roomId)]
    pub fn room_id(&self) -> Option<String> {
        self.inner.room_id().map(str::to_owned)
    }

    /// The room version in use, once known (given, or read from an `m.room.create` event
    /// added).
    #[wasm_bindgen(getter, js_name = roomVersion)]
    pub fn room_version(&self) -> Option<String> {
        self.version.map(|v| v.id.to_owned())
    }

    /// Sets the room version used to compute the event IDs of v3+ PDUs added from now on.
    #[wasm_bindgen(setter, js_name = roomVersion)]
    pub fn set_room_version(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue,
    ) -> Result<(), JsValue> {
        self.version = Some(parse_version(&string_arg(&id, "roomVersion")?)?);
        Ok(())
    }

    /// Adds every event of an input text: a transaction (`/backfill`, forwards fill), a
    /// `/get_missing_events` answer, a JSON array, NDJSON, a bare PDU, or Synapse
    /// `event_json` rows. With `outlier`, they are held as outliers. Returns `{shape,
    /// room_version, added, refused, problems}`.
    #[wasm_bindgen(js_name = addInput)]
    pub fn add_input(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        outlier: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        let text = string_arg(&text, "text")?;
        let report = self
            .inner
            .add_input(&text, self.version.as_ref(), placement(outlier));
        if self.version.is_none() {
            self.version = report
                .room_version
                .as_deref()
                .and_then(RoomVersion::from_id);
        }
        to_js(&report)
    }

    /// Adds events given as JS objects (one, or an array), read like those of `addInput`. Returns
    /// `{added, refused, problems}`.
    #[wasm_bindgen(js_name = addEvents)]
    pub fn add_events(
        &mut self,
        events: JsValue,
        outlier: Option<bool>,
    ) -> Result<JsValue, JsValue> {
        // Through JSON text, whose parser limits nesting: a deeply nested object cannot
        // overflow the wasm stack.
        let text = json_text(&events, "The events")?;
        let value = canonical_json::from_str(&text).map_err(|e| {
            to_js_error(
                "dag_unreadable_event",
                &e.to_problem("$", "The events").message,
            )
        })?;
        let list = match value {
            Value::Array(list) => list,
            one => vec![one],
        };
        let list: Vec<Result<Value, crate::problem::Problem>> = list.into_iter().map(Ok).collect();
        if self.version.is_none() {
            self.version = crate::event::verdict::room_version_of(&list).and_then(Result::ok);
        }
        let mut report = Added {
            added: 0,
            refused: 0,
            problems: Vec::new(),
        };
        let before = self.inner.ingest_findings().len();
        for (i, value) in list.into_iter().flatten().enumerate() {
            match read_event(value, self.version.as_ref())
                .map(|e| self.inner.insert(&e, placement(outlier)))
            {
                Ok(Some(_)) => report.added += 1,
                Ok(None) => report.refused += 1,
                Err(problems) => {
                    report.refused += 1;
                    report
                        .problems
                        .extend(problems.into_iter().filter(|p| p.is_error()).map(|mut p| {
                            p.path = format!("$[{i}]{}", p.path.trim_start_matches('$'));
                            p
                        }));
                }
            }
        }
        report
            .problems
            .extend_from_slice(&self.inner.ingest_findings()[before..]);
        to_js(&report)
    }

    /// Adds many timeline events at once from columns: `eventIds` and `prevIds` are UTF-8
    /// bytes of event IDs separated by `\n` (`new TextEncoder().encode(ids.join("\n"))`);
    /// event `i` has `prevCounts[i]` consecutive entries of `prevIds`, `depths[i]` and
    /// `timestamps[i]`. Returns how many events were added. The fastest way in: no per-event
    /// JS object or string crosses into wasm.
    #[wasm_bindgen(js_name = addColumns)]
    pub fn add_columns(
        &mut self,
        event_ids: &[u8],
        prev_ids: &[u8],
        prev_counts: &[u8],
        depths: &[f64],
        timestamps: &[f64],
    ) -> Result<u32, JsValue> {
        let columns_error = |m: &str| to_js_error("dag_columns", m);
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
    pub fn gaps(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.summary().backward_extremities)
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
    /// `{ids, offsets, parents, depths, flags, outliers}`: `ids` the event ID of each row
    /// (strings), `offsets` (`Uint32Array`, rows + 1) and `parents` (`Uint32Array`, row
    /// indices) the parents as compressed sparse rows, `depths` (`Float64Array`: the event's
    /// depth, a gap's estimated depth), `flags` (`Uint8Array`: 1 forward extremity, 2 gap,
    /// 4 held as outlier) and `outliers` (the number of outliers held).
    #[wasm_bindgen(js_name = layoutInput)]
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
    pub fn findings(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.findings())
    }

    /// Everything at once: `{room_id, counts, depth_range, forward_extremities,
    /// backward_extremities, outliers, forks, findings}` (the `mxdag dag --json` object).
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.summary())
    }

    /// Bytes of memory the DAG holds (allocated capacity).
    #[wasm_bindgen(js_name = heapBytes)]
    pub fn heap_bytes(&self) -> f64 {
        self.inner.heap_bytes() as f64
    }

    /// The reference answer to a request line (`GET /_matrix/federation/v1/backfill/…`), with
    /// the JSON `body` for `/get_missing_events`, and `order` `"synapse"` (default) or `"bfs"`
    /// for `/backfill`: `{endpoint, room_id, event_ids}` in answer order.
    #[wasm_bindgen(js_name = referenceAnswer)]
    pub fn reference_answer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] order: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = parse_request(&request, &body)?;
        let order = match optional_string_arg(&order, "order")?.as_deref() {
            None | Some("synapse") => BackfillOrder::Synapse,
            Some("bfs") => BackfillOrder::BreadthFirst,
            Some(other) => {
                return Err(to_js_error(
                    "request_bad_param",
                    &format!("Unknown order {other:?}: use synapse or bfs."),
                ))
            }
        };
        let nodes = reference_answer(&self.inner, &request, order);
        to_js(&Answer {
            endpoint: request.endpoint(),
            room_id: request.room_id(),
            event_ids: self.inner.event_ids(&nodes),
        })
    }

    /// Checks a response against its request's contract, with this DAG as the events already
    /// held: `request` is the request line, `body` the `/get_missing_events` JSON body,
    /// `response` the response text, `status` its HTTP status when known. Events are read as
    /// by `addInput` (the DAG's room version computes v3+ IDs). Returns `{endpoint, ok,
    /// ordering, problems}` (plus `room_id`).
    #[wasm_bindgen(js_name = checkContract)]
    pub fn check_contract(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string | undefined")] body: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] response: JsValue,
        status: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let status = status
            .map(|s| match s {
                _ if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Ok(s as u16),
                _ => Err(to_js_error(
                    super::errors::codes::INVALID_ARGUMENT,
                    &format!("`status` must be an HTTP status 100–599, not {s}."),
                )),
            })
            .transpose()?;
        let request = parse_request(&request, &body)?;
        let response = string_arg(&response, "response")?;
        let response = response.as_str();
        let version = self.version;
        let verdict = check_response_text(&self.inner, &request, status, response, |v| {
            read_answer_event(v, version.as_ref())
        });
        #[derive(Serialize)]
        struct Contract<'a> {
            endpoint: &'a str,
            room_id: &'a str,
            #[serde(flatten)]
            verdict: crate::federation::ContractVerdict,
        }
        to_js(&Contract {
            endpoint: request.endpoint(),
            room_id: request.room_id(),
            verdict,
        })
    }
}
