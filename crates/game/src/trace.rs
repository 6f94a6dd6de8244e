//! Trace providers: what the honest side believes every position commits to (`dispute-game.md` §7.2).
//!
//! A [`TraceProvider`] answers for one tree of fixed depth (positions relative to that tree). A
//! [`TraceAccessor`] answers for a whole game: [`SplitTraceAccessor`] uses output roots above the split
//! depth and, below it, a bottom provider built for the execution sub-game the reference claim sits in.

use core::fmt;

use alloy_primitives::{B256, U256};

use crate::errors::TraceError;
use crate::game::FaultDisputeGame;
use crate::position::Position;
use crate::stepper::{alphabet_state, alphabet_state_hash};
use crate::types::ClaimData;
use rampart_primitives::{LocalInputs, LocalKey};

/// Preimage a step needs in the oracle first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreimageData {
    /// A local key: load it with `addLocalData(ident, leafIndex, offset)`.
    Local {
        /// Local identifier.
        ident: u64,
        /// Part offset.
        offset: u64,
    },
    /// A global keccak256 preimage: load it with `loadKeccak256PreimagePart`, or through a large preimage
    /// proposal when it is at least `minProposalSizeBytes` long.
    Keccak {
        /// The preimage bytes.
        preimage: Vec<u8>,
        /// Part offset.
        offset: u64,
    },
    /// A global sha256 preimage: `loadSha256PreimagePart`.
    Sha256 {
        /// The preimage bytes.
        preimage: Vec<u8>,
        /// Part offset.
        offset: u64,
    },
    /// A blob field element: `loadBlobPreimagePart(z, y, commitment, proof, offset)`.
    Blob {
        /// Evaluation point.
        z: B256,
        /// The field element (the blob's value at `z`).
        y: B256,
        /// KZG commitment of the blob.
        commitment: [u8; 48],
        /// KZG proof of the evaluation.
        proof: [u8; 48],
        /// Part offset.
        offset: u64,
    },
    /// A precompile result: `loadPrecompilePreimagePart(offset, precompile, requiredGas, input)`.
    Precompile {
        /// Precompile address.
        precompile: alloy_primitives::Address,
        /// Gas the call gets.
        required_gas: u64,
        /// Call input.
        input: Vec<u8>,
        /// Part offset.
        offset: u64,
    },
}

/// What a `step` needs: the pre-state, the proof, and an optional oracle preimage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepData {
    /// Encoded pre-state (`stateData`).
    pub pre_state: Vec<u8>,
    /// Proof bytes.
    pub proof: Vec<u8>,
    /// Preimage the step reads, to upload first.
    pub preimage: Option<PreimageData>,
}

/// A trace over one tree of depth [`TraceProvider::depth`], addressed by positions in that tree.
pub trait TraceProvider {
    /// Depth of the tree this provider covers.
    fn depth(&self) -> u8;
    /// The value committed at `pos`: the state after step `traceIndex(pos)`.
    fn get(&self, pos: Position) -> Result<B256, TraceError>;
    /// Step data for the step at `traceIndex(pos)` (its pre-state is the absolute prestate for index 0).
    fn step_data(&self, pos: Position) -> Result<StepData, TraceError>;
}

/// The honest side's view of a whole game.
pub trait TraceAccessor {
    /// Value at `pos`, for a move or agreement check relative to claim `ref_index`.
    fn get(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<B256, TraceError>;
    /// Step data at `pos` for a step against the leaf `ref_index`.
    fn step_data(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<StepData, TraceError>;
}

/// Output roots by L2 block number (the rollup node's `optimism_outputAtBlock`).
pub trait OutputSource {
    /// The output root at `block`.
    fn output_at(&self, block: u64) -> Result<B256, TraceError>;
}

/// Output-root provider for the top half: trace index `t` ↦ block `min(anchor + t + 1, proposal, safe head)`.
#[derive(Clone, Debug)]
pub struct OutputTraceProvider<O> {
    /// Where outputs come from.
    pub outputs: O,
    /// Anchor (starting) block of the game.
    pub anchor_block: u64,
    /// Proposal block (`l2BlockNumber`).
    pub proposal_block: u64,
    /// Safe head at the game's L1 head: honest claims never go beyond it.
    pub safe_head: u64,
    /// `SPLIT_DEPTH`.
    pub split_depth: u8,
}

impl<O: OutputSource> OutputTraceProvider<O> {
    /// `ClaimedBlockNumber(pos)`: the block a claim at `pos` commits to.
    pub fn claimed_block_number(&self, pos: Position) -> u64 {
        let t = pos.trace_index(self.split_depth);
        ((self.anchor_block as u128).saturating_add(t).saturating_add(1)).min(self.proposal_block as u128) as u64
    }

    /// `HonestBlockNumber(pos)`: the claimed block clamped to the safe head.
    pub fn honest_block_number(&self, pos: Position) -> u64 {
        self.claimed_block_number(pos).min(self.safe_head)
    }
}

impl<O: OutputSource> TraceProvider for OutputTraceProvider<O> {
    fn depth(&self) -> u8 {
        self.split_depth
    }

    fn get(&self, pos: Position) -> Result<B256, TraceError> {
        if pos.depth() > self.split_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.split_depth });
        }
        self.outputs.output_at(self.honest_block_number(pos))
    }

    fn step_data(&self, _pos: Position) -> Result<StepData, TraceError> {
        Err(TraceError::Vm("no steps in the output bisection".into()))
    }
}

/// Inputs of one execution sub-game: the local inputs its program reads (keys 1..=5, no configs) and what a
/// trace provider needs beside them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubgameInputs {
    /// L1 head (key 1), agreed output root (key 2: the pre claim's value, or the anchor root), disputed output
    /// root (key 3: the post claim's value), disputed L2 block number (key 4) and chain id (key 5).
    pub local: LocalInputs,
    /// Block of the agreed output (the anchor block if there is no pre claim).
    pub starting_block: u64,
    /// The local context (uuid) of this sub-game.
    pub local_context: B256,
}

impl SubgameInputs {
    /// The agreed (starting) output root, key 2.
    pub fn starting_output(&self) -> B256 {
        B256::from(self.local.agreed_output_root)
    }

    /// The disputed output root, key 3.
    pub fn disputed_output(&self) -> B256 {
        B256::from(self.local.claimed_output_root)
    }

    /// The disputed L2 block number, key 4.
    pub fn disputed_block(&self) -> u64 {
        self.local.claimed_block_number
    }
}

/// Builds the bottom provider of an execution sub-game from its local inputs (`I`: the output-root game's
/// [`SubgameInputs`], or a super game's `SuperLocalInputs`).
pub trait BottomFactory<I = SubgameInputs> {
    /// A provider of depth `depth` for the sub-game with these inputs.
    fn create(&self, inputs: &I, depth: u8) -> Result<Box<dyn TraceProvider>, TraceError>;
}

/// Which alphabet trace to serve.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlphabetMode {
    /// op-challenger's provider: `S = startingBlock << 4`, value(i) = hash(S+i+1, 0x60+S+i+1).
    Upstream,
    /// The trace the on-chain `AlphabetVM` actually computes: value(i) = hash(S+i, 0x60+S+i) with
    /// `S = (disputedBlock − 1) << 4`.
    VmConsistent,
}

/// The alphabet execution trace (game type 255), `dispute-game.md` §1.7.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlphabetTraceProvider {
    /// `S`: the starting trace index (`block << 4`).
    pub s: U256,
    /// Tree depth.
    pub depth: u8,
    /// Upstream or VM-consistent values.
    pub mode: AlphabetMode,
}

impl AlphabetTraceProvider {
    /// op-challenger's provider for `starting_block`.
    pub fn upstream(starting_block: u64, depth: u8) -> Self {
        Self { s: U256::from(starting_block) << 4, depth, mode: AlphabetMode::Upstream }
    }

    /// The trace the on-chain VM computes for a sub-game disputing `disputed_block`.
    pub fn vm_consistent(disputed_block: u64, depth: u8) -> Self {
        Self { s: U256::from(disputed_block.saturating_sub(1)) << 4, depth, mode: AlphabetMode::VmConsistent }
    }

    /// The alphabet absolute prestate preimage `uint256(0x60)`.
    pub fn absolute_prestate() -> Vec<u8> {
        U256::from(0x60u8).to_be_bytes::<32>().to_vec()
    }

    fn state_after(&self, i: u128) -> (U256, U256) {
        let off = match self.mode {
            AlphabetMode::Upstream => U256::from(i) + U256::from(1u8),
            AlphabetMode::VmConsistent => U256::from(i),
        };
        (self.s + off, U256::from(0x60u8) + self.s + off)
    }

    fn check(&self, pos: Position) -> Result<u128, TraceError> {
        if pos.depth() > self.depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.depth });
        }
        Ok(pos.trace_index(self.depth))
    }
}

impl TraceProvider for AlphabetTraceProvider {
    fn depth(&self) -> u8 {
        self.depth
    }

    fn get(&self, pos: Position) -> Result<B256, TraceError> {
        let (t, c) = self.state_after(self.check(pos)?);
        Ok(alphabet_state_hash(t, c))
    }

    fn step_data(&self, pos: Position) -> Result<StepData, TraceError> {
        let i = self.check(pos)?;
        let local = Some(PreimageData::Local { ident: LocalKey::L2ClaimBlockNumber.index(), offset: 0 });
        if i == 0 {
            return Ok(StepData { pre_state: Self::absolute_prestate(), proof: Vec::new(), preimage: local });
        }
        let (t, c) = self.state_after(i - 1);
        Ok(StepData { pre_state: alphabet_state(t, c), proof: Vec::new(), preimage: local })
    }
}

/// Bottom factory for alphabet games.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AlphabetBottom {
    /// Which alphabet trace to serve.
    pub mode: AlphabetMode,
}

impl BottomFactory for AlphabetBottom {
    fn create(&self, inputs: &SubgameInputs, depth: u8) -> Result<Box<dyn TraceProvider>, TraceError> {
        Ok(Box::new(match self.mode {
            AlphabetMode::Upstream => AlphabetTraceProvider::upstream(inputs.starting_block, depth),
            AlphabetMode::VmConsistent => AlphabetTraceProvider::vm_consistent(inputs.disputed_block(), depth),
        }))
    }
}

/// A VM execution trace: state hashes after each step and step witnesses, for one sub-game.
///
/// Steps past the end of the program repeat the final state (Cannon's exited-state no-op).
pub trait VmTrace {
    /// Hash (with status byte) of the state after executing step `step` (0-based).
    fn state_hash_after(&self, step: u64) -> Result<B256, TraceError>;
    /// Witness of step `step`: its pre-state bytes (the absolute prestate for step 0), proof and preimage.
    fn step_proof(&self, step: u64) -> Result<StepData, TraceError>;
}

/// Creates the VM trace of an execution sub-game from its local inputs (runs the program).
pub trait VmTraceFactory<I = SubgameInputs> {
    /// The trace type produced.
    type Trace: VmTrace + 'static;
    /// Runs the program for these inputs.
    fn trace_for(&self, inputs: &I) -> Result<Self::Trace, TraceError>;
}

/// A [`TraceProvider`] over a [`VmTrace`].
#[derive(Clone, Debug)]
pub struct VmTraceProvider<T> {
    /// The trace.
    pub trace: T,
    /// Tree depth (`MAX − SPLIT − 1`).
    pub depth: u8,
}

impl<T: VmTrace> VmTraceProvider<T> {
    fn index(&self, pos: Position) -> Result<u64, TraceError> {
        if pos.depth() > self.depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.depth });
        }
        u64::try_from(pos.trace_index(self.depth)).map_err(|_| TraceError::Vm("trace index beyond u64".into()))
    }
}

impl<T: VmTrace> TraceProvider for VmTraceProvider<T> {
    fn depth(&self) -> u8 {
        self.depth
    }

    fn get(&self, pos: Position) -> Result<B256, TraceError> {
        self.trace.state_hash_after(self.index(pos)?)
    }

    fn step_data(&self, pos: Position) -> Result<StepData, TraceError> {
        self.trace.step_proof(self.index(pos)?)
    }
}

/// Bottom factory over a [`VmTraceFactory`].
#[derive(Clone, Debug)]
pub struct VmBottom<F>(pub F);

impl<I, F: VmTraceFactory<I>> BottomFactory<I> for VmBottom<F> {
    fn create(&self, inputs: &I, depth: u8) -> Result<Box<dyn TraceProvider>, TraceError> {
        Ok(Box::new(VmTraceProvider { trace: self.0.trace_for(inputs)?, depth }))
    }
}

/// op-challenger's split accessor: outputs at depth ≤ SPLIT, a per-sub-game bottom provider below.
pub struct SplitTraceAccessor<O, B> {
    /// Output-root provider for the top half.
    pub top: OutputTraceProvider<O>,
    /// Builds bottom providers.
    pub bottom: B,
    /// `MAX_GAME_DEPTH`.
    pub max_depth: u8,
    /// Anchor output root.
    pub anchor_root: B256,
    /// L2 chain id.
    pub chain_id: u64,
}

impl<O, B> fmt::Debug for SplitTraceAccessor<O, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SplitTraceAccessor").field("max_depth", &self.max_depth).finish_non_exhaustive()
    }
}

fn ancestor_at_depth(game: &FaultDisputeGame, mut idx: usize, depth: u8) -> Result<usize, TraceError> {
    loop {
        let c = game.claim(idx).map_err(|_| TraceError::AncestorNotFound)?;
        if c.position.depth() == depth {
            return Ok(idx);
        }
        idx = c.parent().ok_or(TraceError::AncestorNotFound)?;
    }
}

fn ancestor_with_trace_index(game: &FaultDisputeGame, mut idx: usize, split: u8, t: u128) -> Result<usize, TraceError> {
    loop {
        let c = game.claim(idx).map_err(|_| TraceError::AncestorNotFound)?;
        if c.position.trace_index(split) == t {
            return Ok(idx);
        }
        idx = c.parent().ok_or(TraceError::AncestorNotFound)?;
    }
}

/// op-challenger's pre/post selection: the (pre, post) top-half claims of the execution sub-game that the
/// reference claim `ref_index` sits in, for a bottom position `pos` (`None` pre: the anchor).
pub(crate) fn split_pre_post(
    game: &FaultDisputeGame,
    ref_index: usize,
    pos: Position,
    split: u8,
    max_depth: u8,
) -> Result<(Option<&ClaimData>, &ClaimData), TraceError> {
    let top_leaf_idx = ancestor_at_depth(game, ref_index, split)?;
    let top_leaf = game.claim(top_leaf_idx).map_err(|_| TraceError::AncestorNotFound)?;
    let leaf_t = top_leaf.position.trace_index(split);
    Ok(if pos.trace_index(max_depth) > top_leaf.position.trace_index(max_depth) {
        let p = ancestor_with_trace_index(game, top_leaf_idx, split, leaf_t + 1)?;
        (Some(top_leaf), game.claim(p).map_err(|_| TraceError::AncestorNotFound)?)
    } else if leaf_t == 0 {
        (None, top_leaf)
    } else {
        let p = ancestor_with_trace_index(game, top_leaf_idx, split, leaf_t - 1)?;
        (Some(game.claim(p).map_err(|_| TraceError::AncestorNotFound)?), top_leaf)
    })
}

/// A bottom-half position relative to its execution sub-tree (depth below `split + 1`, index within it).
pub(crate) fn relative_bottom_position(pos: Position, split: u8) -> Position {
    let rel_depth = pos.depth() - (split + 1);
    let rel_index = pos.index_at_depth() & ((1u128 << rel_depth) - 1);
    Position::new(rel_depth, rel_index)
}

impl<O: OutputSource, B: BottomFactory> SplitTraceAccessor<O, B> {
    /// Builds the accessor for a game whose anchor and proposal are read from `game`.
    pub fn for_game(game: &FaultDisputeGame, outputs: O, bottom: B, safe_head: u64) -> Self {
        let (anchor_root, anchor_block) = game.starting_output();
        Self {
            top: OutputTraceProvider {
                outputs,
                anchor_block,
                proposal_block: game.l2_block_number(),
                safe_head,
                split_depth: game.split_depth(),
            },
            bottom,
            max_depth: game.max_game_depth(),
            anchor_root,
            chain_id: game.config().l2_chain_id,
        }
    }

    fn split(&self) -> u8 {
        self.top.split_depth
    }

    /// op-challenger's pre/post selection for the sub-game of `ref_index` at `pos`, as local inputs.
    pub fn local_inputs(
        &self,
        game: &FaultDisputeGame,
        ref_index: usize,
        pos: Position,
    ) -> Result<SubgameInputs, TraceError> {
        let (pre, post) = split_pre_post(game, ref_index, pos, self.split(), self.max_depth)?;
        let (starting_output, starting_block, starting_pos) = match pre {
            Some(c) => (c.claim, self.top.honest_block_number(c.position), c.position),
            None => (self.anchor_root, self.top.anchor_block, Position::from_gindex(0)),
        };
        Ok(SubgameInputs {
            local: LocalInputs {
                l1_head: game.l1_head().0,
                agreed_output_root: starting_output.0,
                claimed_output_root: post.claim.0,
                claimed_block_number: self.top.claimed_block_number(post.position),
                chain_id: self.chain_id,
                rollup_config: None,
                l1_config: None,
            },
            starting_block,
            local_context: FaultDisputeGame::compute_local_context(
                starting_output,
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
        let split = self.split();
        let inputs = self.local_inputs(game, ref_index, pos)?;
        let bottom_depth = self.max_depth - split - 1;
        let provider = self.bottom.create(&inputs, bottom_depth)?;
        Ok((provider, relative_bottom_position(pos, split)))
    }
}

impl<O: OutputSource, B: BottomFactory> TraceAccessor for SplitTraceAccessor<O, B> {
    fn get(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<B256, TraceError> {
        if pos.depth() <= self.split() {
            return self.top.get(pos);
        }
        if pos.depth() > self.max_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.max_depth });
        }
        let (p, rel) = self.bottom_for(game, ref_index, pos)?;
        p.get(rel)
    }

    fn step_data(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<StepData, TraceError> {
        if pos.depth() <= self.split() || pos.depth() > self.max_depth {
            return Err(TraceError::IndexTooLarge { depth: pos.depth(), max: self.max_depth });
        }
        let (p, rel) = self.bottom_for(game, ref_index, pos)?;
        p.step_data(rel)
    }
}

/// An output source from a closure, handy for tests and demos.
#[derive(Clone)]
pub struct FnOutputs<F>(pub F);

impl<F> fmt::Debug for FnOutputs<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnOutputs")
    }
}

impl<F: Fn(u64) -> B256> OutputSource for FnOutputs<F> {
    fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        Ok((self.0)(block))
    }
}

/// A deterministic fake output root for `block` under `seed` (for alphabet games and tests).
#[cfg(feature = "test-utils")]
pub fn fake_output(seed: u64, block: u64) -> B256 {
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&seed.to_be_bytes());
    b[8..].copy_from_slice(&block.to_be_bytes());
    alloy_primitives::keccak256(b)
}

impl<T: TraceAccessor + ?Sized> TraceAccessor for Box<T> {
    fn get(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<B256, TraceError> {
        (**self).get(game, ref_index, pos)
    }

    fn step_data(&self, game: &FaultDisputeGame, ref_index: usize, pos: Position) -> Result<StepData, TraceError> {
        (**self).step_data(game, ref_index, pos)
    }
}
