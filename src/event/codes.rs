//! Problem codes about events: format, hashes, the verdict and input shapes.
//!
//! Signature and key codes live in [`crate::crypto::codes`], JSON parse codes in
//! [`crate::canonical_json::codes`].

/// The PDU is not a JSON object.
pub const EVENT_NOT_OBJECT: &str = "event_not_object";
/// A field the PDU format requires is absent.
pub const FIELD_MISSING: &str = "field_missing";
/// A field has the wrong JSON type.
pub const FIELD_WRONG_TYPE: &str = "field_wrong_type";
/// `type`, `state_key`, `sender`, `room_id` or `event_id` is longer than 255 code points
/// (or, from room version 11, 255 bytes): the event is dropped.
pub const FIELD_TOO_LONG: &str = "field_too_long";
/// The whole PDU, as canonical JSON, is larger than 65536 bytes.
pub const EVENT_TOO_LARGE: &str = "event_too_large";
/// `depth` is negative or above the version's maximum.
pub const DEPTH_OUT_OF_RANGE: &str = "depth_out_of_range";
/// `origin_server_ts` is above 2^63−1 (room versions 1–5, whose canonical JSON allows it):
/// no clock can mean it.
pub const TIMESTAMP_OUT_OF_RANGE: &str = "origin_server_ts_out_of_range";
/// More than 20 `prev_events` (a warning for events that arrived by backfill).
pub const TOO_MANY_PREV_EVENTS: &str = "too_many_prev_events";
/// More than 10 `auth_events` (a warning for events that arrived by backfill).
pub const TOO_MANY_AUTH_EVENTS: &str = "too_many_auth_events";
/// `type`, `state_key`, `sender`, `room_id`, `event_id` or an event ID in `prev_events` /
/// `auth_events` holds a NUL character (U+0000): no identifier grammar allows it and no
/// server can store it. The problem's path names the field.
pub const FIELD_HAS_NUL: &str = "field_has_nul";
/// A user, room or event ID does not have the grammar the room version requires.
pub const MALFORMED_ID: &str = "malformed_id";
/// Room version 12: the `m.room.create` event carries a `room_id`.
pub const CREATE_EVENT_HAS_ROOM_ID: &str = "create_event_has_room_id";
/// Room version 12: an event lists the create event in `auth_events`.
pub const CREATE_EVENT_IN_AUTH_EVENTS: &str = "create_event_in_auth_events";
/// The event carried keys that are not part of the PDU (`event_id` from room version 3,
/// the client API's `age`, `user_id`, …): they were set aside before hashing (information).
pub const NON_PDU_KEYS_SET_ASIDE: &str = "non_pdu_keys_set_aside";
/// The ID the input names for an event is not the one its content hashes to (or an
/// export's `event_id` column contradicts the event's own).
pub const EVENT_ID_MISMATCH: &str = "event_id_mismatch";
/// The event has neither `hashes`, `signatures` nor an `event_id`: nothing identifies it.
pub const EVENT_NOT_IDENTIFIABLE: &str = "event_not_identifiable";
/// A client-format event (no `hashes`, no `signatures`): drawn, not checkable.
pub const CLIENT_FORMAT_EVENT: &str = "client_format_event";
/// A tardis scenario event (made-up ID, no `hashes`, no `signatures`): drawn, not checkable.
pub const SCENARIO_EVENT: &str = "scenario_event";
/// Room versions 1–10: `type`, `state_key`, `sender`, `room_id` or `event_id` is over 255
/// bytes but not over 255 code points. Servers persist such an event as rejected, so that
/// rooms do not break (Synapse's lenient byte limits); from room version 11 it is
/// `field_too_long`.
pub const FIELD_OVER_BYTE_LIMIT: &str = "field_over_byte_limit";
/// The room version is not one this crate knows.
pub const UNKNOWN_ROOM_VERSION: &str = "unknown_room_version";
/// `--room-version` contradicts the version the input's `m.room.create` names (a warning
/// of `mxdag check`, which then judges the events with the version given), or an input
/// names for a room the session holds another version than the room's.
pub const ROOM_VERSION_MISMATCH: &str = "room_version_mismatch";
/// `hashes.sha256` does not match the content hash: the event is redacted before use.
pub const CONTENT_HASH_MISMATCH: &str = "content_hash_mismatch";
/// `hashes.sha256` is absent or not unpadded base64 of 32 bytes.
pub const CONTENT_HASH_MALFORMED: &str = "content_hash_malformed";
/// Problems past `MAX_PROBLEMS_PER_EVENT` for one event, or past `MAX_PROBLEMS_PER_REPORT`
/// for one report, were counted, not listed: the message says how many, by code.
pub const PROBLEMS_LEFT_OUT: &str = "problems_left_out";
