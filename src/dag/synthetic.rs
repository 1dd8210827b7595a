//! A deterministic synthetic room shape for benchmarks and property tests: `n` events with
//! 1–3 `prev_events` each, forks where several servers send concurrently, and room version
//! 4+-style event IDs (`$` + URL-safe unpadded base64 of a SHA-256 digest). Only the graph
//! is realistic; the events carry no content or signatures (the generator module builds
//! real signed PDUs).

use base64::Engine;
use sha2::{Digest, Sha256};

use super::event::DagEvent;

/// A small xorshift generator: the same sequence on every platform.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (0 is replaced by a fixed constant).
    pub fn new(seed: u64) -> Self {
        Self(if seed == 0 {
            0x9e37_79b9_7f4a_7c15
        } else {
            seed
        })
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// The event ID synthetic event `i` of stream `seed` gets.
pub fn event_id(seed: u64, i: usize) -> String {
    let digest = Sha256::new()
        .chain_update(seed.to_le_bytes())
        .chain_update((i as u64).to_le_bytes())
        .finalize();
    format!(
        "${}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
    )
}

/// `n` events of room `room_id` in creation order (parents before children): a create event,
/// then events with 1–3 `prev_events` (70% one, 20% two, 10% three) chosen among the
/// current forward extremities and the last eight events, which yields forks and merges.
pub fn room(seed: u64, n: usize, room_id: &str) -> Vec<DagEvent> {
    let mut rng = Rng::new(seed);
    let mut ids: Vec<String> = Vec::with_capacity(n);
    let mut depths: Vec<i64> = Vec::with_capacity(n);
    let mut tips: Vec<usize> = Vec::new();
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let wanted = match rng.below(10) {
            0..=6 => 1,
            7 | 8 => 2,
            _ => 3,
        }
        .min(i);
        let mut prevs: Vec<usize> = Vec::with_capacity(wanted);
        while prevs.len() < wanted {
            let pick = if !tips.is_empty() && rng.below(4) != 0 {
                tips[rng.below(tips.len() as u64) as usize]
            } else {
                i - 1 - rng.below(8.min(i as u64)) as usize
            };
            if !prevs.contains(&pick) {
                prevs.push(pick);
            }
        }
        tips.retain(|t| !prevs.contains(t));
        tips.push(i);
        let depth = prevs.iter().map(|&p| depths[p]).max().unwrap_or(0) + 1;
        depths.push(depth);
        ids.push(event_id(seed, i));
        events.push(DagEvent {
            event_id: ids[i].clone(),
            room_id: Some(room_id.to_owned()),
            prev_events: prevs.iter().map(|&p| ids[p].clone()).collect(),
            auth_events: Vec::new(),
            depth,
            origin_server_ts: 1_700_000_000_000 + (i as i64) * 1000 + rng.below(1500) as i64,
            sender: format!("@user{}:server{}", rng.below(5), rng.below(3)),
            event_type: if i == 0 {
                "m.room.create".into()
            } else {
                "m.room.message".into()
            },
            state_key: (i == 0).then(String::new),
            content_fingerprint: i as u64,
        });
    }
    events
}
