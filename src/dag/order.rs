//! The linear order: topological over `prev_events`, ties broken by depth, then
//! `origin_server_ts`, then event ID (byte order of the ID text) — the same on every platform.
//!
//! Kahn's algorithm with a priority queue: an event is ready once every held timeline event
//! in its `prev_events` has been placed; among ready events the smallest key goes first.
//! Where a cycle leaves no event ready, the smallest remaining event is placed anyway (its
//! unplaced parents are ignored) so that every timeline event appears exactly once; the
//! cycle itself is reported by [`RoomDag::findings`].

use std::cmp::Ordering;

use super::arena::{NodeIndex, RoomDag};
use super::walk::Children;

/// A binary min-heap of nodes under a comparison closure (the key needs the ID store).
struct NodeHeap<F: Fn(NodeIndex, NodeIndex) -> Ordering> {
    items: Vec<NodeIndex>,
    cmp: F,
}

impl<F: Fn(NodeIndex, NodeIndex) -> Ordering> NodeHeap<F> {
    fn push(&mut self, node: NodeIndex) {
        self.items.push(node);
        let mut i = self.items.len() - 1;
        while i > 0 {
            let parent = (i - 1) / 2;
            if (self.cmp)(self.items[i], self.items[parent]) != Ordering::Less {
                break;
            }
            self.items.swap(i, parent);
            i = parent;
        }
    }

    fn pop(&mut self) -> Option<NodeIndex> {
        let last = self.items.pop()?;
        if self.items.is_empty() {
            return Some(last);
        }
        let top = std::mem::replace(&mut self.items[0], last);
        let (mut i, n) = (0, self.items.len());
        loop {
            let (l, r) = (2 * i + 1, 2 * i + 2);
            let mut smallest = i;
            if l < n && (self.cmp)(self.items[l], self.items[smallest]) == Ordering::Less {
                smallest = l;
            }
            if r < n && (self.cmp)(self.items[r], self.items[smallest]) == Ordering::Less {
                smallest = r;
            }
            if smallest == i {
                return Some(top);
            }
            self.items.swap(i, smallest);
            i = smallest;
        }
    }
}

impl RoomDag {
    /// Held timeline events in linear order (outliers and gaps excluded). See the module
    /// documentation for the rule.
    pub fn linear_order(&self) -> Vec<NodeIndex> {
        let children = Children::build(self, false);
        let mut pending: Vec<u32> = vec![0; self.node_count()];
        let mut heap = NodeHeap {
            items: Vec::new(),
            cmp: |a, b| self.cmp_order_key(a, b),
        };
        let mut remaining = 0usize;
        for node in self.nodes().filter(|&n| self.is_timeline(n)) {
            remaining += 1;
            let waiting = self
                .prev_events(node)
                .iter()
                .filter(|&&p| self.is_timeline(p))
                .count();
            pending[node as usize] = waiting as u32;
            if waiting == 0 {
                heap.push(node);
            }
        }
        let mut placed = vec![false; self.node_count()];
        let mut order = Vec::with_capacity(remaining);
        let mut fallback: Option<(Vec<NodeIndex>, usize)> = None;
        while order.len() < remaining {
            let node = match heap.pop() {
                Some(node) if placed[node as usize] => continue,
                Some(node) => node,
                None => self.smallest_unplaced(&mut fallback, &placed),
            };
            placed[node as usize] = true;
            order.push(node);
            for &child in children.of(node) {
                let p = &mut pending[child as usize];
                *p = p.saturating_sub(1);
                if *p == 0 && !placed[child as usize] {
                    heap.push(child);
                }
            }
        }
        order
    }

    /// Held timeline events on a `prev_events` cycle, or on a path between cycles, sorted by
    /// node index. Empty for an acyclic DAG.
    pub fn cycle_nodes(&self) -> Vec<NodeIndex> {
        let children = Children::build(self, false);
        let n = self.node_count();
        // Peel events whose parents are all peeled (Kahn), then events whose children are all
        // peeled (Kahn backwards): what remains lies on or between cycles.
        let mut parents_left = vec![0u32; n];
        let mut children_left = vec![0u32; n];
        let mut alive = vec![false; n];
        for node in self.nodes().filter(|&x| self.is_timeline(x)) {
            alive[node as usize] = true;
            for &p in self
                .prev_events(node)
                .iter()
                .filter(|&&p| self.is_timeline(p))
            {
                parents_left[node as usize] += 1;
                children_left[p as usize] += 1;
            }
        }
        let mut stack: Vec<NodeIndex> = self
            .nodes()
            .filter(|&x| alive[x as usize] && parents_left[x as usize] == 0)
            .collect();
        while let Some(node) = stack.pop() {
            alive[node as usize] = false;
            for &p in self
                .prev_events(node)
                .iter()
                .filter(|&&p| self.is_timeline(p))
            {
                children_left[p as usize] -= 1;
            }
            for &c in children.of(node) {
                parents_left[c as usize] -= 1;
                if parents_left[c as usize] == 0 {
                    stack.push(c);
                }
            }
        }
        stack.extend(
            self.nodes()
                .filter(|&x| alive[x as usize] && children_left[x as usize] == 0),
        );
        while let Some(node) = stack.pop() {
            alive[node as usize] = false;
            for &p in self
                .prev_events(node)
                .iter()
                .filter(|&&p| self.is_timeline(p))
            {
                if alive[p as usize] {
                    children_left[p as usize] -= 1;
                    if children_left[p as usize] == 0 {
                        stack.push(p);
                    }
                }
            }
        }
        self.nodes().filter(|&x| alive[x as usize]).collect()
    }

    /// When no event is ready (a cycle), the smallest unplaced timeline event by key. The
    /// sorted list is built once and consumed front to back, so all stalls together stay
    /// `n log n`.
    fn smallest_unplaced(
        &self,
        fallback: &mut Option<(Vec<NodeIndex>, usize)>,
        placed: &[bool],
    ) -> NodeIndex {
        let (sorted, next) = fallback.get_or_insert_with(|| {
            let mut all: Vec<NodeIndex> = self.nodes().filter(|&n| self.is_timeline(n)).collect();
            self.sort_by_order_key(&mut all);
            (all, 0)
        });
        while placed[sorted[*next] as usize] {
            *next += 1;
        }
        sorted[*next]
    }
}
