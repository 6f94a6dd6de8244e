//! `SuperFaultDisputeGame` 0.8.0 (game types 9, 4, 7): the FaultDisputeGame keyed by timestamp, whose root
//! claim is a super root (`super-roots.md` §4.1). Everything not listed here is the output-root game's:
//!
//! * `extraData` is the super root encoding, `rootClaim = keccak256(extraData)` (never `keccak("invalid")`),
//!   `l2SequenceNumber` is its timestamp and must exceed the anchor's; the implementation's `l2ChainId` is 0;
//! * local key 4 holds the **game's** timestamp for every sub-game, key 5 does not exist;
//! * there is no `challengeRootL2Block`;
//! * the anchor is `(super root hash, timestamp)`.

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_protocol::{INVALID_TRANSITION_HASH, SUPER_ROOT_VERSION};

use super::{FaultDisputeGame, GameInit};
use crate::errors::{GameError, GameResult};
use crate::stepper::BigStepper;
use crate::types::{AnchorStateRegistry, GameConfig, GameType};

use std::sync::Arc;

/// What the factory's `create` receives for a new super game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuperGameInit {
    /// `msg.sender` of `create` (and `tx.origin`).
    pub creator: Address,
    /// The proposed super root hash.
    pub root_claim: B256,
    /// `extraData`: the super root encoding.
    pub extra_data: Vec<u8>,
    /// `blockhash(block.number − 1)` at creation.
    pub l1_head: B256,
    /// `msg.value`.
    pub value: U256,
    /// Block timestamp of the creation.
    pub now: u64,
}

/// The `extraData` checks shared by both super games, in the contracts' order: the length
/// (`BadExtraData`), the version byte (the `Encoding` library) and `keccak256(extraData) == rootClaim`.
/// Returns the super root's timestamp (`l2SequenceNumber`, the u64 at `extraData[1..9]`).
pub(crate) fn check_super_extra_data(extra_data: &[u8], root_claim: B256, invalid_check: bool) -> GameResult<u64> {
    let e = extra_data.len();
    if e <= 9 || !(e - 9).is_multiple_of(64) {
        return Err(GameError::BadExtraData);
    }
    if invalid_check && root_claim == INVALID_TRANSITION_HASH {
        return Err(GameError::InvalidRootClaim);
    }
    if extra_data[0] != SUPER_ROOT_VERSION {
        return Err(GameError::InvalidSuperRootVersion);
    }
    if keccak256(extra_data) != root_claim {
        return Err(GameError::SuperRootMismatch);
    }
    let mut ts = [0u8; 8];
    ts.copy_from_slice(&extra_data[1..9]);
    Ok(u64::from_be_bytes(ts))
}

/// `rootClaimByChainId`: the first entry of a super root encoding whose uint256 chain id is `chain_id`.
pub(crate) fn output_root_by_chain_id(extra_data: &[u8], chain_id: U256) -> GameResult<B256> {
    extra_data
        .get(9..)
        .unwrap_or_default()
        .chunks_exact(64)
        .find(|c| U256::from_be_slice(&c[..32]) == chain_id)
        .map(|c| B256::from_slice(&c[32..]))
        .ok_or(GameError::UnknownChainId)
}

/// The factory's game UUID, `keccak256(abi.encode(gameType, rootClaim, extraData))`: one game per
/// (type, super root bytes).
pub fn super_game_uuid(game_type: GameType, root_claim: B256, extra_data: &[u8]) -> B256 {
    let mut b = Vec::with_capacity(128 + extra_data.len().div_ceil(32) * 32);
    b.extend_from_slice(&U256::from(game_type.0).to_be_bytes::<32>());
    b.extend_from_slice(root_claim.as_slice());
    b.extend_from_slice(&U256::from(0x60u8).to_be_bytes::<32>());
    b.extend_from_slice(&U256::from(extra_data.len()).to_be_bytes::<32>());
    b.extend_from_slice(extra_data);
    b.resize(b.len().div_ceil(32) * 32, 0);
    keccak256(b)
}

impl GameConfig {
    /// The standard `SuperFaultDisputeGame` (type 9): FDG-V2 values 73 / 30 / 10 800 s / 302 400 s,
    /// `l2ChainId` 0, init bond 0.08 ETH.
    pub fn super_cannon_kona(absolute_prestate: B256) -> Self {
        let mut c = Self::op_mainnet(GameType::SUPER_CANNON_KONA, absolute_prestate);
        c.l2_chain_id = 0;
        c
    }
}

impl FaultDisputeGame {
    /// `DisputeGameFactory.create` + `SuperFaultDisputeGame.initialize`: the constructor rules, the init
    /// bond, then `initialize`'s checks in order (extra data length, root ≠ `keccak("invalid")`, version,
    /// root = keccak(extraData), anchor root ≠ 0, `l2ChainId == 0`, timestamp > anchor timestamp).
    pub fn create_super(
        cfg: GameConfig,
        vm: Arc<dyn BigStepper + Send + Sync>,
        registry: AnchorStateRegistry,
        init: SuperGameInit,
    ) -> GameResult<Self> {
        cfg.validate()?;
        if init.value != cfg.init_bond {
            return Err(GameError::IncorrectBondAmount);
        }
        let seq = check_super_extra_data(&init.extra_data, init.root_claim, true)?;
        if registry.anchor_root.is_zero() {
            return Err(GameError::AnchorRootNotFound);
        }
        if cfg.l2_chain_id != 0 {
            return Err(GameError::NoChainIdNeeded);
        }
        let mut g = Self::create(
            cfg,
            vm,
            registry,
            GameInit {
                creator: init.creator,
                root_claim: init.root_claim,
                l2_block_number: seq,
                l1_head: init.l1_head,
                value: init.value,
                now: init.now,
            },
        )?;
        g.super_root = Some(init.extra_data);
        Ok(g)
    }

    /// Whether this is a super-root game.
    pub fn is_super_game(&self) -> bool {
        self.super_root.is_some()
    }

    /// `l2SequenceNumber()`: the proposal's timestamp (super games) or L2 block number.
    pub const fn l2_sequence_number(&self) -> u64 {
        self.l2_block_number
    }

    /// `startingSequenceNumber()`: the anchor's timestamp (super games) or block number.
    pub const fn starting_sequence_number(&self) -> u64 {
        self.starting_block
    }

    /// `startingRootHash()`: the anchor super root (or output root).
    pub const fn starting_root_hash(&self) -> B256 {
        self.starting_root
    }

    /// `extraData()` of a super game: the super root encoding.
    pub fn super_root_bytes(&self) -> Option<&[u8]> {
        self.super_root.as_deref()
    }

    /// `rootClaimByChainId(chainId)`: the proposal's output root of one chain (`UnknownChainId` if absent).
    pub fn root_claim_by_chain_id(&self, chain_id: U256) -> GameResult<B256> {
        let extra = self.super_root.as_deref().ok_or(GameError::NoSuchFunction("rootClaimByChainId"))?;
        output_root_by_chain_id(extra, chain_id)
    }
}
