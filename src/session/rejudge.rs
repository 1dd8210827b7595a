//! Judging held events again (keys arrived, or the room version changed), and the details
//! of one event for a panel.

use super::held::Held;
use super::report::{EventDetails, Neighbour, Rejudged};
use super::RoomSession;
use crate::crypto::codes as key_codes;
use crate::dag::walk::Children;
use crate::event::codes as event_codes;
use crate::event::verdict::accepted;
use crate::event::{validate_events, ValidateOptions, Verdict};
use crate::input::InputEvent;
use crate::problem::Problem;

impl RoomSession {
    /// Judges held events that are unchecked for want of keys again, with the keys held now.
    pub fn rejudge(&mut self) -> Rejudged {
        let mut out = Rejudged::default();
        self.missing_keys.clear();
        for room in &mut self.rooms {
            let Some(version) = room.version_or(self.version) else {
                continue;
            };
            let waiting: Vec<usize> = room
                .held
                .iter()
                .enumerate()
                .filter_map(|(i, h)| h.as_ref().filter(|h| waits_for_keys(h)).map(|_| i))
                .collect();
            if waiting.is_empty() {
                continue;
            }
            let events: Vec<InputEvent> = waiting
                .iter()
                .filter_map(|&i| room.held[i].as_ref().map(Held::to_input_event))
                .collect();
            let validation = validate_events(
                events,
                &version,
                &self.keys,
                &ValidateOptions { via_backfill: true },
            );
            super::note_missing_keys(&mut self.missing_keys, &validation.report.missing_keys);
            let mut work = Vec::new();
            let judged = validation.events.iter();
            for ((&i, report), judged) in waiting.iter().zip(validation.report.events).zip(judged) {
                if report.verdict != Verdict::Unchecked {
                    work.extend(room.auth_arrived(i as u32, accepted(judged, report.verdict)));
                }
                let Some(held) = room.held[i].as_mut() else {
                    continue;
                };
                out.judged += 1;
                if report.verdict == Verdict::Unchecked {
                    out.still_unchecked += 1;
                } else {
                    out.checked += 1;
                }
                held.verdict = report.verdict;
                held.pruned_by_sender = report.pruned_by_sender == Some(true);
                let set_aside = held
                    .problems
                    .iter()
                    .filter(|p| p.code == event_codes::NON_PDU_KEYS_SET_ASIDE)
                    .cloned();
                let mut problems: Vec<Problem> = report.problems;
                problems.extend(set_aside);
                crate::problem::most_severe_first(&mut problems);
                held.problems = problems;
            }
            room.authorise(&version, work, &mut out.auth);
            room.resolve_states(&version);
        }
        out
    }

    /// Details of `event_id` in the session's rooms: held, or only referenced (a gap).
    pub fn details(&self, event_id: &str) -> Option<EventDetails> {
        let room = self
            .rooms
            .iter()
            .find(|r| r.dag.index_of(event_id).is_some())?;
        let dag = &room.dag;
        let node = dag.index_of(event_id)?;
        let held = room.held(node);
        let neighbour = |n| Neighbour {
            event_id: dag.event_id(n),
            held: dag.is_held(n),
        };
        let children = Children::build(dag, true);
        Some(EventDetails {
            event_id: event_id.to_owned(),
            held: dag.is_held(node),
            outlier: dag.is_outlier(node),
            json: held.map(|h| h.json.clone()),
            verdict: held.map(|h| h.verdict),
            pruned_by_sender: held.is_some_and(|h| h.pruned_by_sender),
            problems: held.map(|h| h.problems.clone()).unwrap_or_default(),
            auth: held.map(|h| h.auth.clone()),
            state: held.map(|h| h.state.clone()),
            source: held.map(|h| match self.source_name(h.source) {
                "" => h.meta.label.clone(),
                name => format!("{name}, {}", h.meta.label),
            }),
            annotation: held.and_then(|h| h.meta.annotation.clone()),
            origin: held.map(|h| h.meta.origin),
            summary: held.map(|h| h.meta.summary.clone()),
            prev: dag
                .prev_events(node)
                .iter()
                .map(|&n| neighbour(n))
                .collect(),
            next: children.of(node).iter().map(|&n| neighbour(n)).collect(),
            merge: room.merge_details(room.version_or(self.version).as_ref(), node),
        })
    }
}

/// Whether a held event is unchecked only for want of keys.
fn waits_for_keys(held: &Held) -> bool {
    held.verdict == Verdict::Unchecked
        && held
            .problems
            .iter()
            .any(|p| p.code == key_codes::SIGNING_KEY_UNKNOWN)
}
