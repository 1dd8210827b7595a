//! What the resolution at each merge did: the conflicted state, and state resets.
//!
//! A merge is a held timeline event with several `prev_events`; the state before it is the
//! resolution of the states after them ([room version 2, state
//! resolution](https://spec.matrix.org/v1.16/rooms/v2/#state-resolution)). Its *conflicted
//! state* is the `(type, state_key)` pairs on which those states disagree (v1: hold
//! different events). A *state reset* is a resolution that undoes what one side knew, for
//! the state that decides who may do what (`m.room.member`, `m.room.power_levels`,
//! `m.room.join_rules`):
//!
//! - the resolved event for a pair is one that a side's own event for that pair was
//!   authorised on top of (it is in the auth chain of the side's event): the room went back
//!   to the older event;
//! - or every side held an event for the pair and the resolved state holds none.

use serde::Serialize;

use crate::dag::NodeIndex;
use crate::dag::RoomDag;
use crate::problem::Problem;
use crate::state_res::explain::{PairExplained, Taken};
use crate::state_res::{split, Events, Key, Keys, Resolver, StateMap};

/// Codes of the findings of this module.
pub mod codes {
    /// The resolution at a merge went back to an older membership, power levels or join
    /// rules event than one a side held, or lost one every side held (a warning).
    pub const STATE_RESET: &str = "state_reset";
}

/// The types whose resets are reported.
const WATCHED: [&str; 3] = ["m.room.member", "m.room.power_levels", "m.room.join_rules"];

/// What the resolution at one merge did, as kept (nodes and keys).
#[derive(Clone, Debug, Default)]
pub(crate) struct MergeNote {
    /// Each conflicted pair: the events the sides held (sorted, distinct) and the one
    /// resolved (none when the pair left the state).
    conflicted: Vec<(Key, Vec<NodeIndex>, Option<NodeIndex>)>,
    /// The state resets found, as findings.
    pub resets: Vec<Problem>,
}

/// One conflicted `(type, state_key)` at a merge, for readers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConflictedEntry {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The state key.
    pub state_key: String,
    /// The events the merged states held for it, distinct, sorted.
    pub candidates: Vec<String>,
    /// The event the resolution kept, if any.
    pub resolved: Option<String>,
    /// The candidates in the order state resolution took them, each with why it was kept
    /// or not (empty when the resolution could not be run again).
    pub outcomes: Vec<CandidateOutcome>,
    /// The step of the algorithm that decided, in a sentence.
    pub decided_by: Option<String>,
}

/// One candidate of a conflicted pair, as state resolution took it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CandidateOutcome {
    /// The event.
    pub event_id: String,
    /// `power_ordering` (step 2), `mainline_ordering` (step 4) or `room_version_1`.
    pub step: &'static str,
    /// Its place in that ordering (from 0).
    pub place: Option<usize>,
    /// Its sender's power level by its own auth events (power events).
    pub sender_power: Option<String>,
    /// Its mainline position (other events; null is ∞ or not applicable).
    pub mainline_position: Option<usize>,
    /// Its `origin_server_ts`.
    pub origin_server_ts: i64,
    /// The rule that refused it against the partial state, if one did.
    pub refused_by: Option<String>,
    /// Why it was kept or not, in a sentence.
    pub why: String,
}

/// What the resolution at one merge did, for readers (`EventDetails.merge`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeDetails {
    /// The conflicted state, by type then state key.
    pub conflicted: Vec<ConflictedEntry>,
    /// The state resets found at this merge (`state_reset` findings).
    pub resets: Vec<Problem>,
}

impl MergeNote {
    /// The conflicted state of `states` (the states after a merge's `prev_events`) and
    /// the resets of `resolved`; `None` when the states do not conflict.
    pub(crate) fn of(
        res: &mut Resolver,
        events: &dyn Events,
        merge: NodeIndex,
        states: &[&StateMap],
        resolved: &StateMap,
        v1: bool,
    ) -> Option<MergeNote> {
        let (_, conflicted) = split(states, v1);
        if conflicted.is_empty() {
            return None;
        }
        let mut note = MergeNote::default();
        for (key, candidates) in conflicted {
            let now = resolved.get(key);
            let (event_type, state_key) = res.keys.pair(key);
            if WATCHED.contains(&event_type) {
                let pair = format!("{event_type} for {state_key:?}");
                let reset = match now {
                    None if states.iter().all(|s| s.get(key).is_some()) => Some(format!(
                        "every merged state held an {pair} ({}), the resolved state holds none",
                        ids(events, &candidates)
                    )),
                    None => None,
                    Some(r) => candidates
                        .iter()
                        .find(|&&v| v != r && res.chains.reaches(events, v, r))
                        .map(|&v| {
                            format!(
                                "the resolved {pair} is {}, an event that {} (held by a merged side) was authorised on top of: the room went back to the older event",
                                events.event_id(r),
                                events.event_id(v)
                            )
                        }),
                };
                if let Some(why) = reset {
                    note.resets.push(Problem::warning(
                        codes::STATE_RESET,
                        "$.prev_events",
                        format!(
                            "State reset at the merge {}: {why}.",
                            events.event_id(merge)
                        ),
                    ));
                }
            }
            note.conflicted.push((key, candidates, now));
        }
        Some(note)
    }

    /// Bytes of heap memory the note holds (resets, rare, counted by their messages).
    pub(crate) fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(Key, Vec<NodeIndex>, Option<NodeIndex>)>();
        self.conflicted.capacity() * entry
            + self
                .conflicted
                .iter()
                .map(|c| c.1.capacity() * 4)
                .sum::<usize>()
            + self
                .resets
                .iter()
                .map(|p| p.message.len() + p.path.len())
                .sum::<usize>()
    }

    /// The note as readers see it.
    pub(crate) fn details(&self, res: &Resolver, dag: &RoomDag) -> MergeDetails {
        let mut conflicted: Vec<ConflictedEntry> = self
            .conflicted
            .iter()
            .map(|(key, candidates, now)| {
                let (t, s) = res.keys.pair(*key);
                let mut ids: Vec<String> = candidates.iter().map(|&n| dag.event_id(n)).collect();
                crate::sort::sort(&mut ids);
                ConflictedEntry {
                    event_type: t.to_owned(),
                    state_key: s.to_owned(),
                    candidates: ids,
                    resolved: now.map(|n| dag.event_id(n)),
                    outcomes: Vec::new(),
                    decided_by: None,
                }
            })
            .collect();
        crate::sort::sort_by(&mut conflicted, |a, b| {
            (&a.event_type, &a.state_key).cmp(&(&b.event_type, &b.state_key))
        });
        MergeDetails {
            conflicted,
            resets: self.resets.clone(),
        }
    }
}

impl MergeDetails {
    /// Adds what [`explain`] says of each conflicted pair.
    pub(crate) fn attach(&mut self, explained: &[PairExplained], keys: &Keys, dag: &RoomDag) {
        for pair in explained {
            let (t, s) = keys.pair(pair.key);
            let Some(entry) = self
                .conflicted
                .iter_mut()
                .find(|c| c.event_type == t && c.state_key == s)
            else {
                continue;
            };
            entry.decided_by = Some(pair.decided_by.clone());
            entry.outcomes = pair
                .candidates
                .iter()
                .map(|c| {
                    let (step, place) = match c.taken {
                        Taken::PowerOrdering(i) => ("power_ordering", Some(i)),
                        Taken::MainlineOrdering(i) => ("mainline_ordering", Some(i)),
                        Taken::RoomVersion1 => ("room_version_1", None),
                    };
                    CandidateOutcome {
                        event_id: dag.event_id(c.node),
                        step,
                        place,
                        sender_power: c.sender_power.as_ref().map(|p| p.to_string()),
                        mainline_position: c.mainline_position,
                        origin_server_ts: c.origin_server_ts,
                        refused_by: c.refused.as_ref().map(|p| p.code.to_owned()),
                        why: c.why.clone(),
                    }
                })
                .collect();
        }
    }
}

fn ids(events: &dyn Events, nodes: &[NodeIndex]) -> String {
    let list: Vec<String> = nodes.iter().map(|&n| events.event_id(n)).collect();
    list.join(", ")
}
