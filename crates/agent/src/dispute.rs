//! Whole disputes over a recorded devnet: a game at the deployed shape (max depth 73, split depth 30) whose
//! top half is op-geth's output roots from the dataset and whose execution sub-games run the fault-proof
//! program in Rampart's VM, played by the honest challenger against a liar, resolved, with credits claimed.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use alloy_primitives::{Address, B256};
use rampart_game::{
    Action, AnchorStateRegistry, FaultDisputeGame, GameConfig, GameError, GameInit, GameOutcome, GameStatus, GameType,
    HonestChallenger, OracleError, OutputSource, Player, PreimageData, RunConfig, SplitTraceAccessor, StepData,
    TraceAccessor, TraceError, TranscriptEvent, VmBottom,
};
use rampart_primitives::{keccak256_preimage_key, localize_ident};
use rampart_vm::State;

use crate::dataset::DevnetData;
use crate::errors::{AgentError, Result};
use crate::program::{LieAt, ProgramRunner, ProgramTraceFactory};
use crate::stepper::MipsStepper;

/// The proposer's address.
pub const PROPOSER: Address = Address::repeat_byte(0xee);
/// The challenger's address.
pub const CHALLENGER: Address = Address::repeat_byte(0x11);

/// Output roots per block from the dataset; a dishonest source flips the last byte of every root from
/// `wrong_from` on (how the recorder makes its invalid claims).
#[derive(Clone, Debug)]
pub struct DatasetOutputs {
    outputs: Arc<BTreeMap<u64, B256>>,
    wrong_from: Option<u64>,
}

impl DatasetOutputs {
    /// op-geth's output roots.
    pub fn honest(data: &DevnetData) -> Self {
        Self {
            outputs: Arc::new(data.blocks().filter_map(|b| Some((b, data.output_at(b)?))).collect()),
            wrong_from: None,
        }
    }

    /// Wrong from block `from` on.
    pub fn wrong_from(data: &DevnetData, from: u64) -> Self {
        Self { wrong_from: Some(from), ..Self::honest(data) }
    }
}

/// The wrong output root the dataset's invalid claims use: the last byte flipped.
pub fn flipped(root: B256) -> B256 {
    let mut r = root;
    r.0[31] ^= 0xff;
    r
}

impl OutputSource for DatasetOutputs {
    fn output_at(&self, block: u64) -> Result<B256, TraceError> {
        let root = *self
            .outputs
            .get(&block)
            .ok_or_else(|| TraceError::Vm(format!("the dataset has no output root for L2 block {block}")))?;
        Ok(if self.wrong_from.is_some_and(|w| block >= w) { flipped(root) } else { root })
    }
}

/// Which side lies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Liar {
    /// The proposer posts a wrong output root; the honest challenger must win.
    Proposer,
    /// The proposer is right; a challenger disputes it with wrong roots and must lose.
    Challenger,
}

/// One dispute to play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    /// Anchor (starting) L2 block.
    pub anchor_block: u64,
    /// The proposal's L2 block.
    pub proposal_block: u64,
    /// The first block whose output root the liar gets wrong.
    pub first_wrong_block: u64,
    /// The lying side.
    pub liar: Liar,
    /// Where the liar's execution trace of the disputed block goes wrong.
    pub lie_at: LieAt,
    /// `MAX_GAME_DEPTH` (deployed: 73; split depth 30). Leaves at odd depths belong to the challenger's team, so
    /// with 73 a lying proposer is the one that must step (and cannot); with an even depth the challenger steps.
    pub max_depth: u8,
}

/// The deployed `MAX_GAME_DEPTH`.
pub const DEPLOYED_MAX_DEPTH: u8 = 73;

/// A step a player sent, with what it uploaded first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRecord {
    /// Who stepped.
    pub who: Address,
    /// The leaf countered.
    pub leaf_index: usize,
    /// Attack or defend step.
    pub is_attack: bool,
    /// Pre-state, proof and preimage.
    pub data: StepData,
}

/// A player that acts as op-challenger does (the solver's moves and steps, uploading a step's preimage first,
/// resolving expired claims bottom-up) and records its steps.
pub struct Agent<A> {
    /// The solver.
    pub solver: HonestChallenger<A>,
    /// Steps sent.
    pub steps: Vec<StepRecord>,
    /// Actions the game rejected.
    pub rejected: Vec<(Action, String)>,
    /// Trace failures.
    pub trace_failures: Vec<String>,
}

impl<A> std::fmt::Debug for Agent<A> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Agent").field("steps", &self.steps.len()).field("rejected", &self.rejected.len()).finish()
    }
}

impl<A: TraceAccessor> Agent<A> {
    /// An agent sending from `address` with `accessor` as its trace.
    pub fn new(address: Address, accessor: A) -> Self {
        Self {
            solver: HonestChallenger::new(address, accessor),
            steps: Vec::new(),
            rejected: Vec::new(),
            trace_failures: Vec::new(),
        }
    }
}

impl<A: TraceAccessor> Player for Agent<A> {
    fn address(&self) -> Address {
        self.solver.address()
    }

    fn act(&mut self, game: &mut FaultDisputeGame) -> usize {
        if game.status() != GameStatus::InProgress {
            return 0;
        }
        let actions = match self.solver.calculate_actions(game) {
            Ok(a) => a,
            Err(e) => {
                self.trace_failures.push(e.to_string());
                return 0;
            }
        };
        let mut n = 0;
        for a in actions {
            match self.solver.execute(game, &a) {
                Ok(()) => {
                    n += 1;
                    if let Action::Step { leaf_index, is_attack, data } = &a {
                        let rec = StepRecord {
                            who: self.address(),
                            leaf_index: *leaf_index,
                            is_attack: *is_attack,
                            data: data.clone(),
                        };
                        self.steps.push(rec);
                    }
                }
                // A large preimage proposal in its challenge period: the step is sent in a later round.
                Err(GameError::Oracle(OracleError::Lpp(rampart_game::LPP_PENDING))) => n += 1,
                Err(e) => self.rejected.push((a, e.to_string())),
            }
        }
        n
    }

    fn resolve(&mut self, game: &mut FaultDisputeGame) -> usize {
        self.solver.resolve_pass(game)
    }
}

type Accessor = SplitTraceAccessor<DatasetOutputs, VmBottom<ProgramTraceFactory>>;

/// The result of one dispute.
#[derive(Debug)]
pub struct DisputeRun {
    /// What was played.
    pub scenario: Scenario,
    /// Absolute prestate of the program.
    pub absolute_prestate: B256,
    /// Max game depth and split depth.
    pub depths: (u8, u8),
    /// Status, rounds, claims and balances.
    pub outcome: GameOutcome,
    /// The game's transcript.
    pub events: Vec<TranscriptEvent>,
    /// Per claim (by index): whether its value is the honest trace's at its position.
    pub truth: Vec<bool>,
    /// Steps sent by the honest side.
    pub honest_steps: Vec<StepRecord>,
    /// Steps sent by the liar (it never has a valid one).
    pub liar_steps: Vec<StepRecord>,
    /// Actions of the honest side the game rejected (should be none).
    pub honest_rejected: Vec<String>,
    /// Trace failures of the honest side (should be none).
    pub honest_trace_failures: Vec<String>,
    /// Actions of the liar the game rejected.
    pub liar_rejected: usize,
    /// The honest run of the disputed block's sub-game, if the game went below the split depth:
    /// (steps, exit code, disputed block).
    pub disputed_run: Option<(u64, u8, u64)>,
    /// Distinct program runs made.
    pub program_runs: usize,
    /// The game's address (caller of `MIPS64.step`).
    pub game_address: Address,
    /// The local context of the disputed sub-game (for the step's localized keys).
    pub local_context: Option<B256>,
}

impl DisputeRun {
    /// The address of the honest side.
    pub fn honest(&self) -> Address {
        match self.scenario.liar {
            Liar::Proposer => CHALLENGER,
            Liar::Challenger => PROPOSER,
        }
    }

    /// The status the honest side must reach.
    pub fn expected_status(&self) -> GameStatus {
        match self.scenario.liar {
            Liar::Proposer => GameStatus::ChallengerWins,
            Liar::Challenger => GameStatus::DefenderWins,
        }
    }
}

/// Plays `scenario` over `data` with the program loaded in `runner`.
pub fn play(data: &DevnetData, runner: Rc<ProgramRunner>, scenario: Scenario) -> Result<DisputeRun> {
    let s = scenario;
    if !(s.anchor_block < s.first_wrong_block && s.first_wrong_block <= s.proposal_block) {
        return Err(AgentError::Game(format!("need anchor < first wrong block <= proposal block, got {s:?}")));
    }
    let anchor_root = data
        .output_at(s.anchor_block)
        .ok_or_else(|| AgentError::Dataset(format!("no output root for anchor block {}", s.anchor_block)))?;
    let l1_head = data
        .l1_head_for(s.proposal_block)
        .ok_or_else(|| AgentError::Dataset(format!("no valid claim for block {}", s.proposal_block)))?;
    let mut cfg = GameConfig::op_mainnet(GameType::CANNON_KONA, runner.absolute_prestate());
    cfg.l2_chain_id = data.chain_id;
    if s.max_depth != cfg.max_game_depth {
        cfg.max_game_depth = s.max_depth;
        cfg.init_bond = rampart_game::bond::required_bond(rampart_game::Position::ROOT, s.max_depth)
            .map_err(|e| AgentError::Game(e.to_string()))?;
    }
    let game_address = cfg.address;
    let registry = AnchorStateRegistry::new(anchor_root, s.anchor_block, cfg.game_type);
    let honest_out = DatasetOutputs::honest(data);
    let liar_out = DatasetOutputs::wrong_from(data, s.first_wrong_block);
    let proposer_out = if s.liar == Liar::Proposer { &liar_out } else { &honest_out };
    let root_claim = proposer_out.output_at(s.proposal_block).map_err(|e| AgentError::Dataset(e.to_string()))?;
    let init = GameInit {
        creator: PROPOSER,
        root_claim,
        l2_block_number: s.proposal_block,
        l1_head,
        value: cfg.init_bond,
        now: 1_700_000_000,
    };
    let (max, split) = (cfg.max_game_depth, cfg.split_depth);
    let mut game = FaultDisputeGame::create(cfg, Arc::new(MipsStepper), registry, init)
        .map_err(|e| AgentError::Game(e.to_string()))?;
    let honest_acc: Accessor = SplitTraceAccessor::for_game(
        &game,
        honest_out.clone(),
        VmBottom(ProgramTraceFactory::honest(runner.clone())),
        u64::MAX,
    );
    let liar_bottom = ProgramTraceFactory::lying(runner.clone(), s.lie_at, Rc::new(liar_out.clone()));
    let liar_acc: Accessor = SplitTraceAccessor::for_game(&game, liar_out, VmBottom(liar_bottom), u64::MAX);
    let (honest_addr, liar_addr) = match s.liar {
        Liar::Proposer => (CHALLENGER, PROPOSER),
        Liar::Challenger => (PROPOSER, CHALLENGER),
    };
    let mut honest = Agent::new(honest_addr, honest_acc);
    let mut liar = Agent::new(liar_addr, liar_acc);
    let names: BTreeMap<Address, String> = [
        (CHALLENGER, if s.liar == Liar::Challenger { "challenger (lying)" } else { "challenger (honest)" }.to_string()),
        (PROPOSER, if s.liar == Liar::Proposer { "proposer (lying)" } else { "proposer (honest)" }.to_string()),
    ]
    .into_iter()
    .collect();
    let outcome = {
        let (first, second): (&mut dyn Player, &mut dyn Player) = match s.liar {
            Liar::Proposer => (&mut honest, &mut liar),
            Liar::Challenger => (&mut liar, &mut honest),
        };
        rampart_game::run_game(&mut game, &mut [first, second], RunConfig::default())
    };
    let events = rampart_game::transcript(&game, &names);
    let acc = honest.solver.accessor();
    let mut truth = Vec::with_capacity(game.claim_data_len());
    for (i, c) in game.claims().iter().enumerate() {
        truth.push(acc.get(&game, i, c.position).map_err(|e| AgentError::Game(e.to_string()))? == c.claim);
    }
    // The disputed sub-game: the one the last honest step (or the deepest claim) sits in.
    let deepest =
        game.claims().iter().enumerate().max_by_key(|(_, c)| c.position.depth()).map(|(i, c)| (i, c.position));
    let (mut disputed_run, mut local_context) = (None, None);
    if let Some((i, pos)) = deepest.filter(|(_, p)| p.depth() > split) {
        let inputs = acc.local_inputs(&game, i, pos).map_err(|e| AgentError::Game(e.to_string()))?;
        let run = runner.run(&crate::program::subgame_local_inputs(&inputs))?;
        disputed_run = Some((run.steps(), run.exit_code(), inputs.disputed_block()));
        local_context = Some(inputs.local_context);
    }
    Ok(DisputeRun {
        scenario,
        absolute_prestate: runner.absolute_prestate(),
        depths: (max, split),
        outcome,
        events,
        truth,
        honest_steps: honest.steps,
        liar_steps: liar.steps,
        honest_rejected: honest.rejected.iter().map(|(a, e)| format!("{a:?}: {e}")).collect(),
        honest_trace_failures: honest.trace_failures,
        liar_rejected: liar.rejected.len(),
        disputed_run,
        program_runs: runner.runs(),
        game_address,
        local_context,
    })
}

/// A printable description of what a step uploaded and which oracle key `MIPS64.step` reads.
pub fn describe_preimage(p: &Option<PreimageData>, game: Address, local_context: Option<B256>) -> String {
    match p {
        None => "reads no preimage".to_string(),
        Some(PreimageData::Local { ident, offset }) => {
            let key = local_context.map(|c| B256::from(localize_ident(*ident, &game.0 .0, &c.0)));
            format!(
                "reads local key {ident} at offset {offset}: uploaded with addLocalData({ident}, leaf, {offset}), read by MIPS64 as localized key {}",
                key.map_or_else(|| "?".to_string(), |k| k.to_string())
            )
        }
        Some(PreimageData::Keccak { preimage, offset }) => format!(
            "reads the {}-byte keccak256 preimage {} at offset {offset}: uploaded with loadKeccak256PreimagePart({offset}, preimage); MIPS64 reads only the 32-byte part",
            preimage.len(),
            B256::from(keccak256_preimage_key(preimage))
        ),
        Some(PreimageData::Sha256 { preimage, offset }) => format!(
            "reads the {}-byte sha256 preimage at offset {offset}: uploaded with loadSha256PreimagePart",
            preimage.len()
        ),
        Some(PreimageData::Blob { z, offset, .. }) => format!(
            "reads a blob field element (z = {z}) at offset {offset}: uploaded with loadBlobPreimagePart and a KZG proof"
        ),
        Some(PreimageData::Precompile { precompile, offset, .. }) => format!(
            "reads precompile {precompile}'s result at offset {offset}: uploaded with loadPrecompilePreimagePart"
        ),
    }
}

/// The transcript with each claim marked true or false, the switch from output roots to the execution trace
/// (with each claim's trace index within its sub-game), each step's upload and the verifier's verdict, and the
/// bottom-up resolution summarized.
pub fn render(run: &DisputeRun) -> Vec<String> {
    let (max, split) = run.depths;
    let exec_depth = max - split - 1;
    let mut out = Vec::new();
    let mut switched = false;
    let mut resolved: Vec<(usize, String, bool)> = Vec::new();
    let flush = |resolved: &mut Vec<(usize, String, bool)>, out: &mut Vec<String>| {
        if resolved.is_empty() {
            return;
        }
        let countered = resolved.iter().filter(|r| r.2).count();
        let mut to: BTreeMap<&str, usize> = BTreeMap::new();
        for r in resolved.iter() {
            *to.entry(r.1.as_str()).or_default() += 1;
        }
        let to: Vec<String> = to.iter().map(|(w, n)| format!("{n} to {w}")).collect();
        out.push(format!(
            "resolve  {} subgames bottom-up (#{} first, #{} last): {countered} countered, {} stand; bonds: {}",
            resolved.len(),
            resolved[0].0,
            resolved[resolved.len() - 1].0,
            resolved.len() - countered,
            to.join(", ")
        ));
        resolved.clear();
    };
    for e in &run.events {
        if let TranscriptEvent::ClaimResolved { index, recipient, countered } = e {
            resolved.push((*index, recipient.clone(), *countered));
            continue;
        }
        flush(&mut resolved, &mut out);
        let mark = |i: usize| if run.truth.get(i).copied().unwrap_or(false) { "[true]" } else { "[FALSE]" };
        match e {
            TranscriptEvent::Move { index, depth, trace_index, .. } => {
                if *depth > split && !switched {
                    switched = true;
                    if let Some((steps, code, block)) = run.disputed_run {
                        out.push(format!(
                            "--- depth {split} reached: the output bisection found the disputed L2 block {block}; the execution trace \
                             begins. Below depth {split} every claim is the hash of a MIPS64 state of rampart-program.elf running \
                             block {block} from the absolute prestate with this sub-game's local inputs: sub-game trace index i \
                             commits to the state after i+1 instructions, its first byte the VM status (3 running, 0 exited \
                             valid, 1 exited invalid). The honest run takes {steps} steps and exits {code} (later indices \
                             repeat the final state). ---"
                        ));
                    }
                }
                let sub = if *depth > split {
                    format!(", sub-game trace index {}", trace_index & ((1u128 << exec_depth) - 1))
                } else {
                    String::new()
                };
                out.push(format!("{e}{sub}  {}", mark(*index)));
            }
            TranscriptEvent::Created { .. } => out.push(format!("{e}  {}", mark(0))),
            TranscriptEvent::Step { leaf_index, vm_post_state, .. } => {
                out.push(e.to_string());
                if let Some(s) = run.honest_steps.iter().chain(&run.liar_steps).find(|s| s.leaf_index == *leaf_index) {
                    out.push(format!(
                        "         the step {}",
                        describe_preimage(&s.data.preimage, run.game_address, run.local_context)
                    ));
                    out.push(format!(
                        "         verifier accepted the step: MIPS64.step(stateData, proof, localContext) returned {vm_post_state}, \
                         which proves leaf #{leaf_index} wrong ({} step), so it is countered",
                        if s.is_attack { "attack" } else { "defend" }
                    ));
                }
            }
            _ => out.push(e.to_string()),
        }
    }
    flush(&mut resolved, &mut out);
    out
}

/// The fault-proof program bundled in the binary, loaded as the VM's absolute prestate.
pub fn program_prestate(elf: &[u8]) -> Result<State> {
    let elf = rampart_vm::elf::Elf::parse(elf).map_err(|e| AgentError::Program(e.to_string()))?;
    elf.load().map_err(|e| AgentError::Program(e.to_string()))
}

/// A runner of the program over the dataset's store and configs.
pub fn runner(data: &DevnetData, prestate: State) -> Rc<ProgramRunner> {
    Rc::new(ProgramRunner::new(
        prestate,
        data.preimages.clone(),
        Some(data.rollup_config.clone()),
        Some(data.l1_config.clone()),
    ))
}
