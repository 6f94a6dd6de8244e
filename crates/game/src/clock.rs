//! Chess clocks: `Clock = (uint64 duration << 64) | uint64 timestamp` (`dispute-game.md` §2.5).

/// A claim's clock: its team's accumulated time when it was made, and the time of the move.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Clock {
    /// Seconds used by the claim's team so far.
    pub duration: u64,
    /// Timestamp (seconds) of the move.
    pub timestamp: u64,
}

impl Clock {
    /// Builds a clock from its parts.
    pub const fn new(duration: u64, timestamp: u64) -> Self {
        Self { duration, timestamp }
    }

    /// The packed `uint128` form stored on chain.
    pub const fn raw(self) -> u128 {
        ((self.duration as u128) << 64) | self.timestamp as u128
    }

    /// Unpacks the `uint128` form.
    pub const fn from_raw(raw: u128) -> Self {
        Self { duration: (raw >> 64) as u64, timestamp: raw as u64 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_vector() {
        // vectors.md §3.3: duration 3600 s, timestamp 1 700 000 000.
        let c = Clock::new(3600, 1_700_000_000);
        assert_eq!(c.raw(), 0x0000000000000e10000000006553f100);
        assert_eq!(Clock::from_raw(c.raw()), c);
    }
}
