//! The validation report: a verdict and problems per event, counts for the whole input.
//! Serialises (serde) to the JSON shape the CLI prints and JS receives.

use serde::Serialize;

use super::codes::PROBLEMS_LEFT_OUT;
use crate::crypto::codes::SIGNING_KEY_UNKNOWN;
use crate::input::InputShape;
use crate::problem::Problem;

/// The outcome of the checks on receipt of one PDU.
///
/// Spec: [Server-Server API § Checks performed on receipt of a PDU](https://spec.matrix.org/v1.16/server-server-api/#checks-performed-on-receipt-of-a-pdu),
/// steps 1–3 (authorisation, steps 4–6, belongs to the DAG).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Format, signatures and content hash are all fine.
    Valid,
    /// Format and signatures are fine but the content hash does not match: a server uses
    /// the redacted form of the event.
    Redacted,
    /// Signatures are fine but a server persists the event as rejected: in room versions
    /// 1–10, a field over 255 bytes but not over 255 code points.
    Rejected,
    /// Passes checks 1–5 but fails the authorization rules against the current state of
    /// the room (check 6): a server keeps it but does not show it or build on it
    /// ([soft failure](https://spec.matrix.org/v1.16/server-server-api/#soft-failure)).
    SoftFailed,
    /// Could not be checked: a signing key is not held (fetch it and judge again), or the
    /// event is no PDU (client format, tardis scenario). Not invalid.
    Unchecked,
    /// The format is invalid or a required signature is missing, invalid, or made with an
    /// expired key: a server drops the event.
    Dropped,
}

/// The report for one event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EventReport {
    /// Position of the event in the input, from 0.
    pub index: usize,
    /// Where the event is in the input, as messages name it (`Line 7`, `Event #3`,
    /// `events_before[2]`).
    pub label: String,
    /// The event ID (carried in v1/v2, computed from v3), when it could be determined.
    pub event_id: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// For a `redacted` event: `true` when the event arrived already exactly in its
    /// redacted form (a server pruned it, as servers do for history visibility), `false`
    /// when its content was altered some other way (tampered or corrupted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pruned_by_sender: Option<bool>,
    /// Every problem found: errors first, then warnings, then information; in the order
    /// of the checks within one severity.
    pub problems: Vec<Problem>,
}

/// How many events got each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Events in the input.
    pub total: usize,
    /// `valid` events.
    pub valid: usize,
    /// `redacted` events.
    pub redacted: usize,
    /// `rejected` events.
    pub rejected: usize,
    /// `soft_failed` events.
    pub soft_failed: usize,
    /// `unchecked` events.
    pub unchecked: usize,
    /// `dropped` events.
    pub dropped: usize,
}

/// A key the events were signed with that the key ring lacks: fetch it and validate again.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
pub struct MissingKey {
    /// The server whose key is missing.
    pub server_name: String,
    /// The key ID it signed with.
    pub key_id: String,
}

/// The report on a whole input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The room version the events were judged by.
    pub room_version: String,
    /// The shape the input was recognised as.
    pub input: InputShape,
    /// Verdict counts.
    pub counts: Counts,
    /// One report per event, in input order.
    pub events: Vec<EventReport>,
    /// Problems with the input as a whole (not of one event).
    pub problems: Vec<Problem>,
    /// Keys that were needed but unknown, sorted, without repeats.
    pub missing_keys: Vec<MissingKey>,
}

impl Counts {
    /// Counts the verdicts of `events`.
    pub fn of(events: &[EventReport]) -> Counts {
        let mut c = Counts {
            total: events.len(),
            ..Counts::default()
        };
        for e in events {
            match e.verdict {
                Verdict::Valid => c.valid += 1,
                Verdict::Redacted => c.redacted += 1,
                Verdict::Rejected => c.rejected += 1,
                Verdict::SoftFailed => c.soft_failed += 1,
                Verdict::Unchecked => c.unchecked += 1,
                Verdict::Dropped => c.dropped += 1,
            }
        }
        c
    }
}

impl Counts {
    /// Adds another input's counts.
    pub fn add(&mut self, other: &Counts) {
        self.total += other.total;
        self.valid += other.valid;
        self.redacted += other.redacted;
        self.rejected += other.rejected;
        self.soft_failed += other.soft_failed;
        self.unchecked += other.unchecked;
        self.dropped += other.dropped;
    }
}

/// The outcome of a whole input, as an exit status says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every event valid, no error anywhere.
    Valid,
    /// Nothing invalid, but some events could not be checked (keys not held, events that
    /// are no PDU).
    Unchecked,
    /// An event is redacted, rejected or dropped, or an error was found.
    Invalid,
}

impl Report {
    /// Whether every event is valid and no error was found.
    pub fn all_valid(&self) -> bool {
        self.outcome() == Outcome::Valid
    }

    /// The input's outcome (see [`Outcome::of`]).
    pub fn outcome(&self) -> Outcome {
        let problems = self
            .problems
            .iter()
            .chain(self.events.iter().flat_map(|e| &e.problems));
        Outcome::of(&self.counts, problems)
    }
}

impl Outcome {
    /// The outcome of events with these counts and problems: errors that only say an event
    /// could not be checked (a key not held) leave it `unchecked`; any other error makes it
    /// `invalid`.
    pub fn of<'a>(counts: &Counts, mut problems: impl Iterator<Item = &'a Problem>) -> Outcome {
        let invalid_error = problems.any(|p| p.is_error() && p.code != SIGNING_KEY_UNKNOWN);
        if counts.redacted + counts.rejected + counts.dropped > 0 || invalid_error {
            Outcome::Invalid
        } else if counts.unchecked > 0 {
            Outcome::Unchecked
        } else {
            Outcome::Valid
        }
    }
}

/// The most problems listed for one event: past it, the rest are counted in one
/// `problems_left_out` problem of the event (an event of 64 KiB can hold thousands of
/// floats, each a problem).
pub const MAX_PROBLEMS_PER_EVENT: usize = 16;

/// The most problems of events one report lists: past it, events keep their verdicts, their
/// problems are counted by code in one `problems_left_out` problem, on the first event whose
/// problems were left out. Real inputs stay far below; 100,000 broken events would otherwise
/// make a report hundreds of times the input's size.
pub const MAX_PROBLEMS_PER_REPORT: usize = 10_000;

/// Applies [`MAX_PROBLEMS_PER_EVENT`] and [`MAX_PROBLEMS_PER_REPORT`] to the events of one
/// report, as they are judged.
#[derive(Debug)]
pub(crate) struct ProblemBudget {
    left: usize,
    /// How many problems of each code were left out, sorted by code: a vector, not a
    /// `BTreeMap` (5 KB of wasm), as the codes are the crate's few fixed strings.
    left_out: Vec<(&'static str, usize)>,
    events_left_out: usize,
    first: Option<usize>,
}

impl Default for ProblemBudget {
    fn default() -> Self {
        Self::new()
    }
}

impl ProblemBudget {
    /// A budget of [`MAX_PROBLEMS_PER_REPORT`].
    pub fn new() -> Self {
        Self {
            left: MAX_PROBLEMS_PER_REPORT,
            left_out: Default::default(),
            events_left_out: 0,
            first: None,
        }
    }

    /// Orders `problems` of event `index` most important first and caps them.
    pub fn apply(&mut self, index: usize, label: &str, problems: &mut Vec<Problem>) {
        crate::problem::most_severe_first(problems);
        if problems.len() > MAX_PROBLEMS_PER_EVENT {
            let more = problems.len() - (MAX_PROBLEMS_PER_EVENT - 1);
            problems.truncate(MAX_PROBLEMS_PER_EVENT - 1);
            problems.push(Problem::info(
                PROBLEMS_LEFT_OUT,
                "$",
                format!("{label}: {more} more problems are not listed (at most {MAX_PROBLEMS_PER_EVENT} per event)."),
            ));
        }
        if problems.len() <= self.left {
            self.left -= problems.len();
            return;
        }
        for problem in problems.drain(self.left..) {
            match self
                .left_out
                .binary_search_by_key(&problem.code, |&(code, _)| code)
            {
                Ok(i) => self.left_out[i].1 += 1,
                Err(i) => self.left_out.insert(i, (problem.code, 1)),
            }
        }
        problems.shrink_to_fit();
        self.left = 0;
        self.events_left_out += 1;
        self.first.get_or_insert(index);
    }

    /// The event that gets the summary of what was left out, and the summary.
    pub fn summary(&self) -> Option<(usize, Problem)> {
        let first = self.first?;
        let total: usize = self.left_out.iter().map(|&(_, n)| n).sum();
        let by_code: Vec<String> = self
            .left_out
            .iter()
            .map(|(code, n)| format!("{code} ×{n}"))
            .collect();
        Some((
            first,
            Problem::warning(
                PROBLEMS_LEFT_OUT,
                "$",
                format!(
                    "From this event on, {total} problems of {} events are not listed (at most {MAX_PROBLEMS_PER_REPORT} per report; the verdicts are all there): {}.",
                    self.events_left_out,
                    by_code.join(", ")
                ),
            ),
        ))
    }
}
