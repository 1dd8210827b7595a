//! The strategies and the three baselines: Synapse's rule, depth-first and breadth-first.
//! Ours is in [`super::cover`].

use std::collections::HashMap;

use super::knowledge::Knowledge;
use super::plan::{backfill, PlannedRequest, Probe};
use crate::dag::{Gap, NodeIndex, RoomDag};

/// How the planner chooses what to ask next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Strategy {
    /// Synapse's rule: `/backfill` from the 5 backward extremities closest to the depth being
    /// read (the newest), one request at a time, servers tried in list order, a point that
    /// brought nothing backed off for 2h, 4h, … 256h.
    Synapse,
    /// Depth-first: `/backfill` from the single gap discovered last, so one chain is followed
    /// to its end before the next is started.
    Dfs,
    /// Breadth-first: `/backfill` from the 5 gaps discovered first, so every branch advances
    /// one step before any advances two.
    Bfs,
    /// Ours: several gaps per request, `/get_missing_events` with `earliest_events` set to the
    /// held events around each hole, `/backfill` by ID for big holes with forwards fill from
    /// below in parallel, servers ranked by the caps they showed (see [`super::cover`]).
    #[default]
    Cover,
}

impl Strategy {
    /// Every strategy, the baseline first.
    pub const ALL: [Strategy; 4] = [Self::Synapse, Self::Dfs, Self::Bfs, Self::Cover];

    /// The name used in JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Synapse => "synapse",
            Self::Dfs => "dfs",
            Self::Bfs => "bfs",
            Self::Cover => "cover",
        }
    }

    /// The strategy of a name (`synapse`, `dfs`, `bfs`, `cover`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// What a strategy sees when it plans one round.
pub(crate) struct Context<'a> {
    pub dag: &'a RoomDag,
    pub room_id: &'a str,
    /// Gaps that may be asked about now (not backing off), closest to the present first.
    pub gaps: Vec<Gap>,
    pub knowledge: &'a Knowledge,
    pub now_ms: u64,
    pub limit: u64,
    /// Discovery order of gaps.
    pub seq: &'a HashMap<NodeIndex, u64>,
    /// Most requests per round.
    pub parallel: usize,
}

impl Context<'_> {
    /// Whether some server may be asked about `gap` by ID now.
    pub fn askable(&self, gap: NodeIndex) -> bool {
        self.knowledge
            .servers_for(gap, Probe::ById, self.now_ms)
            .next()
            .is_some()
    }
}

/// The requests of one round of a baseline strategy.
pub(crate) fn plan_baseline(strategy: Strategy, ctx: &Context) -> Vec<PlannedRequest> {
    let mut gaps: Vec<&Gap> = ctx.gaps.iter().filter(|g| ctx.askable(g.event)).collect();
    let take = match strategy {
        Strategy::Synapse => 5,
        Strategy::Dfs => {
            crate::sort::sort_by_key(&mut gaps, |g| std::cmp::Reverse(ctx.seq[&g.event]));
            1
        }
        _ => {
            crate::sort::sort_by_key(&mut gaps, |g| ctx.seq[&g.event]);
            5
        }
    };
    let picked: Vec<NodeIndex> = gaps.iter().take(take).map(|g| g.event).collect();
    one_server_at_a_time(ctx, &picked).into_iter().collect()
}

/// `/backfill` of `picked` from the first server, in list order, that may be asked about
/// one of them.
fn one_server_at_a_time(ctx: &Context, picked: &[NodeIndex]) -> Option<PlannedRequest> {
    let k = ctx.knowledge;
    let server = (0..k.servers.len()).find(|&s| {
        k.server_ready(s, ctx.now_ms) && picked.iter().any(|&g| !k.lacks(s, g, Probe::ById))
    })?;
    let gaps: Vec<NodeIndex> = picked
        .iter()
        .copied()
        .filter(|&g| !k.lacks(server, g, Probe::ById))
        .collect();
    let v = gaps.iter().map(|&g| ctx.dag.event_id(g)).collect();
    let limit = k.servers[server].limit_for("backfill", ctx.limit);
    Some(PlannedRequest {
        server: k.servers[server].name.clone(),
        server_index: server,
        request: backfill(ctx.room_id, v, limit),
        gaps,
        probe: Probe::ById,
        from: Vec::new(),
    })
}
