//! JS bindings of the gap planner: the `GapPlanner` class, `SimulatedFederation` (the
//! simulator's peers, answering requests as servers would) and `simulate(options)`; the
//! last two only in the tools build (feature `tools`).
//!
//! A planner built on a `RoomSession` plans over the session's DAG and takes each answer
//! into the session (judged, contract-checked, placed: the one ingest). Without one it
//! keeps a graph of its own from records (`{event_id, prev_events, depth}`), as a simulated
//! federation answers: structure only, nothing judged.

#[cfg(feature = "tools")]
mod simulator;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors::to_js_error;
use super::key_ring::{json_text, to_plain};
use super::session::JsRoomSession;
use crate::dag::{DagEvent, Placement, RoomDag};
use crate::federation::FederationRequest;
use crate::json_fields::shapes::{OUTCOME, PLANNER_OPTIONS, RECORD, RECORDS_ANSWER};
use crate::json_fields::{self, Fields, Shape};
use crate::planner::{
    codes, GapPlanner as Planner, Outcome, PlannedRequest, PlannerOptions, Strategy,
};
use crate::session::{Ingest, IngestReport, RoomSession};

#[wasm_bindgen(typescript_custom_section)]
const PLANNER_TYPES: &str = r#"
/** How a planner chooses its requests: covering the gaps with the fewest requests, as
 *  Synapse backfills, depth-first or breadth-first. */
export type Strategy = "cover" | "synapse" | "dfs" | "bfs";

/** Options of a `GapPlanner`. */
export interface GapPlannerOptions {
  room_id: string;
  /** The servers believed to be in the room, that may be asked. */
  servers: string[];
  strategy?: Strategy;
  /** The `limit` of each request (default 100). */
  limit?: number;
  max_round_trips?: number;
  /** Requests in flight at once. */
  parallel?: number;
}

/** A request the planner wants sent. */
export interface PlannedRequest {
  id: number;
  server: string;
  endpoint: Endpoint;
  method: "GET" | "POST";
  /** The federation path with its query. */
  path: string;
  /** The JSON body (POST /get_missing_events), or null. */
  body: string | null;
  limit: number;
  /** The gaps (event IDs) it aims to close. */
  gaps: string[];
}

/** What happened to a planned request. */
export interface PlannerOutcome {
  status: number;
  /** The response body. */
  text?: string;
  errcode?: string;
  /** Without a session: the answer's events as records. */
  events?: EventRecord[];
}

/** What `GapPlanner.record` made of an answer. */
export interface RecordedAnswer {
  received: number;
  new: number;
  /** For a planner on a session: the session's report on the answer. */
  report?: IngestReport;
}

/** A timeline event known only by its place in the graph (a planner without a session). */
export interface EventRecord {
  event_id: string;
  /** Event IDs, or room version 1/2 `[event_id, hashes]` pairs. */
  prev_events: (string | [string, Record<string, string>])[];
  depth?: number;
  origin_server_ts?: number;
}

/** What a planner learned of one server. */
export interface ServerHistory {
  name: string;
  round_trips: number;
  events_received: number;
  /** Failures in a row; reset by an answer. */
  failures: number;
  /** Simulated time (ms) before which it is not asked. */
  retry_at_ms: number;
  forwards_fill: "unknown" | "supported" | "unsupported";
  backfill_cap: number | null;
  get_missing_events_cap: number | null;
  lowest_depth_sent: number | null;
  /** The depth below which its history seems to start. */
  history_floor: number | null;
}

/** A gap the planner cannot close, and why. */
export interface OpenGap { event_id: string; reason: string; message: string; }
"#;

/// An event as the planner needs it. `prev_events` may be plain IDs or room version 1/2
/// `[id, hashes]` pairs. Read as `RECORD` says (see `fields`): `event_id` must be given,
/// the others default.
#[derive(Serialize)]
struct Record {
    event_id: String,
    prev_events: Vec<serde_json::Value>,
    depth: i64,
    origin_server_ts: i64,
}

impl Record {
    fn of_fields(mut f: Fields) -> Self {
        Self {
            event_id: f.string(),
            prev_events: f.json_values(),
            depth: f.i64(),
            origin_server_ts: f.i64(),
        }
    }

    fn list(list: Vec<Fields>) -> Vec<Self> {
        list.into_iter().map(Self::of_fields).collect()
    }

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

/// `new GapPlanner(options)`: `room_id` and `servers` must be given.
struct Options {
    room_id: String,
    servers: Vec<String>,
    strategy: Option<String>,
    limit: Option<u64>,
    max_round_trips: Option<u64>,
    parallel: Option<usize>,
}

impl Options {
    fn read(options: JsValue) -> Result<Self, JsValue> {
        let mut f = from_js(options, "GapPlanner options", &PLANNER_OPTIONS)?;
        Ok(Self {
            room_id: f.string(),
            servers: f.strings(),
            strategy: f.opt_string(),
            limit: f.opt_u64(),
            max_round_trips: f.opt_u64(),
            parallel: f.opt_usize(),
        })
    }
}

/// A planned request as JS sees it (`GapPlanner.next`, `Timeline.fillRequests`).
#[derive(Serialize)]
pub(super) struct JsRequest {
    id: u32,
    server: String,
    endpoint: &'static str,
    method: &'static str,
    path: String,
    body: Option<String>,
    limit: u64,
    gaps: Vec<String>,
}

impl JsRequest {
    /// Request `r` under the number `id`, its gaps named by event ID.
    pub(super) fn of(id: u32, r: &PlannedRequest, dag: &RoomDag) -> Self {
        Self {
            id,
            server: r.server.clone(),
            endpoint: r.endpoint(),
            method: r.method(),
            path: r.path(),
            body: r.body(),
            limit: r.limit(),
            gaps: r.gaps.iter().map(|&g| dag.event_id(g)).collect(),
        }
    }
}

/// What JS reports back for a request (every field defaults).
struct JsOutcome {
    status: u16,
    errcode: Option<String>,
    text: Option<String>,
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

/// Reads a JS argument of `shape` through its JSON text: serde_json's nesting limit then
/// guards the wasm stack against deeply nested objects.
fn from_js(value: JsValue, what: &str, shape: &'static Shape) -> Result<Fields, JsValue> {
    let text = json_text(&value, what)?;
    json_fields::struct_from_str(&text, shape).map_err(|e| bad_argument(what, &e))
}

fn bad_argument(what: &str, e: &serde_json::Error) -> JsValue {
    to_js_error(codes::BAD_ARGUMENT, &format!("{what}: {e}"))
}

/// A plain JS value (see [`to_plain`]), `null` if it cannot be one.
fn to_js<T: Serialize>(value: &T) -> JsValue {
    to_plain(value).unwrap_or(JsValue::NULL)
}

/// The graph a planner plans over.
enum Graph {
    /// A room session's, shared with it: answers are taken into the session.
    Session(Rc<RefCell<RoomSession>>),
    /// Its own, from records: structure only.
    Records(RoomDag),
}

/// Plans the requests that close a room's gaps (see `crate::planner`).
#[wasm_bindgen(js_name = GapPlanner)]
pub struct JsGapPlanner {
    planner: Planner,
    graph: Graph,
    pending: HashMap<u32, PlannedRequest>,
    next_id: u32,
}

#[wasm_bindgen(js_class = GapPlanner)]
impl JsGapPlanner {
    /// `new GapPlanner({room_id, servers, strategy?, limit?, max_round_trips?, parallel?})`:
    /// a planner with a graph of records of its own (`addEvents`), as for a simulated
    /// federation. For real answers build it on a session: `GapPlanner.onSession`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "GapPlannerOptions")] options: JsValue,
    ) -> Result<JsGapPlanner, JsValue> {
        let o = Options::read(options)?;
        let dag = RoomDag::for_room(&o.room_id);
        Self::build(o, Graph::Records(dag))
    }

    /// A planner over a `RoomSession`'s DAG: it plans from the events the session holds
    /// and takes each answer into the session (judged, contract-checked, placed).
    #[wasm_bindgen(js_name = onSession)]
    pub fn on_session(
        #[wasm_bindgen(unchecked_param_type = "GapPlannerOptions")] options: JsValue,
        session: &JsRoomSession,
    ) -> Result<JsGapPlanner, JsValue> {
        let o = Options::read(options)?;
        Self::build(o, Graph::Session(session.shared()))
    }

    /// Adds timeline events known only as records `[{event_id, prev_events, depth,
    /// origin_server_ts}]` to a planner without a session (structure only, nothing
    /// judged); returns how many were new. A planner on a session takes events only from
    /// the session.
    #[wasm_bindgen(js_name = addEvents)]
    pub fn add_events(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "EventRecord[]")] events: JsValue,
    ) -> Result<u32, JsValue> {
        let text = json_text(&events, "events")?;
        let list =
            json_fields::list_from_str(&text, &RECORD).map_err(|e| bad_argument("events", &e))?;
        let records = Record::list(list);
        let Graph::Records(dag) = &mut self.graph else {
            return Err(to_js_error(
                codes::BAD_ARGUMENT,
                "This planner plans over a RoomSession: give events to the session (ingest), not to the planner.",
            ));
        };
        Ok(add_records(dag, &records).0 as u32)
    }

    /// The requests to send now: `[{id, server, endpoint, method, path, body, limit, gaps}]`.
    #[wasm_bindgen(unchecked_return_type = "PlannedRequest[]")]
    pub fn next(&mut self) -> JsValue {
        let Self {
            planner,
            graph,
            pending,
            next_id,
        } = self;
        let out = with_dag(graph, |dag| {
            planner
                .next_requests(dag)
                .into_iter()
                .map(|r| {
                    let id = *next_id;
                    *next_id += 1;
                    let js = JsRequest::of(id, &r, dag);
                    pending.insert(id, r);
                    js
                })
                .collect::<Vec<_>>()
        });
        to_js(&out)
    }

    /// Reports the outcome of request `id`: `{status, text}` with the response body, or
    /// `{status: 404, errcode: "M_UNRECOGNIZED"}`, or any other status for a failure; a
    /// planner without a session also takes `{status: 200, events: [records]}`. A planner on
    /// a session takes the answer into the session (its report is `report`). Returns
    /// `{received, new, report?}`.
    #[wasm_bindgen(unchecked_return_type = "RecordedAnswer")]
    pub fn record(
        &mut self,
        id: u32,
        #[wasm_bindgen(unchecked_param_type = "PlannerOutcome")] outcome: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut f = from_js(outcome, "outcome", &OUTCOME)?;
        let o = JsOutcome {
            status: f.u16(),
            errcode: f.opt_string(),
            text: f.opt_string(),
            events: f.opt_list().map(Record::list),
        };
        let Some(request) = self.pending.remove(&id) else {
            return Err(to_js_error(
                codes::UNKNOWN_REQUEST,
                &format!("No pending request {id}."),
            ));
        };
        let mut report = None;
        let outcome = match (o.status, o.errcode.as_deref()) {
            (200..=299, _) => {
                let taken = self.take_answer(&request, &o, &mut report)?;
                Outcome::Answered {
                    received: taken.0,
                    new: taken.1,
                    lowest_depth: taken.2,
                }
            }
            (404, Some("M_UNRECOGNIZED")) => Outcome::Unrecognized,
            _ => Outcome::Failed,
        };
        let planner = &mut self.planner;
        with_dag(&self.graph, |dag| planner.record(dag, &request, outcome));
        let (received, new) = match outcome {
            Outcome::Answered { received, new, .. } => (received, new),
            _ => (0, 0),
        };
        #[derive(Serialize)]
        struct Recorded {
            received: usize,
            new: usize,
            #[serde(skip_serializing_if = "Option::is_none")]
            report: Option<IngestReport>,
        }
        to_plain(&Recorded {
            received,
            new,
            report,
        })
    }

    /// When a backoff ends (simulated ms), or `null` when planning is over.
    #[wasm_bindgen(js_name = nextWakeup)]
    pub fn next_wakeup(&self) -> Option<f64> {
        with_dag(&self.graph, |dag| self.planner.next_wakeup(dag)).map(|t| t as f64)
    }

    /// Moves the planner's clock (ms; never backwards).
    #[wasm_bindgen(js_name = setNow)]
    pub fn set_now(&mut self, #[wasm_bindgen(js_name = nowMs)] now_ms: f64) {
        self.planner.set_now_ms(now_ms.max(0.0) as u64);
    }

    /// The planner's clock (ms).
    pub fn now(&self) -> f64 {
        self.planner.now_ms() as f64
    }

    /// Backward extremities in the planner's graph.
    #[wasm_bindgen(js_name = gapCount)]
    pub fn gap_count(&self) -> u32 {
        with_dag(&self.graph, |dag| dag.gaps().len() as u32)
    }

    /// Requests recorded.
    #[wasm_bindgen(js_name = roundTrips)]
    pub fn round_trips(&self) -> f64 {
        self.planner.round_trips() as f64
    }

    /// The open gaps with why: `[{event_id, reason, message}]`.
    #[wasm_bindgen(js_name = openGaps, unchecked_return_type = "OpenGap[]")]
    pub fn open_gaps(&self) -> JsValue {
        let out = with_dag(&self.graph, |dag| {
            let problems = self.planner.open_gap_problems(dag);
            let gaps = self.planner.open_gaps(dag);
            gaps.iter()
                .zip(problems)
                .map(|(g, p)| JsOpenGap {
                    event_id: dag.event_id(g.event),
                    reason: g.reason.code(),
                    message: p.message,
                })
                .collect::<Vec<_>>()
        });
        to_js(&out)
    }

    /// What was learned about each server.
    #[wasm_bindgen(unchecked_return_type = "ServerHistory[]")]
    pub fn servers(&self) -> JsValue {
        to_js(&self.planner.servers())
    }
}

impl JsGapPlanner {
    fn build(o: Options, graph: Graph) -> Result<Self, JsValue> {
        let strategy = strategy_of(o.strategy.as_deref())?;
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
            graph,
            pending: HashMap::new(),
            next_id: 0,
        })
    }

    /// Takes a successful answer into the graph; returns received, new, and the lowest
    /// depth seen.
    fn take_answer(
        &mut self,
        request: &PlannedRequest,
        o: &JsOutcome,
        report: &mut Option<IngestReport>,
    ) -> Result<(usize, usize, Option<i64>), JsValue> {
        match (&mut self.graph, &o.events, &o.text) {
            (Graph::Session(session), _, Some(text)) => {
                let line = format!("{} {}", request.method(), request.path());
                let body = request.body();
                let parsed = FederationRequest::parse(&line, body.as_deref())
                    .map_err(|p| to_js_error(p.code, &p.message))?;
                let how = Ingest {
                    source: &line,
                    request: Some(&parsed),
                    status: Some(o.status),
                    ..Ingest::default()
                };
                let taken = session.borrow_mut().ingest(text, &how);
                let lowest = lowest_depth(&session.borrow(), &taken);
                let counts = (taken.events.len(), taken.added, lowest);
                *report = Some(taken);
                Ok(counts)
            }
            (Graph::Records(dag), Some(records), _) => {
                let (new, lowest) = add_records(dag, records);
                Ok((records.len(), new, lowest))
            }
            (Graph::Records(dag), None, Some(text)) => {
                let records = records_of(text);
                let (new, lowest) = add_records(dag, &records);
                Ok((records.len(), new, lowest))
            }
            _ => Err(to_js_error(
                codes::BAD_ARGUMENT,
                "outcome: a successful answer needs its `text` (or, without a session, `events`).",
            )),
        }
    }
}

/// Runs `f` on the planner's graph.
fn with_dag<T>(graph: &Graph, f: impl FnOnce(&RoomDag) -> T) -> T {
    match graph {
        Graph::Session(session) => {
            let session = session.borrow();
            let empty = RoomDag::new();
            f(session.dag().unwrap_or(&empty))
        }
        Graph::Records(dag) => f(dag),
    }
}

/// The lowest depth among the events an answer placed.
fn lowest_depth(session: &RoomSession, report: &IngestReport) -> Option<i64> {
    let dag = session.dag()?;
    report
        .events
        .iter()
        .filter_map(|e| e.event_id.as_deref())
        .filter_map(|id| dag.index_of(id))
        .filter(|&n| dag.is_held(n))
        .map(|n| dag.depth(n))
        .min()
}

/// The records of an answer's `pdus` or `events` (a simulated federation's answers).
fn records_of(text: &str) -> Vec<Record> {
    json_fields::struct_from_str(text, &RECORDS_ANSWER)
        .ok()
        .and_then(|mut a| {
            let pdus = a.opt_list();
            let events = a.opt_list();
            pdus.or(events)
        })
        .map(Record::list)
        .unwrap_or_default()
}

/// Adds records to a graph of records; returns the new events and the lowest depth seen.
fn add_records(dag: &mut RoomDag, records: &[Record]) -> (usize, Option<i64>) {
    let mut new = 0;
    for r in records {
        let held = dag
            .index_of(&r.event_id)
            .is_some_and(|n| dag.is_timeline(n));
        if dag.insert(&r.to_dag_event(), Placement::Timeline).is_some() && !held {
            new += 1;
        }
    }
    (new, records.iter().map(|r| r.depth).min())
}
