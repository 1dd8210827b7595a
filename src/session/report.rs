//! What the session says about each input it takes, and about an event held.

use serde::Serialize;

use super::{Auth, Authorised};
use crate::crypto::keys::KeysAdded;
use crate::event::report::{Counts, MissingKey, Outcome};
use crate::event::{EventReport, Verdict};
use crate::federation::ContractVerdict;
use crate::input::{InputShape, Origin};
use crate::problem::Problem;

/// Where the room version used for an input came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionFrom {
    /// Given to the session (`--room-version`, the page's choice).
    Given,
    /// Named by this input (its `m.room.create`, or a tardis scenario's `room_version`).
    Input,
    /// Named by an input the session took before.
    Session,
}

/// An answer's contract verdict, with what it answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contract {
    /// The endpoint (`backfill`, `get_missing_events`, `forwards_fill`, `timestamp_to_event`,
    /// `extremities`).
    pub endpoint: &'static str,
    /// The room the request named.
    pub room_id: String,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: ContractVerdict,
}

/// What taking one input did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IngestReport {
    /// How the input was named when given (a file name, a request line).
    pub source: String,
    /// The shape it was recognised as.
    pub input: InputShape,
    /// The room its events name (the first that names one).
    pub room_id: Option<String>,
    /// The room version its events were judged by, when one was known.
    pub room_version: Option<String>,
    /// Where that version came from.
    pub version_from: Option<VersionFrom>,
    /// The input's own title (a tardis scenario's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Verdict counts of its events.
    pub counts: Counts,
    /// One report per event, in input order.
    pub events: Vec<EventReport>,
    /// Problems of the input as a whole.
    pub problems: Vec<Problem>,
    /// The keys the input carried: what was added, what was refused and why.
    pub keys: KeysAdded,
    /// Events judged again because the input brought keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejudged: Option<Rejudged>,
    /// Keys its events were signed with that the session does not hold.
    pub missing_keys: Vec<MissingKey>,
    /// Events that joined the DAG.
    pub added: usize,
    /// Events the DAG already held.
    pub known: usize,
    /// Events that could not be placed (unreadable, no ID, another room).
    pub refused: usize,
    /// Events waiting for a room version to be judged (no version known yet).
    pub waiting: usize,
    /// What the DAG found while taking them (IDs reused with other content, events of
    /// another room, IDs the input wrote that the content contradicts).
    pub findings: Vec<Problem>,
    /// For an answer to a request: whether it kept its endpoint's contract.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract: Option<Contract>,
    /// What check 4 (the authorization rules) decided while taking it, for its events and
    /// for held events whose auth events it brought.
    pub auth: Authorised,
    /// `valid`, `unchecked` (nothing invalid, some events not checkable) or `invalid`.
    pub outcome: Outcome,
}

impl IngestReport {
    /// A report of nothing taken.
    pub fn empty() -> Self {
        IngestReport {
            source: String::new(),
            input: InputShape::Unrecognised,
            room_id: None,
            room_version: None,
            version_from: None,
            title: None,
            counts: Counts::default(),
            events: Vec::new(),
            problems: Vec::new(),
            keys: KeysAdded::default(),
            rejudged: None,
            missing_keys: Vec::new(),
            added: 0,
            known: 0,
            refused: 0,
            waiting: 0,
            findings: Vec::new(),
            contract: None,
            auth: Authorised::default(),
            outcome: Outcome::Valid,
        }
    }

    /// Adds what taking more events did (their indices continue this report's).
    pub fn merge(&mut self, other: IngestReport) {
        let offset = self.events.len();
        self.room_id = self.room_id.take().or(other.room_id);
        self.counts.add(&other.counts);
        self.events.extend(other.events.into_iter().map(|mut e| {
            e.index += offset;
            e
        }));
        self.problems.extend(other.problems);
        self.findings.extend(other.findings);
        // Sorted and once each, as one validation lists them.
        self.missing_keys.extend(other.missing_keys);
        self.missing_keys.sort_unstable();
        self.missing_keys.dedup();
        self.added += other.added;
        self.known += other.known;
        self.refused += other.refused;
        self.waiting += other.waiting;
        self.auth.allowed += other.auth.allowed;
        self.auth.rejected += other.auth.rejected;
        self.auth.unknown += other.auth.unknown;
        self.outcome = self.outcome.max(other.outcome);
    }
}

/// What judging held events again did (after keys arrived).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rejudged {
    /// Events judged again.
    pub judged: usize,
    /// Of them, events now checked (no longer `unchecked`).
    pub checked: usize,
    /// Events still unchecked for want of keys.
    pub still_unchecked: usize,
    /// What check 4 decided for the events now checked and those waiting on them.
    pub auth: Authorised,
}

impl Rejudged {
    /// What judging again twice did.
    pub fn plus(self, other: Rejudged) -> Rejudged {
        Rejudged {
            judged: self.judged + other.judged,
            checked: self.checked + other.checked,
            still_unchecked: self.still_unchecked + other.still_unchecked,
            auth: Authorised {
                allowed: self.auth.allowed + other.auth.allowed,
                rejected: self.auth.rejected + other.auth.rejected,
                unknown: self.auth.unknown + other.auth.unknown,
            },
        }
    }
}

/// What adding keys did, and the events judged again.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeysReport {
    /// The input's shape.
    pub input: InputShape,
    /// Keys added (their `problems` moved to the report's own).
    #[serde(flatten)]
    pub keys: KeysAdded,
    /// Why anything was refused: the input as a whole (unreadable, or holding no keys)
    /// first, then each key refused.
    pub problems: Vec<Problem>,
    /// Held events judged again.
    pub rejudged: Rejudged,
}

/// One held or missing event, for an inspector's panel.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventDetails {
    /// The event ID.
    pub event_id: String,
    /// Whether the event is held (else it is only referenced: a gap).
    pub held: bool,
    /// Held as an outlier.
    pub outlier: bool,
    /// The event as the input carried it (canonical JSON).
    pub json: Option<String>,
    /// Its verdict.
    pub verdict: Option<Verdict>,
    /// A `redacted` event that arrived exactly in its redacted form.
    pub pruned_by_sender: bool,
    /// Its problems.
    pub problems: Vec<Problem>,
    /// Check 4: the authorization rules against its own auth events.
    pub auth: Option<Auth>,
    /// Checks 5 and 6: the rules against the state before it and the current state.
    pub state: Option<super::StateAuth>,
    /// The input it came from and where in it (`file room.ndjson, Line 7`).
    pub source: Option<String>,
    /// The note the input attached.
    pub annotation: Option<String>,
    /// Plain or a scenario's.
    pub origin: Option<Origin>,
    /// One-line summary.
    pub summary: Option<String>,
    /// Its `prev_events`, each with whether it is held.
    pub prev: Vec<Neighbour>,
    /// The held events that list it in `prev_events`.
    pub next: Vec<Neighbour>,
    /// For a merge whose states conflicted: the conflicted state, what the resolution
    /// kept, and the state resets found there.
    pub merge: Option<super::merges::MergeDetails>,
}

/// An event next to another in the DAG.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Neighbour {
    /// Its ID.
    pub event_id: String,
    /// Whether it is held.
    pub held: bool,
}
