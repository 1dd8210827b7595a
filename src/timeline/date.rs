//! Jump to a date: the held event closest to a timestamp, by binary search in the time index.

use super::{Direction, Timeline};
use crate::dag::{NodeIndex, RoomDag};

impl Timeline {
    /// The held timeline event closest to `ts` (ms since the epoch) in direction `dir`, as
    /// the spec's
    /// [`timestamp_to_event`](https://spec.matrix.org/v1.16/server-server-api/#get_matrixfederationv1timestamp_to_eventroomid)
    /// defines it: with `f`, the event with the smallest `origin_server_ts` at or after
    /// `ts`; with `b`, the one with the largest at or before `ts`. Among events with the
    /// same timestamp, the first in the timeline's order going forwards and the last going
    /// backwards (the one met first from `ts`). `None` when no held event lies that way.
    pub fn jump(&self, dag: &RoomDag, ts: i64, dir: Direction) -> Option<NodeIndex> {
        let at = |n: NodeIndex| dag.origin_server_ts(n);
        match dir {
            Direction::Forwards => {
                let i = self.by_time.partition_point(|&n| at(n) < ts);
                self.by_time.get(i).copied()
            }
            Direction::Backwards => {
                let i = self.by_time.partition_point(|&n| at(n) <= ts);
                i.checked_sub(1).map(|i| self.by_time[i])
            }
        }
    }
}
