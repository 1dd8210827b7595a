//! Keeping the index up to date: events that arrive after it was built are inserted into the
//! order without moving held events relative to one another.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::{gap_infos, Seen, Timeline, NOWHERE};
use crate::dag::{NodeIndex, RoomDag};

/// A run of events inserted at one spot of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inserted {
    /// The held event the run follows (`None`: it starts the timeline).
    pub after: Option<NodeIndex>,
    /// The held event the run precedes (`None`: it ends the timeline). A filled gap's run
    /// precedes the event of its gap entry.
    pub before: Option<NodeIndex>,
    /// The position of the run's first event in the order after the insertion.
    pub position: usize,
    /// The inserted events, in order.
    pub events: Vec<NodeIndex>,
}

/// What [`Timeline::refresh`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Refreshed {
    /// The index was built again from scratch (the DAG was replaced, as by reading the room
    /// again): earlier tokens are stale.
    pub rebuilt: bool,
    /// The runs of events inserted, in timeline order (empty when rebuilt).
    pub inserted: Vec<Inserted>,
}

impl Timeline {
    /// Brings the index up to date with `dag` after it grew: every new timeline event is
    /// inserted (see the [module documentation](super) for where), positions and the time
    /// index are updated, and the runs inserted are returned. Linear in the timeline's
    /// length plus `k log k` for `k` new events; nothing when the DAG did not change. A DAG
    /// that is not this one grown (a room read again) is indexed from scratch.
    pub fn refresh(&mut self, dag: &RoomDag) -> Refreshed {
        if self.is_current(dag) {
            return Refreshed::default();
        }
        if !self.seen.same_or_grown(dag) {
            self.rebuild(dag);
            self.epoch = self.epoch.wrapping_add(1);
            return Refreshed {
                rebuilt: true,
                inserted: Vec::new(),
            };
        }
        if self.order.is_empty() {
            // Nothing was there to keep in place: index the whole DAG under the same epoch,
            // so that `start` and `end` tokens stay valid.
            let epoch = self.epoch;
            self.rebuild(dag);
            self.epoch = epoch;
            let inserted = match self.order.is_empty() {
                true => Vec::new(),
                false => vec![Inserted {
                    after: None,
                    before: None,
                    position: 0,
                    events: self.order.clone(),
                }],
            };
            return Refreshed {
                rebuilt: false,
                inserted,
            };
        }
        self.pos.resize(dag.node_count(), NOWHERE);
        let new: Vec<NodeIndex> = dag
            .nodes()
            .filter(|&n| dag.is_timeline(n) && self.pos[n as usize] == NOWHERE)
            .collect();
        let inserted = if new.is_empty() {
            Vec::new()
        } else {
            self.insert(dag, &new)
        };
        self.gaps = gap_infos(dag);
        self.seen = Seen::of(dag);
        Refreshed {
            rebuilt: false,
            inserted,
        }
    }

    /// Inserts `new` (held timeline events without a place) and returns the runs.
    fn insert(&mut self, dag: &RoomDag, new: &[NodeIndex]) -> Vec<Inserted> {
        let topo = topological(dag, new);
        let k = topo.len();
        let local: HashMap<NodeIndex, usize> =
            topo.iter().enumerate().map(|(i, &n)| (n, i)).collect();
        let mut children: Vec<Vec<usize>> = vec![Vec::new(); k];
        for (i, &n) in topo.iter().enumerate() {
            for p in dag.prev_events(n) {
                if let Some(&j) = local.get(p) {
                    children[j].push(i);
                }
            }
        }
        let len = self.order.len();
        // Upper bound: the earliest held event it must precede (one that listed it, or one
        // of its new children's), children first.
        let mut upper = vec![usize::MAX; k];
        for i in (0..k).rev() {
            let held_children = self
                .gaps
                .get(&topo[i])
                .into_iter()
                .flat_map(|g| g.referenced_by.iter())
                .filter_map(|&r| self.position(r));
            let new_children = children[i].iter().map(|&c| upper[c]);
            upper[i] = held_children
                .chain(new_children)
                .min()
                .unwrap_or(usize::MAX);
        }
        // The slot (the cut it goes into): before its upper bound, else right after its
        // parents, else at the end.
        let mut slot = vec![len; k];
        for i in 0..k {
            if upper[i] != usize::MAX {
                slot[i] = upper[i];
                continue;
            }
            let parents = dag.prev_events(topo[i]).iter().filter_map(|p| {
                match (self.position(*p), local.get(p)) {
                    (Some(at), _) => Some(at + 1),
                    (None, Some(&j)) if j < i => Some(slot[j]),
                    _ => None,
                }
            });
            slot[i] = parents.max().unwrap_or(len);
        }
        // Ties by index keep the topological order within a slot.
        let mut by_slot: Vec<usize> = (0..k).collect();
        crate::sort::sort_by_key(&mut by_slot, |&i| (slot[i], i));
        let mut order = Vec::with_capacity(len + k);
        let mut runs = Vec::new();
        let mut next = by_slot.iter().peekable();
        for cut in 0..=len {
            if next.peek().is_some_and(|&&i| slot[i] == cut) {
                let mut run = Inserted {
                    after: cut.checked_sub(1).map(|c| self.order[c]),
                    before: self.order.get(cut).copied(),
                    position: order.len(),
                    events: Vec::new(),
                };
                while let Some(&i) = next.next_if(|&&i| slot[i] == cut) {
                    run.events.push(topo[i]);
                    order.push(topo[i]);
                }
                runs.push(run);
            }
            if let Some(&n) = self.order.get(cut) {
                order.push(n);
            }
        }
        self.order = order;
        self.reindex_positions(dag.node_count());
        self.merge_times(dag, new);
        runs
    }

    /// Adds `new` to the time index, keeping it sorted by (`origin_server_ts`, position).
    fn merge_times(&mut self, dag: &RoomDag, new: &[NodeIndex]) {
        let key = |n: NodeIndex| (dag.origin_server_ts(n), self.pos[n as usize]);
        let mut add = new.to_vec();
        crate::sort::sort_u32s_by(&mut add, &mut |a, b| key(a).cmp(&key(b)));
        let mut merged = Vec::with_capacity(self.by_time.len() + add.len());
        let (mut a, mut b) = (self.by_time.iter().peekable(), add.iter().peekable());
        loop {
            let take_old = match (a.peek(), b.peek()) {
                (Some(&&x), Some(&&y)) => key(x) <= key(y),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_old { a.next() } else { b.next() };
            merged.extend(next.copied());
        }
        self.by_time = merged;
    }
}

/// `nodes` in a topological order among themselves (Kahn's algorithm, ties and cycles
/// broken by the linear order's key, as [`RoomDag::linear_order`] does).
fn topological(dag: &RoomDag, nodes: &[NodeIndex]) -> Vec<NodeIndex> {
    let mut sorted = nodes.to_vec();
    dag.sort_by_order_key(&mut sorted);
    let rank: HashMap<NodeIndex, usize> = sorted.iter().enumerate().map(|(i, &n)| (n, i)).collect();
    let k = sorted.len();
    let mut waiting = vec![0u32; k];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &n) in sorted.iter().enumerate() {
        for p in dag.prev_events(n) {
            if let Some(&j) = rank.get(p) {
                waiting[i] += 1;
                children[j].push(i);
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<usize>> =
        (0..k).filter(|&i| waiting[i] == 0).map(Reverse).collect();
    let mut placed = vec![false; k];
    let mut out = Vec::with_capacity(k);
    let mut smallest = 0;
    while out.len() < k {
        let i = match ready.pop() {
            Some(Reverse(i)) if placed[i] => continue,
            Some(Reverse(i)) => i,
            // A cycle: the smallest event not placed goes next.
            None => {
                while placed[smallest] {
                    smallest += 1;
                }
                smallest
            }
        };
        placed[i] = true;
        out.push(sorted[i]);
        for &c in &children[i] {
            waiting[c] = waiting[c].saturating_sub(1);
            if waiting[c] == 0 && !placed[c] {
                ready.push(Reverse(c));
            }
        }
    }
    out
}
