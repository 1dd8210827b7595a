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

use std::rc::Rc;

use serde::Serialize;

use super::merges::{MergeDetails, MergeNote};
use super::{Held, Room};
use crate::auth::codes as auth_codes;
use crate::dag::{NodeIndex, RoomDag};
use crate::event::{Pdu, Verdict};
use crate::problem::{Problem, Severity};
use crate::room_version::RoomVersion;
use crate::state_res::explain::explain;
use crate::state_res::iterative::authorize_in;
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
        for node in self.dag.linear_order() {
            if self
                .state
                .slots
                .get(node as usize)
                .is_some_and(Option::is_some)
            {
                continue;
            }
            let slot = self.compute(version, node);
            let i = node as usize;
            if self.state.slots.len() <= i {
                self.state.slots.resize(i + 1, None);
            }
            self.state.slots[i] = Some(slot);
        }
        self.check_current(version);
    }

    /// The states of one timeline event whose `prev_events` are computed; runs check 5.
    fn compute(&mut self, version: &RoomVersion, node: NodeIndex) -> Slot {
        let before = self.state_before(version, node);
        let after = match &before {
            Ok(state) => self.check_before(version, node, state).map_err(Rc::new),
            Err(gap) => Err(gap.clone()),
        };
        if let Err(gap) = &after {
            self.set_unknown(node, gap);
        }
        Slot { before, after }
    }

    /// S(E): the resolution of the states after the `prev_events`.
    fn state_before(
        &mut self,
        version: &RoomVersion,
        node: NodeIndex,
    ) -> Result<Rc<StateMap>, Rc<Gap>> {
        let mut states: Vec<Rc<StateMap>> = Vec::new();
        for &p in self.dag.prev_events(node) {
            let slot = self.state.slots.get(p as usize).and_then(Option::as_ref);
            match slot.map(|s| &s.after) {
                Some(Ok(state)) => states.push(state.clone()),
                // The gap of the first prev event whose state is not known, shared (not
                // merged: a long chain after a gap would otherwise copy ever longer lists).
                Some(Err(gap)) => return Err(gap.clone()),
                None => {
                    let why = format!("prev_events of {}", self.dag.event_id(node));
                    return Err(Rc::new(Gap::of(self.dag.event_id(p), why)));
                }
            }
        }
        // One state, or the same state on every side (most merges, where neither side
        // changed the state): it is the resolution, with no conflict to note.
        if let [first, rest @ ..] = states.as_slice() {
            // `==` on `Rc`s of an `Eq` type compares the pointers first.
            if rest.iter().all(|s| s == first) {
                if !rest.is_empty() {
                    self.state.merges.remove(&node);
                }
                return Ok(first.clone());
            }
        }
        let Room {
            dag,
            auth,
            held,
            state,
            ..
        } = self;
        let events = HeldEvents { dag, auth, held };
        let refs: Vec<&StateMap> = states.iter().map(|s| &**s).collect();
        let resolved = state
            .res
            .resolve(version, &events, &refs)
            .map_err(Rc::new)?;
        let v1 = version.state_res == crate::room_version::StateResAlgorithm::V1;
        match MergeNote::of(&mut state.res, &events, node, &refs, &resolved, v1) {
            Some(note) => {
                state.new_resets.extend(note.resets.iter().cloned());
                state.merges.insert(node, note);
            }
            None => {
                state.merges.remove(&node);
            }
        }
        // A merge often resolves to the state of one side (the other changed nothing):
        // that side's map is shared, not kept twice.
        Ok(match states.iter().find(|s| ***s == resolved) {
            Some(same) => same.clone(),
            None => Rc::new(resolved),
        })
    }

    /// Check 5 for an event whose state before is known; returns the state after it.
    fn check_before(
        &mut self,
        version: &RoomVersion,
        node: NodeIndex,
        before: &Rc<StateMap>,
    ) -> Result<Rc<StateMap>, Gap> {
        let Some(held) = self.held(node) else {
            return Ok(before.clone());
        };
        match (&held.auth, held.verdict) {
            (super::Auth::Allowed, _) => {}
            (super::Auth::Unknown { missing, .. }, _) => {
                let gap = Gap {
                    missing: missing.clone(),
                    why: format!("auth_events of {}", self.dag.event_id(node)),
                };
                return Err(gap);
            }
            (_, Verdict::Unchecked) => {
                let gap = Gap::of(
                    self.dag.event_id(node),
                    "an event not checked yet (its signing keys are not held)".to_owned(),
                );
                return Err(gap);
            }
            // Rejected or dropped on receipt: never part of the state.
            _ => return Ok(before.clone()),
        }
        if !self.dag.is_state(node) && self.same_as_auth_events(version, node, before) {
            // The rules see the same events as check 4 did: the same result (allowed).
            if let Some(h) = self.held_mut(node) {
                h.state = StateAuth::Allowed;
            }
            return Ok(before.clone());
        }
        let Some(pdu) = self.pdu_of(node, version).map(|p| p.into_owned()) else {
            return Ok(before.clone());
        };
        let result = self.authorize_against(&pdu, before, true);
        let Some(h) = self.held_mut(node) else {
            return Ok(before.clone());
        };
        match result {
            Ok(()) => {
                h.state = StateAuth::Allowed;
            }
            Err(problem) => {
                let was = std::mem::replace(&mut h.verdict, Verdict::Rejected);
                h.problems.insert(0, problem.clone());
                h.state = StateAuth::Rejected {
                    problem: Box::new(problem),
                };
                self.state.rejected.push((node, was));
                return Ok(before.clone());
            }
        }
        let Some(key) = self.state.res.key_of(&pdu) else {
            return Ok(before.clone());
        };
        let mut after = (**before).clone();
        after.insert(key, node);
        Ok(Rc::new(after))
    }

    /// Whether the state before a non-state event holds, for each pair the auth events
    /// selection picks for it (the create event before v12, the power levels, the
    /// sender's membership), exactly the auth event it lists (or neither has one), none of
    /// which was rejected: check 5 then reads what check 4 read.
    fn same_as_auth_events(
        &mut self,
        version: &RoomVersion,
        node: NodeIndex,
        state: &StateMap,
    ) -> bool {
        let Some(Some(own)) = self.state.auth_nodes.get(node as usize) else {
            return false;
        };
        let own = own.clone();
        let sender = self.dag.sender(node).to_owned();
        let mut pairs: Vec<(&str, &str)> =
            vec![("m.room.power_levels", ""), ("m.room.member", &sender)];
        if !version.auth.privileged_creators {
            pairs.push(("m.room.create", ""));
        }
        let events = self.events();
        if own.iter().any(|&n| events.rejected(n)) {
            return false;
        }
        let mut listed = 0;
        for (t, k) in pairs {
            let in_state = self.state.res.keys.get(t, k).and_then(|key| state.get(key));
            let in_own = own.iter().copied().find(|&n| {
                events.pdu(n).is_some_and(|p| {
                    p.fields.event_type == t && p.fields.state_key.as_deref() == Some(k)
                })
            });
            if in_state != in_own {
                return false;
            }
            listed += usize::from(in_own.is_some());
        }
        listed == own.len()
    }

    /// Runs the rules for `pdu` against `state` (check 5 when `before`, else check 6); an
    /// auth event rejected by check 5 rejects it too (rule 3.3).
    fn authorize_against(&self, pdu: &Pdu, state: &StateMap, before: bool) -> Result<(), Problem> {
        let events = self.events();
        let rejected_auth = pdu
            .fields
            .auth_events
            .iter()
            .filter_map(|id| events.node(id))
            .find(|&n| events.rejected(n));
        let result = match rejected_auth {
            Some(n) => Err(crate::auth::reject(
                pdu,
                auth_codes::AUTH_EVENT_REJECTED,
                "$.auth_events",
                "3.3",
                "an auth event was itself rejected (by the state before it)",
                events.pdu(n),
            )),
            None => authorize_in(&self.state.res.keys, &events, pdu, state, &[]),
        };
        result.map_err(|p| {
            let (check, severity) = match before {
                true => (
                    "check 5, against the state before the event",
                    Severity::Error,
                ),
                false => (
                    "check 6, soft failure against the current state of the room",
                    Severity::Warning,
                ),
            };
            let message = p.message.replace(
                "checked against auth event",
                "checked against the state entry",
            );
            Problem::new(severity, p.code, &p.path, format!("{message} ({check})"))
        })
    }

    /// Marks an event whose state before (or whose own check 4) is not known
    /// `auth_unknown`, naming what is missing.
    fn set_unknown(&mut self, node: NodeIndex, gap: &Gap) {
        let id = self.dag.event_id(node);
        let Some(h) = self.held_mut(node) else {
            return;
        };
        if !matches!(h.auth, super::Auth::Allowed | super::Auth::Unknown { .. }) {
            return;
        }
        let problem = Problem::warning(
            auth_codes::AUTH_UNKNOWN,
            "$.prev_events",
            format!(
                "Checks 5 and 6 cannot run for {id}: the state before it needs {} which {} not held or not decided ({}).",
                gap.missing.join(", "),
                if gap.missing.len() == 1 { "is" } else { "are" },
                gap.why
            ),
        );
        h.state = StateAuth::Unknown {
            problem: Box::new(problem),
            missing: gap.missing.clone(),
        };
    }

    /// Puts back the verdicts the last check 6 changed.
    fn undo_soft_fail(&mut self) {
        for (node, verdict) in std::mem::take(&mut self.state.soft_failed) {
            if let Some(h) = self.held_mut(node) {
                if let StateAuth::SoftFailed { problem } = &h.state {
                    let problem = problem.clone();
                    h.problems.retain(|p| *p != *problem);
                }
                h.verdict = verdict;
                h.state = StateAuth::Allowed;
            }
        }
    }

    /// The current state, and check 6 for the events of unmerged branches.
    fn check_current(&mut self, version: &RoomVersion) {
        let tips = self.dag.forward_extremities();
        let mut states = Vec::new();
        let mut current = Ok(());
        for &t in &tips {
            match self
                .state
                .slots
                .get(t as usize)
                .and_then(Option::as_ref)
                .map(|s| s.after.clone())
            {
                Some(Ok(s)) => states.push(s),
                Some(Err(gap)) => current = Err((*gap).clone()),
                None => {}
            }
        }
        let resolved = current.and_then(|()| {
            let Room {
                dag,
                auth,
                held,
                state,
                ..
            } = &mut *self;
            let events = HeldEvents { dag, auth, held };
            let refs: Vec<&StateMap> = states.iter().map(|s| &**s).collect();
            state.res.resolve(version, &events, &refs).map(Rc::new)
        });
        self.state.current = Some(resolved.clone());
        let (Ok(current), true) = (resolved, tips.len() > 1) else {
            return;
        };
        for node in self.unmerged(&tips) {
            let Some(h) = self.held(node) else { continue };
            if h.state != StateAuth::Allowed {
                continue;
            }
            let verdict = h.verdict;
            let Some(pdu) = self.pdu_of(node, version).map(|p| p.into_owned()) else {
                continue;
            };
            if let Err(problem) = self.authorize_against(&pdu, &current, false) {
                if let Some(h) = self.held_mut(node) {
                    h.verdict = Verdict::SoftFailed;
                    h.problems.insert(0, problem.clone());
                    h.state = StateAuth::SoftFailed {
                        problem: Box::new(problem),
                    };
                }
                self.state.soft_failed.push((node, verdict));
            }
        }
    }

    /// Held timeline events that are not ancestors of every forward extremity (events of
    /// unmerged branches), sorted.
    fn unmerged(&self, tips: &[NodeIndex]) -> Vec<NodeIndex> {
        let n = self.dag.node_count();
        let mut count = vec![0u32; n];
        for &t in tips {
            let mut seen = vec![false; n];
            let mut stack = vec![t];
            while let Some(x) = stack.pop() {
                if std::mem::replace(&mut seen[x as usize], true) {
                    continue;
                }
                count[x as usize] += 1;
                stack.extend(
                    self.dag
                        .prev_events(x)
                        .iter()
                        .copied()
                        .filter(|&p| self.dag.is_timeline(p)),
                );
            }
        }
        (0..n as NodeIndex)
            .filter(|&x| {
                self.dag.is_timeline(x)
                    && count[x as usize] > 0
                    && (count[x as usize] as usize) < tips.len()
            })
            .collect()
    }

    /// The state before or after a held timeline event, as `(type, state_key, event)`
    /// entries sorted by type then state key.
    pub(crate) fn state_at(
        &self,
        node: NodeIndex,
        at: Position,
    ) -> Result<Vec<StateEntry>, StateError> {
        let slot = self
            .state
            .slots
            .get(node as usize)
            .and_then(Option::as_ref)
            .ok_or_else(|| StateError::NotHeld {
                event_id: self.dag.event_id(node),
            })?;
        let state = match at {
            Position::Before => &slot.before,
            Position::After => &slot.after,
        };
        match state {
            Ok(map) => Ok(self.entries(map)),
            Err(gap) => Err(StateError::Unknown {
                missing: gap.missing.clone(),
                why: gap.why.clone(),
            }),
        }
    }

    /// What the resolution at a merge did, when its states conflicted, each conflicted
    /// pair explained (the resolution run again with a scratch resolver, recording each
    /// step; `version` is the room's).
    pub(crate) fn merge_details(
        &self,
        version: Option<&RoomVersion>,
        node: NodeIndex,
    ) -> Option<MergeDetails> {
        let note = self.state.merges.get(&node)?;
        let mut details = note.details(&self.state.res, &self.dag);
        let states: Option<Vec<Rc<StateMap>>> = self
            .dag
            .prev_events(node)
            .iter()
            .map(|&p| {
                let slot = self.state.slots.get(p as usize)?.as_ref()?;
                slot.after.as_ref().ok().cloned()
            })
            .collect();
        if let (Some(version), Some(states)) = (version, states) {
            let mut res = crate::state_res::Resolver {
                keys: self.state.res.keys.clone(),
                ..Default::default()
            };
            let refs: Vec<&StateMap> = states.iter().map(|s| &**s).collect();
            if let Ok(explained) = explain(&mut res, &self.events(), version, &refs) {
                details.attach(&explained, &res.keys, &self.dag);
            }
        }
        Some(details)
    }

    /// Whether the states merged at `node` conflicted, and whether the resolution reset
    /// some state there.
    pub(crate) fn merge_marks(&self, node: NodeIndex) -> (bool, bool) {
        match self.state.merges.get(&node) {
            Some(note) => (true, !note.resets.is_empty()),
            None => (false, false),
        }
    }

    /// Every state reset found, by merge in node order.
    pub(crate) fn state_resets(&self) -> Vec<Problem> {
        let mut merges: Vec<_> = self.state.merges.iter().collect();
        crate::sort::sort_by_key(&mut merges, |(n, _)| **n);
        merges
            .into_iter()
            .flat_map(|(_, note)| note.resets.iter().cloned())
            .collect()
    }

    /// The state resets found since the last call.
    pub(crate) fn take_new_resets(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.state.new_resets)
    }

    /// The current state of the held DAG.
    pub(crate) fn current_state(&self) -> Result<Vec<StateEntry>, StateError> {
        match &self.state.current {
            Some(Ok(map)) => Ok(self.entries(map)),
            Some(Err(gap)) => Err(StateError::Unknown {
                missing: gap.missing.clone(),
                why: gap.why.clone(),
            }),
            None => Ok(Vec::new()),
        }
    }

    /// The auth chain of a held event, as event IDs sorted.
    pub(crate) fn auth_chain(&mut self, node: NodeIndex) -> Result<Vec<String>, StateError> {
        let Room {
            dag,
            auth,
            held,
            state,
            ..
        } = self;
        let events = HeldEvents { dag, auth, held };
        let gap = |g: Gap| StateError::Unknown {
            missing: g.missing,
            why: g.why,
        };
        let mut all: Vec<NodeIndex> = Vec::new();
        // Non-state events are not kept: read the auth events from the held JSON.
        let auth_ids: Vec<String> = match events.pdu(node) {
            Some(p) => p.fields.auth_events.clone(),
            None => {
                let held_json = held
                    .get(node as usize)
                    .and_then(Option::as_ref)
                    .map(|h| h.json.as_str());
                let value = held_json.and_then(|j| crate::canonical_json::from_str(j).ok());
                let list = value
                    .as_ref()
                    .and_then(|v| v.get("auth_events"))
                    .and_then(|v| v.as_array());
                list.into_iter()
                    .flatten()
                    .filter_map(|e| {
                        e.as_str().or_else(|| {
                            e.as_array()
                                .and_then(|a| a.first())
                                .and_then(|x| x.as_str())
                        })
                    })
                    .map(str::to_owned)
                    .collect()
            }
        };
        for id in &auth_ids {
            let n = events
                .node(id)
                .filter(|&n| events.pdu(n).is_some())
                .ok_or_else(|| StateError::Unknown {
                    missing: vec![id.clone()],
                    why: format!("auth_events of {}", dag.event_id(node)),
                })?;
            all.push(n);
            all.extend(state.res.chains.chain(&events, n).map_err(gap)?);
        }
        all.sort_unstable();
        all.dedup();
        let mut ids: Vec<String> = all.into_iter().map(|n| dag.event_id(n)).collect();
        crate::sort::sort(&mut ids);
        Ok(ids)
    }

    fn entries(&self, map: &StateMap) -> Vec<StateEntry> {
        let mut out: Vec<StateEntry> = map
            .entries()
            .iter()
            .map(|&(k, n)| {
                let (t, s) = self.state.res.keys.pair(k);
                StateEntry {
                    event_type: t.to_owned(),
                    state_key: s.to_owned(),
                    event_id: self.dag.event_id(n),
                }
            })
            .collect();
        crate::sort::sort(&mut out);
        out
    }
}
