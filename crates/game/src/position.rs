//! Game-tree positions (generalized indices), as `LibPosition` defines them (`dispute-game.md` §1).

use core::fmt;

use crate::errors::GameError;

/// `LibPosition.MAX_POSITION_BITLEN`: positions never exceed 126 bits.
pub const MAX_POSITION_BITLEN: u8 = 126;

/// A generalized index `2^depth + indexAtDepth` (root = 1), stored as `uint128` on chain.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position(u128);

impl Position {
    /// The root position (gindex 1).
    pub const ROOT: Self = Self(1);

    /// Wraps a raw generalized index.
    pub const fn from_gindex(gindex: u128) -> Self {
        Self(gindex)
    }

    /// Builds the position at `depth` with index `index_at_depth` (`2^depth | index`).
    pub const fn new(depth: u8, index_at_depth: u128) -> Self {
        Self((1u128 << depth) | index_at_depth)
    }

    /// The raw generalized index.
    pub const fn gindex(self) -> u128 {
        self.0
    }

    /// Depth: index of the most significant set bit (0 for gindex 0 or 1).
    pub const fn depth(self) -> u8 {
        if self.0 == 0 {
            return 0;
        }
        (127 - self.0.leading_zeros()) as u8
    }

    /// `gindex − 2^depth`.
    pub const fn index_at_depth(self) -> u128 {
        if self.0 == 0 {
            return 0;
        }
        self.0 - (1u128 << self.depth())
    }

    /// Left child `2g`.
    pub const fn left(self) -> Self {
        Self(self.0 << 1)
    }

    /// Right child `2g + 1`.
    pub const fn right(self) -> Self {
        Self((self.0 << 1) | 1)
    }

    /// Parent `g >> 1`.
    pub const fn parent(self) -> Self {
        Self(self.0 >> 1)
    }

    /// The deepest right-most descendant at `max_depth`: `(g << r) | (2^r − 1)`, `r = max_depth − depth`.
    pub const fn right_index(self, max_depth: u8) -> Self {
        let r = max_depth.saturating_sub(self.depth()) as u32;
        if r == 0 {
            return self;
        }
        Self((self.0 << r) | ((1u128 << r) - 1))
    }

    /// Trace index the claim at this position commits to: `rightIndex(max_depth) − 2^max_depth`.
    pub const fn trace_index(self, max_depth: u8) -> u128 {
        self.right_index(max_depth).index_at_depth()
    }

    /// `move(g, isAttack) = (g | (isAttack ? 0 : 1)) << 1`.
    pub const fn make_move(self, is_attack: bool) -> Self {
        Self((self.0 | if is_attack { 0 } else { 1 }) << 1)
    }

    /// Attack position (left child).
    pub const fn attack(self) -> Self {
        self.make_move(true)
    }

    /// Defend position (left child of the right sibling).
    pub const fn defend(self) -> Self {
        self.make_move(false)
    }

    /// The position one to the right at the same depth (op-challenger's `MoveRight`).
    pub const fn move_right(self) -> Self {
        Self(self.0 + 1)
    }

    /// Highest ancestor committing to the same trace index: drop all trailing 1-bits, 0 → 1.
    pub const fn trace_ancestor(self) -> Self {
        let ones = self.0.trailing_ones();
        let a = if ones >= 128 { 0 } else { self.0 >> ones };
        if a == 0 {
            Self::ROOT
        } else {
            Self(a)
        }
    }

    /// `traceAncestorBounded`: the trace ancestor, kept inside the execution sub-tree below `split_depth`.
    pub fn trace_ancestor_bounded(self, split_depth: u8) -> Result<Self, GameError> {
        if self.depth() <= split_depth {
            return Err(GameError::ClaimAboveSplit);
        }
        let a = self.trace_ancestor();
        if a.depth() <= split_depth {
            Ok(a.right_index(split_depth + 1))
        } else {
            Ok(a)
        }
    }
}

impl fmt::Debug for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Position({})", self.0)
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_max_depth_4() {
        // vectors.md §3.1: gindex, depth, indexAtDepth, traceIndex, attack, defend.
        let rows: [(u128, u8, u128, u128, u128, u128); 16] = [
            (1, 0, 0, 15, 2, 0),
            (2, 1, 0, 7, 4, 6),
            (4, 2, 0, 3, 8, 10),
            (6, 2, 2, 11, 12, 14),
            (8, 3, 0, 1, 16, 18),
            (10, 3, 2, 5, 20, 22),
            (12, 3, 4, 9, 24, 26),
            (14, 3, 6, 13, 28, 30),
            (16, 4, 0, 0, 32, 34),
            (18, 4, 2, 2, 36, 38),
            (20, 4, 4, 4, 40, 42),
            (22, 4, 6, 6, 44, 46),
            (24, 4, 8, 8, 48, 50),
            (26, 4, 10, 10, 52, 54),
            (28, 4, 12, 12, 56, 58),
            (30, 4, 14, 14, 60, 62),
        ];
        for (g, d, i, t, a, def) in rows {
            let p = Position::from_gindex(g);
            assert_eq!(p.depth(), d, "depth of {g}");
            assert_eq!(p.index_at_depth(), i, "index of {g}");
            assert_eq!(p.trace_index(4), t, "trace index of {g}");
            assert_eq!(p.attack().gindex(), a, "attack of {g}");
            if g != 1 {
                assert_eq!(p.defend().gindex(), def, "defend of {g}");
            }
            assert_eq!(Position::new(d, i), p);
        }
    }

    #[test]
    fn trace_ancestors() {
        for (g, a) in [(3, 1), (5, 2), (7, 1), (9, 4), (11, 2), (13, 6), (15, 1), (17, 8), (19, 4), (23, 2), (31, 1)] {
            assert_eq!(Position::from_gindex(g).trace_ancestor().gindex(), a, "traceAncestor({g})");
            // The ancestor commits to the same trace index.
            assert_eq!(Position::from_gindex(g).trace_index(5), Position::from_gindex(a).trace_index(5));
        }
    }

    #[test]
    fn bounded_ancestor_stays_below_split() {
        // SPLIT = 2, MAX = 4: position 15 (depth 3, all ones) has global ancestor 1, bounded → rightIndex(1, 3) = 15.
        assert_eq!(Position::from_gindex(15).trace_ancestor_bounded(2), Ok(Position::from_gindex(15)));
        // 19 = 0b10011 → global ancestor 4 (depth 2 ≤ split) → rightIndex(4, 3) = 9.
        assert_eq!(Position::from_gindex(19).trace_ancestor_bounded(2), Ok(Position::from_gindex(9)));
        assert_eq!(Position::from_gindex(5).trace_ancestor_bounded(2), Err(GameError::ClaimAboveSplit));
    }

    #[test]
    fn op_mainnet_shape() {
        assert_eq!(Position::ROOT.trace_index(73), (1u128 << 73) - 1);
        assert_eq!(Position::ROOT.trace_index(73), 9_444_732_965_739_290_427_391);
        assert_eq!(Position::ROOT.trace_index(30), 1_073_741_823);
        assert_eq!(Position::from_gindex(2).trace_index(30), 536_870_911);
        assert_eq!(Position::new(30, 0).trace_index(30), 0);
        // Step positions land at MAX + 1 = 74 and still fit.
        let leaf = Position::new(73, (1u128 << 73) - 2);
        assert_eq!(leaf.defend().depth(), 74);
    }
}
