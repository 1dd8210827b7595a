//! `cover`, our strategy: use what the DAG knows about each hole.
//!
//! Each round, servers are taken best first (most events per request so far, at most their
//! `/get_missing_events` cap; a server not asked yet is hoped to fill its cap; then fewest
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

/// Depths below a small gap whose held events go into `earliest_events`.
const WINDOW: i64 = 6;

/// Events a small hole is guessed to miss at most: depths alone overstate it whenever no
/// forward extremity lies just below (the hole's lower neighbours have other children).
const SMALL_GUESS: i64 = 3;

/// The guessed size of a small hole.
fn guess(g: &Gap) -> u64 {
    g.missing_depths.clamp(1, SMALL_GUESS) as u64
}

/// Depths below a gap without any held event that make it the bottom of held history.
const OPEN_BOTTOM: i64 = 10;

/// Most `v` events in one `/backfill`.
const V_CAP: usize = 100;

/// Most `from_event_id` events in one forwards fill.
const FROM_CAP: usize = 10;

/// The requests of one round of `cover`.
pub(crate) fn plan(ctx: &Context) -> Vec<PlannedRequest> {
    let held = HeldByDepth::new(ctx.dag);
    let mut gaps = refine(&ctx.gaps, &held);
    // Big holes first: the first server takes one by ID and a second fills it from below.
    crate::sort::sort_by_key(&mut gaps, |g| {
        g.missing_depths.max(1) as u64 <= ctx.limit && g.depth_below.is_some()
    });
    let gaps = &gaps;
    let k = ctx.knowledge;
    let mut servers: Vec<usize> = (0..k.servers.len())
        .filter(|&s| k.server_ready(s, ctx.now_ms))
        .collect();
    crate::sort::sort_by_key(&mut servers, |&s| {
        let h = &k.servers[s];
        let cap = h.limit_for("get_missing_events", ctx.limit);
        // Events per request so far; a server not asked yet is hoped to fill its cap.
        let yield_ = h.events_received.checked_div(h.round_trips).unwrap_or(cap);
        (std::cmp::Reverse(yield_.min(cap)), h.failures, s)
    });
    let mut taken: HashSet<NodeIndex> = HashSet::new();
    let mut busy: Vec<usize> = Vec::new();
    let mut out: Vec<PlannedRequest> = Vec::new();
    for &s in &servers {
        if out.len() >= ctx.parallel {
            break;
        }
        let free = |g: &&Gap| !taken.contains(&g.event);
        let Some(first) = gaps
            .iter()
            .filter(free)
            .find(|g| fits(ctx, s, g, Probe::ById))
        else {
            continue;
        };
        let gme_cap = k.servers[s].limit_for("get_missing_events", ctx.limit);
        // Nothing held below: a walk cannot run into held history, so `/backfill` at its
        // full limit is the cheapest way down.
        let small =
            |g: &Gap| g.depth_below.is_some() && g.missing_depths.max(1) as u64 <= ctx.limit;
        let batch: Vec<&Gap> = batch_small(ctx, gaps, s, gme_cap, &taken, &small);
        let request = if small(first) && !batch.is_empty() {
            small_holes(ctx, s, gme_cap, &batch, &held)
        } else {
            by_id(ctx, gaps, s, first, &taken, !small(first))
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

/// Whether `s` is to be asked about `g` by `probe`: not known to lack it, and not below
/// where its history seems to start unless no other server that may hold it is ready.
fn fits(ctx: &Context, s: usize, g: &Gap, probe: Probe) -> bool {
    let k = ctx.knowledge;
    if k.lacks(s, g.event, probe) {
        return false;
    }
    let likely = |t: usize| {
        k.server_ready(t, ctx.now_ms)
            && !k.lacks(t, g.event, Probe::ById)
            && !k.below_floor(t, g.estimated_depth)
    };
    likely(s) || !(0..k.servers.len()).any(likely)
}

/// Small gaps, closest to the present first, whose holes add up to about `cap` events.
fn batch_small<'a>(
    ctx: &Context,
    gaps: &'a [Gap],
    s: usize,
    cap: u64,
    taken: &HashSet<NodeIndex>,
    small: &impl Fn(&Gap) -> bool,
) -> Vec<&'a Gap> {
    let mut sum = 0u64;
    let mut batch = Vec::new();
    for g in gaps
        .iter()
        .filter(|g| !taken.contains(&g.event) && small(g) && fits(ctx, s, g, Probe::FromChildren))
    {
        if sum >= cap {
            break;
        }
        sum += guess(g);
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
    // The starting events must not block their own walk.
    let mut seen: HashSet<NodeIndex> = latest.iter().copied().collect();
    // The held parents of the starting events come first: the walk meets them at once.
    for &child in &latest {
        for &p in ctx.dag.prev_events(child) {
            if ctx.dag.is_timeline(p) && earliest.len() < EARLIEST_CAP && seen.insert(p) {
                earliest.push(p);
            }
        }
    }
    for g in batch {
        // The hole's lowest events point at held events a few depths below the gap.
        let low = g
            .estimated_depth
            .saturating_sub(g.missing_depths.clamp(1, WINDOW))
            .saturating_sub(1);
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

/// One `/backfill` by ID: for a big hole, `first` and the other gaps of that hole; else the
/// free gaps the server may hold (those whose referencing events it lacks), closest to the
/// present first. `limit` is the holes' size as depths tell, so the walk stops near them.
fn by_id(
    ctx: &Context,
    gaps: &[Gap],
    s: usize,
    first: &Gap,
    taken: &HashSet<NodeIndex>,
    big: bool,
) -> PlannedRequest {
    let k = ctx.knowledge;
    let same_hole = |g: &Gap| match first.depth_below {
        _ if !big => true,
        None => g.depth_below.is_none(),
        Some(_) => {
            g.depth_below == first.depth_below
                && g.estimated_depth.abs_diff(first.estimated_depth) <= 1
        }
    };
    let mut chosen: Vec<NodeIndex> = vec![first.event];
    // A big hole is asked as deep as depths say; small ones one event each, so the walk
    // returns the missing events themselves and the next round sees what is below them.
    let size = |g: &Gap| {
        if big {
            g.missing_depths.max(1) as u64
        } else {
            1
        }
    };
    let mut wanted = size(first);
    let limit = k.servers[s].limit_for("backfill", ctx.limit);
    for g in gaps.iter().filter(|g| {
        g.event != first.event
            && !taken.contains(&g.event)
            && fits(ctx, s, g, Probe::ById)
            && same_hole(g)
    }) {
        if chosen.len() >= V_CAP || wanted >= limit {
            break;
        }
        chosen.push(g.event);
        wanted += size(g);
    }
    PlannedRequest {
        server: k.servers[s].name.clone(),
        server_index: s,
        request: backfill(
            ctx.room_id,
            chosen.iter().map(|&g| ctx.dag.event_id(g)).collect(),
            limit.min(wanted),
        ),
        gaps: chosen,
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
        .between(below.saturating_sub(2), below)
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

/// The gaps with the hole measured against every held event, not only forward extremities:
/// `depth_below` is the depth of the deepest held event below the gap, `missing_depths` the
/// depths between (the whole history when nothing is held below). A gap whose neighbours
/// below have other held children is then seen as the small hole it is.
fn refine(gaps: &[Gap], held: &HeldByDepth) -> Vec<Gap> {
    gaps.iter()
        .map(|g| {
            // Nothing held for OPEN_BOTTOM depths below: the bottom of held history (a
            // server that joined late), where walks cannot run into held events.
            let below = held
                .deepest_below(g.estimated_depth.saturating_sub(OPEN_BOTTOM))
                .and_then(|_| held.deepest_below(g.estimated_depth));
            Gap {
                depth_below: below,
                missing_depths: g.estimated_depth.saturating_sub(below.unwrap_or(0)),
                ..g.clone()
            }
        })
        .collect()
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
        crate::sort::sort_by_key(&mut by_depth, |&(d, n)| {
            (std::cmp::Reverse(d), !tips.contains(&n), n)
        });
        Self { by_depth, tips }
    }

    /// Held events with depth in `low..=high`, deepest first.
    fn between(&self, low: i64, high: i64) -> &[(i64, NodeIndex)] {
        let start = self.by_depth.partition_point(|&(d, _)| d > high);
        let end = self.by_depth.partition_point(|&(d, _)| d >= low);
        &self.by_depth[start..end.max(start)]
    }

    /// The greatest depth of a held event below `depth`.
    fn deepest_below(&self, depth: i64) -> Option<i64> {
        let at = self.by_depth.partition_point(|&(d, _)| d >= depth);
        self.by_depth.get(at).map(|&(d, _)| d)
    }

    fn is_tip(&self, n: NodeIndex) -> bool {
        self.tips.contains(&n)
    }
}
