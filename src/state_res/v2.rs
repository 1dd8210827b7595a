//! State resolution v2 (room versions 2–11) and v2.1 (room version 12).
//!
//! Spec: [room version 2, algorithm](https://spec.matrix.org/v1.16/rooms/v2/#algorithm):
//! "The resolution of a set of states is obtained as follows:
//! 1. Select the set X of all power events that appear in the full conflicted set. For
//!    each such power event P, enlarge X by adding the events in the auth chain of P which
//!    also belong to the full conflicted set. Sort X into a list using the reverse
//!    topological power ordering.
//! 2. Apply the iterative auth checks algorithm, starting from the unconflicted state map,
//!    to the list of events from the previous step to get a partially resolved state.
//! 3. Take all remaining events that weren't picked in step 1 and order them by the
//!    mainline ordering based on the power level in the partially resolved state obtained
//!    in step 2.
//! 4. Apply the iterative auth checks algorithm on the partial resolved state and the list
//!    of events from the previous step.
//! 5. Update the result by replacing any event with the event with the same key from the
//!    unconflicted state map, if such an event exists, to get the final resolved state."
//!
//! The full conflicted set is "the union of the conflicted state set and the auth
//! difference". [Room version 12](https://spec.matrix.org/v1.16/rooms/v12/#state-resolution)
//! (v2.1, MSC4297) adds the conflicted state subgraph to it, and starts step 2 from an
//! empty state map instead of the unconflicted one (the unconflicted state map is applied
//! again in step 5, so state that no conflict touched is not lost, and the create event is
//! read from the room ID by the rules).

use super::{iterative, mainline, power_order, split, Events, Gap, Resolver, StateMap};
use crate::dag::NodeIndex;

/// What one resolution did, for explaining it ([`super::explain`]).
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Step 1: the power events (and their conflicted auth events) in the reverse
    /// topological power ordering.
    pub power_order: Vec<NodeIndex>,
    /// Step 3: the other events in the mainline ordering.
    pub mainline_order: Vec<NodeIndex>,
    /// The power levels event of the partial state step 3 ordered by.
    pub mainline_of: Option<NodeIndex>,
    /// Steps 2 and 4: each event taken by the iterative auth checks, in order, with the
    /// rule that refused it (`None`: applied).
    pub checked: Vec<(NodeIndex, Option<crate::problem::Problem>)>,
}

/// Resolves `states` (at least two, not all equal); `v2_1` selects room version 12's
/// revision.
pub fn resolve(
    res: &mut Resolver,
    events: &dyn Events,
    states: &[&StateMap],
    v2_1: bool,
) -> Result<StateMap, Gap> {
    resolve_traced(res, events, states, v2_1, None)
}

/// [`resolve`], recording what each step did in `trace` when given.
pub fn resolve_traced(
    res: &mut Resolver,
    events: &dyn Events,
    states: &[&StateMap],
    v2_1: bool,
    mut trace: Option<&mut Trace>,
) -> Result<StateMap, Gap> {
    let (unconflicted, conflicted) = split(states, false);
    if conflicted.is_empty() {
        return Ok(unconflicted);
    }
    let conflicted_events: Vec<NodeIndex> = {
        let mut c: Vec<NodeIndex> = conflicted
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let mut full = res.chains.auth_difference(events, states)?;
    full.extend_from_slice(&conflicted_events);
    if v2_1 {
        full.extend(res.chains.conflicted_subgraph(events, &conflicted_events)?);
    }
    full.sort_unstable();
    full.dedup();
    let full = full;
    // Step 1.
    let mut power_events = Vec::new();
    for &n in &full {
        if power_order::is_power_event(res.pdu(events, n, "an event of the full conflicted set")?) {
            power_events.push(n);
        }
    }
    let sorted_power = power_order::sort(res, events, &power_events, &full)?;
    // Step 2.
    let start = match v2_1 {
        true => StateMap::new(),
        false => unconflicted.clone(),
    };
    let checked = trace.as_deref_mut().map(|t| &mut t.checked);
    let partial = iterative::iterative_auth_checks(res, events, &sorted_power, start, checked)?;
    if let Some(t) = trace.as_deref_mut() {
        t.power_order = sorted_power.clone();
    }
    // Step 3.
    let mut picked = sorted_power;
    picked.sort_unstable();
    let remaining: Vec<NodeIndex> = full
        .iter()
        .copied()
        .filter(|n| picked.binary_search(n).is_err())
        .collect();
    let pl_key = res.keys.intern("m.room.power_levels", "");
    let sorted_rest = mainline::sort(res, events, &remaining, partial.get(pl_key))?;
    if let Some(t) = trace.as_deref_mut() {
        t.mainline_order = sorted_rest.clone();
        t.mainline_of = partial.get(pl_key);
    }
    // Step 4.
    let checked = trace.map(|t| &mut t.checked);
    let mut resolved =
        iterative::iterative_auth_checks(res, events, &sorted_rest, partial, checked)?;
    // Step 5.
    resolved.extend(&unconflicted);
    Ok(resolved)
}
