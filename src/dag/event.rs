//! [`DagEvent`]: the part of a PDU the room DAG needs, as plain data.

/// The fields of a PDU that place it in the room DAG
/// ([spec: server-server API, "PDUs"](https://spec.matrix.org/v1.16/server-server-api/#pdus)).
///
/// Room versions 1 and 2 send `prev_events` as `[event_id, {hashes}]` pairs; here they are
/// plain event IDs for every version. `content_fingerprint` lets the DAG tell "the same event
/// again" from "the same event ID with different content", which room versions 1 and 2 allow
/// because their IDs are not derived from the content; any stable digest of the event works
/// (the content hash, or the reference hash).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DagEvent {
    /// The event ID: sent in room versions 1 and 2, computed from the reference hash later.
    pub event_id: String,
    /// The room the event claims to belong to; `None` where the PDU has none (the create
    /// event of room version 12, whose room ID is derived from its own hash).
    pub room_id: Option<String>,
    /// The events this one follows, as event IDs.
    pub prev_events: Vec<String>,
    /// The events that authorise this one, as event IDs.
    pub auth_events: Vec<String>,
    /// `depth`: the maximum depth of the `prev_events` plus one.
    pub depth: i64,
    /// `origin_server_ts` in milliseconds.
    pub origin_server_ts: i64,
    /// `sender`, a user ID.
    pub sender: String,
    /// `type`.
    pub event_type: String,
    /// `state_key`, present on state events.
    pub state_key: Option<String>,
    /// A digest of the whole event, equal for equal events.
    pub content_fingerprint: u64,
}

/// Where an event sits in the DAG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Placement {
    /// A timeline event: its `prev_events` are part of the graph (from `/send`, `/backfill`,
    /// `/get_missing_events`, forwards fill).
    Timeline,
    /// An outlier: held without its place in the timeline (auth events, state from `/state`
    /// or `/send_join`); its `prev_events` neither count as referenced nor open gaps, and it
    /// is never part of the linear order. A later timeline copy promotes it.
    Outlier,
}

impl DagEvent {
    /// Top-level keys left out of an event's fingerprint (see
    /// [`crate::event::fingerprint::SKIPPED`]).
    pub const FINGERPRINT_SKIPPED: [&'static str; 9] = crate::event::fingerprint::SKIPPED;

    /// The fingerprint of an event (see [`crate::event::fingerprint::of_event`]).
    pub fn fingerprint_of_event(event: &crate::canonical_json::Object) -> u64 {
        crate::event::fingerprint::of_event(event)
    }

    /// A 64-bit fingerprint of arbitrary bytes (FNV-1a), for callers without a better digest.
    pub fn fingerprint_of(bytes: &[u8]) -> u64 {
        crate::event::fingerprint::of_bytes(bytes)
    }

    /// The canonical JSON of an event and its fingerprint, written once (see
    /// [`crate::event::fingerprint::canonical_and_fingerprint`]).
    pub fn canonical_and_fingerprint(event: &crate::canonical_json::Object) -> (String, u64) {
        crate::event::fingerprint::canonical_and_fingerprint(event, None)
    }
}

/// The fields of an event other than `prev_events`, borrowed: what
/// [`RoomDag::insert_fields`](super::RoomDag::insert_fields) takes for bulk ingest.
#[derive(Clone, Copy, Debug, Default)]
pub struct EventHead<'a> {
    /// The event ID.
    pub event_id: &'a str,
    /// The room, when the event names one.
    pub room_id: Option<&'a str>,
    /// `depth`.
    pub depth: i64,
    /// `origin_server_ts`.
    pub origin_server_ts: i64,
    /// `sender`.
    pub sender: &'a str,
    /// `type`.
    pub event_type: &'a str,
    /// Whether the event has a `state_key`.
    pub is_state: bool,
    /// See [`DagEvent::content_fingerprint`].
    pub content_fingerprint: u64,
}

#[cfg(test)]
mod tests {
    use super::DagEvent;
    use crate::canonical_json;

    #[test]
    fn json_and_fingerprint_written_once_are_those_written_apart() {
        for text in [
            r#"{"age":5,"auth_events":[],"content":{"signatures":{"a":1}},"signatures":{"x":{}},"type":"m.room.message","unsigned":{"age":1}}"#,
            r#"{"signatures":{}}"#,
            r#"{"user_id":"@a:b"}"#,
            r#"{"depth":1,"type":"t"}"#,
            r#"{}"#,
        ] {
            let value = canonical_json::from_str(text).unwrap();
            let object = value.as_object().unwrap();
            let (json, fingerprint) = DagEvent::canonical_and_fingerprint(object);
            assert_eq!(json, canonical_json::to_string(&value), "{text}");
            assert_eq!(
                fingerprint,
                DagEvent::fingerprint_of_event(object),
                "{text}"
            );
        }
    }
}
