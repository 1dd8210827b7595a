//! PDU format checks for each room version: required fields and their types, identifier
//! grammar, size limits.
//!
//! Spec: [Server-Server API § PDUs](https://spec.matrix.org/v1.16/server-server-api/#pdus),
//! [§ Size limits](https://spec.matrix.org/v1.16/client-server-api/#size-limits) (65536
//! bytes for the whole PDU as canonical JSON; 255 bytes for `type`, `state_key`, `sender`,
//! `room_id`, `event_id`), the event format of each room version, and
//! [§ Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu):
//! at most 20 `prev_events` and 10 `auth_events`, limits the spec forbids enforcing on
//! backfilled events (reported as warnings there).

use super::codes;
use crate::canonical_json::{self, Object, Value, MAX_SAFE_INTEGER};
use crate::problem::Problem;
use crate::room_version::{EventFormat, RoomVersion};

/// The typed top-level fields of a PDU that passed the format checks
/// ([`check`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PduFields {
    /// `room_id`; `None` only for a v12 `m.room.create` event (its room ID is
    /// `!` + its own reference hash, see [`super::Pdu::create_room_id`]).
    pub room_id: Option<String>,
    /// `sender`, a user ID.
    pub sender: String,
    /// `type`.
    pub event_type: String,
    /// `state_key`, for state events.
    pub state_key: Option<String>,
    /// `prev_events` as IDs (v1/v2 pairs reduced to their IDs).
    pub prev_events: Vec<String>,
    /// `auth_events` as IDs (v1/v2 pairs reduced to their IDs).
    pub auth_events: Vec<String>,
    /// `depth`.
    pub depth: i64,
    /// `origin_server_ts`, milliseconds since the epoch.
    pub origin_server_ts: i64,
    /// The event an `m.room.redaction` redacts (`content.redacts` from v11, top-level
    /// `redacts` before).
    pub redacts: Option<String>,
}

/// Largest PDU, as canonical JSON with signatures, in bytes.
pub const MAX_PDU_BYTES: usize = 65536;
/// Largest `type`, `state_key`, `sender`, `room_id` and `event_id`, in bytes.
pub const MAX_ID_BYTES: usize = 255;
/// Most `prev_events` a PDU may list (not enforced on backfill).
pub const MAX_PREV_EVENTS: usize = 20;
/// Most `auth_events` a PDU may list (not enforced on backfill).
pub const MAX_AUTH_EVENTS: usize = 10;

/// Reads typed fields of one event, recording a problem for each missing or mistyped one.
struct Reader<'a, 'p> {
    event: &'a Object,
    label: &'a str,
    problems: &'p mut Vec<Problem>,
    /// Required fields found missing, with what they should be: reported together by
    /// [`Reader::report_missing`], so that `{}` costs one problem, not ten.
    missing: Vec<(&'static str, &'static str)>,
}

impl<'a> Reader<'a, '_> {
    fn get(&mut self, key: &'static str, want: &'static str, required: bool) -> Option<&'a Value> {
        let value = self.event.get(key);
        if value.is_none() && required {
            self.missing.push((key, want));
        }
        value
    }

    /// One `field_missing` problem: at the field's path when one is missing, at `$` naming
    /// them all when several are.
    fn report_missing(&mut self) {
        let problem = match self.missing[..] {
            [] => return,
            [(key, want)] => Problem::error(
                codes::FIELD_MISSING,
                canonical_json::path_key("$", key),
                format!(
                    "{}: the required field `{key}` ({want}) is missing.",
                    self.label
                ),
            ),
            _ => {
                let fields: Vec<String> =
                    self.missing.iter().map(|(k, _)| format!("`{k}`")).collect();
                Problem::error(
                    codes::FIELD_MISSING,
                    "$",
                    format!(
                        "{}: the required fields {} are missing.",
                        self.label,
                        fields.join(", ")
                    ),
                )
            }
        };
        self.problems.push(problem);
    }

    fn wrong_type(&mut self, path: String, key: &str, want: &str, found: &Value) {
        self.problems.push(Problem::error(
            codes::FIELD_WRONG_TYPE,
            path,
            format!(
                "{}: `{key}` must be {want}, found {}.",
                self.label,
                found.type_name()
            ),
        ));
    }

    fn string(&mut self, key: &'static str, required: bool) -> Option<&'a str> {
        let v = self.get(key, "a string", required)?;
        let s = v.as_str();
        if s.is_none() {
            self.wrong_type(canonical_json::path_key("$", key), key, "a string", v);
        }
        s
    }

    fn integer(&mut self, key: &'static str) -> Option<&'a Value> {
        let v = self.get(key, "an integer", true)?;
        match v {
            Value::Int(_) | Value::UInt(_) | Value::BigInt(_) => Some(v),
            _ => {
                self.wrong_type(canonical_json::path_key("$", key), key, "an integer", v);
                None
            }
        }
    }

    fn object(&mut self, key: &'static str) -> Option<&'a Object> {
        let v = self.get(key, "an object", true)?;
        let o = v.as_object();
        if o.is_none() {
            self.wrong_type(canonical_json::path_key("$", key), key, "an object", v);
        }
        o
    }

    /// The 255 limit on `key`: code points always, bytes strictly only from room version
    /// 11 (before, an event over 255 bytes but not over 255 code points is rejected, not
    /// dropped: see [`RoomVersion::strict_byte_limits`]).
    fn limit_length(&mut self, key: &str, value: Option<&str>, version: &RoomVersion) {
        let Some(s) = value.filter(|s| s.len() > MAX_ID_BYTES) else {
            return;
        };
        let chars = s.chars().count();
        let path = canonical_json::path_key("$", key);
        let problem = if chars > MAX_ID_BYTES || version.strict_byte_limits {
            Problem::error(
                codes::FIELD_TOO_LONG,
                path,
                format!(
                    "{}: `{key}` is {} bytes ({chars} code points), more than the {MAX_ID_BYTES} room version {version} allows.",
                    self.label,
                    s.len()
                ),
            )
        } else {
            Problem::error(
                codes::FIELD_OVER_BYTE_LIMIT,
                path,
                format!(
                    "{}: `{key}` is {} bytes, more than the {MAX_ID_BYTES} the spec allows, but only {chars} code points: servers persist such an event as rejected in room version {version} (strict byte limits start in room version 11).",
                    self.label,
                    s.len()
                ),
            )
        };
        self.problems.push(problem);
    }

    /// Refuses a NUL (U+0000) in `value`, the identifier or name at `path`: no grammar of
    /// user IDs, room IDs, event IDs or server names allows it ([Appendices § Identifier
    /// grammar](https://spec.matrix.org/v1.16/appendices/#identifier-grammar)), and servers
    /// cannot store it in `type` or `state_key` either (their databases refuse U+0000:
    /// Synapse's issue 10886).
    fn refuse_nul(&mut self, path: impl Fn() -> String, key: &str, value: Option<&str>) {
        let Some(at) = value.and_then(|v| v.find('\0')) else {
            return;
        };
        self.problems.push(Problem::error(
            codes::FIELD_HAS_NUL,
            path(),
            format!(
                "{}: `{key}` holds a NUL character (U+0000) at byte {at}, which no server accepts there.",
                self.label
            ),
        ));
    }

    fn malformed(&mut self, path: String, what: &str, value: &str, rule: &str) {
        self.problems.push(Problem::error(
            codes::MALFORMED_ID,
            path,
            format!("{}: {what} {value:?} is not {rule}.", self.label),
        ));
    }
}

/// The server name of a `@user:server`, `!room:server` or `$event:server` identifier.
pub fn server_of(id: &str) -> Option<&str> {
    id.split_once(':')
        .map(|(_, server)| server)
        .filter(|s| !s.is_empty())
}

/// Whether `id` has the shape of a user ID as the format checks read `sender`:
/// `@localpart:server` ([appendices, user identifiers](https://spec.matrix.org/v1.16/appendices/#user-identifiers)).
pub fn is_user_id(id: &str) -> bool {
    sigiled_with_server(id, '@')
}

fn sigiled_with_server(id: &str, sigil: char) -> bool {
    id.starts_with(sigil) && id.len() > 1 && server_of(id).is_some()
}

/// Whether `id` is a hash-based event ID (`$` + 43 unpadded base64 characters) in the
/// alphabet of `version` (standard in v3, URL-safe from v4).
pub fn is_hash_event_id(id: &str, sigil: char, url_safe: bool) -> bool {
    let Some(hash) = id.strip_prefix(sigil) else {
        return false;
    };
    hash.len() == 43
        && hash.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || if url_safe {
                    b == b'-' || b == b'_'
                } else {
                    b == b'+' || b == b'/'
                }
        })
}

fn event_id_rule(version: &RoomVersion) -> &'static str {
    match version.event_format {
        EventFormat::V1 => "`$opaque:server` (room versions 1–2)",
        EventFormat::V3 => "`$` + 43 characters of standard unpadded base64 (room version 3)",
        EventFormat::V4 => "`$` + 43 characters of URL-safe unpadded base64 (room version 4+)",
    }
}

fn is_event_id(id: &str, version: &RoomVersion) -> bool {
    match version.event_format {
        EventFormat::V1 => sigiled_with_server(id, '$'),
        f => is_hash_event_id(id, '$', f == EventFormat::V4),
    }
}

/// Reads `prev_events` or `auth_events`: IDs, or (v1/v2) `[id, {hashes}]` pairs.
fn references(r: &mut Reader, key: &'static str, version: &RoomVersion) -> Vec<String> {
    let Some(v) = r.get(key, "an array", true) else {
        return Vec::new();
    };
    let Some(items) = v.as_array() else {
        r.wrong_type(canonical_json::path_key("$", key), key, "an array", v);
        return Vec::new();
    };
    let mut ids = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let path = || format!("$.{key}[{i}]");
        let id = match (version.event_format, item) {
            (EventFormat::V1, Value::Array(pair))
                if pair.len() == 2 && pair[1].as_object().is_some() =>
            {
                pair[0].as_str()
            }
            (EventFormat::V1, _) => None,
            (_, item) => item.as_str(),
        };
        r.refuse_nul(path, key, id);
        let Some(id) = id else {
            let want = match version.event_format {
                EventFormat::V1 => "an `[event_id, {\"sha256\": …}]` pair",
                _ => "an event ID string",
            };
            r.wrong_type(path(), key, &format!("a list of {want}"), item);
            continue;
        };
        if !is_event_id(id, version) {
            r.malformed(path(), "the event ID", id, event_id_rule(version));
        }
        ids.push(id.to_owned());
    }
    ids
}

fn count_limit(
    r: &mut Reader,
    key: &str,
    count: usize,
    max: usize,
    code: &'static str,
    via_backfill: bool,
) {
    if count <= max {
        return;
    }
    let path = canonical_json::path_key("$", key);
    let message = format!(
        "{}: `{key}` lists {count} events, more than the {max} a PDU may list",
        r.label
    );
    r.problems.push(if via_backfill {
        Problem::warning(
            code,
            path,
            message + " (not enforced on backfilled events).",
        )
    } else {
        Problem::error(code, path, message + ".")
    });
}

/// Checks the format of `event` for `version`, appending problems; returns the fields when
/// they could all be read (there may still be error-level problems, e.g. limits).
pub(crate) fn check(
    event: &Object,
    version: &RoomVersion,
    via_backfill: bool,
    label: &str,
    problems: &mut Vec<Problem>,
) -> Option<PduFields> {
    let mut r = Reader {
        event,
        label,
        problems,
        missing: Vec::new(),
    };
    let event_type = r.string("type", true);
    let state_key = r.string("state_key", false);
    let sender = r.string("sender", true);
    let is_create = event_type == Some("m.room.create") && state_key == Some("");
    let room_id = if version.room_id_from_create_event() && is_create {
        if event.contains_key("room_id") {
            r.problems.push(Problem::error(
                codes::CREATE_EVENT_HAS_ROOM_ID,
                "$.room_id",
                format!("{label}: an `m.room.create` event has no `room_id` in room version {version}: the room ID is derived from its hash."),
            ));
        }
        None
    } else {
        r.string("room_id", true)
    };
    let content = r.object("content");
    let depth = r.integer("depth");
    let ts = r.integer("origin_server_ts");
    r.object("hashes");
    let signatures = r.object("signatures");
    let prev_events = references(&mut r, "prev_events", version);
    let auth_events = references(&mut r, "auth_events", version);

    // Only v1/v2 events carry their ID; from v3 an `event_id` the input carried was set
    // aside before (see `event::received`).
    if version.event_id_in_event() {
        let id = r.string("event_id", true);
        r.limit_length("event_id", id, version);
        r.refuse_nul(|| "$.event_id".into(), "event_id", id);
        if let Some(id) = id.filter(|id| !sigiled_with_server(id, '$')) {
            r.malformed(
                "$.event_id".into(),
                "the event ID",
                id,
                event_id_rule(version),
            );
        }
    }
    r.report_missing();
    for (key, value) in [
        ("type", event_type),
        ("state_key", state_key),
        ("sender", sender),
        ("room_id", room_id),
    ] {
        r.limit_length(key, value, version);
        r.refuse_nul(|| canonical_json::path_key("$", key), key, value);
    }
    if let Some(s) = sender.filter(|s| !sigiled_with_server(s, '@')) {
        r.malformed(
            "$.sender".into(),
            "the sender",
            s,
            "a user ID `@localpart:server`",
        );
    }
    if let Some(id) = room_id {
        let ok = match version.room_id_from_create_event() {
            true => is_hash_event_id(id, '!', true),
            false => sigiled_with_server(id, '!'),
        };
        if !ok {
            let rule = match version.room_id_from_create_event() {
                true => "`!` + the create event's reference hash (43 URL-safe base64 characters, room version 12)",
                false => "a room ID `!opaque:server`",
            };
            r.malformed("$.room_id".into(), "the room ID", id, rule);
        }
        if version.room_id_from_create_event() {
            let create_id = format!("${}", id.strip_prefix('!').unwrap_or(id));
            if let Some(i) = auth_events.iter().position(|a| *a == create_id) {
                r.problems.push(Problem::error(
                    codes::CREATE_EVENT_IN_AUTH_EVENTS,
                    format!("$.auth_events[{i}]"),
                    format!("{label}: lists the create event {create_id} in `auth_events`, which room version {version} forbids."),
                ));
            }
        }
    }
    if let Some(sigs) = signatures {
        for (server, by_key) in sigs.iter().filter(|(_, v)| v.as_object().is_none()) {
            let path = canonical_json::path_key("$.signatures", server);
            r.wrong_type(path, "signatures", "an object of objects", by_key);
        }
    }
    count_limit(
        &mut r,
        "prev_events",
        prev_events.len(),
        MAX_PREV_EVENTS,
        codes::TOO_MANY_PREV_EVENTS,
        via_backfill,
    );
    count_limit(
        &mut r,
        "auth_events",
        auth_events.len(),
        MAX_AUTH_EVENTS,
        codes::TOO_MANY_AUTH_EVENTS,
        via_backfill,
    );
    let depth = depth.and_then(|d| check_depth(&mut r, d, version));

    let redacts = if version.redaction.v11 {
        content
            .and_then(|c| c.get("redacts"))
            .and_then(Value::as_str)
    } else {
        r.string("redacts", false)
    };
    Some(PduFields {
        room_id: room_id.map(str::to_owned),
        sender: sender?.to_owned(),
        event_type: event_type?.to_owned(),
        state_key: state_key.map(str::to_owned),
        prev_events,
        auth_events,
        depth: depth?,
        origin_server_ts: check_timestamp(&mut r, ts?, version)?,
        redacts: redacts.map(str::to_owned),
    })
}

/// `depth` is a non-negative integer ≤ 2^63−1 (≤ 2^53−1 from v6, reported there by the
/// canonical JSON check as `integer_out_of_range`).
fn check_depth(r: &mut Reader, depth: &Value, version: &RoomVersion) -> Option<i64> {
    let max = if version.strict_canonical_json {
        MAX_SAFE_INTEGER
    } else {
        i64::MAX
    };
    match depth {
        Value::Int(d) if (0..=max).contains(d) => Some(*d),
        Value::Int(d) if *d > max => None,
        Value::UInt(_) | Value::BigInt(_) if version.strict_canonical_json => None,
        other => {
            r.problems.push(Problem::error(
                codes::DEPTH_OUT_OF_RANGE,
                "$.depth",
                format!(
                    "{}: `depth` {} is outside 0 … {max}, the range room version {version} allows.",
                    r.label,
                    canonical_json::to_string(other)
                ),
            ));
            None
        }
    }
}

/// `origin_server_ts` as an `i64`. Outside ±2^63 it is reported here for room versions 1–5
/// (from v6 the canonical JSON check already reports anything above 2^53−1).
fn check_timestamp(r: &mut Reader, ts: &Value, version: &RoomVersion) -> Option<i64> {
    if let Some(ts) = ts.as_i64() {
        return Some(ts);
    }
    if !version.strict_canonical_json {
        r.problems.push(Problem::error(
            codes::TIMESTAMP_OUT_OF_RANGE,
            "$.origin_server_ts",
            format!(
                "{}: `origin_server_ts` {} is outside ±2^63 milliseconds, which no clock can mean.",
                r.label,
                canonical_json::to_string(ts)
            ),
        ));
    }
    None
}

/// Checks the size of the whole PDU as canonical JSON (≤ 65536 bytes), given that size.
pub(crate) fn check_size(size: usize, label: &str, problems: &mut Vec<Problem>) {
    if size > MAX_PDU_BYTES {
        problems.push(Problem::error(
            codes::EVENT_TOO_LARGE,
            "$",
            format!("{label}: is {size} bytes as canonical JSON, more than the {MAX_PDU_BYTES} a PDU may have."),
        ));
    }
}
