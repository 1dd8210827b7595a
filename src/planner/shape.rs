//! Rooms for the simulator: the whole room as created, and which part of it the requesting
//! server holds. Two shapes:
//!
//! - [`RoomShape::Uniform`]: [`crate::dag::synthetic::room`] (1–3 `prev_events`, short forks);
//!   the requester holds everything but `gaps` short runs (1–3 events) and one long hole
//!   (5% of the room: the requester was offline).
//! - [`RoomShape::PublicRoom`]: a large public room: many servers sending concurrently (one
//!   branch each, merged now and then), and a requester that joined late: it holds the newest
//!   40% with `gaps` short runs missing, so the bottom of what it holds is a wide front of
//!   backward extremities above the whole missing history.

use crate::dag::synthetic::{event_id, room, Rng};
use crate::dag::DagEvent;

/// The room ID every simulated room uses.
pub const ROOM_ID: &str = "!simulated:mxdag.example";

/// Which room to simulate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RoomShape {
    /// Short forks, small holes and one long one.
    #[default]
    Uniform,
    /// Many concurrent servers, joined late: thousands of backward extremities.
    PublicRoom {
        /// Concurrent branches (servers sending at once).
        width: usize,
    },
}

/// A room and the requester's part of it.
#[derive(Clone, Debug)]
pub struct SimulatedRoom {
    /// Every event, parents before children.
    pub events: Vec<DagEvent>,
    /// Whether the requester holds event `i` at the start.
    pub held: Vec<bool>,
}

/// Builds the room of `shape` with `n` events and about `gaps` short holes.
pub fn build(shape: RoomShape, seed: u64, n: usize, gaps: usize) -> SimulatedRoom {
    let n = n.max(2);
    let mut rng = Rng::new(seed ^ 0x5eed);
    match shape {
        RoomShape::Uniform => {
            let events = room(seed, n, ROOM_ID);
            let mut held = vec![true; n];
            if n >= 200 {
                let start = n / 2 + rng.below(n as u64 / 4) as usize;
                held[start..start + n / 20].fill(false);
            }
            punch(&mut held, 1, &mut rng, gaps);
            SimulatedRoom { events, held }
        }
        RoomShape::PublicRoom { width } => {
            let events = public_room(seed, n, width.max(1));
            let joined = n - n * 2 / 5;
            let mut held = vec![false; n];
            held[joined..].fill(true);
            punch(&mut held, joined, &mut rng, gaps);
            SimulatedRoom { events, held }
        }
    }
}

/// Removes `count` runs of 1–3 events from `held[from..]`, keeping the newest event.
fn punch(held: &mut [bool], from: usize, rng: &mut Rng, count: usize) {
    let n = held.len();
    if n < from + 8 {
        return;
    }
    for _ in 0..count {
        let start = from + rng.below((n - from - 4) as u64) as usize;
        let len = 1 + rng.below(3) as usize;
        held[start..(start + len).min(n - 1)].fill(false);
    }
}

/// `n` events from `width` servers sending concurrently: each event extends one server's
/// branch; one in eight also merges another branch's newest event, one in fifty two more.
pub fn public_room(seed: u64, n: usize, width: usize) -> Vec<DagEvent> {
    let mut rng = Rng::new(seed);
    let mut heads: Vec<Option<usize>> = vec![None; width];
    let mut events: Vec<DagEvent> = Vec::with_capacity(n);
    for i in 0..n {
        let branch = rng.below(width as u64) as usize;
        let mut prevs: Vec<usize> = Vec::new();
        if i > 0 {
            prevs.push(heads[branch].unwrap_or(i - 1));
            let merges = match rng.below(50) {
                0 => 3,
                1..=6 => 1,
                _ => 0,
            };
            for _ in 0..merges {
                let other = heads[rng.below(width as u64) as usize].unwrap_or(i - 1);
                if !prevs.contains(&other) {
                    prevs.push(other);
                }
            }
        }
        heads[branch] = Some(i);
        let depth = prevs.iter().map(|&p| events[p].depth).max().unwrap_or(0) + 1;
        events.push(DagEvent {
            event_id: event_id(seed, i),
            room_id: Some(ROOM_ID.to_owned()),
            prev_events: prevs.iter().map(|&p| events[p].event_id.clone()).collect(),
            auth_events: Vec::new(),
            depth,
            origin_server_ts: 1_700_000_000_000 + i as i64 * 200,
            sender: format!("@user:server{branch}.example"),
            event_type: if i == 0 {
                "m.room.create"
            } else {
                "m.room.message"
            }
            .to_owned(),
            state_key: (i == 0).then(String::new),
            content_fingerprint: i as u64,
        });
    }
    events
}
