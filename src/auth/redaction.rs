//! The rules of room versions 1–2 for `m.room.redaction` and of versions 1–5 for
//! `m.room.aliases`.
//!
//! Spec: rules 4 and 11 of [room version 1](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules).
//! From [v3](https://spec.matrix.org/v1.16/rooms/v3/#authorization-rules) a redaction is
//! authorised like any other event and its effect is checked when it is applied
//! ([v3, handling redactions](https://spec.matrix.org/v1.16/rooms/v3/#handling-redactions));
//! from [v6](https://spec.matrix.org/v1.16/rooms/v6/#authorization-rules) `m.room.aliases`
//! has no rule of its own (MSC2432).

use super::{codes, Ctx, Power};
use crate::event::format::server_of;
use crate::problem::Problem;

/// v1–v2 rule 11: a redaction is allowed when the sender has the redact level, or when
/// the redacted event's ID is of the redaction's own server.
pub fn check(ctx: &Ctx, sender_level: Power) -> Result<(), Problem> {
    let redact = ctx.int_level("redact");
    if sender_level >= Power::Level(redact) {
        return Ok(());
    }
    let redacts = ctx.event.fields.redacts.as_deref();
    if redacts.and_then(server_of).is_some()
        && redacts.and_then(server_of) == server_of(&ctx.event.event_id)
    {
        return Ok(());
    }
    let why = format!(
        "the sender's power level {sender_level} is below the redact level {redact} and the redacted event {} is of another server",
        redacts.unwrap_or("(none)")
    );
    Err(ctx.reject(
        codes::REDACTION_NOT_ALLOWED,
        "$.redacts",
        "11 (room versions 1–2)",
        &why,
        ctx.pl_event(),
    ))
}

/// v1–v5 rule 4: an `m.room.aliases` event is allowed only with a `state_key` that is the
/// sender's server name.
pub fn check_aliases(ctx: &Ctx) -> Result<(), Problem> {
    let event = ctx.event;
    match event.fields.state_key.as_deref() {
        Some(key) if Some(key) == server_of(&event.fields.sender) => Ok(()),
        key => {
            let why = format!("the state_key {key:?} is not the sender's server name");
            Err(ctx.reject(
                codes::ALIASES_STATE_KEY,
                "$.state_key",
                "4 (room versions 1–5)",
                &why,
                None,
            ))
        }
    }
}
