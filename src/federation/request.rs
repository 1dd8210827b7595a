//! Requests to the three walking endpoints, read from a line as a user sees it in a log:
//! `GET /_matrix/federation/v1/backfill/{roomId}?v=…&limit=…`, optionally with a scheme and
//! host, surrounding quotes and a trailing `HTTP/1.1`; `POST
//! /_matrix/federation/v1/get_missing_events/{roomId}` plus its JSON body; or the MSC4000
//! forwards fill path in any of the three forms in use ([`ForwardsFillPath`]). Also the two
//! endpoints whose answers name events instead of carrying them: `/timestamp_to_event`
//! ([`TimestampToEventPath`]) and MSC4370 `/extremities`.
//!
//! Query values are percent-decoded; a literal `+` is kept as `+` (event IDs of room version 3
//! contain it and never contain spaces).

use serde_json::Value;

use super::codes;
use super::request_line::{bad, decode};
use super::timestamp_to_event::parse_request as timestamp_to_event;
pub use super::timestamp_to_event::{Direction, TimestampToEventPath, TimestampToEventRequest};
use crate::problem::Problem;

/// `GET /_matrix/federation/v1/backfill/{roomId}`
/// ([spec](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1backfillroomid)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackfillRequest {
    /// The room.
    pub room_id: String,
    /// `v`: the events to start from (included in the answer).
    pub v: Vec<String>,
    /// `limit`: the most PDUs to return, including the `v` events.
    pub limit: u64,
}

/// `POST /_matrix/federation/v1/get_missing_events/{roomId}`
/// ([spec](https://spec.matrix.org/v1.16/server-server-api/#post_matrixfederationv1get_missing_eventsroomid)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetMissingEventsRequest {
    /// The room.
    pub room_id: String,
    /// `earliest_events`: where the walk stops (not returned).
    pub earliest_events: Vec<String>,
    /// `latest_events`: where the walk starts (not returned).
    pub latest_events: Vec<String>,
    /// `limit`, default 10.
    pub limit: u64,
    /// `min_depth`, default 0.
    pub min_depth: i64,
}

/// Where an MSC4000 forwards fill request was sent: the three paths in use, in the order a
/// client tries them (MSC4000 asks clients to try the stable path first and to read
/// `404 M_UNRECOGNIZED` as "not supported").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ForwardsFillPath {
    /// `/_matrix/federation/v1/forwards_fill/{roomId}`: the path
    /// [MSC4000](https://github.com/matrix-org/matrix-spec-proposals/pull/4000) proposes for
    /// the spec.
    #[default]
    Stable,
    /// `/_matrix/federation/org.matrix.msc4000/forwards_fill/{roomId}`: the unstable path
    /// MSC4000's text names (its "Unstable prefix" section).
    Msc4000,
    /// `/_matrix/federation/unstable/org.matrix.msc4000/forwards_fill/{roomId}`: the form
    /// Synapse gives unstable federation endpoints (`/unstable/org.matrix.<msc>/…`, as for
    /// MSC3030's `timestamp_to_event` and MSC4370's `extremities`).
    UnstableMsc4000,
}

impl ForwardsFillPath {
    /// Every form, in the order a client tries them: stable, the MSC's, Synapse's.
    pub const ALL: [Self; 3] = [Self::Stable, Self::Msc4000, Self::UnstableMsc4000];

    /// The path segments between `/_matrix/federation/` and `/forwards_fill/{roomId}`:
    /// `v1`, `org.matrix.msc4000`, `unstable/org.matrix.msc4000`.
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Stable => "v1",
            Self::Msc4000 => "org.matrix.msc4000",
            Self::UnstableMsc4000 => "unstable/org.matrix.msc4000",
        }
    }

    /// Whether this is one of the unstable forms.
    pub fn is_unstable(self) -> bool {
        self != Self::Stable
    }
}

/// MSC4000 `GET /_matrix/federation/v1/forwards_fill/{roomId}`, or one of its unstable forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForwardsFillRequest {
    /// The room.
    pub room_id: String,
    /// `from_event_id`: the events whose successors are wanted.
    pub from_event_id: Vec<String>,
    /// `limit`: the most PDUs to return.
    pub limit: u64,
    /// The path the request was sent on.
    pub path: ForwardsFillPath,
}

/// MSC4370 `GET /_matrix/federation/unstable/org.matrix.msc4370/extremities/{roomId}`
/// ([MSC4370](https://github.com/matrix-org/matrix-spec-proposals/pull/4370)): the room's
/// forward extremities as the server holds them, answered as `{prev_events: [...]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtremitiesRequest {
    /// The room.
    pub room_id: String,
}

/// A request to one of the walking endpoints, or to one of the endpoints whose answers
/// name events ([`FederationRequest::names_events`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FederationRequest {
    /// `/backfill`.
    Backfill(BackfillRequest),
    /// `/get_missing_events`.
    GetMissingEvents(GetMissingEventsRequest),
    /// MSC4000 forwards fill.
    ForwardsFill(ForwardsFillRequest),
    /// `/timestamp_to_event`.
    TimestampToEvent(TimestampToEventRequest),
    /// MSC4370 `/extremities`.
    Extremities(ExtremitiesRequest),
}

impl FederationRequest {
    /// Reads a request from a log line and, for `/get_missing_events`, its JSON body.
    pub fn parse(line: &str, body: Option<&str>) -> Result<Self, Problem> {
        let target = line
            .split_whitespace()
            .map(|t| t.trim_matches(|c| c == '"' || c == '\''))
            .find(|t| t.contains("/_matrix/federation/"))
            .ok_or_else(|| {
                bad(
                    codes::REQUEST_UNPARSABLE,
                    format!("No /_matrix/federation/ path in {line:?}."),
                )
            })?;
        let path_start = target.find("/_matrix/federation/").unwrap_or(0);
        let target = &target[path_start..];
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let segments: Vec<&str> = path
            .trim_start_matches("/_matrix/federation/")
            .split('/')
            .collect();
        let query = parse_query(query)?;
        match segments.as_slice() {
            ["v1", "backfill", room] => Ok(Self::Backfill(BackfillRequest {
                room_id: decode(room)?,
                v: required_list(&query, "v")?,
                limit: required_limit(&query)?,
            })),
            ["v1", "get_missing_events", room] => Ok(Self::GetMissingEvents(
                get_missing_events_body(decode(room)?, body)?,
            )),
            ["v1", "forwards_fill", room] => forwards_fill(ForwardsFillPath::Stable, room, &query),
            ["org.matrix.msc4000", "forwards_fill", room] => {
                forwards_fill(ForwardsFillPath::Msc4000, room, &query)
            }
            ["unstable", "org.matrix.msc4000", "forwards_fill", room] => {
                forwards_fill(ForwardsFillPath::UnstableMsc4000, room, &query)
            }
            ["v1", "timestamp_to_event", room] => {
                timestamp_to_event(TimestampToEventPath::Stable, room, &query).map(Self::TimestampToEvent)
            }
            ["unstable", "org.matrix.msc3030", "timestamp_to_event", room] => {
                timestamp_to_event(TimestampToEventPath::UnstableMsc3030, room, &query).map(Self::TimestampToEvent)
            }
            ["unstable", "org.matrix.msc4370", "extremities", room] => {
                Ok(Self::Extremities(ExtremitiesRequest {
                    room_id: decode(room)?,
                }))
            }
            _ => Err(bad(
                codes::REQUEST_UNKNOWN_ENDPOINT,
                format!("{path} is not /backfill, /get_missing_events, MSC4000 /forwards_fill, /timestamp_to_event nor MSC4370 /extremities."),
            )),
        }
    }

    /// The room the request is about.
    pub fn room_id(&self) -> &str {
        match self {
            Self::Backfill(r) => &r.room_id,
            Self::GetMissingEvents(r) => &r.room_id,
            Self::ForwardsFill(r) => &r.room_id,
            Self::TimestampToEvent(r) => &r.room_id,
            Self::Extremities(r) => &r.room_id,
        }
    }

    /// The `limit` asked for: the most events the answer may hold. `/timestamp_to_event`
    /// names one event; MSC4370 `/extremities` has no limit (`u64::MAX`).
    pub fn limit(&self) -> u64 {
        match self {
            Self::Backfill(r) => r.limit,
            Self::GetMissingEvents(r) => r.limit,
            Self::ForwardsFill(r) => r.limit,
            Self::TimestampToEvent(_) => 1,
            Self::Extremities(_) => u64::MAX,
        }
    }

    /// The endpoint's name as used in messages and JSON: `backfill`, `get_missing_events`,
    /// `forwards_fill`, `timestamp_to_event`, `extremities`.
    pub fn endpoint(&self) -> &'static str {
        match self {
            Self::Backfill(_) => "backfill",
            Self::GetMissingEvents(_) => "get_missing_events",
            Self::ForwardsFill(_) => "forwards_fill",
            Self::TimestampToEvent(_) => "timestamp_to_event",
            Self::Extremities(_) => "extremities",
        }
    }

    /// Whether the answer names events by ID (`/timestamp_to_event`, MSC4370
    /// `/extremities`) instead of carrying PDUs: it adds nothing to the DAG, and its
    /// contract is checked on its JSON object.
    pub fn names_events(&self) -> bool {
        matches!(self, Self::TimestampToEvent(_) | Self::Extremities(_))
    }

    /// Whether the endpoint is optional for a server (an MSC, or an unstable path): a
    /// `404 M_UNRECOGNIZED` then means "not supported" rather than a broken server.
    pub fn is_optional(&self) -> bool {
        match self {
            Self::ForwardsFill(_) | Self::Extremities(_) => true,
            Self::TimestampToEvent(r) => r.path != TimestampToEventPath::Stable,
            Self::Backfill(_) | Self::GetMissingEvents(_) => false,
        }
    }
}

fn forwards_fill(
    path: ForwardsFillPath,
    room: &str,
    query: &[(String, String)],
) -> Result<FederationRequest, Problem> {
    Ok(FederationRequest::ForwardsFill(ForwardsFillRequest {
        room_id: decode(room)?,
        from_event_id: required_list(query, "from_event_id")?,
        limit: required_limit(query)?,
        path,
    }))
}

fn get_missing_events_body(
    room_id: String,
    body: Option<&str>,
) -> Result<GetMissingEventsRequest, Problem> {
    let body = body.ok_or_else(|| {
        bad(
            codes::REQUEST_BAD_PARAM,
            "POST /get_missing_events needs its JSON body (earliest_events, latest_events).".into(),
        )
    })?;
    let value: Value = serde_json::from_str(body).map_err(|e| {
        bad(
            codes::REQUEST_BAD_BODY,
            format!("The get_missing_events body is not JSON: {e}."),
        )
    })?;
    let ids = |key: &str| -> Result<Vec<String>, Problem> {
        let list = value.get(key).and_then(Value::as_array).ok_or_else(|| {
            bad(
                codes::REQUEST_BAD_BODY,
                format!("The get_missing_events body needs {key} as an array of event IDs."),
            )
        })?;
        list.iter()
            .map(|v| v.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| {
                bad(
                    codes::REQUEST_BAD_BODY,
                    format!("{key} holds something other than event ID strings."),
                )
            })
    };
    let number = |key: &str, default: i64| -> Result<i64, Problem> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(v) => v.as_i64().ok_or_else(|| {
                bad(
                    codes::REQUEST_BAD_BODY,
                    format!("{key} in the get_missing_events body is not an integer."),
                )
            }),
        }
    };
    let limit = number("limit", 10)?;
    if limit < 0 {
        return Err(bad(
            codes::REQUEST_BAD_BODY,
            format!("limit {limit} is negative."),
        ));
    }
    Ok(GetMissingEventsRequest {
        room_id,
        earliest_events: ids("earliest_events")?,
        latest_events: ids("latest_events")?,
        limit: limit as u64,
        min_depth: number("min_depth", 0)?,
    })
}

fn parse_query(query: &str) -> Result<Vec<(String, String)>, Problem> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((decode(k)?, decode(v)?))
        })
        .collect()
}

fn required_list(query: &[(String, String)], key: &str) -> Result<Vec<String>, Problem> {
    let values: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .collect();
    if values.is_empty() {
        return Err(bad(
            codes::REQUEST_BAD_PARAM,
            format!("The query has no {key} parameter; at least one is required."),
        ));
    }
    Ok(values)
}

fn required_limit(query: &[(String, String)]) -> Result<u64, Problem> {
    let raw = query
        .iter()
        .find(|(k, _)| k == "limit")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| {
            bad(
                codes::REQUEST_BAD_PARAM,
                "The query has no limit parameter; it is required.".into(),
            )
        })?;
    raw.parse::<u64>().map_err(|_| {
        bad(
            codes::REQUEST_BAD_PARAM,
            format!("limit={raw} is not a non-negative integer."),
        )
    })
}
