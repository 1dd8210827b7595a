//! The iterative auth checks, and authorising one event against a room state (checks 5
//! and 6 on receipt use the same lookup).
//!
//! Spec ([v2, algorithm](https://spec.matrix.org/v1.16/rooms/v2/#algorithm)): "The
//! iterative auth checks algorithm takes as input an initial room state and a sorted list
//! of state events, and constructs a new room state by iterating through the event list
//! and applying the state event to the room state if the state event is allowed by the
//! authorization rules. If the state event is not allowed by the authorization rules, then
//! the event is ignored. If a (event_type, state_key) key that is required for checking the
//! authorization rules is not present in the state, then the appropriate state event from
//! the event's auth_events is used if the auth event is not rejected."

use super::{Events, Gap, Keys, Resolver, StateMap};
use crate::auth::{self, selection, AuthEvent, AuthEvents};
use crate::dag::NodeIndex;
use crate::event::Pdu;
use crate::problem::Problem;

/// Runs the authorization rules for `pdu` with, for each `(type, state_key)` the auth
/// events selection picks, the event `state` holds, else the one of `fallback` (the
/// event's own auth events, skipping rejected ones). In room version 12 the create event
/// is the one the room ID names.
pub fn authorize_in(
    keys: &Keys,
    events: &dyn Events,
    pdu: &Pdu,
    state: &StateMap,
    fallback: &[NodeIndex],
) -> Result<(), Problem> {
    let lookup = |event_type: &str, state_key: &str| -> Option<&Pdu> {
        let in_state = keys
            .get(event_type, state_key)
            .and_then(|k| state.get(k))
            .and_then(|n| events.pdu(n));
        in_state.or_else(|| {
            fallback
                .iter()
                .filter(|&&n| !events.rejected(n))
                .filter_map(|&n| events.pdu(n))
                .find(|p| {
                    p.fields.event_type == event_type
                        && p.fields.state_key.as_deref() == Some(state_key)
                })
        })
    };
    let entries: Vec<AuthEvent> = selection::selected(pdu)
        .iter()
        .filter_map(|(t, k)| lookup(t, k))
        .map(|p| AuthEvent {
            pdu: p,
            rejected: false,
        })
        .collect();
    let create = match pdu.room_version.auth.privileged_creators {
        true => create_of(events, pdu).or_else(|| lookup("m.room.create", "")),
        false => None,
    }
    .map(|p| AuthEvent {
        pdu: p,
        rejected: false,
    });
    auth::authorize(
        pdu,
        &AuthEvents {
            entries: &entries,
            create,
        },
    )
}

/// v12: the create event the room ID of `pdu` names, when held.
pub fn create_of<'e>(events: &'e dyn Events, pdu: &Pdu) -> Option<&'e Pdu> {
    let room = pdu.fields.room_id.as_deref()?;
    let id = format!("${}", room.strip_prefix('!').unwrap_or(room));
    events.node(&id).and_then(|n| events.pdu(n))
}

/// The iterative auth checks over `list` (sorted), from `state`; with `record`, the
/// result of each event is pushed to it (`None`: applied; else the rule that refused it).
pub fn iterative_auth_checks(
    res: &mut Resolver,
    events: &dyn Events,
    list: &[NodeIndex],
    mut state: StateMap,
    mut record: Option<&mut Vec<(NodeIndex, Option<Problem>)>>,
) -> Result<StateMap, Gap> {
    for &n in list {
        let pdu = res.pdu(events, n, "an event of the full conflicted set")?;
        let Some(key) = res.key_of(pdu) else {
            continue;
        };
        let own = res.chains.auth_events(events, n)?.to_vec();
        let result = authorize_in(&res.keys, events, pdu, &state, &own);
        if result.is_ok() {
            state.insert(key, n);
        }
        if let Some(record) = record.as_deref_mut() {
            record.push((n, result.err()));
        }
    }
    Ok(state)
}
