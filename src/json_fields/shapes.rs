//! The shapes of the JS arguments the bindings read (`src/js/`), in one place: compiled
//! natively too, so that the tests of [`super`] read with the very tables the bindings use.
//! Each is named for what it reads; its `name` is the struct's whose
//! `#[derive(Deserialize)]` it reads as.

use super::{Kind, Shape};

/// `new GapPlanner(options)`: `{room_id, servers, strategy?, limit?, max_round_trips?,
/// parallel?}`.
pub(crate) static PLANNER_OPTIONS: Shape = Shape {
    name: "Options",
    names: &[
        "room_id",
        "servers",
        "strategy",
        "limit",
        "max_round_trips",
        "parallel",
    ],
    kinds: &[
        Kind::Str,
        Kind::VecStr,
        Kind::OptStr,
        Kind::OptU64,
        Kind::OptU64,
        Kind::OptUsize,
    ],
    required: 0b11,
    deny_unknown: false,
};

/// An event as the planner records it: `{event_id, prev_events?, depth?,
/// origin_server_ts?}`.
pub(crate) static RECORD: Shape = Shape {
    name: "Record",
    names: &["event_id", "prev_events", "depth", "origin_server_ts"],
    kinds: &[Kind::Str, Kind::VecJson, Kind::I64, Kind::I64],
    required: 0b1,
    deny_unknown: false,
};

/// What a request the planner asked for came to: `{status?, errcode?, text?, events?}`.
pub(crate) static OUTCOME: Shape = Shape {
    name: "JsOutcome",
    names: &["status", "errcode", "text", "events"],
    kinds: &[
        Kind::U16,
        Kind::OptStr,
        Kind::OptStr,
        Kind::OptList(&RECORD),
    ],
    required: 0,
    deny_unknown: false,
};

/// The events of a simulated federation's answer: `{pdus?, events?}`.
pub(crate) static RECORDS_ANSWER: Shape = Shape {
    name: "Answer",
    names: &["pdus", "events"],
    kinds: &[Kind::OptList(&RECORD), Kind::OptList(&RECORD)],
    required: 0,
    deny_unknown: false,
};

/// `Timeline.page(options)`: `{from?, eventId?, ts?, dir?, limit?}`, no other key.
pub(crate) static PAGE_OPTIONS: Shape = Shape {
    name: "PageOptions",
    names: &["from", "eventId", "ts", "dir", "limit"],
    kinds: &[
        Kind::OptStr,
        Kind::OptStr,
        Kind::OptF64,
        Kind::OptStr,
        Kind::OptF64,
    ],
    required: 0,
    deny_unknown: true,
};

/// Filling a timeline's gap: `{servers, strategy?, limit?}`.
pub(crate) static FILL_OPTIONS: Shape = Shape {
    name: "FillOptions",
    names: &["servers", "strategy", "limit"],
    kinds: &[Kind::VecStr, Kind::OptStr, Kind::OptU64],
    required: 0b1,
    deny_unknown: false,
};

/// A federation request as the bindings take it: `{method, path, body?}`.
pub(crate) static REQUEST: Shape = Shape {
    name: "Request",
    names: &["method", "path", "body"],
    kinds: &[Kind::Str, Kind::Str, Kind::OptStr],
    required: 0b11,
    deny_unknown: false,
};

/// Its answer: `{status, text?}`.
pub(crate) static ANSWER: Shape = Shape {
    name: "Answer",
    names: &["status", "text"],
    kinds: &[Kind::U16, Kind::OptStr],
    required: 0b1,
    deny_unknown: false,
};

/// `new SimulatedFederation(options)`: `{events?, gaps?, seed?, width?, limit?,
/// strategy?}` (the tools build).
#[cfg(any(feature = "tools", test))]
pub(crate) static SIM_OPTIONS: Shape = Shape {
    name: "SimOptions",
    names: &["events", "gaps", "seed", "width", "limit", "strategy"],
    kinds: &[
        Kind::OptUsize,
        Kind::OptUsize,
        Kind::OptU64,
        Kind::OptUsize,
        Kind::OptU64,
        Kind::OptStr,
    ],
    required: 0,
    deny_unknown: false,
};

/// A signing key asked about: `{server_name, key_id}`, both given.
pub(crate) static MISSING_KEY: Shape = Shape {
    name: "MissingKey",
    names: &["server_name", "key_id"],
    kinds: &[Kind::Str, Kind::Str],
    required: 0b11,
    deny_unknown: false,
};
