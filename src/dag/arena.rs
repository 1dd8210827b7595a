//! The arena: nodes in vectors, `u32` indices, incremental ingest.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::codes;
use super::event::{DagEvent, Placement};
use super::ids::IdStore;
use crate::problem::Problem;

/// Index of a node (an event ID, held or only referenced) in a [`RoomDag`].
pub type NodeIndex = u32;

/// The node is a held event.
const HELD: u8 = 1;
/// The held event is an outlier.
const OUTLIER: u8 = 2;
/// A held timeline event lists this node in `prev_events`.
const REFERENCED: u8 = 4;
/// The held event is a state event (has a `state_key`).
const STATE: u8 = 8;

/// One node: 40 bytes. Nodes that are only referenced keep the defaults.
#[derive(Clone, Copy, Debug, Default)]
struct Node {
    depth: i64,
    origin_server_ts: i64,
    fingerprint: u64,
    edge_start: u32,
    sender: u32,
    event_type: u32,
    edge_len: u16,
    flags: u8,
}

/// A room's event graph. See the [module documentation](super).
#[derive(Clone, Debug, Default)]
pub struct RoomDag {
    room_id: Option<String>,
    ids: IdStore,
    nodes: Vec<Node>,
    /// `prev_events` of every held event, as node indices, back to back.
    edges: Vec<u32>,
    names: Vec<String>,
    name_index: HashMap<String, u32>,
    ingest_findings: Vec<Problem>,
    timeline_len: usize,
    outlier_len: usize,
}

impl RoomDag {
    /// An empty DAG. Its room is taken from the first event that names one.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty DAG of the room `room_id`: events of other rooms are refused.
    pub fn for_room(room_id: &str) -> Self {
        Self {
            room_id: Some(room_id.to_owned()),
            ..Self::default()
        }
    }

    /// Makes room for `events` more events with about `prev_each` `prev_events` each.
    pub fn reserve(&mut self, events: usize, prev_each: usize) {
        self.ids.reserve(events, 32);
        self.nodes.reserve(events);
        self.edges.reserve(events.saturating_mul(prev_each));
    }

    /// Adds one event. Returns its node, or `None` when it was refused (another room, an
    /// empty ID, or an ID already held with different content); the reason is kept in
    /// [`findings`](Self::findings). Adding an event already held is a no-op, except that a
    /// timeline copy of an outlier moves it into the timeline.
    pub fn insert(&mut self, event: &DagEvent, placement: Placement) -> Option<NodeIndex> {
        if event.event_id.is_empty() {
            self.ingest_findings.push(Problem::error(
                codes::EMPTY_EVENT_ID,
                "$.event_id",
                "An event has an empty event ID and cannot be placed in the room DAG.",
            ));
            return None;
        }
        if let Some(room) = &event.room_id {
            match &self.room_id {
                None => self.room_id = Some(room.clone()),
                Some(own) if own != room => {
                    self.ingest_findings.push(Problem::error(
                        codes::OTHER_ROOM,
                        "$.room_id",
                        format!(
                            "Event {} belongs to room {room}, not to {own}.",
                            event.event_id
                        ),
                    ));
                    return None;
                }
                Some(_) => {}
            }
        }
        let index = self.intern(&event.event_id);
        let node = self.nodes[index as usize];
        if node.flags & HELD != 0 {
            return self.insert_again(index, event, placement);
        }
        let edge_start = self.edges.len() as u32;
        let edge_len = self.push_edges(event);
        let mut flags = HELD;
        if event.state_key.is_some() {
            flags |= STATE;
        }
        if placement == Placement::Outlier {
            flags |= OUTLIER;
            self.outlier_len += 1;
        } else {
            self.timeline_len += 1;
        }
        let sender = self.name(&event.sender);
        let event_type = self.name(&event.event_type);
        let node = &mut self.nodes[index as usize];
        node.depth = event.depth;
        node.origin_server_ts = event.origin_server_ts;
        node.fingerprint = event.content_fingerprint;
        node.edge_start = edge_start;
        node.edge_len = edge_len;
        node.sender = sender;
        node.event_type = event_type;
        node.flags |= flags;
        if placement == Placement::Timeline {
            self.mark_prevs_referenced(index);
        }
        Some(index)
    }

    /// The room this DAG holds, once known.
    pub fn room_id(&self) -> Option<&str> {
        self.room_id.as_deref()
    }

    /// Number of nodes: held events plus event IDs only referenced.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Number of held timeline events.
    pub fn timeline_len(&self) -> usize {
        self.timeline_len
    }

    /// Number of held outliers.
    pub fn outlier_len(&self) -> usize {
        self.outlier_len
    }

    /// The node of `event_id`, held or referenced.
    pub fn index_of(&self, event_id: &str) -> Option<NodeIndex> {
        self.ids.get(event_id)
    }

    /// The event ID of a node.
    pub fn event_id(&self, node: NodeIndex) -> String {
        self.ids.id(node)
    }

    /// The ID store, for callers that render many IDs.
    pub fn ids(&self) -> &IdStore {
        &self.ids
    }

    /// Whether the node is a held event (timeline or outlier).
    pub fn is_held(&self, node: NodeIndex) -> bool {
        self.flags(node) & HELD != 0
    }

    /// Whether the node is a held outlier.
    pub fn is_outlier(&self, node: NodeIndex) -> bool {
        self.flags(node) & (HELD | OUTLIER) == HELD | OUTLIER
    }

    /// Whether the node is a held timeline event.
    pub fn is_timeline(&self, node: NodeIndex) -> bool {
        self.flags(node) & (HELD | OUTLIER) == HELD
    }

    /// Whether a held timeline event lists the node in `prev_events`.
    pub fn is_referenced(&self, node: NodeIndex) -> bool {
        self.flags(node) & REFERENCED != 0
    }

    /// Whether the held event has a `state_key`.
    pub fn is_state(&self, node: NodeIndex) -> bool {
        self.flags(node) & STATE != 0
    }

    /// `depth` of a held event (0 for a node only referenced).
    pub fn depth(&self, node: NodeIndex) -> i64 {
        self.nodes[node as usize].depth
    }

    /// `origin_server_ts` of a held event (0 for a node only referenced).
    pub fn origin_server_ts(&self, node: NodeIndex) -> i64 {
        self.nodes[node as usize].origin_server_ts
    }

    /// `sender` of a held event (empty for a node only referenced).
    pub fn sender(&self, node: NodeIndex) -> &str {
        self.held_name(node, |n| n.sender)
    }

    /// `type` of a held event (empty for a node only referenced).
    pub fn event_type(&self, node: NodeIndex) -> &str {
        self.held_name(node, |n| n.event_type)
    }

    /// `prev_events` of a held event as nodes, self-references and repeats removed.
    pub fn prev_events(&self, node: NodeIndex) -> &[NodeIndex] {
        let n = &self.nodes[node as usize];
        &self.edges[n.edge_start as usize..n.edge_start as usize + n.edge_len as usize]
    }

    /// Every node index, `0..node_count`.
    pub fn nodes(&self) -> impl Iterator<Item = NodeIndex> {
        0..self.nodes.len() as NodeIndex
    }

    /// Compares two nodes by the linear order's tie-break: depth, then `origin_server_ts`,
    /// then event ID.
    pub fn cmp_order_key(&self, a: NodeIndex, b: NodeIndex) -> Ordering {
        let (x, y) = (&self.nodes[a as usize], &self.nodes[b as usize]);
        (x.depth, x.origin_server_ts)
            .cmp(&(y.depth, y.origin_server_ts))
            .then_with(|| self.ids.cmp_ids(a, b))
    }

    /// Findings made while adding events (refused events, self-references, repeats).
    pub fn ingest_findings(&self) -> &[Problem] {
        &self.ingest_findings
    }

    /// Bytes of heap memory the DAG holds: the allocated capacity of every vector and table
    /// (event IDs, nodes, edges, names); the small names map is counted by its entries.
    pub fn heap_bytes(&self) -> usize {
        let names: usize = self.names.iter().map(|n| 2 * n.capacity() + 48).sum();
        self.ids.heap_bytes()
            + self.nodes.capacity() * std::mem::size_of::<Node>()
            + self.edges.capacity() * 4
            + names
            + self.ingest_findings.capacity() * std::mem::size_of::<Problem>()
    }

    fn flags(&self, node: NodeIndex) -> u8 {
        self.nodes[node as usize].flags
    }

    fn held_name(&self, node: NodeIndex, field: impl Fn(&Node) -> u32) -> &str {
        let n = &self.nodes[node as usize];
        if n.flags & HELD == 0 {
            return "";
        }
        &self.names[field(n) as usize]
    }

    fn intern(&mut self, id: &str) -> NodeIndex {
        let (index, new) = self.ids.intern(id);
        if new {
            self.nodes.push(Node::default());
        }
        index
    }

    fn name(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.name_index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.name_index.insert(name.to_owned(), i);
        i
    }

    /// Stores the event's `prev_events` as edges; returns how many were kept.
    fn push_edges(&mut self, event: &DagEvent) -> u16 {
        let start = self.edges.len();
        let path = |i: usize| format!("$.prev_events[{i}]");
        for (i, prev) in event.prev_events.iter().enumerate() {
            if *prev == event.event_id {
                self.ingest_findings.push(Problem::error(
                    codes::SELF_REFERENCE,
                    path(i),
                    format!(
                        "Event {} lists itself in prev_events; the edge is ignored.",
                        event.event_id
                    ),
                ));
                continue;
            }
            if self.edges.len() - start == u16::MAX as usize {
                self.ingest_findings.push(Problem::warning(
                    codes::TOO_MANY_PREV_EVENTS,
                    path(i),
                    format!(
                        "Event {} has {} prev_events; only the first 65535 are kept.",
                        event.event_id,
                        event.prev_events.len()
                    ),
                ));
                break;
            }
            let target = self.intern(prev);
            if self.edges[start..].contains(&target) {
                self.ingest_findings.push(Problem::warning(
                    codes::DUPLICATE_PREV_EVENT,
                    path(i),
                    format!(
                        "Event {} lists {prev} twice in prev_events.",
                        event.event_id
                    ),
                ));
                continue;
            }
            self.edges.push(target);
        }
        (self.edges.len() - start) as u16
    }

    fn mark_prevs_referenced(&mut self, index: NodeIndex) {
        let n = self.nodes[index as usize];
        for i in n.edge_start as usize..n.edge_start as usize + n.edge_len as usize {
            let target = self.edges[i] as usize;
            self.nodes[target].flags |= REFERENCED;
        }
    }

    /// A second copy of a held event: identical (maybe promoting an outlier) or a clash.
    fn insert_again(
        &mut self,
        index: NodeIndex,
        event: &DagEvent,
        placement: Placement,
    ) -> Option<NodeIndex> {
        let node = self.nodes[index as usize];
        if node.fingerprint != event.content_fingerprint {
            self.ingest_findings.push(Problem::error(
                codes::EVENT_ID_REUSED,
                "$.event_id",
                format!(
                    "Event ID {} arrived again with different content; the first copy is kept.",
                    event.event_id
                ),
            ));
            return None;
        }
        if node.flags & OUTLIER != 0 && placement == Placement::Timeline {
            self.nodes[index as usize].flags &= !OUTLIER;
            self.outlier_len -= 1;
            self.timeline_len += 1;
            self.mark_prevs_referenced(index);
        }
        Some(index)
    }
}
