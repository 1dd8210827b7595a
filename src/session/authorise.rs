//! Check 4 on receipt, in the session: each held event that passed checks 1–3 is
//! authorised against its own `auth_events` ([`crate::auth`]) once they are all held and
//! decided; until then its result is `auth_unknown`, naming what is missing. An event whose
//! auth events arrive later (backfill, newest first) is authorised then, so the result does
//! not depend on the order events arrive in: it is a function of the auth events alone.
//!
//! Spec: [Server-Server API § Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu),
//! check 4; [§ Rejection](https://spec.matrix.org/v1.16/server-server-api/#rejection).
//!
//! Auth events are found by arena index (one ID lookup per entry when an event is tried);
//! the session keeps the parsed PDU of held state events (auth events are state events)
//! and of events still waiting, nothing of decided non-state events.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Serialize;

use super::Room;
use crate::auth::{self, codes, AuthEvent, AuthEvents};
use crate::dag::NodeIndex;
use crate::event::{pdu, redaction, Pdu, Verdict};
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// The result of check 4 for one held event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Auth {
    /// Not authorised: the event did not pass checks 1–3 (dropped, rejected for its
    /// format, unchecked for want of keys) or is no PDU.
    NotChecked,
    /// Its auth events are not all held and decided (`auth_unknown`).
    Unknown {
        /// The `auth_unknown` problem naming them.
        problem: Box<Problem>,
        /// The auth events not held.
        missing: Vec<String>,
    },
    /// It passes the authorization rules against its auth events.
    Allowed,
    /// It fails them: the problem names the rule and the auth event.
    Rejected {
        /// The rule it failed.
        problem: Box<Problem>,
    },
}

/// How many events one step of the session authorised, rejected, or left waiting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Authorised {
    /// Events that pass the rules.
    pub allowed: usize,
    /// Events rejected by them.
    pub rejected: usize,
    /// Events whose auth events are not all held and decided yet.
    pub unknown: usize,
}

/// What check 4 decided for every event a session holds, and what the events it could not
/// run for wait on.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuthSummary {
    /// Events that pass the rules against their auth events.
    pub allowed: usize,
    /// Events rejected by them.
    pub rejected: usize,
    /// Events the rules could not run for yet: an auth event is not held or not decided.
    pub not_run: usize,
    /// The auth events those events wait for that no input brought, sorted, each once.
    pub not_held: Vec<String>,
}

impl super::RoomSession {
    /// What check 4 decided for the events held in every room, and the auth events not held
    /// that the others wait for.
    pub fn auth_summary(&self) -> AuthSummary {
        let mut summary = AuthSummary::default();
        for room in &self.rooms {
            for held in room.held.iter().flatten() {
                match held.auth {
                    Auth::Allowed => summary.allowed += 1,
                    Auth::Rejected { .. } => summary.rejected += 1,
                    Auth::Unknown { .. } => summary.not_run += 1,
                    Auth::NotChecked => {}
                }
            }
            summary.not_held.extend(room.auth.awaited.keys().cloned());
        }
        crate::sort::sort_dedup(&mut summary.not_held);
        summary
    }
}

/// What a room keeps to authorise events as their auth events arrive.
#[derive(Clone, Debug, Default)]
pub(crate) struct AuthTable {
    /// By node: the PDU as the rules read it (redacted when its content hash failed), of
    /// held state events (the auth events of others) and of events not decided yet.
    pdus: Vec<Option<Box<Pdu>>>,
    /// Auth event IDs not held → the nodes waiting for them.
    awaited: HashMap<String, Vec<NodeIndex>>,
    /// Held but undecided node → the nodes waiting for it.
    dependents: HashMap<NodeIndex, Vec<NodeIndex>>,
}

/// What trying one event came to.
enum Tried {
    /// All auth events held and decided: the rules' result, warnings on the list, and the
    /// nodes of the listed auth events (in order).
    Decided(Result<(), Problem>, Vec<Problem>, Vec<NodeIndex>),
    /// Waiting: the IDs not held, the undecided nodes, and the `auth_unknown` problem.
    Waiting(Vec<String>, Vec<NodeIndex>, Problem),
}

/// What one entry of `auth_events` is, as held.
enum Entry {
    /// Decided: its node and whether it was rejected (or dropped) on receipt.
    Decided(NodeIndex, bool),
    /// Held, not decided yet.
    Undecided(NodeIndex),
    /// Not held.
    Missing,
}

impl AuthTable {
    /// The PDU kept for a held node (state events, and events not decided yet).
    pub(super) fn kept(&self, node: NodeIndex) -> Option<&Pdu> {
        self.pdus.get(node as usize).and_then(|p| p.as_deref())
    }
}

impl Room {
    /// Keeps the PDU of a newly held node (`accepted`: what a server goes on with) until it
    /// is decided (for good when it is a state event), and returns the nodes to try: it,
    /// and those that awaited it.
    pub(crate) fn auth_arrived(
        &mut self,
        node: NodeIndex,
        accepted: Option<Pdu>,
    ) -> Vec<NodeIndex> {
        let index = node as usize;
        if let Some(pdu) = accepted {
            if self.auth.pdus.len() <= index {
                self.auth.pdus.resize(index + 1, None);
            }
            self.auth.pdus[index] = Some(Box::new(pdu));
        }
        let mut work = vec![node];
        if let Some(waiting) = self.auth.awaited.remove(&self.dag.event_id(node)) {
            work.extend(deduplicated(waiting));
        }
        work
    }

    /// Tries `work` and every event waiting on one that gets decided, until nothing moves.
    pub(crate) fn authorise(
        &mut self,
        version: &RoomVersion,
        work: Vec<NodeIndex>,
        tally: &mut Authorised,
    ) {
        let mut waited = Vec::new();
        self.authorise_noting(version, work, tally, &mut waited);
        tally.unknown += self.still_unknown(waited);
    }

    /// [`Self::authorise`], the nodes that had to wait added to `waited` instead of counted
    /// (an input taken in parts counts those still waiting once, at its end).
    pub(crate) fn authorise_noting(
        &mut self,
        version: &RoomVersion,
        mut work: Vec<NodeIndex>,
        tally: &mut Authorised,
        waited: &mut Vec<NodeIndex>,
    ) {
        // Oldest first: an input in topological order is then decided in one pass, each
        // event after its auth events, with no event waiting.
        work.reverse();
        while let Some(node) = work.pop() {
            let Some(held) = self.held(node) else {
                continue;
            };
            if matches!(held.auth, Auth::Allowed | Auth::Rejected { .. }) {
                continue;
            }
            let verdict = held.verdict;
            if !matches!(verdict, Verdict::Valid | Verdict::Redacted) {
                if let Some(h) = self.held_mut(node) {
                    h.auth = Auth::NotChecked;
                }
                self.forget_unless_state(node);
                // A dropped or rejected event is final: what waited on it is decided now.
                if verdict != Verdict::Unchecked {
                    work.extend(self.waiting_on(node));
                }
                continue;
            }
            let Some(pdu) = self.pdu_of(node, version) else {
                continue;
            };
            let tried = self.try_one(&pdu);
            drop(pdu);
            let (result, warnings, auth_nodes) = match tried {
                Tried::Decided(result, warnings, nodes) => (result, warnings, nodes),
                Tried::Waiting(missing, undecided, problem) => {
                    waited.push(node);
                    self.wait(node, missing, &undecided, problem);
                    continue;
                }
            };
            let Some(h) = self.held_mut(node) else {
                continue;
            };
            match result {
                Ok(()) => {
                    tally.allowed += 1;
                    h.auth = Auth::Allowed;
                }
                Err(problem) => {
                    tally.rejected += 1;
                    h.verdict = Verdict::Rejected;
                    h.problems.insert(0, problem.clone());
                    h.auth = Auth::Rejected {
                        problem: Box::new(problem),
                    };
                }
            }
            h.problems.extend(warnings);
            if h.auth == Auth::Allowed {
                self.state.note_auth_events(node, auth_nodes);
            }
            work.extend(self.waiting_on(node));
            self.forget_unless_state(node);
        }
    }

    /// How many of `waited` are still undecided.
    pub(crate) fn still_unknown(&self, mut waited: Vec<NodeIndex>) -> usize {
        waited.sort_unstable();
        waited.dedup();
        let still = |n: &&NodeIndex| {
            self.held(**n)
                .is_some_and(|h| matches!(h.auth, Auth::Unknown { .. }))
        };
        waited.iter().filter(still).count()
    }

    /// The nodes that waited on `node` (now decided), each once.
    fn waiting_on(&mut self, node: NodeIndex) -> Vec<NodeIndex> {
        deduplicated(self.auth.dependents.remove(&node).unwrap_or_default())
    }

    /// Drops the kept PDU of a decided node that no event can list as an auth event.
    fn forget_unless_state(&mut self, node: NodeIndex) {
        if let Some(slot) = self.auth.pdus.get_mut(node as usize) {
            if slot.as_ref().is_some_and(|p| !p.is_state()) {
                *slot = None;
            }
        }
    }

    /// The held record of a node, to change.
    pub(super) fn held_mut(&mut self, node: NodeIndex) -> Option<&mut super::Held> {
        self.held.get_mut(node as usize).and_then(Option::as_mut)
    }

    /// The PDU of a held node as the rules read it: kept for state events, else parsed
    /// again from the held JSON.
    pub(super) fn pdu_of(&self, node: NodeIndex, version: &RoomVersion) -> Option<Cow<'_, Pdu>> {
        if let Some(Some(pdu)) = self.auth.pdus.get(node as usize) {
            return Some(Cow::Borrowed(&**pdu));
        }
        let held = self.held(node)?;
        let value = crate::canonical_json::from_str(&held.json).ok()?;
        let mut pdu = pdu::prepare_value(value, version, true, &held.meta.label).pdu?;
        if held.verdict == Verdict::Redacted {
            pdu.event = redaction::redact(&pdu.event, version).event;
        }
        Some(Cow::Owned(*pdu))
    }

    /// What one auth event ID is, as held.
    fn entry(&self, id: &str) -> Entry {
        let Some(node) = self.dag.index_of(id).filter(|&n| self.dag.is_held(n)) else {
            return Entry::Missing;
        };
        let Some(held) = self.held(node) else {
            return Entry::Missing;
        };
        match (&held.auth, held.verdict) {
            (Auth::Allowed, _) => Entry::Decided(node, false),
            // Check 4 allowed comes first: a rejection by check 5 (the state before the
            // event, `state/before.rs`) is not seen here, so check 4 does not depend on the order
            // events arrive in.
            (Auth::Rejected { .. }, _) | (_, Verdict::Dropped | Verdict::Rejected) => {
                Entry::Decided(node, true)
            }
            _ => Entry::Undecided(node),
        }
    }

    /// Authorises one event when its auth events are all held and decided; else says what
    /// it waits for.
    fn try_one(&self, pdu: &Pdu) -> Tried {
        let mut ids: Vec<&str> = pdu.fields.auth_events.iter().map(String::as_str).collect();
        let create_id = pdu
            .room_version
            .auth
            .privileged_creators
            .then_some(pdu.fields.room_id.as_deref())
            .flatten()
            .map(|room| format!("${}", room.strip_prefix('!').unwrap_or(room)));
        ids.extend(create_id.as_deref());
        let entries: Vec<Entry> = ids.iter().map(|id| self.entry(id)).collect();
        let missing: Vec<String> = ids
            .iter()
            .zip(&entries)
            .filter(|(_, e)| matches!(e, Entry::Missing))
            .map(|(id, _)| id.to_string())
            .collect();
        let undecided: Vec<NodeIndex> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Undecided(n) => Some(*n),
                _ => None,
            })
            .collect();
        if !missing.is_empty() || !undecided.is_empty() {
            let problem = self.unknown(pdu, &missing, &undecided);
            return Tried::Waiting(missing, undecided, problem);
        }
        let version = pdu.room_version;
        let mut pdus = Vec::with_capacity(entries.len());
        for entry in &entries {
            let Entry::Decided(n, rejected) = *entry else {
                continue;
            };
            let Some(p) = self.pdu_of(n, &version) else {
                let why = format!(
                    "the auth event {} is not a readable PDU",
                    self.dag.event_id(n)
                );
                let problem = auth::reject(
                    pdu,
                    codes::AUTH_EVENT_REJECTED,
                    "$.auth_events",
                    "3.3",
                    &why,
                    None,
                );
                return Tried::Decided(Err(problem), Vec::new(), Vec::new());
            };
            pdus.push((p, rejected));
        }
        let mut all: Vec<AuthEvent> = pdus
            .iter()
            .map(|(p, rejected)| AuthEvent {
                pdu: p,
                rejected: *rejected,
            })
            .collect();
        let create = create_id.is_some().then(|| all.pop()).flatten();
        let result = auth::authorize(
            pdu,
            &AuthEvents {
                entries: &all,
                create,
            },
        );
        let listed: Vec<&Pdu> = all.iter().map(|e| e.pdu).collect();
        let mut nodes: Vec<NodeIndex> = entries
            .iter()
            .filter_map(|e| match e {
                Entry::Decided(n, _) => Some(*n),
                _ => None,
            })
            .collect();
        nodes.truncate(listed.len());
        let warnings = self.missing_selected(pdu, &listed, &nodes);
        Tried::Decided(result, warnings, nodes)
    }

    /// The `auth_unknown` problem of an event waiting for `missing` and `undecided`.
    fn unknown(&self, pdu: &Pdu, missing: &[String], undecided: &[NodeIndex]) -> Problem {
        let mut why = Vec::new();
        if !missing.is_empty() {
            why.push(format!("not held: {}", missing.join(", ")));
        }
        if !undecided.is_empty() {
            let ids: Vec<String> = undecided.iter().map(|&n| self.dag.event_id(n)).collect();
            why.push(format!(
                "not yet decided (unchecked, or waiting themselves): {}",
                ids.join(", ")
            ));
        }
        Problem::warning(
            codes::AUTH_UNKNOWN,
            "$.auth_events",
            format!(
                "{} cannot be authorised yet: its auth events are {}.",
                auth::describe(pdu),
                why.join("; ")
            ),
        )
    }

    /// Records that `node` waits for `missing` (not held) and `undecided` events.
    fn wait(
        &mut self,
        node: NodeIndex,
        missing: Vec<String>,
        undecided: &[NodeIndex],
        problem: Problem,
    ) {
        // A node is pushed once per wait; the lists are deduplicated when taken
        // ([`Self::waiting_on`]), so that a wait costs no scan of a long list.
        for id in &missing {
            self.auth.awaited.entry(id.clone()).or_default().push(node);
        }
        for &n in undecided {
            self.auth.dependents.entry(n).or_default().push(node);
        }
        if let Some(h) = self.held_mut(node) {
            h.auth = Auth::Unknown {
                problem: Box::new(problem),
                missing,
            };
        }
    }

    /// Warnings for pairs the selection picks that `entries` (held at `nodes`) lack though
    /// their own auth events show the room had one ([`auth::selection::missing`]). The
    /// auth events of an entry check 4 allowed are its noted nodes; of others, looked up.
    fn missing_selected(&self, pdu: &Pdu, entries: &[&Pdu], nodes: &[NodeIndex]) -> Vec<Problem> {
        let mut earlier_nodes = Vec::new();
        for (entry, &node) in entries.iter().zip(nodes) {
            match self.state.auth_events_noted(node) {
                Some(noted) => earlier_nodes.extend_from_slice(noted),
                None => earlier_nodes.extend(
                    entry
                        .fields
                        .auth_events
                        .iter()
                        .filter_map(|id| self.dag.index_of(id)),
                ),
            }
        }
        let earlier: Vec<&Pdu> = earlier_nodes
            .into_iter()
            .filter_map(|n| self.auth.pdus.get(n as usize).and_then(|p| p.as_deref()))
            .collect();
        auth::selection::missing(pdu, entries, &earlier)
    }
}

/// `nodes` with repeats removed, in the order they were first pushed.
fn deduplicated(mut nodes: Vec<NodeIndex>) -> Vec<NodeIndex> {
    let mut seen = std::collections::HashSet::with_capacity(nodes.len());
    nodes.retain(|n| seen.insert(*n));
    nodes
}
