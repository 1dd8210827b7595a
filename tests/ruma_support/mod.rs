//! mxdag's PDUs as ruma-state-res reads events (its `Event` trait), for the differential
//! tests against ruma.
#![allow(dead_code)]

use mxdag::canonical_json::{self, Value};
use mxdag::event::Pdu;
use ruma_common::{
    MilliSecondsSinceUnixEpoch, OwnedEventId, OwnedRoomId, OwnedUserId, RoomId, UserId,
};
use ruma_events::TimelineEventType;
use serde_json::value::RawValue;

/// One event as ruma's `Event` trait reads it.
#[derive(Clone)]
pub struct RumaEvent {
    pub id: OwnedEventId,
    room_id: Option<OwnedRoomId>,
    sender: OwnedUserId,
    ts: MilliSecondsSinceUnixEpoch,
    pub event_type: TimelineEventType,
    content: Box<RawValue>,
    pub state_key: Option<String>,
    prev: Vec<OwnedEventId>,
    pub auth: Vec<OwnedEventId>,
    redacts: Option<OwnedEventId>,
    pub rejected: bool,
}

impl RumaEvent {
    /// `pdu` as ruma reads it; `rejected` when it was rejected.
    pub fn of(pdu: &Pdu, rejected: bool) -> RumaEvent {
        let id = |s: &str| OwnedEventId::try_from(s).expect("event ID");
        let content = canonical_json::to_string(&Value::Object(pdu.content().clone()));
        RumaEvent {
            id: id(&pdu.event_id),
            room_id: pdu
                .fields
                .room_id
                .as_deref()
                .map(|r| OwnedRoomId::try_from(r).expect("room ID")),
            sender: OwnedUserId::try_from(pdu.fields.sender.as_str()).expect("user ID"),
            ts: MilliSecondsSinceUnixEpoch::from_system_time(
                std::time::UNIX_EPOCH
                    + std::time::Duration::from_millis(pdu.fields.origin_server_ts as u64),
            )
            .unwrap(),
            event_type: pdu.fields.event_type.as_str().into(),
            content: RawValue::from_string(content).unwrap(),
            state_key: pdu.fields.state_key.clone(),
            prev: pdu.fields.prev_events.iter().map(|p| id(p)).collect(),
            auth: pdu.fields.auth_events.iter().map(|a| id(a)).collect(),
            redacts: pdu.fields.redacts.as_deref().map(id),
            rejected,
        }
    }
}

impl ruma_state_res::Event for RumaEvent {
    type Id = OwnedEventId;
    fn event_id(&self) -> &OwnedEventId {
        &self.id
    }
    fn room_id(&self) -> Option<&RoomId> {
        self.room_id.as_deref()
    }
    fn sender(&self) -> &UserId {
        &self.sender
    }
    fn origin_server_ts(&self) -> MilliSecondsSinceUnixEpoch {
        self.ts
    }
    fn event_type(&self) -> &TimelineEventType {
        &self.event_type
    }
    fn content(&self) -> &RawValue {
        &self.content
    }
    fn state_key(&self) -> Option<&str> {
        self.state_key.as_deref()
    }
    fn prev_events(&self) -> Box<dyn DoubleEndedIterator<Item = &OwnedEventId> + '_> {
        Box::new(self.prev.iter())
    }
    fn auth_events(&self) -> Box<dyn DoubleEndedIterator<Item = &OwnedEventId> + '_> {
        Box::new(self.auth.iter())
    }
    fn redacts(&self) -> Option<&OwnedEventId> {
        self.redacts.as_ref()
    }
    fn rejected(&self) -> bool {
        self.rejected
    }
}
