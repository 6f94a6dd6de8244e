//! The top-half trace of a super game: 128 states per L2 second (`super-roots.md` §2.4).
//!
//! Trace index `i` (the right-most leaf index of a position at the split depth) commits to the state after
//! `i + 1` steps from the anchor super root at `prestateTs`: with `j = i + 1`, timestamp
//! `prestateTs + j / 128` and step `j % 128`. Step 0 is a super root, steps 1..=127 are transition states.
//! Once the timestamp reaches the proposal's (`poststateTs`), every later index maps to the proposal's
//! super root (trace extension). Trace index `−1` (the absolute prestate) is the anchor super root.

/// States per L2 second: the super root and transition-state steps 1..=127.
pub const STEPS_PER_TIMESTAMP: u64 = 128;

/// What a top-half trace index commits to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SuperTracePoint {
    /// Timestamp `T` of the super root the state starts from.
    pub timestamp: u64,
    /// Step within `T`: 0 is the super root at `T`, 1..=127 a transition state towards `T + 1`.
    pub step: u64,
}

impl SuperTracePoint {
    /// The point trace index `trace_index` commits to in a game from `prestate_ts` (anchor) to
    /// `poststate_ts` (proposal), trace extension applied.
    pub fn at(trace_index: u128, prestate_ts: u64, poststate_ts: u64) -> Self {
        let j = trace_index.saturating_add(1);
        let k = j / u128::from(STEPS_PER_TIMESTAMP);
        let step = (j % u128::from(STEPS_PER_TIMESTAMP)) as u64;
        let t = u128::from(prestate_ts).saturating_add(k);
        if t >= u128::from(poststate_ts) {
            Self { timestamp: poststate_ts, step: 0 }
        } else {
            Self { timestamp: t as u64, step }
        }
    }

    /// Whether the claim is a super root (step 0) rather than a transition-state hash.
    pub const fn is_super_root(self) -> bool {
        self.step == 0
    }

    /// The trace index whose state this point is, counted from `prestate_ts` (without trace extension):
    /// `128·(T − prestateTs) + step − 1`. `None` for the anchor itself (index −1), a point before the anchor
    /// or a step past 127.
    pub fn trace_index(self, prestate_ts: u64) -> Option<u128> {
        if self.timestamp < prestate_ts || self.step >= STEPS_PER_TIMESTAMP {
            return None;
        }
        let k = u128::from(self.timestamp - prestate_ts);
        (k * u128::from(STEPS_PER_TIMESTAMP) + u128::from(self.step)).checked_sub(1)
    }
}

/// Seconds a top half of `split_depth` can span: `2^split_depth / 128` (2^23 s ≈ 97.09 days for depth 30).
/// Beyond that the root's trace index maps to `prestateTs + span` instead of the proposal's timestamp.
pub const fn max_span_seconds(split_depth: u8) -> u128 {
    (1u128 << split_depth) / STEPS_PER_TIMESTAMP as u128
}
