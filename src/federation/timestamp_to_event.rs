//! `GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=…&dir=f|b`
//! ([spec](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid);
//! unstable as [MSC3030](https://github.com/matrix-org/matrix-spec-proposals/pull/3030)'s
//! `/_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/{roomId}`): the event
//! closest to `ts` in the direction `dir` (`ts` inclusive), answered as `{event_id,
//! origin_server_ts}`, or `404 M_NOT_FOUND` when the server holds no event on that side.
//!
//! The reference answer is Synapse's rule (`get_event_id_for_timestamp`) over the DAG held:
//! timeline events only (no outliers), nearest `origin_server_ts` first, then depth (deeper
//! first going back, shallower first going forward), then event ID where Synapse uses its
//! `stream_ordering`, which an outside observer does not see.
//!
//! The contract check: the answer's `origin_server_ts` is on the side of `ts` that `dir`
//! names (else an error, whatever is held); a held event of that ID has that
//! `origin_server_ts` (else an error); an event not held is noted, to be fetched with
//! `/event` and checked again; a held event strictly closer to `ts` is a warning, since the
//! server may not hold it.

use serde_json::Value;

use super::codes;
use super::request_line::{bad, decode};
use crate::dag::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// `dir` of `/timestamp_to_event`: which side of `ts` the event is looked for on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `f`: the first event at or after `ts`.
    Forwards,
    /// `b`: the last event at or before `ts`.
    Backwards,
}

impl Direction {
    /// `f` or `b`, as in the query.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Forwards => "f",
            Self::Backwards => "b",
        }
    }
}

/// Where a `/timestamp_to_event` request was sent: the stable path (in the spec since v1.6)
/// or the unstable one of [MSC3030](https://github.com/matrix-org/matrix-spec-proposals/pull/3030)
/// that Synapse served before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimestampToEventPath {
    /// `/_matrix/federation/v1/timestamp_to_event/{roomId}`.
    #[default]
    Stable,
    /// `/_matrix/federation/unstable/org.matrix.msc3030/timestamp_to_event/{roomId}`.
    UnstableMsc3030,
}

impl TimestampToEventPath {
    /// The path segments between `/_matrix/federation/` and `/timestamp_to_event/{roomId}`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Stable => "v1",
            Self::UnstableMsc3030 => "unstable/org.matrix.msc3030",
        }
    }
}

/// `GET /_matrix/federation/v1/timestamp_to_event/{roomId}?ts=…&dir=f|b`
/// ([spec](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid)):
/// the ID of the event closest to `ts` on the side `dir` names, as the server holds the room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampToEventRequest {
    /// The room.
    pub room_id: String,
    /// `ts`: the time, in milliseconds since the Unix epoch (inclusive).
    pub ts: i64,
    /// `dir`.
    pub dir: Direction,
    /// The path the request was sent on.
    pub path: TimestampToEventPath,
}

/// Reads the request's room (still percent-encoded) and its `ts` and `dir` query parameters.
pub(super) fn parse_request(
    path: TimestampToEventPath,
    room: &str,
    query: &[(String, String)],
) -> Result<TimestampToEventRequest, Problem> {
    let one = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| {
                bad(
                    codes::REQUEST_BAD_PARAM,
                    format!("The query has no {key} parameter; /timestamp_to_event requires it."),
                )
            })
    };
    let raw_ts = one("ts")?;
    let ts = raw_ts.parse::<i64>().map_err(|_| {
        bad(
            codes::REQUEST_BAD_PARAM,
            format!("ts={raw_ts} is not an integer (milliseconds since the Unix epoch)."),
        )
    })?;
    let dir = match one("dir")? {
        "f" => Direction::Forwards,
        "b" => Direction::Backwards,
        other => {
            return Err(bad(
                codes::REQUEST_BAD_PARAM,
                format!("dir={other} is neither f nor b."),
            ))
        }
    };
    Ok(TimestampToEventRequest {
        room_id: decode(room)?,
        ts,
        dir,
        path,
    })
}

/// A `/timestamp_to_event` answer as read: `{event_id, origin_server_ts}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimestampToEventAnswer {
    /// `event_id`: the event found.
    pub event_id: String,
    /// `origin_server_ts`: that event's `origin_server_ts`, as the server says.
    pub origin_server_ts: i64,
}

impl TimestampToEventAnswer {
    /// Reads an answer's JSON object; a missing or mistyped field is a
    /// [`codes::RESPONSE_SHAPE`] problem at its path.
    pub fn read(body: &Value) -> Result<Self, Problem> {
        let shape = |path: &str, message: &str| {
            Problem::error(codes::RESPONSE_SHAPE, path, message.to_owned())
        };
        let event_id = body
            .get("event_id")
            .and_then(Value::as_str)
            .ok_or_else(|| {
                shape(
                    "$.event_id",
                    "The answer needs event_id, the ID of the event found, as a string.",
                )
            })?;
        let origin_server_ts = body
            .get("origin_server_ts")
            .and_then(Value::as_i64)
            .ok_or_else(|| {
                shape(
                    "$.origin_server_ts",
                    "The answer needs origin_server_ts, the found event's timestamp, as an integer.",
                )
            })?;
        Ok(Self {
            event_id: event_id.to_owned(),
            origin_server_ts,
        })
    }
}

/// Whether `event_ts` lies on the side of `ts` that `dir` names (`ts` itself included).
pub fn on_side(event_ts: i64, ts: i64, dir: Direction) -> bool {
    match dir {
        Direction::Forwards => event_ts >= ts,
        Direction::Backwards => event_ts <= ts,
    }
}

/// The reference answer: the held timeline event nearest to `ts` on the side `dir` names,
/// by `origin_server_ts`, then depth, then event ID (see the module documentation); `None`
/// when nothing held lies on that side.
pub fn reference_answer(dag: &RoomDag, ts: i64, dir: Direction) -> Option<NodeIndex> {
    let key = |n: NodeIndex| (dag.origin_server_ts(n), dag.depth(n));
    let candidates = dag
        .nodes()
        .filter(|&n| dag.is_timeline(n) && on_side(dag.origin_server_ts(n), ts, dir));
    match dir {
        Direction::Forwards => {
            candidates.min_by(|&a, &b| key(a).cmp(&key(b)).then(dag.ids().cmp_ids(a, b)))
        }
        Direction::Backwards => {
            candidates.max_by(|&a, &b| key(a).cmp(&key(b)).then(dag.ids().cmp_ids(b, a)))
        }
    }
}

/// The contract check of a success answer's JSON object, against the DAG held.
pub(crate) fn check(
    held: &RoomDag,
    request: &TimestampToEventRequest,
    body: &Value,
) -> Vec<Problem> {
    let answer = match TimestampToEventAnswer::read(body) {
        Ok(answer) => answer,
        Err(problem) => return vec![problem],
    };
    let (ts, dir) = (request.ts, request.dir);
    let mut problems = Vec::new();
    let side = match dir {
        Direction::Forwards => "at or after",
        Direction::Backwards => "at or before",
    };
    if !on_side(answer.origin_server_ts, ts, dir) {
        problems.push(Problem::error(
            codes::WRONG_SIDE_OF_TS,
            "$.origin_server_ts",
            format!(
                "Event {} has origin_server_ts {}, but dir={} asks for an event {side} ts {ts}.",
                answer.event_id,
                answer.origin_server_ts,
                dir.as_str()
            ),
        ));
    }
    let node = held.index_of(&answer.event_id).filter(|&n| held.is_held(n));
    match node {
        Some(n) if held.origin_server_ts(n) != answer.origin_server_ts => {
            problems.push(Problem::error(
                codes::TS_MISMATCH,
                "$.origin_server_ts",
                format!(
                    "The answer says event {} has origin_server_ts {}, but the event held has {}.",
                    answer.event_id,
                    answer.origin_server_ts,
                    held.origin_server_ts(n)
                ),
            ))
        }
        Some(_) => {}
        None => problems.push(Problem::info(
            codes::EVENT_NOT_HELD,
            "$.event_id",
            format!(
                "Event {} is not held: fetch it (/event) to check that it exists in the room with origin_server_ts {}.",
                answer.event_id, answer.origin_server_ts
            ),
        )),
    }
    let answered_ts = node.map_or(answer.origin_server_ts, |n| held.origin_server_ts(n));
    if let Some(nearest) = reference_answer(held, ts, dir).filter(|&r| Some(r) != node) {
        let nearest_ts = held.origin_server_ts(nearest);
        let closer =
            on_side(answered_ts, ts, dir) && (nearest_ts - ts).abs() < (answered_ts - ts).abs();
        if closer {
            problems.push(Problem::warning(
                codes::NOT_NEAREST,
                "$.event_id",
                format!(
                    "Held event {} (origin_server_ts {nearest_ts}) is closer to ts {ts} than {} ({answered_ts}); the answer is the nearest only if the server does not hold it.",
                    held.event_id(nearest),
                    answer.event_id
                ),
            ));
        }
    }
    problems
}

/// The finding for `404 M_NOT_FOUND`, the answer of a server that holds no event on that
/// side of `ts`: information when nothing held lies there either, else a warning naming the
/// held event a server holding the DAG would have found.
pub(crate) fn not_found(held: &RoomDag, request: &TimestampToEventRequest) -> Problem {
    let side = match request.dir {
        Direction::Forwards => "at or after",
        Direction::Backwards => "at or before",
    };
    match reference_answer(held, request.ts, request.dir) {
        None => Problem::info(
            codes::NO_EVENT_FOUND,
            "$",
            format!(
                "404 M_NOT_FOUND: the server holds no event {side} ts {}, and none is held here either.",
                request.ts
            ),
        ),
        Some(n) => Problem::warning(
            codes::NO_EVENT_FOUND,
            "$",
            format!(
                "404 M_NOT_FOUND: the server found no event {side} ts {}, but held event {} (origin_server_ts {}) is; the server may not hold it.",
                request.ts,
                held.event_id(n),
                held.origin_server_ts(n)
            ),
        ),
    }
}
