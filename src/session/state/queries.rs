//! What the session answers of the states it holds: the state at an event, the current
//! state, auth chains, and what resolution did at merges.

use std::rc::Rc;

use super::{Position, StateEntry, StateError};
use crate::dag::NodeIndex;
use crate::problem::Problem;
use crate::room_version::RoomVersion;
use crate::session::merges::MergeDetails;
use crate::session::Room;
use crate::state_res::explain::explain;
use crate::state_res::{Events, Gap, StateMap};

impl Room {
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
        let (events, state) = self.events_and_state();
        let gap = |g: Gap| StateError::Unknown {
            missing: g.missing,
            why: g.why,
        };
        let mut all: Vec<NodeIndex> = Vec::new();
        // Non-state events are not kept: read the auth events from the held JSON.
        let auth_ids: Vec<String> = match events.pdu(node) {
            Some(p) => p.fields.auth_events.clone(),
            None => {
                let held_json = events
                    .held
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
                    why: format!("auth_events of {}", events.dag.event_id(node)),
                })?;
            all.push(n);
            all.extend(state.res.chains.chain(&events, n).map_err(gap)?);
        }
        all.sort_unstable();
        all.dedup();
        let mut ids: Vec<String> = all.into_iter().map(|n| events.dag.event_id(n)).collect();
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
