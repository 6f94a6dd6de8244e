//! The FaultDisputeGame state machine (current version: `closeGame`, NORMAL/REFUND credits, two-phase
//! `claimCredit`), with every check in the contract's order (`dispute-game.md` §2-§4).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use alloy_primitives::{keccak256, Address, B256, U256};

use crate::bond::required_bond;
use crate::clock::Clock;
use crate::errors::{GameError, GameResult};
use crate::oracle::PreimageOracle;
use crate::position::Position;
use crate::rlp;
use crate::stepper::BigStepper;
use crate::types::{
    AnchorStateRegistry, BondDistributionMode, ClaimData, GameConfig, GameStatus, OutputRootProof, VmStatus,
};
use rampart_primitives::LocalKey;

#[path = "super_game.rs"]
pub(crate) mod super_game;
pub use super_game::{super_game_uuid, SuperGameInit};

/// Root `parentIndex`.
const ROOT_PARENT: u32 = u32::MAX;
/// RLP index of the block number in a block header.
const HEADER_BLOCK_NUMBER_INDEX: usize = 8;

/// What the factory's `create` receives for a new game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameInit {
    /// `msg.sender` of `create` (the proposer).
    pub creator: Address,
    /// The proposed output root.
    pub root_claim: B256,
    /// The proposal's L2 block number (`extraData`).
    pub l2_block_number: u64,
    /// `blockhash(block.number − 1)` at creation.
    pub l1_head: B256,
    /// `msg.value` (must equal the init bond).
    pub value: U256,
    /// Block timestamp of the creation.
    pub now: u64,
}

/// Events the model emits, mirroring the contract's logs plus the calls that leave no log on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GameEvent {
    /// `Move(parentIndex, claim, claimant)`.
    Move {
        /// Parent claim index.
        parent_index: usize,
        /// New claim index.
        claim_index: usize,
        /// Claimed value.
        claim: B256,
        /// Mover.
        claimant: Address,
        /// Whether the move was an attack.
        is_attack: bool,
    },
    /// A successful `step` (no log on chain).
    Step {
        /// The countered leaf.
        claim_index: usize,
        /// Whether it was an attack step.
        is_attack: bool,
        /// Stepper.
        by: Address,
        /// Post-state hash the VM returned.
        vm_post_state: B256,
    },
    /// `addLocalData` (no log on chain).
    LocalData {
        /// Identifier.
        ident: u64,
        /// The execution leaf whose context was used.
        exec_leaf_index: usize,
        /// Oracle key written.
        key: B256,
    },
    /// `challengeRootL2Block` succeeded.
    L2BlockChallenged {
        /// Challenger.
        by: Address,
    },
    /// A subgame finished resolving.
    ClaimResolved {
        /// Subgame root index.
        claim_index: usize,
        /// Who receives its bond.
        recipient: Address,
        /// Whether the claim ended countered.
        countered: bool,
    },
    /// `Resolved(status)`.
    Resolved {
        /// Final status.
        status: GameStatus,
    },
    /// `GameClosed(mode)`.
    GameClosed {
        /// Distribution mode.
        mode: BondDistributionMode,
    },
    /// First `claimCredit`: DelayedWETH unlock.
    CreditUnlocked {
        /// Recipient.
        recipient: Address,
        /// Amount unlocked.
        amount: U256,
    },
    /// Second `claimCredit`: ETH sent.
    CreditPaid {
        /// Recipient.
        recipient: Address,
        /// Amount paid.
        amount: U256,
    },
}

/// `ResolutionCheckpoint` of a subgame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Checkpoint {
    initial_checkpoint_complete: bool,
    subgame_index: usize,
    leftmost_position: u128,
    countered_by: Address,
}

impl Default for Checkpoint {
    fn default() -> Self {
        Self { initial_checkpoint_complete: false, subgame_index: 0, leftmost_position: 0, countered_by: Address::ZERO }
    }
}

/// DelayedWETH sub-account of one recipient in this game.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Withdrawal {
    amount: U256,
    timestamp: u64,
}

/// One FaultDisputeGame with its DelayedWETH sub-accounts, its oracle and its view of the registry.
#[derive(Clone)]
pub struct FaultDisputeGame {
    cfg: GameConfig,
    vm: Arc<dyn BigStepper + Send + Sync>,
    oracle: PreimageOracle,
    /// The AnchorStateRegistry as seen by this game (guardian flags can be set directly).
    pub registry: AnchorStateRegistry,
    now: u64,
    l1_head: B256,
    l2_block_number: u64,
    starting_root: B256,
    starting_block: u64,
    created_at: u64,
    resolved_at: u64,
    status: GameStatus,
    claim_data: Vec<ClaimData>,
    claims: BTreeSet<B256>,
    subgames: Vec<Vec<usize>>,
    resolved_subgames: Vec<bool>,
    checkpoints: Vec<Checkpoint>,
    l2_block_number_challenged: bool,
    l2_block_number_challenger: Address,
    normal_mode_credit: BTreeMap<Address, U256>,
    refund_mode_credit: BTreeMap<Address, U256>,
    has_unlocked_credit: BTreeSet<Address>,
    bond_distribution_mode: BondDistributionMode,
    was_respected_game_type_when_created: bool,
    withdrawals: BTreeMap<Address, Withdrawal>,
    weth_balance: U256,
    deposited: BTreeMap<Address, U256>,
    paid: BTreeMap<Address, U256>,
    events: Vec<GameEvent>,
    /// `extraData` of a super-root game (`SuperFaultDisputeGame`): the super root encoding; `None` for an
    /// output-root game. `l2_block_number` then holds the super root's timestamp (`l2SequenceNumber`).
    super_root: Option<Vec<u8>>,
}

impl fmt::Debug for FaultDisputeGame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FaultDisputeGame")
            .field("cfg", &self.cfg)
            .field("now", &self.now)
            .field("status", &self.status)
            .field("claims", &self.claim_data.len())
            .finish_non_exhaustive()
    }
}

fn add_to(map: &mut BTreeMap<Address, U256>, who: Address, v: U256) {
    let e = map.entry(who).or_default();
    *e += v;
}

impl FaultDisputeGame {
    /// `DisputeGameFactory.create` + `initialize`: checks the constructor rules, the init bond and the
    /// proposal against the registry's anchor, then posts the root claim.
    pub fn create(
        cfg: GameConfig,
        vm: Arc<dyn BigStepper + Send + Sync>,
        registry: AnchorStateRegistry,
        init: GameInit,
    ) -> GameResult<Self> {
        cfg.validate()?;
        if init.value != cfg.init_bond {
            return Err(GameError::IncorrectBondAmount);
        }
        if registry.anchor_root.is_zero() {
            return Err(GameError::AnchorRootNotFound);
        }
        if init.l2_block_number <= registry.anchor_block {
            return Err(GameError::UnexpectedRootClaim(init.root_claim));
        }
        let root = ClaimData {
            parent_index: ROOT_PARENT,
            countered_by: Address::ZERO,
            claimant: init.creator,
            bond: init.value,
            claim: init.root_claim,
            position: Position::ROOT,
            clock: Clock::new(0, init.now),
        };
        let mut oracle = PreimageOracle::new();
        oracle.challenge_period = cfg.oracle_challenge_period;
        let mut g = Self {
            was_respected_game_type_when_created: registry.respected_game_type == cfg.game_type,
            starting_root: registry.anchor_root,
            starting_block: registry.anchor_block,
            cfg,
            vm,
            oracle,
            registry,
            now: init.now,
            l1_head: init.l1_head,
            l2_block_number: init.l2_block_number,
            created_at: init.now,
            resolved_at: 0,
            status: GameStatus::InProgress,
            claim_data: vec![root],
            claims: BTreeSet::new(),
            subgames: vec![Vec::new()],
            resolved_subgames: vec![false],
            checkpoints: vec![Checkpoint::default()],
            l2_block_number_challenged: false,
            l2_block_number_challenger: Address::ZERO,
            normal_mode_credit: BTreeMap::new(),
            refund_mode_credit: BTreeMap::new(),
            has_unlocked_credit: BTreeSet::new(),
            bond_distribution_mode: BondDistributionMode::Undecided,
            withdrawals: BTreeMap::new(),
            weth_balance: U256::ZERO,
            deposited: BTreeMap::new(),
            paid: BTreeMap::new(),
            events: Vec::new(),
            super_root: None,
        };
        g.deposit(init.creator, init.value);
        Ok(g)
    }

    fn deposit(&mut self, who: Address, value: U256) {
        add_to(&mut self.refund_mode_credit, who, value);
        add_to(&mut self.deposited, who, value);
        self.weth_balance += value;
    }

    // ----------------------------------------------------------------------------------------------
    // Time
    // ----------------------------------------------------------------------------------------------

    /// Current block timestamp of the model.
    pub const fn now(&self) -> u64 {
        self.now
    }

    /// Sets the block timestamp; time never goes backwards.
    pub fn warp(&mut self, now: u64) -> GameResult<()> {
        if now < self.now {
            return Err(GameError::TimeWentBackwards { now, current: self.now });
        }
        self.now = now;
        Ok(())
    }

    /// Advances the block timestamp by `secs`.
    pub fn advance(&mut self, secs: u64) {
        self.now = self.now.saturating_add(secs);
    }

    // ----------------------------------------------------------------------------------------------
    // Views
    // ----------------------------------------------------------------------------------------------

    /// The game's fixed parameters.
    pub const fn config(&self) -> &GameConfig {
        &self.cfg
    }

    /// `MAX_GAME_DEPTH`.
    pub const fn max_game_depth(&self) -> u8 {
        self.cfg.max_game_depth
    }

    /// `SPLIT_DEPTH`.
    pub const fn split_depth(&self) -> u8 {
        self.cfg.split_depth
    }

    /// `status()`.
    pub const fn status(&self) -> GameStatus {
        self.status
    }

    /// `rootClaim()`.
    pub fn root_claim(&self) -> B256 {
        self.claim_data[0].claim
    }

    /// `gameCreator()`.
    pub fn creator(&self) -> Address {
        self.claim_data[0].claimant
    }

    /// `l1Head()`.
    pub const fn l1_head(&self) -> B256 {
        self.l1_head
    }

    /// `l2BlockNumber()`.
    pub const fn l2_block_number(&self) -> u64 {
        self.l2_block_number
    }

    /// `startingRootHash()` and `startingBlockNumber()`: the anchor copied at creation.
    pub const fn starting_output(&self) -> (B256, u64) {
        (self.starting_root, self.starting_block)
    }

    /// `createdAt()`.
    pub const fn created_at(&self) -> u64 {
        self.created_at
    }

    /// `resolvedAt()` (0 while unresolved).
    pub const fn resolved_at(&self) -> u64 {
        self.resolved_at
    }

    /// All claims in contract order.
    pub fn claims(&self) -> &[ClaimData] {
        &self.claim_data
    }

    /// `claimData(i)`.
    pub fn claim(&self, index: usize) -> GameResult<&ClaimData> {
        self.claim_data.get(index).ok_or(GameError::InvalidClaimIndex(index))
    }

    /// `claimDataLen()`.
    pub fn claim_data_len(&self) -> usize {
        self.claim_data.len()
    }

    /// Children of a claim, in creation order (`subgames[i]`).
    pub fn subgame(&self, index: usize) -> &[usize] {
        self.subgames.get(index).map(Vec::as_slice).unwrap_or(&[])
    }

    /// `resolvedSubgames(i)`.
    pub fn is_resolved(&self, index: usize) -> bool {
        self.resolved_subgames.get(index).copied().unwrap_or(false)
    }

    /// Whether the root's L2 block number was challenged, and by whom.
    pub fn l2_block_number_challenge(&self) -> Option<Address> {
        self.l2_block_number_challenged.then_some(self.l2_block_number_challenger)
    }

    /// `bondDistributionMode()`.
    pub const fn bond_distribution_mode(&self) -> BondDistributionMode {
        self.bond_distribution_mode
    }

    /// `wasRespectedGameTypeWhenCreated()`.
    pub const fn was_respected_game_type_when_created(&self) -> bool {
        self.was_respected_game_type_when_created
    }

    /// `credit(addr)`: refund credit in REFUND mode, normal credit otherwise.
    pub fn credit(&self, who: Address) -> U256 {
        let m = if self.bond_distribution_mode == BondDistributionMode::Refund {
            &self.refund_mode_credit
        } else {
            &self.normal_mode_credit
        };
        m.get(&who).copied().unwrap_or_default()
    }

    /// `normalModeCredit(addr)`.
    pub fn normal_mode_credit(&self, who: Address) -> U256 {
        self.normal_mode_credit.get(&who).copied().unwrap_or_default()
    }

    /// `refundModeCredit(addr)`.
    pub fn refund_mode_credit(&self, who: Address) -> U256 {
        self.refund_mode_credit.get(&who).copied().unwrap_or_default()
    }

    /// Total ETH `who` has sent to this game (root bond and moves).
    pub fn deposited(&self, who: Address) -> U256 {
        self.deposited.get(&who).copied().unwrap_or_default()
    }

    /// Total ETH this game has paid out to `who`.
    pub fn paid(&self, who: Address) -> U256 {
        self.paid.get(&who).copied().unwrap_or_default()
    }

    /// Every address that deposited or was credited, sorted.
    pub fn participants(&self) -> Vec<Address> {
        let mut s: BTreeSet<Address> = self.deposited.keys().copied().collect();
        s.extend(self.normal_mode_credit.keys().copied());
        s.into_iter().collect()
    }

    /// WETH held for this game (deposits not yet withdrawn).
    pub const fn weth_balance(&self) -> U256 {
        self.weth_balance
    }

    /// The preimage oracle the VM reads.
    pub const fn oracle(&self) -> &PreimageOracle {
        &self.oracle
    }

    /// Mutable oracle access, for global preimage uploads (`loadKeccak256PreimagePart` is permissionless).
    pub fn oracle_mut(&mut self) -> &mut PreimageOracle {
        &mut self.oracle
    }

    /// Events emitted so far.
    pub fn events(&self) -> &[GameEvent] {
        &self.events
    }

    /// `getRequiredBond(position)`.
    pub fn get_required_bond(&self, position: Position) -> GameResult<U256> {
        required_bond(position, self.cfg.max_game_depth)
    }

    /// `getChallengerDuration(i)`: time used by the team that would counter claim `i`, capped at MAX.
    pub fn get_challenger_duration(&self, index: usize) -> GameResult<u64> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        let subject = self.claim(index)?;
        let parent_clock = match subject.parent() {
            Some(p) => self.claim(p)?.clock,
            None => Clock::default(),
        };
        let d = parent_clock.duration.saturating_add(self.now.saturating_sub(subject.clock.timestamp));
        Ok(d.min(self.cfg.max_clock_duration))
    }

    /// The clock extension a new claim at `depth` receives.
    pub fn clock_extension_at(&self, depth: u8) -> u64 {
        if depth == self.cfg.max_game_depth - 1 {
            self.cfg.clock_extension + self.cfg.oracle_challenge_period
        } else if depth == self.cfg.split_depth - 1 {
            self.cfg.clock_extension * 2
        } else {
            self.cfg.clock_extension
        }
    }

    /// `hashClaimPos`: the dedupe key of a claim at `position` under `parent_index`.
    pub fn claim_hash(claim: B256, position: Position, parent_index: usize) -> B256 {
        let mut buf = [0u8; 64];
        buf[..32].copy_from_slice(claim.as_slice());
        let packed: U256 =
            (U256::from(position.gindex()) << 128usize) | (U256::from(parent_index as u128) & U256::from(u128::MAX));
        buf[32..].copy_from_slice(&packed.to_be_bytes::<32>());
        keccak256(buf)
    }

    /// Whether an identical claim (value, position, parent) already exists.
    pub fn is_duplicate(&self, claim: B256, position: Position, parent_index: usize) -> bool {
        self.claims.contains(&Self::claim_hash(claim, position, parent_index))
    }

    // ----------------------------------------------------------------------------------------------
    // Moves
    // ----------------------------------------------------------------------------------------------

    /// `attack(disputed, parentIndex, claim)`.
    pub fn attack(
        &mut self,
        sender: Address,
        value: U256,
        disputed: B256,
        parent_index: usize,
        claim: B256,
    ) -> GameResult<usize> {
        self.make_move(sender, value, disputed, parent_index, claim, true)
    }

    /// `defend(disputed, parentIndex, claim)`.
    pub fn defend(
        &mut self,
        sender: Address,
        value: U256,
        disputed: B256,
        parent_index: usize,
        claim: B256,
    ) -> GameResult<usize> {
        self.make_move(sender, value, disputed, parent_index, claim, false)
    }

    /// `move(disputed, challengeIndex, claim, isAttack)`; returns the new claim's index.
    pub fn make_move(
        &mut self,
        sender: Address,
        value: U256,
        disputed: B256,
        challenge_index: usize,
        claim: B256,
        is_attack: bool,
    ) -> GameResult<usize> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        let parent = self.claim(challenge_index)?.clone();
        if parent.claim != disputed {
            return Err(GameError::InvalidDisputedClaimIndex);
        }
        let next = parent.position.make_move(is_attack);
        let depth = next.depth();
        let split = self.cfg.split_depth;
        if (challenge_index == 0 || depth == split + 2) && !is_attack {
            return Err(GameError::CannotDefendRootClaim);
        }
        if self.l2_block_number_challenged && challenge_index == 0 {
            return Err(GameError::L2BlockNumberChallenged);
        }
        if depth > self.cfg.max_game_depth {
            return Err(GameError::GameDepthExceeded);
        }
        if depth == split + 1 {
            self.verify_exec_bisection_root(claim, challenge_index, parent.position, is_attack)?;
        }
        if self.get_required_bond(next)? != value {
            return Err(GameError::IncorrectBondAmount);
        }
        let mut next_duration = self.get_challenger_duration(challenge_index)?;
        if next_duration == self.cfg.max_clock_duration {
            return Err(GameError::ClockTimeExceeded);
        }
        let ext = self.clock_extension_at(depth);
        if next_duration > self.cfg.max_clock_duration - ext {
            next_duration = self.cfg.max_clock_duration - ext;
        }
        let h = Self::claim_hash(claim, next, challenge_index);
        if self.claims.contains(&h) {
            return Err(GameError::ClaimAlreadyExists);
        }
        self.claims.insert(h);
        let index = self.claim_data.len();
        self.claim_data.push(ClaimData {
            parent_index: challenge_index as u32,
            countered_by: Address::ZERO,
            claimant: sender,
            bond: value,
            claim,
            position: next,
            clock: Clock::new(next_duration, self.now),
        });
        self.subgames[challenge_index].push(index);
        self.subgames.push(Vec::new());
        self.resolved_subgames.push(false);
        self.checkpoints.push(Checkpoint::default());
        self.deposit(sender, value);
        self.events.push(GameEvent::Move {
            parent_index: challenge_index,
            claim_index: index,
            claim,
            claimant: sender,
            is_attack,
        });
        Ok(index)
    }

    /// `_verifyExecBisectionRoot`: the status-byte rule for claims at `SPLIT_DEPTH + 1`.
    fn verify_exec_bisection_root(
        &self,
        root_claim: B256,
        parent_index: usize,
        parent_pos: Position,
        is_attack: bool,
    ) -> GameResult<()> {
        let disputed = self.find_trace_ancestor(parent_pos.move_right(), parent_index, true)?;
        let disputed_depth = self.claim_data[disputed].position.depth();
        let status = root_claim.0[0];
        if is_attack || disputed_depth % 2 == self.cfg.split_depth % 2 {
            if status != VmStatus::Invalid as u8 && status != VmStatus::Panic as u8 {
                return Err(GameError::UnexpectedRootClaim(root_claim));
            }
        } else if status != VmStatus::Valid as u8 {
            return Err(GameError::UnexpectedRootClaim(root_claim));
        }
        Ok(())
    }

    /// `_findTraceAncestor`: walk up from `start` to the claim at the (bounded or global) trace ancestor of `pos`.
    fn find_trace_ancestor(&self, pos: Position, start: usize, global: bool) -> GameResult<usize> {
        let target = if global { pos.trace_ancestor() } else { pos.trace_ancestor_bounded(self.cfg.split_depth)? };
        let mut i = start;
        loop {
            let c = self.claim(i)?;
            if c.position == target {
                return Ok(i);
            }
            // The root's parent index is 0xFFFFFFFF: the contract reverts on the out-of-bounds read.
            i = c.parent_index as usize;
        }
    }

    /// `_findStartingAndDisputedOutputs`: (starting claim, its position, disputed claim, its position)
    /// for the execution sub-game containing claim `start`.
    pub fn find_starting_and_disputed_outputs(&self, start: usize) -> GameResult<(B256, Position, B256, Position)> {
        let split = self.cfg.split_depth;
        let mut idx = start;
        let mut claim = self.claim(idx)?;
        if claim.position.depth() <= split {
            return Err(GameError::ClaimAboveSplit);
        }
        let mut exec_root_idx = idx;
        while claim.position.depth() > split {
            if claim.position.depth() == split + 1 {
                exec_root_idx = idx;
            }
            idx = claim.parent_index as usize;
            claim = self.claim(idx)?;
        }
        let exec_root_pos = self.claim_data[exec_root_idx].position;
        let output_pos = claim.position;
        if exec_root_pos.parent() == output_pos {
            let disputed = (claim.claim, output_pos);
            if output_pos.index_at_depth() == 0 {
                Ok((self.starting_root, Position::from_gindex(0), disputed.0, disputed.1))
            } else {
                let s = self.find_trace_ancestor(Position::from_gindex(output_pos.gindex() - 1), idx, true)?;
                let s = &self.claim_data[s];
                Ok((s.claim, s.position, disputed.0, disputed.1))
            }
        } else {
            let d = self.find_trace_ancestor(output_pos.move_right(), idx, true)?;
            let d = &self.claim_data[d];
            Ok((claim.claim, output_pos, d.claim, d.position))
        }
    }

    /// `_computeLocalContext`.
    pub fn compute_local_context(
        starting: B256,
        starting_pos: Position,
        disputed: B256,
        disputed_pos: Position,
    ) -> B256 {
        let word = |p: Position| U256::from(p.gindex()).to_be_bytes::<32>();
        if starting_pos.gindex() == 0 {
            let mut b = [0u8; 64];
            b[..32].copy_from_slice(disputed.as_slice());
            b[32..].copy_from_slice(&word(disputed_pos));
            keccak256(b)
        } else {
            let mut b = [0u8; 128];
            b[..32].copy_from_slice(starting.as_slice());
            b[32..64].copy_from_slice(&word(starting_pos));
            b[64..96].copy_from_slice(disputed.as_slice());
            b[96..].copy_from_slice(&word(disputed_pos));
            keccak256(b)
        }
    }

    /// `_findLocalContext(claimIndex)`.
    pub fn find_local_context(&self, claim_index: usize) -> GameResult<B256> {
        let (s, sp, d, dp) = self.find_starting_and_disputed_outputs(claim_index)?;
        Ok(Self::compute_local_context(s, sp, d, dp))
    }

    /// The L2 block a disputed output position maps to: `min(anchor + traceIndex(pos, SPLIT) + 1, l2BlockNumber)`.
    pub fn output_block_number(&self, pos: Position) -> u64 {
        let t = pos.trace_index(self.cfg.split_depth);
        let b = (self.starting_block as u128).saturating_add(t).saturating_add(1);
        b.min(self.l2_block_number as u128) as u64
    }

    /// `addLocalData(ident, execLeafIdx, partOffset)`.
    pub fn add_local_data(&mut self, ident: u64, exec_leaf_idx: usize, part_offset: u64) -> GameResult<B256> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        let (starting, sp, disputed, dp) = self.find_starting_and_disputed_outputs(exec_leaf_idx)?;
        let uuid = Self::compute_local_context(starting, sp, disputed, dp);
        let be8 = |n: u64| {
            let mut w = [0u8; 32];
            w[..8].copy_from_slice(&n.to_be_bytes());
            B256::from(w)
        };
        // `LocalPreimageKey`: L1_HEAD_HASH, STARTING_OUTPUT_ROOT, DISPUTED_OUTPUT_ROOT, DISPUTED_L2_BLOCK_NUMBER, CHAIN_ID.
        let (word, size) = match LocalKey::from_index(ident) {
            Some(LocalKey::L1Head) => (self.l1_head, 32),
            Some(LocalKey::L2OutputRoot) => (starting, 32),
            Some(LocalKey::L2Claim) => (disputed, 32),
            // Super games load the game's own timestamp, whatever the disputed position, and have no key 5.
            Some(LocalKey::L2ClaimBlockNumber) if self.super_root.is_some() => (be8(self.l2_block_number), 8),
            Some(LocalKey::L2ClaimBlockNumber) => (be8(self.output_block_number(dp)), 8),
            Some(LocalKey::L2ChainId) if self.super_root.is_none() => (be8(self.cfg.l2_chain_id), 8),
            _ => return Err(GameError::InvalidLocalIdent),
        };
        let key = self.oracle.load_local_data(self.cfg.address, ident, uuid, word, size, part_offset)?;
        self.events.push(GameEvent::LocalData { ident, exec_leaf_index: exec_leaf_idx, key });
        Ok(key)
    }

    /// The (prestate claim, post-state claim index) a step against leaf `claim_index` would use.
    pub fn step_states(&self, claim_index: usize, is_attack: bool) -> GameResult<(B256, usize)> {
        let parent = self.claim(claim_index)?;
        let parent_pos = parent.position;
        let step_pos = parent_pos.make_move(is_attack);
        if step_pos.depth() != self.cfg.max_game_depth + 1 {
            return Err(GameError::InvalidParent);
        }
        let exec_width = 1u128 << (self.cfg.max_game_depth - self.cfg.split_depth);
        if is_attack {
            let pre = if step_pos.index_at_depth() % exec_width == 0 {
                self.cfg.absolute_prestate
            } else {
                let a = self.find_trace_ancestor(
                    Position::from_gindex(parent_pos.gindex() - 1),
                    parent.parent_index as usize,
                    false,
                )?;
                self.claim_data[a].claim
            };
            Ok((pre, claim_index))
        } else {
            let post = self.find_trace_ancestor(parent_pos.move_right(), parent.parent_index as usize, false)?;
            Ok((parent.claim, post))
        }
    }

    /// `step(claimIndex, isAttack, stateData, proof)`: counters a max-depth leaf with one VM step.
    pub fn step(
        &mut self,
        sender: Address,
        claim_index: usize,
        is_attack: bool,
        state_data: &[u8],
        proof: &[u8],
    ) -> GameResult<()> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        let (pre, post_idx) = self.step_states(claim_index, is_attack)?;
        if keccak256(state_data).0[1..] != pre.0[1..] {
            return Err(GameError::InvalidPrestate);
        }
        let uuid = self.find_local_context(claim_index)?;
        let out = self
            .vm
            .step(state_data, proof, uuid, &self.oracle, self.cfg.address)
            .map_err(|e| GameError::VmStep(e.0))?;
        let post = &self.claim_data[post_idx];
        let valid_step = out == post.claim;
        let parent_depth = self.claim_data[claim_index].position.depth();
        let parent_post_agree = (parent_depth - post.position.depth()) & 1 == 0;
        if parent_post_agree == valid_step {
            return Err(GameError::ValidStep);
        }
        if !self.claim_data[claim_index].countered_by.is_zero() {
            return Err(GameError::DuplicateStep);
        }
        self.claim_data[claim_index].countered_by = sender;
        self.events.push(GameEvent::Step { claim_index, is_attack, by: sender, vm_post_state: out });
        Ok(())
    }

    /// `challengeRootL2Block(outputRootProof, headerRLP)`: proves the root claim's block number is wrong.
    pub fn challenge_root_l2_block(
        &mut self,
        sender: Address,
        proof: &OutputRootProof,
        header_rlp: &[u8],
    ) -> GameResult<()> {
        if self.super_root.is_some() {
            return Err(GameError::NoSuchFunction("challengeRootL2Block"));
        }
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        if self.l2_block_number_challenged {
            return Err(GameError::L2BlockNumberChallenged);
        }
        if proof.hash() != self.root_claim() {
            return Err(GameError::InvalidOutputRootProof);
        }
        if keccak256(header_rlp) != proof.latest_blockhash {
            return Err(GameError::InvalidHeaderRlp);
        }
        let raw = rlp::list_bytes_item(header_rlp, HEADER_BLOCK_NUMBER_INDEX)?;
        if raw.len() > 32 {
            return Err(GameError::InvalidHeaderRlp);
        }
        let number = U256::from_be_slice(raw);
        if number == U256::from(self.l2_block_number) {
            return Err(GameError::BlockNumberMatches);
        }
        self.l2_block_number_challenger = sender;
        self.l2_block_number_challenged = true;
        self.events.push(GameEvent::L2BlockChallenged { by: sender });
        Ok(())
    }

    // ----------------------------------------------------------------------------------------------
    // Resolution
    // ----------------------------------------------------------------------------------------------

    fn distribute_bond(&mut self, recipient: Address, index: usize) {
        let bond = self.claim_data[index].bond;
        add_to(&mut self.normal_mode_credit, recipient, bond);
    }

    /// `resolveClaim(claimIndex, numToResolve)`: resolves (part of) a subgame whose clock has expired.
    pub fn resolve_claim(&mut self, claim_index: usize, num_to_resolve: usize) -> GameResult<()> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        let subject = self.claim(claim_index)?.clone();
        if self.get_challenger_duration(claim_index)? < self.cfg.max_clock_duration {
            return Err(GameError::ClockNotExpired);
        }
        if self.resolved_subgames[claim_index] {
            return Err(GameError::ClaimAlreadyResolved);
        }
        let children = self.subgames[claim_index].clone();
        if children.is_empty() && claim_index != 0 {
            let recipient = if subject.countered_by.is_zero() { subject.claimant } else { subject.countered_by };
            self.distribute_bond(recipient, claim_index);
            self.resolved_subgames[claim_index] = true;
            self.events.push(GameEvent::ClaimResolved {
                claim_index,
                recipient,
                countered: !subject.countered_by.is_zero(),
            });
            return Ok(());
        }
        let mut cp = self.checkpoints[claim_index];
        let mut num = num_to_resolve;
        if !cp.initial_checkpoint_complete {
            cp.leftmost_position = u128::MAX;
            cp.initial_checkpoint_complete = true;
            if num == 0 {
                num = children.len();
            }
        }
        let final_cursor = cp.subgame_index.saturating_add(num).min(children.len());
        for &child in &children[cp.subgame_index..final_cursor] {
            if !self.resolved_subgames[child] {
                return Err(GameError::OutOfOrderResolution);
            }
            let c = &self.claim_data[child];
            if c.countered_by.is_zero() && cp.leftmost_position > c.position.gindex() {
                cp.countered_by = c.claimant;
                cp.leftmost_position = c.position.gindex();
            }
        }
        cp.subgame_index = final_cursor;
        self.checkpoints[claim_index] = cp;
        if cp.subgame_index == children.len() {
            self.resolved_subgames[claim_index] = true;
            let (recipient, countered_by) = if claim_index == 0 && self.l2_block_number_challenged {
                (self.l2_block_number_challenger, self.l2_block_number_challenger)
            } else if cp.countered_by.is_zero() {
                (subject.claimant, Address::ZERO)
            } else {
                (cp.countered_by, cp.countered_by)
            };
            self.distribute_bond(recipient, claim_index);
            self.claim_data[claim_index].countered_by = countered_by;
            self.events.push(GameEvent::ClaimResolved { claim_index, recipient, countered: !countered_by.is_zero() });
        }
        Ok(())
    }

    /// `resolve()`: sets the final status once the root subgame is resolved.
    pub fn resolve(&mut self) -> GameResult<GameStatus> {
        if self.status != GameStatus::InProgress {
            return Err(GameError::GameNotInProgress);
        }
        if !self.resolved_subgames[0] {
            return Err(GameError::OutOfOrderResolution);
        }
        self.status = if self.claim_data[0].countered_by.is_zero() {
            GameStatus::DefenderWins
        } else {
            GameStatus::ChallengerWins
        };
        self.resolved_at = self.now;
        self.events.push(GameEvent::Resolved { status: self.status });
        Ok(self.status)
    }

    // ----------------------------------------------------------------------------------------------
    // Registry predicates, closing and credits
    // ----------------------------------------------------------------------------------------------

    /// ASR `isGameProper`: registered, not blacklisted, not retired, not paused.
    pub fn is_game_proper(&self) -> bool {
        let r = &self.registry;
        r.registered && !r.blacklisted && self.created_at > r.retirement_timestamp && !r.paused
    }

    /// ASR `isGameResolved`.
    pub fn is_game_resolved(&self) -> bool {
        self.resolved_at != 0 && self.status != GameStatus::InProgress
    }

    /// ASR `isGameFinalized`: resolved more than the finality delay ago.
    pub fn is_game_finalized(&self) -> bool {
        self.is_game_resolved() && self.now - self.resolved_at > self.registry.finality_delay
    }

    /// ASR `isGameClaimValid`: proper, respected, finalized and DEFENDER_WINS.
    pub fn is_game_claim_valid(&self) -> bool {
        self.is_game_proper()
            && self.was_respected_game_type_when_created
            && self.is_game_finalized()
            && self.status == GameStatus::DefenderWins
    }

    /// `closeGame()`: decides NORMAL or REFUND distribution once the game is finalized.
    pub fn close_game(&mut self) -> GameResult<BondDistributionMode> {
        if self.bond_distribution_mode != BondDistributionMode::Undecided {
            return Ok(self.bond_distribution_mode);
        }
        if self.registry.paused {
            return Err(GameError::GamePaused);
        }
        if self.resolved_at == 0 {
            return Err(GameError::GameNotResolved);
        }
        if !self.is_game_finalized() {
            return Err(GameError::GameNotFinalized);
        }
        // `try ASR.setAnchorState(this)`: failures are swallowed.
        if self.is_game_claim_valid() && self.l2_block_number > self.registry.anchor_block {
            self.registry.anchor_root = self.root_claim();
            self.registry.anchor_block = self.l2_block_number;
        }
        self.bond_distribution_mode =
            if self.is_game_proper() { BondDistributionMode::Normal } else { BondDistributionMode::Refund };
        self.events.push(GameEvent::GameClosed { mode: self.bond_distribution_mode });
        Ok(self.bond_distribution_mode)
    }

    /// `claimCredit(recipient)`: first call closes the game and unlocks the credit in DelayedWETH; a later
    /// call, after the WETH delay, withdraws it. Returns the amount unlocked or paid.
    pub fn claim_credit(&mut self, recipient: Address) -> GameResult<U256> {
        self.close_game()?;
        let credit = match self.bond_distribution_mode {
            BondDistributionMode::Refund => self.refund_mode_credit(recipient),
            _ => self.normal_mode_credit(recipient),
        };
        if !self.has_unlocked_credit.contains(&recipient) {
            self.has_unlocked_credit.insert(recipient);
            let w = self.withdrawals.entry(recipient).or_default();
            w.timestamp = self.now;
            w.amount += credit;
            self.events.push(GameEvent::CreditUnlocked { recipient, amount: credit });
            return Ok(credit);
        }
        if credit.is_zero() {
            return Err(GameError::NoCreditToClaim);
        }
        let w = self.withdrawals.get(&recipient).copied().unwrap_or_default();
        if w.amount < credit {
            return Err(GameError::DelayedWeth("insufficient unlocked withdrawal"));
        }
        if w.timestamp == 0 {
            return Err(GameError::DelayedWeth("withdrawal not unlocked"));
        }
        if w.timestamp.saturating_add(self.cfg.weth_delay) > self.now {
            return Err(GameError::DelayedWeth("withdrawal delay not met"));
        }
        self.refund_mode_credit.insert(recipient, U256::ZERO);
        self.normal_mode_credit.insert(recipient, U256::ZERO);
        if let Some(w) = self.withdrawals.get_mut(&recipient) {
            w.amount -= credit;
        }
        self.weth_balance = self.weth_balance.saturating_sub(credit);
        add_to(&mut self.paid, recipient, credit);
        self.events.push(GameEvent::CreditPaid { recipient, amount: credit });
        Ok(credit)
    }
}
