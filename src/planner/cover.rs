//! `cover`, our strategy: use what the DAG knows about each hole.
//!
//! Each round, servers are taken best first (largest `/get_missing_events` cap seen, fewest
//! failures, list order); each gets one request about gaps no other request of the round
//! covers, closest to the present first:
//!
//! - **small holes** (as deep as the server's `/get_missing_events` cap or less) are batched
//!   into one `/get_missing_events`: `latest_events` are the held events that reference the
//!   gaps, `earliest_events` the held events around each hole (forward extremities first),
//!   so the walk stops where held history starts and answers do not repeat held events; the
//!   walk is breadth-first from every gap at once, so distinct gaps are covered evenly;
//! - **a big hole**, or a gap whose referencing events the server lacks, is asked by ID with
//!   `/backfill`, with every gap of the same hole as `v` and a `limit` no larger than the
//!   hole as depths tell, so the walk does not run on into held history;
//! - when a big hole has held events below it (it is **newer than what is held** there),
//!   forwards fill from those events goes to another server in the same round, filling the
//!   hole from both ends. A server that answers `M_UNRECOGNIZED` is never asked again.

use std::collections::HashSet;

use super::knowledge::{Knowledge, Support};
use super::plan::{backfill, forwards_fill, get_missing_events, PlannedRequest, Probe};
use super::strategy::Context;
use crate::dag::{Gap, NodeIndex, RoomDag};

/// Most `earliest_events` sent in one `/get_missing_events` body.
pub const EARLIEST_CAP: usize = 1000;

/// Most `v` events in one `/backfill`.
const V_CAP: usize = 20;

/// Most `from_event_id` events in one forwards fill.
const FROM_CAP: usize = 10;

/// The requests of one round of `cover`.
pub(crate) fn plan(ctx: &Context) -> Vec<PlannedRequest> {
    let held = HeldByDepth::new(ctx.dag);
    let k = ctx.knowledge;
    let mut servers: Vec<usize> = (0..k.servers.len())
        .filter(|&s| k.server_ready(s, ctx.now_ms))
        .collect();
    servers.sort_by_key(|&s| {
        let h = &k.servers[s];
        let cap = h.limit_for("get_missing_events", ctx.limit);
        (std::cmp::Reverse(cap), h.failures, s)
    });
    let mut taken: HashSet<NodeIndex> = HashSet::new();
    let mut busy: Vec<usize> = Vec::new();
    let mut out: Vec<PlannedRequest> = Vec::new();
    for &s in &servers {
        if out.len() >= ctx.parallel {
            break;
        }
        let free = |g: &&Gap| !taken.contains(&g.event);
        let Some(first) = ctx
            .gaps
            .iter()
            .filter(free)
            .find(|g| !k.lacks(s, g.event, Probe::ById))
        else {
            continue;
        };
        let gme_cap = k.servers[s].limit_for("get_missing_events", ctx.limit);
        let small = |g: &Gap| g.missing_depths.max(1) as u64 <= gme_cap;
        let request = if small(first) && !k.lacks(s, first.event, Probe::FromChildren) {
            let batch: Vec<&Gap> = batch_small(ctx, s, gme_cap, &taken, &small);
            small_holes(ctx, s, gme_cap, &batch, &held)
        } else {
            big_hole(ctx, s, first, &taken)
        };
        taken.extend(request.gaps.iter().copied());
        busy.push(s);
        let big = request.probe == Probe::ById && !small(first);
        out.push(request);
        if big && out.len() < ctx.parallel {
            if let Some(ff) = from_below(ctx, first, &busy, &held) {
                busy.push(ff.server_index);
                out.push(ff);
            }
        }
    }
    out
}

/// Small gaps, closest to the present first, whose holes add up to about `cap` events.
fn batch_small<'a>(
    ctx: &'a Context,
    s: usize,
    cap: u64,
    taken: &HashSet<NodeIndex>,
    small: &impl Fn(&Gap) -> bool,
) -> Vec<&'a Gap> {
    let k = ctx.knowledge;
    let mut sum = 0u64;
    let mut batch = Vec::new();
    for g in ctx.gaps.iter().filter(|g| {
        !taken.contains(&g.event) && small(g) && !k.lacks(s, g.event, Probe::FromChildren)
    }) {
        if sum >= cap {
            break;
        }
        sum += g.missing_depths.max(1) as u64;
        batch.push(g);
    }
    batch
}

/// One `/get_missing_events` for a batch of small holes.
fn small_holes(
    ctx: &Context,
    s: usize,
    cap: u64,
    batch: &[&Gap],
    held: &HeldByDepth,
) -> PlannedRequest {
    let mut latest: Vec<NodeIndex> = batch
        .iter()
        .flat_map(|g| g.referenced_by.iter().copied())
        .collect();
    latest.sort_unstable();
    latest.dedup();
    let mut earliest: Vec<NodeIndex> = Vec::new();
    let mut seen = HashSet::new();
    for g in batch {
        let low = g.depth_below.unwrap_or(0).saturating_sub(1);
        for &(_, n) in held.between(low, g.estimated_depth) {
            if earliest.len() < EARLIEST_CAP && seen.insert(n) {
                earliest.push(n);
            }
        }
    }
    let ids = |nodes: &[NodeIndex]| nodes.iter().map(|&n| ctx.dag.event_id(n)).collect();
    PlannedRequest {
        server: ctx.knowledge.servers[s].name.clone(),
        server_index: s,
        request: get_missing_events(ctx.room_id, ids(&earliest), ids(&latest), cap),
        gaps: batch.iter().map(|g| g.event).collect(),
        probe: Probe::FromChildren,
        from: Vec::new(),
    }
}

/// One `/backfill` by ID for the hole of `first`, with the other gaps of that hole.
fn big_hole(ctx: &Context, s: usize, first: &Gap, taken: &HashSet<NodeIndex>) -> PlannedRequest {
    let k = ctx.knowledge;
    let same_hole = |g: &&Gap| {
        g.event == first.event
            || (g.depth_below == first.depth_below
                && g.estimated_depth.abs_diff(first.estimated_depth) <= 1
                && !taken.contains(&g.event)
                && !k.lacks(s, g.event, Probe::ById))
    };
    let gaps: Vec<NodeIndex> = ctx
        .gaps
        .iter()
        .filter(same_hole)
        .take(V_CAP)
        .map(|g| g.event)
        .collect();
    let depth = first.missing_depths.max(1) as u64;
    let wanted = depth.saturating_mul(gaps.len() as u64) + gaps.len() as u64;
    let limit = k.servers[s].limit_for("backfill", ctx.limit.min(wanted));
    PlannedRequest {
        server: k.servers[s].name.clone(),
        server_index: s,
        request: backfill(
            ctx.room_id,
            gaps.iter().map(|&g| ctx.dag.event_id(g)).collect(),
            limit,
        ),
        gaps,
        probe: Probe::ById,
        from: Vec::new(),
    }
}

/// Forwards fill from the held forward extremities just below a big hole, to a server not
/// busy this round that has not refused forwards fill nor been asked from these events.
fn from_below(
    ctx: &Context,
    gap: &Gap,
    busy: &[usize],
    held: &HeldByDepth,
) -> Option<PlannedRequest> {
    let below = gap.depth_below?;
    let from: Vec<NodeIndex> = held
        .between(below, below)
        .iter()
        .map(|&(_, n)| n)
        .filter(|&n| held.is_tip(n))
        .take(FROM_CAP)
        .collect();
    let k: &Knowledge = ctx.knowledge;
    let s = (0..k.servers.len()).find(|&s| {
        !busy.contains(&s)
            && k.server_ready(s, ctx.now_ms)
            && k.servers[s].forwards_fill != Support::Unsupported
            && from
                .iter()
                .any(|&n| !k.asked_from_below.contains(&(s as u32, n)))
    })?;
    let half = (gap.missing_depths.max(2) as u64) / 2;
    Some(PlannedRequest {
        server: k.servers[s].name.clone(),
        server_index: s,
        request: forwards_fill(
            ctx.room_id,
            from.iter().map(|&n| ctx.dag.event_id(n)).collect(),
            ctx.limit.min(half),
        ),
        gaps: vec![gap.event],
        probe: Probe::FromBelow,
        from,
    })
}

/// Held timeline events sorted by depth, and which of them are forward extremities.
struct HeldByDepth {
    by_depth: Vec<(i64, NodeIndex)>,
    tips: HashSet<NodeIndex>,
}

impl HeldByDepth {
    fn new(dag: &RoomDag) -> Self {
        let tips: HashSet<NodeIndex> = dag.forward_extremities().into_iter().collect();
        let mut by_depth: Vec<(i64, NodeIndex)> = dag
            .nodes()
            .filter(|&n| dag.is_timeline(n))
            .map(|n| (dag.depth(n), n))
            .collect();
        // Forward extremities first within a depth: they are where holes end.
        by_depth.sort_by_key(|&(d, n)| (std::cmp::Reverse(d), !tips.contains(&n), n));
        Self { by_depth, tips }
    }

    /// Held events with depth in `low..=high`, deepest first.
    fn between(&self, low: i64, high: i64) -> &[(i64, NodeIndex)] {
        let start = self.by_depth.partition_point(|&(d, _)| d > high);
        let end = self.by_depth.partition_point(|&(d, _)| d >= low);
        &self.by_depth[start..end.max(start)]
    }

    fn is_tip(&self, n: NodeIndex) -> bool {
        self.tips.contains(&n)
    }
}
