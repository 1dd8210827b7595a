//! The room session: the one entry point for everything a user brings. It takes each file or
//! answer as text (with the request it answered, its body and status) and in one pass
//! recognises the shape ([`crate::input`]), parses each event once, judges it
//! ([`crate::event`]: format, event ID, signatures, content hash), judges an answer against
//! its endpoint's contract with the DAG as held *before* it ([`crate::federation`]), and
//! places what it can in the DAG of its room ([`crate::dag`]). It keeps every held event's
//! JSON, verdict and problems, so an inspector asks it for details instead of keeping copies,
//! and judges unchecked events again when keys arrive.
//!
//! `mxdag check`, `dag`, `answer` and `serve`, the page and the JS API all go through it.

mod authorise;
mod contract;
mod held;
mod ingest;
pub mod merges;
pub mod parallel;
pub mod parts;
mod rejudge;
mod report;
mod room_versions;
mod rows;
mod state;
mod version;

use std::collections::HashMap;

pub use authorise::{Auth, AuthSummary, Authorised};
pub use held::{EventKind, Held, Meta};
pub use report::{
    Contract, EventDetails, IngestReport, KeysReport, Neighbour, Rejudged, VersionFrom,
};
pub use rows::{kind_codes, marks, verdict_codes, SessionRows};
pub use state::{codes as state_codes, Position, StateAuth, StateEntry, StateError};

use crate::crypto::KeyRing;
use crate::dag::{NodeIndex, RoomDag};
use crate::event::report::MissingKey;
use crate::federation::FederationRequest;
use crate::input;
use crate::problem::Problem;
use crate::room_version::RoomVersion;

/// How to take one input.
#[derive(Clone, Copy, Debug, Default)]
pub struct Ingest<'a> {
    /// How the input is named in reports (a file name, a request line).
    pub source: &'a str,
    /// The request it answered, when it is an answer: its contract is judged.
    pub request: Option<&'a FederationRequest>,
    /// The answer's HTTP status, when known.
    pub status: Option<u16>,
    /// Hold its events as outliers (state, auth chains), not in the timeline.
    pub outliers: bool,
    /// The events came by backfill: the 20 `prev_events` / 10 `auth_events` limits are
    /// warnings, as the spec requires. Answers to `/backfill` are always taken so.
    pub via_backfill: bool,
}

/// One room's DAG and the records of its held events.
#[derive(Clone, Debug, Default)]
pub(crate) struct Room {
    pub dag: RoomDag,
    /// By node index: the record of each held event.
    pub held: Vec<Option<Held>>,
    /// Findings of the session about this room (IDs the inputs wrote wrongly).
    pub findings: Vec<Problem>,
    /// What check 4 (the authorization rules) keeps between inputs.
    pub auth: authorise::AuthTable,
    /// The states before and after each event, and what checks 5 and 6 keep.
    pub state: state::StateTable,
    /// The room version its events were judged with ([`room_versions`]).
    pub version: Option<RoomVersion>,
}

impl Room {
    fn new(room_id: Option<&str>) -> Self {
        Room {
            dag: room_id.map_or_else(RoomDag::new, RoomDag::for_room),
            ..Room::default()
        }
    }

    /// The record of a held node.
    pub fn held(&self, node: NodeIndex) -> Option<&Held> {
        self.held.get(node as usize).and_then(Option::as_ref)
    }
}

/// See the [module documentation](self).
#[derive(Clone, Debug, Default)]
pub struct RoomSession {
    version: Option<RoomVersion>,
    version_given: bool,
    fixed_room: Option<String>,
    keys: KeyRing,
    rooms: Vec<Room>,
    by_room: HashMap<String, usize>,
    sources: Vec<String>,
    /// Sorted, each once.
    missing_keys: Vec<MissingKey>,
    /// Events that wait for the room version, in input order.
    waiting: Vec<version::Waiting>,
    /// Events dropped under a version their input did not name, for [`Self::reread`].
    dropped: Vec<version::Waiting>,
    /// The key of the tags of judgements made on other cores ([`parallel`]), once drawn.
    judge_secret: Option<(u64, u64)>,
    /// Items per part of a large input ([`parts`]); 0 for [`parts::PART_EVENTS`], or
    /// [`parts::JUDGED_PART_EVENTS`] where judgements cover the part.
    part_events: usize,
    /// The slot of the session's room, the one [`Self::show_room`] chose (the first seen
    /// unless another was chosen).
    shown: usize,
}

impl RoomSession {
    /// A session for `room_id` (events of other rooms are then refused) and room
    /// `version`, each when known; else the room comes from the first event naming one and
    /// the version from the first input naming one.
    pub fn new(room_id: Option<&str>, version: Option<RoomVersion>) -> Self {
        let mut session = RoomSession {
            version,
            version_given: version.is_some(),
            fixed_room: room_id.map(str::to_owned),
            ..Self::default()
        };
        if let Some(room) = room_id {
            session.room_slot(Some(room));
        }
        session
    }

    /// The room version of the room shown, once known: the one its events were judged
    /// with, else the session's (given, or named first).
    pub fn room_version(&self) -> Option<RoomVersion> {
        self.shown_room()
            .map_or(self.version, |r| r.version_or(self.version))
    }

    /// The key ring.
    pub fn keys(&self) -> &KeyRing {
        &self.keys
    }

    /// The DAG of each room seen, in the order rooms were first seen.
    pub fn dags(&self) -> impl Iterator<Item = &RoomDag> {
        self.rooms.iter().map(|r| &r.dag)
    }

    /// The DAG of the session's room (its fixed room, else the one [`Self::show_room`]
    /// chose, else the first seen).
    pub fn dag(&self) -> Option<&RoomDag> {
        self.shown_room().map(|r| &r.dag)
    }

    /// Makes `room_id`, one of the rooms the session holds, the session's room: the one
    /// [`Self::dag`], [`Self::rows`], [`Self::current_state`] and [`Self::held_records`]
    /// give (a file of several rooms, as a server's database holds them, is looked at room
    /// by room). Returns whether the session holds that room; if not, nothing changes.
    pub fn show_room(&mut self, room_id: &str) -> bool {
        match self.by_room.get(room_id) {
            Some(&slot) => {
                self.shown = slot;
                true
            }
            None => false,
        }
    }

    /// The session's room (see [`Self::dag`]).
    fn shown_room(&self) -> Option<&Room> {
        self.rooms.get(self.shown).or(self.rooms.first())
    }

    /// The DAG of `room_id`.
    pub fn dag_of(&self, room_id: &str) -> Option<&RoomDag> {
        self.by_room.get(room_id).map(|&i| &self.rooms[i].dag)
    }

    /// The room versions the session's rooms were judged with, each once, in numeric order.
    pub fn room_versions(&self) -> Vec<&'static str> {
        let mut versions: Vec<&'static str> = self
            .rooms
            .iter()
            .filter_map(|r| Some(r.version_or(self.version)?.id))
            .collect();
        // "2" before "10": shorter identifiers first.
        crate::sort::sort_by_key(&mut versions, |id| (id.len(), *id));
        versions.dedup();
        versions
    }

    /// The summary of each room (`mxdag dag --json`'s `rooms`), with the session's findings
    /// added to the DAG's own.
    pub fn summaries(&self) -> Vec<crate::dag::summary::RoomSummary> {
        self.rooms
            .iter()
            .map(|room| {
                let mut summary = room.dag.summary();
                summary.room_version = room.version_or(self.version).map(|v| v.id);
                summary.findings.extend(room.findings.iter().cloned());
                summary.findings.extend(room.state_resets());
                summary
            })
            .collect()
    }

    /// Keys the held events were signed with that the ring lacks.
    pub fn missing_keys(&self) -> Vec<MissingKey> {
        self.missing_keys.clone()
    }

    /// Of `wanted` (`(server, key ID)`), those the ring does not hold.
    pub fn keys_not_held(&self, wanted: &[MissingKey]) -> Vec<MissingKey> {
        wanted
            .iter()
            .filter(|k| !self.keys.has(&k.server_name, &k.key_id))
            .cloned()
            .collect()
    }

    /// The held record of `event_id` in the session's room.
    pub fn held(&self, event_id: &str) -> Option<&Held> {
        self.rooms.iter().find_map(|room| {
            let node = room.dag.index_of(event_id)?;
            room.held(node)
        })
    }

    /// How many of `event_ids` held in the session got each verdict (IDs not held are
    /// not counted).
    pub fn verdict_counts(&self, event_ids: &[String]) -> crate::event::report::Counts {
        let mut counts = crate::event::report::Counts::default();
        for held in event_ids.iter().filter_map(|id| self.held(id)) {
            counts.total += 1;
            match held.verdict {
                crate::event::Verdict::Valid => counts.valid += 1,
                crate::event::Verdict::Redacted => counts.redacted += 1,
                crate::event::Verdict::Rejected => counts.rejected += 1,
                crate::event::Verdict::SoftFailed => counts.soft_failed += 1,
                crate::event::Verdict::Unchecked => counts.unchecked += 1,
                crate::event::Verdict::Dropped => counts.dropped += 1,
            }
        }
        counts
    }

    /// The room holding `event_id` as a held timeline event, and its node.
    fn timeline_node(&self, event_id: &str) -> Result<(usize, NodeIndex), StateError> {
        self.rooms
            .iter()
            .enumerate()
            .find_map(|(i, room)| {
                let node = room.dag.index_of(event_id)?;
                room.dag.is_timeline(node).then_some((i, node))
            })
            .ok_or_else(|| StateError::NotHeld {
                event_id: event_id.to_owned(),
            })
    }

    /// The room state before or after a held timeline event
    /// ([v2, state resolution](https://spec.matrix.org/v1.16/rooms/v2/#state-resolution)),
    /// sorted by type then state key; an error names the events missing when it is not
    /// known (a gap, or events not decided).
    pub fn state_at(&self, event_id: &str, at: Position) -> Result<Vec<StateEntry>, StateError> {
        let (room, node) = self.timeline_node(event_id)?;
        self.rooms[room].state_at(node, at)
    }

    /// The auth chain of a held event (timeline or outlier): its auth events, theirs, and
    /// so on ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)), as
    /// event IDs sorted; an error names the first auth events not held.
    pub fn auth_chain(&mut self, event_id: &str) -> Result<Vec<String>, StateError> {
        let not_held = || StateError::NotHeld {
            event_id: event_id.to_owned(),
        };
        let (room, node) = self
            .rooms
            .iter()
            .enumerate()
            .find_map(|(i, room)| {
                let node = room.dag.index_of(event_id)?;
                room.dag.is_held(node).then_some((i, node))
            })
            .ok_or_else(not_held)?;
        self.rooms[room].auth_chain(node)
    }

    /// The current state of the session's room: the resolution of the states after its
    /// forward extremities, sorted by type then state key.
    pub fn current_state(&self) -> Result<Vec<StateEntry>, StateError> {
        match self.shown_room() {
            Some(room) => room.current_state(),
            None => Ok(Vec::new()),
        }
    }

    /// Forgets every computed state and auth chain and computes them again (what a first
    /// ingest does after checks 1–4): for benchmarks, and to see the cost of the states
    /// alone.
    pub fn resolve_states_again(&mut self) {
        for room in &mut self.rooms {
            let Some(version) = room.version_or(self.version) else {
                continue;
            };
            room.forget_states();
            room.resolve_states(&version);
        }
    }

    /// Bytes of heap memory the states and auth chains of the session's rooms hold.
    pub fn state_heap_bytes(&self) -> usize {
        self.rooms.iter().map(|r| r.state.heap_bytes()).sum()
    }

    /// The records of the session's room, by node index of its DAG.
    pub fn held_records(&self) -> &[Option<Held>] {
        self.shown_room().map_or(&[], |r| &r.held)
    }

    /// The name of input `source` as given.
    pub fn source_name(&self, source: u32) -> &str {
        self.sources.get(source as usize).map_or("", String::as_str)
    }

    /// The slot of the room `room_id` (`None`: the first room), made when new.
    fn room_slot(&mut self, room_id: Option<&str>) -> usize {
        if let Some(fixed) = &self.fixed_room {
            if self.rooms.is_empty() {
                self.by_room.insert(fixed.clone(), 0);
                self.rooms.push(Room::new(Some(fixed)));
            }
            return 0;
        }
        match room_id {
            Some(room) => match self.by_room.get(room) {
                Some(&i) => i,
                None => {
                    self.by_room.insert(room.to_owned(), self.rooms.len());
                    self.rooms.push(Room::new(Some(room)));
                    self.rooms.len() - 1
                }
            },
            None if self.rooms.is_empty() => {
                self.rooms.push(Room::new(None));
                0
            }
            None => 0,
        }
    }

    /// Adds the keys of any key input text (key responses, notary answers, trusted keys,
    /// key-table rows) and judges unchecked events again.
    pub fn add_keys(&mut self, text: &str) -> KeysReport {
        let input = input::recognise(text);
        let mut added = crate::crypto::keys::KeysAdded::default();
        for key in &input.keys {
            added.extend(self.keys.add(key));
        }
        let shape = input.shape();
        let mut problems = input.problems;
        // One list of problems: the keys refused join the input's own (the report flattens
        // `KeysAdded`, whose `problems` would otherwise be hidden by these).
        problems.append(&mut added.problems);
        if input.keys.is_empty() && problems.is_empty() {
            problems.push(Problem::error(
                input::codes::INPUT_SHAPE_UNKNOWN,
                "$",
                format!(
                    "The input holds no keys: it is {}, not server keys, a notary answer, trusted_key_servers, key lines or key-table rows.",
                    shape.describe()
                ),
            ));
        }
        let rejudged = if added.added > 0 {
            self.rejudge()
        } else {
            Rejudged::default()
        };
        KeysReport {
            input: shape,
            keys: added,
            problems,
            rejudged,
        }
    }
}

/// Adds `keys` to a session's missing keys (`held`: sorted, each once).
fn note_missing_keys(held: &mut Vec<MissingKey>, keys: &[MissingKey]) {
    held.extend_from_slice(keys);
    crate::sort::sort_dedup(held);
}
