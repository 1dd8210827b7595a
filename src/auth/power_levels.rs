//! Power levels: reading `m.room.power_levels` as each version allows, the levels the
//! other rules ask for, and rule 10 (changing the power levels).
//!
//! Spec: [`m.room.power_levels`](https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels)
//! (defaults); rule 10 of [v12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)
//! (rule 9 before v12; integers only from
//! [v10](https://spec.matrix.org/v1.16/rooms/v10/#authorization-rules); strings holding an
//! integer in [v1–v9](https://spec.matrix.org/v1.16/rooms/v1/#mroompower_levels-events-accept-values-as-strings);
//! floats, truncated, in [v1–v5](https://spec.matrix.org/v1.16/rooms/v1/#mroompower_levels-events-accept-values-as-floats)).

use super::{codes, Ctx};
use crate::canonical_json::{Object, Value};
use crate::event::format::is_user_id;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// A user's power level: an integer, or infinite for a v12 room creator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Power {
    /// An ordinary level.
    Level(i64),
    /// A room creator in room version 12.
    Infinite,
}

impl std::fmt::Display for Power {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Power::Level(n) => write!(f, "{n}"),
            Power::Infinite => f.write_str("infinite (a room creator)"),
        }
    }
}

/// The seven integer levels and their defaults when absent from the event.
pub const INT_FIELDS: [(&str, i64); 7] = [
    ("users_default", 0),
    ("events_default", 0),
    ("state_default", 50),
    ("ban", 50),
    ("redact", 50),
    ("kick", 50),
    ("invite", 0),
];

/// One `m.room.power_levels` content, read; the maps borrow their keys from the content
/// (this is read for every event authorised) and keep its order, which is sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PowerLevels<'a> {
    /// The values of [`INT_FIELDS`] present, in that order.
    pub ints: [Option<i64>; 7],
    /// `events`.
    pub events: Vec<(&'a str, i64)>,
    /// `notifications`.
    pub notifications: Vec<(&'a str, i64)>,
    /// `users`.
    pub users: Vec<(&'a str, i64)>,
}

/// One level as the version reads it: an integer; in v1–v9 also a string holding one
/// (leading and trailing whitespace, a sign and leading zeros allowed); in v1–v5 a float,
/// truncated.
pub fn level_value(value: &Value, version: &RoomVersion) -> Option<i64> {
    match value {
        Value::Int(n) => Some(*n),
        Value::String(s) if version.auth.string_power_levels => {
            let t = s.trim();
            let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            t.strip_prefix('+').unwrap_or(t).parse().ok()
        }
        Value::Float(f) if version.auth.float_power_levels && f.is_finite() => {
            let t = f.trunc();
            (t >= i64::MIN as f64 && t <= i64::MAX as f64).then_some(t as i64)
        }
        _ => None,
    }
}

impl<'a> PowerLevels<'a> {
    /// Reads `content` as `version` allows (rules 10.1–10.3); `Err` names the field and
    /// what is wrong with it.
    pub fn parse(
        content: &'a Object,
        version: &RoomVersion,
    ) -> Result<PowerLevels<'a>, (String, String)> {
        let mut out = PowerLevels::default();
        let wanted = match version.auth.string_power_levels {
            true => "an integer or a string holding one",
            false => "an integer",
        };
        for (i, (field, _)) in INT_FIELDS.iter().enumerate() {
            if let Some(value) = content.get(field) {
                let n = level_value(value, version)
                    .ok_or_else(|| (format!("`{field}`"), format!("is not {wanted}")))?;
                out.ints[i] = Some(n);
            }
        }
        for (field, map) in [
            ("events", &mut out.events),
            ("notifications", &mut out.notifications),
            ("users", &mut out.users),
        ] {
            let Some(value) = content.get(field) else {
                continue;
            };
            let object = value
                .as_object()
                .ok_or_else(|| (format!("`{field}`"), "is not an object".to_owned()))?;
            for (key, v) in object.iter() {
                if field == "users" && !is_user_id(key) {
                    return Err((
                        format!("`users` key {key:?}"),
                        "is not a user ID".to_owned(),
                    ));
                }
                let n = level_value(v, version)
                    .ok_or_else(|| (format!("`{field}.{key}`"), format!("is not {wanted}")))?;
                map.push((key, n));
            }
        }
        Ok(out)
    }

    /// The level of `user`: its entry in `users`, else `users_default`.
    pub fn user(&self, user: &str) -> i64 {
        lookup(&self.users, user).unwrap_or_else(|| self.int("users_default"))
    }

    /// One of [`INT_FIELDS`], or its default when absent.
    pub fn int(&self, field: &str) -> i64 {
        INT_FIELDS
            .iter()
            .position(|(f, _)| *f == field)
            .map_or(0, |i| self.ints[i].unwrap_or(INT_FIELDS[i].1))
    }
}

/// The value under `key` in a map read from a content object (sorted by key, as the
/// object keeps its entries).
fn lookup(map: &[(&str, i64)], key: &str) -> Option<i64> {
    map.binary_search_by(|(k, _)| (*k).cmp(key))
        .ok()
        .map(|i| map[i].1)
}

/// One of the integer levels in force: from the power levels, or its default, which is
/// the same with no power levels event at all ("If there is no `state_default` in the
/// `m.room.power_levels` event, or there is no `m.room.power_levels` event, the
/// `state_default` is 50", [`m.room.power_levels`](https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels);
/// the older text giving 0 was removed in spec v1.7).
pub fn int_level(levels: Option<&PowerLevels>, field: &str) -> i64 {
    match levels {
        Some(levels) => levels.int(field),
        None => PowerLevels::default().int(field),
    }
}

/// The level an event of `event_type` requires: `events[type]`, else `state_default` for a
/// state event and `events_default` for others.
pub fn required_level(levels: Option<&PowerLevels>, event_type: &str, is_state: bool) -> i64 {
    let by_type = levels.and_then(|l| lookup(&l.events, event_type));
    by_type.unwrap_or_else(|| {
        int_level(
            levels,
            if is_state {
                "state_default"
            } else {
                "events_default"
            },
        )
    })
}

/// Rule 10 for an `m.room.power_levels` event whose sender has `sender_level`:
/// 10.1–10.3 its values are readable; 10.4 (v12) `users` names no creator; 10.5 the
/// first power levels are allowed; 10.6–10.10 each change is within the sender's level.
pub fn check_change(ctx: &Ctx, sender_level: Power) -> Result<(), Problem> {
    let event = ctx.event;
    let fail = |code, rule: &str, why: String| {
        Err(ctx.reject(code, "$.content", rule, &why, ctx.pl_event()))
    };
    let new = match PowerLevels::parse(event.content(), &ctx.version) {
        Ok(new) => new,
        Err((field, why)) => {
            let why = format!("{field} {why}");
            return Err(ctx.reject(
                codes::POWER_LEVELS_INVALID,
                "$.content",
                "10.1–10.3",
                &why,
                None,
            ));
        }
    };
    if ctx.rules().privileged_creators {
        if let Some(creator) = ctx
            .creators()
            .into_iter()
            .find(|c| lookup(&new.users, c).is_some())
        {
            let why = format!("`users` names the room creator {creator}");
            return Err(ctx.reject(
                codes::POWER_LEVELS_NAMES_CREATOR,
                "$.content.users",
                "10.4",
                &why,
                Some(ctx.create),
            ));
        }
    }
    // Rule 10.5: with no previous power levels, allow.
    let Some((_, old)) = &ctx.power_levels else {
        return Ok(());
    };
    let above = |n: i64| Power::Level(n) > sender_level;
    for (i, (field, default)) in INT_FIELDS.iter().enumerate() {
        if old.ints[i] == new.ints[i] {
            continue;
        }
        let (was, now) = (
            old.ints[i].unwrap_or(*default),
            new.ints[i].unwrap_or(*default),
        );
        if above(was) || above(now) {
            return fail(codes::POWER_LEVELS_CHANGE, "10.6", format!("`{field}` changes from {was} to {now}, above the sender's power level {sender_level}"));
        }
    }
    let mut maps = vec![("events", &old.events, &new.events)];
    if ctx.rules().limit_notifications {
        maps.push(("notifications", &old.notifications, &new.notifications));
    }
    for (field, was_map, now_map) in maps {
        for (key, was, now) in changes(was_map, now_map) {
            if was.is_some_and(above) {
                return fail(
                    codes::POWER_LEVELS_CHANGE,
                    "10.7",
                    format!(
                        "`{field}.{key}` is {} and the sender's power level is only {sender_level}",
                        was.unwrap_or(0)
                    ),
                );
            }
            if now.is_some_and(above) {
                return fail(
                    codes::POWER_LEVELS_CHANGE,
                    "10.8",
                    format!(
                        "`{field}.{key}` becomes {}, above the sender's power level {sender_level}",
                        now.unwrap_or(0)
                    ),
                );
            }
        }
    }
    for (user, was, now) in changes(&old.users, &new.users) {
        let not_own = user != event.fields.sender;
        if not_own && was.is_some_and(|w| Power::Level(w) >= sender_level) {
            return fail(
                codes::POWER_LEVELS_CHANGE,
                "10.9",
                format!(
                    "`users.{user}` is {}, not below the sender's power level {sender_level}",
                    was.unwrap_or(0)
                ),
            );
        }
        if now.is_some_and(above) {
            return fail(
                codes::POWER_LEVELS_CHANGE,
                "10.10",
                format!(
                    "`users.{user}` becomes {}, above the sender's power level {sender_level}",
                    now.unwrap_or(0)
                ),
            );
        }
    }
    Ok(())
}

/// Every key whose value differs between `was` and `now`, with both values.
fn changes<'m>(
    was: &[(&'m str, i64)],
    now: &[(&'m str, i64)],
) -> Vec<(&'m str, Option<i64>, Option<i64>)> {
    let mut keys: Vec<&str> = was.iter().chain(now).map(|(k, _)| *k).collect();
    crate::sort::sort(&mut keys);
    keys.dedup();
    keys.into_iter()
        .map(|k| (k, lookup(was, k), lookup(now, k)))
        .filter(|(_, a, b)| a != b)
        .collect()
}
