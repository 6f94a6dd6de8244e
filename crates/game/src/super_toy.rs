//! A toy interop program, VM and superchain for super-game tests: the same shape as `kona-client-int` on
//! Cannon, small enough to run thousands of games.
//!
//! The toy superchain: every chain makes a block every second; chain `c`'s output at `t + 1` is `work`
//! keccak rounds over its output at `t` ([`toy_chain_block`]); data is derivable up to `safe_until`.
//!
//! The program (one step of the super trace, `super-roots.md` §2.3, §3.2-§3.3):
//! * steps 0-3 read local keys 1 (L1 head: its top 8 bytes are the toy's "derivable until" timestamp),
//!   2 (agreed pre-state commitment), 3 (claim), 4 (claimed timestamp), each at offset 8;
//! * then the agreed pre-state bytes, 32 bytes a step, as the keccak256 preimage of key 2 (offset 0 first,
//!   which also yields the length);
//! * then `work` rounds of busy work on an accumulator, then one exit step with the verdict:
//!   `invalid` pre-state ⇒ valid iff the claim is `keccak("invalid")`; undecodable ⇒ exit 1;
//!   pre timestamp > claimed timestamp ⇒ panic (exit 2); equal ⇒ valid iff the claim is the pre-state's own
//!   commitment (trace extension); else valid iff the claim is the hash of the next state
//!   ([`toy_next_state`]: derive the active chain's block at `T + 1`, pad, or consolidate at step 127),
//!   which is `keccak("invalid")` when that block is past the derivable range.

use alloy_primitives::{keccak256, Address, B256};
use rampart_protocol::{
    OptimisticBlock, PreState, SuperRoot, SuperTracePoint, INVALID_TRANSITION, INVALID_TRANSITION_HASH,
};

use crate::errors::TraceError;
use crate::oracle::PreimageOracle;
use crate::stepper::{BigStepper, VmStepError};
use crate::super_trace::{SuperLocalInputs, SuperStates, SuperchainSource};
use crate::trace::{PreimageData, StepData, VmTrace, VmTraceFactory};
use crate::types::VmStatus;
use rampart_primitives::{localize_ident, LocalKey};

const L1_HEAD_HASH: u64 = LocalKey::L1Head.index();
const STARTING_OUTPUT_ROOT: u64 = LocalKey::L2OutputRoot.index();
const DISPUTED_OUTPUT_ROOT: u64 = LocalKey::L2Claim.index();
const DISPUTED_L2_BLOCK_NUMBER: u64 = LocalKey::L2ClaimBlockNumber.index();

/// Offset of local reads (skips the 8-byte length prefix).
const READ_OFFSET: u64 = 8;
/// Largest pre-state the toy program reads (a 127-chain transition state is ~17 kB).
pub const MAX_PRE_STATE: u64 = 1 << 15;

/// A deliberate bug of a dishonest program: every state at or after `at` is corrupted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuperToyBug {
    /// First corrupted (timestamp, step).
    pub at: SuperTracePoint,
}

/// Chain `chain_id`'s block at `t` from its output root at `t − 1`: `work` keccak rounds, and a block hash
/// over the result.
pub fn toy_chain_block(chain_id: u64, t: u64, prev_output: B256, work: u32) -> OptimisticBlock {
    let mut acc = prev_output;
    for r in 0..work {
        let mut b = [0u8; 52];
        b[..32].copy_from_slice(acc.as_slice());
        b[32..40].copy_from_slice(&chain_id.to_be_bytes());
        b[40..48].copy_from_slice(&t.to_be_bytes());
        b[48..].copy_from_slice(&r.to_be_bytes());
        acc = keccak256(b);
    }
    let mut h = [0u8; 48];
    h[..8].copy_from_slice(&chain_id.to_be_bytes());
    h[8..16].copy_from_slice(&t.to_be_bytes());
    h[16..].copy_from_slice(acc.as_slice());
    OptimisticBlock::new(keccak256(h), acc)
}

fn corrupt(s: PreState) -> PreState {
    let lie = |h: B256| keccak256([h.as_slice(), b"lie"].concat());
    match s {
        PreState::SuperRoot(mut sr) => {
            if let Some(e) = sr.output_roots.first_mut() {
                e.output_root = lie(e.output_root);
            }
            PreState::SuperRoot(sr)
        }
        PreState::TransitionState(mut ts) => {
            match ts.pending_progress.first_mut() {
                Some(b) => b.block_hash = lie(b.block_hash),
                None => ts.pre_state.timestamp ^= 1 << 40,
            }
            PreState::TransitionState(ts)
        }
    }
}

/// The state after one program step from `pre` (`None`: the program fails, exit 1): the active chain's
/// block at `T + 1` (or `invalid` past `derivable_until`), padding, or the consolidation at step 127;
/// `invalid` stays `invalid`. A `bug` corrupts every resulting state at or after its point.
pub fn toy_next_state(pre: &[u8], derivable_until: u64, work: u32, bug: Option<SuperToyBug>) -> Option<Vec<u8>> {
    if pre == INVALID_TRANSITION {
        return Some(INVALID_TRANSITION.to_vec());
    }
    let state = PreState::decode(pre).ok()?;
    let t = state.timestamp();
    let block = match state.active_chain() {
        Some(c) if state.step() < rampart_protocol::TRANSITION_STATE_MAX_STEPS => {
            if t.checked_add(1)? > derivable_until {
                return Some(INVALID_TRANSITION.to_vec());
            }
            Some(toy_chain_block(c.chain_id, t + 1, c.output_root, work))
        }
        _ => None,
    };
    let mut next = state.transition(block).ok()?;
    if let Some(b) = bug {
        if (SuperTracePoint { timestamp: next.timestamp(), step: next.step() }) >= b.at {
            next = corrupt(next);
        }
    }
    Some(next.encode())
}

/// The program's verdict as an exit code: 0 valid, 1 invalid, 2 panic.
pub fn toy_verdict(
    pre: &[u8],
    claim: B256,
    claimed_ts: u64,
    derivable_until: u64,
    work: u32,
    bug: Option<SuperToyBug>,
) -> u8 {
    let expected = if pre == INVALID_TRANSITION {
        INVALID_TRANSITION_HASH
    } else {
        let Ok(state) = PreState::decode(pre) else { return 1 };
        if state.timestamp() > claimed_ts {
            return 2;
        }
        if state.timestamp() == claimed_ts {
            keccak256(pre)
        } else {
            match toy_next_state(pre, derivable_until, work, bug) {
                Some(next) => keccak256(next),
                None => return 1,
            }
        }
    };
    u8::from(expected != claim)
}

/// The L1 head word of a toy game whose data is derivable up to `derivable_until`.
pub fn toy_l1_head(derivable_until: u64) -> B256 {
    let mut w = keccak256(b"toy l1 head");
    w.0[..8].copy_from_slice(&derivable_until.to_be_bytes());
    w
}

fn word_u64(w: B256) -> u64 {
    u64::from_be_bytes(w.0[..8].try_into().unwrap_or_default())
}

// --------------------------------------------------------------------------------------------------
// The toy superchain (the honest data source)
// --------------------------------------------------------------------------------------------------

/// A toy superchain: outputs of each chain per second from the anchor on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToySuperchain {
    /// The anchor super root (its timestamp is the first second).
    pub anchor: SuperRoot,
    /// Work rounds per block.
    pub work: u32,
    /// Last timestamp whose data is derivable from the game's L1 head.
    pub safe_until: u64,
    /// `outputs[i][k]`: chain `anchor.output_roots[i]` at `anchor.timestamp + k`.
    outputs: Vec<Vec<OptimisticBlock>>,
}

impl ToySuperchain {
    /// `seconds` seconds of blocks after `anchor`.
    pub fn new(anchor: SuperRoot, seconds: u64, work: u32, safe_until: u64) -> Self {
        let outputs = anchor
            .output_roots
            .iter()
            .map(|e| {
                let mut v = vec![OptimisticBlock::new(keccak256(e.output_root), e.output_root)];
                for k in 1..=seconds {
                    let prev = v[v.len() - 1].output_root;
                    v.push(toy_chain_block(e.chain_id, anchor.timestamp + k, prev, work));
                }
                v
            })
            .collect();
        Self { anchor, work, safe_until, outputs }
    }

    fn block(&self, chain_id: u64, t: u64) -> Result<Option<OptimisticBlock>, TraceError> {
        let i = self
            .anchor
            .output_roots
            .iter()
            .position(|e| e.chain_id == chain_id)
            .ok_or_else(|| TraceError::Vm(format!("unknown chain {chain_id}")))?;
        let k = t
            .checked_sub(self.anchor.timestamp)
            .ok_or_else(|| TraceError::Vm(format!("timestamp {t} before the anchor")))?;
        if t > self.safe_until {
            return Ok(None);
        }
        self.outputs[i].get(k as usize).copied().map(Some).ok_or_else(|| TraceError::Vm(format!("no toy block at {t}")))
    }
}

impl SuperchainSource for ToySuperchain {
    fn chain_ids(&self) -> Vec<u64> {
        self.anchor.output_roots.iter().map(|e| e.chain_id).collect()
    }

    fn output_root_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<B256>, TraceError> {
        Ok(self.block(chain_id, timestamp)?.map(|b| b.output_root))
    }

    fn optimistic_block_at(&self, chain_id: u64, timestamp: u64) -> Result<Option<OptimisticBlock>, TraceError> {
        self.block(chain_id, timestamp)
    }
}

/// The states a (possibly buggy) program computes by stepping from the anchor, 128 per second: what a
/// dishonest actor running a buggy program claims, and, without a bug, the same states as
/// [`crate::ChainStates`] over a [`ToySuperchain`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgramStates {
    prestate_ts: u64,
    /// `states[j]`: the state `j` steps after the anchor super root.
    states: Vec<Vec<u8>>,
}

impl ProgramStates {
    /// Steps from `anchor` to the super root at `poststate_ts`.
    pub fn new(
        anchor: &SuperRoot,
        poststate_ts: u64,
        derivable_until: u64,
        work: u32,
        bug: Option<SuperToyBug>,
    ) -> Self {
        let total = poststate_ts.saturating_sub(anchor.timestamp) * rampart_protocol::STEPS_PER_TIMESTAMP;
        let mut states = Vec::with_capacity(total as usize + 1);
        states.push(anchor.encode());
        for _ in 0..total {
            let prev = &states[states.len() - 1];
            let next = toy_next_state(prev, derivable_until, work, bug).unwrap_or_else(|| INVALID_TRANSITION.to_vec());
            states.push(next);
        }
        Self { prestate_ts: anchor.timestamp, states }
    }
}

impl SuperStates for ProgramStates {
    fn state_bytes_at(&self, p: SuperTracePoint) -> Result<Vec<u8>, TraceError> {
        let j = p
            .timestamp
            .checked_sub(self.prestate_ts)
            .map(|k| k * rampart_protocol::STEPS_PER_TIMESTAMP + p.step)
            .ok_or_else(|| TraceError::Vm("point before the anchor".into()))?;
        self.states.get(j as usize).cloned().ok_or_else(|| TraceError::Vm(format!("no program state at {p:?}")))
    }
}

// --------------------------------------------------------------------------------------------------
// The VM
// --------------------------------------------------------------------------------------------------

/// Errors of the toy interop VM's stateless step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperToyError {
    /// The state bytes are malformed.
    #[error("bad toy interop state encoding")]
    BadState,
    /// A read step without its 32-byte part.
    #[error("missing preimage part")]
    MissingPart,
}

/// The toy interop machine's state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SuperToyState {
    /// Steps executed.
    pub step: u64,
    /// Busy-work rounds of the program.
    pub work: u32,
    /// Busy-work rounds done.
    pub round: u32,
    /// Key 1's top 8 bytes.
    pub derivable_until: u64,
    /// Key 2.
    pub agreed: B256,
    /// Key 3.
    pub claim: B256,
    /// Key 4.
    pub claimed_ts: u64,
    /// Length of the agreed pre-state (`u64::MAX` until read).
    pub pre_len: u64,
    /// Pre-state bytes read so far.
    pub pre: Vec<u8>,
    /// Busy-work accumulator.
    pub acc: B256,
    /// Whether the program exited.
    pub exited: bool,
    /// Exit code.
    pub exit_code: u8,
}

/// What the next step reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SuperToyRead {
    /// Local key `ident` at offset 8.
    Local(u64),
    /// The keccak256 preimage of key 2 at this offset.
    PreState(u64),
}

const LOCAL_READS: [u64; 4] = [L1_HEAD_HASH, STARTING_OUTPUT_ROOT, DISPUTED_OUTPUT_ROOT, DISPUTED_L2_BLOCK_NUMBER];

impl SuperToyState {
    /// The program's initial state.
    pub fn prestate(work: u32) -> Self {
        Self { work, pre_len: u64::MAX, ..Self::default() }
    }

    /// Encodes the state.
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(170 + self.pre.len());
        v.extend_from_slice(&self.step.to_be_bytes());
        v.extend_from_slice(&self.work.to_be_bytes());
        v.extend_from_slice(&self.round.to_be_bytes());
        v.extend_from_slice(&self.derivable_until.to_be_bytes());
        v.extend_from_slice(self.agreed.as_slice());
        v.extend_from_slice(self.claim.as_slice());
        v.extend_from_slice(&self.claimed_ts.to_be_bytes());
        v.extend_from_slice(&self.pre_len.to_be_bytes());
        v.extend_from_slice(self.acc.as_slice());
        v.push(u8::from(self.exited));
        v.push(self.exit_code);
        v.extend_from_slice(&(self.pre.len() as u32).to_be_bytes());
        v.extend_from_slice(&self.pre);
        v
    }

    /// Decodes hostile bytes.
    pub fn decode(b: &[u8]) -> Result<Self, SuperToyError> {
        const FIXED: usize = 8 + 4 + 4 + 8 + 32 + 32 + 8 + 8 + 32 + 1 + 1 + 4;
        if b.len() < FIXED {
            return Err(SuperToyError::BadState);
        }
        let u64_at = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().unwrap_or_default());
        let u32_at = |o: usize| u32::from_be_bytes(b[o..o + 4].try_into().unwrap_or_default());
        let pre_n = u32_at(FIXED - 4) as usize;
        if b.len() != FIXED + pre_n || b[FIXED - 6] > 1 || b[FIXED - 5] > 2 || pre_n as u64 > MAX_PRE_STATE {
            return Err(SuperToyError::BadState);
        }
        Ok(Self {
            step: u64_at(0),
            work: u32_at(8),
            round: u32_at(12),
            derivable_until: u64_at(16),
            agreed: B256::from_slice(&b[24..56]),
            claim: B256::from_slice(&b[56..88]),
            claimed_ts: u64_at(88),
            pre_len: u64_at(96),
            acc: B256::from_slice(&b[104..136]),
            exited: b[136] == 1,
            exit_code: b[137],
            pre: b[FIXED..].to_vec(),
        })
    }

    /// VM status byte.
    pub fn status(&self) -> VmStatus {
        match (self.exited, self.exit_code) {
            (false, _) => VmStatus::Unfinished,
            (true, 0) => VmStatus::Valid,
            (true, 1) => VmStatus::Invalid,
            (true, _) => VmStatus::Panic,
        }
    }

    /// State hash with the status byte on top.
    pub fn hash(&self) -> B256 {
        B256::from(self.status().apply(keccak256(self.encode()).0))
    }

    /// What the next step reads, if anything.
    pub fn pending_read(&self) -> Option<SuperToyRead> {
        if self.exited {
            return None;
        }
        if let Some(&k) = LOCAL_READS.get(self.step as usize) {
            return Some(SuperToyRead::Local(k));
        }
        if self.pre_len == u64::MAX {
            return Some(SuperToyRead::PreState(0));
        }
        if self.pre_len <= MAX_PRE_STATE && (self.pre.len() as u64) < self.pre_len {
            return Some(SuperToyRead::PreState(8 + self.pre.len() as u64));
        }
        None
    }

    /// Executes one step; `part` is the oracle part a read step consumes.
    pub fn step(&self, part: Option<B256>) -> Result<Self, SuperToyError> {
        self.step_with(part, None)
    }

    /// One step of a possibly buggy program (dishonest actors only).
    pub fn step_with(&self, part: Option<B256>, bug: Option<SuperToyBug>) -> Result<Self, SuperToyError> {
        let mut s = self.clone();
        if self.exited {
            return Ok(s);
        }
        match self.pending_read() {
            Some(SuperToyRead::Local(k)) => {
                let p = part.ok_or(SuperToyError::MissingPart)?;
                match k {
                    L1_HEAD_HASH => s.derivable_until = word_u64(p),
                    STARTING_OUTPUT_ROOT => {
                        s.agreed = p;
                        s.acc = p;
                    }
                    DISPUTED_OUTPUT_ROOT => s.claim = p,
                    _ => s.claimed_ts = word_u64(p),
                }
            }
            Some(SuperToyRead::PreState(offset)) => {
                let p = part.ok_or(SuperToyError::MissingPart)?;
                if offset == 0 {
                    s.pre_len = word_u64(p);
                    let take = s.pre_len.min(24) as usize;
                    s.pre.extend_from_slice(&p.0[8..8 + take]);
                } else {
                    let take = (s.pre_len - s.pre.len() as u64).min(32) as usize;
                    s.pre.extend_from_slice(&p.0[..take]);
                }
            }
            None if self.pre_len > MAX_PRE_STATE => {
                s.exited = true;
                s.exit_code = 1;
            }
            None if self.round < self.work => {
                let mut b = [0u8; 36];
                b[..32].copy_from_slice(s.acc.as_slice());
                b[32..].copy_from_slice(&s.round.to_be_bytes());
                s.acc = keccak256(b);
                s.round += 1;
            }
            None => {
                s.exited = true;
                s.exit_code = toy_verdict(&s.pre, s.claim, s.claimed_ts, s.derivable_until, s.work, bug);
            }
        }
        s.step += 1;
        Ok(s)
    }
}

/// The toy interop program's absolute prestate (status UNFINISHED).
pub fn super_toy_absolute_prestate(work: u32) -> B256 {
    SuperToyState::prestate(work).hash()
}

fn keccak_type_key(hash: B256) -> B256 {
    let mut k = hash;
    k.0[0] = 2;
    k
}

/// The toy interop VM as the game's on-chain stepper: reads local data and the pre-state preimage from
/// the oracle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SuperToyVm;

impl BigStepper for SuperToyVm {
    fn step(
        &self,
        state_data: &[u8],
        _proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError> {
        let s = SuperToyState::decode(state_data).map_err(|e| VmStepError(e.to_string()))?;
        let part = match s.pending_read() {
            Some(SuperToyRead::Local(k)) => {
                let key = B256::from(localize_ident(k, &caller.0 .0, &local_context.0));
                Some(oracle.read_preimage(key, READ_OFFSET).map_err(|e| VmStepError(e.to_string()))?.0)
            }
            Some(SuperToyRead::PreState(offset)) => {
                Some(oracle.read_preimage(keccak_type_key(s.agreed), offset).map_err(|e| VmStepError(e.to_string()))?.0)
            }
            None => None,
        };
        s.step(part).map(|p| p.hash()).map_err(|e| VmStepError(e.to_string()))
    }
}

/// The execution trace of the toy interop program for one sub-game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SuperToyTrace {
    /// `states[i]`: the pre-state of step `i`.
    pub states: Vec<SuperToyState>,
    parts: Vec<Option<B256>>,
    agreed_pre_state: Vec<u8>,
}

fn part_at(data: &[u8], offset: u64) -> B256 {
    let mut full = (data.len() as u64).to_be_bytes().to_vec();
    full.extend_from_slice(data);
    let mut out = [0u8; 32];
    let start = (offset as usize).min(full.len());
    let end = (start + 32).min(full.len());
    out[..end - start].copy_from_slice(&full[start..end]);
    B256::from(out)
}

impl SuperToyTrace {
    /// Runs the (possibly buggy) program on a sub-game's inputs until it exits.
    pub fn run(work: u32, inputs: &SuperLocalInputs, bug: Option<SuperToyBug>) -> Self {
        let mut ts_word = [0u8; 32];
        ts_word[..8].copy_from_slice(&inputs.claimed_timestamp.to_be_bytes());
        let mut states = vec![SuperToyState::prestate(work)];
        let mut parts = Vec::new();
        loop {
            let s = &states[states.len() - 1];
            if s.exited {
                break;
            }
            let part = s.pending_read().map(|r| match r {
                SuperToyRead::Local(L1_HEAD_HASH) => inputs.l1_head,
                SuperToyRead::Local(STARTING_OUTPUT_ROOT) => inputs.starting_claim,
                SuperToyRead::Local(DISPUTED_OUTPUT_ROOT) => inputs.disputed_claim,
                SuperToyRead::Local(_) => B256::from(ts_word),
                SuperToyRead::PreState(o) => part_at(&inputs.agreed_pre_state, o),
            });
            let Ok(next) = s.step_with(part, bug) else { break };
            parts.push(part);
            states.push(next);
        }
        Self { states, parts, agreed_pre_state: inputs.agreed_pre_state.clone() }
    }

    fn last(&self) -> usize {
        self.states.len() - 1
    }
}

impl VmTrace for SuperToyTrace {
    fn state_hash_after(&self, step: u64) -> Result<B256, TraceError> {
        let i = (step as usize).saturating_add(1).min(self.last());
        Ok(self.states[i].hash())
    }

    fn step_proof(&self, step: u64) -> Result<StepData, TraceError> {
        let i = (step as usize).min(self.last());
        let pre = &self.states[i];
        let part = self.parts.get(i).copied().flatten();
        let preimage = pre.pending_read().map(|r| match r {
            SuperToyRead::Local(ident) => PreimageData::Local { ident, offset: READ_OFFSET },
            SuperToyRead::PreState(offset) => PreimageData::Keccak { preimage: self.agreed_pre_state.clone(), offset },
        });
        Ok(StepData { pre_state: pre.encode(), proof: part.map(|p| p.to_vec()).unwrap_or_default(), preimage })
    }
}

/// Builds [`SuperToyTrace`]s for super sub-games.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SuperToyTraceFactory {
    /// Busy-work rounds.
    pub work: u32,
    /// A program bug (dishonest actors only).
    pub bug: Option<SuperToyBug>,
}

impl VmTraceFactory<SuperLocalInputs> for SuperToyTraceFactory {
    type Trace = SuperToyTrace;
    fn trace_for(&self, inputs: &SuperLocalInputs) -> Result<SuperToyTrace, TraceError> {
        Ok(SuperToyTrace::run(self.work, inputs, self.bug))
    }
}
