//! Rule 1: the `m.room.create` event
//! ([v1](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules),
//! [v11](https://spec.matrix.org/v1.16/rooms/v11/#authorization-rules),
//! [v12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)).

use super::{codes, reject};
use crate::canonical_json::Value;
use crate::event::format::{is_user_id, server_of};
use crate::event::Pdu;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// Rules 1.1–1.5 for a create event:
/// 1. no `prev_events`;
/// 2. v1–v11: the domain of `room_id` is the sender's; v12: no `room_id` (the room ID is
///    derived from the event);
/// 3. `content.room_version`, when present, is a recognised version;
/// 4. v1–v10: `content.creator` is present; v12: `content.additional_creators`, when
///    present, is an array of user IDs.
pub fn check(event: &Pdu) -> Result<(), Problem> {
    let rules = event.room_version.auth;
    let fail = |code, path, rule, why: &str| Err(reject(event, code, path, rule, why, None));
    if !event.fields.prev_events.is_empty() {
        return fail(
            codes::CREATE_HAS_PREV_EVENTS,
            "$.prev_events",
            "1.1",
            "a create event has no prev_events",
        );
    }
    if event.room_version.room_id_from_create_event() {
        if event.event.contains_key("room_id") {
            return fail(
                codes::CREATE_HAS_ROOM_ID,
                "$.room_id",
                "1.2",
                "a create event has no room_id in this version",
            );
        }
    } else if let Some(room_id) = &event.fields.room_id {
        if server_of(room_id) != server_of(&event.fields.sender) {
            return fail(
                codes::CREATE_ROOM_ID_DOMAIN,
                "$.room_id",
                "1.2",
                &format!("the domain of the room ID {room_id} is not the sender's"),
            );
        }
    }
    let content = event.content();
    match content.get("room_version") {
        None => {}
        Some(Value::String(v)) if RoomVersion::from_id(v).is_some() => {}
        Some(other) => {
            return fail(
                codes::CREATE_UNKNOWN_ROOM_VERSION,
                "$.content.room_version",
                "1.3",
                &format!(
                    "{} is not a recognised room version",
                    crate::canonical_json::to_string(other)
                ),
            );
        }
    }
    if rules.creator_in_content && !content.contains_key("creator") {
        return fail(
            codes::CREATE_NO_CREATOR,
            "$.content.creator",
            "1.4 (room versions 1–10)",
            "the content has no creator",
        );
    }
    if rules.privileged_creators {
        if let Some(more) = content.get("additional_creators") {
            let ok = more
                .as_array()
                .is_some_and(|a| a.iter().all(|u| u.as_str().is_some_and(is_user_id)));
            if !ok {
                return fail(
                    codes::CREATE_BAD_ADDITIONAL_CREATORS,
                    "$.content.additional_creators",
                    "1.4",
                    "additional_creators is not an array of user IDs",
                );
            }
        }
    }
    // Rule 1.5: otherwise, allow.
    Ok(())
}
