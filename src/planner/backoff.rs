//! Synapse's backoff for a point that failed to be pulled: 2 hours after the first failed
//! attempt, doubling with each further one, at most 256 hours (Synapse's
//! `BACKFILL_EVENT_EXPONENTIAL_BACKOFF_STEP`, `…_MAXIMUM_DOUBLING_STEPS`). Time here is a
//! simulated clock in milliseconds.

/// One hour in milliseconds.
pub const HOUR_MS: u64 = 3_600_000;

/// Most doublings: 2h · 2^7 = 256h.
const MAX_DOUBLINGS: u32 = 7;

/// The wait after the `attempts`-th consecutive failure (`attempts ≥ 1`): 2h, 4h, … 256h.
pub fn backoff_ms(attempts: u32) -> u64 {
    (2 * HOUR_MS) << attempts.saturating_sub(1).min(MAX_DOUBLINGS)
}

/// Failed attempts of one point (a server or a gap) and when it may be tried again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Consecutive failures.
    pub attempts: u32,
    /// Simulated time before which the point is not tried.
    pub retry_at_ms: u64,
}

impl Backoff {
    /// Records one more failure at `now_ms`.
    pub fn fail(&mut self, now_ms: u64) {
        self.attempts += 1;
        self.retry_at_ms = now_ms.saturating_add(backoff_ms(self.attempts));
    }

    /// Whether the point may be tried at `now_ms`.
    pub fn ready(&self, now_ms: u64) -> bool {
        self.retry_at_ms <= now_ms
    }
}
