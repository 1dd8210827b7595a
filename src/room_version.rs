//! Room versions 1–12: every rule that differs between versions, in one table.
//!
//! Spec: [Room versions](https://spec.matrix.org/v1.16/rooms/) and the page of each version
//! (`/rooms/v1/` … `/rooms/v12/`). Each field of [`RoomVersion`] names the version that
//! introduced the rule. The rest of the crate asks this table instead of comparing version
//! strings.

/// How event IDs are formed and how events refer to each other.
///
/// Spec: "Event format" in [room version 1](https://spec.matrix.org/v1.16/rooms/v1/#event-format),
/// [room version 3](https://spec.matrix.org/v1.16/rooms/v3/#event-format) and
/// [room version 4](https://spec.matrix.org/v1.16/rooms/v4/#event-format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormat {
    /// v1, v2: the event carries its own `event_id` (`$opaque:server`); `prev_events` and
    /// `auth_events` are `[event_id, {"sha256": hash}]` pairs.
    V1,
    /// v3: the event ID is `$` + the reference hash in unpadded *standard* base64, not sent
    /// over federation; `prev_events` and `auth_events` are plain lists of IDs.
    V3,
    /// v4 and later: as v3, with unpadded *URL-safe* base64.
    V4,
}

/// How room IDs are formed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoomIdFormat {
    /// v1–v11: `!opaque:server`, chosen by the creating server and sent in every event.
    ServerPart,
    /// v12: `!` + the create event's reference hash (URL-safe unpadded base64); the
    /// `m.room.create` event has no `room_id` and is not listed in `auth_events`.
    /// Spec: [room version 12, event format](https://spec.matrix.org/v1.16/rooms/v12/#event-format).
    CreateEventHash,
}

/// Which fields survive redaction, per version.
///
/// Spec: "Redactions" in [v1](https://spec.matrix.org/v1.16/rooms/v1/#redactions),
/// [v6](https://spec.matrix.org/v1.16/rooms/v6/#redactions),
/// [v8](https://spec.matrix.org/v1.16/rooms/v8/#redactions),
/// [v9](https://spec.matrix.org/v1.16/rooms/v9/#redactions) and
/// [v11](https://spec.matrix.org/v1.16/rooms/v11/#redactions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RedactionRules {
    /// v1–v5: `m.room.aliases` keeps `aliases` (dropped from v6, MSC2432).
    pub keep_aliases: bool,
    /// v8+: `m.room.join_rules` keeps `allow` (restricted joins, MSC3083).
    pub keep_join_rules_allow: bool,
    /// v9+: `m.room.member` keeps `join_authorised_via_users_server` (MSC3375).
    pub keep_join_authorised_via_users_server: bool,
    /// v11+ (MSC2176, MSC3821, MSC3989): top-level `origin`, `membership` and `prev_state`
    /// are no longer kept; `m.room.create` keeps its whole content (no longer only
    /// `creator`); `m.room.redaction` keeps `content.redacts`; `m.room.power_levels` keeps
    /// `invite`; `m.room.member` keeps `third_party_invite.signed`.
    pub v11: bool,
}

/// One room version: its identifier and every rule that varies between versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoomVersion {
    /// The identifier as it appears in `m.room.create`'s `content.room_version`.
    pub id: &'static str,
    /// Event ID and reference format (v1, v3, v4+).
    pub event_format: EventFormat,
    /// Room ID format (v12 derives it from the create event).
    pub room_id_format: RoomIdFormat,
    /// Redaction algorithm.
    pub redaction: RedactionRules,
    /// v5+: a signing key is valid for an event only while the event's `origin_server_ts`
    /// is not later than the key's `valid_until_ts`
    /// ([v5, signing key validity period](https://spec.matrix.org/v1.16/rooms/v5/#signing-key-validity-period)).
    pub enforce_key_validity: bool,
    /// v6+: canonical JSON is enforced: integers only, within ±(2^53−1)
    /// ([v6, canonical JSON](https://spec.matrix.org/v1.16/rooms/v6/#canonical-json)).
    pub strict_canonical_json: bool,
    /// v7+: knocking (`knock` membership) exists (MSC2403).
    pub knocking: bool,
    /// v8+: a restricted join must also be signed by the server of
    /// `content.join_authorised_via_users_server`
    /// ([v8, signature checks](https://spec.matrix.org/v1.16/rooms/v8/#authorization-rules)).
    pub restricted_join_signature: bool,
    /// v10+: power level values must be integers, not strings (MSC3667).
    pub integer_power_levels: bool,
    /// v11+: the 255-byte limits on `type`, `state_key`, `sender`, `room_id` and
    /// `event_id` are strict. Before, an event over 255 bytes but not over 255 code points
    /// is persisted as rejected rather than dropped, because servers once accepted such
    /// events ([size limits](https://spec.matrix.org/v1.16/client-server-api/#size-limits);
    /// Synapse's `LENIENT_EVENT_BYTE_LIMITS_ROOM_VERSIONS`, MSC4291's discussion).
    pub strict_byte_limits: bool,
    /// The version-dependent parts of the authorization rules.
    pub auth: AuthRules,
    /// The state resolution algorithm.
    pub state_res: StateResAlgorithm,
}

/// Which state resolution algorithm a room version uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateResAlgorithm {
    /// Room version 1: [the original algorithm](https://spec.matrix.org/v1.16/rooms/v1/#state-resolution)
    /// (power levels, join rules, then members, each by depth and `sha1(event_id)`).
    V1,
    /// Room versions 2–11: [state resolution v2](https://spec.matrix.org/v1.16/rooms/v2/#state-resolution)
    /// (auth difference, reverse topological power ordering, mainline ordering).
    V2,
    /// Room version 12: [v2.1](https://spec.matrix.org/v1.16/rooms/v12/#state-resolution)
    /// (MSC4297): the full conflicted set also holds the conflicted state subgraph, and the
    /// first iterative auth checks start from an empty state instead of the unconflicted
    /// state map.
    V2_1,
}

/// The authorization rules that differ between room versions (checks 4–6 of
/// [the checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu)).
/// Each field names the room-version page that introduced or removed the rule; the rules
/// themselves are in [`crate::auth`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthRules {
    /// v1–v10: `m.room.create` must carry `content.creator`, and the creator is the user
    /// it names ([v1, rule 1.4](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules)).
    /// From v11 the creator is the create event's `sender`
    /// ([v11, rules 1 and 4.3.1](https://spec.matrix.org/v1.16/rooms/v11/#authorization-rules)).
    pub creator_in_content: bool,
    /// v1–v5: `m.room.aliases` events are allowed only from the server named by their
    /// `state_key` ([v1, rule 4](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules));
    /// removed in [v6](https://spec.matrix.org/v1.16/rooms/v6/#authorization-rules) (MSC2432).
    pub special_case_aliases: bool,
    /// v1–v2: `m.room.redaction` needs the redact level or the same server as the redacted
    /// event ([v1, rule 11](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules));
    /// from [v3](https://spec.matrix.org/v1.16/rooms/v3/#authorization-rules) redactions are
    /// authorised like any event and checked when applied.
    pub special_case_redaction: bool,
    /// v6+: changes to `notifications` in `m.room.power_levels` are limited like `events`
    /// ([v6, rules 10.4–10.5](https://spec.matrix.org/v1.16/rooms/v6/#authorization-rules), MSC2209).
    pub limit_notifications: bool,
    /// v8+: the `restricted` join rule
    /// ([v8, rule 4.3.5](https://spec.matrix.org/v1.16/rooms/v8/#authorization-rules), MSC3083).
    pub restricted_join_rule: bool,
    /// v10+: the `knock_restricted` join rule
    /// ([v10, rules 4.3.5 and 4.7.1](https://spec.matrix.org/v1.16/rooms/v10/#authorization-rules), MSC3787).
    pub knock_restricted_join_rule: bool,
    /// v1–v5: power level values may be floats, truncated
    /// ([v1, power levels as floats](https://spec.matrix.org/v1.16/rooms/v1/#mroompower_levels-events-accept-values-as-floats)).
    pub float_power_levels: bool,
    /// v1–v9: power level values may be strings holding an integer
    /// ([v1, power levels as strings](https://spec.matrix.org/v1.16/rooms/v1/#mroompower_levels-events-accept-values-as-strings));
    /// from v10 only integers ([`RoomVersion::integer_power_levels`]).
    pub string_power_levels: bool,
    /// v12+: room creators (the create event's `sender` and `content.additional_creators`)
    /// have infinite power and may not appear in `users`; the create event is not an auth
    /// event but the one the room ID names
    /// ([v12, rules 1.4, 2, 3.2 and 10.4](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules), MSC4289, MSC4291).
    pub privileged_creators: bool,
}

const fn rules(keep_aliases: bool, allow: bool, authorised: bool, v11: bool) -> RedactionRules {
    RedactionRules {
        keep_aliases,
        keep_join_rules_allow: allow,
        keep_join_authorised_via_users_server: authorised,
        v11,
    }
}

/// Builds a row of the table from the version number: every rule is "introduced in vN".
const fn version(id: &'static str, n: u8) -> RoomVersion {
    RoomVersion {
        id,
        event_format: if n <= 2 {
            EventFormat::V1
        } else if n == 3 {
            EventFormat::V3
        } else {
            EventFormat::V4
        },
        room_id_format: if n >= 12 {
            RoomIdFormat::CreateEventHash
        } else {
            RoomIdFormat::ServerPart
        },
        redaction: rules(n <= 5, n >= 8, n >= 9, n >= 11),
        enforce_key_validity: n >= 5,
        strict_canonical_json: n >= 6,
        knocking: n >= 7,
        restricted_join_signature: n >= 8,
        integer_power_levels: n >= 10,
        strict_byte_limits: n >= 11,
        auth: AuthRules {
            creator_in_content: n <= 10,
            special_case_aliases: n <= 5,
            special_case_redaction: n <= 2,
            limit_notifications: n >= 6,
            restricted_join_rule: n >= 8,
            knock_restricted_join_rule: n >= 10,
            float_power_levels: n <= 5,
            string_power_levels: n <= 9,
            privileged_creators: n >= 12,
        },
        state_res: if n == 1 {
            StateResAlgorithm::V1
        } else if n >= 12 {
            StateResAlgorithm::V2_1
        } else {
            StateResAlgorithm::V2
        },
    }
}

/// Every stable room version this crate knows, oldest first.
pub const ALL: [RoomVersion; 12] = [
    version("1", 1),
    version("2", 2),
    version("3", 3),
    version("4", 4),
    version("5", 5),
    version("6", 6),
    version("7", 7),
    version("8", 8),
    version("9", 9),
    version("10", 10),
    version("11", 11),
    version("12", 12),
];

impl RoomVersion {
    /// Room version 1.
    pub const V1: RoomVersion = ALL[0];
    /// Room version 2.
    pub const V2: RoomVersion = ALL[1];
    /// Room version 3.
    pub const V3: RoomVersion = ALL[2];
    /// Room version 4.
    pub const V4: RoomVersion = ALL[3];
    /// Room version 5.
    pub const V5: RoomVersion = ALL[4];
    /// Room version 6.
    pub const V6: RoomVersion = ALL[5];
    /// Room version 7.
    pub const V7: RoomVersion = ALL[6];
    /// Room version 8.
    pub const V8: RoomVersion = ALL[7];
    /// Room version 9.
    pub const V9: RoomVersion = ALL[8];
    /// Room version 10.
    pub const V10: RoomVersion = ALL[9];
    /// Room version 11.
    pub const V11: RoomVersion = ALL[10];
    /// Room version 12, the spec's default for new rooms.
    pub const V12: RoomVersion = ALL[11];

    /// The version with this identifier (`"1"` … `"12"`), or `None` for an unknown one.
    pub fn from_id(id: &str) -> Option<RoomVersion> {
        ALL.iter().find(|v| v.id == id).copied()
    }

    /// The version a room was created with: `content.room_version` of its `m.room.create`
    /// event, which defaults to `"1"` when absent
    /// ([`m.room.create`](https://spec.matrix.org/v1.16/client-server-api/#mroomcreate)).
    pub fn from_create_content(room_version: Option<&str>) -> Option<RoomVersion> {
        Self::from_id(room_version.unwrap_or("1"))
    }

    /// Whether events carry their own `event_id` (v1, v2).
    pub fn event_id_in_event(&self) -> bool {
        self.event_format == EventFormat::V1
    }

    /// Whether the create event of a room of this version omits `room_id` (v12).
    pub fn room_id_from_create_event(&self) -> bool {
        self.room_id_format == RoomIdFormat::CreateEventHash
    }

    /// Whether event IDs use URL-safe base64 (v4+); v3 uses standard base64.
    pub fn url_safe_ids(&self) -> bool {
        self.event_format == EventFormat::V4
    }
}

impl std::fmt::Display for RoomVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}
