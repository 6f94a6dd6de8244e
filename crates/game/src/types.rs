//! Game types, enums, claim data, configuration and the AnchorStateRegistry model.

use alloy_primitives::{b256, keccak256, Address, B256, U256};

use crate::clock::Clock;
use crate::errors::GameError;
use crate::position::{Position, MAX_POSITION_BITLEN};
pub use rampart_primitives::VmStatus;

/// Alphabet VM absolute prestate: `keccak256(uint256(0x60))` with status byte 3 (vectors.md §3.4).
pub const ALPHABET_ABSOLUTE_PRESTATE: B256 = b256!("03c7ae758795765c6664a5d39bf63841c71ff191e9189522bad8ebff5d4eca98");

/// A dispute game type id (`GameType` in `Types.sol`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GameType(pub u32);

impl GameType {
    /// CANNON (0).
    pub const CANNON: Self = Self(0);
    /// PERMISSIONED_CANNON (1).
    pub const PERMISSIONED_CANNON: Self = Self(1);
    /// SUPER_CANNON (4).
    pub const SUPER_CANNON: Self = Self(4);
    /// SUPER_PERMISSIONED (5): `SuperPermissionedDisputeGame`.
    pub const SUPER_PERMISSIONED: Self = Self(5);
    /// CANNON_KONA (8).
    pub const CANNON_KONA: Self = Self(8);
    /// SUPER_CANNON_KONA (9): `SuperFaultDisputeGame` over `kona-client-int` (Upgrade 20).
    pub const SUPER_CANNON_KONA: Self = Self(9);
    /// FAST (254).
    pub const FAST: Self = Self(254);
    /// ALPHABET (255).
    pub const ALPHABET: Self = Self(255);

    /// `GameTypes.isSuperGame`: types 4, 5, 7, 9 and 10 are keyed by timestamp and claim super roots.
    pub const fn is_super_game(self) -> bool {
        matches!(self.0, 4 | 5 | 7 | 9 | 10)
    }
}

/// `GameStatus`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum GameStatus {
    /// Not resolved yet.
    #[default]
    InProgress = 0,
    /// The root claim was countered.
    ChallengerWins = 1,
    /// The root claim stands.
    DefenderWins = 2,
}

/// `BondDistributionMode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum BondDistributionMode {
    /// `closeGame` has not run.
    #[default]
    Undecided = 0,
    /// Bonds go to the winners of each subgame.
    Normal = 1,
    /// Every depositor gets its deposits back.
    Refund = 2,
}

/// One entry of `claimData`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimData {
    /// Index of the parent claim; `u32::MAX` for the root.
    pub parent_index: u32,
    /// Who countered this claim (step, or subgame resolution); zero if nobody.
    pub countered_by: Address,
    /// Who made the claim.
    pub claimant: Address,
    /// Bond paid (a `uint128` on chain).
    pub bond: U256,
    /// The claimed output root or VM state hash.
    pub claim: B256,
    /// Position in the game tree.
    pub position: Position,
    /// Chess clock at the time of the move.
    pub clock: Clock,
}

impl ClaimData {
    /// Whether this is the root claim.
    pub fn is_root(&self) -> bool {
        self.parent_index == u32::MAX
    }

    /// The parent index, if any.
    pub fn parent(&self) -> Option<usize> {
        (!self.is_root()).then_some(self.parent_index as usize)
    }
}

/// Fixed parameters of a game implementation (constructor immutables plus the oracle's challenge period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameConfig {
    /// Game type id.
    pub game_type: GameType,
    /// `MAX_GAME_DEPTH`.
    pub max_game_depth: u8,
    /// `SPLIT_DEPTH`.
    pub split_depth: u8,
    /// `MAX_CLOCK_DURATION` (seconds per team).
    pub max_clock_duration: u64,
    /// `CLOCK_EXTENSION` (seconds).
    pub clock_extension: u64,
    /// PreimageOracle `challengePeriod` (seconds).
    pub oracle_challenge_period: u64,
    /// `ABSOLUTE_PRESTATE` of the VM.
    pub absolute_prestate: B256,
    /// `L2_CHAIN_ID` (local key 5).
    pub l2_chain_id: u64,
    /// The game's own address (the `caller` that localizes oracle keys).
    pub address: Address,
    /// Factory `initBonds[gameType]`: the bond the creator must pay.
    pub init_bond: U256,
    /// DelayedWETH withdrawal delay (seconds).
    pub weth_delay: u64,
}

impl GameConfig {
    /// OP Mainnet parameters (`dispute-game.md` §1.6) with the given prestate and type.
    pub fn op_mainnet(game_type: GameType, absolute_prestate: B256) -> Self {
        Self {
            game_type,
            max_game_depth: 73,
            split_depth: 30,
            max_clock_duration: 302_400,
            clock_extension: 10_800,
            oracle_challenge_period: 86_400,
            absolute_prestate,
            l2_chain_id: 10,
            address: Address::repeat_byte(0xfd),
            init_bond: U256::from(80_000_000_000_000_000u64),
            weth_delay: 604_800,
        }
    }

    /// A small game of the given shape with mainnet clocks; the init bond is the depth-0 required bond.
    pub fn small(game_type: GameType, absolute_prestate: B256, max_game_depth: u8, split_depth: u8) -> Self {
        let mut c = Self::op_mainnet(game_type, absolute_prestate);
        c.max_game_depth = max_game_depth;
        c.split_depth = split_depth;
        c.init_bond = crate::bond::required_bond(Position::ROOT, max_game_depth).unwrap_or_default();
        c
    }

    /// The constructor's checks.
    pub fn validate(&self) -> Result<(), GameError> {
        if self.max_game_depth > MAX_POSITION_BITLEN - 1 {
            return Err(GameError::MaxDepthTooLarge);
        }
        if self.split_depth.saturating_add(1) >= self.max_game_depth || self.split_depth < 2 {
            return Err(GameError::InvalidSplitDepth);
        }
        if self.clock_extension > u64::MAX / 2 || self.clock_extension * 2 > self.max_clock_duration {
            return Err(GameError::InvalidClockExtension);
        }
        let max_ext = (self.clock_extension * 2).max(self.clock_extension.saturating_add(self.oracle_challenge_period));
        if max_ext > self.max_clock_duration {
            return Err(GameError::InvalidClockExtension);
        }
        Ok(())
    }
}

/// `Types.OutputRootProof` (version 0 output root preimage).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutputRootProof {
    /// Version (zero).
    pub version: B256,
    /// L2 state root.
    pub state_root: B256,
    /// Storage root of the L2ToL1MessagePasser.
    pub message_passer_storage_root: B256,
    /// L2 block hash.
    pub latest_blockhash: B256,
}

impl OutputRootProof {
    /// `Hashing.hashOutputRootProof`: keccak256 of the four words.
    pub fn hash(&self) -> B256 {
        let mut buf = [0u8; 128];
        buf[..32].copy_from_slice(self.version.as_slice());
        buf[32..64].copy_from_slice(self.state_root.as_slice());
        buf[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        buf[96..].copy_from_slice(self.latest_blockhash.as_slice());
        keccak256(buf)
    }
}

/// The AnchorStateRegistry (3.x) as seen by one game: anchor, guardian flags, finality delay.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnchorStateRegistry {
    /// Current anchor output root.
    pub anchor_root: B256,
    /// Current anchor L2 block number.
    pub anchor_block: u64,
    /// Respected game type.
    pub respected_game_type: GameType,
    /// `systemConfig.paused()`.
    pub paused: bool,
    /// Whether this game is blacklisted.
    pub blacklisted: bool,
    /// Whether this game was created by the registered factory.
    pub registered: bool,
    /// Games created at or before this timestamp are retired.
    pub retirement_timestamp: u64,
    /// `DISPUTE_GAME_FINALITY_DELAY_SECONDS`.
    pub finality_delay: u64,
}

impl AnchorStateRegistry {
    /// A registry with the given anchor, mainnet finality delay and no guardian actions.
    pub fn new(anchor_root: B256, anchor_block: u64, respected_game_type: GameType) -> Self {
        Self {
            anchor_root,
            anchor_block,
            respected_game_type,
            paused: false,
            blacklisted: false,
            registered: true,
            retirement_timestamp: 0,
            finality_delay: 302_400,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_prestate() {
        let pre = B256::from(U256::from(0x60u8));
        assert_eq!(B256::from(VmStatus::Unfinished.apply(keccak256(pre).0)), ALPHABET_ABSOLUTE_PRESTATE);
    }

    #[test]
    fn output_root_vectors() {
        // vectors.md §2.3.
        let p = OutputRootProof {
            version: B256::ZERO,
            state_root: B256::repeat_byte(0x11),
            message_passer_storage_root: B256::repeat_byte(0x22),
            latest_blockhash: B256::repeat_byte(0x33),
        };
        assert_eq!(p.hash(), b256!("d50bf2ff34ced71be0d2f0be7c2433c6b39d9c3b16c95daf1ed6f24b7578a3b2"));
        assert_eq!(
            OutputRootProof::default().hash(),
            b256!("012893657d8eb2efad4de0a91bcd0e39ad9837745dec3ea923737ea803fc8e3d")
        );
    }

    #[test]
    fn constructor_rules() {
        let ok = GameConfig::op_mainnet(GameType::CANNON, B256::ZERO);
        assert_eq!(ok.validate(), Ok(()));
        let mut c = ok.clone();
        c.max_game_depth = 126;
        assert_eq!(c.validate(), Err(GameError::MaxDepthTooLarge));
        let mut c = ok.clone();
        c.split_depth = 72;
        assert_eq!(c.validate(), Err(GameError::InvalidSplitDepth));
        c.split_depth = 1;
        assert_eq!(c.validate(), Err(GameError::InvalidSplitDepth));
        let mut c = ok.clone();
        c.oracle_challenge_period = 302_400;
        assert_eq!(c.validate(), Err(GameError::InvalidClockExtension));
    }
}
