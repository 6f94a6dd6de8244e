//! The execution trace of the fault-proof program in Rampart's VM, op-challenger style: the program runs once
//! from its absolute prestate with a sub-game's local inputs, keeping a snapshot every `interval` steps; the
//! state hash after step `i` and the proof of step `i` are then computed from the nearest earlier snapshot, so
//! a query costs at most `interval` replayed steps however long the trace is.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use alloy_primitives::{keccak256, B256};
use rampart_game::{OutputSource, StepData, TraceError, VmTrace, VmTraceFactory};
use rampart_primitives::LocalInputs;
use rampart_vm::{State, StepWitness, Vm};

use crate::errors::{AgentError, Result};
use crate::oracle::ProgramOracle;

/// op-challenger's default snapshot frequency is 10^9 steps; the program's traces are tens of millions of steps,
/// so Rampart keeps one every 2^22 (at most about 50 ms of replay per query).
pub const DEFAULT_SNAPSHOT_INTERVAL: u64 = 1 << 22;

/// Steps after which a run that has not exited is declared broken (far above any block's trace here; the
/// game's execution tree of depth 42 would allow 2^42).
pub const DEFAULT_MAX_STEPS: u64 = 4_000_000_000;

/// One complete run of the program for one set of local inputs.
pub struct ProgramRun {
    snapshots: Vec<State>,
    interval: u64,
    last: u64,
    exit_code: u8,
    final_hash: B256,
    oracle: ProgramOracle,
    hashes: RefCell<BTreeMap<u64, B256>>,
    replayed: Cell<u64>,
}

impl std::fmt::Debug for ProgramRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgramRun")
            .field("steps", &self.last)
            .field("exit_code", &self.exit_code)
            .field("snapshots", &self.snapshots.len())
            .finish_non_exhaustive()
    }
}

fn vm_err(e: impl std::fmt::Display) -> AgentError {
    AgentError::Program(e.to_string())
}

fn trace_err(e: AgentError) -> TraceError {
    TraceError::Vm(e.to_string())
}

impl ProgramRun {
    /// Runs the program from `prestate` to its exit, keeping a snapshot every `interval` steps.
    pub fn run(prestate: &State, oracle: ProgramOracle, interval: u64, max_steps: u64) -> Result<Self> {
        let interval = interval.max(1);
        let mut vm = Vm::new(prestate.clone()).with_oracle(Box::new(oracle.clone()));
        let mut snapshots = vec![prestate.clone()];
        while !vm.state.exited {
            if vm.state.step >= max_steps {
                return Err(AgentError::Program(format!("the program did not exit within {max_steps} steps")));
            }
            vm.run(interval.min(max_steps - vm.state.step)).map_err(vm_err)?;
            if !vm.state.exited && vm.state.step.is_multiple_of(interval) {
                snapshots.push(vm.state.clone());
            }
        }
        let last = vm.state.step;
        let final_hash = B256::from(vm.state.state_hash());
        let mut hashes = BTreeMap::new();
        hashes.insert(last, final_hash);
        Ok(Self {
            snapshots,
            interval,
            last,
            exit_code: vm.state.exit_code,
            final_hash,
            oracle,
            hashes: RefCell::new(hashes),
            replayed: Cell::new(0),
        })
    }

    /// Steps until the program exited (its trace repeats the final state after that).
    pub fn steps(&self) -> u64 {
        self.last
    }

    /// The program's exit code (0: the claim is valid, 1: invalid).
    pub fn exit_code(&self) -> u8 {
        self.exit_code
    }

    /// Hash (status byte included) of the final state.
    pub fn final_hash(&self) -> B256 {
        self.final_hash
    }

    /// Snapshots kept (the prestate included).
    pub fn snapshots(&self) -> usize {
        self.snapshots.len()
    }

    /// Steps replayed from snapshots so far to answer queries.
    pub fn replayed_steps(&self) -> u64 {
        self.replayed.get()
    }

    /// A VM at state `n` (`n` steps executed, at most the last), replayed from the nearest snapshot.
    pub fn vm_at(&self, n: u64) -> Result<Vm> {
        let n = n.min(self.last);
        let k = ((n / self.interval) as usize).min(self.snapshots.len() - 1);
        let snap = &self.snapshots[k];
        let mut vm = Vm::new(snap.clone()).with_oracle(Box::new(self.oracle.clone()));
        let todo = n - snap.step;
        vm.run(todo).map_err(vm_err)?;
        self.replayed.set(self.replayed.get() + todo);
        if vm.state.step != n {
            return Err(AgentError::Program(format!("replay to step {n} stopped at step {}", vm.state.step)));
        }
        Ok(vm)
    }

    /// Hash of state `n` (after `n` steps; the final state for `n` past the end).
    pub fn hash_at(&self, n: u64) -> Result<B256> {
        let n = n.min(self.last);
        if let Some(h) = self.hashes.borrow().get(&n) {
            return Ok(*h);
        }
        let h = B256::from(self.vm_at(n)?.state.state_hash());
        self.hashes.borrow_mut().insert(n, h);
        Ok(h)
    }

    /// The witness of the step from state `n` (Cannon's exited-state no-op past the end).
    pub fn witness(&self, n: u64) -> Result<StepWitness> {
        let mut vm = self.vm_at(n)?;
        vm.step(true).map_err(vm_err)?.ok_or_else(|| AgentError::Program(format!("no witness for step {n}")))
    }

    /// The step from state `n` as the game takes it: pre-state, proof, and what must be uploaded first.
    pub fn step_data(&self, n: u64) -> Result<StepData> {
        let w = self.witness(n)?;
        let preimage = match &w.preimage {
            Some((key, value, offset)) => {
                Some(self.oracle.upload_for(key, value, *offset).map_err(AgentError::Program)?)
            }
            None => None,
        };
        Ok(StepData { pre_state: w.state.to_vec(), proof: w.proof_data, preimage })
    }

    /// Scans the run from `from` for the first step that reads the preimage oracle (fd 5) and satisfies
    /// `want(key, preimage length, offset)`; returns its state number (the step's trace index).
    pub fn find_read(&self, from: u64, want: impl Fn(&[u8; 32], u64, u64) -> bool) -> Result<Option<u64>> {
        let mut vm = self.vm_at(from)?;
        while !vm.state.exited {
            vm.run_until_slow(u64::MAX).map_err(vm_err)?;
            if vm.state.exited {
                break;
            }
            let n = vm.state.step;
            vm.step(false).map_err(vm_err)?;
            if let Some((key, len, offset)) = vm.last_preimage_read() {
                if want(&key, len, offset) {
                    return Ok(Some(n));
                }
            }
        }
        Ok(None)
    }
}

/// The key of a run: the local inputs the program reads.
type RunKey = ([u8; 32], [u8; 32], [u8; 32], u64, u64);

/// The program, its data, and every run made so far (one per distinct set of local inputs), shared by all
/// the trace factories of a dispute so that two players asking about the same sub-game run it once.
pub struct ProgramRunner {
    prestate: State,
    absolute_prestate: B256,
    store: Arc<BTreeMap<[u8; 32], Vec<u8>>>,
    rollup_config: Option<Vec<u8>>,
    l1_config: Option<Vec<u8>>,
    /// Snapshot frequency.
    pub interval: u64,
    /// Step limit of a run.
    pub max_steps: u64,
    runs: RefCell<BTreeMap<RunKey, Rc<ProgramRun>>>,
}

impl std::fmt::Debug for ProgramRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgramRunner")
            .field("absolute_prestate", &self.absolute_prestate)
            .field("runs", &self.runs.borrow().len())
            .finish_non_exhaustive()
    }
}

impl ProgramRunner {
    /// A runner of the program loaded in `prestate` over `store`, serving the chain configs as keys 6 and 7.
    pub fn new(
        prestate: State,
        store: Arc<BTreeMap<[u8; 32], Vec<u8>>>,
        rollup_config: Option<Vec<u8>>,
        l1_config: Option<Vec<u8>>,
    ) -> Self {
        let mut p = prestate.clone();
        let absolute_prestate = B256::from(p.state_hash());
        Self {
            prestate,
            absolute_prestate,
            store,
            rollup_config,
            l1_config,
            interval: DEFAULT_SNAPSHOT_INTERVAL,
            max_steps: DEFAULT_MAX_STEPS,
            runs: RefCell::new(BTreeMap::new()),
        }
    }

    /// The absolute prestate hash (what `rampart prestate` prints).
    pub fn absolute_prestate(&self) -> B256 {
        self.absolute_prestate
    }

    /// Distinct program runs made so far.
    pub fn runs(&self) -> usize {
        self.runs.borrow().len()
    }

    /// The run for these inputs (keys 6 and 7 are the runner's), made on first use.
    pub fn run(&self, inputs: &LocalInputs) -> Result<Rc<ProgramRun>> {
        let key = (
            inputs.l1_head,
            inputs.agreed_output_root,
            inputs.claimed_output_root,
            inputs.claimed_block_number,
            inputs.chain_id,
        );
        if let Some(r) = self.runs.borrow().get(&key) {
            return Ok(r.clone());
        }
        let mut inputs = inputs.clone();
        inputs.rollup_config = self.rollup_config.clone();
        inputs.l1_config = self.l1_config.clone();
        let oracle = ProgramOracle::new(&inputs, self.store.clone());
        let run = Rc::new(ProgramRun::run(&self.prestate, oracle, self.interval, self.max_steps)?);
        self.runs.borrow_mut().insert(key, run.clone());
        Ok(run)
    }
}

/// The program's local inputs of an execution sub-game, as the game loads them (keys 1..=5).
pub fn subgame_local_inputs(inputs: &rampart_game::SubgameInputs) -> LocalInputs {
    inputs.local.clone()
}

/// A sub-game's execution trace: the program's run, or (for a dishonest player) that run with made-up states
/// from state `lie_from + 1` on, so that the step at trace index `lie_from` is where it goes wrong.
#[derive(Clone, Debug)]
pub struct ProgramTrace {
    run: Rc<ProgramRun>,
    lie_from: Option<u64>,
    /// Status byte of the dishonest final state.
    lie_status: u8,
}

impl ProgramTrace {
    /// The underlying run.
    pub fn run(&self) -> &ProgramRun {
        &self.run
    }

    fn lie(&self, n: u64) -> B256 {
        let mut h = keccak256([b"rampart dishonest trace".as_slice(), &n.to_be_bytes()].concat());
        // Unfinished while running; at the end the verdict the liar's own output roots call for.
        h.0[0] = if n >= self.run.last { self.lie_status } else { 3 };
        h
    }
}

impl VmTrace for ProgramTrace {
    fn state_hash_after(&self, step: u64) -> Result<B256, TraceError> {
        let n = step.saturating_add(1).min(self.run.last);
        if self.lie_from.is_some_and(|from| n > from.min(self.run.last.saturating_sub(1))) {
            return Ok(self.lie(n));
        }
        self.run.hash_at(n).map_err(trace_err)
    }

    fn step_proof(&self, step: u64) -> Result<StepData, TraceError> {
        self.run.step_data(step).map_err(trace_err)
    }
}

/// Where a dishonest execution trace starts lying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LieAt {
    /// At this trace index (clamped to the last step).
    Step(u64),
    /// At this fraction of the run (numerator, denominator).
    Fraction(u64, u64),
    /// At the last step.
    Last,
}

impl LieAt {
    fn index(self, steps: u64) -> u64 {
        let last = steps.saturating_sub(1);
        match self {
            LieAt::Step(i) => i.min(last),
            LieAt::Fraction(a, b) => ((u128::from(steps) * u128::from(a) / u128::from(b.max(1))) as u64).min(last),
            LieAt::Last => last,
        }
    }
}

/// Builds [`ProgramTrace`]s for the game's execution sub-games.
#[derive(Clone)]
pub struct ProgramTraceFactory {
    runner: Rc<ProgramRunner>,
    lie: Option<(LieAt, Rc<dyn OutputSource>)>,
}

impl std::fmt::Debug for ProgramTraceFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProgramTraceFactory").field("lie", &self.lie.as_ref().map(|l| l.0)).finish_non_exhaustive()
    }
}

impl ProgramTraceFactory {
    /// The honest trace.
    pub fn honest(runner: Rc<ProgramRunner>) -> Self {
        Self { runner, lie: None }
    }

    /// A dishonest trace that goes wrong at `lie` and ends with the verdict the liar's `outputs` call for
    /// (VALID iff the disputed output root is the liar's own), so its claims pass the game's exec-root checks.
    pub fn lying(runner: Rc<ProgramRunner>, lie: LieAt, outputs: Rc<dyn OutputSource>) -> Self {
        Self { runner, lie: Some((lie, outputs)) }
    }
}

impl VmTraceFactory for ProgramTraceFactory {
    type Trace = ProgramTrace;

    fn trace_for(&self, inputs: &rampart_game::SubgameInputs) -> Result<ProgramTrace, TraceError> {
        let run = self.runner.run(&subgame_local_inputs(inputs)).map_err(trace_err)?;
        let Some((lie, outputs)) = &self.lie else {
            return Ok(ProgramTrace { run, lie_from: None, lie_status: 0 });
        };
        let believes_valid = outputs.output_at(inputs.disputed_block()).is_ok_and(|o| o == inputs.disputed_output());
        Ok(ProgramTrace { lie_from: Some(lie.index(run.last)), run, lie_status: if believes_valid { 0 } else { 1 } })
    }
}
