//! The arena: nodes in vectors, `u32` indices, incremental ingest.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

use super::codes;
use super::event::{DagEvent, EventHead, Placement};
use super::ids::IdStore;
use crate::problem::Problem;

/// Index of a node (an event ID, held or only referenced) in a [`RoomDag`].
pub type NodeIndex = u32;

/// Up to this many prev_events, duplicates are found by a scan rather than a set.
const SHORT_PREV_LIST: usize = 32;

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
    recent_names: [u32; 2],
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
        let head = EventHead {
            event_id: &event.event_id,
            room_id: event.room_id.as_deref(),
            depth: event.depth,
            origin_server_ts: event.origin_server_ts,
            sender: &event.sender,
            event_type: &event.event_type,
            is_state: event.state_key.is_some(),
            content_fingerprint: event.content_fingerprint,
        };
        self.insert_fields(
            &head,
            event.prev_events.iter().map(String::as_str),
            placement,
        )
    }

    /// [`insert`](Self::insert) from borrowed parts: the fast path for bulk ingest, with no
    /// owned strings per event.
    pub fn insert_fields<'p>(
        &mut self,
        head: &EventHead,
        prev_events: impl Iterator<Item = &'p str> + Clone,
        placement: Placement,
    ) -> Option<NodeIndex> {
        if head.event_id.is_empty() {
            self.ingest_findings.push(Problem::error(
                codes::EMPTY_EVENT_ID,
                "$.event_id",
                "An event has an empty event ID and cannot be placed in the room DAG.",
            ));
            return None;
        }
        if let Some(room) = head.room_id {
            match &self.room_id {
                None => self.room_id = Some(room.to_owned()),
                Some(own) if own != room => {
                    let message = format!(
                        "Event {} belongs to room {room}, not to {own}.",
                        head.event_id
                    );
                    self.ingest_findings.push(Problem::error(
                        codes::OTHER_ROOM,
                        "$.room_id",
                        message,
                    ));
                    return None;
                }
                Some(_) => {}
            }
        }
        let index = self.intern(head.event_id);
        let node = self.nodes[index as usize];
        if node.flags & HELD != 0 {
            return self.insert_again(index, head, placement);
        }
        let edge_start = self.edges.len() as u32;
        let edge_len = self.push_edges(head.event_id, prev_events);
        let mut flags = HELD;
        if head.is_state {
            flags |= STATE;
        }
        if placement == Placement::Outlier {
            flags |= OUTLIER;
            self.outlier_len += 1;
        } else {
            self.timeline_len += 1;
        }
        let sender = self.name(head.sender, 0);
        let event_type = self.name(head.event_type, 1);
        let node = &mut self.nodes[index as usize];
        node.depth = head.depth;
        node.origin_server_ts = head.origin_server_ts;
        node.fingerprint = head.content_fingerprint;
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

    /// Sorts `nodes` by the linear order's tie-break (depth, `origin_server_ts`, event ID).
    /// Every caller goes through this one function so the wasm holds one copy of the sort;
    /// event IDs are unique, so an unstable sort gives the one order.
    pub fn sort_by_order_key(&self, nodes: &mut [NodeIndex]) {
        crate::sort::sort_u32s_by(nodes, &mut |a, b| self.cmp_order_key(a, b));
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

    /// Interns a sender or type; `field` picks the one-entry cache (senders and types repeat).
    fn name(&mut self, name: &str, field: usize) -> u32 {
        let recent = self.recent_names[field];
        if self.names.get(recent as usize).is_some_and(|n| n == name) {
            return recent;
        }
        let i = match self.name_index.get(name) {
            Some(&i) => i,
            None => {
                let i = self.names.len() as u32;
                self.names.push(name.to_owned());
                self.name_index.insert(name.to_owned(), i);
                i
            }
        };
        self.recent_names[field] = i;
        i
    }

    /// Stores the event's `prev_events` as edges; returns how many were kept.
    fn push_edges<'p>(
        &mut self,
        event_id: &str,
        prev_events: impl Iterator<Item = &'p str> + Clone,
    ) -> u16 {
        let start = self.edges.len();
        let mut long_list: Option<HashSet<NodeIndex>> = None;
        let path = |i: usize| format!("$.prev_events[{i}]");
        for (i, prev) in prev_events.clone().enumerate() {
            if prev == event_id {
                let message =
                    format!("Event {event_id} lists itself in prev_events; the edge is ignored.");
                self.ingest_findings
                    .push(Problem::error(codes::SELF_REFERENCE, path(i), message));
                continue;
            }
            if self.edges.len() - start == u16::MAX as usize {
                let message = format!(
                    "Event {event_id} has {} prev_events; only the first 65535 are kept.",
                    prev_events.clone().count()
                );
                self.ingest_findings.push(Problem::warning(
                    codes::TOO_MANY_PREV_EVENTS,
                    path(i),
                    message,
                ));
                break;
            }
            let target = self.intern(prev);
            // A linear scan while the list is short; a set once it is long, so that an
            // event listing thousands of prev_events stays linear.
            let duplicate = match &mut long_list {
                Some(seen) => !seen.insert(target),
                None if self.edges.len() - start < SHORT_PREV_LIST => {
                    self.edges[start..].contains(&target)
                }
                None => {
                    let mut seen: HashSet<NodeIndex> =
                        self.edges[start..].iter().copied().collect();
                    let duplicate = !seen.insert(target);
                    long_list = Some(seen);
                    duplicate
                }
            };
            if duplicate {
                let message = format!("Event {event_id} lists {prev} twice in prev_events.");
                self.ingest_findings.push(Problem::warning(
                    codes::DUPLICATE_PREV_EVENT,
                    path(i),
                    message,
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
        event: &EventHead,
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
