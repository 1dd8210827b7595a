//! The state resolution algorithm of room version 1.
//!
//! Spec ([room version 1, state resolution](https://spec.matrix.org/v1.16/rooms/v1/#state-resolution)):
//! "1. Start by setting R to the union of the states to be resolved, excluding any
//! conflicting events. 2. First we resolve conflicts between m.room.power_levels events.
//! If there is no conflict, this step is skipped, otherwise: a. Assemble all the
//! m.room.power_levels events from the states to be resolved into a list. b. Sort the list
//! by ascending depth then descending sha1(event_id). c. Add the first event in the list to
//! R. d. For each subsequent event in the list, check that the event would be allowed by
//! the authorization rules for a room in state R. If the event would be allowed, then
//! update R with the event and continue with the next event in the list. If it would not
//! be allowed, stop and continue below with m.room.join_rules events. 3. Repeat the above
//! process for conflicts between m.room.join_rules events. 4. Repeat the above process for
//! conflicts between m.room.member events. 5. No other events affect the authorization
//! rules, so for all other conflicts, just pick the event with the highest depth and lowest
//! sha1(event_id) that passes authentication in R and add it to R."
//!
//! As Synapse does, each step reads R as it was when the step began (the events a step
//! picks for different keys do not authorise each other), and an event that fails in step
//! 5 for every candidate leaves the one of lowest depth.

use super::iterative::authorize_in;
use super::sha1::sha1;
use super::{split, Events, Gap, Key, Resolver, StateMap};
use crate::dag::NodeIndex;

/// Which step of the algorithm a conflicted key belongs to.
fn step_of(event_type: &str) -> u8 {
    match event_type {
        "m.room.power_levels" => 0,
        "m.room.join_rules" => 1,
        "m.room.member" => 2,
        _ => 3,
    }
}

/// Resolves `states` (at least two, not all equal).
pub fn resolve(
    res: &mut Resolver,
    events: &dyn Events,
    states: &[&StateMap],
) -> Result<StateMap, Gap> {
    let (unconflicted, conflicted) = split(states, true);
    let mut r = unconflicted.clone();
    let mut resolved = StateMap::new();
    for step in 0..4u8 {
        let at_start = r.clone();
        for (key, candidates) in &conflicted {
            if step_of(res.keys.pair(*key).0) != step {
                continue;
            }
            let ordered = order(res, events, candidates)?;
            let winner = match step {
                3 => pick_normal(res, events, &ordered, &at_start),
                _ => pick_auth(res, events, *key, &ordered, &at_start),
            };
            if let Some(w) = winner {
                resolved.insert(*key, w);
            }
        }
        r.extend(&resolved);
    }
    let mut out = unconflicted;
    out.extend(&resolved);
    Ok(out)
}

/// `candidates` by ascending depth, then descending `sha1(event_id)`.
fn order(
    res: &Resolver,
    events: &dyn Events,
    candidates: &[NodeIndex],
) -> Result<Vec<NodeIndex>, Gap> {
    let mut keyed = Vec::with_capacity(candidates.len());
    for &n in candidates {
        let pdu = res.pdu(events, n, "a conflicted state event")?;
        keyed.push((
            pdu.fields.depth,
            std::cmp::Reverse(sha1(pdu.event_id.as_bytes())),
            n,
        ));
    }
    crate::sort::sort(&mut keyed);
    Ok(keyed.into_iter().map(|k| k.2).collect())
}

/// Steps 2–4: from the first event, take each next one while the rules allow it in R.
fn pick_auth(
    res: &Resolver,
    events: &dyn Events,
    key: Key,
    ordered: &[NodeIndex],
    r: &StateMap,
) -> Option<NodeIndex> {
    let mut state = r.clone();
    let mut prev = *ordered.first()?;
    for &e in &ordered[1..] {
        state.insert(key, prev);
        let pdu = events.pdu(e)?;
        if authorize_in(&res.keys, events, pdu, &state, &[]).is_err() {
            break;
        }
        prev = e;
    }
    Some(prev)
}

/// Step 5: the event of highest depth and lowest `sha1(event_id)` that passes in R, else
/// the one of lowest depth.
fn pick_normal(
    res: &Resolver,
    events: &dyn Events,
    ordered: &[NodeIndex],
    r: &StateMap,
) -> Option<NodeIndex> {
    ordered
        .iter()
        .rev()
        .copied()
        .find(|&e| {
            events
                .pdu(e)
                .is_some_and(|p| authorize_in(&res.keys, events, p, r, &[]).is_ok())
        })
        .or_else(|| ordered.first().copied())
}
