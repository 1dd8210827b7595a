//! `Timeline` for JavaScript: a `RoomSession`'s room read as pages of a linear timeline with
//! MSC3871 gap entries, date jumps, and the planner's requests that fill one gap (see
//! [`crate::timeline`]). It shares the session, like a `GapPlanner` built on it: answers
//! taken through it go into the session, and every call first brings its index up to date
//! with what the session holds.

use std::cell::RefCell;
use std::rc::Rc;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::errors::{optional_string_arg, to_js_error};
use super::key_ring::{json_text, to_plain};
use super::planner::JsRequest;
use super::room_dag::JsRoomDag;
use super::session::JsRoomSession;
use crate::dag::{NodeIndex, RoomDag};
use crate::event::Verdict;
use crate::federation::FederationRequest;
use crate::json_fields::shapes::{ANSWER, FILL_OPTIONS, PAGE_OPTIONS, REQUEST};
use crate::json_fields::{self, Fields, Shape};
use crate::planner::{self, GapPlanner, PlannerOptions, Strategy};
use crate::problem::Problem;
use crate::session::{Ingest, IngestReport, RoomSession};
use crate::timeline::{codes, Anchor, Direction, Inserted, Page, Refreshed, Timeline, Token};

#[wasm_bindgen(typescript_custom_section)]
const TIMELINE_TYPES: &str = r#"
/** Where a timeline page starts (all optional; the oldest end by default, or the newest
 *  end with `dir: "b"`). Give at most one of `from`, `eventId`, `ts`. */
export interface TimelinePageOptions {
  /** A pagination token from a page, a gap entry or an insertion. */
  from?: string;
  /** A held event: the page includes it. */
  eventId?: string;
  /** A timestamp (ms): the page starts at the event a date jump finds in `dir`. */
  ts?: number;
  /** "f" towards newer events (default), "b" towards older ones. */
  dir?: "f" | "b";
  /** Events per page (default 50, at most 10000). */
  limit?: number;
}

/** A held event on a timeline page. */
export interface TimelineEvent {
  event_id: string;
  depth: number;
  origin_server_ts: number;
  sender: string;
  type: string;
  /** Whether it is a state event. */
  state: boolean;
  verdict: Verdict | null;
  /** One line: type, state key, sender and the start of a body. */
  summary: string;
}

/** A gap entry (MSC3871's `GapEntry`, with what mxdag knows): history is missing right
 *  before `event_id`. */
export interface TimelineGap {
  /** The event whose `prev_events` are not all held. */
  event_id: string;
  /** The spot right before `event_id`: paginate backwards from it into the gap. */
  prev_pagination_token: string;
  /** The spot right after `event_id`. */
  next_pagination_token: string;
  /** Its `prev_events` not held in the timeline. */
  missing_event_ids: string[];
  /** Events missing as far as depths tell. */
  estimated_missing: number;
  /** Some missing events are held, but only as outliers. */
  held_as_outlier: boolean;
}

/** A page of the timeline, as `/messages` pages: `chunk` in the direction of pagination. */
export interface TimelinePage {
  dir: "f" | "b";
  chunk: TimelineEvent[];
  start: string;
  /** Where the next page starts; present even at the end of what is held. */
  end: string;
  /** Whether held events lie beyond `end`. */
  more: boolean;
  gaps: TimelineGap[];
}

/** A run of events inserted at one spot when the session's room grew; what was there
 *  before keeps its order. */
export interface TimelineInsertion {
  /** The held event the run follows, or null at the start. */
  after_event_id: string | null;
  /** The held event the run precedes (for a filled gap, the gap's event), or null. */
  before_event_id: string | null;
  /** Its first event's position in the timeline. */
  position: number;
  event_ids: string[];
  /** The spot before the run's first event and after its last. */
  prev_pagination_token: string;
  next_pagination_token: string;
}

/** What bringing the timeline up to date did. */
export interface TimelineRefresh {
  /** Indexed from scratch (the room was read again): earlier tokens are stale. */
  rebuilt: boolean;
  inserted: TimelineInsertion[];
}

/** Options of `Timeline.fillRequests`. */
export interface TimelineFillOptions {
  /** The servers believed to be in the room. */
  servers: string[];
  strategy?: Strategy;
  /** The `limit` of each request (default 100). */
  limit?: number;
}

/** What `Timeline.takeAnswer` did with one answer. */
export interface TimelineAnswer extends TimelineRefresh {
  /** The session's report on the answer. */
  report: IngestReport;
}
"#;

/// Events per page by default.
const DEFAULT_LIMIT: usize = 50;
/// Most events per page.
const MAX_LIMIT: usize = 10_000;

/// The room's timeline (see the module documentation).
#[wasm_bindgen(js_name = Timeline)]
pub struct JsTimeline {
    source: Source,
    room_id: Option<String>,
    index: Timeline,
}

/// What the timeline reads.
enum Source {
    /// A room session's DAG, shared with it: answers go into the session.
    Session(Rc<RefCell<RoomSession>>),
    /// A bare DAG of its own (structure only, as `RoomDag` holds it).
    Dag(RoomDag),
}

/// `{from?, eventId?, ts?, dir?, limit?}`, nothing else.
struct PageOptions {
    from: Option<String>,
    event_id: Option<String>,
    ts: Option<f64>,
    dir: Option<String>,
    limit: Option<f64>,
}

#[derive(Serialize)]
struct JsEvent<'a> {
    event_id: String,
    depth: i64,
    origin_server_ts: i64,
    sender: &'a str,
    #[serde(rename = "type")]
    event_type: &'a str,
    state: bool,
    verdict: Option<Verdict>,
    summary: &'a str,
}

#[derive(Serialize)]
struct JsGap {
    event_id: String,
    prev_pagination_token: String,
    next_pagination_token: String,
    missing_event_ids: Vec<String>,
    estimated_missing: u64,
    held_as_outlier: bool,
}

#[derive(Serialize)]
struct JsPage<'a> {
    dir: &'static str,
    chunk: Vec<JsEvent<'a>>,
    start: String,
    end: String,
    more: bool,
    gaps: Vec<JsGap>,
}

#[derive(Serialize)]
struct JsInsertion {
    after_event_id: Option<String>,
    before_event_id: Option<String>,
    position: usize,
    event_ids: Vec<String>,
    prev_pagination_token: String,
    next_pagination_token: String,
}

#[derive(Serialize)]
struct JsRefresh {
    rebuilt: bool,
    inserted: Vec<JsInsertion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<IngestReport>,
}

fn problem_error(p: &Problem) -> JsValue {
    to_js_error(p.code, &p.message)
}

fn bad(message: &str) -> JsValue {
    to_js_error(super::errors::codes::INVALID_ARGUMENT, message)
}

/// Reads a JS argument of `shape` through its JSON text (serde_json's nesting limit guards
/// the stack).
fn from_js(value: &JsValue, what: &str, shape: &'static Shape) -> Result<Fields, JsValue> {
    let text = json_text(value, what)?;
    json_fields::struct_from_str(&text, shape).map_err(|e| bad(&format!("{what}: {e}")))
}

#[wasm_bindgen(js_class = Timeline)]
impl JsTimeline {
    /// `new Timeline(session, roomId?)`: the timeline of the session's room (or of `roomId`),
    /// indexed now and kept up to date with what the session takes in later.
    #[wasm_bindgen(constructor)]
    pub fn new(
        session: &JsRoomSession,
        #[wasm_bindgen(js_name = roomId, unchecked_optional_param_type = "string")]
        room_id: JsValue,
    ) -> Result<JsTimeline, JsValue> {
        let room_id = optional_string_arg(&room_id, "roomId")?;
        let shared = session.shared();
        let index = {
            let s = shared.borrow();
            if let Some(room) = &room_id {
                if s.dag_of(room).is_none() && s.dag().and_then(RoomDag::room_id).is_some() {
                    return Err(to_js_error(
                        codes::UNKNOWN_ROOM,
                        &format!("The session holds no events of room {room}."),
                    ));
                }
            }
            with_dag(&s, room_id.as_deref(), Timeline::new)
        };
        Ok(JsTimeline {
            source: Source::Session(shared),
            room_id,
            index,
        })
    }

    /// The timeline of a bare `RoomDag` (structure only: events carry no verdict or
    /// summary, and `takeAnswer` is refused). Takes the DAG over: the `RoomDag` object is
    /// consumed.
    #[wasm_bindgen(js_name = ofDag)]
    pub fn of_dag(dag: JsRoomDag) -> JsTimeline {
        let dag = dag.into_inner();
        JsTimeline {
            index: Timeline::new(&dag),
            source: Source::Dag(dag),
            room_id: None,
        }
    }

    /// Events in the timeline (held timeline events of the room).
    #[wasm_bindgen(getter)]
    pub fn length(&mut self) -> u32 {
        self.refresh_index();
        self.index.len() as u32
    }

    /// A page of events: `{dir, chunk, start, end, more, gaps}`.
    #[wasm_bindgen(unchecked_return_type = "TimelinePage")]
    pub fn page(
        &mut self,
        #[wasm_bindgen(unchecked_optional_param_type = "TimelinePageOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let o: PageOptions = if options.is_undefined() || options.is_null() {
            PageOptions {
                from: None,
                event_id: None,
                ts: None,
                dir: None,
                limit: None,
            }
        } else {
            let mut f = from_js(&options, "page options", &PAGE_OPTIONS)?;
            PageOptions {
                from: f.opt_string(),
                event_id: f.opt_string(),
                ts: f.opt_f64(),
                dir: f.opt_string(),
                limit: f.opt_f64(),
            }
        };
        let dir =
            Direction::parse(o.dir.as_deref().unwrap_or("f")).map_err(|p| problem_error(&p))?;
        let limit = match o.limit {
            None => DEFAULT_LIMIT,
            Some(l) if l.fract() == 0.0 && (1.0..=MAX_LIMIT as f64).contains(&l) => l as usize,
            Some(l) => {
                return Err(bad(&format!(
                    "`limit` must be a whole number 1–{MAX_LIMIT}, not {l}."
                )))
            }
        };
        self.refresh_index();
        let index = &self.index;
        view(&self.source, self.room_id.as_deref(), |dag, session| {
            let anchor = match (&o.from, &o.event_id, o.ts) {
                (None, None, None) => Anchor::Edge,
                (Some(t), None, None) => {
                    Anchor::Token(Token::parse(t).map_err(|p| problem_error(&p))?)
                }
                (None, Some(id), None) => Anchor::Event(dag.index_of(id).ok_or_else(|| {
                    to_js_error(
                        codes::UNKNOWN_EVENT,
                        &format!("Event {id} is not held in the room's timeline."),
                    )
                })?),
                (None, None, Some(ts)) if ts.is_finite() => Anchor::Timestamp(ts as i64),
                (None, None, Some(_)) => return Err(bad("`ts` must be a finite number (ms).")),
                _ => return Err(bad("Give at most one of `from`, `eventId` and `ts`.")),
            };
            let page = index
                .page(dag, anchor, dir, limit)
                .map_err(|p| problem_error(&p))?;
            to_plain(&js_page(session, dag, &page))
        })
    }

    /// The held event closest to `ts` (ms): at or after it with `dir` `"f"`, at or before
    /// it with `"b"` (as the spec's `timestamp_to_event`); `undefined` when none lies that
    /// way.
    pub fn jump(
        &mut self,
        ts: f64,
        #[wasm_bindgen(unchecked_param_type = "\"f\" | \"b\"")] dir: JsValue,
    ) -> Result<Option<String>, JsValue> {
        let dir = dir
            .as_string()
            .ok_or_else(|| bad("`dir` must be \"f\" or \"b\"."))?;
        let dir = Direction::parse(&dir).map_err(|p| problem_error(&p))?;
        if !ts.is_finite() {
            return Err(bad("`ts` must be a finite number (ms)."));
        }
        self.refresh_index();
        let index = &self.index;
        Ok(view(&self.source, self.room_id.as_deref(), |dag, _| {
            index.jump(dag, ts as i64, dir).map(|n| dag.event_id(n))
        }))
    }

    /// Brings the timeline up to date with the session now and says where new events went
    /// (every other call does this first, silently).
    #[wasm_bindgen(unchecked_return_type = "TimelineRefresh")]
    pub fn refresh(&mut self) -> Result<JsValue, JsValue> {
        let refreshed = self.refresh_index();
        let out = view(&self.source, self.room_id.as_deref(), |dag, _| {
            js_refresh(&self.index, dag, &refreshed, None)
        });
        to_plain(&out)
    }

    /// The requests that fill one gap (a gap entry, or the event ID of its event), as the
    /// planner proposes them for that gap alone: `PlannedRequest[]` to send with any
    /// transport, then give each answer to `takeAnswer`. Empty when the gap is closed.
    #[wasm_bindgen(js_name = fillRequests, unchecked_return_type = "PlannedRequest[]")]
    pub fn fill_requests(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TimelineGap | string")] gap: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TimelineFillOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let event_id = match gap.as_string() {
            Some(id) => id,
            None => {
                let field = js_sys::Reflect::get(&gap, &JsValue::from_str("event_id"))
                    .unwrap_or(JsValue::UNDEFINED);
                field
                    .as_string()
                    .ok_or_else(|| bad("`gap` must be a gap entry or its event_id."))?
            }
        };
        let mut o = from_js(&options, "fill options", &FILL_OPTIONS)?;
        let (servers, strategy, limit) = (o.strings(), o.opt_string(), o.opt_u64());
        let strategy = match strategy.as_deref() {
            None => Strategy::Cover,
            Some(n) => Strategy::from_name(n).ok_or_else(|| {
                to_js_error(
                    planner::codes::UNKNOWN_STRATEGY,
                    &format!("Unknown strategy {n:?}: use synapse, dfs, bfs or cover."),
                )
            })?,
        };
        self.refresh_index();
        let out = view(&self.source, self.room_id.as_deref(), |dag, _| {
            let node = dag
                .index_of(&event_id)
                .filter(|&n| dag.is_timeline(n))
                .ok_or_else(|| {
                    to_js_error(
                        codes::UNKNOWN_EVENT,
                        &format!("Event {event_id} is not held in the room's timeline."),
                    )
                })?;
            let missing = self
                .index
                .gap_entry(dag, node)
                .map(|g| g.missing)
                .unwrap_or_default();
            let room = dag.room_id().unwrap_or_default();
            let options = PlannerOptions {
                strategy,
                limit: limit.unwrap_or(PlannerOptions::default().limit).max(1),
                ..PlannerOptions::default()
            };
            let mut planner = GapPlanner::new(room, &servers, options);
            let requests: Vec<JsRequest> = planner
                .next_requests_for(dag, &missing)
                .into_iter()
                .enumerate()
                .map(|(id, r)| JsRequest::of(id as u32, &r, dag))
                .collect();
            Ok::<_, JsValue>(requests)
        })?;
        to_plain(&out)
    }

    /// Takes the answer to a request (`{method, path, body}`, as `fillRequests` gives them)
    /// into the session — judged, contract-checked, placed — and says where its events went
    /// in the timeline: `{report, rebuilt, inserted}`. `answer` is `{status, text}` with the
    /// response body as received.
    #[wasm_bindgen(js_name = takeAnswer, unchecked_return_type = "TimelineAnswer")]
    pub fn take_answer(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "PlannedRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_param_type = "{ status: number; text?: string }")] answer: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut r = from_js(&request, "request", &REQUEST)?;
        let (method, path, body) = (r.string(), r.string(), r.opt_string());
        let mut a = from_js(&answer, "answer", &ANSWER)?;
        let (status, text) = (a.u16(), a.opt_string());
        let line = format!("{method} {path}");
        let parsed =
            FederationRequest::parse(&line, body.as_deref()).map_err(|p| problem_error(&p))?;
        let how = Ingest {
            source: &line,
            request: Some(&parsed),
            status: Some(status),
            ..Ingest::default()
        };
        let Source::Session(session) = &self.source else {
            return Err(bad(
                "This timeline reads a bare RoomDag: build it on a RoomSession to take answers.",
            ));
        };
        let report = session
            .borrow_mut()
            .ingest(text.as_deref().unwrap_or(""), &how);
        let refreshed = self.refresh_index();
        let out = view(&self.source, self.room_id.as_deref(), |dag, _| {
            js_refresh(&self.index, dag, &refreshed, Some(report))
        });
        to_plain(&out)
    }
}

impl JsTimeline {
    /// Brings the index up to date with the session's DAG.
    fn refresh_index(&mut self) -> Refreshed {
        let index = &mut self.index;
        view(&self.source, self.room_id.as_deref(), |dag, _| {
            index.refresh(dag)
        })
    }
}

/// Runs `f` on the DAG the timeline reads, with the session when there is one.
fn view<T>(
    source: &Source,
    room: Option<&str>,
    f: impl FnOnce(&RoomDag, Option<&RoomSession>) -> T,
) -> T {
    match source {
        Source::Session(session) => {
            let session = session.borrow();
            with_dag(&session, room, |dag| f(dag, Some(&session)))
        }
        Source::Dag(dag) => f(dag, None),
    }
}

/// Runs `f` on the DAG of `room` (or the session's room); an empty DAG when none is held.
fn with_dag<T>(session: &RoomSession, room: Option<&str>, f: impl FnOnce(&RoomDag) -> T) -> T {
    let dag = match room {
        Some(r) => session.dag_of(r),
        None => session.dag(),
    };
    match dag {
        Some(dag) => f(dag),
        None => f(&RoomDag::new()),
    }
}

fn js_page<'a>(session: Option<&'a RoomSession>, dag: &'a RoomDag, page: &Page) -> JsPage<'a> {
    // Held records are kept for the session's (first) room.
    let records = session
        .filter(|s| s.dag().is_some_and(|d| std::ptr::eq(d, dag)))
        .map_or(&[][..], RoomSession::held_records);
    let chunk = page
        .chunk
        .iter()
        .map(|&n| {
            let held = records.get(n as usize).and_then(Option::as_ref);
            JsEvent {
                event_id: dag.event_id(n),
                depth: dag.depth(n),
                origin_server_ts: dag.origin_server_ts(n),
                sender: dag.sender(n),
                event_type: dag.event_type(n),
                state: dag.is_state(n),
                verdict: held.map(|h| h.verdict),
                summary: held.map_or("", |h| h.meta.summary.as_str()),
            }
        })
        .collect();
    let gaps = page
        .gaps
        .iter()
        .map(|g| JsGap {
            event_id: dag.event_id(g.event),
            prev_pagination_token: g.prev_token.write(),
            next_pagination_token: g.next_token.write(),
            missing_event_ids: g.missing.iter().map(|&m| dag.event_id(m)).collect(),
            estimated_missing: g.estimated_missing,
            held_as_outlier: g.held_as_outlier,
        })
        .collect();
    JsPage {
        dir: page.dir.name(),
        chunk,
        start: page.start.write(),
        end: page.end.write(),
        more: page.more,
        gaps,
    }
}

fn js_refresh(
    index: &Timeline,
    dag: &RoomDag,
    refreshed: &Refreshed,
    report: Option<IngestReport>,
) -> JsRefresh {
    let id = |n: Option<NodeIndex>| n.map(|n| dag.event_id(n));
    let inserted = refreshed
        .inserted
        .iter()
        .filter(|run| !run.events.is_empty())
        .map(|run: &Inserted| JsInsertion {
            after_event_id: id(run.after),
            before_event_id: id(run.before),
            position: run.position,
            event_ids: run.events.iter().map(|&n| dag.event_id(n)).collect(),
            prev_pagination_token: index.token_before(run.events[0]).write(),
            next_pagination_token: index.token_after(run.events[run.events.len() - 1]).write(),
        })
        .collect();
    JsRefresh {
        rebuilt: refreshed.rebuilt,
        inserted,
        report,
    }
}
