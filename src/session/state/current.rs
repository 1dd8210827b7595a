//! Check 6: the current state of the room, and the events of unmerged branches judged
//! against it (soft failure).

use std::rc::Rc;

use super::StateAuth;
use crate::dag::NodeIndex;
use crate::event::Verdict;
use crate::room_version::RoomVersion;
use crate::session::Room;
use crate::state_res::StateMap;

impl Room {
    /// Puts back the verdicts the last check 6 changed.
    pub(super) fn undo_soft_fail(&mut self) {
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
    pub(super) fn check_current(&mut self, version: &RoomVersion) {
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
            let (events, state) = self.events_and_state();
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
}
