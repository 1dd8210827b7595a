//! The reverse topological power ordering.
//!
//! Spec ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)): "The
//! reverse topological power ordering of a set of events is the lexicographically smallest
//! topological ordering based on the DAG formed by auth events. The reverse topological
//! power ordering is ordered from earliest event to latest. For comparing two topological
//! orderings to determine which is the lexicographically smallest, the following
//! comparison relation on events is used: for events x and y, x < y if 1. x's sender has
//! greater power level than y's sender, when looking at their respective auth_events; or
//! 2. the senders have the same power level, but x's origin_server_ts is less than y's
//! origin_server_ts; or 3. the senders have the same power level and the events have the
//! same origin_server_ts, but x's event_id is less than y's event_id. The reverse
//! topological power ordering can be found by sorting the events using Kahn's algorithm
//! for topological sorting, and at each step selecting, among all the candidate vertices,
//! the smallest vertex using the above comparison relation."

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::iterative::create_of;
use super::{Events, Gap, Resolver};
use crate::auth::power_levels::Power;
use crate::auth::{self, AuthEvent, AuthEvents};
use crate::dag::NodeIndex;
use crate::event::Pdu;

/// Whether `pdu` is a power event: "a state event with type `m.room.power_levels` or
/// `m.room.join_rules`, or a state event with type `m.room.member` where the `membership`
/// is `leave` or `ban` and the `sender` does not match the `state_key`"
/// ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)). The create
/// event counts too (it can only be conflicted in a broken room, and then must sort first).
pub fn is_power_event(pdu: &Pdu) -> bool {
    let Some(state_key) = pdu.fields.state_key.as_deref() else {
        return false;
    };
    match pdu.fields.event_type.as_str() {
        "m.room.power_levels" | "m.room.join_rules" | "m.room.create" => state_key.is_empty(),
        "m.room.member" => {
            matches!(pdu.membership(), Some("leave" | "ban")) && pdu.fields.sender != state_key
        }
        _ => false,
    }
}

/// The sender's power level as the event's own (not rejected) auth events give it.
pub fn sender_power(
    res: &mut Resolver,
    events: &dyn Events,
    node: NodeIndex,
) -> Result<Power, Gap> {
    let pdu = res.pdu(events, node, "an event of the full conflicted set")?;
    let own = res.chains.auth_events(events, node)?.to_vec();
    let entries: Vec<AuthEvent> = own
        .iter()
        .filter(|&&n| !events.rejected(n))
        .filter_map(|&n| events.pdu(n))
        .map(|p| AuthEvent {
            pdu: p,
            rejected: false,
        })
        .collect();
    let create = match pdu.room_version.auth.privileged_creators {
        true => create_of(events, pdu).map(|p| AuthEvent {
            pdu: p,
            rejected: false,
        }),
        false => None,
    };
    Ok(auth::sender_level(
        pdu,
        &AuthEvents {
            entries: &entries,
            create,
        },
    ))
}

/// Sorts `power_events`, enlarged by the events of their auth chains that are in `full`
/// (sorted), by the reverse topological power ordering, earliest first.
pub fn sort(
    res: &mut Resolver,
    events: &dyn Events,
    power_events: &[NodeIndex],
    full: &[NodeIndex],
) -> Result<Vec<NodeIndex>, Gap> {
    let in_full = |n: NodeIndex| full.binary_search(&n).is_ok();
    // The graph: each event and its auth events that are in the full conflicted set.
    let mut graph: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
    let mut stack: Vec<NodeIndex> = power_events.to_vec();
    while let Some(n) = stack.pop() {
        if graph.contains_key(&n) {
            continue;
        }
        let edges: Vec<NodeIndex> = res
            .chains
            .auth_events(events, n)?
            .iter()
            .copied()
            .filter(|&a| in_full(a))
            .collect();
        stack.extend(edges.iter().copied().filter(|a| !graph.contains_key(a)));
        graph.insert(n, edges);
    }
    // Kahn's algorithm from the oldest events (no auth events in the graph).
    let mut waiting: HashMap<NodeIndex, usize> = HashMap::new();
    let mut referrers: HashMap<NodeIndex, Vec<NodeIndex>> = HashMap::new();
    let mut heap = BinaryHeap::new();
    let mut nodes: Vec<NodeIndex> = graph.keys().copied().collect();
    nodes.sort_unstable();
    for &n in &nodes {
        let edges = &graph[&n];
        for &a in edges {
            referrers.entry(a).or_default().push(n);
        }
        match edges.len() {
            0 => heap.push(Reverse(tie_breaker(res, events, n)?)),
            k => {
                waiting.insert(n, k);
            }
        }
    }
    let mut sorted = Vec::with_capacity(nodes.len());
    while let Some(Reverse((_, _, _, n))) = heap.pop() {
        sorted.push(n);
        for &r in referrers.get(&n).map_or(&[][..], Vec::as_slice) {
            let left = waiting.get_mut(&r).map(|k| {
                *k -= 1;
                *k
            });
            if left == Some(0) {
                heap.push(Reverse(tie_breaker(res, events, r)?));
            }
        }
    }
    Ok(sorted)
}

/// The comparison key of the ordering: greater power first, then earlier
/// `origin_server_ts`, then smaller event ID.
type TieBreaker = (Reverse<Power>, i64, String, NodeIndex);

fn tie_breaker(res: &mut Resolver, events: &dyn Events, n: NodeIndex) -> Result<TieBreaker, Gap> {
    let power = sender_power(res, events, n)?;
    let pdu = res.pdu(events, n, "an event of the full conflicted set")?;
    Ok((
        Reverse(power),
        pdu.fields.origin_server_ts,
        pdu.event_id.clone(),
        n,
    ))
}
