//! State resolution over the room DAG's arena: the algorithm of room version 1, version 2
//! of the algorithm (room versions 2–11) and its revision 2.1 (room version 12).
//!
//! Spec: [room version 1, state resolution](https://spec.matrix.org/v1.16/rooms/v1/#state-resolution),
//! [room version 2, state resolution](https://spec.matrix.org/v1.16/rooms/v2/#state-resolution)
//! and [room version 12, state resolution](https://spec.matrix.org/v1.16/rooms/v12/#state-resolution).
//! Which one a room uses is [`crate::room_version::RoomVersion::state_res`].
//!
//! Events are [`NodeIndex`]es of the arena; strings appear only at the edges (the PDUs the
//! [`Events`] source lends). A state map is a [`StateMap`]: `(key, node)` pairs sorted by
//! an interned `(type, state_key)` key. Auth chains are memoised per event as sorted `u32`
//! vectors ([`chains::Cache`]); their union and difference go through one reusable mark
//! array, never through per-call maps of strings.
//!
//! - [`chains`]: auth chains, the auth difference and (v2.1) the conflicted state subgraph;
//! - [`power_order`]: the reverse topological power ordering;
//! - [`mainline`]: the mainline ordering;
//! - [`iterative`]: the iterative auth checks, and authorising an event against a state;
//! - [`v2`]: the algorithm of room versions 2–12; [`v1`]: the algorithm of room version 1.
//!
//! Where an event the algorithm needs is not held, the result is a [`Gap`] naming it: the
//! state is never guessed.

pub mod chains;
pub mod explain;
pub mod iterative;
pub mod mainline;
pub mod power_order;
mod sha1;
pub mod v1;
pub mod v2;

use std::collections::HashMap;

use crate::dag::NodeIndex;
use crate::event::Pdu;
use crate::room_version::{RoomVersion, StateResAlgorithm};

/// What state resolution reads of the held events.
pub trait Events {
    /// The PDU of a held event as the rules read it (the redacted form of a `redacted`
    /// one), when the holder keeps it; `None` when the event is not held.
    fn pdu(&self, node: NodeIndex) -> Option<&Pdu>;
    /// The node of an event ID, when the DAG knows the ID.
    fn node(&self, event_id: &str) -> Option<NodeIndex>;
    /// The event ID of a node.
    fn event_id(&self, node: NodeIndex) -> String;
    /// Whether a held event was rejected (by the authorization rules, or on receipt) or
    /// dropped: it never enters a state and is skipped as an auth event.
    fn rejected(&self, node: NodeIndex) -> bool;
}

/// What is missing for a state to be computed: the events not held (or held but not
/// decided), and why they were needed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    /// The event IDs that are missing.
    pub missing: Vec<String>,
    /// What needed them (`auth chain of $x`, `prev_events of $y`).
    pub why: String,
}

impl Gap {
    /// A gap of one missing event.
    pub fn of(missing: String, why: String) -> Gap {
        Gap {
            missing: vec![missing],
            why,
        }
    }
}

/// An interned `(type, state_key)` pair.
pub type Key = u32;

/// The `(type, state_key)` pairs met so far, interned.
#[derive(Clone, Debug, Default)]
pub struct Keys {
    pairs: Vec<(String, String)>,
    /// type → state key → key (two levels, so that a lookup allocates nothing).
    index: HashMap<String, HashMap<String, Key>>,
}

impl Keys {
    /// The key of a pair, interned when new.
    pub fn intern(&mut self, event_type: &str, state_key: &str) -> Key {
        if let Some(k) = self.get(event_type, state_key) {
            return k;
        }
        let k = self.pairs.len() as Key;
        self.pairs
            .push((event_type.to_owned(), state_key.to_owned()));
        self.index
            .entry(event_type.to_owned())
            .or_default()
            .insert(state_key.to_owned(), k);
        k
    }

    /// The key of a pair, when already interned.
    pub fn get(&self, event_type: &str, state_key: &str) -> Option<Key> {
        self.index.get(event_type)?.get(state_key).copied()
    }

    /// The pair of a key.
    pub fn pair(&self, key: Key) -> (&str, &str) {
        let (t, s) = &self.pairs[key as usize];
        (t, s)
    }
}

/// A room state: for each `(type, state_key)` the state event in force, sorted by key.
/// Spec: "the keys of the state maps are 2-tuples of strings … the values are state
/// events" ([v2, definitions](https://spec.matrix.org/v1.16/rooms/v2/#definitions)).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateMap(Vec<(Key, NodeIndex)>);

impl StateMap {
    /// The empty state (before the create event).
    pub fn new() -> Self {
        StateMap(Vec::new())
    }

    /// The event in force for `key`.
    pub fn get(&self, key: Key) -> Option<NodeIndex> {
        self.0
            .binary_search_by_key(&key, |e| e.0)
            .ok()
            .map(|i| self.0[i].1)
    }

    /// Sets the event in force for `key`.
    pub fn insert(&mut self, key: Key, node: NodeIndex) {
        match self.0.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => self.0[i].1 = node,
            Err(i) => self.0.insert(i, (key, node)),
        }
    }

    /// Every `(key, event)` pair, by key.
    pub fn entries(&self) -> &[(Key, NodeIndex)] {
        &self.0
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the state is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Bytes of heap memory the map holds.
    pub fn heap_bytes(&self) -> usize {
        self.0.capacity() * std::mem::size_of::<(Key, NodeIndex)>()
    }

    /// Sets every entry of `other` (the last step of v2: "update the result by replacing
    /// any event with the event with the same key from the unconflicted state map").
    pub fn extend(&mut self, other: &StateMap) {
        for &(k, n) in &other.0 {
            self.insert(k, n);
        }
    }

    fn from_sorted(entries: Vec<(Key, NodeIndex)>) -> Self {
        StateMap(entries)
    }
}

/// The unconflicted state map and the conflicted state set of `states`, as the given
/// algorithm defines them: v2 puts a key in the unconflicted map when it is "present in
/// every Si with the same value"; v1 only calls a key conflicted when two states hold
/// different events for it (a key some states lack is not a conflict).
pub fn split(states: &[&StateMap], v1: bool) -> (StateMap, Vec<(Key, Vec<NodeIndex>)>) {
    let mut all: Vec<(Key, NodeIndex)> = states.iter().flat_map(|s| s.0.iter().copied()).collect();
    crate::sort::sort(&mut all);
    let mut unconflicted = Vec::new();
    let mut conflicted = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let key = all[i].0;
        let end = i + all[i..].iter().take_while(|e| e.0 == key).count();
        let mut values: Vec<NodeIndex> = all[i..end].iter().map(|e| e.1).collect();
        let present = values.len();
        values.dedup();
        match values.len() == 1 && (v1 || present == states.len()) {
            true => unconflicted.push((key, values[0])),
            false => conflicted.push((key, values)),
        }
        i = end;
    }
    (StateMap::from_sorted(unconflicted), conflicted)
}

/// What resolution keeps between calls: interned keys and memoised auth chains.
#[derive(Clone, Debug, Default)]
pub struct Resolver {
    /// The interned `(type, state_key)` pairs.
    pub keys: Keys,
    /// Auth chains and the scratch marks.
    pub chains: chains::Cache,
    /// The mainline last computed: its power levels event and each mainline event's index.
    pub mainline: Option<(Option<NodeIndex>, HashMap<NodeIndex, usize>)>,
    /// By node: the power levels event among its auth events (`NodeIndex::MAX - 1` for
    /// none, `NodeIndex::MAX` not looked up yet).
    pub power_levels_of: Vec<NodeIndex>,
}

impl Resolver {
    /// A resolver with nothing memoised.
    pub fn new() -> Self {
        Self::default()
    }

    /// The key of a held state event.
    pub fn key_of(&mut self, pdu: &Pdu) -> Option<Key> {
        let state_key = pdu.fields.state_key.as_deref()?;
        Some(self.keys.intern(&pdu.fields.event_type, state_key))
    }

    /// The resolution of `states` under `version`'s algorithm.
    pub fn resolve(
        &mut self,
        version: &RoomVersion,
        events: &dyn Events,
        states: &[&StateMap],
    ) -> Result<StateMap, Gap> {
        match states {
            [] => return Ok(StateMap::new()),
            [one] => return Ok((*one).clone()),
            [first, rest @ ..] if rest.iter().all(|s| s == first) => return Ok((*first).clone()),
            _ => {}
        }
        match version.state_res {
            StateResAlgorithm::V1 => v1::resolve(self, events, states),
            StateResAlgorithm::V2 => v2::resolve(self, events, states, false),
            StateResAlgorithm::V2_1 => v2::resolve(self, events, states, true),
        }
    }

    /// The held PDU of `node`, or the gap it is.
    pub(crate) fn pdu<'e>(
        &self,
        events: &'e dyn Events,
        node: NodeIndex,
        why: &str,
    ) -> Result<&'e Pdu, Gap> {
        events
            .pdu(node)
            .ok_or_else(|| Gap::of(events.event_id(node), why.to_owned()))
    }
}
