//! Checks 5 and 6 on receipt, and the room state before and after every held timeline
//! event.
//!
//! Spec: [room version 2, state resolution](https://spec.matrix.org/v1.16/rooms/v2/#state-resolution):
//! "The room state S′(E) after an event E is defined in terms of the room state S(E) before
//! E … If E is a message event, then S′(E) = S(E). If E is a state event, then S′(E) is
//! S(E), except that its entry corresponding to the event_type and state_key of E is
//! replaced by the event_id of E. The room state S(E) before E is the resolution of the set
//! of states {S′(E1), S′(E2), …} after the prev_events {E1, E2, …} of E."
//! [Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu):
//! "5. Passes authorization rules based on the state before the event, otherwise it is
//! rejected. 6. Passes authorization rules based on the current state of the room,
//! otherwise it is 'soft failed'." [§ Rejection](https://spec.matrix.org/v1.16/server-server-api/#rejection):
//! a rejected event is not part of the state (so S′(E) = S(E) for it).
//!
//! The states depend only on the event's ancestors (its `prev_events`, recursively, and
//! their auth chains) and their verdicts, never on the order events arrived in: a state is
//! kept once it is complete; a state that needed an event not held (a gap) is computed
//! again after the next input. Check 6 is run again after every input, since the current
//! state moves as events arrive.
//!
//! The current state is the resolution of the states after the held forward extremities.
//! Check 6 is applied to the events a server would have received while that state was
//! current: those that are not ancestors of every forward extremity (an unmerged branch);
//! an event every extremity descends from was merged into the room, and judging it against
//! a state long after it would soft-fail history.

mod before;
mod current;
mod queries;

use std::rc::Rc;

use serde::Serialize;

use super::{Held, Room};
use crate::dag::{NodeIndex, RoomDag};
use crate::event::{Pdu, Verdict};
use crate::problem::Problem;
use crate::room_version::RoomVersion;
use crate::state_res::{Events, Gap, Resolver, StateMap};

/// Codes of the errors of [`super::RoomSession::state_at`] and
/// [`super::RoomSession::auth_chain`] (a state not known is `auth_unknown`).
pub mod codes {
    /// The state or auth chain of an event the session does not hold (in the timeline, for
    /// a state) was asked for.
    pub const EVENT_NOT_HELD: &str = "state_event_not_held";
}

/// The result of checks 5 and 6 for one held timeline event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StateAuth {
    /// Not checked: an outlier, an event that did not pass checks 1–4, or no room version.
    #[default]
    NotChecked,
    /// The state before the event is not known: an event it needs is not held or not
    /// decided (`auth_unknown`).
    Unknown {
        /// The `auth_unknown` problem naming them.
        problem: Box<Problem>,
        /// The events missing.
        missing: Vec<String>,
    },
    /// It passes the rules against the state before it (and, where check 6 applies, the
    /// current state).
    Allowed,
    /// It fails them against the state before it (check 5).
    Rejected {
        /// The rule it failed, naming the state entry.
        problem: Box<Problem>,
    },
    /// It passes checks 4 and 5 but fails the rules against the current state (check 6).
    SoftFailed {
        /// The rule it failed, naming the state entry.
        problem: Box<Problem>,
    },
}

/// Which state of an event: the one before it or the one after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Position {
    /// S(E): the resolution of the states after its `prev_events`.
    Before,
    /// S′(E): S(E) with E in it when E is an accepted state event.
    After,
}

/// One entry of a room state.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct StateEntry {
    /// The event type.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The state key.
    pub state_key: String,
    /// The event in force.
    pub event_id: String,
}

/// Why a state cannot be given.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum StateError {
    /// The event is not a held timeline event of the session.
    NotHeld {
        /// The event asked for.
        event_id: String,
    },
    /// The state is not known: events it needs are not held or not decided.
    Unknown {
        /// The events missing.
        missing: Vec<String>,
        /// What needed them.
        why: String,
    },
}

impl StateError {
    /// The problem code and a message naming the event and what is missing.
    pub fn describe(&self) -> (&'static str, String) {
        match self {
            StateError::NotHeld { event_id } => (
                codes::EVENT_NOT_HELD,
                format!(
                    "{event_id} is not held by the session (as a timeline event, for a state)."
                ),
            ),
            StateError::Unknown { missing, why } => (
                crate::auth::codes::AUTH_UNKNOWN,
                format!(
                    "The state is not known: {} not held or not decided ({why}).",
                    missing.join(", ")
                ),
            ),
        }
    }
}

/// The state of one event, once computed.
#[derive(Clone, Debug)]
struct Slot {
    before: Result<Rc<StateMap>, Rc<Gap>>,
    after: Result<Rc<StateMap>, Rc<Gap>>,
}

impl Slot {
    fn complete(&self) -> bool {
        self.before.is_ok() && self.after.is_ok()
    }
}

/// What a room keeps of its states between inputs.
#[derive(Clone, Debug, Default)]
pub(crate) struct StateTable {
    /// Interned keys and memoised auth chains.
    pub res: Resolver,
    /// By node: the states before and after it.
    slots: Vec<Option<Slot>>,
    /// The current state, as of the last pass.
    current: Option<Result<Rc<StateMap>, Gap>>,
    /// Events soft-failed by the last pass, with the verdict they had before.
    soft_failed: Vec<(NodeIndex, Verdict)>,
    /// Events rejected by check 5, with the verdict they had before.
    rejected: Vec<(NodeIndex, Verdict)>,
    /// The merges whose states conflicted: what their resolution did.
    pub merges: std::collections::HashMap<NodeIndex, super::merges::MergeNote>,
    /// State resets found since [`Room::take_new_resets`] was last called.
    new_resets: Vec<Problem>,
    /// By node: the auth events of each event check 4 allowed (kept so that check 5 needs
    /// no second parse of an event whose state before holds exactly its auth events).
    auth_nodes: Vec<Option<Box<[NodeIndex]>>>,
}

/// The held events as state resolution reads them.
pub(crate) struct HeldEvents<'a> {
    pub dag: &'a RoomDag,
    pub auth: &'a super::authorise::AuthTable,
    pub held: &'a [Option<Held>],
}

impl Events for HeldEvents<'_> {
    fn pdu(&self, node: NodeIndex) -> Option<&Pdu> {
        match self.dag.is_held(node) {
            true => self.auth.kept(node),
            false => None,
        }
    }
    fn node(&self, event_id: &str) -> Option<NodeIndex> {
        self.dag.index_of(event_id)
    }
    fn event_id(&self, node: NodeIndex) -> String {
        self.dag.event_id(node)
    }
    fn rejected(&self, node: NodeIndex) -> bool {
        self.held
            .get(node as usize)
            .and_then(Option::as_ref)
            .is_some_and(|h| {
                matches!(h.verdict, Verdict::Rejected | Verdict::Dropped)
                    || matches!(h.auth, super::Auth::Rejected { .. })
            })
    }
}

impl StateTable {
    /// Keeps the auth events of an event check 4 allowed.
    pub(super) fn note_auth_events(&mut self, node: NodeIndex, auth: Vec<NodeIndex>) {
        let i = node as usize;
        if self.auth_nodes.len() <= i {
            self.auth_nodes.resize(i + 1, None);
        }
        self.auth_nodes[i] = Some(auth.into_boxed_slice());
    }

    /// The auth events noted for `node` ([`Self::note_auth_events`]), if any.
    pub(super) fn auth_events_noted(&self, node: NodeIndex) -> Option<&[NodeIndex]> {
        self.auth_nodes.get(node as usize)?.as_deref()
    }

    /// Bytes of heap memory the states, the auth events kept for check 5 and the
    /// memoised auth edges hold; a state shared by several events (`Rc`) is counted once.
    pub fn heap_bytes(&self) -> usize {
        let mut seen = std::collections::HashSet::new();
        let mut states = 0;
        for slot in self.slots.iter().flatten() {
            for map in [&slot.before, &slot.after].into_iter().flatten() {
                if seen.insert(Rc::as_ptr(map)) {
                    // The map's entries, and the `Rc` block with its two counts.
                    states += map.heap_bytes() + std::mem::size_of::<StateMap>() + 16;
                }
            }
        }
        let auth_nodes = self.auth_nodes.capacity()
            * std::mem::size_of::<Option<Box<[NodeIndex]>>>()
            + self
                .auth_nodes
                .iter()
                .flatten()
                .map(|b| b.len() * 4)
                .sum::<usize>();
        let merges = self.merges.capacity()
            * (std::mem::size_of::<(NodeIndex, super::merges::MergeNote)>() + 1)
            + self.merges.values().map(|m| m.heap_bytes()).sum::<usize>();
        states
            + auth_nodes
            + merges
            + self.slots.capacity() * std::mem::size_of::<Option<Slot>>()
            + self.res.chains.heap_bytes()
    }
}

impl Room {
    /// The held events as state resolution reads them, beside the state table to update
    /// (the two borrowed apart).
    fn events_and_state(&mut self) -> (HeldEvents<'_>, &mut StateTable) {
        let Room {
            dag,
            auth,
            held,
            state,
            ..
        } = self;
        (HeldEvents { dag, auth, held }, state)
    }

    fn events(&self) -> HeldEvents<'_> {
        HeldEvents {
            dag: &self.dag,
            auth: &self.auth,
            held: &self.held,
        }
    }

    /// Forgets every state, auth chain and check 5 or 6 result.
    pub(crate) fn forget_states(&mut self) {
        self.undo_soft_fail();
        for (node, verdict) in std::mem::take(&mut self.state.rejected) {
            if let Some(h) = self.held_mut(node) {
                if let StateAuth::Rejected { problem } = std::mem::take(&mut h.state) {
                    h.problems.retain(|p| *p != *problem);
                    h.verdict = verdict;
                }
            }
        }
        let auth_nodes = std::mem::take(&mut self.state.auth_nodes);
        self.state = StateTable {
            auth_nodes,
            ..StateTable::default()
        };
    }

    /// Brings the states and checks 5 and 6 up to date after an input: states that were
    /// not complete are computed again, complete ones are kept.
    pub(crate) fn resolve_states(&mut self, version: &RoomVersion) {
        for slot in self.state.slots.iter_mut() {
            if slot.as_ref().is_some_and(|s| !s.complete()) {
                *slot = None;
            }
        }
        self.undo_soft_fail();
        self.compute_states(version);
        self.check_current(version);
    }

    /// The states before and after each held timeline event that has none yet (and check
    /// 5), in linear order.
    fn compute_states(&mut self, version: &RoomVersion) {
        for node in self.dag.linear_order() {
            self.compute_state(version, node);
        }
    }

    /// The states of `node` (and check 5) when it is a held timeline event with none yet,
    /// but not the current state nor check 6: a large input taken in parts computes them
    /// for the events of its last parts ([`super::parts`]), in the order they came, so that
    /// little is left for its end. A state found complete stays: it depends only on the
    /// event's ancestors and their verdicts, which later events do not change; one that is
    /// not (a prev event not placed or not computed yet, an auth event not held) is
    /// computed again by [`Self::resolve_states`]. Soft failures (check 6 of an earlier
    /// input) play no part in it.
    pub(crate) fn compute_state(&mut self, version: &RoomVersion, node: NodeIndex) {
        let i = node as usize;
        let has_slot = self.state.slots.get(i).is_some_and(Option::is_some);
        if has_slot || !self.dag.is_timeline(node) {
            return;
        }
        let slot = self.compute(version, node);
        if self.state.slots.len() <= i {
            self.state.slots.resize(i + 1, None);
        }
        self.state.slots[i] = Some(slot);
    }
}
