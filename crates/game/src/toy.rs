//! A tiny deterministic VM for tests: a counter machine with a real step function, local-key inputs,
//! an exit status, and a stateless verifier — the same shape as the MIPS64 VM, small enough for proptests.
//!
//! Program (steps numbered from 0):
//! * step 0, 1, 2: read local keys 2 (starting output), 3 (disputed output), 4 (disputed block) at offset 8;
//! * toy output roots carry their block number in their top 8 bytes; with `sb` the starting output's
//!   block, if the disputed block equals `sb` the program exits at once, valid iff the two roots are
//!   equal (the "trace extension" rule of op-program/kona); if it is not `sb + 1` it exits invalid;
//! * otherwise steps 3 .. 3 + work: `acc = keccak256(acc ‖ block ‖ round)`, starting from the starting
//!   output; then exit with code 0 if `toy_output(block, acc)` equals the disputed output, else 1;
//! * later steps: no-op (the exited state repeats).
//!
//! The toy chain's output root at block `n` is the program's result from the output at `n − 1`, so the
//! program validates exactly the honest chain. State hashes carry the VM status byte (UNFINISHED while
//! running, VALID/INVALID after exit), like Cannon's.

use alloy_primitives::{keccak256, Address, B256};

use crate::errors::TraceError;
use crate::oracle::PreimageOracle;
use crate::stepper::{BigStepper, VmStepError};
use crate::trace::{OutputSource, PreimageData, StepData, SubgameInputs, VmTrace, VmTraceFactory};
use crate::types::VmStatus;
use rampart_primitives::{localize_ident, LocalKey};

/// Encoded size of a [`ToyState`].
pub const TOY_STATE_LEN: usize = 8 + 4 + 32 + 32 + 8 + 32 + 1 + 1;
/// Offset of local reads (skips the 8-byte length prefix).
const READ_OFFSET: u64 = 8;

/// Errors of the toy VM's stateless step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToyError {
    /// The state bytes have the wrong length or flags.
    #[error("bad toy state encoding")]
    BadState,
    /// A read step without a 32-byte preimage part in the proof.
    #[error("missing preimage part in proof")]
    MissingPart,
}

/// The toy machine's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ToyState {
    /// Steps executed so far.
    pub step: u64,
    /// Work rounds of the program (part of the program, hence of the absolute prestate).
    pub work: u32,
    /// Starting output root read from key 2.
    pub starting: B256,
    /// Disputed output root read from key 3.
    pub disputed: B256,
    /// Disputed block read from key 4.
    pub block: u64,
    /// Accumulator.
    pub acc: B256,
    /// Whether the program exited.
    pub exited: bool,
    /// Exit code (0 valid, 1 invalid).
    pub exit_code: u8,
}

/// What the next step of a state does.
enum Op {
    Read(u64),
    Work(u32),
    Exit,
    Halted,
}

impl ToyState {
    /// The program's initial state (its encoding hashes to the absolute prestate).
    pub fn prestate(work: u32) -> Self {
        Self { work, ..Self::default() }
    }

    /// Encodes the state (`stateData`).
    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(TOY_STATE_LEN);
        v.extend_from_slice(&self.step.to_be_bytes());
        v.extend_from_slice(&self.work.to_be_bytes());
        v.extend_from_slice(self.starting.as_slice());
        v.extend_from_slice(self.disputed.as_slice());
        v.extend_from_slice(&self.block.to_be_bytes());
        v.extend_from_slice(self.acc.as_slice());
        v.push(self.exited as u8);
        v.push(self.exit_code);
        v
    }

    /// Decodes hostile bytes.
    pub fn decode(b: &[u8]) -> Result<Self, ToyError> {
        if b.len() != TOY_STATE_LEN || b[TOY_STATE_LEN - 2] > 1 || b[TOY_STATE_LEN - 1] > 1 {
            return Err(ToyError::BadState);
        }
        let u64_at = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().unwrap_or_default());
        Ok(Self {
            step: u64_at(0),
            work: u32::from_be_bytes(b[8..12].try_into().unwrap_or_default()),
            starting: B256::from_slice(&b[12..44]),
            disputed: B256::from_slice(&b[44..76]),
            block: u64_at(76),
            acc: B256::from_slice(&b[84..116]),
            exited: b[116] == 1,
            exit_code: b[117],
        })
    }

    /// VM status byte of this state.
    pub fn status(&self) -> VmStatus {
        match (self.exited, self.exit_code) {
            (false, _) => VmStatus::Unfinished,
            (true, 0) => VmStatus::Valid,
            (true, _) => VmStatus::Invalid,
        }
    }

    /// State hash: keccak256 of the encoding with the status byte on top.
    pub fn hash(&self) -> B256 {
        B256::from(self.status().apply(keccak256(self.encode()).0))
    }

    /// Block number carried by the starting output root.
    fn starting_block(&self) -> u64 {
        output_block(self.starting)
    }

    fn next_op(&self) -> Op {
        if self.exited {
            return Op::Halted;
        }
        match self.step {
            0 => Op::Read(LocalKey::L2OutputRoot.index()),
            1 => Op::Read(LocalKey::L2Claim.index()),
            2 => Op::Read(LocalKey::L2ClaimBlockNumber.index()),
            _ if self.starting_block().checked_add(1) != Some(self.block) => Op::Exit,
            s if s < 3 + self.work as u64 => Op::Work((s - 3) as u32),
            _ => Op::Exit,
        }
    }

    /// The program's verdict once it exits: 0 valid, 1 invalid.
    fn verdict(&self) -> u8 {
        let valid = if self.block == self.starting_block() {
            self.disputed == self.starting
        } else if self.starting_block().checked_add(1) != Some(self.block) {
            false
        } else {
            toy_output(self.block, self.acc) == self.disputed
        };
        (!valid) as u8
    }

    /// The local key the next step reads, if any.
    pub fn pending_read(&self) -> Option<u64> {
        match self.next_op() {
            Op::Read(k) => Some(k),
            _ => None,
        }
    }

    /// Executes one step; `part` is the 32-byte oracle part a read step consumes.
    pub fn step(&self, part: Option<B256>) -> Result<Self, ToyError> {
        self.step_with(part, None)
    }

    /// Executes one step on a possibly buggy machine (dishonest test actors only).
    pub fn step_with(&self, part: Option<B256>, bug: Option<ToyBug>) -> Result<Self, ToyError> {
        let mut s = *self;
        match self.next_op() {
            Op::Halted => return Ok(s),
            Op::Read(k) => {
                let p = part.ok_or(ToyError::MissingPart)?;
                match LocalKey::from_index(k) {
                    Some(LocalKey::L2OutputRoot) => {
                        s.starting = p;
                        s.acc = p;
                    }
                    Some(LocalKey::L2Claim) => s.disputed = p,
                    _ => s.block = u64::from_be_bytes(p.0[..8].try_into().unwrap_or_default()),
                }
            }
            Op::Work(round) => s.acc = mix_maybe_buggy(s.acc, s.block, round, bug),
            Op::Exit => {
                s.exited = true;
                s.exit_code = s.verdict();
            }
        }
        s.step += 1;
        Ok(s)
    }
}

/// A deliberate VM bug for dishonest test actors: at work round `round` the buggy VM mixes a wrong block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToyBug {
    /// Work round at which the bug fires.
    pub round: u32,
}

fn mix_maybe_buggy(acc: B256, block: u64, round: u32, bug: Option<ToyBug>) -> B256 {
    match bug {
        Some(b) if b.round == round => mix(acc, block ^ 0xdead, round),
        _ => mix(acc, block, round),
    }
}

fn mix(acc: B256, block: u64, round: u32) -> B256 {
    let mut b = [0u8; 44];
    b[..32].copy_from_slice(acc.as_slice());
    b[32..40].copy_from_slice(&block.to_be_bytes());
    b[40..].copy_from_slice(&round.to_be_bytes());
    keccak256(b)
}

/// A toy output root: `acc` with its top 8 bytes replaced by the block number.
pub fn toy_output(block: u64, acc: B256) -> B256 {
    let mut o = acc;
    o.0[..8].copy_from_slice(&block.to_be_bytes());
    o
}

/// The block number a toy output root carries.
pub fn output_block(output: B256) -> u64 {
    u64::from_be_bytes(output.0[..8].try_into().unwrap_or_default())
}

/// The toy chain's state transition: the output root of `block` from the output of `block − 1`.
pub fn toy_transition(prev_output: B256, block: u64, work: u32) -> B256 {
    toy_transition_with(prev_output, block, work, None)
}

/// The transition a buggy machine computes.
pub fn toy_transition_with(prev_output: B256, block: u64, work: u32, bug: Option<ToyBug>) -> B256 {
    toy_output(block, (0..work).fold(prev_output, |acc, r| mix_maybe_buggy(acc, block, r, bug)))
}

/// The toy VM's absolute prestate claim (status UNFINISHED).
pub fn toy_absolute_prestate(work: u32) -> B256 {
    ToyState::prestate(work).hash()
}

/// Stateless verifier: `(stateData, proof) → post-state hash`; `proof` is the preimage part of a read step.
pub fn toy_verify(state_data: &[u8], proof: &[u8]) -> Result<B256, ToyError> {
    let s = ToyState::decode(state_data)?;
    let part = (proof.len() == 32).then(|| B256::from_slice(proof));
    Ok(s.step(part)?.hash())
}

/// The toy VM as the game's on-chain stepper: reads its inputs from the oracle like MIPS does.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ToyVm;

impl BigStepper for ToyVm {
    fn step(
        &self,
        state_data: &[u8],
        _proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError> {
        let s = ToyState::decode(state_data).map_err(|e| VmStepError(e.to_string()))?;
        let part = match s.pending_read() {
            Some(k) => {
                let key = B256::from(localize_ident(k, &caller.0 .0, &local_context.0));
                Some(oracle.read_preimage(key, READ_OFFSET).map_err(|e| VmStepError(e.to_string()))?.0)
            }
            None => None,
        };
        s.step(part).map(|p| p.hash()).map_err(|e| VmStepError(e.to_string()))
    }
}

/// The honest execution trace of the toy program for one sub-game.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToyTrace {
    /// States `0..=last`: `states[i]` is the pre-state of step `i`.
    pub states: Vec<ToyState>,
    parts: Vec<Option<B256>>,
}

impl ToyTrace {
    /// Runs the program with the given inputs until it exits.
    pub fn run(work: u32, inputs: &SubgameInputs) -> Self {
        Self::run_with(work, inputs, None)
    }

    /// Runs the program on a possibly buggy machine.
    pub fn run_with(work: u32, inputs: &SubgameInputs, bug: Option<ToyBug>) -> Self {
        let mut block_word = [0u8; 32];
        block_word[..8].copy_from_slice(&inputs.disputed_block().to_be_bytes());
        let mut states = vec![ToyState::prestate(work)];
        let mut parts = Vec::new();
        loop {
            let s = states[states.len() - 1];
            if s.exited {
                break;
            }
            let part = s.pending_read().map(|k| match k {
                k if k == LocalKey::L2OutputRoot.index() => inputs.starting_output(),
                k if k == LocalKey::L2Claim.index() => inputs.disputed_output(),
                _ => B256::from(block_word),
            });
            // Reads always get a part and the state is well formed, so the step cannot fail.
            let Ok(next) = s.step_with(part, bug) else { break };
            parts.push(part);
            states.push(next);
        }
        Self { states, parts }
    }

    fn last(&self) -> usize {
        self.states.len() - 1
    }
}

impl VmTrace for ToyTrace {
    fn state_hash_after(&self, step: u64) -> Result<B256, TraceError> {
        let i = (step as usize).saturating_add(1).min(self.last());
        Ok(self.states[i].hash())
    }

    fn step_proof(&self, step: u64) -> Result<StepData, TraceError> {
        let i = (step as usize).min(self.last());
        let pre = self.states[i];
        let part = self.parts.get(i).copied().flatten();
        Ok(StepData {
            pre_state: pre.encode(),
            proof: part.map(|p| p.to_vec()).unwrap_or_default(),
            preimage: pre.pending_read().map(|ident| PreimageData::Local { ident, offset: READ_OFFSET }),
        })
    }
}

/// Builds [`ToyTrace`]s for sub-games.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToyTraceFactory {
    /// Work rounds of the program.
    pub work: u32,
    /// A bug in the machine (dishonest actors only).
    pub bug: Option<ToyBug>,
}

impl VmTraceFactory for ToyTraceFactory {
    type Trace = ToyTrace;
    fn trace_for(&self, inputs: &SubgameInputs) -> Result<ToyTrace, TraceError> {
        Ok(ToyTrace::run_with(self.work, inputs, self.bug))
    }
}

/// The honest toy chain: outputs from the anchor onwards under [`toy_transition`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToyChain {
    /// Anchor block.
    pub anchor_block: u64,
    /// Outputs of blocks `anchor_block ..= anchor_block + outputs.len() − 1`.
    pub outputs: Vec<B256>,
}

impl ToyChain {
    /// Computes `len` blocks after the anchor (whose root gets the anchor block in its top bytes).
    pub fn new(anchor_root: B256, anchor_block: u64, len: u64, work: u32) -> Self {
        Self::new_with(anchor_root, anchor_block, len, work, u64::MAX, None)
    }

    /// The chain a buggy machine computes, with the bug active from block `bug_from` on.
    pub fn new_with(
        anchor_root: B256,
        anchor_block: u64,
        len: u64,
        work: u32,
        bug_from: u64,
        bug: Option<ToyBug>,
    ) -> Self {
        let mut outputs = vec![toy_output(anchor_block, anchor_root)];
        for b in anchor_block + 1..=anchor_block + len {
            let prev = outputs[outputs.len() - 1];
            outputs.push(toy_transition_with(prev, b, work, if b >= bug_from { bug } else { None }));
        }
        Self { anchor_block, outputs }
    }
}

impl OutputSource for ToyChain {
    fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        block
            .checked_sub(self.anchor_block)
            .and_then(|i| self.outputs.get(i as usize))
            .copied()
            .ok_or_else(|| TraceError::Vm(format!("no toy output for block {block}")))
    }
}

/// A ready-made demo: a proposer whose machine has a bug at work round 5 claims a wrong output for block
/// `anchor + 12`; the honest challenger bisects to the buggy instruction and steps. Returns the outcome
/// and the transcript (all in model time, deterministic).
pub fn toy_demo() -> Result<(crate::GameOutcome, Vec<crate::TranscriptEvent>), crate::GameError> {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use crate::{AnchorStateRegistry, FaultDisputeGame, GameConfig, GameInit, GameType, HonestChallenger};
    use crate::{SplitTraceAccessor, VmBottom};

    let (work, anchor_block, blocks, bug_from) = (12u32, 1000u64, 12u64, 1007u64);
    let bug = Some(ToyBug { round: 5 });
    let anchor_root = toy_output(anchor_block, keccak256(b"rampart toy anchor"));
    let honest_chain = ToyChain::new(anchor_root, anchor_block, blocks, work);
    let liar_chain = ToyChain::new_with(anchor_root, anchor_block, blocks, work, bug_from, bug);
    let proposal = anchor_block + blocks;
    let cfg = GameConfig::small(GameType::CANNON, toy_absolute_prestate(work), 10, 4);
    let registry = AnchorStateRegistry::new(honest_chain.outputs[0], anchor_block, cfg.game_type);
    let (proposer, challenger) = (Address::repeat_byte(0xee), Address::repeat_byte(0x11));
    let init = GameInit {
        creator: proposer,
        root_claim: liar_chain.output_at(proposal).map_err(|e| crate::GameError::VmStep(e.to_string()))?,
        l2_block_number: proposal,
        l1_head: keccak256(b"l1 head"),
        value: cfg.init_bond,
        now: 1_700_000_000,
    };
    let mut game = FaultDisputeGame::create(cfg, Arc::new(ToyVm), registry, init)?;
    let honest =
        SplitTraceAccessor::for_game(&game, honest_chain, VmBottom(ToyTraceFactory { work, bug: None }), u64::MAX);
    let lying = SplitTraceAccessor::for_game(&game, liar_chain, VmBottom(ToyTraceFactory { work, bug }), u64::MAX);
    let mut h = HonestChallenger::new(challenger, honest);
    let mut l = HonestChallenger::new(proposer, lying);
    let names: BTreeMap<Address, String> =
        [(challenger, "challenger".to_string()), (proposer, "proposer".to_string())].into_iter().collect();
    Ok(crate::run_transcript(&mut game, &mut l, &mut h, &names, crate::RunConfig::default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_primitives::LocalInputs;

    fn inputs(chain: &ToyChain, block: u64, disputed: B256) -> SubgameInputs {
        SubgameInputs {
            local: LocalInputs {
                agreed_output_root: chain.output_at(block - 1).unwrap().0,
                claimed_output_root: disputed.0,
                claimed_block_number: block,
                chain_id: 10,
                ..LocalInputs::default()
            },
            starting_block: block - 1,
            local_context: B256::ZERO,
        }
    }

    #[test]
    fn program_validates_the_chain() {
        let chain = ToyChain::new(B256::repeat_byte(1), 100, 8, 5);
        let good = ToyTrace::run(5, &inputs(&chain, 104, chain.output_at(104).unwrap()));
        assert_eq!(good.states.len(), 3 + 5 + 1 + 1);
        let fin = good.states[good.states.len() - 1];
        assert_eq!(fin.status(), VmStatus::Valid);
        assert_eq!(toy_output(104, fin.acc), chain.output_at(104).unwrap());
        let bad = ToyTrace::run(5, &inputs(&chain, 104, B256::repeat_byte(9)));
        assert_eq!(bad.states[bad.states.len() - 1].status(), VmStatus::Invalid);
        // Past the end the final state repeats; before it states are UNFINISHED.
        assert_eq!(good.state_hash_after(1000).unwrap(), fin.hash());
        assert_eq!(VmStatus::of(&good.state_hash_after(2).unwrap().0), Some(VmStatus::Unfinished));
    }

    #[test]
    fn demo_ends_with_the_wrong_claim_defeated() {
        let (out, events) = toy_demo().unwrap();
        assert_eq!(out.status, crate::GameStatus::ChallengerWins);
        assert!(out.net(Address::repeat_byte(0x11)) > 0);
        assert!(out.net(Address::repeat_byte(0xee)) < 0);
        let step = events.iter().find_map(|e| match e {
            crate::TranscriptEvent::Step { who, step_trace_index, .. } => Some((who.clone(), *step_trace_index)),
            _ => None,
        });
        // The bug fires at work round 5, the 9th instruction (3 reads first).
        assert_eq!(step, Some(("challenger".to_string(), 8)));
        assert!(events
            .iter()
            .any(|e| matches!(e, crate::TranscriptEvent::Resolved { status: crate::GameStatus::ChallengerWins })));
    }

    #[test]
    fn trace_extension_rule() {
        let chain = ToyChain::new(B256::repeat_byte(1), 100, 8, 5);
        let at = |b: u64| chain.output_at(b).unwrap();
        let run = |starting: B256, block: u64, disputed: B256| {
            let mut i = inputs(&chain, block, disputed);
            i.local.agreed_output_root = starting.0;
            let t = ToyTrace::run(5, &i);
            let fin = t.states[t.states.len() - 1];
            (fin.status(), t.states.len())
        };
        // Same block: valid iff equal roots, decided right after the three reads.
        assert_eq!(run(at(108), 108, at(108)), (VmStatus::Valid, 5));
        assert_eq!(run(at(108), 108, at(107)), (VmStatus::Invalid, 5));
        // Not the next block: invalid.
        assert_eq!(run(at(105), 108, at(108)), (VmStatus::Invalid, 5));
        assert_eq!(run(at(108), 107, at(107)), (VmStatus::Invalid, 5));
        // The next block: full run.
        assert_eq!(run(at(107), 108, at(108)), (VmStatus::Valid, 10));
    }

    #[test]
    fn verifier_agrees_with_trace() {
        let chain = ToyChain::new(B256::repeat_byte(1), 0, 4, 3);
        let t = ToyTrace::run(3, &inputs(&chain, 2, chain.output_at(2).unwrap()));
        for i in 0..12u64 {
            let d = t.step_proof(i).unwrap();
            assert_eq!(toy_verify(&d.pre_state, &d.proof).unwrap(), t.state_hash_after(i).unwrap(), "step {i}");
        }
        assert_eq!(keccak256(t.step_proof(0).unwrap().pre_state).0[1..], toy_absolute_prestate(3).0[1..]);
        assert_eq!(toy_verify(&[0u8; 5], &[]), Err(ToyError::BadState));
        assert_eq!(toy_verify(&ToyState::prestate(3).encode(), &[]), Err(ToyError::MissingPart));
    }
}
