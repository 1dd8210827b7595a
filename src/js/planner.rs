//! JS bindings of the gap planner: the `GapPlanner` class (it keeps the room's graph as far
//! as the planner needs it: IDs, `prev_events`, depths), `SimulatedFederation` (the
//! simulator's peers, answering requests as servers would) and `simulate(options)`; the
//! last two only in the tools build (feature `tools`).

#[cfg(feature = "tools")]
mod simulator;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::errors::{string_arg, to_js_error};
use super::key_ring::json_text;
use crate::dag::ingest::read_input;
use crate::dag::{DagEvent, Placement, RoomDag};
use crate::planner::{
    codes, GapPlanner as Planner, Outcome, PlannedRequest, PlannerOptions, Strategy,
};
use crate::room_version::RoomVersion;

/// An event as the planner needs it. `prev_events` may be plain IDs or room version 1/2
/// `[id, hashes]` pairs.
#[derive(Deserialize, Serialize)]
struct Record {
    event_id: String,
    #[serde(default)]
    prev_events: Vec<serde_json::Value>,
    #[serde(default)]
    depth: i64,
    #[serde(default)]
    origin_server_ts: i64,
}

impl Record {
    fn to_dag_event(&self) -> DagEvent {
        let prev_events = self
            .prev_events
            .iter()
            .filter_map(|p| match p {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Array(a) => a.first()?.as_str().map(str::to_owned),
                _ => None,
            })
            .collect();
        DagEvent {
            event_id: self.event_id.clone(),
            prev_events,
            depth: self.depth,
            origin_server_ts: self.origin_server_ts,
            content_fingerprint: DagEvent::fingerprint_of(self.event_id.as_bytes()),
            ..DagEvent::default()
        }
    }

    #[cfg(feature = "tools")]
    fn of(event: &DagEvent) -> Self {
        Self {
            event_id: event.event_id.clone(),
            prev_events: event
                .prev_events
                .iter()
                .map(|p| serde_json::Value::String(p.clone()))
                .collect(),
            depth: event.depth,
            origin_server_ts: event.origin_server_ts,
        }
    }
}

/// `new GapPlanner(options)`.
#[derive(Deserialize)]
struct Options {
    room_id: String,
    servers: Vec<String>,
    #[serde(default)]
    strategy: Option<String>,
    #[serde(default)]
    limit: Option<u64>,
    #[serde(default)]
    max_round_trips: Option<u64>,
    #[serde(default)]
    parallel: Option<usize>,
    #[serde(default)]
    room_version: Option<String>,
}

/// A request as JS sees it.
#[derive(Serialize)]
struct JsRequest {
    id: u32,
    server: String,
    endpoint: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
    limit: u64,
    gaps: Vec<String>,
}

/// What JS reports back for a request.
#[derive(Deserialize)]
struct JsOutcome {
    #[serde(default)]
    status: u16,
    #[serde(default)]
    errcode: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    events: Option<Vec<Record>>,
}

/// An open gap as JS sees it.
#[derive(Serialize)]
struct JsOpenGap {
    event_id: String,
    reason: &'static str,
    message: String,
}

fn strategy_of(name: Option<&str>) -> Result<Strategy, JsValue> {
    match name {
        None => Ok(Strategy::Cover),
        Some(n) => Strategy::from_name(n).ok_or_else(|| {
            to_js_error(
                codes::UNKNOWN_STRATEGY,
                &format!("Unknown strategy {n:?}: use synapse, dfs, bfs or cover."),
            )
        }),
    }
}

/// Reads a JS argument through its JSON text: serde_json's nesting limit then guards the
/// wasm stack against deeply nested objects.
fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let text = json_text(&value, what)?;
    serde_json::from_str(&text)
        .map_err(|e| to_js_error(codes::BAD_ARGUMENT, &format!("{what}: {e}")))
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// Plans the requests that close a room's gaps (see `crate::planner`).
#[wasm_bindgen(js_name = GapPlanner)]
pub struct JsGapPlanner {
    planner: Planner,
    dag: RoomDag,
    pending: HashMap<u32, PlannedRequest>,
    next_id: u32,
    version: Option<RoomVersion>,
}

#[wasm_bindgen(js_class = GapPlanner)]
impl JsGapPlanner {
    /// `new GapPlanner({room_id, servers, strategy?, limit?, max_round_trips?, parallel?})`.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<JsGapPlanner, JsValue> {
        let o: Options = from_js(options, "GapPlanner options")?;
        let strategy = strategy_of(o.strategy.as_deref())?;
        let version = match o.room_version.as_deref() {
            None => None,
            Some(id) => Some(RoomVersion::from_id(id).ok_or_else(|| {
                to_js_error(
                    "unknown_room_version",
                    &format!("Unknown room version {id:?}."),
                )
            })?),
        };
        let defaults = PlannerOptions::default();
        let options = PlannerOptions {
            strategy,
            limit: o.limit.unwrap_or(defaults.limit),
            max_round_trips: o.max_round_trips.unwrap_or(defaults.max_round_trips),
            parallel: o.parallel.unwrap_or(defaults.parallel),
            ..defaults
        };
        Ok(Self {
            planner: Planner::new(&o.room_id, &o.servers, options),
            dag: RoomDag::for_room(&o.room_id),
            pending: HashMap::new(),
            next_id: 0,
            version,
        })
    }

    /// Adds timeline events `[{event_id, prev_events, depth, origin_server_ts}]`; returns
    /// how many were new.
    #[wasm_bindgen(js_name = addEvents)]
    pub fn add_events(&mut self, events: JsValue) -> Result<u32, JsValue> {
        let records: Vec<Record> = from_js(events, "events")?;
        Ok(self.ingest(&records).0 as u32)
    }

    /// Adds the timeline events of an input text (a transaction, a `/get_missing_events`
    /// answer, NDJSON, a JSON array, a bare PDU); event IDs of room version 3+ PDUs are
    /// computed with the planner's room version. Returns how many were new.
    #[wasm_bindgen(js_name = addInput)]
    pub fn add_input(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<u32, JsValue> {
        Ok(self.ingest_text(&string_arg(&text, "text")?).1 as u32)
    }

    /// The requests to send now: `[{id, server, endpoint, method, path, body, limit, gaps}]`.
    pub fn next(&mut self) -> JsValue {
        let requests = self.planner.next_requests(&self.dag);
        let out: Vec<JsRequest> = requests
            .into_iter()
            .map(|r| {
                let id = self.next_id;
                self.next_id += 1;
                let js = JsRequest {
                    id,
                    server: r.server.clone(),
                    endpoint: r.endpoint(),
                    method: r.method(),
                    path: r.path(),
                    body: r.body(),
                    limit: r.limit(),
                    gaps: r.gaps.iter().map(|&g| self.dag.event_id(g)).collect(),
                };
                self.pending.insert(id, r);
                js
            })
            .collect();
        to_js(&out)
    }

    /// Reports the outcome of request `id`: `{status: 200, text}` (the response body) or
    /// `{status: 200, events: [records]}`, `{status: 404, errcode: "M_UNRECOGNIZED"}`, or any
    /// other status for a failure. The events are added to the planner's graph. Returns
    /// `{received, new}`.
    pub fn record(&mut self, id: u32, outcome: JsValue) -> Result<JsValue, JsValue> {
        let o: JsOutcome = from_js(outcome, "outcome")?;
        let Some(request) = self.pending.remove(&id) else {
            return Err(to_js_error(
                codes::UNKNOWN_REQUEST,
                &format!("No pending request {id}."),
            ));
        };
        let outcome = match (o.status, o.errcode.as_deref(), &o.events, &o.text) {
            (200..=299, _, Some(events), _) => {
                let (new, lowest_depth) = self.ingest(events);
                Outcome::Answered {
                    received: events.len(),
                    new,
                    lowest_depth,
                }
            }
            (200..=299, _, None, Some(text)) => {
                let (received, new, lowest_depth) = self.ingest_text(text);
                Outcome::Answered {
                    received,
                    new,
                    lowest_depth,
                }
            }
            (404, Some("M_UNRECOGNIZED"), _, _) => Outcome::Unrecognized,
            _ => Outcome::Failed,
        };
        self.planner.record(&self.dag, &request, outcome);
        let (received, new) = match outcome {
            Outcome::Answered { received, new, .. } => (received, new),
            _ => (0, 0),
        };
        #[derive(Serialize)]
        struct Counts {
            received: usize,
            new: usize,
        }
        Ok(to_js(&Counts { received, new }))
    }

    /// When a backoff ends (simulated ms), or `null` when planning is over.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&self) -> Option<f64> {
        self.planner.next_wakeup(&self.dag).map(|t| t as f64)
    }

    /// Moves the planner's clock (ms; never backwards).
    #[wasm_bindgen(js_name = setNow)]
    pub fn set_now(&mut self, now_ms: f64) {
        self.planner.set_now_ms(now_ms.max(0.0) as u64);
    }

    /// The planner's clock (ms).
    pub fn now(&self) -> f64 {
        self.planner.now_ms() as f64
    }

    /// Backward extremities in the planner's graph.
    #[wasm_bindgen(js_name = gapCount)]
    pub fn gap_count(&self) -> u32 {
        self.dag.gaps().len() as u32
    }

    /// Requests recorded.
    #[wasm_bindgen(js_name = roundTrips)]
    pub fn round_trips(&self) -> f64 {
        self.planner.round_trips() as f64
    }

    /// The open gaps with why: `[{event_id, reason, message}]`.
    #[wasm_bindgen(js_name = openGaps)]
    pub fn open_gaps(&self) -> JsValue {
        let problems = self.planner.open_gap_problems(&self.dag);
        let gaps = self.planner.open_gaps(&self.dag);
        let out: Vec<JsOpenGap> = gaps
            .iter()
            .zip(problems)
            .map(|(g, p)| JsOpenGap {
                event_id: self.dag.event_id(g.event),
                reason: g.reason.code(),
                message: p.message,
            })
            .collect();
        to_js(&out)
    }

    /// What was learned about each server.
    pub fn servers(&self) -> JsValue {
        to_js(&self.planner.servers())
    }
}

impl JsGapPlanner {
    /// Adds the events of a text; returns received, new, and the lowest depth seen.
    fn ingest_text(&mut self, text: &str) -> (usize, usize, Option<i64>) {
        let (mut received, mut new, mut lowest) = (0, 0, None::<i64>);
        let dag = &mut self.dag;
        read_input(text, self.version.as_ref(), |event, _| {
            received += 1;
            lowest = Some(lowest.map_or(event.depth, |l| l.min(event.depth)));
            let held = dag
                .index_of(&event.event_id)
                .is_some_and(|n| dag.is_timeline(n));
            let placed = dag.insert(&event, Placement::Timeline).is_some();
            new += usize::from(placed && !held);
            placed
        });
        (received, new, lowest)
    }

    /// Adds records; returns the new events and the lowest depth seen.
    fn ingest(&mut self, records: &[Record]) -> (usize, Option<i64>) {
        let mut new = 0;
        for r in records {
            let held = self
                .dag
                .index_of(&r.event_id)
                .is_some_and(|n| self.dag.is_timeline(n));
            if self
                .dag
                .insert(&r.to_dag_event(), Placement::Timeline)
                .is_some()
                && !held
            {
                new += 1;
            }
        }
        (new, records.iter().map(|r| r.depth).min())
    }
}
