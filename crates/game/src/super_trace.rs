//! The honest trace of a super game (`super-roots.md` §2.4, §5): super roots and transition states above
//! the split depth, computed from per-chain output roots and optimistic blocks, and a per-sub-game bottom
//! provider fed with the interop program's local inputs below it.

use std::fmt;

use alloy_primitives::{keccak256, B256};
use rampart_protocol::{
    ChainOutputRoot, OptimisticBlock, SuperRoot, SuperTracePoint, TransitionState, INVALID_TRANSITION,
};

use crate::errors::TraceError;
use crate::game::FaultDisputeGame;
use crate::position::Position;
use crate::trace::{relative_bottom_position, split_pre_post, BottomFactory, StepData, TraceAccessor, TraceProvider};

/// Per-chain data at a timestamp, as the game's L1 head lets one derive it (op-supernode's
/// `superroot_atTimestamp`, or the devnet's recorded chains).
pub trait SuperchainSource {
    /// Chain ids of the dependency set (any order; the provider sorts them ascending).
    fn chain_ids(&self) -> Vec<u64>;
    /// The output root of `chain_id` at its last block with timestamp ≤ `timestamp`; `None` if that block
    /// cannot be derived (safe) from the game's L1 head.
    fn output_root_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<B256>, TraceError>;
    /// The optimistic block of `chain_id` at `timestamp` (the block a sub-transition from `timestamp − 1`
    /// produces, or the unchanged head if the chain has no block at `timestamp`); `None` if it cannot be
    /// derived from the game's L1 head.
    fn optimistic_block_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<OptimisticBlock>, TraceError>;
}

impl<S: SuperchainSource + ?Sized> SuperchainSource for Box<S> {
    fn chain_ids(&self) -> Vec<u64> {
        (**self).chain_ids()
    }
    fn output_root_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<B256>, TraceError> {
        (**self).output_root_at(chain_id, timestamp)
    }
    fn optimistic_block_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<OptimisticBlock>, TraceError> {
        (**self).optimistic_block_at(chain_id, timestamp)
    }
}

/// The state bytes a top-half trace point commits to: a super root, a transition state or `invalid`.
pub trait SuperStates {
    /// The state bytes at `p`.
    fn state_bytes_at(&self, p: SuperTracePoint) -> Result<Vec<u8>, TraceError>;
}

/// The honest states computed from per-chain data (op-challenger's `SuperNodeTraceProvider.GetPreimageBytes`):
/// step 0 is `SR(t)` of the chains' output roots at `t`; step `s ≥ 1` is `TS{SR(t), the first min(s, n)
/// optimistic blocks at t + 1, s}`; either is `invalid` as soon as one datum it needs is not derivable.
#[derive(Clone, Debug)]
pub struct ChainStates<C>(pub C);

impl<C: SuperchainSource> ChainStates<C> {
    /// The super root at `t`, or `None` when a chain's output at `t` is not derivable.
    pub fn super_root_at(&self, t: u64) -> Result<Option<SuperRoot>, TraceError> {
        let mut roots = Vec::new();
        for c in self.0.chain_ids() {
            match self.0.output_root_at(c, t)? {
                Some(r) => roots.push(ChainOutputRoot::new(c, r)),
                None => return Ok(None),
            }
        }
        Ok(Some(SuperRoot::new(t, roots)))
    }
}

impl<C: SuperchainSource> SuperStates for ChainStates<C> {
    fn state_bytes_at(&self, p: SuperTracePoint) -> Result<Vec<u8>, TraceError> {
        let Some(sr) = self.super_root_at(p.timestamp)? else { return Ok(INVALID_TRANSITION.to_vec()) };
        if p.is_super_root() {
            return Ok(sr.encode());
        }
        let n = (p.step as usize).min(sr.len());
        let mut pending = Vec::with_capacity(n);
        for e in &sr.output_roots[..n] {
            match self.0.optimistic_block_at(e.chain_id, p.timestamp.saturating_add(1))? {
                Some(b) => pending.push(b),
                None => return Ok(INVALID_TRANSITION.to_vec()),
            }
        }
        Ok(TransitionState::new(sr, pending, p.step).encode())
    }
}

impl<S: SuperStates + ?Sized> SuperStates for Box<S> {
    fn state_bytes_at(&self, p: SuperTracePoint) -> Result<Vec<u8>, TraceError> {
        (**self).state_bytes_at(p)
    }
}

/// The top-half provider of a super game: trace index ↦ (timestamp, step) (128 per second, trace
/// extension at the proposal) ↦ `keccak256` of the state bytes.
#[derive(Clone, Debug)]
pub struct SuperTraceProvider<S> {
    /// The states ([`ChainStates`] for the honest actor).
    pub states: S,
    /// `startingSequenceNumber()`: the anchor timestamp.
    pub prestate_ts: u64,
    /// `l2SequenceNumber()`: the proposal timestamp.
    pub poststate_ts: u64,
    /// `SPLIT_DEPTH`.
    pub split_depth: u8,
}

impl<S: SuperStates> SuperTraceProvider<S> {
    /// The (timestamp, step) a top-half position commits to.
    pub fn point(&self, pos: Position) -> SuperTracePoint {
        SuperTracePoint::at(pos.trace_index(self.split_depth), self.prestate_ts, self.poststate_ts)
    }

    /// `GetPreimageBytes(pos)`: the state bytes a top-half position commits to.
    pub fn state_bytes(&self, pos: Position) -> Result<Vec<u8>, TraceError> {
        if pos.depth() > self.split_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.split_depth });
        }
        self.states.state_bytes_at(self.point(pos))
    }

    /// The absolute prestate of the top half: the super root at the anchor timestamp (its hash must be
    /// `startingRootHash()`).
    pub fn absolute_prestate_bytes(&self) -> Result<Vec<u8>, TraceError> {
        self.states.state_bytes_at(SuperTracePoint { timestamp: self.prestate_ts, step: 0 })
    }
}

impl<S: SuperStates> TraceProvider for SuperTraceProvider<S> {
    fn depth(&self) -> u8 {
        self.split_depth
    }

    fn get(&self, pos: Position) -> Result<B256, TraceError> {
        Ok(keccak256(self.state_bytes(pos)?))
    }

    fn step_data(&self, _pos: Position) -> Result<StepData, TraceError> {
        Err(TraceError::Vm("no steps in the super-root bisection".into()))
    }
}

/// The interop program's inputs for one execution sub-game of a super game (`super-roots.md` §3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuperLocalInputs {
    /// L1 head (key 1).
    pub l1_head: B256,
    /// The agreed pre-state bytes (super root, transition state or `invalid`); key 2 is their hash and
    /// they are served as its keccak256 preimage.
    pub agreed_pre_state: Vec<u8>,
    /// Key 2 as the contract loads it: the starting claim (the anchor super root for the first sub-game).
    pub starting_claim: B256,
    /// Position of the starting claim (gindex 0 for the anchor).
    pub starting_pos: Position,
    /// Key 3: the disputed claim.
    pub disputed_claim: B256,
    /// Position of the disputed claim.
    pub disputed_pos: Position,
    /// Key 4: the game's timestamp (`l2SequenceNumber`), whatever the disputed position.
    pub claimed_timestamp: u64,
    /// The sub-game's local context.
    pub local_context: B256,
}

/// op-challenger's split accessor for super games: [`SuperTraceProvider`] at depth ≤ SPLIT, a bottom
/// provider per execution sub-game below (`SuperRootSplitAdapter`).
pub struct SuperSplitTraceAccessor<S, B> {
    /// The top-half provider.
    pub top: SuperTraceProvider<S>,
    /// Builds bottom providers from [`SuperLocalInputs`].
    pub bottom: B,
    /// `MAX_GAME_DEPTH`.
    pub max_depth: u8,
    /// The anchor super root hash (`startingRootHash()`).
    pub anchor_root: B256,
}

impl<S, B> fmt::Debug for SuperSplitTraceAccessor<S, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SuperSplitTraceAccessor").field("max_depth", &self.max_depth).finish_non_exhaustive()
    }
}

impl<S: SuperStates, B: BottomFactory<SuperLocalInputs>> SuperSplitTraceAccessor<S, B> {
    /// The accessor for a super game: range (`startingSequenceNumber`, `l2SequenceNumber`) and depths
    /// read from the game.
    pub fn for_game(game: &FaultDisputeGame, states: S, bottom: B) -> Self {
        Self {
            top: SuperTraceProvider {
                states,
                prestate_ts: game.starting_sequence_number(),
                poststate_ts: game.l2_sequence_number(),
                split_depth: game.split_depth(),
            },
            bottom,
            max_depth: game.max_game_depth(),
            anchor_root: game.starting_root_hash(),
        }
    }

    /// op-challenger's prestate validation: the anchor super root from the source hashes to
    /// `startingRootHash()`.
    pub fn prestate_matches(&self) -> Result<bool, TraceError> {
        Ok(keccak256(self.top.absolute_prestate_bytes()?) == self.anchor_root)
    }

    /// The local inputs of the sub-game of `ref_index` at `pos`.
    pub fn local_inputs(
        &self,
        game: &FaultDisputeGame,
        ref_index: usize,
        pos: Position,
    ) -> Result<SuperLocalInputs, TraceError> {
        let (pre, post) = split_pre_post(game, ref_index, pos, self.top.split_depth, self.max_depth)?;
        let (starting_claim, starting_pos, agreed_pre_state) = match pre {
            Some(c) => (c.claim, c.position, self.top.state_bytes(c.position)?),
            None => (self.anchor_root, Position::from_gindex(0), self.top.absolute_prestate_bytes()?),
        };
        Ok(SuperLocalInputs {
            l1_head: game.l1_head(),
            agreed_pre_state,
            starting_claim,
            starting_pos,
            disputed_claim: post.claim,
            disputed_pos: post.position,
            claimed_timestamp: game.l2_sequence_number(),
            local_context: FaultDisputeGame::compute_local_context(
                starting_claim,
                starting_pos,
                post.claim,
                post.position,
            ),
        })
    }

    fn bottom_for(
        &self,
        game: &FaultDisputeGame,
        ref_index: usize,
        pos: Position,
    ) -> Result<(Box<dyn TraceProvider>, Position), TraceError> {
        let split = self.top.split_depth;
        let inputs = self.local_inputs(game, ref_index, pos)?;
        let provider = self.bottom.create(&inputs, self.max_depth - split - 1)?;
        Ok((provider, relative_bottom_position(pos, split)))
    }
}

impl<S: SuperStates, B: BottomFactory<SuperLocalInputs>> TraceAccessor for SuperSplitTraceAccessor<S, B> {
    fn get(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<B256, TraceError> {
        if pos.depth() <= self.top.split_depth {
            return self.top.get(pos);
        }
        if pos.depth() > self.max_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.max_depth });
        }
        let (p, rel) = self.bottom_for(game, ref_index, pos)?;
        p.get(rel)
    }

    fn step_data(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<StepData, TraceError> {
        if pos.depth() <= self.top.split_depth || pos.depth() > self.max_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.max_depth });
        }
        let (p, rel) = self.bottom_for(game, ref_index, pos)?;
        p.step_data(rel)
    }
}
