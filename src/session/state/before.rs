//! Check 5: the state before each held timeline event, and the rules run against it.

use std::rc::Rc;

use super::{Slot, StateAuth};
use crate::auth::codes as auth_codes;
use crate::dag::NodeIndex;
use crate::event::{Pdu, Verdict};
use crate::problem::{Problem, Severity};
use crate::room_version::RoomVersion;
use crate::session::merges::MergeNote;
use crate::session::{Auth, Room};
use crate::state_res::iterative::authorize_in;
use crate::state_res::{Events, Gap, StateMap};

impl Room {
    /// The states of one timeline event whose `prev_events` are computed; runs check 5.
    pub(super) fn compute(&mut self, version: &RoomVersion, node: NodeIndex) -> Slot {
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
        let prevs = self.dag.prev_events(node);
        let slot_of = |p: NodeIndex| self.state.slots.get(p as usize).and_then(Option::as_ref);
        // The event's own prev events not held are named first, all of them: they are the
        // gap to fill for this event, whatever deeper gaps its other prev events wait on.
        let not_held: Vec<String> = prevs
            .iter()
            .filter(|&&p| slot_of(p).is_none())
            .map(|&p| self.dag.event_id(p))
            .collect();
        if !not_held.is_empty() {
            let why = format!("prev_events of {}", self.dag.event_id(node));
            return Err(Rc::new(Gap {
                missing: not_held,
                why,
            }));
        }
        let mut states: Vec<Rc<StateMap>> = Vec::with_capacity(prevs.len());
        for slot in prevs.iter().filter_map(|&p| slot_of(p)) {
            match &slot.after {
                Ok(state) => states.push(state.clone()),
                // The gap of the first prev event whose state is not known, shared (not
                // merged: a long chain after a gap would otherwise copy ever longer lists).
                Err(gap) => return Err(gap.clone()),
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
        let (events, state) = self.events_and_state();
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
            (Auth::Allowed, _) => {}
            (Auth::Unknown { missing, .. }, _) => {
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
    pub(super) fn authorize_against(
        &self,
        pdu: &Pdu,
        state: &StateMap,
        before: bool,
    ) -> Result<(), Problem> {
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
        if !matches!(h.auth, Auth::Allowed | Auth::Unknown { .. }) {
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
}
