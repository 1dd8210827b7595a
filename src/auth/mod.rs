//! The authorization rules of room versions 1–12, as a homeserver applies them on receipt:
//! check 4 of [the checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu),
//! "the event passes the authorization rules based on the events in its own `auth_events`".
//!
//! Spec: the "Authorization rules" section of each room version's page
//! ([v1](https://spec.matrix.org/v1.16/rooms/v1/#authorization-rules) …
//! [v12](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)); rule numbers in
//! doc comments and messages are v12's unless a version is named. What differs between
//! versions is read from [`crate::room_version::AuthRules`], never from version strings.
//!
//! - [`authorize`] runs the rules for one event against its auth events (all held; the
//!   caller says which were rejected), and returns the first rule it fails as a
//!   [`Problem`] naming the event, the rule and the auth event it failed against.
//! - [`selection`] is the auth events selection and the rules on the `auth_events` list.
//! - The rules by concern: [`create`], [`member`], [`third_party_invite`],
//!   [`power_levels`], [`redaction`] (with the v1–v5 `m.room.aliases` rule).
//!
//! The signature rule on `join_authorised_via_users_server` (v8+ rule 5.2) is check 2 of
//! the checks on receipt, done before this ([`crate::event::verdict::required_servers`]).

pub mod codes;
pub mod create;
pub mod member;
pub mod power_levels;
pub mod redaction;
pub mod selection;
pub mod third_party_invite;

use crate::canonical_json::Value;
use crate::event::format::server_of;
use crate::event::Pdu;
use crate::problem::Problem;
use crate::room_version::{AuthRules, RoomVersion};
use power_levels::{Power, PowerLevels};

/// One auth event as held: its PDU (the redacted form when its content hash failed) and
/// whether it was itself rejected or dropped on receipt (rule 3.3).
#[derive(Clone, Copy, Debug)]
pub struct AuthEvent<'a> {
    /// The event.
    pub pdu: &'a Pdu,
    /// Rejected or dropped on receipt.
    pub rejected: bool,
}

/// What an event is authorised against: the entries of its `auth_events`, each held, in
/// the order it lists them, and in room version 12 the create event its room ID names.
#[derive(Clone, Copy, Debug)]
pub struct AuthEvents<'a> {
    /// The held entries of `auth_events`, in order.
    pub entries: &'a [AuthEvent<'a>],
    /// v12: the create event `$` + the room ID without its `!` (not an auth event there);
    /// ignored in earlier versions.
    pub create: Option<AuthEvent<'a>>,
}

/// Runs the authorization rules of the event's room version for `event` against
/// `auth` (all of its auth events, held). `Err` is the first rule it fails.
pub fn authorize(event: &Pdu, auth: &AuthEvents) -> Result<(), Problem> {
    let version = event.room_version;
    if event.is_create() {
        return create::check(event);
    }
    let create = selection::check(event, auth)?;
    let ctx = Ctx::new(event, create, auth.entries)?;
    ctx.check_federate()?;
    if version.auth.special_case_aliases && event.fields.event_type == "m.room.aliases" {
        return redaction::check_aliases(&ctx);
    }
    if event.fields.event_type == "m.room.member" {
        return member::check(&ctx);
    }
    ctx.check_sender_joined("6")?;
    let sender_level = ctx.level_of(&event.fields.sender);
    if event.fields.event_type == "m.room.third_party_invite" {
        // Rule 7.1: allow if and only if the sender has the invite level.
        return ctx.check_level(sender_level, "invite", codes::INVITE_LEVEL, "7.1");
    }
    ctx.check_event_level(sender_level)?;
    ctx.check_state_key(&event.fields.state_key)?;
    if event.fields.event_type == "m.room.power_levels" {
        return power_levels::check_change(&ctx, sender_level);
    }
    if version.auth.special_case_redaction && event.fields.event_type == "m.room.redaction" {
        return redaction::check(&ctx, sender_level);
    }
    // Rule 11: otherwise, allow.
    Ok(())
}

/// The power level of `event`'s sender "when looking at its auth events", as the reverse
/// topological power ordering of state resolution reads it
/// ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)): the level
/// the current `m.room.power_levels` among `auth` gives (infinite for a v12 creator, 100
/// for the creator and 0 for others when there is none); 0 when `auth` holds no create
/// event or unreadable power levels.
pub fn sender_level(event: &Pdu, auth: &AuthEvents) -> Power {
    let create = match (event.room_version.auth.privileged_creators, auth.create) {
        (true, Some(c)) => Some(c.pdu),
        _ => auth.entries.iter().map(|e| e.pdu).find(|p| p.is_create()),
    };
    match create.map(|c| Ctx::new(event, c, auth.entries)) {
        Some(Ok(ctx)) => ctx.level_of(&event.fields.sender),
        _ => Power::Level(0),
    }
}

/// The event under check and the room state its auth events give.
pub struct Ctx<'a> {
    /// The event being authorised.
    pub event: &'a Pdu,
    /// Its room version.
    pub version: RoomVersion,
    /// The create event of the room.
    pub create: &'a Pdu,
    /// The auth events (the state the rules read).
    pub entries: &'a [AuthEvent<'a>],
    /// The current `m.room.power_levels` among them, parsed.
    pub power_levels: Option<(&'a Pdu, PowerLevels<'a>)>,
}

impl<'a> Ctx<'a> {
    /// The context of `event`, parsing the current power levels among `entries`.
    fn new(event: &'a Pdu, create: &'a Pdu, entries: &'a [AuthEvent<'a>]) -> Result<Self, Problem> {
        let mut ctx = Ctx {
            event,
            version: event.room_version,
            create,
            entries,
            power_levels: None,
        };
        if let Some(pl) = ctx.state("m.room.power_levels", "") {
            match PowerLevels::parse(pl.content(), &ctx.version) {
                Ok(levels) => ctx.power_levels = Some((pl, levels)),
                Err((path, why)) => {
                    return Err(ctx.reject(
                        codes::POWER_LEVELS_INVALID,
                        "$.auth_events",
                        "10.1–10.3",
                        &format!("the current power levels are unreadable: {path} {why}"),
                        Some(pl),
                    ))
                }
            }
        }
        Ok(ctx)
    }

    /// The version's rules.
    pub fn rules(&self) -> AuthRules {
        self.version.auth
    }

    /// The auth event of `event_type` and `state_key`, when the event lists one.
    pub fn state(&self, event_type: &str, state_key: &str) -> Option<&'a Pdu> {
        self.entries.iter().map(|e| e.pdu).find(|p| {
            p.fields.event_type == event_type && p.fields.state_key.as_deref() == Some(state_key)
        })
    }

    /// `user`'s current membership (`leave` when the auth events hold none) and the event
    /// that set it.
    pub fn membership(&self, user: &str) -> (&'a str, Option<&'a Pdu>) {
        match self.state("m.room.member", user) {
            Some(member) => (member.membership().unwrap_or("leave"), Some(member)),
            None => ("leave", None),
        }
    }

    /// The room creators: the create event's `content.creator` (v1–v10) or `sender`
    /// (v11+), and from v12 `content.additional_creators`.
    pub fn creators(&self) -> Vec<&'a str> {
        let rules = self.rules();
        let content = self.create.content();
        let mut out = Vec::with_capacity(1);
        let first = match rules.creator_in_content {
            true => content.get("creator").and_then(Value::as_str),
            false => Some(self.create.fields.sender.as_str()),
        };
        out.extend(first);
        if rules.privileged_creators {
            let more = content.get("additional_creators").and_then(Value::as_array);
            out.extend(more.into_iter().flatten().filter_map(Value::as_str));
        }
        out
    }

    /// `user`'s power level: infinite for a v12 creator; else `users` or `users_default`
    /// of the current power levels; with none, 100 for the creator and 0 for others
    /// ([`m.room.power_levels`](https://spec.matrix.org/v1.16/client-server-api/#mroompower_levels),
    /// [v12 note on creators](https://spec.matrix.org/v1.16/rooms/v12/#authorization-rules)).
    pub fn level_of(&self, user: &str) -> Power {
        let creator = self.creators().contains(&user);
        if creator && self.rules().privileged_creators {
            return Power::Infinite;
        }
        match &self.power_levels {
            Some((_, levels)) => Power::Level(levels.user(user)),
            None if creator => Power::Level(100),
            None => Power::Level(0),
        }
    }

    /// The value of one of the seven integer levels (`ban`, `invite`, …) in force.
    pub fn int_level(&self, field: &str) -> i64 {
        power_levels::int_level(self.power_levels.as_ref().map(|(_, l)| l), field)
    }

    /// The power levels event, when the rule read it.
    pub fn pl_event(&self) -> Option<&'a Pdu> {
        self.power_levels.as_ref().map(|(p, _)| *p)
    }

    /// A rejection of the event: `rule` is the rule's number, `why` what failed, `against`
    /// the auth event the rule read.
    pub fn reject(
        &self,
        code: &'static str,
        path: &str,
        rule: &str,
        why: &str,
        against: Option<&Pdu>,
    ) -> Problem {
        reject(self.event, code, path, rule, why, against)
    }

    /// Rule 4: a room created with `m.federate: false` takes events only from the create
    /// event's sender's server.
    fn check_federate(&self) -> Result<(), Problem> {
        let federate = self.create.content().get("m.federate");
        let same_server =
            server_of(&self.event.fields.sender) == server_of(&self.create.fields.sender);
        match (federate, same_server) {
            (Some(Value::Bool(false)), false) => Err(self.reject(
                codes::NOT_FEDERATED,
                "$.sender",
                "4",
                "the room is not federated (`m.federate: false`) and the sender's server is not the create event's",
                Some(self.create),
            )),
            _ => Ok(()),
        }
    }

    /// "If the sender's current membership state is not join, reject" (rules 5.4.2, 5.5.2,
    /// 5.6.1 and 6).
    pub fn check_sender_joined(&self, rule: &str) -> Result<(), Problem> {
        let (membership, member) = self.membership(&self.event.fields.sender);
        if membership == "join" {
            return Ok(());
        }
        Err(self.reject(
            codes::SENDER_NOT_JOINED,
            "$.sender",
            rule,
            &format!("the sender's membership is {membership}, not join"),
            member,
        ))
    }

    /// Rejects unless `level` reaches the level `field` (`invite`, `ban`, …) requires.
    pub fn check_level(
        &self,
        level: Power,
        field: &str,
        code: &'static str,
        rule: &str,
    ) -> Result<(), Problem> {
        let needed = self.int_level(field);
        if level >= Power::Level(needed) {
            return Ok(());
        }
        Err(self.reject(
            code,
            "$.sender",
            rule,
            &format!("the sender's power level {level} is below the {field} level {needed}"),
            self.pl_event(),
        ))
    }

    /// Rule 8: the sender needs the level the event's type requires (`events`, else
    /// `state_default` for state events, `events_default` for others).
    fn check_event_level(&self, level: Power) -> Result<(), Problem> {
        let event = self.event;
        let needed = power_levels::required_level(
            self.power_levels.as_ref().map(|(_, l)| l),
            &event.fields.event_type,
            event.is_state(),
        );
        if level >= Power::Level(needed) {
            return Ok(());
        }
        Err(self.reject(
            codes::EVENT_LEVEL,
            "$.type",
            "8",
            &format!(
                "the sender's power level {level} is below the level {needed} that {} requires",
                event.fields.event_type
            ),
            self.pl_event(),
        ))
    }

    /// Rule 9: a `state_key` starting with `@` must be the sender.
    fn check_state_key(&self, state_key: &Option<String>) -> Result<(), Problem> {
        match state_key {
            Some(key) if key.starts_with('@') && *key != self.event.fields.sender => Err(self
                .reject(
                    codes::STATE_KEY_OTHER_USER,
                    "$.state_key",
                    "9",
                    &format!("the state key {key} is another user's ID"),
                    None,
                )),
            _ => Ok(()),
        }
    }
}

/// One line naming an event: `$id (type [state_key] from sender)`.
pub fn describe(pdu: &Pdu) -> String {
    let key = match pdu.fields.state_key.as_deref() {
        Some(key) if !key.is_empty() => format!(" [{key}]"),
        _ => String::new(),
    };
    format!(
        "{} ({}{key} from {})",
        pdu.event_id, pdu.fields.event_type, pdu.fields.sender
    )
}

/// A rejection of `event` by `rule`; see [`Ctx::reject`].
pub fn reject(
    event: &Pdu,
    code: &'static str,
    path: &str,
    rule: &str,
    why: &str,
    against: Option<&Pdu>,
) -> Problem {
    let against = against
        .map(|a| format!(", checked against auth event {}", describe(a)))
        .unwrap_or_default();
    // Rules are numbered as on the v12 page unless the rule names its own versions.
    let numbering = match event.room_version.auth.privileged_creators || rule.contains('(') {
        true => String::new(),
        false => " (numbered as in room version 12)".to_owned(),
    };
    Problem::error(
        code,
        path,
        format!(
            "{} is rejected by rule {rule}{numbering} of the authorization rules of room version {}: {why}{against}.",
            describe(event),
            event.room_version
        ),
    )
}
