//! An answer laid over the DAG held: the overlay the contract checks of every endpoint
//! walk ([`super::contract`] builds it; [`super::backfill`], [`super::get_missing_events`]
//! and [`super::forwards_fill`] judge it), and where its readable events stood among all
//! the PDUs it returned.

use std::collections::HashSet;

use super::codes;
use super::ordering::{monotone, topological, AnswerOrdering};
use crate::dag::walk::{breadth_first, Visit};
use crate::dag::{DagEvent, NodeIndex, Placement, RoomDag};
use crate::problem::{Problem, Severity};

/// Where the readable events of an answer stood among all it returned: `positions[i]` is
/// the index in the response of readable event `i`, and `total` how many PDUs it held.
pub(crate) struct Returned<'a> {
    pub positions: &'a [usize],
    pub total: usize,
}

/// An answer laid over the DAG held.
pub(crate) struct Answer<'a> {
    /// The DAG held, without the answer.
    pub held: &'a RoomDag,
    /// The DAG held plus the answer's events of the right room.
    pub overlay: RoomDag,
    /// The answer's events, in order.
    pub events: &'a [DagEvent],
    /// Each event's node in the overlay (`None` for events of another room).
    pub nodes: Vec<Option<NodeIndex>>,
    /// `pdus` or `events`: the response field, for JSON paths.
    pub field: &'static str,
    room_id: &'a str,
    /// Where `events` stood in the response, when unreadable PDUs were left out.
    returned: Option<Returned<'a>>,
}

impl<'a> Answer<'a> {
    pub(crate) fn new(
        held: &'a RoomDag,
        room_id: &'a str,
        events: &'a [DagEvent],
        field: &'static str,
        returned: Option<Returned<'a>>,
    ) -> Self {
        let mut overlay = if held.node_count() == 0 {
            RoomDag::for_room(room_id)
        } else {
            held.clone()
        };
        let nodes = events
            .iter()
            .map(|e| {
                let ours = e.room_id.as_deref().is_none_or(|r| r == room_id);
                ours.then(|| {
                    overlay
                        .insert(e, Placement::Timeline)
                        .or_else(|| overlay.index_of(&e.event_id))
                })
                .flatten()
            })
            .collect();
        Self {
            held,
            overlay,
            events,
            nodes,
            field,
            room_id,
            returned,
        }
    }

    /// JSON path of event `i`'s `key` (or of the event, for an empty key).
    pub fn path(&self, i: usize, key: &str) -> String {
        let i = self.returned.as_ref().map_or(i, |r| r.positions[i]);
        if key.is_empty() {
            format!("$.{}[{i}]", self.field)
        } else {
            format!("$.{}[{i}].{key}", self.field)
        }
    }

    /// The overlay nodes of the IDs that it knows, in the order given, repeats removed.
    pub fn known(&self, ids: &[String]) -> Vec<NodeIndex> {
        let mut seen = HashSet::new();
        ids.iter()
            .filter_map(|id| self.overlay.index_of(id))
            .filter(|&n| seen.insert(n))
            .collect()
    }

    /// Breadth-first walk of the overlay from `starts`, over `prev_events` (`backwards`) or
    /// children, entering every node. Also says whether the walk met a node not held (a gap),
    /// which means absence from the walk proves nothing.
    pub fn walk(&self, starts: &[NodeIndex], backwards: bool) -> (Visit, bool) {
        self.walk_avoiding(starts, backwards, &[])
    }

    /// [`walk`](Self::walk) that does not enter the nodes in `avoid`.
    pub fn walk_avoiding(
        &self,
        starts: &[NodeIndex],
        backwards: bool,
        avoid: &[NodeIndex],
    ) -> (Visit, bool) {
        let overlay = &self.overlay;
        let mut blocked = vec![false; overlay.node_count()];
        for &n in avoid {
            blocked[n as usize] = true;
        }
        let enter = |n: NodeIndex| !blocked[n as usize];
        let visit = if backwards {
            breadth_first(
                overlay.node_count(),
                starts,
                |n| overlay.prev_events(n),
                enter,
                usize::MAX,
            )
        } else {
            let children = crate::dag::Children::build(overlay, true);
            breadth_first(
                overlay.node_count(),
                starts,
                |n| children.of(n),
                enter,
                usize::MAX,
            )
        };
        let met_gap = visit.order.iter().any(|&n| !overlay.is_timeline(n));
        (visit, met_gap)
    }

    /// Whether some of `ids` is unknown to the overlay (neither held, answered nor
    /// referenced): a walk from the rest cannot disprove anything.
    pub fn any_unknown(&self, ids: &[String]) -> bool {
        ids.iter().any(|id| self.overlay.index_of(id).is_none())
    }

    /// Levels of the answer's events in `visit`, `u32::MAX` where unreached.
    pub fn levels(&self, visit: &Visit) -> Vec<u32> {
        self.nodes
            .iter()
            .map(|n| n.map_or(u32::MAX, |n| visit.level[n as usize]))
            .collect()
    }

    /// Which known ordering the answer follows, given the answer's `levels` in the endpoint's
    /// walk: Synapse's when `synapse_order` (each endpoint's own test) holds, else
    /// breadth-first when every event was reached at a distance that never decreases, else a
    /// local timeline (`oldest_first` or newest first), else none.
    pub fn ordering(
        &self,
        synapse_order: bool,
        levels: &[u32],
        oldest_first: bool,
    ) -> AnswerOrdering {
        if synapse_order {
            AnswerOrdering::Synapse
        } else if !levels.contains(&u32::MAX) && monotone(levels, true) {
            AnswerOrdering::BreadthFirst
        } else if topological(&self.overlay, &self.nodes, oldest_first) {
            AnswerOrdering::LocalTimeline
        } else {
            AnswerOrdering::None
        }
    }

    /// Whether any event the answer's events were not reached from reaches a gap going
    /// backwards: then their relation to the events asked about cannot be settled.
    pub fn unreached_meet_gap(&self, visit: &Visit) -> bool {
        let unreached: Vec<NodeIndex> = self
            .nodes
            .iter()
            .flatten()
            .copied()
            .filter(|&n| visit.level[n as usize] == u32::MAX)
            .collect();
        !unreached.is_empty() && self.walk(&unreached, true).1
    }

    /// Room, duplicate and limit findings.
    pub(crate) fn common_problems(&self, limit: u64) -> Vec<Problem> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for (i, e) in self.events.iter().enumerate() {
            if let Some(room) = e.room_id.as_deref().filter(|r| *r != self.room_id) {
                problems.push(Problem::error(
                    codes::WRONG_ROOM,
                    self.path(i, "room_id"),
                    format!(
                        "Event {} belongs to room {room}, but the request was for {}.",
                        e.event_id, self.room_id
                    ),
                ));
            }
            if !seen.insert(e.event_id.as_str()) {
                problems.push(Problem::error(
                    codes::DUPLICATE_EVENT,
                    self.path(i, ""),
                    format!("Event {} appears more than once in the answer.", e.event_id),
                ));
            }
        }
        let total = self
            .returned
            .as_ref()
            .map_or(self.events.len(), |r| r.total);
        if total as u64 > limit {
            problems.push(Problem::error(
                codes::OVER_LIMIT,
                format!("$.{}", self.field),
                format!("The answer has {total} events but the request's limit is {limit}."),
            ));
        }
        problems
    }

    /// Membership findings for events not reached by the walk from the events asked about
    /// (`skip` exempts some): a warning with `unproven` when the caller says a gap leaves it
    /// `uncertain`, else an error with `disproved`.
    pub fn reach_problems(
        &self,
        visit: &Visit,
        uncertain: bool,
        skip: impl Fn(usize) -> bool,
        (disproved, unproven): (&'static str, &'static str),
        relation: &str,
    ) -> Vec<Problem> {
        let severity = if uncertain {
            Severity::Warning
        } else {
            Severity::Error
        };
        let code = if uncertain { unproven } else { disproved };
        let why = if uncertain {
            "cannot be proved from the answer plus the DAG held (a gap lies on the way)"
        } else {
            "is not, as the answer plus the DAG held show"
        };
        self.nodes
            .iter()
            .enumerate()
            .filter(|&(i, n)| !skip(i) && n.is_some_and(|n| visit.level[n as usize] == u32::MAX))
            .map(|(i, _)| {
                Problem::new(
                    severity,
                    code,
                    self.path(i, ""),
                    format!(
                        "Event {} should be {relation}, and {why}.",
                        self.events[i].event_id
                    ),
                )
            })
            .collect()
    }

    /// The server-cap or short-answer note when the answer is smaller than asked.
    pub fn size_note(
        &self,
        limit: u64,
        reference_len: usize,
        caps: &[(u64, &str)],
    ) -> Option<Problem> {
        let len = self.events.len() as u64;
        if len >= limit {
            return None;
        }
        let path = format!("$.{}", self.field);
        if let Some((_, who)) = caps.iter().find(|(cap, _)| *cap == len) {
            return Some(Problem::info(
                codes::SERVER_CAP,
                path,
                format!("The answer has {len} events for limit {limit}: {who} caps this endpoint at {len}; still correct."),
            ));
        }
        (len < (reference_len as u64).min(limit)).then(|| {
            Problem::info(
                codes::SHORTER_THAN_REFERENCE,
                path,
                format!("The answer has {len} events; a server holding the DAG known here would send {}.", (reference_len as u64).min(limit)),
            )
        })
    }
}
