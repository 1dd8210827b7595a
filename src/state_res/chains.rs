//! Auth chains, the auth difference, and the conflicted state subgraph.
//!
//! Spec ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)): "the
//! auth chain of an event E is the set containing all of E's auth events, all of their auth
//! events, and so on recursively"; "the auth difference is calculated by first calculating
//! the full auth chain for each state Si, that is the union of the auth chains for each
//! event in Si, and then taking every event that doesn't appear in every auth chain. If Ci
//! is the full auth chain of Si, then the auth difference is ∪Ci − ∩Ci."
//! [v12](https://spec.matrix.org/v1.16/rooms/v12/#state-resolution) adds the conflicted
//! state subgraph: the events that are both reachable from a conflicted state event and
//! from which a conflicted state event is reachable, along `auth_events`.
//!
//! Nothing here keeps a whole auth chain per event (the chains of a room grow with its
//! power-levels history, so keeping them costs memory quadratic in the room): each
//! event's `auth_events` (as nodes) and its *auth depth* (one more than the greatest
//! depth of its auth events) are memoised, and the walks go from the newest events
//! towards the oldest in depth order, stopping where the states' chains have met. The cost
//! of a resolution follows the part of the auth DAG the conflict spans, not the room's
//! history. Marks are one array reused across calls (an epoch per pass).

use std::collections::{BinaryHeap, HashSet};

use super::{Events, Gap, StateMap};
use crate::dag::NodeIndex;

/// Memoised auth edges and auth depths, by node, and the reusable scratch of the walks.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    /// `auth_events` of each event as nodes, once all are held.
    edges: Vec<Option<Box<[NodeIndex]>>>,
    /// The auth depth of each event, once computed (0: not yet): 1 for an event without
    /// auth events, else one more than the greatest depth of its auth events.
    depths: Vec<u32>,
    /// Scratch: `marks[n] == epoch` when `n` is visited in the current pass.
    marks: Vec<u32>,
    epoch: u32,
    /// Scratch: the slot of a visited node in the current pass.
    slots: Vec<u32>,
}

impl Cache {
    /// Starts a marking pass; returns its epoch.
    fn begin(&mut self) -> u32 {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.marks.iter_mut().for_each(|m| *m = 0);
            self.epoch = 1;
        }
        self.epoch
    }

    /// Marks `n`; returns whether it was unmarked in this pass.
    fn mark(&mut self, n: NodeIndex) -> bool {
        let i = n as usize;
        if self.marks.len() <= i {
            self.marks.resize(i + 1, 0);
            self.slots.resize(i + 1, 0);
        }
        let new = self.marks[i] != self.epoch;
        self.marks[i] = self.epoch;
        new
    }

    /// Whether `n` is marked in this pass.
    fn marked(&self, n: NodeIndex) -> bool {
        self.marks.get(n as usize) == Some(&self.epoch)
    }

    /// The `auth_events` of a held event as nodes; a gap when one is not held.
    pub fn auth_events(
        &mut self,
        events: &dyn Events,
        node: NodeIndex,
    ) -> Result<&[NodeIndex], Gap> {
        let i = node as usize;
        if self.edges.get(i).is_some_and(Option::is_some) {
            return Ok(self.edges[i].as_deref().unwrap_or(&[]));
        }
        let pdu = events.pdu(node).ok_or_else(|| {
            Gap::of(
                events.event_id(node),
                "an event of an auth chain".to_owned(),
            )
        })?;
        let mut out = Vec::with_capacity(pdu.fields.auth_events.len());
        let mut missing = Vec::new();
        for id in &pdu.fields.auth_events {
            match events.node(id).filter(|&n| events.pdu(n).is_some()) {
                Some(n) => out.push(n),
                None => missing.push(id.clone()),
            }
        }
        if !missing.is_empty() {
            return Err(Gap {
                missing,
                why: format!("auth_events of {}", pdu.event_id),
            });
        }
        if self.edges.len() <= i {
            self.edges.resize(i + 1, None);
        }
        self.edges[i] = Some(out.into_boxed_slice());
        Ok(self.edges[i].as_deref().unwrap_or(&[]))
    }

    /// The auth depth of a held event (computing those of its auth chain not known yet,
    /// auth events first, without recursion); a gap when an event of its auth chain is
    /// not held (or the `auth_events` links form a cycle, which no valid room has).
    pub fn depth(&mut self, events: &dyn Events, node: NodeIndex) -> Result<u32, Gap> {
        if let Some(&d) = self.depths.get(node as usize).filter(|&&d| d > 0) {
            return Ok(d);
        }
        let mut stack: Vec<(NodeIndex, bool)> = vec![(node, false)];
        let mut open: HashSet<NodeIndex> = HashSet::new();
        while let Some(&(n, expanded)) = stack.last() {
            if self.known_depth(n).is_some() {
                stack.pop();
                continue;
            }
            let edges = self.auth_events(events, n)?.to_vec();
            if !expanded {
                if let Some(top) = stack.last_mut() {
                    top.1 = true;
                }
                open.insert(n);
                for a in edges {
                    if self.known_depth(a).is_some() {
                        continue;
                    }
                    if open.contains(&a) {
                        return Err(Gap::of(
                            events.event_id(a),
                            format!("auth_events of {} (they form a cycle)", events.event_id(n)),
                        ));
                    }
                    stack.push((a, false));
                }
                continue;
            }
            let below = edges.iter().filter_map(|&a| self.known_depth(a)).max();
            let i = n as usize;
            if self.depths.len() <= i {
                self.depths.resize(i + 1, 0);
            }
            self.depths[i] = below.unwrap_or(0) + 1;
            open.remove(&n);
            stack.pop();
        }
        Ok(self.depths[node as usize])
    }

    fn known_depth(&self, n: NodeIndex) -> Option<u32> {
        self.depths.get(n as usize).copied().filter(|&d| d > 0)
    }

    /// The auth chain of a held event, sorted by node; a gap when an event of it is not
    /// held (or the `auth_events` links form a cycle).
    pub fn chain(&mut self, events: &dyn Events, node: NodeIndex) -> Result<Vec<NodeIndex>, Gap> {
        self.depth(events, node)?;
        self.begin();
        self.mark(node);
        let mut stack = vec![node];
        let mut out = Vec::new();
        while let Some(n) = stack.pop() {
            for &a in self.auth_events(events, n)?.to_vec().iter() {
                if self.mark(a) {
                    out.push(a);
                    stack.push(a);
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Whether `to` is in the auth chain of `from` (a walk from `from` down its auth
    /// events that stops at the depth of `to`); false when an event on the way is not held.
    pub fn reaches(&mut self, events: &dyn Events, from: NodeIndex, to: NodeIndex) -> bool {
        let (Ok(floor), Ok(top)) = (self.depth(events, to), self.depth(events, from)) else {
            return false;
        };
        if top <= floor {
            return false;
        }
        self.begin();
        self.mark(from);
        let mut stack = vec![from];
        while let Some(n) = stack.pop() {
            let edges: Vec<NodeIndex> = match self.auth_events(events, n) {
                Ok(edges) => edges.to_vec(),
                Err(_) => continue,
            };
            for a in edges {
                if a == to {
                    return true;
                }
                let deeper = self.known_depth(a).is_some_and(|d| d > floor);
                if deeper && self.mark(a) {
                    stack.push(a);
                }
            }
        }
        false
    }

    /// The auth difference of `states`: the events of some state's full auth chain that
    /// are not in every one, sorted.
    ///
    /// The full auth chain of a state here holds the state's own events too, as Synapse
    /// computes it (`_get_auth_chain_difference`: each state event counts as reached by
    /// its own state set) and as ruma-state-res's callers pass it. The spec's wording
    /// ("the union of the auth chains for each event in Si", an auth chain not holding its
    /// event) differs only for an event every state holds that some states' auth chains
    /// reach and others' do not: it would join the full conflicted set, and as a step 1
    /// vertex reorder the power events around it.
    ///
    /// One walk from every state's events, deepest first: each event visited carries the
    /// set of states whose full chain holds it (a bitset), complete once every event that
    /// lists it has been taken (they are deeper). The walk stops when every event still
    /// waiting is held by all the states: everything below those is in every chain. Events
    /// taken with an incomplete set are the difference.
    pub fn auth_difference(
        &mut self,
        events: &dyn Events,
        states: &[&StateMap],
    ) -> Result<Vec<NodeIndex>, Gap> {
        let words = states.len().div_ceil(64);
        let mut full = vec![u64::MAX; words];
        if states.len() % 64 != 0 {
            full[words - 1] = (1u64 << (states.len() % 64)) - 1;
        }
        // The sets of the visited events, `words` per slot.
        let mut sets: Vec<u64> = Vec::new();
        let mut nodes: Vec<NodeIndex> = Vec::new();
        let mut heap: BinaryHeap<(u32, NodeIndex)> = BinaryHeap::new();
        self.begin();
        for (i, s) in states.iter().enumerate() {
            for &(_, e) in s.entries() {
                let slot = self.visit(events, e, &mut sets, &mut nodes, &mut heap, words)?;
                sets[slot * words + i / 64] |= 1 << (i % 64);
            }
        }
        let is_full = |sets: &[u64], slot: usize| sets[slot * words..][..words] == full[..];
        let mut partial = (0..nodes.len()).filter(|&s| !is_full(&sets, s)).count();
        let mut out = Vec::new();
        while partial > 0 {
            let Some((_, n)) = heap.pop() else { break };
            let slot = self.slots[n as usize] as usize;
            if !is_full(&sets, slot) {
                partial -= 1;
                out.push(n);
            }
            let set: Vec<u64> = sets[slot * words..][..words].to_vec();
            for a in self.auth_events(events, n)?.to_vec() {
                let new = !self.marked(a);
                let to = self.visit(events, a, &mut sets, &mut nodes, &mut heap, words)?;
                let was_full = !new && is_full(&sets, to);
                for (w, bits) in set.iter().enumerate() {
                    sets[to * words + w] |= bits;
                }
                match (new, was_full, is_full(&sets, to)) {
                    (true, _, false) => partial += 1,
                    (false, false, true) => partial -= 1,
                    _ => {}
                }
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Visits `n` in the current pass: on the first visit, gives it a slot of empty sets
    /// and queues it by depth; returns its slot.
    fn visit(
        &mut self,
        events: &dyn Events,
        n: NodeIndex,
        sets: &mut Vec<u64>,
        nodes: &mut Vec<NodeIndex>,
        heap: &mut BinaryHeap<(u32, NodeIndex)>,
        words: usize,
    ) -> Result<usize, Gap> {
        if !self.marked(n) {
            let depth = self.depth(events, n)?;
            self.mark(n);
            self.slots[n as usize] = nodes.len() as u32;
            nodes.push(n);
            sets.resize(sets.len() + words, 0);
            heap.push((depth, n));
        }
        Ok(self.slots[n as usize] as usize)
    }

    /// The conflicted state subgraph of `conflicted` (v2.1): every event X such that some
    /// conflicted event reaches X and X reaches some conflicted event along `auth_events`
    /// (the conflicted events themselves included), sorted; `conflicted` is sorted.
    ///
    /// An event reaches only events of smaller depth, so the walk down from the conflicted
    /// events stops at the depth of the shallowest of them; what it visited is then taken
    /// from the shallowest up, each event reaching a conflicted event when it is one or
    /// one of its auth events does.
    pub fn conflicted_subgraph(
        &mut self,
        events: &dyn Events,
        conflicted: &[NodeIndex],
    ) -> Result<Vec<NodeIndex>, Gap> {
        let mut floor = u32::MAX;
        for &c in conflicted {
            floor = floor.min(self.depth(events, c)?);
        }
        self.begin();
        let mut region: Vec<(u32, NodeIndex)> = Vec::new();
        let mut stack: Vec<NodeIndex> = Vec::new();
        for &c in conflicted {
            if self.mark(c) {
                stack.push(c);
            }
        }
        while let Some(n) = stack.pop() {
            let depth = self.depth(events, n)?;
            region.push((depth, n));
            if depth <= floor {
                continue;
            }
            for a in self.auth_events(events, n)?.to_vec() {
                if self.mark(a) {
                    stack.push(a);
                }
            }
        }
        // `slots` holds 1 for an event found to reach a conflicted event, 0 otherwise.
        crate::sort::sort(&mut region);
        let mut out = Vec::new();
        for &(depth, x) in &region {
            let reaches = conflicted.binary_search(&x).is_ok()
                || (depth > floor
                    && self
                        .auth_events(events, x)?
                        .to_vec()
                        .into_iter()
                        .any(|a| self.marked(a) && self.slots[a as usize] == 1));
            self.slots[x as usize] = u32::from(reaches);
            if reaches {
                out.push(x);
            }
        }
        out.sort_unstable();
        Ok(out)
    }

    /// Bytes of heap memory the memoised edges and depths and the scratch hold.
    pub fn heap_bytes(&self) -> usize {
        self.edges.capacity() * std::mem::size_of::<Option<Box<[NodeIndex]>>>()
            + self
                .edges
                .iter()
                .flatten()
                .map(|b| b.len() * 4)
                .sum::<usize>()
            + (self.depths.capacity() + self.marks.capacity() + self.slots.capacity()) * 4
    }
}
