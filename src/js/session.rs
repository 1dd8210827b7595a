//! `RoomSession` for JavaScript: the one way events come in (see [`crate::session`]). Inputs
//! go in as the text or bytes received; reports, details and drawing rows come out as plain
//! objects and typed arrays. The session is shared with a `GapPlanner` built on it.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

use super::answer::{id_array, parse_request, reference_answer_js, string_array};
use super::errors::{codes as arg_codes, optional_string_arg, string_arg, to_js_error};
use super::key_ring::{input_text, list_from_plain, to_plain};
use crate::event::report::MissingKey;
use crate::json_fields::shapes::MISSING_KEY;
use crate::room_version::RoomVersion;
use crate::session::{Ingest, IngestReport, Position, RoomSession, StateError};

#[wasm_bindgen(typescript_custom_section)]
const SESSION_TYPES: &str = r#"
/** How to take one input (all optional). */
export interface IngestOptions {
  /** How the input is named in reports: a file name, a request line. */
  source?: string;
  /** The request the input answered, as logged (`GET /_matrix/federation/v1/backfill/…`):
   *  its contract is judged against the DAG as held before it. */
  request?: string;
  /** The JSON body of a `POST /get_missing_events` request. */
  body?: string;
  /** The answer's HTTP status. */
  status?: number;
  /** Hold the events as outliers (state, auth chains), not in the timeline. */
  outliers?: boolean;
  /** The events came by backfill (answers to /backfill always do). */
  viaBackfill?: boolean;
}

/** The shapes an input is recognised as. */
export type InputShape =
  | "transaction" | "get_missing_events" | "error_response" | "event_ids" | "pdu" | "array" | "ndjson"
  | "synapse_event_json" | "client_context" | "client_messages" | "client_state" | "client_sync"
  | "element_export" | "tardis_scenario" | "server_keys" | "trusted_keys" | "synapse_keys" | "unrecognised";

/** Valid, unchecked (nothing invalid, some events not checkable), or invalid. */
export type Outcome = "valid" | "unchecked" | "invalid";

/** A key an event was signed with that the session does not hold. */
export interface MissingKey { server_name: string; key_id: string; }

/** What judging held events again did. */
export interface Rejudged { judged: number; checked: number; still_unchecked: number; auth: Authorised; }

/** What check 4 (the authorization rules) decided: events allowed, rejected, waiting. */
export interface Authorised { allowed: number; rejected: number; unknown: number; }

/** What check 4 decided for every held event, and the auth events not held (sorted) that
 *  the events it could not run for (`not_run`) wait on. */
export interface AuthSummary { allowed: number; rejected: number; not_run: number; not_held: string[]; }

/** Check 4 for one event: against its own auth events. `unknown` names the auth events
 *  not held (`missing`) in its `auth_unknown` problem; `rejected` names the rule. */
export type Auth =
  | { status: "not_checked" }
  | { status: "unknown"; problem: Problem; missing: string[] }
  | { status: "allowed" }
  | { status: "rejected"; problem: Problem };

/** Checks 5 and 6 for one timeline event: against the state before it (`rejected` names
 *  the rule and the state entry), and for events of unmerged branches against the current
 *  state (`soft_failed`). `unknown` names the events missing for the state before it. */
export type StateAuth =
  | { status: "not_checked" }
  | { status: "unknown"; problem: Problem; missing: string[] }
  | { status: "allowed" }
  | { status: "rejected"; problem: Problem }
  | { status: "soft_failed"; problem: Problem };

/** One entry of a room state: the event in force for a type and state key. */
export interface StateEntry { type: string; state_key: string; event_id: string; }

/** The known order a walking answer matches: Synapse's, breadth-first (Dendrite), a local
 *  timeline (the conduwuit family), or none of them. */
export type AnswerOrdering = "synapse" | "bfs" | "timeline" | "none";

/** An answer's contract verdict. */
export interface Contract {
  endpoint: Endpoint;
  room_id: string;
  /** No error-level problem. */
  ok: boolean;
  ordering: AnswerOrdering;
  problems: Problem[];
}

/** What taking one input did. */
export interface IngestReport {
  source: string;
  input: InputShape;
  /** The room the input's events name (the first that names one). */
  room_id: string | null;
  room_version: string | null;
  version_from: "given" | "input" | "session" | null;
  title?: string;
  counts: Counts;
  events: EventReport[];
  problems: Problem[];
  keys: KeysAdded;
  rejudged?: Rejudged;
  missing_keys: MissingKey[];
  added: number;
  known: number;
  refused: number;
  /** Events waiting for a room version (no version known yet): `setRoomVersion` judges them. */
  waiting: number;
  findings: Problem[];
  contract?: Contract;
  /** What check 4 decided while taking it (its events and held events awaiting them). */
  auth: Authorised;
  outcome: Outcome;
}

/** What `RoomSession.addKeys` did. */
export interface KeysReport extends KeysAdded {
  input: InputShape;
  rejudged: Rejudged;
}

/** An event next to another. */
export interface Neighbour { event_id: string; held: boolean; }

/** A held or missing event, for a panel. */
export interface EventDetails {
  event_id: string;
  held: boolean;
  outlier: boolean;
  json: string | null;
  verdict: Verdict | null;
  pruned_by_sender: boolean;
  problems: Problem[];
  /** Check 4, for a held event. */
  auth: Auth | null;
  /** Checks 5 and 6, for a held event. */
  state: StateAuth | null;
  source: string | null;
  annotation: string | null;
  origin: "plain" | "federation" | "scenario" | null;
  summary: string | null;
  prev: Neighbour[];
  next: Neighbour[];
  /** For a merge whose states conflicted: what state resolution decided there. */
  merge: MergeDetails | null;
}

/** One conflicted `(type, state_key)` at a merge. */
export interface ConflictedEntry {
  type: string;
  state_key: string;
  /** The events the merged states held for it, distinct, sorted. */
  candidates: string[];
  /** The event the resolution kept (null: the pair left the state). */
  resolved: string | null;
  /** The candidates in the order state resolution took them, each with why it was kept
   *  or not (empty when the resolution could not be run again). */
  outcomes: CandidateOutcome[];
  /** The step of the algorithm that decided, in a sentence. */
  decided_by: string | null;
}

/** One candidate of a conflicted pair, as state resolution took it. */
export interface CandidateOutcome {
  event_id: string;
  /** Step 2 (power events), step 4 (the others), or room version 1's algorithm. */
  step: "power_ordering" | "mainline_ordering" | "room_version_1";
  /** Its place in that ordering, from 0. */
  place: number | null;
  /** Its sender's power level by its own auth events (power events). */
  sender_power: string | null;
  /** Its mainline position (null: ∞ or not applicable). */
  mainline_position: number | null;
  origin_server_ts: number;
  /** The rule that refused it against the partial state. */
  refused_by: string | null;
  /** Why it was kept or not, in a sentence. */
  why: string;
}

/** What state resolution did at one merge. */
export interface MergeDetails {
  /** The conflicted state, by type then state key. */
  conflicted: ConflictedEntry[];
  /** `state_reset` findings at this merge. */
  resets: Problem[];
}

/** The session's room as rows of a drawing (see `layoutDag`), with what the page shows
 *  of each row. */
export interface SessionRows extends LayoutRows {
  /** 0 valid, 1 redacted, 2 dropped, 3 unchecked, 4 gap, 5 rejected, 6 soft failed. */
  verdicts: Uint8Array;
  /** 0 message, 1 state, 2 other, 3 gap. */
  kinds: Uint8Array;
  /** Bits: 1 has problems, 2 pruned by the sender, 4 annotated, 8 a merge whose states
   *  conflicted, 16 a merge where the resolution reset some state. */
  marks: Uint8Array;
  /** One line per row (empty for gaps). */
  labels: string[];
  /** Events held, outliers included. */
  held: number;
}
"#;

/// The events of a room, judged as a server judges them on receipt, in one DAG per room.
#[wasm_bindgen(js_name = RoomSession)]
pub struct JsRoomSession {
    inner: Rc<RefCell<RoomSession>>,
}

impl JsRoomSession {
    /// The core session, shared (a `GapPlanner` built on this session holds it too).
    pub(crate) fn shared(&self) -> Rc<RefCell<RoomSession>> {
        Rc::clone(&self.inner)
    }
}

fn parse_version(id: &str) -> Result<RoomVersion, JsValue> {
    RoomVersion::from_id(id).ok_or_else(|| {
        to_js_error(
            crate::event::codes::UNKNOWN_ROOM_VERSION,
            &format!("Room version {id:?} is not one mxdag knows (1–12)."),
        )
    })
}

fn flag(options: &JsValue, name: &str) -> Result<bool, JsValue> {
    let value = field(options, name);
    match (value.is_undefined() || value.is_null(), value.as_bool()) {
        (true, _) => Ok(false),
        (false, Some(b)) => Ok(b),
        (false, None) => Err(to_js_error(
            arg_codes::INVALID_ARGUMENT,
            &format!("`{name}` must be a boolean."),
        )),
    }
}

fn field(options: &JsValue, name: &str) -> JsValue {
    match options.is_object() {
        true => Reflect::get(options, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED),
        false => JsValue::UNDEFINED,
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Defining a property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

impl JsRoomSession {
    /// `set` called with the room version `id` names: the report it gives, or `undefined`.
    fn with_version(
        &self,
        id: &JsValue,
        set: fn(&mut RoomSession, RoomVersion) -> Option<IngestReport>,
    ) -> Result<JsValue, JsValue> {
        let version = parse_version(&string_arg(id, "roomVersion")?)?;
        match set(&mut self.inner.borrow_mut(), version) {
            Some(report) => to_plain(&report),
            None => Ok(JsValue::UNDEFINED),
        }
    }
}

#[wasm_bindgen(js_class = RoomSession)]
impl JsRoomSession {
    /// A session for room `roomId` (events of other rooms are then refused) and room version
    /// `roomVersion`, each when known; else both come from the inputs.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(js_name = roomId, unchecked_optional_param_type = "string")]
        room_id: JsValue,
        #[wasm_bindgen(js_name = roomVersion, unchecked_optional_param_type = "string")]
        room_version: JsValue,
    ) -> Result<JsRoomSession, JsValue> {
        let room_id = optional_string_arg(&room_id, "roomId")?;
        let version = optional_string_arg(&room_version, "roomVersion")?
            .map(|id| parse_version(&id))
            .transpose()?;
        Ok(JsRoomSession {
            inner: Rc::new(RefCell::new(RoomSession::new(room_id.as_deref(), version))),
        })
    }

    /// The session's room (its fixed one, else the first seen), once known.
    #[wasm_bindgen(getter, js_name = roomId)]
    pub fn room_id(&self) -> Option<String> {
        let session = self.inner.borrow();
        session.dag().and_then(|d| d.room_id()).map(str::to_owned)
    }

    /// Makes `roomId`, one of the rooms the session holds (see `summaries()`), the session's
    /// room: the one `roomId`, `rows()`, `currentState()`, `outliers()` and `linearOrder()`
    /// speak of. Returns whether the session holds that room (if not, nothing changes).
    #[wasm_bindgen(js_name = showRoom)]
    pub fn show_room(&self, #[wasm_bindgen(js_name = roomId)] room_id: &str) -> bool {
        self.inner.borrow_mut().show_room(room_id)
    }

    /// The room version in use, once known.
    #[wasm_bindgen(getter, js_name = roomVersion)]
    pub fn room_version(&self) -> Option<String> {
        self.inner.borrow().room_version().map(|v| v.id.to_owned())
    }

    /// The room versions the session's rooms were judged with, each once, in numeric order
    /// (a file of several rooms may hold rooms of several versions).
    #[wasm_bindgen(js_name = roomVersions, unchecked_return_type = "string[]")]
    pub fn room_versions(&self) -> js_sys::Array {
        let versions = self.inner.borrow().room_versions();
        string_array(versions.iter().copied())
    }

    /// Sets the room version for events judged from now on, and judges the events that
    /// waited for one (PDUs taken before any version was known); returns what that did,
    /// or `undefined` when none waited.
    #[wasm_bindgen(js_name = setRoomVersion, unchecked_return_type = "IngestReport | undefined")]
    pub fn set_room_version(
        &mut self,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.with_version(&id, RoomSession::set_room_version)
    }

    /// Names the room version ahead of the inputs (as the first of several files that
    /// names one does): the version of rooms no `m.room.create` names, while each room
    /// keeps the one its own create event names (`setRoomVersion` instead judges every
    /// event with the version given). Judges the events that waited for a version and
    /// returns what that did; `undefined` when none waited or the session has a version.
    #[wasm_bindgen(js_name = nameRoomVersion, unchecked_return_type = "IngestReport | undefined")]
    pub fn name_room_version(
        &mut self,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.with_version(&id, RoomSession::name_room_version)
    }

    /// Reads every held event again as room version `roomVersion`: a new DAG (IDs depend
    /// on the version), the same keys and sources.
    #[wasm_bindgen(unchecked_return_type = "IngestReport")]
    pub fn reread(
        &mut self,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let version = parse_version(&string_arg(&id, "roomVersion")?)?;
        to_plain(&self.inner.borrow_mut().reread(version))
    }

    /// Whether `input` holds keys and no events (judged from its first item; nothing is
    /// parsed): a key file joins the session, a file of events starts a room.
    #[wasm_bindgen(js_name = holdsOnlyKeys)]
    pub fn holds_only_keys(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    ) -> Result<bool, JsValue> {
        Ok(crate::input::holds_only_keys(&input_text(&input, "input")?))
    }

    /// Takes one input — a file or an answer, as the text or UTF-8 bytes received (pass
    /// them as received: parsed and re-serialised objects have lost duplicate keys and the
    /// difference between `1` and `1.0`). Keys it carries join the ring first; its events
    /// are judged, an answer's contract is checked, and its events join the DAG.
    #[wasm_bindgen(unchecked_return_type = "IngestReport")]
    pub fn ingest(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "IngestOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        self.take(&input, &options, &[])
    }

    /// The context workers judge slices of the next input with (`judgeSlice`): the room
    /// version given to the session, else `roomVersion` (a `PartsTaking`'s, or the one the
    /// input names), else the session's, whether its events come by backfill, the keys
    /// held and the session's secret, as bytes; `undefined` when no room version is known.
    /// Give it only to your own workers: whoever holds it can make judgements this session
    /// accepts (see `ingestJudged`).
    #[wasm_bindgen(js_name = judgeContext)]
    pub fn judge_context(
        &mut self,
        #[wasm_bindgen(js_name = roomVersion, unchecked_param_type = "string | undefined")]
        room_version: JsValue,
        #[wasm_bindgen(js_name = viaBackfill)] via_backfill: Option<bool>,
    ) -> Result<Option<Vec<u8>>, JsValue> {
        let version = optional_string_arg(&room_version, "roomVersion")?
            .map(|id| parse_version(&id))
            .transpose()?;
        let mut entropy = [0u8; 16];
        super::parallel::fill_random(&mut entropy)?;
        Ok(self
            .inner
            .borrow_mut()
            .judge_context(version, via_backfill.unwrap_or(false), entropy))
    }

    /// `ingest`, with the signatures of events that `judgements` (from `judgeSlice`, made
    /// on other cores with this session's `judgeContext`) cover taken as judged there. A
    /// judgement is used only when its tag proves it was made with this session's secret
    /// for these very bytes, the room version, backfill flag and keys in use; any other is
    /// ignored and its events judged here. The report is the one `ingest` gives.
    #[wasm_bindgen(js_name = ingestJudged, unchecked_return_type = "IngestReport")]
    pub fn ingest_judged(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
        #[wasm_bindgen(unchecked_param_type = "IngestOptions | undefined")] options: JsValue,
        judgements: Vec<Uint8Array>,
    ) -> Result<JsValue, JsValue> {
        let judgements: Vec<Vec<u8>> = judgements.iter().map(Uint8Array::to_vec).collect();
        self.take(&input, &options, &judgements)
    }
}

impl JsRoomSession {
    /// `ingest` and `ingestJudged`.
    fn take(
        &mut self,
        input: &JsValue,
        options: &JsValue,
        judgements: &[Vec<u8>],
    ) -> Result<JsValue, JsValue> {
        let text = input_text(input, "input")?;
        super::reserve_heap(text.len());
        let options = IngestOptions::read(options)?;
        let report = self
            .inner
            .borrow_mut()
            .ingest_owned(text, &options.ingest(), judgements);
        to_plain(&report)
    }
}

/// The options of `ingest` (`IngestOptions` in TypeScript), read from JS.
pub(crate) struct IngestOptions {
    source: String,
    request: Option<crate::federation::FederationRequest>,
    status: Option<u16>,
    outliers: bool,
    via_backfill: bool,
}

impl JsRoomSession {
    /// The IDs of the nodes `pick` gives of the session room's DAG (none without a room).
    fn ids_of(
        &self,
        pick: fn(&crate::dag::RoomDag) -> Vec<crate::dag::NodeIndex>,
    ) -> js_sys::Array {
        let session = self.inner.borrow();
        match session.dag() {
            Some(dag) => id_array(dag, &pick(dag)),
            None => js_sys::Array::new(),
        }
    }
}

impl IngestOptions {
    /// Reads `options` (an `IngestOptions` object or `undefined`).
    pub(crate) fn read(options: &JsValue) -> Result<IngestOptions, JsValue> {
        let source = optional_string_arg(&field(options, "source"), "source")?.unwrap_or_default();
        let request_line = optional_string_arg(&field(options, "request"), "request")?;
        let request = match request_line {
            Some(line) => Some(parse_request(
                &JsValue::from(line),
                &field(options, "body"),
            )?),
            None => None,
        };
        let status_value = field(options, "status");
        let status = match status_value.as_f64() {
            Some(s) if s.fract() == 0.0 && (100.0..=599.0).contains(&s) => Some(s as u16),
            None if status_value.is_undefined() || status_value.is_null() => None,
            _ => {
                return Err(to_js_error(
                    arg_codes::INVALID_ARGUMENT,
                    &format!(
                        "`status` must be an HTTP status 100–599 (a number), not {}.",
                        status_value.as_string().map_or_else(
                            || status_value
                                .as_f64()
                                .map_or("a non-number".to_owned(), |s| s.to_string()),
                            |s| format!("the string {s:?}")
                        )
                    ),
                ))
            }
        };
        Ok(IngestOptions {
            source,
            request,
            status,
            outliers: flag(options, "outliers")?,
            via_backfill: flag(options, "viaBackfill")?,
        })
    }

    /// The core's view of them.
    pub(crate) fn ingest(&self) -> Ingest<'_> {
        Ingest {
            source: &self.source,
            request: self.request.as_ref(),
            status: self.status,
            outliers: self.outliers,
            via_backfill: self.via_backfill,
        }
    }
}

#[wasm_bindgen(js_class = RoomSession)]
impl JsRoomSession {
    /// Adds keys from any key input (server key responses, notary answers,
    /// `trusted_key_servers`, `SERVER_NAME KEY_ID BASE64` lines, Synapse key-table rows) and
    /// judges unchecked events again.
    #[wasm_bindgen(js_name = addKeys, unchecked_return_type = "KeysReport")]
    pub fn add_keys(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
    ) -> Result<JsValue, JsValue> {
        let text = input_text(&input, "input")?;
        to_plain(&self.inner.borrow_mut().add_keys(&text))
    }

    /// Every key held, sorted by server then key ID.
    #[wasm_bindgen(unchecked_return_type = "KeyInfo[]")]
    pub fn keys(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().keys().keys())
    }

    /// Keys held events were signed with that the session lacks.
    #[wasm_bindgen(js_name = missingKeys, unchecked_return_type = "MissingKey[]")]
    pub fn missing_keys(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().missing_keys())
    }

    /// What check 4 decided for every held event, and the auth events not held that the
    /// events it could not run for wait on.
    #[wasm_bindgen(js_name = authSummary, unchecked_return_type = "AuthSummary")]
    pub fn auth_summary(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().auth_summary())
    }

    /// Every key the session holds, sorted by server, then key ID.
    #[wasm_bindgen(js_name = heldKeys, unchecked_return_type = "KeyInfo[]")]
    pub fn held_keys(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().keys().keys())
    }

    /// Of `keys`, those the session does not hold.
    #[wasm_bindgen(js_name = keysNotHeld, unchecked_return_type = "MissingKey[]")]
    pub fn keys_not_held(
        &self,
        #[wasm_bindgen(unchecked_param_type = "MissingKey[]")] keys: JsValue,
    ) -> Result<JsValue, JsValue> {
        let keys: Vec<MissingKey> = list_from_plain(&keys, "keys", &MISSING_KEY)?
            .into_iter()
            .map(|mut f| MissingKey {
                server_name: f.string(),
                key_id: f.string(),
            })
            .collect();
        to_plain(&self.inner.borrow().keys_not_held(&keys))
    }

    /// How many of the held events `eventIds` got each verdict (IDs not held are not
    /// counted): an answer's tally after keys arrived.
    #[wasm_bindgen(js_name = verdictCounts, unchecked_return_type = "Counts")]
    pub fn verdict_counts(
        &self,
        #[wasm_bindgen(js_name = eventIds)] event_ids: Vec<String>,
    ) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().verdict_counts(&event_ids))
    }

    /// Judges unchecked events again with the keys held now.
    #[wasm_bindgen(unchecked_return_type = "Rejudged")]
    pub fn rejudge(&mut self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow_mut().rejudge())
    }

    /// A held or missing event, for a panel; `undefined` when the session has never seen it.
    #[wasm_bindgen(unchecked_return_type = "EventDetails | undefined")]
    pub fn details(
        &self,
        #[wasm_bindgen(js_name = eventId, unchecked_param_type = "string")] event_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = string_arg(&event_id, "eventId")?;
        match self.inner.borrow().details(&id) {
            Some(details) => to_plain(&details),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// The room state before (`"before"`) or after (`"after"`) a held timeline event, sorted
    /// by type then state key. Throws an `Error` with `code` `state_event_not_held` for an
    /// event not held, `auth_unknown` when events the state needs are not held (the message
    /// names them; the error's `missing` lists their IDs and `why` says what needed them).
    #[wasm_bindgen(js_name = stateAt, unchecked_return_type = "StateEntry[]")]
    pub fn state_at(
        &self,
        #[wasm_bindgen(js_name = eventId, unchecked_param_type = "string")] event_id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "\"before\" | \"after\"")] at: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = string_arg(&event_id, "eventId")?;
        let at = match string_arg(&at, "at")?.as_str() {
            "before" => Position::Before,
            "after" => Position::After,
            other => {
                return Err(to_js_error(
                    arg_codes::INVALID_ARGUMENT,
                    &format!("`at` must be \"before\" or \"after\", not {other:?}."),
                ))
            }
        };
        let state = self.inner.borrow().state_at(&id, at);
        state_result(state)
    }

    /// The auth chain of a held event (its auth events, theirs, …), as event IDs sorted.
    /// Throws as `stateAt` does.
    #[wasm_bindgen(js_name = authChain, unchecked_return_type = "string[]")]
    pub fn auth_chain(
        &mut self,
        #[wasm_bindgen(js_name = eventId, unchecked_param_type = "string")] event_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = string_arg(&event_id, "eventId")?;
        let chain = self.inner.borrow_mut().auth_chain(&id);
        state_result(chain)
    }

    /// The room's current state: the resolution of the states after its forward
    /// extremities, sorted by type then state key. Throws `auth_unknown` when not known.
    #[wasm_bindgen(js_name = currentState, unchecked_return_type = "StateEntry[]")]
    pub fn current_state(&self) -> Result<JsValue, JsValue> {
        let state = self.inner.borrow().current_state();
        state_result(state)
    }

    /// Each room's summary (`mxdag dag --json`'s `rooms`).
    #[wasm_bindgen(unchecked_return_type = "RoomSummary[]")]
    pub fn summaries(&self) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.borrow().summaries())
    }

    /// The session room's gaps (backward extremities), closest to the present first.
    #[wasm_bindgen(unchecked_return_type = "GapSummary[]")]
    pub fn gaps(&self) -> Result<JsValue, JsValue> {
        let session = self.inner.borrow();
        let gaps = session
            .dag()
            .map(|d| d.summary().backward_extremities)
            .unwrap_or_default();
        to_plain(&gaps)
    }

    /// The session room's forward extremities.
    #[wasm_bindgen(js_name = forwardExtremities, unchecked_return_type = "string[]")]
    pub fn forward_extremities(&self) -> js_sys::Array {
        self.ids_of(crate::dag::RoomDag::forward_extremities)
    }

    /// The session room's held outliers (events with no place in its DAG: state beside an
    /// answer, client-format events), in a stable order.
    #[wasm_bindgen(unchecked_return_type = "string[]")]
    pub fn outliers(&self) -> js_sys::Array {
        self.ids_of(crate::dag::RoomDag::outliers)
    }

    /// The session room's held timeline events in linear order.
    #[wasm_bindgen(js_name = linearOrder, unchecked_return_type = "string[]")]
    pub fn linear_order(&self) -> js_sys::Array {
        self.ids_of(crate::dag::RoomDag::linear_order)
    }

    /// The session's room as rows of a drawing: the rows `layoutDag` takes, with each
    /// held event's verdict, kind, marks and label.
    #[wasm_bindgen(unchecked_return_type = "SessionRows")]
    pub fn rows(&self) -> Object {
        let session = self.inner.borrow();
        let rows = session.rows();
        let out = Object::new();
        let ids = match session.dag() {
            Some(dag) => id_array(dag, &rows.rows.nodes),
            None => js_sys::Array::new(),
        };
        let depths: Vec<f64> = rows.rows.depths.iter().map(|&d| d as f64).collect();
        let (held, outliers) = session.dag().map_or((0, 0), |d| {
            (d.timeline_len() + d.outlier_len(), d.outlier_len())
        });
        set(&out, "ids", &ids);
        set(&out, "offsets", &Uint32Array::from(&rows.rows.offsets[..]));
        set(&out, "parents", &Uint32Array::from(&rows.rows.parents[..]));
        set(&out, "depths", &Float64Array::from(&depths[..]));
        set(&out, "flags", &Uint8Array::from(&rows.rows.flags[..]));
        set(&out, "verdicts", &Uint8Array::from(&rows.verdicts[..]));
        set(&out, "kinds", &Uint8Array::from(&rows.kinds[..]));
        set(&out, "marks", &Uint8Array::from(&rows.marks[..]));
        set(
            &out,
            "labels",
            &string_array(rows.labels.iter().map(String::as_str)),
        );
        set(&out, "held", &JsValue::from(held as u32));
        set(&out, "outliers", &JsValue::from(outliers as u32));
        out
    }

    /// The reference answer a correct server holding the session's events gives to a
    /// request line (with the JSON `body` of `/get_missing_events`), in answer order;
    /// `order` is `"synapse"` (default) or `"bfs"` for `/backfill`.
    #[wasm_bindgen(js_name = referenceAnswer, unchecked_return_type = "ReferenceAnswer")]
    pub fn reference_answer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] body: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "BackfillOrder")] order: JsValue,
    ) -> Result<JsValue, JsValue> {
        let request = parse_request(&request, &body)?;
        let session = self.inner.borrow();
        let empty = crate::dag::RoomDag::for_room(request.room_id());
        let dag = session.dag_of(request.room_id()).unwrap_or(&empty);
        reference_answer_js(dag, &request, &order)
    }

    /// The held events `eventIds` as JSON text, in that order (IDs not held are left out):
    /// turns a reference answer back into PDUs.
    #[wasm_bindgen(js_name = pickEvents)]
    pub fn pick_events(
        &self,
        #[wasm_bindgen(js_name = eventIds)] event_ids: Vec<String>,
    ) -> Vec<String> {
        let session = self.inner.borrow();
        event_ids
            .iter()
            .filter_map(|id| session.held(id).map(|h| h.json.clone()))
            .collect()
    }

    /// Bytes of memory the session's DAGs hold (allocated capacity).
    #[wasm_bindgen(js_name = heapBytes)]
    pub fn heap_bytes(&self) -> f64 {
        self.inner
            .borrow()
            .dags()
            .map(|d| d.heap_bytes() as f64)
            .sum()
    }
}

/// A state or auth chain as a plain value, or the `Error` its [`StateError`] is.
fn state_result<T: serde::Serialize>(result: Result<T, StateError>) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => to_plain(&value),
        Err(error) => {
            let (code, message) = error.describe();
            let js_error = to_js_error(code, &message);
            // A state not known also says, as data, which events are missing and what
            // needed them.
            if let StateError::Unknown { missing, why } = &error {
                let ids: js_sys::Array = missing.iter().map(|id| JsValue::from_str(id)).collect();
                let _ = js_sys::Reflect::set(&js_error, &JsValue::from_str("missing"), &ids);
                let _ = js_sys::Reflect::set(
                    &js_error,
                    &JsValue::from_str("why"),
                    &JsValue::from_str(why),
                );
            }
            Err(js_error)
        }
    }
}
