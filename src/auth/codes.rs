//! Problem codes of the authorization rules (check 4 of the checks performed on receipt of
//! a PDU). Each names the rule that rejected the event; the numbers are those of the
//! [room version 12 page](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)
//! (earlier pages number the same rules differently: v12 inserted rule 2, v1–v5 have the
//! `m.room.aliases` rule 4), except for rules v12 no longer has, which carry the number of
//! the versions that have them.

/// Rule 1.1: an `m.room.create` event has `prev_events`.
pub const CREATE_HAS_PREV_EVENTS: &str = "auth_create_has_prev_events";
/// Rule 1.2 (v1–v11): the domain of the create event's `room_id` is not its sender's.
pub const CREATE_ROOM_ID_DOMAIN: &str = "auth_create_room_id_domain";
/// Rule 1.2 (v12): the create event carries a `room_id`.
pub const CREATE_HAS_ROOM_ID: &str = "auth_create_has_room_id";
/// Rule 1.3: `content.room_version` of the create event is not a recognised version.
pub const CREATE_UNKNOWN_ROOM_VERSION: &str = "auth_create_unknown_room_version";
/// Rule 1.4 (v1–v10): the create event has no `content.creator`.
pub const CREATE_NO_CREATOR: &str = "auth_create_no_creator";
/// Rule 1.4 (v12): `content.additional_creators` is not an array of user IDs.
pub const CREATE_BAD_ADDITIONAL_CREATORS: &str = "auth_create_bad_additional_creators";
/// Rule 2 (v12): the event's `room_id` is not `!` + the ID of an accepted create event.
pub const ROOM_ID_NOT_ACCEPTED_CREATE: &str = "auth_room_id_not_accepted_create";
/// Rule 3.1: two `auth_events` have the same `type` and `state_key`.
pub const AUTH_EVENTS_DUPLICATE: &str = "auth_events_duplicate";
/// Rule 3.2: an entry of `auth_events` is of a `type` and `state_key` the auth events
/// selection does not select for this event (in v12, the create event among them).
pub const AUTH_EVENTS_UNEXPECTED: &str = "auth_events_unexpected";
/// Rule 3.3: an entry of `auth_events` was itself rejected (or dropped) on receipt.
pub const AUTH_EVENT_REJECTED: &str = "auth_event_rejected";
/// Rule 2.4 of v1–v11 (no counterpart in v12): no `m.room.create` event among `auth_events`.
pub const AUTH_EVENTS_NO_CREATE: &str = "auth_events_no_create";
/// Rule 3.5: an entry of `auth_events` belongs to another room.
pub const AUTH_EVENT_OTHER_ROOM: &str = "auth_event_other_room";
/// A type and state key the auth events selection picks for this event is absent from
/// `auth_events`, though the auth events' own auth events show that the room had such an
/// event (a warning: the rules then read the defaults, which servers holding the state would
/// not).
pub const AUTH_EVENTS_MISSING_SELECTED: &str = "auth_events_missing_selected";
/// An auth event (or, in v12, the create event the room ID names) is not held, or not yet
/// decided: the event cannot be authorised until it is.
pub const AUTH_UNKNOWN: &str = "auth_unknown";
/// Rule 4: the room is not federated (`m.federate: false`) and the sender's server is not
/// the create event's sender's.
pub const NOT_FEDERATED: &str = "auth_not_federated";
/// v1–v5 `m.room.aliases` rules: no `state_key`, or a `state_key` other than the sender's
/// server.
pub const ALIASES_STATE_KEY: &str = "auth_aliases_state_key";
/// Rule 5.1: an `m.room.member` event without `state_key` or `content.membership`.
pub const MEMBER_MALFORMED: &str = "auth_member_malformed";
/// Rule 5.3 (join): the sender is not the `state_key`.
pub const JOIN_SENDER_NOT_TARGET: &str = "auth_join_sender_not_target";
/// Rule 5.3.3: the joining user is banned.
pub const JOIN_BANNED: &str = "auth_join_banned";
/// Rule 5.3.5.2 (v8+): a restricted join whose `join_authorised_via_users_server` is absent,
/// not joined, or below the invite level.
pub const JOIN_RESTRICTED_NOT_AUTHORISED: &str = "auth_join_restricted_not_authorised";
/// Rule 5.3.7: the join rule does not let this user join (not public, not invited).
pub const JOIN_NOT_ALLOWED: &str = "auth_join_not_allowed";
/// Rule 5.4.1 (invite with `third_party_invite`): the invite fails one of the third-party
/// invite rules (target banned, `signed` incomplete, `mxid` not the target, no matching
/// `m.room.third_party_invite`, another sender, or no signature that verifies).
pub const THIRD_PARTY_INVITE_INVALID: &str = "auth_third_party_invite_invalid";
/// Rules 5.4.2, 5.5.2, 5.6.1 and 6: the sender's membership is not `join`.
pub const SENDER_NOT_JOINED: &str = "auth_sender_not_joined";
/// Rule 5.4.3: the invited user is already joined or banned.
pub const INVITE_TARGET_JOINED_OR_BANNED: &str = "auth_invite_target_joined_or_banned";
/// Rules 5.4.4–5.4.5 and 7: the sender's power level is below the invite level.
pub const INVITE_LEVEL: &str = "auth_invite_level";
/// Rule 5.5.1: a user leaves who is not invited, joined or (v7+) knocking.
pub const LEAVE_NOT_MEMBER: &str = "auth_leave_not_member";
/// Rule 5.5.3: unbanning with a power level below the ban level.
pub const UNBAN_LEVEL: &str = "auth_unban_level";
/// Rules 5.5.4–5.5.5: kicking without the kick level, or a target not below the sender.
pub const KICK_LEVEL: &str = "auth_kick_level";
/// Rules 5.6.2–5.6.3: banning without the ban level, or a target not below the sender.
pub const BAN_LEVEL: &str = "auth_ban_level";
/// Rule 5.7.1 (v7+): a knock where the join rule is not `knock` (or, v10+,
/// `knock_restricted`).
pub const KNOCK_NOT_ALLOWED: &str = "auth_knock_not_allowed";
/// Rule 5.7.2: a knock whose sender is not its `state_key`.
pub const KNOCK_SENDER_NOT_TARGET: &str = "auth_knock_sender_not_target";
/// Rule 5.7.4: a knock from a user who is banned, invited or joined.
pub const KNOCK_MEMBERSHIP: &str = "auth_knock_membership";
/// Rule 5.8: an unknown `membership` (or `knock` before v7).
pub const MEMBERSHIP_UNKNOWN: &str = "auth_membership_unknown";
/// Rule 8: the sender's power level is below the level the event's type requires.
pub const EVENT_LEVEL: &str = "auth_event_level";
/// Rule 9: a `state_key` that starts with `@` and is not the sender.
pub const STATE_KEY_OTHER_USER: &str = "auth_state_key_other_user";
/// Rules 10.1–10.3: an `m.room.power_levels` value is not an integer (v10+), not an integer
/// or a string holding one (v1–v9), or a `users` key is not a user ID.
pub const POWER_LEVELS_INVALID: &str = "auth_power_levels_invalid";
/// Rule 10.4 (v12): `users` names a room creator.
pub const POWER_LEVELS_NAMES_CREATOR: &str = "auth_power_levels_names_creator";
/// Rules 10.6–10.10: a power level change the sender's own level does not allow.
pub const POWER_LEVELS_CHANGE: &str = "auth_power_levels_change";
/// v1–v2 rule 11: a redaction from a sender below the redact level, of an event from
/// another server.
pub const REDACTION_NOT_ALLOWED: &str = "auth_redaction_not_allowed";
