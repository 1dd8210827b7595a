//! The session's room as the rows of a drawing: the DAG's rows ([`LayoutRows`]) with what
//! the session knows of each held event (verdict, kind, marks, one-line label), as flat
//! arrays a page draws from without keeping its own copy of the events.

use super::held::EventKind;
use super::RoomSession;
use crate::dag::{row_flags, LayoutRows};
use crate::event::Verdict;
use crate::problem::Severity;

/// Codes of [`SessionRows::verdicts`].
pub mod verdict_codes {
    /// `valid`.
    pub const VALID: u8 = 0;
    /// `redacted`.
    pub const REDACTED: u8 = 1;
    /// `dropped`.
    pub const DROPPED: u8 = 2;
    /// `unchecked`.
    pub const UNCHECKED: u8 = 3;
    /// A gap: not held.
    pub const GAP: u8 = 4;
    /// `rejected`.
    pub const REJECTED: u8 = 5;
    /// `soft_failed`.
    pub const SOFT_FAILED: u8 = 6;
}

/// Codes of [`SessionRows::kinds`].
pub mod kind_codes {
    /// `m.room.message`.
    pub const MESSAGE: u8 = 0;
    /// A state event.
    pub const STATE: u8 = 1;
    /// Anything else.
    pub const OTHER: u8 = 2;
    /// A gap.
    pub const GAP: u8 = 3;
}

/// Bits of [`SessionRows::marks`].
pub mod marks {
    /// The event has a warning or an error.
    pub const PROBLEMS: u8 = 1;
    /// A `redacted` event the sender pruned.
    pub const PRUNED: u8 = 2;
    /// The input attached a note to the event.
    pub const ANNOTATED: u8 = 4;
    /// A merge whose states conflicted (state resolution decided something).
    pub const CONFLICTED_MERGE: u8 = 8;
    /// A merge where the resolution reset some state (a `state_reset` finding).
    pub const STATE_RESET: u8 = 16;
}

/// See the [module documentation](self).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SessionRows {
    /// The DAG's rows.
    pub rows: LayoutRows,
    /// [`verdict_codes`] per row.
    pub verdicts: Vec<u8>,
    /// [`kind_codes`] per row.
    pub kinds: Vec<u8>,
    /// [`marks`] per row.
    pub marks: Vec<u8>,
    /// One line per row: the event's summary, empty for a gap.
    pub labels: Vec<String>,
}

fn verdict_code(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Valid => verdict_codes::VALID,
        Verdict::Redacted => verdict_codes::REDACTED,
        Verdict::Dropped => verdict_codes::DROPPED,
        Verdict::Unchecked => verdict_codes::UNCHECKED,
        Verdict::Rejected => verdict_codes::REJECTED,
        Verdict::SoftFailed => verdict_codes::SOFT_FAILED,
    }
}

impl RoomSession {
    /// The session's room as rows of a drawing. Linear in the room after the DAG's sort.
    pub fn rows(&self) -> SessionRows {
        let Some(room) = self.shown_room() else {
            return SessionRows::default();
        };
        let rows = room.dag.layout_rows();
        let n = rows.len();
        let mut out = SessionRows {
            verdicts: Vec::with_capacity(n),
            kinds: Vec::with_capacity(n),
            marks: Vec::with_capacity(n),
            labels: Vec::with_capacity(n),
            ..SessionRows::default()
        };
        for (&node, &flags) in rows.nodes.iter().zip(&rows.flags) {
            let held = room.held(node).filter(|_| flags & row_flags::GAP == 0);
            let Some(held) = held else {
                out.verdicts.push(verdict_codes::GAP);
                out.kinds.push(kind_codes::GAP);
                out.marks.push(0);
                out.labels.push(String::new());
                continue;
            };
            out.verdicts.push(verdict_code(held.verdict));
            out.kinds.push(match held.meta.kind {
                EventKind::Message => kind_codes::MESSAGE,
                EventKind::State => kind_codes::STATE,
                EventKind::Other => kind_codes::OTHER,
            });
            let problems = held
                .problems
                .iter()
                .any(|p| p.severity >= Severity::Warning);
            let mut mark = 0;
            let (conflicted, reset) = room.merge_marks(node);
            for (set, bit) in [
                (problems, marks::PROBLEMS),
                (held.pruned_by_sender, marks::PRUNED),
                (held.meta.annotation.is_some(), marks::ANNOTATED),
                (conflicted, marks::CONFLICTED_MERGE),
                (reset, marks::STATE_RESET),
            ] {
                if set {
                    mark |= bit;
                }
            }
            out.marks.push(mark);
            out.labels.push(held.meta.summary.clone());
        }
        out.rows = rows;
        out
    }
}
