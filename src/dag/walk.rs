//! Walks over the arena: the children index and a breadth-first search with an explicit
//! queue (no recursion, so a million-event chain or a cycle is safe).

use std::collections::VecDeque;

use super::arena::{NodeIndex, RoomDag};

/// Level of a node the walk has not reached.
pub const UNREACHED: u32 = u32::MAX;

/// The reverse of `prev_events` among held timeline events: for each node, the held
/// timeline events that list it. Built in one linear pass (compressed rows).
#[derive(Clone, Debug, Default)]
pub struct Children {
    starts: Vec<u32>,
    list: Vec<NodeIndex>,
}

impl Children {
    /// Builds the index. With `sorted`, each node's children come in the linear order's
    /// tie-break (depth, `origin_server_ts`, event ID), so walks over children do not depend
    /// on the order events were added in.
    pub fn build(dag: &RoomDag, sorted: bool) -> Self {
        let n = dag.node_count();
        let mut starts = vec![0u32; n + 1];
        for child in dag.nodes().filter(|&c| dag.is_timeline(c)) {
            for &p in dag.prev_events(child) {
                starts[p as usize + 1] += 1;
            }
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut list = vec![0; starts[n] as usize];
        for child in dag.nodes().filter(|&c| dag.is_timeline(c)) {
            for &p in dag.prev_events(child) {
                list[fill[p as usize] as usize] = child;
                fill[p as usize] += 1;
            }
        }
        let mut children = Self { starts, list };
        if sorted {
            for node in 0..n {
                let (s, e) = (
                    children.starts[node] as usize,
                    children.starts[node + 1] as usize,
                );
                if e - s > 1 {
                    dag.sort_by_order_key(&mut children.list[s..e]);
                }
            }
        }
        children
    }

    /// The held timeline events listing `node` in `prev_events`.
    pub fn of(&self, node: NodeIndex) -> &[NodeIndex] {
        &self.list[self.starts[node as usize] as usize..self.starts[node as usize + 1] as usize]
    }

    /// Bytes of heap memory held (allocated capacity).
    pub fn heap_bytes(&self) -> usize {
        4 * (self.starts.capacity() + self.list.capacity())
    }
}

/// The result of a breadth-first walk.
#[derive(Clone, Debug)]
pub struct Visit {
    /// Nodes in the order they were dequeued (starts first).
    pub order: Vec<NodeIndex>,
    /// Distance from the nearest start, `UNREACHED` for nodes not reached; one per node.
    pub level: Vec<u32>,
}

impl Visit {
    /// The reached nodes other than the starts, in walk order, at most `limit` of them: what
    /// the walking endpoints answer with when the given events are not returned.
    pub fn beyond_starts(self, limit: usize) -> Vec<NodeIndex> {
        let level = self.level;
        self.order
            .into_iter()
            .filter(|&n| level[n as usize] > 0)
            .take(limit)
            .collect()
    }
}

/// Breadth-first walk from `starts` (each at level 0, repeats ignored) over `next`, entering
/// only nodes for which `enter` holds. Stops after dequeuing `limit` nodes.
pub fn breadth_first<'a>(
    node_count: usize,
    starts: &[NodeIndex],
    next: impl Fn(NodeIndex) -> &'a [NodeIndex],
    enter: impl Fn(NodeIndex) -> bool,
    limit: usize,
) -> Visit {
    let mut level = vec![UNREACHED; node_count];
    let mut queue = VecDeque::new();
    for &s in starts {
        if level[s as usize] == UNREACHED {
            level[s as usize] = 0;
            queue.push_back(s);
        }
    }
    let mut order = Vec::new();
    while let Some(node) = queue.pop_front() {
        if order.len() >= limit {
            break;
        }
        order.push(node);
        for &m in next(node) {
            if level[m as usize] == UNREACHED && enter(m) {
                level[m as usize] = level[node as usize] + 1;
                queue.push_back(m);
            }
        }
    }
    Visit { order, level }
}
