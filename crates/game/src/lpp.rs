//! Large preimage proposals: an exact model of the LPP half of `PreimageOracle` 1.0.0 (contracts-bedrock 0.17.3)
//! and the off-chain pieces an honest proposer or challenger computes (leaves, state commitments, the Merkle tree
//! and its proofs).
//!
//! A proposal (`dispute-game.md` §3) streams a keccak256 preimage in 136-byte blocks: `initLPP(uuid, partOffset,
//! claimedSize)` with a bond of at least 0.25 ETH and a size of at least `minProposalSize`, then
//! `addLeavesLPP(uuid, inputStartBlock, input, stateCommitments, finalize)` calls in order, each block hashed into a
//! leaf `keccak256(block ‖ uint256 blockIndex ‖ stateCommitment)` where the proposer *claims* the commitment
//! `keccak256(abi.encode(uint64[25] state))` of the Keccak-f state after absorbing the block; the final call pads
//! (pad10*1) and timestamps. The contract never checks the commitments: anyone may `challengeFirstLPP` (the first
//! leaf's commitment is not the state after absorbing it into the zero state) or `challengeLPP` (a state matrix
//! whose commitment is leaf `i`'s, absorbing leaf `i+1` does not give leaf `i+1`'s commitment) and takes the bond.
//! After `challengePeriod` an unchallenged proposal is squeezed (`squeezeLPP` with the last two leaves) and its
//! part is stored under the keccak256 key of the squeezed digest.
//!
//! [`LppOracle`] keeps the contract's storage (packed `LPPMetaData`, incremental Merkle branches, bonds, parts,
//! block numbers) and reproduces each function's checks in the bytecode's order with the bytecode's revert
//! reasons ([`LppRevert`]), including what it reads from calldata past a short argument (the part of a chunk that
//! ends early, a proof shorter than 16 nodes): calls are taken as the ABI-encoded call structs of [`IPreimageOracle`]
//! so the model reads the same bytes. Facts the model reproduces (and the differential suite checks against the
//! bytecode): re-`initLPP` of an open proposal overwrites its offset, size and bond but keeps its leaves;
//! challenges have no time or state check (a proposal may be challenged again, for a zero payout, or after it was
//! squeezed); `squeezeLPP` of a never-finalized proposal passes the period check once `block.timestamp` exceeds
//! `challengePeriod` (its timestamp is 0).

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::{sol, SolCall};

sol! {
    #![sol(all_derives)]
    /// `LibKeccak.StateMatrix`.
    struct StateMatrix { uint64[25] state; }
    /// `PreimageOracle.Leaf`.
    struct Leaf { bytes input; uint256 index; bytes32 stateCommitment; }
    /// `PreimageOracle.sol` 1.0.0 (the part the model covers).
    interface IPreimageOracle {
        function initLPP(uint256 _uuid, uint32 _partOffset, uint32 _claimedSize) external payable;
        function addLeavesLPP(uint256 _uuid, uint256 _inputStartBlock, bytes _input, bytes32[] _stateCommitments, bool _finalize) external;
        function challengeFirstLPP(address _claimant, uint256 _uuid, Leaf _postState, bytes32[] _postStateProof) external;
        function challengeLPP(address _claimant, uint256 _uuid, StateMatrix _stateMatrix, Leaf _preState, bytes32[] _preStateProof, Leaf _postState, bytes32[] _postStateProof) external;
        function squeezeLPP(address _claimant, uint256 _uuid, StateMatrix _stateMatrix, Leaf _preState, bytes32[] _preStateProof, Leaf _postState, bytes32[] _postStateProof) external;
        function loadKeccak256PreimagePart(uint256 _partOffset, bytes _preimage) external;
        function readPreimage(bytes32 _key, uint256 _offset) external view returns (bytes32 dat_, uint256 datLen_);
        function getTreeRootLPP(address _owner, uint256 _uuid) external view returns (bytes32 treeRoot_);
        function proposalMetadata(address _claimant, uint256 _uuid) external view returns (bytes32 metadata);
        function proposalBonds(address _claimant, uint256 _uuid) external view returns (uint256 bond);
        function proposalParts(address _claimant, uint256 _uuid) external view returns (bytes32 part);
        function proposalBlocksLen(address _claimant, uint256 _uuid) external view returns (uint256 len_);
        function proposalCount() external view returns (uint256 count_);
        function preimageLengths(bytes32 _key) external view returns (uint256 len);
        function preimagePartOk(bytes32 _key, uint256 _offset) external view returns (bool ok);
        function minProposalSize() external view returns (uint256 minProposalSize_);
        function challengePeriod() external view returns (uint256 challengePeriod_);
        function version() external view returns (string version_);
        error ActiveProposal();
        error AlreadyFinalized();
        error BadProposal();
        error BondTransferFailed();
        error InsufficientBond();
        error InvalidInputSize();
        error InvalidPreimage();
        error InvalidProof();
        error NotEOA();
        error NotInitialized();
        error PartOffsetOOB();
        error PostStateMatches();
        error StatesNotContiguous();
        error TreeSizeOverflow();
        error WrongStartingBlock();
    }
}

/// Keccak-f\[1600\] lanes, as `LibKeccak.StateMatrix`.
pub type State = [u64; 25];

/// Keccak rate in bytes: one leaf absorbs one block.
pub const BLOCK: usize = 136;
/// `KECCAK_TREE_DEPTH`.
pub const KECCAK_TREE_DEPTH: usize = 16;
/// `MAX_LEAF_COUNT`: `2^16 − 1` (the incremental tree keeps its rightmost leaf empty).
pub const MAX_LEAF_COUNT: u64 = (1 << KECCAK_TREE_DEPTH) - 1;
/// `MIN_BOND_SIZE`: 0.25 ETH.
pub const MIN_BOND_SIZE: u128 = 250_000_000_000_000_000;
/// Deployed `minProposalSize` (`dispute-game.md` §1.6).
pub const DEPLOYED_MIN_PROPOSAL_SIZE: u64 = 126_000;
/// Deployed `challengePeriod` (`dispute-game.md` §1.6).
pub const DEPLOYED_CHALLENGE_PERIOD: u64 = 86_400;
/// Blocks per `addLeavesLPP` call as op-challenger sends them (`deployed-2026.md`).
pub const CHUNK_BLOCKS: usize = 300;

/// Why a call of the bytecode reverts, with the reason as `rampart-agent`'s revert decoding names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, thiserror::Error)]
pub enum LppRevert {
    /// `ActiveProposal()`: squeezed within the challenge period.
    #[error("ActiveProposal()")]
    ActiveProposal,
    /// `AlreadyFinalized()`: leaves added after the finalizing call.
    #[error("AlreadyFinalized()")]
    AlreadyFinalized,
    /// `BadProposal()`: squeezing a countered proposal.
    #[error("BadProposal()")]
    BadProposal,
    /// `BondTransferFailed()`.
    #[error("BondTransferFailed()")]
    BondTransferFailed,
    /// `InsufficientBond()`.
    #[error("InsufficientBond()")]
    InsufficientBond,
    /// `InvalidInputSize()`.
    #[error("InvalidInputSize()")]
    InvalidInputSize,
    /// `InvalidPreimage()`: the state matrix is not the pre-state leaf's commitment.
    #[error("InvalidPreimage()")]
    InvalidPreimage,
    /// `InvalidProof()`: a leaf is not in the proposal's tree.
    #[error("InvalidProof()")]
    InvalidProof,
    /// `NotEOA()`.
    #[error("NotEOA()")]
    NotEoa,
    /// `NotInitialized()`.
    #[error("NotInitialized()")]
    NotInitialized,
    /// `PartOffsetOOB()`.
    #[error("PartOffsetOOB()")]
    PartOffsetOob,
    /// `PostStateMatches()`: the challenged transition is right.
    #[error("PostStateMatches()")]
    PostStateMatches,
    /// `StatesNotContiguous()`.
    #[error("StatesNotContiguous()")]
    StatesNotContiguous,
    /// `TreeSizeOverflow()`.
    #[error("TreeSizeOverflow()")]
    TreeSizeOverflow,
    /// `WrongStartingBlock()`.
    #[error("WrongStartingBlock()")]
    WrongStartingBlock,
    /// `require(preimagePartOk[key][offset], "pre-image must exist")` of `readPreimage`.
    #[error("pre-image must exist")]
    PreimageMustExist,
    /// Solidity's checked arithmetic (`Panic(0x11)`).
    #[error("Panic(0x11)")]
    ArithmeticOverflow,
    /// `revert(0, 0)`: `LibKeccak.absorb` of an input that is not 136 bytes.
    #[error("empty revert")]
    Empty,
}

/// Result alias of [`LppOracle`] calls.
pub type LppResult<T> = Result<T, LppRevert>;

/// `LibKeccak.absorb`: XOR a 136-byte block into the first 17 lanes (little-endian).
pub fn absorb(state: &mut State, block: &[u8]) -> LppResult<()> {
    if block.len() != BLOCK {
        return Err(LppRevert::Empty);
    }
    for (i, lane) in block.chunks_exact(8).enumerate() {
        state[i] ^= u64::from_le_bytes(lane.try_into().expect("8 bytes"));
    }
    Ok(())
}

/// `LibKeccak.permutation`: Keccak-f\[1600\].
pub fn permute(state: &mut State) {
    tiny_keccak::keccakf(state);
}

/// `LibKeccak.squeeze`: the first 32 bytes of the state (the digest once the padded input is absorbed).
pub fn squeeze(state: &State) -> B256 {
    let mut out = [0u8; 32];
    for (i, lane) in state[..4].iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&lane.to_le_bytes());
    }
    B256::from(out)
}

/// `keccak256(abi.encode(stateMatrix))`: each lane as a 32-byte word.
pub fn state_commitment(state: &State) -> B256 {
    let mut buf = [0u8; 25 * 32];
    for (i, lane) in state.iter().enumerate() {
        buf[32 * i + 24..32 * i + 32].copy_from_slice(&lane.to_be_bytes());
    }
    keccak256(buf)
}

/// `LibKeccak.pad`: pad10*1 to a multiple of 136 bytes (a whole block when the length already is one).
pub fn pad(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    let len = BLOCK * (data.len() / BLOCK + 1);
    out.resize(len, 0);
    out[data.len()] |= 0x01;
    out[len - 1] |= 0x80;
    out
}

/// `_hashLeaf`: `keccak256(abi.encodePacked(input, index, stateCommitment))`.
pub fn hash_leaf(leaf: &Leaf) -> B256 {
    let mut buf = Vec::with_capacity(leaf.input.len() + 64);
    buf.extend_from_slice(&leaf.input);
    buf.extend_from_slice(&leaf.index.to_be_bytes::<32>());
    buf.extend_from_slice(leaf.stateCommitment.as_slice());
    keccak256(buf)
}

fn hash_two(a: B256, b: B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(a.as_slice());
    buf[32..].copy_from_slice(b.as_slice());
    keccak256(buf)
}

/// The contract's `zeroHashes`: `zeroHashes[0] = 0`, `zeroHashes[h+1] = keccak(zeroHashes[h] ‖ zeroHashes[h])`.
pub fn zero_hashes() -> [B256; KECCAK_TREE_DEPTH] {
    let mut z = [B256::ZERO; KECCAK_TREE_DEPTH];
    for h in 0..KECCAK_TREE_DEPTH - 1 {
        z[h + 1] = hash_two(z[h], z[h]);
    }
    z
}

/// What an honest proposer posts for a preimage: its padded blocks as leaves with the true state commitments,
/// and the state after each block (what a squeeze or a challenge passes as the pre-state matrix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LppLeaves {
    /// The leaves in order (`index` = block index).
    pub leaves: Vec<Leaf>,
    /// `states[i]`: the Keccak state after absorbing and permuting block `i`.
    pub states: Vec<State>,
}

impl LppLeaves {
    /// The honest leaves of `preimage` (padded as the finalizing `addLeavesLPP` pads it).
    pub fn of(preimage: &[u8]) -> Self {
        let padded = pad(preimage);
        let mut state = [0u64; 25];
        let mut leaves = Vec::with_capacity(padded.len() / BLOCK);
        let mut states = Vec::with_capacity(padded.len() / BLOCK);
        for (i, block) in padded.chunks_exact(BLOCK).enumerate() {
            absorb(&mut state, block).expect("136-byte block");
            permute(&mut state);
            leaves.push(Leaf {
                input: block.to_vec().into(),
                index: U256::from(i),
                stateCommitment: state_commitment(&state),
            });
            states.push(state);
        }
        Self { leaves, states }
    }

    /// The leaves' commitments.
    pub fn commitments(&self) -> Vec<B256> {
        self.leaves.iter().map(|l| l.stateCommitment).collect()
    }
}

/// The proposal's Merkle tree over leaf hashes (depth [`KECCAK_TREE_DEPTH`], missing leaves zero), as
/// `getTreeRootLPP` computes its root, with the sibling paths `_verify` checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LppTree {
    /// `levels[0]`: leaf hashes; `levels[h]`: the non-zero prefix of level `h`.
    levels: Vec<Vec<B256>>,
    zero: [B256; KECCAK_TREE_DEPTH],
}

impl LppTree {
    /// The tree of `leaves` (hashed with [`hash_leaf`]).
    pub fn new(leaves: &[Leaf]) -> Self {
        Self::from_hashes(leaves.iter().map(hash_leaf).collect())
    }

    /// The tree over leaf hashes.
    pub fn from_hashes(hashes: Vec<B256>) -> Self {
        let zero = zero_hashes();
        let mut levels = vec![hashes];
        for h in 0..KECCAK_TREE_DEPTH {
            let prev = &levels[h];
            let next: Vec<B256> =
                prev.chunks(2).map(|p| hash_two(p[0], if p.len() == 2 { p[1] } else { zero[h] })).collect();
            levels.push(next);
        }
        Self { levels, zero }
    }

    /// The root over 2^16 leaves.
    pub fn root(&self) -> B256 {
        self.levels[KECCAK_TREE_DEPTH].first().copied().unwrap_or_else(|| hash_two(self.zero[15], self.zero[15]))
    }

    /// The 16 siblings of leaf `index`, bottom up.
    pub fn proof(&self, index: usize) -> Vec<B256> {
        (0..KECCAK_TREE_DEPTH)
            .map(|h| {
                let sib = (index >> h) ^ 1;
                self.levels[h].get(sib).copied().unwrap_or(self.zero[h])
            })
            .collect()
    }
}

/// `LPPMetaData`, the packed word of `proposalMetadata`: timestamp bits 192..256, part offset 160..192, claimed
/// size 128..160, blocks processed 96..128, bytes processed 64..96, countered 0..64.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Metadata(pub U256);

impl Metadata {
    fn get(self, shift: usize, bits: usize) -> u64 {
        let mask = (U256::from(1) << bits) - U256::from(1);
        ((self.0 >> shift) & mask).to::<u64>()
    }

    fn set(self, shift: usize, bits: usize, v: u64) -> Self {
        let mask = ((U256::from(1) << bits) - U256::from(1)) << shift;
        Self((self.0 & !mask) | ((U256::from(v) << shift) & mask))
    }

    /// Finalization timestamp (0 while open).
    pub fn timestamp(self) -> u64 {
        self.get(192, 64)
    }
    /// Part offset.
    pub fn part_offset(self) -> u64 {
        self.get(160, 32)
    }
    /// Claimed size.
    pub fn claimed_size(self) -> u64 {
        self.get(128, 32)
    }
    /// Blocks processed (padding included).
    pub fn blocks_processed(self) -> u64 {
        self.get(96, 32)
    }
    /// Bytes processed (padding excluded).
    pub fn bytes_processed(self) -> u64 {
        self.get(64, 32)
    }
    /// Countered (a successful challenge).
    pub fn countered(self) -> bool {
        self.get(0, 64) != 0
    }
}

/// Who calls and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallEnv {
    /// `msg.sender`.
    pub sender: Address,
    /// `tx.origin`.
    pub origin: Address,
    /// `msg.value`.
    pub value: U256,
    /// `block.timestamp`.
    pub timestamp: u64,
    /// `block.number`.
    pub number: u64,
}

impl CallEnv {
    /// A transaction of the EOA `sender` sending `value`.
    pub fn eoa(sender: Address, value: U256, timestamp: u64, number: u64) -> Self {
        Self { sender, origin: sender, value, timestamp, number }
    }
}

/// One state-changing call of the LPP flow (or a direct keccak256 upload), as its ABI call struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LppCall {
    /// `initLPP`.
    Init(IPreimageOracle::initLPPCall),
    /// `addLeavesLPP`.
    AddLeaves(IPreimageOracle::addLeavesLPPCall),
    /// `challengeFirstLPP`.
    ChallengeFirst(IPreimageOracle::challengeFirstLPPCall),
    /// `challengeLPP`.
    Challenge(IPreimageOracle::challengeLPPCall),
    /// `squeezeLPP`.
    Squeeze(IPreimageOracle::squeezeLPPCall),
    /// `loadKeccak256PreimagePart`.
    LoadKeccak(IPreimageOracle::loadKeccak256PreimagePartCall),
}

impl LppCall {
    /// The calldata (the model reads from it where the bytecode reads past an argument).
    pub fn calldata(&self) -> Vec<u8> {
        match self {
            Self::Init(c) => c.abi_encode(),
            Self::AddLeaves(c) => c.abi_encode(),
            Self::ChallengeFirst(c) => c.abi_encode(),
            Self::Challenge(c) => c.abi_encode(),
            Self::Squeeze(c) => c.abi_encode(),
            Self::LoadKeccak(c) => c.abi_encode(),
        }
    }

    /// The function's name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Init(_) => "initLPP",
            Self::AddLeaves(_) => "addLeavesLPP",
            Self::ChallengeFirst(_) => "challengeFirstLPP",
            Self::Challenge(_) => "challengeLPP",
            Self::Squeeze(_) => "squeezeLPP",
            Self::LoadKeccak(_) => "loadKeccak256PreimagePart",
        }
    }
}

/// `calldataload(at)`: 32 bytes, zero past the end.
fn calldataload(cd: &[u8], at: usize) -> B256 {
    let mut w = [0u8; 32];
    for (i, b) in w.iter_mut().enumerate() {
        *b = at.checked_add(i).and_then(|j| cd.get(j)).copied().unwrap_or(0);
    }
    B256::from(w)
}

/// Where the data of the dynamic argument whose head is word `arg` starts (`4 + offset + 32`).
fn tail_data(cd: &[u8], arg: usize) -> usize {
    let off: U256 = calldataload(cd, 4 + 32 * arg).into();
    4 + off.saturating_to::<usize>() + 32
}

/// A bond payout (`_payoutBond`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payout {
    /// Recipient.
    pub to: Address,
    /// Amount (0 once paid).
    pub amount: U256,
}

/// The oracle's storage as the LPP functions, `loadKeccak256PreimagePart` and `readPreimage` use it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LppOracle {
    /// `MIN_LPP_SIZE_BYTES` (constructor).
    pub min_proposal_size: U256,
    /// `CHALLENGE_PERIOD` (constructor).
    pub challenge_period: U256,
    metadata: BTreeMap<(Address, U256), Metadata>,
    branches: BTreeMap<(Address, U256), [B256; KECCAK_TREE_DEPTH]>,
    bonds: BTreeMap<(Address, U256), U256>,
    parts: BTreeMap<(Address, U256), B256>,
    blocks: BTreeMap<(Address, U256), Vec<u64>>,
    proposals: Vec<(Address, U256)>,
    preimage_parts: BTreeMap<(B256, U256), B256>,
    part_ok: BTreeSet<(B256, U256)>,
    lengths: BTreeMap<B256, U256>,
    /// ETH held (bonds in, payouts out).
    pub balance: U256,
}

impl LppOracle {
    /// A fresh oracle deployed with `(minProposalSize, challengePeriod)`.
    pub fn new(min_proposal_size: u64, challenge_period: u64) -> Self {
        Self {
            min_proposal_size: U256::from(min_proposal_size),
            challenge_period: U256::from(challenge_period),
            ..Default::default()
        }
    }

    /// Runs one call; `Ok` with the bond paid out, if the call pays one. A reverted call changes nothing.
    pub fn call(&mut self, env: &CallEnv, call: &LppCall) -> LppResult<Option<Payout>> {
        let cd = call.calldata();
        // Only `initLPP` is payable: the dispatcher reverts on value for the others.
        if !env.value.is_zero() && !matches!(call, LppCall::Init(_)) {
            return Err(LppRevert::Empty);
        }
        let mut next = self.clone();
        let r = match call {
            LppCall::Init(c) => next.init(env, c).map(|()| None),
            LppCall::AddLeaves(c) => next.add_leaves(env, c, &cd).map(|()| None),
            LppCall::ChallengeFirst(c) => next.challenge_first(env, c, &cd).map(Some),
            LppCall::Challenge(c) => next.challenge(env, c, &cd).map(Some),
            LppCall::Squeeze(c) => next.squeeze(env, c, &cd).map(Some),
            LppCall::LoadKeccak(c) => next.load_keccak(c, &cd).map(|()| None),
        };
        if r.is_ok() {
            *self = next;
        }
        r
    }

    fn init(&mut self, env: &CallEnv, c: &IPreimageOracle::initLPPCall) -> LppResult<()> {
        if env.value < U256::from(MIN_BOND_SIZE) {
            return Err(LppRevert::InsufficientBond);
        }
        if env.sender != env.origin {
            return Err(LppRevert::NotEoa);
        }
        let end = c._claimedSize.checked_add(8).ok_or(LppRevert::ArithmeticOverflow)?;
        if c._partOffset >= end {
            return Err(LppRevert::PartOffsetOob);
        }
        if U256::from(c._claimedSize) < self.min_proposal_size {
            return Err(LppRevert::InvalidInputSize);
        }
        let key = (env.sender, c._uuid);
        let m = self.metadata.get(&key).copied().unwrap_or_default();
        let m = m.set(160, 32, u64::from(c._partOffset)).set(128, 32, u64::from(c._claimedSize));
        self.metadata.insert(key, m);
        self.proposals.push(key);
        self.bonds.insert(key, env.value);
        self.balance += env.value;
        Ok(())
    }

    fn add_leaves(&mut self, env: &CallEnv, c: &IPreimageOracle::addLeavesLPPCall, cd: &[u8]) -> LppResult<()> {
        let input: Vec<u8> = if c._finalize { pad(&c._input) } else { c._input.to_vec() };
        let key = (env.sender, c._uuid);
        let mut branch = self.branches.get(&key).copied().unwrap_or_default();
        let m = self.metadata.get(&key).copied().unwrap_or_default();
        let mut blocks = m.blocks_processed();
        if env.sender != env.origin {
            return Err(LppRevert::NotEoa);
        }
        if m.claimed_size() == 0 {
            return Err(LppRevert::NotInitialized);
        }
        if m.timestamp() != 0 {
            return Err(LppRevert::AlreadyFinalized);
        }
        if U256::from(blocks) != c._inputStartBlock {
            return Err(LppRevert::WrongStartingBlock);
        }
        self.extract_part(key, c, m, cd)?;
        if !input.len().is_multiple_of(BLOCK) || c._stateCommitments.len() != input.len() / BLOCK {
            return Err(LppRevert::InvalidInputSize);
        }
        for (block, commitment) in input.chunks_exact(BLOCK).zip(&c._stateCommitments) {
            let mut buf = [0u8; 200];
            buf[..BLOCK].copy_from_slice(block);
            buf[136..168].copy_from_slice(&U256::from(blocks).to_be_bytes::<32>());
            buf[168..].copy_from_slice(commitment.as_slice());
            let mut node = keccak256(buf);
            blocks += 1;
            let mut size = blocks;
            for slot in branch.iter_mut() {
                if size & 1 == 1 {
                    *slot = node;
                    break;
                }
                node = hash_two(*slot, node);
                size >>= 1;
            }
        }
        if blocks > MAX_LEAF_COUNT {
            return Err(LppRevert::TreeSizeOverflow);
        }
        let bytes = (c._input.len() as u64).wrapping_add(m.bytes_processed()) & 0xffff_ffff;
        let mut m = m.set(96, 32, blocks).set(64, 32, bytes);
        if c._finalize {
            m = m.set(192, 64, env.timestamp);
            if m.bytes_processed() != m.claimed_size() {
                return Err(LppRevert::InvalidInputSize);
            }
        }
        self.branches.insert(key, branch);
        self.blocks.entry(key).or_default().push(env.number);
        self.metadata.insert(key, m);
        Ok(())
    }

    /// `_extractPreimagePart`, reading the chunk from calldata as the bytecode does.
    fn extract_part(
        &mut self,
        key: (Address, U256),
        c: &IPreimageOracle::addLeavesLPPCall,
        m: Metadata,
        cd: &[u8],
    ) -> LppResult<()> {
        let offset = m.part_offset();
        let current = m.bytes_processed();
        let input_at = tail_data(cd, 2);
        let len = c._input.len() as u64;
        if offset < 8 && current == 0 {
            let mut mem = [0u8; 40];
            mem[..8].copy_from_slice(&m.claimed_size().to_be_bytes());
            mem[8..].copy_from_slice(calldataload(cd, input_at).as_slice());
            let o = offset as usize;
            self.parts.insert(key, B256::from_slice(&mem[o..o + 32]));
        } else if offset >= 8 && offset - 8 >= current && offset - 8 < current + len {
            let rel = offset - 8 - current;
            if rel + 32 >= len && !c._finalize {
                return Err(LppRevert::PartOffsetOob);
            }
            self.parts.insert(key, calldataload(cd, input_at + rel as usize));
        }
        Ok(())
    }

    fn root(&self, key: (Address, U256)) -> B256 {
        let zero = zero_hashes();
        let mut size = self.metadata.get(&key).copied().unwrap_or_default().blocks_processed();
        let branch = self.branches.get(&key).copied().unwrap_or_default();
        let mut root = B256::ZERO;
        for h in 0..KECCAK_TREE_DEPTH {
            root = if size & 1 == 1 { hash_two(branch[h], root) } else { hash_two(root, zero[h]) };
            size >>= 1;
        }
        root
    }

    /// `_verify(proof, root, index, leafHash)`, with the proof's 16 words read from calldata at `proof_at`.
    fn verify(cd: &[u8], proof_at: usize, root: B256, leaf: &Leaf) -> bool {
        let mut value = hash_leaf(leaf);
        for i in 0..KECCAK_TREE_DEPTH {
            let sib = calldataload(cd, proof_at + 32 * i);
            value = if leaf.index.bit(i) { hash_two(sib, value) } else { hash_two(value, sib) };
        }
        value == root
    }

    fn payout(&mut self, key: (Address, U256), to: Address) -> Payout {
        let amount = self.bonds.insert(key, U256::ZERO).unwrap_or_default();
        self.balance -= amount;
        Payout { to, amount }
    }

    fn counter(&mut self, key: (Address, U256)) {
        let m = self.metadata.get(&key).copied().unwrap_or_default();
        self.metadata.insert(key, m.set(0, 64, 1));
    }

    fn challenge_first(
        &mut self,
        env: &CallEnv,
        c: &IPreimageOracle::challengeFirstLPPCall,
        cd: &[u8],
    ) -> LppResult<Payout> {
        let key = (c._claimant, c._uuid);
        let root = self.root(key);
        if !Self::verify(cd, tail_data(cd, 3), root, &c._postState) {
            return Err(LppRevert::InvalidProof);
        }
        if c._postState.index != U256::ZERO {
            return Err(LppRevert::StatesNotContiguous);
        }
        let mut s = [0u64; 25];
        absorb(&mut s, &c._postState.input)?;
        permute(&mut s);
        if state_commitment(&s) == c._postState.stateCommitment {
            return Err(LppRevert::PostStateMatches);
        }
        self.counter(key);
        Ok(self.payout(key, env.sender))
    }

    /// The checks `challengeLPP` and `squeezeLPP` share after their own: both leaves in the tree, the matrix the
    /// pre-state's commitment; returns the state after absorbing the post-state's block.
    fn transition(
        &self,
        key: (Address, U256),
        matrix: &StateMatrix,
        pre: &Leaf,
        post: &Leaf,
        cd: &[u8],
    ) -> LppResult<State> {
        let root = self.root(key);
        if !(Self::verify(cd, tail_data(cd, 28), root, pre) && Self::verify(cd, tail_data(cd, 30), root, post)) {
            return Err(LppRevert::InvalidProof);
        }
        if state_commitment(&matrix.state) != pre.stateCommitment {
            return Err(LppRevert::InvalidPreimage);
        }
        Ok(matrix.state)
    }

    fn challenge(&mut self, env: &CallEnv, c: &IPreimageOracle::challengeLPPCall, cd: &[u8]) -> LppResult<Payout> {
        let key = (c._claimant, c._uuid);
        let mut s = self.transition(key, &c._stateMatrix, &c._preState, &c._postState, cd)?;
        let next = c._preState.index.checked_add(U256::from(1)).ok_or(LppRevert::ArithmeticOverflow)?;
        if next != c._postState.index {
            return Err(LppRevert::StatesNotContiguous);
        }
        absorb(&mut s, &c._postState.input)?;
        permute(&mut s);
        if state_commitment(&s) == c._postState.stateCommitment {
            return Err(LppRevert::PostStateMatches);
        }
        self.counter(key);
        Ok(self.payout(key, env.sender))
    }

    fn squeeze(&mut self, env: &CallEnv, c: &IPreimageOracle::squeezeLPPCall, cd: &[u8]) -> LppResult<Payout> {
        let key = (c._claimant, c._uuid);
        let m = self.metadata.get(&key).copied().unwrap_or_default();
        if m.countered() {
            return Err(LppRevert::BadProposal);
        }
        let elapsed = env.timestamp.checked_sub(m.timestamp()).ok_or(LppRevert::ArithmeticOverflow)?;
        if U256::from(elapsed) <= self.challenge_period {
            return Err(LppRevert::ActiveProposal);
        }
        let mut s = self.transition(key, &c._stateMatrix, &c._preState, &c._postState, cd)?;
        let next = c._preState.index.checked_add(U256::from(1)).ok_or(LppRevert::ArithmeticOverflow)?;
        if next != c._postState.index {
            return Err(LppRevert::StatesNotContiguous);
        }
        let last = m.blocks_processed().checked_sub(1).ok_or(LppRevert::ArithmeticOverflow)?;
        if c._postState.index != U256::from(last) {
            return Err(LppRevert::StatesNotContiguous);
        }
        absorb(&mut s, &c._postState.input)?;
        permute(&mut s);
        let mut digest = squeeze(&s);
        digest.0[0] = 2;
        let offset = U256::from(m.part_offset());
        self.part_ok.insert((digest, offset));
        self.preimage_parts.insert((digest, offset), self.parts.get(&key).copied().unwrap_or_default());
        self.lengths.insert(digest, U256::from(m.claimed_size()));
        Ok(self.payout(key, c._claimant))
    }

    fn load_keccak(&mut self, c: &IPreimageOracle::loadKeccak256PreimagePartCall, cd: &[u8]) -> LppResult<()> {
        let size: U256 = calldataload(cd, 0x44).into();
        if c._partOffset >= size.saturating_add(U256::from(8)) {
            return Err(LppRevert::PartOffsetOob);
        }
        let data = &c._preimage;
        let mut mem = Vec::with_capacity(data.len() + 40);
        mem.extend_from_slice(&(data.len() as u64).to_be_bytes());
        mem.extend_from_slice(data);
        let o = c._partOffset.to::<usize>();
        mem.resize(mem.len().max(o + 32), 0);
        let part = B256::from_slice(&mem[o..o + 32]);
        let mut key = keccak256(data);
        key.0[0] = 2;
        self.part_ok.insert((key, c._partOffset));
        self.preimage_parts.insert((key, c._partOffset), part);
        self.lengths.insert(key, size);
        Ok(())
    }

    /// `readPreimage(key, offset)`: the part and `datLen`.
    pub fn read_preimage(&self, key: B256, offset: U256) -> LppResult<(B256, U256)> {
        if !self.part_ok.contains(&(key, offset)) {
            return Err(LppRevert::PreimageMustExist);
        }
        let length = self.lengths.get(&key).copied().unwrap_or_default();
        let end = length + U256::from(8);
        let dat_len = if offset + U256::from(32) >= end { end - offset } else { U256::from(32) };
        Ok((self.preimage_parts.get(&(key, offset)).copied().unwrap_or_default(), dat_len))
    }

    /// `getTreeRootLPP(claimant, uuid)`.
    pub fn tree_root(&self, claimant: Address, uuid: U256) -> B256 {
        self.root((claimant, uuid))
    }

    /// `proposalMetadata(claimant, uuid)`.
    pub fn metadata(&self, claimant: Address, uuid: U256) -> Metadata {
        self.metadata.get(&(claimant, uuid)).copied().unwrap_or_default()
    }

    /// `proposalBonds(claimant, uuid)`.
    pub fn bond(&self, claimant: Address, uuid: U256) -> U256 {
        self.bonds.get(&(claimant, uuid)).copied().unwrap_or_default()
    }

    /// `proposalParts(claimant, uuid)`.
    pub fn part(&self, claimant: Address, uuid: U256) -> B256 {
        self.parts.get(&(claimant, uuid)).copied().unwrap_or_default()
    }

    /// `proposalBlocksLen(claimant, uuid)`.
    pub fn blocks_len(&self, claimant: Address, uuid: U256) -> usize {
        self.blocks.get(&(claimant, uuid)).map_or(0, Vec::len)
    }

    /// `proposalCount()`.
    pub fn proposal_count(&self) -> usize {
        self.proposals.len()
    }

    /// `preimageLengths(key)`.
    pub fn preimage_length(&self, key: B256) -> U256 {
        self.lengths.get(&key).copied().unwrap_or_default()
    }
}

/// The calls an honest proposer sends for `preimage` (part `part_offset`, proposal `uuid`): `initLPP` with the
/// minimum bond, `addLeavesLPP` in chunks of `chunk_blocks` whole blocks with the true commitments, the last call
/// finalizing with the rest (possibly empty). The squeeze follows with [`squeeze_call`] after the period.
pub fn proposal_calls(preimage: &[u8], part_offset: u32, uuid: U256, chunk_blocks: usize) -> Vec<LppCall> {
    let honest = LppLeaves::of(preimage);
    let commitments = honest.commitments();
    let mut calls = vec![LppCall::Init(IPreimageOracle::initLPPCall {
        _uuid: uuid,
        _partOffset: part_offset,
        _claimedSize: preimage.len() as u32,
    })];
    let whole = preimage.len() / BLOCK;
    let chunk = chunk_blocks.max(1);
    let mut start = 0;
    while start < whole {
        let end = (start + chunk).min(whole);
        // The chunk holding the part must hold all 32 bytes unless it is the final one (`PartOffsetOOB`).
        calls.push(LppCall::AddLeaves(IPreimageOracle::addLeavesLPPCall {
            _uuid: uuid,
            _inputStartBlock: U256::from(start),
            _input: preimage[start * BLOCK..end * BLOCK].to_vec().into(),
            _stateCommitments: commitments[start..end].to_vec(),
            _finalize: false,
        }));
        start = end;
    }
    calls.push(LppCall::AddLeaves(IPreimageOracle::addLeavesLPPCall {
        _uuid: uuid,
        _inputStartBlock: U256::from(whole),
        _input: preimage[whole * BLOCK..].to_vec().into(),
        _stateCommitments: commitments[whole..].to_vec(),
        _finalize: true,
    }));
    calls
}

/// `squeezeLPP` of `claimant`'s proposal `uuid` whose leaves are `leaves` (as posted), with the last two leaves
/// and the state before the last one. `None` for a one-leaf proposal (the bytecode can never squeeze it: the
/// pre-state would be leaf −1).
pub fn squeeze_call(claimant: Address, uuid: U256, leaves: &LppLeaves) -> Option<LppCall> {
    let n = leaves.leaves.len();
    if n < 2 {
        return None;
    }
    let tree = LppTree::new(&leaves.leaves);
    Some(LppCall::Squeeze(IPreimageOracle::squeezeLPPCall {
        _claimant: claimant,
        _uuid: uuid,
        _stateMatrix: StateMatrix { state: leaves.states[n - 2] },
        _preState: leaves.leaves[n - 2].clone(),
        _preStateProof: tree.proof(n - 2),
        _postState: leaves.leaves[n - 1].clone(),
        _postStateProof: tree.proof(n - 1),
    }))
}

/// The leaves a proposal posted, rebuilt from its `addLeavesLPP` calls (what an observer reads from their
/// calldata, logged by `log0`): the finalizing chunk padded, blocks indexed from each call's start block.
pub fn posted_leaves(calls: &[IPreimageOracle::addLeavesLPPCall]) -> Vec<Leaf> {
    let mut out = Vec::new();
    for c in calls {
        let input = if c._finalize { pad(&c._input) } else { c._input.to_vec() };
        for (i, (block, commitment)) in input.chunks_exact(BLOCK).zip(&c._stateCommitments).enumerate() {
            out.push(Leaf {
                input: block.to_vec().into(),
                index: c._inputStartBlock + U256::from(i),
                stateCommitment: *commitment,
            });
        }
    }
    out
}

/// The honest challenger's answer to a proposal whose posted leaves are `leaves`: the first leaf whose commitment
/// is not the state after absorbing its block into the previous leaf's (true) state, challenged with
/// `challengeFirstLPP` (leaf 0) or `challengeLPP` (the previous leaf, its state, both proofs). `None` if every
/// commitment is right.
pub fn challenge_call(claimant: Address, uuid: U256, leaves: &[Leaf]) -> Option<LppCall> {
    let mut state = [0u64; 25];
    let mut prev = state;
    let bad = leaves.iter().position(|l| {
        prev = state;
        if absorb(&mut state, &l.input).is_err() {
            return true;
        }
        permute(&mut state);
        state_commitment(&state) != l.stateCommitment
    })?;
    let tree = LppTree::new(leaves);
    Some(if bad == 0 {
        LppCall::ChallengeFirst(IPreimageOracle::challengeFirstLPPCall {
            _claimant: claimant,
            _uuid: uuid,
            _postState: leaves[0].clone(),
            _postStateProof: tree.proof(0),
        })
    } else {
        LppCall::Challenge(IPreimageOracle::challengeLPPCall {
            _claimant: claimant,
            _uuid: uuid,
            _stateMatrix: StateMatrix { state: prev },
            _preState: leaves[bad - 1].clone(),
            _preStateProof: tree.proof(bad - 1),
            _postState: leaves[bad].clone(),
            _postStateProof: tree.proof(bad),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeezed_digest_is_keccak256() {
        for len in [0usize, 1, 135, 136, 137, 271, 272, 1000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            let l = LppLeaves::of(&data);
            assert_eq!(l.leaves.len(), len / BLOCK + 1);
            assert_eq!(squeeze(l.states.last().unwrap()), keccak256(&data), "len {len}");
        }
    }

    #[test]
    fn tree_proofs_reach_the_root() {
        let data = vec![9u8; 5 * BLOCK + 3];
        let l = LppLeaves::of(&data);
        let tree = LppTree::new(&l.leaves);
        for (i, leaf) in l.leaves.iter().enumerate() {
            let mut v = hash_leaf(leaf);
            for (h, sib) in tree.proof(i).into_iter().enumerate() {
                v = if (i >> h) & 1 == 1 { hash_two(sib, v) } else { hash_two(v, sib) };
            }
            assert_eq!(v, tree.root());
        }
    }
}
