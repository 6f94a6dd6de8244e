//! The transition state between two super roots and the per-step state change (`super-roots.md` §2.1-§2.3).

use alloc::vec::Vec;

use alloy_primitives::{keccak256, B256};
use alloy_rlp::{Decodable, Encodable, Header};

use super::{ChainOutputRoot, SuperRoot, SUPER_ROOT_VERSION, TRANSITION_STATE_MAX_STEPS, TRANSITION_STATE_VERSION};
use crate::errors::PreStateError;

/// The result of one chain's sub-transition: the block at `T+1` (or the unchanged safe head when the chain
/// has no block at `T+1`) and its output root. RLP `[blockHash, outputRoot]`, always `f842 a0… a0…`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct OptimisticBlock {
    /// Hash of the L2 block.
    pub block_hash: B256,
    /// Its `OutputV0` root.
    pub output_root: B256,
}

impl OptimisticBlock {
    /// RLP payload length (two 32-byte strings).
    const PAYLOAD_LEN: usize = 66;

    /// A block.
    pub const fn new(block_hash: B256, output_root: B256) -> Self {
        Self { block_hash, output_root }
    }
}

impl Encodable for OptimisticBlock {
    fn encode(&self, out: &mut dyn alloy_rlp::BufMut) {
        Header { list: true, payload_length: Self::PAYLOAD_LEN }.encode(out);
        self.block_hash.encode(out);
        self.output_root.encode(out);
    }

    fn length(&self) -> usize {
        Header { list: true, payload_length: Self::PAYLOAD_LEN }.length_with_payload()
    }
}

impl Decodable for OptimisticBlock {
    fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Self> {
        let mut payload = Header::decode_bytes(buf, true)?;
        let block_hash = B256::decode(&mut payload)?;
        let output_root = B256::decode(&mut payload)?;
        if !payload.is_empty() {
            return Err(alloy_rlp::Error::ListLengthMismatch { expected: 2, got: 3 });
        }
        Ok(Self { block_hash, output_root })
    }
}

/// An intermediate state within one timestamp: the super root at `T`, the optimistic blocks at `T+1` of the
/// chains transitioned so far, and the step (1..=127).
///
/// Encoding `0xFF ‖ RLP[ superRootBytes (string), [OptimisticBlock…], step (uint) ]`; the commitment is
/// `keccak256` of the whole encoding, version byte included.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TransitionState {
    /// The agreed super root at `T`.
    pub pre_state: SuperRoot,
    /// One optimistic block per chain transitioned so far, in the super root's chain order.
    pub pending_progress: Vec<OptimisticBlock>,
    /// Steps taken from the super root (1..=127 for a reachable state).
    pub step: u64,
}

impl TransitionState {
    /// A transition state.
    pub const fn new(pre_state: SuperRoot, pending_progress: Vec<OptimisticBlock>, step: u64) -> Self {
        Self { pre_state, pending_progress, step }
    }

    fn pending_payload_len(&self) -> usize {
        self.pending_progress.iter().map(Encodable::length).sum()
    }

    fn rlp_payload_len(&self) -> usize {
        // A super root is at least 9 bytes, so it always takes a string header.
        let sr_len = Header { list: false, payload_length: self.pre_state.encoded_len() }.length_with_payload();
        sr_len
            + Header { list: true, payload_length: self.pending_payload_len() }.length_with_payload()
            + self.step.length()
    }

    /// Encoded length, version byte included.
    pub fn encoded_len(&self) -> usize {
        1 + Header { list: true, payload_length: self.rlp_payload_len() }.length_with_payload()
    }

    /// Appends the encoding to `out`.
    pub fn encode_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.push(TRANSITION_STATE_VERSION);
        Header { list: true, payload_length: self.rlp_payload_len() }.encode(out);
        self.pre_state.encode().as_slice().encode(out);
        Header { list: true, payload_length: self.pending_payload_len() }.encode(out);
        for b in &self.pending_progress {
            b.encode(out);
        }
        self.step.encode(out);
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_to(&mut out);
        out
    }

    /// `keccak256(encode())`.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Decodes exactly `data`: version byte 255, one canonical RLP list of a byte string holding a valid
    /// super root, a list of `[bytes32, bytes32]` lists and a canonical uint64, and nothing after it.
    /// The step is not range-checked here (a step past 127 fails in [`PreState::transition`]).
    pub fn decode(data: &[u8]) -> Result<Self, PreStateError> {
        let (&version, mut rest) = data.split_first().ok_or(PreStateError::Empty)?;
        if version != TRANSITION_STATE_VERSION {
            return Err(PreStateError::InvalidVersion(version));
        }
        let mut payload = Header::decode_bytes(&mut rest, true)?;
        if !rest.is_empty() {
            return Err(PreStateError::TrailingBytes(rest.len()));
        }
        let sr = Header::decode_bytes(&mut payload, false)?;
        let pre_state = SuperRoot::decode(sr)?;
        let mut blocks = Header::decode_bytes(&mut payload, true)?;
        let mut pending_progress = Vec::new();
        while !blocks.is_empty() {
            pending_progress.push(OptimisticBlock::decode(&mut blocks)?);
        }
        let step = u64::decode(&mut payload)?;
        if !payload.is_empty() {
            return Err(PreStateError::TrailingBytes(payload.len()));
        }
        Ok(Self { pre_state, pending_progress, step })
    }
}

/// The agreed (or claimed) state of the interop program: a super root (step 0) or a transition state.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PreState {
    /// A super root at its timestamp.
    SuperRoot(SuperRoot),
    /// An intermediate state within a timestamp.
    TransitionState(TransitionState),
}

impl PreState {
    /// Decodes a pre-state by its first byte: 1 ⇒ super root, 255 ⇒ transition state, else an error.
    pub fn decode(data: &[u8]) -> Result<Self, PreStateError> {
        match data.first() {
            None => Err(PreStateError::Empty),
            Some(&SUPER_ROOT_VERSION) => Ok(Self::SuperRoot(SuperRoot::decode(data)?)),
            Some(&TRANSITION_STATE_VERSION) => Ok(Self::TransitionState(TransitionState::decode(data)?)),
            Some(&v) => Err(PreStateError::InvalidVersion(v)),
        }
    }

    /// The encoding of the variant.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Self::SuperRoot(s) => s.encode(),
            Self::TransitionState(t) => t.encode(),
        }
    }

    /// The commitment (`keccak256` of the encoding).
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// The super root this state starts from (itself for a super root).
    pub const fn super_root(&self) -> &SuperRoot {
        match self {
            Self::SuperRoot(s) => s,
            Self::TransitionState(t) => &t.pre_state,
        }
    }

    /// Timestamp `T` of that super root.
    pub const fn timestamp(&self) -> u64 {
        self.super_root().timestamp
    }

    /// Steps taken from the super root (0 for a super root).
    pub const fn step(&self) -> u64 {
        match self {
            Self::SuperRoot(_) => 0,
            Self::TransitionState(t) => t.step,
        }
    }

    /// The chain whose block the next step derives: entry `step` of the super root, if the step is one of
    /// the first `n` (later steps are padding or the consolidation).
    pub fn active_chain(&self) -> Option<&ChainOutputRoot> {
        let step = usize::try_from(self.step()).ok()?;
        self.super_root().output_roots.get(step)
    }

    /// One step (`super-roots.md` §2.3): a super root takes the first chain's block into a transition state
    /// at step 1; a transition state below step 127 records `block` (if it is a sub-transition of a chain
    /// not yet recorded) and moves one step; at step 127 it becomes the super root at `T+1` with the
    /// pending blocks' output roots under the pre-state's chain ids. A step past 127 is an error.
    pub fn transition(self, block: Option<OptimisticBlock>) -> Result<Self, PreStateError> {
        match self {
            Self::SuperRoot(sr) => Ok(Self::TransitionState(TransitionState::new(sr, block.into_iter().collect(), 1))),
            Self::TransitionState(mut ts) => {
                if ts.step > TRANSITION_STATE_MAX_STEPS {
                    return Err(PreStateError::StepOutOfRange(ts.step));
                }
                if ts.step == TRANSITION_STATE_MAX_STEPS {
                    let roots = ts
                        .pre_state
                        .output_roots
                        .iter()
                        .zip(&ts.pending_progress)
                        .map(|(c, b)| ChainOutputRoot::new(c.chain_id, b.output_root))
                        .collect();
                    let timestamp = ts.pre_state.timestamp.saturating_add(1);
                    return Ok(Self::SuperRoot(SuperRoot { timestamp, output_roots: roots }));
                }
                if let Some(b) = block {
                    if ts.pending_progress.len() < ts.pre_state.output_roots.len() {
                        ts.pending_progress.push(b);
                    }
                }
                ts.step += 1;
                Ok(Self::TransitionState(ts))
            }
        }
    }
}

impl From<SuperRoot> for PreState {
    fn from(s: SuperRoot) -> Self {
        Self::SuperRoot(s)
    }
}

impl From<TransitionState> for PreState {
    fn from(t: TransitionState) -> Self {
        Self::TransitionState(t)
    }
}
