//! The honest challenger: op-challenger's solver (`dispute-game.md` §7.3, §7.5), acting only through the
//! game's public functions.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{Address, B256};

use crate::errors::{ChallengerError, GameError, TraceError};
use crate::game::FaultDisputeGame;
use crate::position::Position;
use crate::trace::{PreimageData, StepData, TraceAccessor};
use crate::types::{ClaimData, GameStatus};

/// Why a step waits: its large preimage proposal is still in its challenge period.
pub const LPP_PENDING: &str = "step deferred: the large preimage proposal is in its challenge period";

/// Anyone who plays a game: the honest challenger, a proposer, or an adversary in tests.
pub trait Player {
    /// The address its transactions come from.
    fn address(&self) -> Address;
    /// Looks at the game and sends its moves and steps; returns how many succeeded.
    fn act(&mut self, game: &mut FaultDisputeGame) -> usize;
    /// Sends the resolution transactions it would send now; returns how many succeeded.
    fn resolve(&mut self, _game: &mut FaultDisputeGame) -> usize {
        0
    }
}

/// One transaction the solver wants to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// `attack`/`defend` against `parent_index` with `value` at `position`.
    Move {
        /// Claim being countered.
        parent_index: usize,
        /// Attack (true) or defend.
        is_attack: bool,
        /// Claimed value.
        value: B256,
        /// Position of the new claim.
        position: Position,
    },
    /// `step` against the leaf `leaf_index`.
    Step {
        /// Leaf being countered.
        leaf_index: usize,
        /// Attack (true) or defend step.
        is_attack: bool,
        /// Pre-state, proof and preimage.
        data: StepData,
    },
}

/// Claim identity, as op-challenger's `ClaimID`: position, value and parent, never the sender.
type ClaimId = (u128, B256, u32);

fn id_of(c: &ClaimData) -> ClaimId {
    (c.position.gindex(), c.claim, c.parent_index)
}

/// op-challenger's honest claim tracker.
#[derive(Default)]
struct Tracker {
    honest: BTreeSet<ClaimId>,
    counters: BTreeMap<ClaimId, Position>,
}

/// The honest challenger agent over a [`TraceAccessor`].
pub struct HonestChallenger<A> {
    address: Address,
    accessor: A,
    /// Every action the game rejected (an honest agent should see none).
    pub failures: Vec<(Action, GameError)>,
    /// Trace provider failures.
    pub trace_failures: Vec<TraceError>,
    /// Actions sent successfully.
    pub sent: usize,
}

impl<A> std::fmt::Debug for HonestChallenger<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HonestChallenger")
            .field("address", &self.address)
            .field("sent", &self.sent)
            .field("failures", &self.failures.len())
            .finish_non_exhaustive()
    }
}

impl<A: TraceAccessor> HonestChallenger<A> {
    /// A challenger sending from `address` with its own trace.
    pub fn new(address: Address, accessor: A) -> Self {
        Self { address, accessor, failures: Vec::new(), trace_failures: Vec::new(), sent: 0 }
    }

    /// Its trace accessor.
    pub const fn accessor(&self) -> &A {
        &self.accessor
    }

    /// Whether its trace agrees with the root claim.
    pub fn agrees_with_root(&self, game: &FaultDisputeGame) -> Result<bool, TraceError> {
        Ok(self.accessor.get(game, 0, Position::ROOT)? == game.root_claim())
    }

    fn should_counter(game: &FaultDisputeGame, c: &ClaimData, t: &Tracker) -> bool {
        if t.honest.contains(&id_of(c)) {
            return false;
        }
        let Some(parent) = c.parent().and_then(|p| game.claims().get(p)) else {
            return true;
        };
        if t.honest.contains(&id_of(parent)) {
            return true;
        }
        match t.counters.get(&id_of(parent)) {
            None => false,
            Some(counter) => {
                let max = game.max_game_depth();
                c.position.trace_index(max) <= counter.trace_index(max)
            }
        }
    }

    /// The solver: every move and step it would send against the current claims.
    pub fn calculate_actions(&self, game: &FaultDisputeGame) -> Result<Vec<Action>, TraceError> {
        let claims = game.claims();
        let max = game.max_game_depth();
        let mut t = Tracker::default();
        if self.agrees_with_root(game)? {
            t.honest.insert(id_of(&claims[0]));
        }
        let mut actions = Vec::new();
        for (i, c) in claims.iter().enumerate() {
            if c.position.depth() == max {
                if !c.countered_by.is_zero() || !Self::should_counter(game, c, &t) {
                    continue;
                }
                let agree = self.accessor.get(game, i, c.position)? == c.claim;
                let pos = if agree { c.position.move_right() } else { c.position };
                let data = self.accessor.step_data(game, i, pos)?;
                actions.push(Action::Step { leaf_index: i, is_attack: !agree, data });
                continue;
            }
            if !Self::should_counter(game, c, &t) {
                continue;
            }
            let agree = self.accessor.get(game, i, c.position)? == c.claim;
            if agree && c.is_root() {
                continue;
            }
            let pos = if agree { c.position.defend() } else { c.position.attack() };
            let value = self.accessor.get(game, i, pos)?;
            t.honest.insert((pos.gindex(), value, i as u32));
            t.counters.insert(id_of(c), pos);
            if !game.is_duplicate(value, pos, i) {
                actions.push(Action::Move { parent_index: i, is_attack: !agree, value, position: pos });
            }
        }
        Ok(actions)
    }

    /// Sends one action through the game's public functions.
    pub fn execute(&self, game: &mut FaultDisputeGame, action: &Action) -> Result<(), GameError> {
        match action {
            Action::Move { parent_index, is_attack, value, position } => {
                let bond = game.get_required_bond(*position)?;
                let disputed = game.claim(*parent_index)?.claim;
                game.make_move(self.address, bond, disputed, *parent_index, *value, *is_attack).map(|_| ())
            }
            Action::Step { leaf_index, is_attack, data } => {
                if let Some(p) = &data.preimage {
                    if !self.upload_preimage(game, *leaf_index, p)? {
                        return Err(GameError::Oracle(crate::errors::OracleError::Lpp(LPP_PENDING)));
                    }
                }
                game.step(self.address, *leaf_index, *is_attack, &data.pre_state, &data.proof)
            }
        }
    }

    /// Uploads what a step against `leaf_index` reads, as op-challenger does before stepping: local data with
    /// `addLocalData`, global preimages with their oracle loaders, and keccak256 preimages of at least
    /// `minProposalSizeBytes` through a large preimage proposal (init, leaves in chunks of 300 blocks, finalize,
    /// then squeeze once the challenge period is over). Returns whether the part is in the oracle now (`false`
    /// while a proposal waits out its challenge period).
    pub fn upload_preimage(
        &self,
        game: &mut FaultDisputeGame,
        leaf_index: usize,
        p: &PreimageData,
    ) -> Result<bool, GameError> {
        use crate::oracle::{LPP_BLOCK, LPP_MIN_BOND, LPP_MIN_PROPOSAL_SIZE};
        match p {
            PreimageData::Local { ident, offset } => {
                game.add_local_data(*ident, leaf_index, *offset)?;
            }
            PreimageData::Keccak { preimage, offset } if (preimage.len() as u64) >= LPP_MIN_PROPOSAL_SIZE => {
                let key = B256::from(rampart_primitives::keccak256_preimage_key(preimage));
                if game.oracle_mut().has_part(key, *offset) {
                    return Ok(true);
                }
                let uuid = alloy_primitives::keccak256([key.as_slice(), &offset.to_be_bytes()].concat());
                let now = game.now();
                let oracle = game.oracle_mut();
                if oracle.proposal(self.address, uuid).is_none() {
                    oracle.init_lpp(self.address, uuid, *offset, preimage.len() as u64, LPP_MIN_BOND)?;
                    let chunk = 300 * LPP_BLOCK;
                    let whole = preimage.len() / LPP_BLOCK * LPP_BLOCK;
                    for (i, c) in preimage[..whole].chunks(chunk).enumerate() {
                        oracle.add_leaves_lpp(self.address, uuid, (i * 300) as u64, c, false, now)?;
                    }
                    oracle.add_leaves_lpp(
                        self.address,
                        uuid,
                        (whole / LPP_BLOCK) as u64,
                        &preimage[whole..],
                        true,
                        now,
                    )?;
                }
                return match oracle.squeeze_lpp(self.address, uuid, now) {
                    Ok(_) => Ok(true),
                    Err(crate::errors::OracleError::Lpp(m)) if m.contains("challenge period") => Ok(false),
                    Err(e) => Err(e.into()),
                };
            }
            PreimageData::Keccak { preimage, offset } => {
                game.oracle_mut().load_keccak256_preimage_part(*offset, preimage)?;
            }
            PreimageData::Sha256 { preimage, offset } => {
                game.oracle_mut().load_sha256_preimage_part(*offset, preimage)?;
            }
            PreimageData::Blob { z, y, commitment, proof, offset } => {
                game.oracle_mut().load_blob_preimage_part(*z, *y, commitment, proof, *offset)?;
            }
            PreimageData::Precompile { precompile, required_gas, input, offset } => {
                game.oracle_mut().load_precompile_preimage_part(*offset, *precompile, *required_gas, input)?;
            }
        }
        Ok(true)
    }

    /// One pass of op-challenger's resolution: every expired, unresolved claim bottom-up, then `resolve()`.
    pub fn resolve_pass(&self, game: &mut FaultDisputeGame) -> usize {
        let mut n = 0;
        let max = game.config().max_clock_duration;
        for i in (0..game.claim_data_len()).rev() {
            if !game.is_resolved(i) && game.get_challenger_duration(i) == Ok(max) && game.resolve_claim(i, 0).is_ok() {
                n += 1;
            }
        }
        if game.status() == GameStatus::InProgress && game.is_resolved(0) && game.resolve().is_ok() {
            n += 1;
        }
        n
    }

    /// `claimCredit` for its own address (first call unlocks, a later one withdraws).
    pub fn claim_credit(&self, game: &mut FaultDisputeGame) -> Result<(), ChallengerError> {
        game.claim_credit(self.address)?;
        Ok(())
    }
}

impl<A: TraceAccessor> Player for HonestChallenger<A> {
    fn address(&self) -> Address {
        self.address
    }

    fn act(&mut self, game: &mut FaultDisputeGame) -> usize {
        if game.status() != GameStatus::InProgress {
            return 0;
        }
        let actions = match self.calculate_actions(game) {
            Ok(a) => a,
            Err(e) => {
                self.trace_failures.push(e);
                return 0;
            }
        };
        let mut n = 0;
        for a in actions {
            match self.execute(game, &a) {
                Ok(()) => n += 1,
                // A large preimage proposal waiting out its challenge period: the step follows in a later round.
                Err(GameError::Oracle(crate::errors::OracleError::Lpp(LPP_PENDING))) => n += 1,
                Err(e) => self.failures.push((a, e)),
            }
        }
        self.sent += n;
        n
    }

    fn resolve(&mut self, game: &mut FaultDisputeGame) -> usize {
        self.resolve_pass(game)
    }
}
