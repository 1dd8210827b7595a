//! [`GapPlanner`]: proposes requests, learns from outcomes, reports the gaps it cannot close.

use std::collections::HashMap;

use super::backoff::HOUR_MS;
use super::codes;
use super::cover;
use super::knowledge::{Knowledge, ServerHistory, Support};
use super::plan::{Outcome, PlannedRequest, Probe};
use super::strategy::{plan_baseline, Context, Strategy};
use crate::dag::{NodeIndex, RoomDag};
use crate::problem::Problem;

/// The planner's settings and budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlannerOptions {
    /// The strategy.
    pub strategy: Strategy,
    /// The `limit` asked for (lowered per server to the caps it showed).
    pub limit: u64,
    /// Most requests in all; planning stops there.
    pub max_round_trips: u64,
    /// Most simulated time spent waiting for backoffs, in milliseconds.
    pub max_wait_ms: u64,
    /// Most requests per round for `cover` (the baselines send one at a time).
    pub parallel: usize,
}

impl Default for PlannerOptions {
    fn default() -> Self {
        Self {
            strategy: Strategy::Cover,
            limit: 100,
            max_round_trips: 100_000,
            max_wait_ms: 1024 * HOUR_MS,
            parallel: 2,
        }
    }
}

/// Why a gap is still open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenReason {
    /// Every server answered a request naming it without it.
    NoServerHolds,
    /// The servers that might hold it failed and are backing off (or lack its neighbours).
    ServersUnavailable,
    /// The round-trip or waiting budget ran out.
    BudgetExhausted,
}

impl OpenReason {
    /// The problem code of the reason.
    pub fn code(self) -> &'static str {
        match self {
            Self::NoServerHolds => codes::GAP_NO_SERVER_HOLDS,
            Self::ServersUnavailable => codes::GAP_SERVERS_UNAVAILABLE,
            Self::BudgetExhausted => codes::GAP_BUDGET_EXHAUSTED,
        }
    }
}

/// A gap the planner leaves open, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenGap {
    /// The missing event.
    pub event: NodeIndex,
    /// Why it is open.
    pub reason: OpenReason,
}

/// Plans requests that close a room DAG's gaps. See the [module documentation](super).
///
/// Use: [`next_requests`](Self::next_requests) on the current DAG; send them; add the events
/// of each answer to the DAG; tell [`record`](Self::record) the outcome; repeat. When no
/// request comes back, [`next_wakeup`](Self::next_wakeup) says when a backoff ends (move the
/// clock there with [`set_now_ms`](Self::set_now_ms)), or `None` when planning is over and
/// [`open_gaps`](Self::open_gaps) says what stayed open and why.
#[derive(Clone, Debug)]
pub struct GapPlanner {
    options: PlannerOptions,
    room_id: String,
    knowledge: Knowledge,
    now_ms: u64,
    start_ms: u64,
    round_trips: u64,
    seq: HashMap<NodeIndex, u64>,
    gap_depth: HashMap<NodeIndex, i64>,
}

impl GapPlanner {
    /// A planner for `room_id` that asks `servers` (repeats ignored), in list order where the
    /// strategy has no better reason.
    pub fn new(room_id: &str, servers: &[String], options: PlannerOptions) -> Self {
        Self {
            options,
            room_id: room_id.to_owned(),
            knowledge: Knowledge::new(servers),
            now_ms: 0,
            start_ms: 0,
            round_trips: 0,
            seq: HashMap::new(),
            gap_depth: HashMap::new(),
        }
    }

    /// The servers and what was learned about each.
    pub fn servers(&self) -> &[ServerHistory] {
        &self.knowledge.servers
    }

    /// The options.
    pub fn options(&self) -> &PlannerOptions {
        &self.options
    }

    /// Requests recorded so far.
    pub fn round_trips(&self) -> u64 {
        self.round_trips
    }

    /// The simulated clock, in milliseconds.
    pub fn now_ms(&self) -> u64 {
        self.now_ms
    }

    /// Moves the simulated clock (never backwards).
    pub fn set_now_ms(&mut self, now_ms: u64) {
        self.now_ms = self.now_ms.max(now_ms);
    }

    /// Whether the budget is spent.
    pub fn budget_spent(&self) -> bool {
        self.round_trips >= self.options.max_round_trips
            || self.now_ms.saturating_sub(self.start_ms) > self.options.max_wait_ms
    }

    /// The requests to send now, all of them about gaps of `dag` and never naming a held
    /// timeline event as wanted. Empty when nothing can be asked now.
    pub fn next_requests(&mut self, dag: &RoomDag) -> Vec<PlannedRequest> {
        self.plan(dag, None)
    }

    /// The requests to send now about the gaps `only` alone (backward extremities of `dag`;
    /// others are left out): what fills one hole, as a timeline's gap entry asks
    /// ([`crate::timeline`]). Empty when none of them can be asked about now.
    pub fn next_requests_for(&mut self, dag: &RoomDag, only: &[NodeIndex]) -> Vec<PlannedRequest> {
        self.plan(dag, Some(only))
    }

    /// One round of requests about the gaps of `dag` (all of them, or those in `only`).
    fn plan(&mut self, dag: &RoomDag, only: Option<&[NodeIndex]>) -> Vec<PlannedRequest> {
        if self.budget_spent() || self.knowledge.servers.is_empty() {
            return Vec::new();
        }
        let gaps: Vec<_> = dag
            .gaps()
            .into_iter()
            .filter(|g| only.is_none_or(|o| o.contains(&g.event)))
            .filter(|g| self.knowledge.point_ready(g.event, self.now_ms))
            .collect();
        for g in &gaps {
            let next = self.seq.len() as u64;
            self.seq.entry(g.event).or_insert(next);
            self.gap_depth.insert(g.event, g.estimated_depth);
        }
        let ctx = Context {
            dag,
            room_id: &self.room_id,
            gaps,
            knowledge: &self.knowledge,
            now_ms: self.now_ms,
            limit: self.options.limit.max(1),
            seq: &self.seq,
            parallel: self.options.parallel.max(1),
        };
        let mut requests = match self.options.strategy {
            Strategy::Cover => cover::plan(&ctx),
            other => plan_baseline(other, &ctx),
        };
        let left = self.options.max_round_trips - self.round_trips;
        requests.truncate(usize::try_from(left).unwrap_or(usize::MAX));
        for r in requests.iter().filter(|r| r.probe == Probe::FromBelow) {
            for &n in &r.from {
                self.knowledge
                    .asked_from_below
                    .insert((r.server_index as u32, n));
            }
        }
        requests
    }

    /// The next requests, moving the clock to the end of the next backoff while nothing can
    /// be asked; `None` when planning is over (see [`open_gaps`](Self::open_gaps)).
    pub fn next_or_wait(&mut self, dag: &RoomDag) -> Option<Vec<PlannedRequest>> {
        loop {
            let requests = self.next_requests(dag);
            if !requests.is_empty() {
                return Some(requests);
            }
            let t = self.next_wakeup(dag)?;
            self.set_now_ms(t);
        }
    }

    /// Learns from the outcome of `request`; `dag` already holds the answer's events.
    pub fn record(&mut self, dag: &RoomDag, request: &PlannedRequest, outcome: Outcome) {
        let s = request.server_index;
        if s >= self.knowledge.servers.len() {
            return;
        }
        self.round_trips += 1;
        self.knowledge.servers[s].round_trips += 1;
        let (received, new) = match outcome {
            Outcome::Answered {
                received,
                new,
                lowest_depth,
            } => {
                self.knowledge.record_sent(s, lowest_depth);
                (received, new)
            }
            Outcome::Unrecognized if request.probe == Probe::FromBelow => {
                self.knowledge.servers[s].forwards_fill = Support::Unsupported;
                return;
            }
            Outcome::Unrecognized | Outcome::Failed => {
                // The server backs off; the next server in the list is tried next, as
                // Synapse tries its destinations in turn.
                self.knowledge.server_failed(s, self.now_ms);
                return;
            }
        };
        let history = &mut self.knowledge.servers[s];
        history.failures = 0;
        history.retry_at_ms = 0;
        history.events_received += received as u64;
        if request.probe == Probe::FromBelow {
            history.forwards_fill = Support::Supported;
            return;
        }
        let limit = request.limit();
        let capped = history.learn_cap(request.endpoint(), limit, received as u64);
        let truncated = capped || received as u64 >= limit;
        for &g in &request.gaps {
            if !dag.is_gap(g) {
                continue;
            }
            if !truncated {
                let depth = self.gap_depth.get(&g).copied().unwrap_or(0);
                self.knowledge.record_lack(s, g, depth, request.probe);
            } else if new == 0 {
                // A full answer of held events: the walk did not reach the gap. Ask another
                // server next time; this proves nothing about what the server holds.
                self.knowledge.record_stall(s, g);
            } else {
                continue;
            }
            if self.options.strategy == Strategy::Synapse {
                self.knowledge.point_failed(g, self.now_ms);
            }
        }
    }

    /// When a backoff ends and planning may resume, if within the budget and some gap of
    /// `dag` is still open.
    pub fn next_wakeup(&self, dag: &RoomDag) -> Option<u64> {
        if self.budget_spent() {
            return None;
        }
        let end = self.start_ms.saturating_add(self.options.max_wait_ms);
        let servers = self.knowledge.servers.iter().map(|h| h.retry_at_ms);
        let points = self
            .knowledge
            .points
            .iter()
            .filter(|(&g, _)| dag.is_gap(g) && !self.knowledge.nobody_holds(g))
            .map(|(_, b)| b.retry_at_ms);
        servers
            .chain(points)
            .filter(|&t| t > self.now_ms && t <= end)
            .min()
            .filter(|_| !dag.gaps().is_empty())
    }

    /// The gaps of `dag` still open, closest to the present first, with the reason.
    pub fn open_gaps(&self, dag: &RoomDag) -> Vec<OpenGap> {
        dag.gaps()
            .into_iter()
            .map(|g| OpenGap {
                event: g.event,
                reason: self.reason(g.event),
            })
            .collect()
    }

    /// Why `gap` is open: nobody holds it; or every server that may hold it is backing off;
    /// else the budget ran out while one could still be asked.
    fn reason(&self, gap: NodeIndex) -> OpenReason {
        let k = &self.knowledge;
        if k.nobody_holds(gap) {
            return OpenReason::NoServerHolds;
        }
        let askable = (0..k.servers.len())
            .any(|s| k.server_ready(s, self.now_ms) && !k.lacks(s, gap, Probe::ById));
        if askable || !k.point_ready(gap, self.now_ms) && self.budget_spent() {
            OpenReason::BudgetExhausted
        } else {
            OpenReason::ServersUnavailable
        }
    }

    /// The open gaps as problems, one per gap.
    pub fn open_gap_problems(&self, dag: &RoomDag) -> Vec<Problem> {
        let mut out: Vec<Problem> = self
            .open_gaps(dag)
            .into_iter()
            .map(|o| {
                let why = match o.reason {
                    OpenReason::NoServerHolds => "every server answered without it",
                    OpenReason::ServersUnavailable => {
                        "the servers that may hold it are failing or backing off"
                    }
                    OpenReason::BudgetExhausted => "the request budget ran out first",
                };
                Problem::warning(
                    o.reason.code(),
                    "$",
                    format!(
                        "Gap {} (a prev_events entry not held) stays open: {why}.",
                        dag.event_id(o.event)
                    ),
                )
            })
            .collect();
        if self.knowledge.servers.is_empty() {
            out.push(Problem::error(
                codes::NO_SERVERS,
                "$",
                "The planner has no server to ask, so no gap can be filled.",
            ));
        }
        out
    }
}
