//! `SuperPermissionedDisputeGame` 1.1.0 (game type 5): no moves, no bonds, no VM; it resolves
//! `DEFENDER_WINS` at creation and a wrong proposal is removed only by the Guardian's blacklist before the
//! finality delay ends (`super-roots.md` §4.2).

use alloy_primitives::{Address, B256, U256};

use crate::errors::{GameError, GameResult};
use crate::game::SuperGameInit;
use crate::types::{AnchorStateRegistry, GameStatus, GameType};

/// One `SuperPermissionedDisputeGame` with its view of the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuperPermissionedDisputeGame {
    /// The AnchorStateRegistry as seen by this game (guardian flags can be set directly).
    pub registry: AnchorStateRegistry,
    proposer: Address,
    creator: Address,
    root_claim: B256,
    extra_data: Vec<u8>,
    l2_sequence_number: u64,
    starting: (B256, u64),
    l1_head: B256,
    created_at: u64,
    resolved_at: u64,
    status: GameStatus,
    was_respected_game_type_when_created: bool,
    now: u64,
}

impl SuperPermissionedDisputeGame {
    /// `create` + `initialize` from `tx_origin`; the game args name `proposer`. Checks, in order:
    /// `msg.value == 0`, the extra data length, `keccak(extraData) == rootClaim`, `tx.origin == proposer`,
    /// timestamp > anchor timestamp. The game is resolved `DEFENDER_WINS` at once.
    pub fn create(
        registry: AnchorStateRegistry,
        proposer: Address,
        tx_origin: Address,
        init: SuperGameInit,
    ) -> GameResult<Self> {
        if !init.value.is_zero() {
            return Err(GameError::IncorrectBondAmount);
        }
        let seq = crate::game::super_game::check_super_extra_data(&init.extra_data, init.root_claim, false)?;
        if tx_origin != proposer {
            return Err(GameError::BadAuth);
        }
        if seq <= registry.anchor_block {
            return Err(GameError::UnexpectedRootClaim(init.root_claim));
        }
        Ok(Self {
            was_respected_game_type_when_created: registry.respected_game_type == GameType::SUPER_PERMISSIONED,
            starting: (registry.anchor_root, registry.anchor_block),
            registry,
            proposer,
            creator: init.creator,
            root_claim: init.root_claim,
            extra_data: init.extra_data,
            l2_sequence_number: seq,
            l1_head: init.l1_head,
            created_at: init.now,
            resolved_at: init.now,
            status: GameStatus::DefenderWins,
            now: init.now,
        })
    }

    /// `gameType()`.
    pub const fn game_type(&self) -> GameType {
        GameType::SUPER_PERMISSIONED
    }

    /// `status()`: `DEFENDER_WINS` from creation on.
    pub const fn status(&self) -> GameStatus {
        self.status
    }

    /// `rootClaim()`.
    pub const fn root_claim(&self) -> B256 {
        self.root_claim
    }

    /// `gameCreator()`.
    pub const fn creator(&self) -> Address {
        self.creator
    }

    /// The proposer named in the game args.
    pub const fn proposer(&self) -> Address {
        self.proposer
    }

    /// `extraData()`: the super root encoding.
    pub fn extra_data(&self) -> &[u8] {
        &self.extra_data
    }

    /// `l2SequenceNumber()`: the super root's timestamp.
    pub const fn l2_sequence_number(&self) -> u64 {
        self.l2_sequence_number
    }

    /// The anchor `(root, timestamp)` at creation.
    pub const fn starting(&self) -> (B256, u64) {
        self.starting
    }

    /// `l1Head()`.
    pub const fn l1_head(&self) -> B256 {
        self.l1_head
    }

    /// `createdAt()` (= `resolvedAt()`).
    pub const fn created_at(&self) -> u64 {
        self.created_at
    }

    /// `resolvedAt()`.
    pub const fn resolved_at(&self) -> u64 {
        self.resolved_at
    }

    /// `rootClaimByChainId(chainId)`.
    pub fn root_claim_by_chain_id(&self, chain_id: U256) -> GameResult<B256> {
        crate::game::super_game::output_root_by_chain_id(&self.extra_data, chain_id)
    }

    /// Current model time.
    pub const fn now(&self) -> u64 {
        self.now
    }

    /// Advances model time by `secs`.
    pub fn advance(&mut self, secs: u64) {
        self.now = self.now.saturating_add(secs);
    }

    /// ASR `isGameProper`.
    pub fn is_game_proper(&self) -> bool {
        let r = &self.registry;
        r.registered && !r.blacklisted && self.created_at > r.retirement_timestamp && !r.paused
    }

    /// ASR `isGameFinalized`: resolved more than the finality delay ago.
    pub fn is_game_finalized(&self) -> bool {
        self.now - self.resolved_at > self.registry.finality_delay
    }

    /// ASR `isGameClaimValid`: proper, respected when created, finalized, DEFENDER_WINS.
    pub fn is_game_claim_valid(&self) -> bool {
        self.is_game_proper() && self.was_respected_game_type_when_created && self.is_game_finalized()
    }

    /// "Closing" the game: `ASR.setAnchorState(game)` once the claim is valid and newer than the anchor.
    /// Returns whether the anchor moved.
    pub fn update_anchor(&mut self) -> bool {
        if self.is_game_claim_valid() && self.registry.anchor_block < self.l2_sequence_number {
            self.registry.anchor_root = self.root_claim;
            self.registry.anchor_block = self.l2_sequence_number;
            return true;
        }
        false
    }
}
