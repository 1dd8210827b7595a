//! Pages: `limit` events from an anchor, in one direction, with their gap entries.

use super::token::Spot;
use super::{codes, Timeline, Token};
use crate::dag::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// The direction of pagination: the spec's `dir` (`f` forwards in time, `b` backwards), as
/// `/messages` and `timestamp_to_event` take it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `f`: towards newer events.
    Forwards,
    /// `b`: towards older events.
    Backwards,
}

impl Direction {
    /// The direction of `f` or `b`; a problem (`timeline_bad_direction`) for anything else.
    pub fn parse(text: &str) -> Result<Self, Problem> {
        match text {
            "f" => Ok(Self::Forwards),
            "b" => Ok(Self::Backwards),
            other => Err(Problem::error(
                codes::BAD_DIRECTION,
                "$.dir",
                format!("dir must be \"f\" or \"b\" (as /messages takes it), not {other:?}."),
            )),
        }
    }

    /// `f` or `b`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Forwards => "f",
            Self::Backwards => "b",
        }
    }
}

/// Where a page starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The oldest end (forwards) or the newest end (backwards) of the timeline.
    Edge,
    /// A held timeline event; the page includes it.
    Event(NodeIndex),
    /// A timestamp (ms): the page starts at the event [`Timeline::jump`] finds in the page's
    /// direction, or, when there is none, at the end it runs into.
    Timestamp(i64),
    /// A pagination token (a spot between events); the page starts right after it.
    Token(Token),
}

/// A gap entry: where a page's events lack history. The three fields MSC3871 proposes
/// (`event_id`, `prev_pagination_token`, `next_pagination_token`), with what the DAG knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GapEntry {
    /// The event on the page whose `prev_events` are not all held: the gap lies right
    /// before it in time.
    pub event: NodeIndex,
    /// The spot right before `event` (paginate backwards from it into the gap).
    pub prev_token: Token,
    /// The spot right after `event`.
    pub next_token: Token,
    /// Its `prev_events` that are not held in the timeline (backward extremities), in the
    /// order the event lists them.
    pub missing: Vec<NodeIndex>,
    /// Events missing as far as depths tell: the most depth levels missing below any of
    /// `missing` ([`crate::dag::Gap::missing_depths`]), and never fewer than `missing`.
    pub estimated_missing: u64,
    /// Whether some of `missing` are held, but only as outliers.
    pub held_as_outlier: bool,
}

/// One page of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Page {
    /// The direction of pagination.
    pub dir: Direction,
    /// The events, in the direction of pagination (newest first when backwards), as
    /// `/messages` returns `chunk`.
    pub chunk: Vec<NodeIndex>,
    /// The spot the page started at.
    pub start: Token,
    /// The spot after the page's last event in its direction: where the next page starts.
    /// Present even at the end of what is held (unlike `/messages`), since filling gaps
    /// and forwards fill may add events there; [`more`](Self::more) says whether any are
    /// held now.
    pub end: Token,
    /// Whether held events lie beyond `end`.
    pub more: bool,
    /// The gap entries of the page's events, in `chunk` order.
    pub gaps: Vec<GapEntry>,
}

impl Timeline {
    /// A page of at most `limit` events from `anchor` in direction `dir`. Needs the index to
    /// be up to date with `dag` ([`refresh`](Self::refresh)); costs `limit` steps.
    pub fn page(
        &self,
        dag: &RoomDag,
        anchor: Anchor,
        dir: Direction,
        limit: usize,
    ) -> Result<Page, Problem> {
        if !self.is_current(dag) {
            return Err(Problem::error(
                codes::STALE_INDEX,
                "$",
                "The room's DAG changed since the timeline index was refreshed.",
            ));
        }
        let cut = self.anchor_cut(dag, anchor, dir)?;
        let len = self.order.len();
        let (chunk, end_cut): (Vec<NodeIndex>, usize) = match dir {
            Direction::Forwards => {
                let end = cut.saturating_add(limit).min(len);
                (self.order[cut..end].to_vec(), end)
            }
            Direction::Backwards => {
                let start = cut.saturating_sub(limit);
                (
                    self.order[start..cut].iter().rev().copied().collect(),
                    start,
                )
            }
        };
        let end = match (dir, chunk.last()) {
            (Direction::Forwards, Some(&n)) => Spot::After(n),
            (Direction::Backwards, Some(&n)) => Spot::Before(n),
            (_, None) => self.spot_at(cut),
        };
        let more = match dir {
            Direction::Forwards => end_cut < len,
            Direction::Backwards => end_cut > 0,
        };
        let gaps = chunk
            .iter()
            .filter_map(|&n| self.gap_entry(dag, n))
            .collect();
        Ok(Page {
            dir,
            start: self.token(self.spot_at(cut)),
            end: self.token(end),
            more,
            chunk,
            gaps,
        })
    }

    /// The gap entry of a held timeline event, when some of its `prev_events` are missing.
    pub fn gap_entry(&self, dag: &RoomDag, event: NodeIndex) -> Option<GapEntry> {
        let missing: Vec<NodeIndex> = dag
            .prev_events(event)
            .iter()
            .copied()
            .filter(|&p| dag.is_gap(p))
            .collect();
        if missing.is_empty() {
            return None;
        }
        let depths = missing
            .iter()
            .filter_map(|p| self.gaps.get(p))
            .map(|g| g.missing_depths.max(0) as u64)
            .max()
            .unwrap_or(0);
        Some(GapEntry {
            event,
            prev_token: self.token(Spot::Before(event)),
            next_token: self.token(Spot::After(event)),
            estimated_missing: depths.max(missing.len() as u64),
            held_as_outlier: missing.iter().any(|&p| dag.is_outlier(p)),
            missing,
        })
    }

    /// The cut a page in direction `dir` starts at.
    fn anchor_cut(&self, dag: &RoomDag, anchor: Anchor, dir: Direction) -> Result<usize, Problem> {
        let event_cut = |n: NodeIndex| {
            let p = self.position(n).ok_or_else(|| {
                Problem::error(
                    codes::UNKNOWN_EVENT,
                    "$.anchor",
                    format!(
                        "Event {} is not held in the room's timeline.",
                        dag.event_id(n)
                    ),
                )
            })?;
            Ok(match dir {
                Direction::Forwards => p,
                Direction::Backwards => p + 1,
            })
        };
        match anchor {
            Anchor::Edge => Ok(match dir {
                Direction::Forwards => 0,
                Direction::Backwards => self.order.len(),
            }),
            Anchor::Event(n) => event_cut(n),
            Anchor::Timestamp(ts) => match self.jump(dag, ts, dir) {
                Some(n) => event_cut(n),
                None => Ok(match dir {
                    Direction::Forwards => self.order.len(),
                    Direction::Backwards => 0,
                }),
            },
            Anchor::Token(token) => self.cut(token),
        }
    }

    /// The spot of a cut, named by a neighbouring event so that it survives insertions:
    /// after the event before it, or before the first event.
    fn spot_at(&self, cut: usize) -> Spot {
        match cut {
            0 => Spot::Start,
            c => Spot::After(self.order[c - 1]),
        }
    }
}
