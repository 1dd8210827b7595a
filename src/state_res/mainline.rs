//! The mainline ordering.
//!
//! Spec ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)): "Let P =
//! P0 be an m.room.power_levels event. Starting with i = 0, repeatedly fetch Pi+1, the
//! m.room.power_levels event in the auth_events of Pi. Increment i and repeat until Pi has
//! no m.room.power_levels event in its auth_events. The mainline of P0 is the list of
//! events [P0, P1, …, Pn], fetched in this way. Let e = e0 be another event (possibly
//! another m.room.power_levels event). We can compute a similar list of events [e1, …, em],
//! where ej+1 is the m.room.power_levels event in the auth_events of ej … Find the smallest
//! index j ≥ 1 for which ej belongs to the mainline of P. If such a j exists, then ej = Pi
//! for some unique index i ≥ 0. Otherwise set i = ∞ … the mainline position of e is i.
//! Given mainline positions calculated from P, the mainline ordering based on P of a set of
//! events is the ordering, from smallest to largest, using the following comparison
//! relation on events: for events x and y, x < y if 1. the mainline position of x is
//! greater than the mainline position of y (i.e. the auth chain of x is based on an earlier
//! event in the mainline than y); or 2. the mainline positions of the events are the same,
//! but x's origin_server_ts is less than y's origin_server_ts; or 3. the mainline positions
//! of the events are the same and the events have the same origin_server_ts, but x's
//! event_id is less than y's event_id."

use std::cmp::Reverse;
use std::collections::HashMap;

use super::{Events, Gap, Resolver};
use crate::dag::NodeIndex;

/// The `m.room.power_levels` event among the auth events of `n`, if any; memoised per
/// node (mainline walks ask for the same events at every merge).
fn power_levels_of(
    res: &mut Resolver,
    events: &dyn Events,
    n: NodeIndex,
) -> Result<Option<NodeIndex>, Gap> {
    const UNKNOWN: NodeIndex = NodeIndex::MAX;
    const NONE: NodeIndex = NodeIndex::MAX - 1;
    let i = n as usize;
    match res.power_levels_of.get(i).copied() {
        Some(NONE) => return Ok(None),
        Some(UNKNOWN) | None => {}
        Some(pl) => return Ok(Some(pl)),
    }
    let edges = res.chains.auth_events(events, n)?;
    let found = edges.iter().copied().find(|&a| {
        events.pdu(a).is_some_and(|p| {
            p.fields.event_type == "m.room.power_levels"
                && p.fields.state_key.as_deref() == Some("")
        })
    });
    if res.power_levels_of.len() <= i {
        res.power_levels_of.resize(i + 1, UNKNOWN);
    }
    res.power_levels_of[i] = found.unwrap_or(NONE);
    Ok(found)
}

/// The mainline of `p`: `p` and the power levels events reached from it, newest first.
pub fn mainline(
    res: &mut Resolver,
    events: &dyn Events,
    p: Option<NodeIndex>,
) -> Result<Vec<NodeIndex>, Gap> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut next = p;
    while let Some(n) = next {
        if !seen.insert(n) {
            break;
        }
        out.push(n);
        next = power_levels_of(res, events, n)?;
    }
    Ok(out)
}

/// Sorts `list` by the mainline ordering based on the power levels event `p`.
pub fn sort(
    res: &mut Resolver,
    events: &dyn Events,
    list: &[NodeIndex],
    p: Option<NodeIndex>,
) -> Result<Vec<NodeIndex>, Gap> {
    // The mainline of the last power levels event asked for is kept: successive
    // resolutions in a room mostly share their power levels.
    let index = match res.mainline.take() {
        Some((q, index)) if q == p => index,
        _ => {
            let line = mainline(res, events, p)?;
            line.iter().enumerate().map(|(i, &n)| (n, i)).collect()
        }
    };
    let result = positions(res, events, list, &index);
    res.mainline = Some((p, index));
    result
}

/// `list` sorted by mainline position in `index` (mainline event → its index), then
/// `origin_server_ts`, then event ID.
fn positions(
    res: &mut Resolver,
    events: &dyn Events,
    list: &[NodeIndex],
    index: &HashMap<NodeIndex, usize>,
) -> Result<Vec<NodeIndex>, Gap> {
    // Position: `None` is ∞ (no power levels event of the mainline in its chain).
    let mut keyed = Vec::with_capacity(list.len());
    for &e in list {
        let position = position_in(res, events, e, index, list.len())?;
        let pdu = res.pdu(events, e, "an event of the full conflicted set")?;
        // x < y when x's position is greater: ∞ first, then larger indices.
        let rank = match position {
            None => Reverse(usize::MAX),
            Some(i) => Reverse(i),
        };
        keyed.push((rank, pdu.fields.origin_server_ts, pdu.event_id.clone(), e));
    }
    crate::sort::sort(&mut keyed);
    Ok(keyed.into_iter().map(|k| k.3).collect())
}

/// The mainline position of `e` in `index` (`None`: ∞): the index of the first power
/// levels event of its chain of power levels events that is on the mainline.
fn position_in(
    res: &mut Resolver,
    events: &dyn Events,
    e: NodeIndex,
    index: &HashMap<NodeIndex, usize>,
    listed: usize,
) -> Result<Option<usize>, Gap> {
    let mut seen = 0;
    let mut at = power_levels_of(res, events, e)?;
    while let Some(pl) = at {
        if let Some(&i) = index.get(&pl) {
            return Ok(Some(i));
        }
        seen += 1;
        if seen > index.len() + events_limit(listed) {
            break;
        }
        at = power_levels_of(res, events, pl)?;
    }
    Ok(None)
}

/// The mainline position of `e` based on the power levels event `p` (`None`: ∞), as
/// the mainline ordering reads it.
pub fn position(
    res: &mut Resolver,
    events: &dyn Events,
    e: NodeIndex,
    p: Option<NodeIndex>,
) -> Result<Option<usize>, Gap> {
    let line = mainline(res, events, p)?;
    let index: HashMap<NodeIndex, usize> = line.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    position_in(res, events, e, &index, 1)
}

/// A bound on a power levels walk, against `auth_events` links that loop.
fn events_limit(n: usize) -> usize {
    n.saturating_mul(4).max(1 << 16)
}
