//! Rule 5: `m.room.member` events — join, invite, leave (and kick, unban), ban, knock.
//!
//! Spec: rule 5 of [v12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)
//! (rule 4 before v12); knocking from [v7](https://spec.matrix.org/v1.16/rooms/v7/#authorization-rules),
//! restricted joins from [v8](https://spec.matrix.org/v1.16/rooms/v8/#authorization-rules),
//! `knock_restricted` from [v10](https://spec.matrix.org/v1.16/rooms/v10/#authorization-rules),
//! the create event's sender as creator from [v11](https://spec.matrix.org/v1.16/rooms/v11/#authorization-rules).

use super::{codes, third_party_invite, Ctx};
use crate::canonical_json::Value;
use crate::problem::Problem;

/// Rule 5 for an `m.room.member` event.
pub fn check(ctx: &Ctx) -> Result<(), Problem> {
    let event = ctx.event;
    // Rule 5.1: a state key and a membership.
    let (Some(target), Some(membership)) = (event.fields.state_key.as_deref(), event.membership())
    else {
        return Err(ctx.reject(
            codes::MEMBER_MALFORMED,
            "$.content.membership",
            "5.1",
            "an m.room.member event needs a state_key and content.membership",
            None,
        ));
    };
    match membership {
        "join" => join(ctx, target),
        "invite" => invite(ctx, target),
        "leave" => leave(ctx, target),
        "ban" => ban(ctx, target),
        "knock" if ctx.version.knocking => knock(ctx, target),
        other => Err(ctx.reject(
            codes::MEMBERSHIP_UNKNOWN,
            "$.content.membership",
            "5.8",
            &format!("the membership {other:?} is unknown in this room version"),
            None,
        )),
    }
}

/// The join rule in force and the event that set it. The rules do not say what "the
/// `join_rule`" is when the auth events hold no `m.room.join_rules` (or it has no
/// `join_rule`); this reads `invite`, as Synapse does (`event_auth.py`,
/// `_is_membership_change_allowed`). ruma rejects such a join instead (see
/// `tests/auth_differential.rs`).
fn join_rule<'a>(ctx: &Ctx<'a>) -> (&'a str, Option<&'a crate::event::Pdu>) {
    match ctx.state("m.room.join_rules", "") {
        Some(rules) => (
            rules
                .content()
                .get("join_rule")
                .and_then(Value::as_str)
                .unwrap_or("invite"),
            Some(rules),
        ),
        None => ("invite", None),
    }
}

/// Rule 5.3: `membership: join`.
fn join(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    let event = ctx.event;
    let rules = ctx.rules();
    // 5.3.1: the creator's own join right after the create event.
    let prev = &event.fields.prev_events;
    let creator = match rules.creator_in_content {
        true => ctx.create.content().get("creator").and_then(Value::as_str),
        false => Some(ctx.create.fields.sender.as_str()),
    };
    if prev.len() == 1 && prev[0] == ctx.create.event_id && creator == Some(target) {
        return Ok(());
    }
    // 5.3.2
    if event.fields.sender != target {
        return Err(ctx.reject(
            codes::JOIN_SENDER_NOT_TARGET,
            "$.state_key",
            "5.3.2",
            "the sender of a join is not its state_key",
            None,
        ));
    }
    let (current, member) = ctx.membership(target);
    // 5.3.3
    if current == "ban" {
        return Err(ctx.reject(
            codes::JOIN_BANNED,
            "$.sender",
            "5.3.3",
            "the sender is banned",
            member,
        ));
    }
    let (join_rule, rules_event) = join_rule(ctx);
    let invited_or_joined = matches!(current, "invite" | "join");
    // 5.3.4: invite (v7+: or knock) allows the invited and the joined.
    let invite_like = join_rule == "invite" || (ctx.version.knocking && join_rule == "knock");
    if invite_like && invited_or_joined {
        return Ok(());
    }
    // 5.3.5: restricted (v8+), knock_restricted (v10+).
    let restricted = (rules.restricted_join_rule && join_rule == "restricted")
        || (rules.knock_restricted_join_rule && join_rule == "knock_restricted");
    if restricted {
        if invited_or_joined {
            return Ok(());
        }
        return restricted_join(ctx);
    }
    // 5.3.6
    if join_rule == "public" {
        return Ok(());
    }
    // 5.3.7
    let why = format!("the join rule is {join_rule} and the sender's membership is {current}");
    Err(ctx.reject(
        codes::JOIN_NOT_ALLOWED,
        "$.content.membership",
        "5.3.7",
        &why,
        rules_event.or(member),
    ))
}

/// Rule 5.3.5.2–5.3.5.3: a restricted join is allowed when `join_authorised_via_users_server`
/// names a joined member with the invite level.
fn restricted_join(ctx: &Ctx) -> Result<(), Problem> {
    let via = ctx
        .event
        .content()
        .get("join_authorised_via_users_server")
        .and_then(Value::as_str);
    let fail = |why: &str, against| {
        Err(ctx.reject(
            codes::JOIN_RESTRICTED_NOT_AUTHORISED,
            "$.content.join_authorised_via_users_server",
            "5.3.5.2",
            why,
            against,
        ))
    };
    let Some(via) = via else {
        return fail(
            "a restricted join by a user not invited names no join_authorised_via_users_server",
            None,
        );
    };
    let (membership, member) = ctx.membership(via);
    if membership != "join" {
        return fail(&format!("{via}, who authorised the join, is not a joined member (their membership is {membership})"), member);
    }
    let level = ctx.level_of(via);
    let needed = ctx.int_level("invite");
    if level < super::Power::Level(needed) {
        return fail(&format!("{via}, who authorised the join, has power level {level}, below the invite level {needed}"), ctx.pl_event());
    }
    Ok(())
}

/// Rule 5.4: `membership: invite`.
fn invite(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    if ctx.event.content().contains_key("third_party_invite") {
        return third_party_invite::check(ctx, target);
    }
    ctx.check_sender_joined("5.4.2")?;
    let (current, member) = ctx.membership(target);
    if matches!(current, "join" | "ban") {
        let why = format!("the invited user's membership is {current}");
        return Err(ctx.reject(
            codes::INVITE_TARGET_JOINED_OR_BANNED,
            "$.state_key",
            "5.4.3",
            &why,
            member,
        ));
    }
    let level = ctx.level_of(&ctx.event.fields.sender);
    ctx.check_level(level, "invite", codes::INVITE_LEVEL, "5.4.4")
}

/// Rule 5.5: `membership: leave` — leaving, rejecting an invite, kicking, unbanning.
fn leave(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    let sender = ctx.event.fields.sender.as_str();
    if sender == target {
        // 5.5.1: v1–v6 invite or join; v7+ also knock.
        let (current, member) = ctx.membership(sender);
        let ok =
            matches!(current, "invite" | "join") || (ctx.version.knocking && current == "knock");
        if ok {
            return Ok(());
        }
        let why = format!("the sender leaves but their membership is {current}");
        return Err(ctx.reject(
            codes::LEAVE_NOT_MEMBER,
            "$.content.membership",
            "5.5.1",
            &why,
            member,
        ));
    }
    ctx.check_sender_joined("5.5.2")?;
    let sender_level = ctx.level_of(sender);
    let (current, _) = ctx.membership(target);
    if current == "ban" {
        ctx.check_level(sender_level, "ban", codes::UNBAN_LEVEL, "5.5.3")?;
    }
    ctx.check_level(sender_level, "kick", codes::KICK_LEVEL, "5.5.4")?;
    check_above(ctx, target, sender_level, codes::KICK_LEVEL, "5.5.4")
}

/// Rule 5.6: `membership: ban`.
fn ban(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    ctx.check_sender_joined("5.6.1")?;
    let sender_level = ctx.level_of(&ctx.event.fields.sender);
    ctx.check_level(sender_level, "ban", codes::BAN_LEVEL, "5.6.2")?;
    check_above(ctx, target, sender_level, codes::BAN_LEVEL, "5.6.2")
}

/// "… and the target user's power level is less than the sender's power level".
fn check_above(
    ctx: &Ctx,
    target: &str,
    sender_level: super::Power,
    code: &'static str,
    rule: &str,
) -> Result<(), Problem> {
    let target_level = ctx.level_of(target);
    if target_level < sender_level {
        return Ok(());
    }
    let why =
        format!("the target's power level {target_level} is not below the sender's {sender_level}");
    Err(ctx.reject(
        code,
        "$.state_key",
        rule,
        &why,
        ctx.pl_event().or(Some(ctx.create)),
    ))
}

/// Rule 5.7 (v7+): `membership: knock`.
fn knock(ctx: &Ctx, target: &str) -> Result<(), Problem> {
    let (join_rule, rules_event) = join_rule(ctx);
    let allowed = join_rule == "knock"
        || (ctx.rules().knock_restricted_join_rule && join_rule == "knock_restricted");
    if !allowed {
        let why = format!("the join rule is {join_rule}, which does not allow knocking");
        return Err(ctx.reject(
            codes::KNOCK_NOT_ALLOWED,
            "$.content.membership",
            "5.7.1",
            &why,
            rules_event,
        ));
    }
    let sender = ctx.event.fields.sender.as_str();
    if sender != target {
        return Err(ctx.reject(
            codes::KNOCK_SENDER_NOT_TARGET,
            "$.state_key",
            "5.7.2",
            "the sender of a knock is not its state_key",
            None,
        ));
    }
    let (current, member) = ctx.membership(sender);
    if matches!(current, "ban" | "invite" | "join") {
        let why = format!("the sender's membership is {current}");
        return Err(ctx.reject(
            codes::KNOCK_MEMBERSHIP,
            "$.content.membership",
            "5.7.4",
            &why,
            member,
        ));
    }
    Ok(())
}
