//! The MIPS64 VM as a dispute game's execution trace and the stateless verifier as its on-chain `step`:
//! the glue between `rampart-vm`, `rampart-verifier` and `rampart-game` used by `rampart demo`.

use alloy_primitives::{keccak256, Address, B256};
use rampart_game::toy::{ToyBug, ToyChain};
use rampart_game::{
    AnchorStateRegistry, BigStepper, FaultDisputeGame, GameConfig, GameError, GameInit, GameOutcome, GameType,
    HonestChallenger, PreimageData, PreimageOracle, RunConfig, SplitTraceAccessor, StepData, SubgameInputs, TraceError,
    TranscriptEvent, VmBottom, VmStepError, VmTrace, VmTraceFactory,
};
use rampart_verifier::PreimageInput;
use rampart_vm::{MapOracle, State, Vm};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Steps a sub-game's program may take before its trace is declared broken.
const MAX_PROGRAM_STEPS: u64 = 50_000_000;

/// The VM-side oracle of one sub-game: its local inputs under their raw keys, sized as `addLocalData` loads them.
fn oracle_for(inputs: &SubgameInputs) -> MapOracle {
    let mut o = MapOracle::default();
    for (key, value) in inputs.local.entries() {
        o.preimages.insert(key.key(), value);
    }
    o
}

/// One sub-game's execution trace of a MIPS64 program: hashes are computed on demand by replaying from the
/// absolute prestate with the fast loop (and cached), so only the positions the game visits cost anything.
pub struct MipsTrace {
    prestate: State,
    oracle: MapOracle,
    /// Steps until the program exited; states after it repeat (Cannon's exited-state no-op).
    last: u64,
    /// Dishonest traces only: from this step on, the trace reports made-up states.
    lie_from: Option<u64>,
    cache: RefCell<BTreeMap<u64, B256>>,
}

impl std::fmt::Debug for MipsTrace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MipsTrace").field("last", &self.last).field("lie_from", &self.lie_from).finish()
    }
}

fn vm_err(e: impl std::fmt::Display) -> TraceError {
    TraceError::Vm(e.to_string())
}

impl MipsTrace {
    /// Runs the program with these inputs to its exit.
    pub fn run(prestate: State, inputs: &SubgameInputs, lie_from: Option<u64>) -> Result<Self, TraceError> {
        let mut t = MipsTrace { prestate, oracle: oracle_for(inputs), last: 0, lie_from, cache: Default::default() };
        let vm = t.replay(MAX_PROGRAM_STEPS)?;
        if !vm.state.exited {
            return Err(TraceError::Vm(format!("program did not exit within {MAX_PROGRAM_STEPS} steps")));
        }
        t.last = vm.state.step;
        Ok(t)
    }

    /// Steps until the program exited.
    pub fn steps(&self) -> u64 {
        self.last
    }

    fn replay(&self, steps: u64) -> Result<Vm, TraceError> {
        let mut vm = Vm::new(self.prestate.clone())
            .with_oracle(Box::new(self.oracle.clone()))
            .with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
        vm.run(steps).map_err(vm_err)?;
        Ok(vm)
    }

    fn lie(&self, n: u64) -> B256 {
        let mut h = keccak256([b"rampart demo liar".as_slice(), &n.to_be_bytes()].concat());
        // A liar still uses status bytes: unfinished while running, and at its end it claims the program found
        // the disputed output invalid (so it disputes the honest output root at the split depth).
        h.0[0] = if n >= self.last { 1 } else { 3 };
        h
    }
}

impl VmTrace for MipsTrace {
    fn state_hash_after(&self, step: u64) -> Result<B256, TraceError> {
        let n = step.saturating_add(1).min(self.last);
        if self.lie_from.is_some_and(|from| n > from) {
            return Ok(self.lie(n));
        }
        if let Some(h) = self.cache.borrow().get(&n) {
            return Ok(*h);
        }
        let mut vm = self.replay(n)?;
        let h = B256::from(vm.state.state_hash());
        self.cache.borrow_mut().insert(n, h);
        Ok(h)
    }

    fn step_proof(&self, step: u64) -> Result<StepData, TraceError> {
        let n = step.min(self.last);
        let mut vm = self.replay(n)?;
        let w = vm.step(true).map_err(vm_err)?.ok_or_else(|| vm_err("no witness"))?;
        let preimage = match &w.preimage {
            Some((key, _, offset)) if key[0] == 1 => Some(PreimageData::Local {
                ident: u64::from_be_bytes(key[24..].try_into().expect("8 bytes")),
                offset: *offset,
            }),
            Some((key, value, offset)) if key[0] == 2 => {
                Some(PreimageData::Keccak { preimage: value.get(8..).unwrap_or_default().to_vec(), offset: *offset })
            }
            Some((key, _, _)) => return Err(vm_err(format!("unsupported preimage key type {}", key[0]))),
            None => None,
        };
        Ok(StepData { pre_state: w.state.to_vec(), proof: w.proof_data, preimage })
    }
}

/// Builds [`MipsTrace`]s for execution sub-games.
#[derive(Clone, Debug)]
pub struct MipsTraceFactory {
    /// The absolute prestate (the loaded program).
    pub prestate: State,
    /// Dishonest factories only: make up states from this step on.
    pub lie_from: Option<u64>,
}

impl VmTraceFactory for MipsTraceFactory {
    type Trace = MipsTrace;
    fn trace_for(&self, inputs: &SubgameInputs) -> Result<MipsTrace, TraceError> {
        MipsTrace::run(self.prestate.clone(), inputs, self.lie_from)
    }
}

/// `MIPS64.step` for the game: the stateless verifier, with the step's preimage part read from the game's
/// oracle under the key localized to the sub-game (as `PreimageOracle.readPreimage` does on chain).
#[derive(Clone, Copy, Debug, Default)]
pub struct MipsStepper;

impl BigStepper for MipsStepper {
    fn step(
        &self,
        state_data: &[u8],
        proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError> {
        let preimage = preimage_for_step(state_data, local_context, oracle, caller);
        rampart_verifier::step(state_data, proof, preimage.as_ref(), local_context.0)
            .map(|o| B256::from(o.post_hash))
            .map_err(|e| VmStepError(e.to_string()))
    }
}

/// The preimage a step may read: the state's current key at its current offset, if the oracle has that part.
/// The value is rebuilt as (8-byte length ‖ data) with the loaded 32-byte part at the offset; the step reads at
/// most 8 bytes there, so the other bytes never matter.
fn preimage_for_step(
    state_data: &[u8],
    local_context: B256,
    oracle: &PreimageOracle,
    caller: Address,
) -> Option<PreimageInput> {
    let key: [u8; 32] = state_data.get(32..64)?.try_into().ok()?;
    let offset = u64::from_be_bytes(state_data.get(64..72)?.try_into().ok()?);
    let oracle_key = B256::from(rampart_verifier::localize_key(key, caller.0 .0, local_context.0));
    let (part, len) = oracle.read_preimage(oracle_key, offset).ok()?;
    let total = usize::try_from(len).ok()?.checked_add(8)?;
    let mut value = vec![0u8; total];
    value[..8].copy_from_slice(&len.to_be_bytes());
    let start = usize::try_from(offset).ok()?.min(total);
    let end = (start + 32).min(total);
    value[start..end].copy_from_slice(&part[..end - start]);
    Some(PreimageInput { key, value, offset })
}

/// The demo's shape: a chain of `blocks` toy blocks after the anchor, `work` keccak rounds each (the MIPS
/// program's `WORK`), a liar whose chain goes wrong from `bug_from`.
#[derive(Clone, Copy, Debug)]
pub struct DemoShape {
    /// keccak rounds per block (must equal the guest's `WORK`).
    pub work: u32,
    /// Anchor block.
    pub anchor_block: u64,
    /// Blocks proposed after the anchor.
    pub blocks: u64,
    /// First block the liar gets wrong.
    pub bug_from: u64,
    /// Split depth.
    pub split_depth: u8,
    /// The liar's execution trace is made up from this step on (`None`: a third into the program).
    pub lie_from: Option<u64>,
    /// Swap roles: the proposer is honest (correct root) and the challenger lies.
    pub honest_proposer: bool,
}

/// Everything `rampart demo` prints.
#[derive(Debug)]
pub struct DemoRun {
    /// Absolute prestate of the program (state hash of the loaded ELF).
    pub absolute_prestate: B256,
    /// Steps of the honest program in the disputed block's sub-game.
    pub program_steps: u64,
    /// Max game depth used.
    pub max_depth: u8,
    /// Outcome with balances.
    pub outcome: GameOutcome,
    /// The game's transcript.
    pub events: Vec<TranscriptEvent>,
}

/// The proposer's address.
pub const PROPOSER: Address = Address::repeat_byte(0xee);
/// The honest challenger's address.
pub const CHALLENGER: Address = Address::repeat_byte(0x11);

/// Plays a whole game over the MIPS64 program: a proposer claims a wrong output root, the honest challenger
/// bisects outputs to the first wrong block and then the program's execution to one instruction, which it proves
/// with a step witness checked by the stateless verifier.
pub fn play(prestate: State, shape: DemoShape) -> Result<DemoRun, String> {
    let mut pre = prestate.clone();
    let absolute_prestate = B256::from(pre.state_hash());
    let anchor_root = rampart_game::toy::toy_output(shape.anchor_block, keccak256(b"rampart demo anchor"));
    let honest_chain = ToyChain::new(anchor_root, shape.anchor_block, shape.blocks, shape.work);
    let liar_chain = ToyChain::new_with(
        anchor_root,
        shape.anchor_block,
        shape.blocks,
        shape.work,
        shape.bug_from,
        Some(ToyBug { round: 1 }),
    );
    // Size the execution half for the program: its trace must fit below the split depth.
    let probe = SubgameInputs {
        local: rampart_primitives::LocalInputs {
            agreed_output_root: honest_chain.outputs[0].0,
            claimed_output_root: honest_chain.outputs[1].0,
            claimed_block_number: shape.anchor_block + 1,
            chain_id: 10,
            ..Default::default()
        },
        starting_block: shape.anchor_block,
        local_context: B256::ZERO,
    };
    let probe_trace = MipsTrace::run(prestate.clone(), &probe, None).map_err(|e| e.to_string())?;
    let program_steps = probe_trace.steps();
    let exec_depth = (64 - program_steps.leading_zeros()) as u8 + 1;
    let max_depth = shape.split_depth + 1 + exec_depth;
    let cfg = GameConfig::small(GameType::CANNON, absolute_prestate, max_depth, shape.split_depth);
    let registry = AnchorStateRegistry::new(anchor_root, shape.anchor_block, cfg.game_type);
    let proposal = shape.anchor_block + shape.blocks;
    let root_chain = if shape.honest_proposer { &honest_chain } else { &liar_chain };
    let root_claim = rampart_game::OutputSource::output_at(root_chain, proposal).map_err(|e| e.to_string())?;
    let init = GameInit {
        creator: PROPOSER,
        root_claim,
        l2_block_number: proposal,
        l1_head: keccak256(b"l1 head"),
        value: cfg.init_bond,
        now: 1_700_000_000,
    };
    let mut game =
        FaultDisputeGame::create(cfg, Arc::new(MipsStepper), registry, init).map_err(|e: GameError| e.to_string())?;
    let honest = SplitTraceAccessor::for_game(
        &game,
        honest_chain,
        VmBottom(MipsTraceFactory { prestate: prestate.clone(), lie_from: None }),
        u64::MAX,
    );
    let lying = SplitTraceAccessor::for_game(
        &game,
        liar_chain,
        VmBottom(MipsTraceFactory { prestate, lie_from: Some(shape.lie_from.unwrap_or(program_steps / 3)) }),
        u64::MAX,
    );
    let (mut challenger, mut proposer) = if shape.honest_proposer {
        (HonestChallenger::new(CHALLENGER, lying), HonestChallenger::new(PROPOSER, honest))
    } else {
        (HonestChallenger::new(CHALLENGER, honest), HonestChallenger::new(PROPOSER, lying))
    };
    let names: BTreeMap<Address, String> =
        [(CHALLENGER, "challenger".to_string()), (PROPOSER, "proposer".to_string())].into_iter().collect();
    let (outcome, events) =
        rampart_game::run_transcript(&mut game, &mut proposer, &mut challenger, &names, RunConfig::default());
    Ok(DemoRun { absolute_prestate, program_steps, max_depth, outcome, events })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rampart_game::GameStatus;

    fn program() -> State {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/rust-toy-program.elf");
        rampart_vm::elf::Elf::parse(&std::fs::read(path).unwrap()).unwrap().load().unwrap()
    }

    /// Games on real MIPS64 traces: liars that diverge at different blocks and at different instructions
    /// (first step, middle, last step), against an honest challenger, and an honest proposer against a lying
    /// challenger. The honest side always wins and never loses money; every step is checked by the verifier.
    #[test]
    fn honest_side_wins_every_game_on_real_vm_traces() {
        let prestate = program();
        let mut games = 0;
        let mut steps_proven = 0;
        let mut claims = 0;
        for honest_proposer in [false, true] {
            for (bug_from, lie_from) in
                [(1001, Some(0)), (1003, Some(1)), (1005, None), (1008, Some(20_000)), (1002, Some(31_133))]
            {
                let shape = DemoShape {
                    work: 3,
                    anchor_block: 1000,
                    blocks: 8,
                    bug_from,
                    split_depth: 3,
                    lie_from,
                    honest_proposer,
                };
                let run = play(prestate.clone(), shape).unwrap();
                let (winner, honest) = if honest_proposer {
                    (GameStatus::DefenderWins, PROPOSER)
                } else {
                    (GameStatus::ChallengerWins, CHALLENGER)
                };
                assert_eq!(run.outcome.status, winner, "{shape:?}");
                assert!(run.outcome.net(honest) >= 0, "{shape:?}: honest side lost money");
                claims += run.outcome.claims;
                steps_proven += run.events.iter().filter(|e| matches!(e, TranscriptEvent::Step { .. })).count();
                games += 1;
            }
        }
        println!(
            "mips games: {games} games on MIPS64 traces ({claims} claims, {steps_proven} VM steps proven by the verifier), \
             0 honest losses"
        );
    }
}
