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
//! Each event's auth chain is computed once and kept as a sorted `u32` vector; a union is
//! a pass over such vectors with one mark array reused across calls (an epoch per pass),
//! so nothing here allocates a map per call.

use std::collections::HashSet;

use super::{Events, Gap, StateMap};
use crate::dag::NodeIndex;

/// Memoised auth edges and auth chains, by node, and the reusable marks.
#[derive(Clone, Debug, Default)]
pub struct Cache {
    /// `auth_events` of each event as nodes, once all are held.
    edges: Vec<Option<Box<[NodeIndex]>>>,
    /// The auth chain of each event, sorted, once computed.
    chains: Vec<Option<Box<[NodeIndex]>>>,
    /// Scratch: `marks[n] == epoch` when `n` is marked in the current pass.
    marks: Vec<u32>,
    epoch: u32,
    /// Scratch: how many of the states' full auth chains hold each node.
    counts: Vec<u32>,
}

impl Cache {
    /// Starts a marking pass over `nodes` nodes; returns its epoch.
    fn begin(&mut self, nodes: usize) -> u32 {
        if self.marks.len() < nodes {
            self.marks.resize(nodes, 0);
        }
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
        }
        let new = self.marks[i] != self.epoch;
        self.marks[i] = self.epoch;
        new
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

    /// The auth chain of a held event, sorted by node; a gap when an event of it is not
    /// held (or the `auth_events` links form a cycle, which no valid room has).
    pub fn chain(&mut self, events: &dyn Events, node: NodeIndex) -> Result<&[NodeIndex], Gap> {
        if !self.has_chain(node) {
            self.compute_chain(events, node)?;
        }
        Ok(self.chains[node as usize].as_deref().unwrap_or(&[]))
    }

    fn has_chain(&self, n: NodeIndex) -> bool {
        self.chains.get(n as usize).is_some_and(Option::is_some)
    }

    /// Computes the chains of `node` and of every event of it not computed yet, auth
    /// events first, without recursion.
    fn compute_chain(&mut self, events: &dyn Events, node: NodeIndex) -> Result<(), Gap> {
        let mut stack: Vec<(NodeIndex, bool)> = vec![(node, false)];
        let mut open: HashSet<NodeIndex> = HashSet::new();
        while let Some(&(n, expanded)) = stack.last() {
            if self.has_chain(n) {
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
                    if self.has_chain(a) {
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
            self.begin(0);
            let mut chain = Vec::new();
            for &a in &edges {
                if self.mark(a) {
                    chain.push(a);
                }
                let len = self.chains[a as usize].as_ref().map_or(0, |c| c.len());
                for j in 0..len {
                    let x = self.chains[a as usize].as_ref().map_or(0, |c| c[j]);
                    if self.mark(x) {
                        chain.push(x);
                    }
                }
            }
            chain.sort_unstable();
            let i = n as usize;
            if self.chains.len() <= i {
                self.chains.resize(i + 1, None);
            }
            self.chains[i] = Some(chain.into_boxed_slice());
            open.remove(&n);
            stack.pop();
        }
        Ok(())
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
    /// Events of the unconflicted state map are in every state, so they and their auth
    /// chains are in every full auth chain: only the conflicted entries' chains are walked,
    /// and what they leave is checked against the unconflicted entries' chains (sorted,
    /// searched) — the cost follows the conflict, not the size of the state.
    pub fn auth_difference(
        &mut self,
        events: &dyn Events,
        states: &[&StateMap],
        unconflicted: &StateMap,
    ) -> Result<Vec<NodeIndex>, Gap> {
        let is_unconflicted = |k, n| unconflicted.get(k) == Some(n);
        for s in states {
            for &(k, n) in s.entries() {
                if !is_unconflicted(k, n) {
                    self.chain(events, n)?;
                }
            }
        }
        let mut touched: Vec<NodeIndex> = Vec::new();
        for s in states {
            self.begin(0);
            for &(k, e) in s.entries() {
                if is_unconflicted(k, e) {
                    continue;
                }
                let chain = self.chains[e as usize].take().unwrap_or_default();
                for &x in std::iter::once(&e).chain(chain.iter()) {
                    if self.mark(x) {
                        let i = x as usize;
                        if self.counts.len() <= i {
                            self.counts.resize(i + 1, 0);
                        }
                        if self.counts[i] == 0 {
                            touched.push(x);
                        }
                        self.counts[i] += 1;
                    }
                }
                self.chains[e as usize] = Some(chain);
            }
        }
        let mut out = Vec::new();
        for &x in &touched {
            if (self.counts[x as usize] as usize) < states.len() {
                out.push(x);
            }
            self.counts[x as usize] = 0;
        }
        if !out.is_empty() {
            for &(_, u) in unconflicted.entries() {
                self.chain(events, u)?;
            }
            out.retain(|&x| {
                !unconflicted
                    .entries()
                    .iter()
                    .any(|&(_, u)| u == x || self.in_chain(u, x))
            });
        }
        out.sort_unstable();
        Ok(out)
    }

    /// The conflicted state subgraph of `conflicted` (v2.1): every event X such that some
    /// conflicted event reaches X and X reaches some conflicted event along `auth_events`
    /// (the conflicted events themselves included), sorted; `conflicted` is sorted.
    pub fn conflicted_subgraph(
        &mut self,
        events: &dyn Events,
        conflicted: &[NodeIndex],
    ) -> Result<Vec<NodeIndex>, Gap> {
        let mut below: Vec<NodeIndex> = conflicted.to_vec();
        for &c in conflicted {
            below.extend_from_slice(self.chain(events, c)?);
        }
        below.sort_unstable();
        below.dedup();
        // X reaches a conflicted event when it is one or one is in its (sorted) chain: a
        // search per conflicted event, not a walk of X's whole chain.
        let out = below
            .into_iter()
            .filter(|&x| {
                conflicted.binary_search(&x).is_ok()
                    || conflicted.iter().any(|&c| self.in_chain(x, c))
            })
            .collect();
        Ok(out)
    }

    /// Whether `x` is in the (computed) auth chain of `of`.
    pub fn in_chain(&self, of: NodeIndex, x: NodeIndex) -> bool {
        self.chains
            .get(of as usize)
            .and_then(Option::as_deref)
            .is_some_and(|c| c.binary_search(&x).is_ok())
    }

    /// Bytes of heap memory the memoised edges and chains hold.
    pub fn heap_bytes(&self) -> usize {
        let boxed = |v: &Vec<Option<Box<[NodeIndex]>>>| {
            v.capacity() * std::mem::size_of::<Option<Box<[NodeIndex]>>>()
                + v.iter().flatten().map(|b| b.len() * 4).sum::<usize>()
        };
        boxed(&self.edges)
            + boxed(&self.chains)
            + (self.marks.capacity() + self.counts.capacity()) * 4
    }
}
