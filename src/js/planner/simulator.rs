//! `simulate(options)` and the `SimulatedFederation` class: the planner's simulator for JS.

use wasm_bindgen::prelude::*;

use super::{from_js, strategy_of, to_js, Record};
use crate::js::to_js_error;
use crate::json_fields::shapes::{REQUEST, SIM_OPTIONS};
use crate::planner::codes;
use crate::planner::shape::RoomShape;
use crate::planner::simulator::{
    simulate as run_simulation, PeerAnswer, Simulation, SimulationOptions,
};
use crate::planner::{PlannerOptions, Strategy};

#[wasm_bindgen(typescript_custom_section)]
const SIMULATOR_TYPES: &str = r#"
/** The simulated room and its peers; every field is optional. */
export interface SimulatedRoomOptions {
  /** Events in the room. */
  events?: number;
  /** Gaps (backward extremities) the requester starts with. */
  gaps?: number;
  /** The same seed and options give the same room. */
  seed?: number;
  /** A public room's width (concurrent branches); 0 or absent for a uniform room. */
  width?: number;
}

/** Options of `simulate`. */
export interface SimulateOptions extends SimulatedRoomOptions {
  /** The `limit` of each request. */
  limit?: number;
  /** Run only this strategy (default: all four). */
  strategy?: Strategy;
}

/** A gap left open at the end of a simulated run, and why. */
export interface OpenGapReport {
  event_id: string;
  /** The reason's problem code. */
  reason: string;
  /** Whether a working peer holds it. */
  closable: boolean;
}

/** The result of one simulated run. */
export interface SimulationReport {
  strategy: Strategy;
  events: number;
  held_at_start: number;
  gaps_at_start: number;
  /** Requests sent. */
  round_trips: number;
  /** Rounds of requests sent together. */
  rounds: number;
  requests: Partial<Record<Endpoint, number>>;
  /** Events in all answers. */
  events_transferred: number;
  /** Events received that were held already (or twice in one answer). */
  duplicates: number;
  duplicates_by_endpoint: Partial<Record<Endpoint, number>>;
  gaps_left: number;
  closable_gaps_left: number;
  all_closable_closed: boolean;
  /** Simulated hours spent, waiting for backoffs included. */
  simulated_hours: number;
  open_gaps: OpenGapReport[];
  servers: ServerHistory[];
}

/** A request sent to a simulated server (a `PlannedRequest` is one). */
export interface SimulatedRequest {
  method: "GET" | "POST";
  /** The federation path with its query. */
  path: string;
  /** The JSON body of `POST /get_missing_events`. */
  body?: string | null;
}

/** A simulated server's answer: a transaction of records, `/get_missing_events`'
 *  `{events}`, or a Matrix error. */
export interface SimulatedAnswer {
  status: number;
  body: { pdus: EventRecord[] } | { events: EventRecord[] } | { errcode: string; error: string };
}
"#;

/// `simulate` options from JS (every field defaults).
struct SimOptions {
    events: Option<usize>,
    gaps: Option<usize>,
    seed: Option<u64>,
    width: Option<usize>,
    limit: Option<u64>,
    strategy: Option<String>,
}

impl SimOptions {
    fn read(options: JsValue, what: &str) -> Result<Self, JsValue> {
        let mut f = from_js(options, what, &SIM_OPTIONS)?;
        Ok(Self {
            events: f.opt_usize(),
            gaps: f.opt_usize(),
            seed: f.opt_u64(),
            width: f.opt_usize(),
            limit: f.opt_u64(),
            strategy: f.opt_string(),
        })
    }
}

fn simulation_options(o: &SimOptions) -> SimulationOptions {
    let d = SimulationOptions::default();
    SimulationOptions {
        seed: o.seed.unwrap_or(d.seed),
        events: o.events.unwrap_or(d.events),
        gaps: o.gaps.unwrap_or(d.gaps),
        shape: match o.width {
            Some(width) if width > 0 => RoomShape::PublicRoom { width },
            _ => RoomShape::Uniform,
        },
        planner: PlannerOptions {
            limit: o.limit.unwrap_or(d.planner.limit),
            ..d.planner
        },
        ..d
    }
}

/// `simulate({events?, gaps?, seed?, width?, limit?, strategy?})`: one report per strategy
/// (all four unless `strategy` names one).
#[wasm_bindgen(unchecked_return_type = "SimulationReport[]")]
pub fn simulate(
    #[wasm_bindgen(unchecked_param_type = "SimulateOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let o = SimOptions::read(options, "simulate options")?;
    let strategies = match &o.strategy {
        Some(name) => vec![strategy_of(Some(name))?],
        None => Strategy::ALL.to_vec(),
    };
    Ok(to_js(&run_simulation(simulation_options(&o), &strategies)))
}

/// The simulator's peers over a generated room, answering requests as servers would, so the
/// JS driver can run against them.
#[wasm_bindgen(js_name = SimulatedFederation)]
pub struct JsSimulatedFederation {
    simulation: Simulation,
}

#[wasm_bindgen(js_class = SimulatedFederation)]
impl JsSimulatedFederation {
    /// `new SimulatedFederation({events?, gaps?, seed?, width?})`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "SimulatedRoomOptions")] options: JsValue,
    ) -> Result<JsSimulatedFederation, JsValue> {
        let o = SimOptions::read(options, "SimulatedFederation options")?;
        Ok(Self {
            simulation: Simulation::new(simulation_options(&o)),
        })
    }

    /// The room ID.
    #[wasm_bindgen(js_name = roomId)]
    pub fn room_id(&self) -> String {
        crate::planner::shape::ROOM_ID.to_owned()
    }

    /// The server names.
    pub fn servers(&self) -> Vec<String> {
        self.simulation
            .peers()
            .iter()
            .map(|p| p.config.name.clone())
            .collect()
    }

    /// The events the requester holds at the start, as records.
    #[wasm_bindgen(js_name = startingEvents, unchecked_return_type = "EventRecord[]")]
    pub fn starting_events(&self) -> JsValue {
        let records: Vec<Record> = self.simulation.starting_events().map(Record::of).collect();
        to_js(&records)
    }

    /// Answers `{method, path, body}` as `server`: `{status, body}` where body is a
    /// transaction `{pdus}`, `{events}`, or an error `{errcode, error}`.
    #[wasm_bindgen(unchecked_return_type = "SimulatedAnswer")]
    pub fn answer(
        &self,
        server: &str,
        #[wasm_bindgen(unchecked_param_type = "SimulatedRequest")] request: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut r = from_js(request, "request", &REQUEST)?;
        let (method, path, body) = (r.string(), r.string(), r.opt_string());
        let line = format!("{method} {path}");
        let parsed = crate::federation::FederationRequest::parse(&line, body.as_deref())
            .map_err(|p| to_js_error(p.code, &p.message))?;
        let Some(peer) = self
            .simulation
            .peers()
            .iter()
            .find(|p| p.config.name == server)
        else {
            return Err(to_js_error(
                codes::UNKNOWN_SERVER,
                &format!("No server {server}."),
            ));
        };
        let json = match peer.answer(&parsed) {
            PeerAnswer::Failed => {
                serde_json::json!({"status": 502, "body": {"errcode": "M_UNKNOWN", "error": "down"}})
            }
            PeerAnswer::Unrecognized => {
                serde_json::json!({"status": 404, "body": {"errcode": "M_UNRECOGNIZED", "error": "Unrecognized request"}})
            }
            PeerAnswer::Events(list) => {
                let events: Vec<Record> = list
                    .iter()
                    .map(|&i| Record::of(self.simulation.event(i)))
                    .collect();
                let events = serde_json::to_value(events).unwrap_or_default();
                let key = if parsed.endpoint() == "get_missing_events" {
                    "events"
                } else {
                    "pdus"
                };
                serde_json::json!({"status": 200, "body": {key: events}})
            }
        };
        Ok(to_js(&json))
    }
}
