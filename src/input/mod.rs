//! The one input recogniser: every file or answer a user brings, told apart by its shape and
//! split into events and keys. The CLI, the page, the demo peer and the JS API all read
//! through [`recognise`]; nothing else guesses shapes.
//!
//! Events:
//! - federation answers: a transaction `{origin, origin_server_ts, pdus}`
//!   ([`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid),
//!   MSC4000 forwards fill, [`/event`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1eventeventid)),
//!   a [`/get_missing_events`](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)
//!   answer `{events}`, an error body `{errcode, error}`;
//! - a bare PDU, a JSON array of events, NDJSON (one per line);
//! - client-API answers ([`client`]): `/context`, `/messages`, a room's `/state`, `/sync`,
//!   and Synapse's admin equivalents;
//! - Synapse database exports ([`export`]): `event_json` rows as JSON or tab-separated text;
//! - tardis scenario files ([`tardis`], decoded from JSON5 by the host).
//!
//! Keys ([`keys`]): `/_matrix/key/v2/server` responses and notary answers, Synapse's
//! `trusted_key_servers` list, `SERVER_NAME KEY_ID BASE64` lines, and the rows of Synapse's
//! key tables. An input may hold both events and keys.

mod client;
mod element;
mod export;
pub mod keys;
mod scan;
mod spans;
mod tardis;

use serde::Serialize;

pub use self::spans::{
    event_spans, read_spans, version_candidates, version_candidates_in, EventSpans, InputParts,
    SpanKind,
};

use self::keys::KeyInput;
use self::scan::{is_one_value, skip_ws, split_array, split_object, SplitObject};
use crate::canonical_json::{self, codes as json_codes, Value};
use crate::problem::Problem;

/// Problem codes of input recognition.
pub mod codes {
    /// The input is empty.
    pub const INPUT_EMPTY: &str = "input_empty";
    /// The input holds more than [`super::MAX_EVENTS_PER_INPUT`] events: the first are
    /// read, the rest left out; the message names the limit and the count.
    pub const INPUT_TOO_MANY_EVENTS: &str = "input_too_many_events";
    /// The input is not JSON, NDJSON, tab-separated rows nor key lines.
    pub const INPUT_NOT_JSON: &str = "input_not_json";
    /// The input is JSON but none of the shapes mxdag reads; the message names what it saw.
    pub const INPUT_SHAPE_UNKNOWN: &str = "input_shape_unknown";
    /// A tab-separated row holds no column with an event's or a key's JSON.
    pub const ROW_UNREADABLE: &str = "row_unreadable";
    /// An item of a key input cannot be used as a key (names no server, no key, or a key
    /// that is not unpadded base64 of 32 bytes).
    pub const KEY_INPUT_UNREADABLE: &str = "key_input_unreadable";
}

/// The most events read from one input. Federation answers are far smaller (a
/// [`/send`](https://spec.matrix.org/v1.16/server-server-api/#put_matrixfederationv1sendtxnid)
/// transaction carries at most 50 PDUs, a
/// [`/backfill`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid)
/// answer as many as its `limit` asks), but exports of a whole room can be large. Past it the
/// events are counted, not parsed, and reported as [`codes::INPUT_TOO_MANY_EVENTS`], so
/// that an input's cost stays bounded whatever it holds.
pub const MAX_EVENTS_PER_INPUT: usize = 1_000_000;

/// The shape an input was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputShape {
    /// `{origin, origin_server_ts, pdus}`: `/backfill`, forwards fill or `/event`.
    Transaction,
    /// `{events}`: `/get_missing_events`.
    GetMissingEvents,
    /// A federation error body `{errcode, error}`: no events.
    ErrorResponse,
    /// An answer that names events by ID instead of carrying them: `/timestamp_to_event`'s
    /// `{event_id, origin_server_ts}` or MSC4370 `/extremities`' `{prev_events}` (read only
    /// as the answer to such a request): no events.
    EventIds,
    /// One bare event.
    Pdu,
    /// A JSON array of events.
    Array,
    /// One event per line.
    Ndjson,
    /// Rows of Synapse's `event_json` table (`{event_id, json}` objects, or tab-separated).
    SynapseEventJson,
    /// A client-API `/context` answer (`events_before`, `event`, `events_after`, `state`).
    ClientContext,
    /// A client-API `/messages` answer (`chunk`, `state`).
    ClientMessages,
    /// A room's state as the admin API gives it (`{state: [...]}`).
    ClientState,
    /// A client-API `/sync` answer (`rooms.*.{id}.timeline.events`, `state.events`).
    ClientSync,
    /// A chat exported by Element (`room_name`, `messages`: client-format events).
    ElementExport,
    /// A tardis scenario file (JSON5, `events` with made-up IDs).
    TardisScenario,
    /// Server key responses or notary answers, and nothing else.
    ServerKeys,
    /// Keys trusted as given (Synapse's `trusted_key_servers`, key lines), nothing else.
    TrustedKeys,
    /// Rows of Synapse's key tables (`server_keys_json`, `server_signature_keys`).
    SynapseKeys,
    /// Nothing usable.
    Unrecognised,
}

impl InputShape {
    /// The shape in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Transaction => {
                "a federation transaction (`pdus`: /backfill, forwards fill, /event)"
            }
            Self::GetMissingEvents => "a /get_missing_events answer (`events`)",
            Self::ErrorResponse => "a federation error answer (`errcode`)",
            Self::EventIds => {
                "an answer naming events by ID (/timestamp_to_event, MSC4370 /extremities)"
            }
            Self::Pdu => "one event",
            Self::Array => "a JSON array of events",
            Self::Ndjson => "NDJSON, one event per line",
            Self::SynapseEventJson => "rows of Synapse's event_json table",
            Self::ClientContext => "a client-API /context answer",
            Self::ClientMessages => "a client-API /messages answer",
            Self::ClientState => "a room's state (`state`)",
            Self::ClientSync => "a client-API /sync answer",
            Self::ElementExport => "a chat exported by Element (`messages`)",
            Self::TardisScenario => "a tardis scenario file",
            Self::ServerKeys => "server key responses (/_matrix/key/v2/server or a notary answer)",
            Self::TrustedKeys => {
                "trusted keys (trusted_key_servers or SERVER_NAME KEY_ID BASE64 lines)"
            }
            Self::SynapseKeys => "rows of Synapse's key tables",
            Self::Unrecognised => "nothing mxdag reads",
        }
    }

    /// Whether the shape carries only keys.
    pub fn is_keys(self) -> bool {
        matches!(
            self,
            Self::ServerKeys | Self::TrustedKeys | Self::SynapseKeys
        )
    }
}

/// Which part of an answer an event came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The timeline: the event's `prev_events` are part of the graph.
    #[default]
    Timeline,
    /// The room's state as a client answer lists it: held without its place in the
    /// timeline (an outlier).
    State,
}

/// Where an event came from, beyond its JSON.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// A PDU file, an export or a client answer: an event with neither `hashes` nor
    /// `signatures` but an ID is taken for a client-format event.
    #[default]
    Plain,
    /// A federation answer's `pdus` or `events`: always judged as a PDU.
    Federation,
    /// A tardis scenario: made-up IDs, no hashes or signatures.
    Scenario,
}

/// One event of an input, parsed on its own.
#[derive(Clone, Debug, PartialEq)]
pub struct InputEvent {
    /// How messages name the event: `Event #3`, `Line 7`, `events_before[2]`.
    pub label: String,
    /// The event, parsed, or the problem that kept it from parsing.
    pub value: Result<Value, Problem>,
    /// An event ID given beside the event rather than in it (an export's `event_id`
    /// column).
    pub row_id: Option<String>,
    /// Timeline or state.
    pub section: Section,
    /// Plain or a scenario's.
    pub origin: Origin,
    /// A note the input attaches to the event (a tardis annotation).
    pub annotation: Option<String>,
}

impl InputEvent {
    /// A timeline event with nothing beside it but its label.
    pub fn plain(label: String, value: Result<Value, Problem>) -> Self {
        Self {
            label,
            value,
            row_id: None,
            section: Section::Timeline,
            origin: Origin::Plain,
            annotation: None,
        }
    }
}

/// An input recognised and split.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Input {
    /// The recognised shape.
    pub shape: Option<InputShape>,
    /// A transaction's `origin`.
    pub origin: Option<String>,
    /// The room version the input's container names (a tardis scenario's `room_version`);
    /// an `m.room.create` among the events is read by [`Input::room_version_named`].
    pub room_version: Option<String>,
    /// The input's own title (a tardis scenario's `annotations.title`).
    pub title: Option<String>,
    /// Each event.
    pub events: Vec<InputEvent>,
    /// Each key.
    pub keys: Vec<KeyInput>,
    /// Problems with the input as a whole.
    pub problems: Vec<Problem>,
    /// Events past [`MAX_EVENTS_PER_INPUT`], counted and left out.
    pub events_left_out: usize,
}

impl Input {
    /// The recognised shape ([`InputShape::Unrecognised`] when none).
    pub fn shape(&self) -> InputShape {
        self.shape.unwrap_or(InputShape::Unrecognised)
    }

    /// The room version the input names: its container's, else `content.room_version` of
    /// an `m.room.create` event anywhere in it (`"1"` when the create event names none).
    /// `Err` carries the text of a version that is not a string.
    pub fn room_version_named(&self) -> Option<Result<String, String>> {
        if let Some(v) = &self.room_version {
            return Some(Ok(v.clone()));
        }
        let create = self
            .events
            .iter()
            .filter_map(|e| e.value.as_ref().ok())
            .find(|e| is_room_create(e))?;
        Some(
            match create.get("content").and_then(|c| c.get("room_version")) {
                None => Ok("1".to_owned()),
                Some(Value::String(id)) => Ok(id.clone()),
                Some(other) => Err(canonical_json::to_string(other)),
            },
        )
    }

    /// Whether the input holds [`MAX_EVENTS_PER_INPUT`] events: further ones are only
    /// counted ([`Input::leave_out`]).
    fn is_full(&self) -> bool {
        self.events.len() >= MAX_EVENTS_PER_INPUT
    }

    /// Counts `n` events left out past [`MAX_EVENTS_PER_INPUT`].
    fn leave_out(&mut self, n: usize) {
        self.events_left_out += n;
    }

    /// Adds an event, or counts it left out when the input is full.
    fn add_event(&mut self, event: InputEvent) {
        match self.is_full() {
            true => self.leave_out(1),
            false => self.events.push(event),
        }
    }

    /// The problem saying how many events were left out, if any were.
    fn too_many_events(&self) -> Option<Problem> {
        (self.events_left_out > 0).then(|| {
            Problem::error(
                codes::INPUT_TOO_MANY_EVENTS,
                "$",
                format!(
                    "The input holds {} events, more than the {MAX_EVENTS_PER_INPUT} (MAX_EVENTS_PER_INPUT) mxdag reads from one input: the first {MAX_EVENTS_PER_INPUT} were read, {} left out. Split the input to read them all.",
                    self.events.len() + self.events_left_out,
                    self.events_left_out
                ),
            )
        })
    }

    fn push(&mut self, item: Item) {
        match item {
            Item::Event(e) => self.add_event(*e),
            Item::Keys(k) => self.keys.extend(k),
            Item::Problem(p) => self.problems.push(p),
        }
    }

    /// Sets the shape unless one is set.
    fn shaped(&mut self, shape: InputShape) {
        self.shape.get_or_insert(shape);
    }
}

/// Whether `event` is the room's `m.room.create` event (its `state_key` empty): the one
/// whose `content.room_version` names the room version.
pub(crate) fn is_room_create(event: &Value) -> bool {
    event.get("type").and_then(Value::as_str) == Some("m.room.create")
        && event.get("state_key").and_then(Value::as_str) == Some("")
}

/// One item of a list or line of NDJSON, classified.
enum Item {
    Event(Box<InputEvent>),
    Keys(Vec<KeyInput>),
    Problem(Problem),
}

/// Parses one event or row text of a list.
fn parse_item(text: &str, label: String) -> Result<Value, Problem> {
    canonical_json::from_str(text).map_err(|e| e.to_problem("$", &label))
}

/// Classifies a parsed list item: a key (response, trusted entry, key-table row), an
/// `event_json` row, or an event.
fn classify(value: Result<Value, Problem>, label: String) -> Item {
    let value = match value {
        Ok(v) => v,
        Err(p) => return Item::Event(Box::new(InputEvent::plain(label, Err(p)))),
    };
    // A list item that holds keys is no event: its problems say "Item #3", not "Event #3".
    let key_label = match label.strip_prefix("Event #") {
        Some(index) => format!("Item #{index}"),
        None => label.clone(),
    };
    if let Some(keys) = keys::from_value(&value, &key_label) {
        return match keys {
            Ok(keys) => Item::Keys(keys),
            Err(problem) => Item::Problem(problem),
        };
    }
    Item::Event(Box::new(export::unwrap_row(value, label)))
}

/// Recognises the shape of `text` and splits it into events and keys.
pub fn recognise(text: &str) -> Input {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut input = Input::default();
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    match b.get(start) {
        None => input.problems.push(Problem::error(
            codes::INPUT_EMPTY,
            "$",
            "The input is empty.",
        )),
        Some(b'[' | b'{') if is_one_value(text) => read_whole(text, start, &mut input),
        Some(b'[' | b'{') if first_line_is_value(text, start) => read_lines(text, &mut input),
        Some(b'[' | b'{') => read_broken(text, start, &mut input),
        Some(_) => read_text(text, &mut input),
    }
    if input.shape.is_none() && input.problems.is_empty() {
        input.problems.push(unknown_shape("$", "The input"));
    }
    input.problems.extend(input.too_many_events());
    input
}

/// The input of an answer to a request whose answer names events instead of carrying them
/// (`/timestamp_to_event`, MSC4370 `/extremities`): an error body or an empty answer as
/// [`recognise`] reads it, else [`InputShape::EventIds`] with no events (the contract check
/// reads the JSON object itself).
pub fn event_ids(text: &str) -> Input {
    let recognised = recognise(text);
    if recognised.shape == Some(InputShape::ErrorResponse) || text.trim().is_empty() {
        return recognised;
    }
    Input {
        shape: Some(InputShape::EventIds),
        ..Input::default()
    }
}

/// Whether `text` holds keys and no events, judged from its first item only (cheap: no
/// event is parsed), so a host can tell a key file from a file of events before reading it.
pub fn holds_only_keys(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let b = text.as_bytes();
    let start = skip_ws(b, 0);
    let first = match b.get(start) {
        Some(b'[') => split_array(text, start).0.first().copied(),
        Some(b'{') => match first_line_is_value(text, start) {
            true => text[start..].lines().next(),
            false => Some(&text[start..]),
        },
        Some(_) => {
            let mut probe = Input::default();
            return keys::read_key_lines(text, &mut probe);
        }
        None => None,
    };
    let Some(first) = first.filter(|f| f.starts_with('{')) else {
        return false;
    };
    let object = split_object(first, 0);
    const KEY_FIELDS: [&str; 5] = [
        "verify_keys",
        "server_keys",
        "trusted_key_servers",
        "key_json",
        "verify_key",
    ];
    KEY_FIELDS.iter().any(|k| object.has(k))
}

/// A complete JSON value.
fn read_whole(text: &str, start: usize, input: &mut Input) {
    if text.as_bytes()[start] == b'[' {
        let (items, error) = split_array(text, start);
        read_list(&items, "Event #", input);
        input
            .problems
            .extend(error.map(|e| e.to_problem(text, "The array")));
        input.shaped(list_shape(input, InputShape::Array));
        return;
    }
    let object = split_object(text, start);
    read_object(text, &object, input);
}

/// Reads list items (`Event #0`, `Event #1`, … when `label` is `Event #`).
fn read_list(items: &[&str], label: &str, input: &mut Input) {
    // Exactly the room needed: growing by doubling would hold up to twice as much.
    let room = MAX_EVENTS_PER_INPUT.saturating_sub(input.events.len());
    input.events.reserve_exact(items.len().min(room));
    for (i, item) in items.iter().enumerate() {
        if input.is_full() {
            input.leave_out(items.len() - i);
            return;
        }
        let name = format!("{label}{i}");
        let value = parse_item(item, name.clone());
        input.push(classify(value, name));
    }
}

/// The shape of a list or NDJSON by what it held: keys only, `event_json` rows, or events.
fn list_shape(input: &Input, plain: InputShape) -> InputShape {
    if input.events.is_empty() && !input.keys.is_empty() {
        return keys::shape_of(&input.keys);
    }
    if input.events.iter().any(|e| e.row_id.is_some()) {
        return InputShape::SynapseEventJson;
    }
    plain
}

/// A complete object: dispatched on its fields.
fn read_object(text: &str, object: &SplitObject, input: &mut Input) {
    input.problems.extend(repeated_key_problem(object));
    input.origin = object
        .field("origin")
        .and_then(|o| serde_json::from_str(o).ok());
    if tardis::is_scenario(object) {
        return tardis::read(text, input);
    }
    if let Some(list) = object.field("pdus") {
        input.shaped(InputShape::Transaction);
        return read_field_list(list, "pdus", input);
    }
    if let Some(list) = object.field("events") {
        input.shaped(InputShape::GetMissingEvents);
        return read_field_list(list, "events", input);
    }
    if client::read(object, input) || element::read(object, input) {
        return;
    }
    if object.has("errcode") {
        input.shaped(InputShape::ErrorResponse);
        return;
    }
    let value = parse_item(text, "The input".to_owned());
    match classify(value, "Event #0".to_owned()) {
        Item::Event(e) if is_event_like(object) || e.row_id.is_some() => {
            input.shaped(match e.row_id {
                Some(_) => InputShape::SynapseEventJson,
                None => InputShape::Pdu,
            });
            input.add_event(*e);
        }
        Item::Event(_) => input
            .problems
            .push(unknown_shape("$", "The input is a JSON object but")),
        Item::Keys(k) => {
            input.keys.extend(k);
            input.shaped(keys::shape_of(&input.keys));
        }
        Item::Problem(p) => {
            input.shaped(InputShape::Unrecognised);
            input.problems.push(p);
        }
    }
}

/// Whether an object looks like one event.
fn is_event_like(object: &SplitObject) -> bool {
    object.has("type") || object.has("sender")
}

fn unknown_shape(path: &str, what: &str) -> Problem {
    Problem::error(
        codes::INPUT_SHAPE_UNKNOWN,
        path,
        format!(
            "{what} is none of the shapes mxdag reads: a federation answer (`pdus`, `events`), \
             an event (`type`, `sender`), a client-API answer (`chunk`, `events_before`, `rooms`), \
             a chat exported by Element (`messages`), a tardis scenario (`tardis_version`), \
             an event_json export (`json`), or keys (`verify_keys`, `server_keys`, \
             `trusted_key_servers`)."
        ),
    )
}

/// The array text `list`, the value of `key`, as events `key[0]`, `key[1]`, …
fn read_field_list(list: &str, key: &str, input: &mut Input) {
    if !list.starts_with('[') {
        input.problems.push(Problem::error(
            codes::INPUT_SHAPE_UNKNOWN,
            canonical_json::path_key("$", key),
            format!("The input's `{key}` must be an array of events."),
        ));
        return;
    }
    let (items, error) = split_array(list, 0);
    let first = input.events.len();
    read_list(&items, "Event #", input);
    for event in &mut input.events[first..] {
        event.origin = Origin::Federation;
    }
    input
        .problems
        .extend(error.map(|e| e.to_problem(list, &format!("`{key}`"))));
}

/// Whether the first line of `text` (from `start`) is a JSON value of its own, with more
/// text after it: NDJSON.
fn first_line_is_value(text: &str, start: usize) -> bool {
    let first_line = text[start..].lines().next().unwrap_or("");
    first_line.len() < text.len() - start && is_one_value(first_line)
}

/// NDJSON: one event, row or key per line.
fn read_lines(text: &str, input: &mut Input) {
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if input.is_full() {
            input.leave_out(1);
            continue;
        }
        let label = format!("Line {}", n + 1);
        let value = parse_line(line, &label);
        input.push(classify(value, label));
    }
    input.shaped(list_shape(input, InputShape::Ndjson));
}

/// One line of NDJSON, its problem naming the line (`label`).
fn parse_line(line: &str, label: &str) -> Result<Value, Problem> {
    canonical_json::from_str(line).map_err(|e| {
        let position = format!(" at line {} column {}", e.line, e.column);
        let reason = e.message.strip_suffix(&position).unwrap_or(&e.message);
        Problem::error(
            e.code,
            "$",
            format!(
                "{label} is not usable JSON: {reason} (column {}).",
                e.column
            ),
        )
    })
}

/// A key the answer's top-level object holds twice: canonical JSON has none, and servers
/// disagree on what it means (Synapse and Dendrite read the last value, ruma refuses the
/// body), so the answer is in error; mxdag reads the last value.
fn repeated_key_problem(object: &SplitObject) -> Option<Problem> {
    let key = object.repeated_key()?;
    Some(Problem::error(
        json_codes::JSON_DUPLICATE_KEY,
        "$",
        format!(
            "The input's object has the key `{key}` more than once: mxdag reads the last value, as Synapse does."
        ),
    ))
}

/// Text that is not one JSON value nor NDJSON: a transaction or `{events}` broken or cut
/// short, whose events before the break are kept.
fn read_broken(text: &str, start: usize, input: &mut Input) {
    let b = text.as_bytes();
    let object = split_object(text, start);
    input.origin = object
        .field("origin")
        .and_then(|o| serde_json::from_str(o).ok());
    let whole_problem = match canonical_json::from_str(text) {
        Err(e) => e.to_problem("$", "The input"),
        Ok(_) => Problem::error(
            json_codes::JSON_SYNTAX,
            "$",
            "The input is not one JSON object.",
        ),
    };
    let list = ["pdus", "events"]
        .into_iter()
        .find_map(|k| object.field(k).map(|v| (k, v)));
    if let Some((key, list)) = list.filter(|(_, v)| v.starts_with('[')) {
        input.shaped(field_shape(key));
        read_field_list(list, key, input);
        input.problems.push(whole_problem);
        return;
    }
    if let Some((key, value_start)) = &object.cut {
        if matches!(key.as_str(), "pdus" | "events") && b.get(*value_start) == Some(&b'[') {
            input.shaped(field_shape(key));
            read_field_list(&text[*value_start..], key, input);
            return;
        }
    }
    if text.as_bytes()[start] == b'[' {
        let (items, error) = split_array(text, start);
        if !items.is_empty() {
            read_list(&items, "Event #", input);
            input.shaped(list_shape(input, InputShape::Array));
            input
                .problems
                .extend(error.map(|e| e.to_problem(text, "The array")));
            return;
        }
    }
    input.shaped(InputShape::Unrecognised);
    input.problems.push(whole_problem);
}

fn field_shape(key: &str) -> InputShape {
    match key {
        "pdus" => InputShape::Transaction,
        _ => InputShape::GetMissingEvents,
    }
}

/// Text that does not start as JSON: tab-separated rows or key lines.
fn read_text(text: &str, input: &mut Input) {
    if export::read_tsv(text, input) || keys::read_key_lines(text, input) {
        return;
    }
    input.shaped(InputShape::Unrecognised);
    if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() {
        input.problems.push(Problem::error(
            codes::INPUT_SHAPE_UNKNOWN,
            "$",
            "The input is JSON but neither an object nor an array: mxdag reads events, \
             answers, exports and keys as JSON objects, arrays of them, or NDJSON.",
        ));
        return;
    }
    input.problems.push(Problem::error(
        codes::INPUT_NOT_JSON,
        "$",
        "The input is neither JSON, NDJSON, tab-separated event_json rows, nor \
         `SERVER_NAME KEY_ID BASE64` key lines (JSON5 and YAML, such as tardis scenarios \
         and trusted_key_servers, are decoded into JSON by the CLI and the page first).",
    ));
}
