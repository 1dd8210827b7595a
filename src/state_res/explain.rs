//! Why a resolution kept what it kept: for each conflicted `(type, state_key)`, the events
//! the merged states held, where state resolution took each, whether the rules let it in,
//! and the step of the algorithm that decided.
//!
//! Spec ([v2, algorithm](https://spec.matrix.org/v1.16/rooms/v2/#algorithm)): power events
//! are sorted by the reverse topological power ordering (greater sender power first, then
//! earlier `origin_server_ts`, then smaller event ID, auth events before the events they
//! authorise) and taken by the iterative auth checks (step 2); the other events are sorted
//! by the mainline ordering (older power levels first, then `origin_server_ts`, then event
//! ID) and taken after them (step 4). Each event the rules allow replaces the one before
//! it, so the event kept for a pair is the last one of its candidates the rules allowed.

use super::v2::{resolve_traced, Trace};
use super::{mainline, power_order, split, Events, Gap, Key, Resolver, StateMap};
use crate::auth::power_levels::Power;
use crate::dag::NodeIndex;
use crate::problem::Problem;
use crate::room_version::{RoomVersion, StateResAlgorithm};

/// Where state resolution took a candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// Step 2: among the power events, at this place of the reverse topological power
    /// ordering.
    PowerOrdering(usize),
    /// Step 4: among the other events, at this place of the mainline ordering.
    MainlineOrdering(usize),
    /// Room version 1's algorithm (by depth, then SHA-1 of the event ID).
    RoomVersion1,
}

/// One candidate of a conflicted pair.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// The event.
    pub node: NodeIndex,
    /// Where it was taken.
    pub taken: Taken,
    /// Its sender's power level by its own auth events (power events).
    pub sender_power: Option<Power>,
    /// Its mainline position (other events; `None` is ∞).
    pub mainline_position: Option<usize>,
    /// Its `origin_server_ts`.
    pub origin_server_ts: i64,
    /// The rule that refused it against the partial state, if one did.
    pub refused: Option<Problem>,
    /// Why it was kept or not, in a sentence.
    pub why: String,
}

/// What the resolution did for one conflicted pair.
#[derive(Clone, Debug)]
pub struct PairExplained {
    /// The pair.
    pub key: Key,
    /// Its candidates, in the order they were taken.
    pub candidates: Vec<Candidate>,
    /// The event kept.
    pub kept: Option<NodeIndex>,
    /// The step that decided, in a sentence.
    pub decided_by: String,
}

/// Resolves `states` (at least two) again, recording each step, and explains each
/// conflicted pair.
pub fn explain(
    res: &mut Resolver,
    events: &dyn Events,
    version: &RoomVersion,
    states: &[&StateMap],
) -> Result<Vec<PairExplained>, Gap> {
    let v1 = version.state_res == StateResAlgorithm::V1;
    let (_, conflicted) = split(states, v1);
    if v1 {
        let resolved = res.resolve(version, events, states)?;
        return conflicted
            .into_iter()
            .map(|(key, nodes)| explain_v1(res, events, key, nodes, resolved.get(key)))
            .collect();
    }
    let mut trace = Trace::default();
    let v2_1 = version.state_res == StateResAlgorithm::V2_1;
    let resolved = match states {
        [first, rest @ ..] if rest.iter().all(|s| s == first) => (*first).clone(),
        _ => resolve_traced(res, events, states, v2_1, Some(&mut trace))?,
    };
    let mut out = Vec::with_capacity(conflicted.len());
    for (key, nodes) in conflicted {
        let kept = resolved.get(key);
        let mut candidates = Vec::with_capacity(nodes.len());
        for n in nodes {
            candidates.push(candidate(res, events, &trace, n)?);
        }
        crate::sort::sort_by_key(&mut candidates, |c| match c.taken {
            Taken::PowerOrdering(i) => (0, i),
            Taken::MainlineOrdering(i) => (1, i),
            Taken::RoomVersion1 => (2, 0),
        });
        let winner = kept.and_then(|k| candidates.iter().find(|c| c.node == k).cloned());
        let alone = candidates.len() == 1;
        for c in &mut candidates {
            c.why = match (alone, Some(c.node) == kept) {
                (true, true) => "kept: the only event for this pair, which some merged states lack (so it is conflicted); the rules let it in".to_owned(),
                _ => why(res, events, c, winner.as_ref()),
            };
        }
        let decided_by = match &winner {
            Some(w) => format!(
                "{} kept: the last of these the rules let in, {}",
                events.event_id(w.node),
                match w.taken {
                    Taken::PowerOrdering(_) => "in the reverse topological power ordering of the power events (step 2)",
                    _ => "in the mainline ordering of the other events, taken after the power events (step 4)",
                }
            ),
            None => "none kept: the rules let none of these in against the partial state".to_owned(),
        };
        out.push(PairExplained {
            key,
            candidates,
            kept,
            decided_by,
        });
    }
    Ok(out)
}

/// A candidate as the trace saw it (its `why` is filled in afterwards).
fn candidate(
    res: &mut Resolver,
    events: &dyn Events,
    trace: &Trace,
    n: NodeIndex,
) -> Result<Candidate, Gap> {
    let pdu = res.pdu(events, n, "a conflicted state event")?;
    let origin_server_ts = pdu.fields.origin_server_ts;
    let refused = trace
        .checked
        .iter()
        .find(|(m, _)| *m == n)
        .and_then(|(_, p)| p.clone());
    let (taken, sender_power, mainline_position) =
        match trace.power_order.iter().position(|&m| m == n) {
            Some(i) => (
                Taken::PowerOrdering(i),
                Some(power_order::sender_power(res, events, n)?),
                None,
            ),
            None => {
                let i = trace.mainline_order.iter().position(|&m| m == n);
                let position = mainline::position(res, events, n, trace.mainline_of)?;
                (
                    Taken::MainlineOrdering(i.unwrap_or(usize::MAX)),
                    None,
                    position,
                )
            }
        };
    Ok(Candidate {
        node: n,
        taken,
        sender_power,
        mainline_position,
        origin_server_ts,
        refused,
        why: String::new(),
    })
}

/// Why `c` was kept or not, against the `winner`.
fn why(
    res: &mut Resolver,
    events: &dyn Events,
    c: &Candidate,
    winner: Option<&Candidate>,
) -> String {
    if let Some(p) = &c.refused {
        return format!(
            "refused by the rules against the partial state: {} ({})",
            p.code, p.message
        );
    }
    let Some(w) = winner else {
        return "not kept".to_owned();
    };
    if w.node == c.node {
        return "kept: taken last of those the rules let in".to_owned();
    }
    let winner_id = events.event_id(w.node);
    let ours = events.event_id(c.node);
    match (c.taken, w.taken) {
        (Taken::PowerOrdering(_), Taken::MainlineOrdering(_)) => format!(
            "a power event, taken in step 2; {winner_id} is not one and was taken after it, in step 4"
        ),
        (Taken::PowerOrdering(_), Taken::PowerOrdering(_)) => {
            if res.chains.reaches(events, w.node, c.node) {
                return format!("taken before {winner_id}, which was authorised on top of it (its auth chain holds it)");
            }
            let (cp, wp) = (c.sender_power, w.sender_power);
            let before = match (cp, wp) {
                (Some(x), Some(y)) if x != y && x > y => format!("its sender's power level ({x}) is above that of {winner_id}'s sender ({y}), and greater power goes first"),
                (Some(x), Some(y)) if x == y && c.origin_server_ts < w.origin_server_ts => format!("the same sender power ({x}) and an earlier origin_server_ts"),
                (Some(x), Some(y)) if x == y && c.origin_server_ts == w.origin_server_ts && ours < winner_id => format!("the same sender power ({x}) and timestamp, and a smaller event ID"),
                _ => format!("{winner_id} waited for its own auth events in the conflicted set"),
            };
            format!("taken before {winner_id} and replaced by it: {before}")
        }
        (Taken::MainlineOrdering(_), Taken::MainlineOrdering(_)) => {
            let at = |p: Option<usize>| p.map_or("∞ (no power levels of the mainline)".to_owned(), |i| i.to_string());
            let before = match (c.mainline_position, w.mainline_position) {
                (x, y) if x != y => format!("its power levels are older on the mainline (position {} against {})", at(x), at(y)),
                (x, _) if c.origin_server_ts < w.origin_server_ts => format!("the same mainline position ({}) and an earlier origin_server_ts", at(x)),
                (x, _) => format!("the same mainline position ({}) and timestamp, and a smaller event ID", at(x)),
            };
            format!("taken before {winner_id} and replaced by it: {before}")
        }
        _ => format!("not kept: {winner_id} was"),
    }
}

/// Room version 1: the candidates by depth (then SHA-1 of the event ID), the kept one.
fn explain_v1(
    res: &mut Resolver,
    events: &dyn Events,
    key: Key,
    nodes: Vec<NodeIndex>,
    kept: Option<NodeIndex>,
) -> Result<PairExplained, Gap> {
    let mut candidates = Vec::with_capacity(nodes.len());
    for n in nodes {
        let pdu = res.pdu(events, n, "a conflicted state event")?;
        let why = match Some(n) == kept {
            true => "kept by room version 1's algorithm".to_owned(),
            false => "not kept by room version 1's algorithm".to_owned(),
        };
        candidates.push(Candidate {
            node: n,
            taken: Taken::RoomVersion1,
            sender_power: None,
            mainline_position: None,
            origin_server_ts: pdu.fields.origin_server_ts,
            refused: None,
            why,
        });
    }
    Ok(PairExplained {
        key,
        candidates,
        kept,
        decided_by: "room version 1's algorithm: power levels, join rules and memberships from the oldest (by depth) while each next one passes the rules; other state the deepest that passes".to_owned(),
    })
}
