//! The redaction algorithm of each room version.
//!
//! Spec: [Client-Server API § Redactions](https://spec.matrix.org/v1.16/client-server-api/#redactions)
//! and the "Redactions" section of each room version
//! ([v1](https://spec.matrix.org/v1.16/rooms/v1/#redactions),
//! [v6](https://spec.matrix.org/v1.16/rooms/v6/#redactions),
//! [v8](https://spec.matrix.org/v1.16/rooms/v8/#redactions),
//! [v9](https://spec.matrix.org/v1.16/rooms/v9/#redactions),
//! [v11](https://spec.matrix.org/v1.16/rooms/v11/#redactions)).
//! The rules per version are the flags of [`RedactionRules`].

use std::borrow::Cow;

use crate::canonical_json::{self, Object, Value};
use crate::room_version::{RedactionRules, RoomVersion};

/// Top-level keys kept by every version's redaction.
const KEEP_ALWAYS: [&str; 12] = [
    "auth_events",
    "content",
    "depth",
    "event_id",
    "hashes",
    "origin_server_ts",
    "prev_events",
    "room_id",
    "sender",
    "signatures",
    "state_key",
    "type",
];

/// Top-level keys kept only before room version 11.
const KEEP_BEFORE_V11: [&str; 3] = ["membership", "origin", "prev_state"];

/// The result of redacting an event.
#[derive(Clone, Debug, PartialEq)]
pub struct Redacted {
    /// The redacted event (still with `signatures` and `hashes`).
    pub event: Object,
    /// Whether the event, ignoring `unsigned`, was already exactly its redacted form: what a
    /// server that pruned it (for history visibility) sends.
    pub was_already_redacted: bool,
}

/// Whether redaction keeps the top-level key `key`.
pub fn keeps_top_level(key: &str, rules: &RedactionRules) -> bool {
    KEEP_ALWAYS.contains(&key) || (!rules.v11 && KEEP_BEFORE_V11.contains(&key))
}

/// What redaction keeps of one content key.
enum ContentKeep {
    Drop,
    Whole,
    /// v11 `m.room.member`: `third_party_invite` keeps only its `signed` key.
    OnlySigned,
}

fn content_keep(event_type: &str, key: &str, r: &RedactionRules) -> ContentKeep {
    let keep = match event_type {
        "m.room.member" => {
            if r.v11 && key == "third_party_invite" {
                return ContentKeep::OnlySigned;
            }
            key == "membership"
                || (r.keep_join_authorised_via_users_server
                    && key == "join_authorised_via_users_server")
        }
        "m.room.create" => r.v11 || key == "creator",
        "m.room.join_rules" => key == "join_rule" || (r.keep_join_rules_allow && key == "allow"),
        "m.room.power_levels" => {
            matches!(
                key,
                "ban"
                    | "events"
                    | "events_default"
                    | "kick"
                    | "redact"
                    | "state_default"
                    | "users"
                    | "users_default"
            ) || (r.v11 && key == "invite")
        }
        "m.room.aliases" => r.keep_aliases && key == "aliases",
        "m.room.history_visibility" => key == "history_visibility",
        "m.room.redaction" => r.v11 && key == "redacts",
        _ => false,
    };
    if keep {
        ContentKeep::Whole
    } else {
        ContentKeep::Drop
    }
}

/// Redacts `content` of an event of type `event_type`; the flag says nothing was removed.
pub fn redact_content(event_type: &str, content: &Object, version: &RoomVersion) -> (Object, bool) {
    let mut out = Object::new();
    let mut unchanged = true;
    for (k, v) in content.iter() {
        match content_keep(event_type, k, &version.redaction) {
            ContentKeep::Whole => {
                out.insert(k, v.clone());
            }
            ContentKeep::Drop => unchanged = false,
            ContentKeep::OnlySigned => match v.as_object() {
                Some(invite) => {
                    let mut kept = Object::new();
                    if let Some(signed) = invite.get("signed") {
                        kept.insert("signed", signed.clone());
                    }
                    unchanged &= kept.len() == invite.len();
                    out.insert(k, Value::Object(kept));
                }
                None => unchanged = false,
            },
        }
    }
    (out, unchanged)
}

/// Walks the redacted form of `event` in key order, handing each kept top-level entry to
/// `emit` (`unsigned` never; `content` redacted, `{}` when absent or not an object).
/// Returns whether the event, ignoring `unsigned`, was already its redacted form.
fn walk_redacted<'a>(
    event: &'a Object,
    version: &RoomVersion,
    mut emit: impl FnMut(&'a str, Cow<'a, Value>),
) -> bool {
    let event_type = event.get("type").and_then(Value::as_str).unwrap_or("");
    let mut unchanged = true;
    let mut content_done = false;
    let empty_content = || Cow::Owned(Value::Object(Object::new()));
    for (k, v) in event.iter() {
        if !content_done && k > "content" {
            // No `content` in the event: the redacted form still has one, in key order.
            emit("content", empty_content());
            content_done = true;
            unchanged = false;
        }
        if k == "unsigned" {
            continue;
        }
        if !keeps_top_level(k, &version.redaction) {
            unchanged = false;
            continue;
        }
        if k == "content" {
            let (content, same) = match v.as_object() {
                Some(c) => redact_content(event_type, c, version),
                None => (Object::new(), false),
            };
            unchanged &= same;
            content_done = true;
            emit(k, Cow::Owned(Value::Object(content)));
        } else {
            emit(k, Cow::Borrowed(v));
        }
    }
    if !content_done {
        emit("content", empty_content());
        unchanged = false;
    }
    unchanged
}

/// Redacts `event` by the rules of `version`. `unsigned` is always removed and does not
/// count against [`Redacted::was_already_redacted`]. A `content` that is not an object
/// becomes `{}`.
pub fn redact(event: &Object, version: &RoomVersion) -> Redacted {
    let mut out = Object::new();
    let unchanged = walk_redacted(event, version, |k, v| {
        out.insert(k, v.into_owned());
    });
    Redacted {
        event: out,
        was_already_redacted: unchanged,
    }
}

/// Appends the canonical JSON of the redacted `event` without `signatures` (and
/// `unsigned`): the bytes signatures cover and the reference hash digests. Same result as
/// encoding [`redact`]'s output without those keys, without copying the event. Returns
/// [`Redacted::was_already_redacted`].
pub fn write_signing_bytes(event: &Object, version: &RoomVersion, out: &mut Vec<u8>) -> bool {
    out.push(b'{');
    let mut first = true;
    let unchanged = walk_redacted(event, version, |k, v| {
        if k == "signatures" {
            return;
        }
        if !first {
            out.push(b',');
        }
        first = false;
        canonical_json::write_str(k, out);
        out.push(b':');
        canonical_json::write(&v, out);
    });
    out.push(b'}');
    unchanged
}
