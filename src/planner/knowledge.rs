//! What the planner has learned about each server and each gap.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::backoff::Backoff;
use super::plan::Probe;
use crate::dag::NodeIndex;
use crate::federation::{backfill, get_missing_events};

/// Whether a server implements MSC4000 forwards fill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Support {
    /// Not asked yet.
    #[default]
    Unknown,
    /// It answered a forwards fill request.
    Supported,
    /// It answered `404 M_UNRECOGNIZED`: never asked again.
    Unsupported,
}

/// What one server answered before: failures and backoff, forwards fill support, caps seen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ServerHistory {
    /// The server name.
    pub name: String,
    /// Requests sent to it.
    pub round_trips: u64,
    /// Events it sent.
    pub events_received: u64,
    /// Failures in a row; reset by an answer.
    pub failures: u32,
    /// Simulated time (ms) before which it is not asked.
    pub retry_at_ms: u64,
    /// Forwards fill support.
    pub forwards_fill: Support,
    /// `/backfill` cap seen (an answer of exactly a known cap when more was asked).
    pub backfill_cap: Option<u64>,
    /// `/get_missing_events` cap seen.
    pub get_missing_events_cap: Option<u64>,
    /// The lowest depth among the events it sent.
    pub lowest_depth_sent: Option<i64>,
    /// Where its history seems to start: the depth of the highest gap it lacked by ID with
    /// nothing it sent below. Gaps at or below it are asked elsewhere first.
    pub history_floor: Option<i64>,
}

impl ServerHistory {
    /// A server not asked yet.
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            ..Self::default()
        }
    }

    /// The limit to send to `endpoint` when `wanted` is the planner's limit.
    pub fn limit_for(&self, endpoint: &str, wanted: u64) -> u64 {
        let cap = match endpoint {
            "backfill" => self.backfill_cap,
            "get_missing_events" => self.get_missing_events_cap,
            _ => None,
        };
        cap.map_or(wanted, |c| c.min(wanted))
    }

    /// Records a cap when an answer of `received` events to a request with `limit` matches a
    /// real server's cap; returns whether it did.
    pub(crate) fn learn_cap(&mut self, endpoint: &str, limit: u64, received: u64) -> bool {
        let (caps, slot) = match endpoint {
            "backfill" => (backfill::CAPS, &mut self.backfill_cap),
            "get_missing_events" => (get_missing_events::CAPS, &mut self.get_missing_events_cap),
            _ => return false,
        };
        // Synapse's 100 is also Dendrite's; 20 and 50 cap get_missing_events; small peers cap
        // backfill at 20 too.
        let known = caps.iter().any(|&(c, _)| c == received) || received == 20;
        if received < limit && known {
            *slot = Some(received);
            return true;
        }
        false
    }
}

/// Everything learned: per-server histories, per-gap backoff, who lacks what.
#[derive(Clone, Debug, Default)]
pub(crate) struct Knowledge {
    pub servers: Vec<ServerHistory>,
    pub points: HashMap<NodeIndex, Backoff>,
    lacks: HashSet<(u32, NodeIndex, Probe)>,
    stalled: HashSet<(u32, NodeIndex)>,
    pub asked_from_below: HashSet<(u32, NodeIndex)>,
}

impl Knowledge {
    pub fn new(servers: &[String]) -> Self {
        let mut seen = HashSet::new();
        Self {
            servers: servers
                .iter()
                .filter(|s| seen.insert(s.as_str()))
                .map(|s| ServerHistory::new(s))
                .collect(),
            ..Self::default()
        }
    }

    /// Records that `server` answered without `gap` (at `depth`) when reached by `probe`.
    pub fn record_lack(&mut self, server: usize, gap: NodeIndex, depth: i64, probe: Probe) {
        self.lacks.insert((server as u32, gap, probe));
        let h = &mut self.servers[server];
        if probe == Probe::ById && h.lowest_depth_sent.is_none_or(|l| depth < l) {
            h.history_floor = Some(h.history_floor.map_or(depth, |f| f.max(depth)));
        }
    }

    /// Records the lowest depth a server sent; a floor above it was wrong and is dropped.
    pub fn record_sent(&mut self, server: usize, lowest: Option<i64>) {
        let h = &mut self.servers[server];
        if let Some(l) = lowest {
            h.lowest_depth_sent = Some(h.lowest_depth_sent.map_or(l, |x| x.min(l)));
            if h.history_floor.is_some_and(|f| f >= l) {
                h.history_floor = None;
            }
        }
    }

    /// Whether `gap` at `depth` lies at or below where `server`'s history seems to start.
    pub fn below_floor(&self, server: usize, depth: i64) -> bool {
        self.servers[server]
            .history_floor
            .is_some_and(|f| depth <= f)
    }

    /// Records that a full answer of `server` to a request about `gap` held nothing new:
    /// its walk does not reach the gap, so it is not asked about it again.
    pub fn record_stall(&mut self, server: usize, gap: NodeIndex) {
        self.stalled.insert((server as u32, gap));
    }

    /// Whether `server` is not to be asked about `gap` by `probe`: known to lack it that way
    /// (an answer by ID is proof for every probe), or stalled on it.
    pub fn lacks(&self, server: usize, gap: NodeIndex, probe: Probe) -> bool {
        let s = server as u32;
        self.lacks.contains(&(s, gap, Probe::ById))
            || self.lacks.contains(&(s, gap, probe))
            || self.stalled.contains(&(s, gap))
    }

    /// Whether the server may be asked now.
    pub fn server_ready(&self, server: usize, now_ms: u64) -> bool {
        self.servers[server].retry_at_ms <= now_ms
    }

    /// Whether the gap may be asked about now.
    pub fn point_ready(&self, gap: NodeIndex, now_ms: u64) -> bool {
        self.points.get(&gap).is_none_or(|b| b.ready(now_ms))
    }

    /// Servers that may be asked about `gap` by `probe` now, in list order.
    pub fn servers_for(
        &self,
        gap: NodeIndex,
        probe: Probe,
        now_ms: u64,
    ) -> impl Iterator<Item = usize> + '_ {
        (0..self.servers.len())
            .filter(move |&s| self.server_ready(s, now_ms) && !self.lacks(s, gap, probe))
    }

    /// Whether every server is known to lack `gap` (asked by ID).
    pub fn nobody_holds(&self, gap: NodeIndex) -> bool {
        (0..self.servers.len()).all(|s| self.lacks.contains(&(s as u32, gap, Probe::ById)))
    }

    /// Records a failure of `server` at `now_ms`.
    pub fn server_failed(&mut self, server: usize, now_ms: u64) {
        let h = &mut self.servers[server];
        let mut b = Backoff {
            attempts: h.failures,
            retry_at_ms: h.retry_at_ms,
        };
        b.fail(now_ms);
        h.failures = b.attempts;
        h.retry_at_ms = b.retry_at_ms;
    }

    /// Records a failed attempt at `gap`.
    pub fn point_failed(&mut self, gap: NodeIndex, now_ms: u64) {
        self.points.entry(gap).or_default().fail(now_ms);
    }
}
