//! The instrumented VM: executes steps on a [`State`], talks to the preimage oracle and writes step witnesses.

use crate::alu;
use crate::arch::{self, fd, sign_extend, sys, EAGAIN, EBADF, EINVAL, SYS_ERROR_SIGNAL};
use crate::error::VmError;
use crate::interp;
use crate::memory::{Memory, MEM_PROOF_SIZE};
use crate::state::{State, ThreadState, STATE_WITNESS_SIZE, THREAD_WITNESS_SIZE};
use std::io::Write;

/// Size of the proof data of a step witness: thread witness + three memory proofs.
pub const PROOF_DATA_SIZE: usize = THREAD_WITNESS_SIZE + 32 + 3 * MEM_PROOF_SIZE;

/// Largest single guest write to stdout/stderr/hints the host buffers (bytes).
pub const MAX_GUEST_WRITE: u64 = 256 << 20;

/// Where the VM gets preimages and sends hints (the host side of fds 3-6).
pub trait PreimageOracle {
    /// Delivers one complete hint (without its length prefix).
    fn hint(&mut self, hint: &[u8]) -> Result<(), String>;
    /// Returns the preimage of `key` (without the length prefix).
    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String>;
}

/// An oracle with no preimages: hints are ignored, every preimage request fails.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOracle;

impl PreimageOracle for NoOracle {
    fn hint(&mut self, _hint: &[u8]) -> Result<(), String> {
        Ok(())
    }
    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String> {
        Err(format!("no preimage oracle configured (key 0x{})", hex::encode(key)))
    }
}

/// An in-memory oracle over a map of raw keys to values (used by tests and native runs).
#[derive(Debug, Default, Clone)]
pub struct MapOracle {
    /// Preimages by raw 32-byte key.
    pub preimages: std::collections::BTreeMap<[u8; 32], Vec<u8>>,
    /// Every hint received, in order.
    pub hints: Vec<Vec<u8>>,
}

impl PreimageOracle for MapOracle {
    fn hint(&mut self, hint: &[u8]) -> Result<(), String> {
        self.hints.push(hint.to_vec());
        Ok(())
    }
    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String> {
        self.preimages.get(&key).cloned().ok_or_else(|| format!("missing preimage for key 0x{}", hex::encode(key)))
    }
}

/// Everything needed to prove one step on chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepWitness {
    /// The 188-byte pre-state witness.
    pub state: [u8; STATE_WITNESS_SIZE],
    /// The pre-state hash (status byte applied).
    pub state_hash: [u8; 32],
    /// Thread witness, instruction proof and two memory proofs (6090 bytes).
    pub proof_data: Vec<u8>,
    /// Preimage key, value (with 8-byte length prefix) and offset if the step read fd 5.
    pub preimage: Option<([u8; 32], Vec<u8>, u64)>,
}

/// Cannon's eager instruction cache covers `[0, 128 MiB)`: fetches at or above it count as misses in
/// `--debug-info` (upstream decodes that region once when the VM starts; Rampart only reports the figure).
pub const ICACHE_LIMIT: u64 = 128 << 20;

/// Threads whose last `ll` step Cannon remembers (an LRU of this size) for `max_steps_between_ll_and_sc`.
const LL_STEP_CACHE: usize = 5;

/// Counters reported by `--debug-info`, computed as Cannon's stats tracker does.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugStats {
    /// Distinct preimages fetched from the oracle.
    pub num_preimage_requests: u64,
    /// Their total size.
    pub total_preimage_size: u64,
    /// Successful sc/scd.
    pub rmw_success_count: u64,
    /// Failed sc/scd.
    pub rmw_fail_count: u64,
    /// Stores that hit the reserved word (`llAddress & ~7`), whether or not a reservation was held (as Cannon).
    pub reservation_invalidation_count: u64,
    /// Forced preemptions.
    pub forced_preemption_count: u64,
    /// Instruction fetches at or above [`ICACHE_LIMIT`].
    pub instruction_cache_miss_count: u64,
    /// Highest pc of such a fetch.
    pub highest_icache_miss_pc: u64,
    /// Longest distance in steps from a thread's `ll`/`lld` to its next `sc`/`scd`.
    pub max_steps_between_ll_and_sc: u64,
    /// Steps during which thread 0 was not the active thread (measured at preemptions, as Cannon).
    pub idle_step_count_thread_0: u64,
    /// (thread id, step of its last ll), least recently used first, at most [`LL_STEP_CACHE`] entries.
    last_ll_step: Vec<(u64, u64)>,
    /// The thread the tracker last saw activated by a preemption (Cannon starts it at 0).
    active_thread_id: u64,
    /// Step at which thread 0 was last preempted away.
    last_active_step_thread0: u64,
}

impl DebugStats {
    /// An `ll`/`lld` by `thread` at `step` (the step counter after its increment).
    fn track_ll(&mut self, thread: u64, step: u64) {
        self.last_ll_step.retain(|&(t, _)| t != thread);
        if self.last_ll_step.len() == LL_STEP_CACHE {
            self.last_ll_step.remove(0);
        }
        self.last_ll_step.push((thread, step));
    }

    /// An `sc`/`scd` by `thread` at `step`: closes the thread's ll-sc distance, if its ll is remembered.
    fn track_sc(&mut self, thread: u64, step: u64, success: bool) {
        if success {
            self.rmw_success_count += 1;
        } else {
            self.rmw_fail_count += 1;
        }
        if let Some(i) = self.last_ll_step.iter().position(|&(t, _)| t == thread) {
            let (_, ll) = self.last_ll_step.remove(i);
            self.max_steps_between_ll_and_sc = self.max_steps_between_ll_and_sc.max(step.wrapping_sub(ll));
        }
    }

    /// `count` instruction fetches ending at `last_pc`, all on one page at or above [`ICACHE_LIMIT`].
    #[cold]
    fn track_icache_misses(&mut self, count: u64, last_pc: u64) {
        self.instruction_cache_miss_count += count;
        self.highest_icache_miss_pc = self.highest_icache_miss_pc.max(last_pc);
    }

    /// A preemption made `thread` active at `step`.
    fn track_thread_activated(&mut self, thread: u64, step: u64) {
        if self.active_thread_id == 0 && thread != 0 {
            self.last_active_step_thread0 = step;
        } else if self.active_thread_id != 0 && thread == 0 {
            self.idle_step_count_thread_0 += step.wrapping_sub(self.last_active_step_thread0);
        }
        self.active_thread_id = thread;
    }
}

#[derive(Clone, Debug)]
struct MemTracker {
    enabled: bool,
    last_access: u64,
    proof: [u8; MEM_PROOF_SIZE],
    proof2: [u8; MEM_PROOF_SIZE],
}

impl MemTracker {
    #[inline(always)]
    fn track(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled && self.last_access != addr {
            debug_assert!(self.last_access == u64::MAX, "two different memory accesses in one step");
            self.last_access = addr;
            self.proof = mem.merkle_proof(addr);
        }
    }

    fn track2(&mut self, mem: &mut Memory, addr: u64) {
        if self.enabled {
            self.last_access = addr;
            self.proof2 = mem.merkle_proof(addr);
        }
    }
}

/// A running VM: state plus oracle, output streams and proof tracking.
pub struct Vm {
    /// The VM state.
    pub state: State,
    oracle: Box<dyn PreimageOracle>,
    stdout: Box<dyn Write>,
    stderr: Box<dyn Write>,
    tracker: MemTracker,
    last_preimage_key: [u8; 32],
    last_preimage: Option<Vec<u8>>,
    last_preimage_offset: Option<u64>,
    /// Debug counters.
    pub stats: DebugStats,
    /// Pre-decoded code pages for the fast loop.
    code: interp::CodeCache,
    /// Whether basic blocks run as translated host code (see [`Vm::set_translation`]).
    translate: bool,
    /// The translator, created on the first block that runs translated.
    jit: JitSlot,
    /// Interpreted runs of a block before it is translated (see [`Vm::set_translation_threshold`]).
    translation_threshold: u8,
}

/// Environment variable that turns translation to host code off (`0`, `off`, `false` or `no`).
pub const TRANSLATION_ENV: &str = "RAMPART_JIT";

/// Default of [`Vm::set_translation_threshold`].
pub const DEFAULT_TRANSLATION_THRESHOLD: u8 = 8;

/// Whether this build can translate to host code (x86-64 Unix hosts).
pub const TRANSLATION_SUPPORTED: bool = cfg!(all(target_arch = "x86_64", unix));

fn translation_default() -> bool {
    let off = std::env::var(TRANSLATION_ENV).is_ok_and(|v| matches!(v.as_str(), "0" | "off" | "false" | "no"));
    TRANSLATION_SUPPORTED && !off
}

impl std::fmt::Debug for Vm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vm").field("step", &self.state.step).field("exited", &self.state.exited).finish()
    }
}

/// A store to the reserved word clears the LL reservation (and is counted, held or not), as in Cannon.
#[inline(always)]
pub(crate) fn clear_reservation_on_store(
    store_addr: u64,
    ll_address: &mut u64,
    ll_reservation_status: &mut u8,
    ll_owner_thread: &mut u64,
    stats: &mut DebugStats,
) {
    if store_addr == *ll_address & arch::ADDRESS_MASK {
        stats.reservation_invalidation_count += 1;
        *ll_reservation_status = 0;
        *ll_address = 0;
        *ll_owner_thread = 0;
    }
}

#[inline(always)]
fn active_thread(state: &mut State) -> &mut ThreadState {
    let stack = if state.traverse_right { &mut state.right_thread_stack } else { &mut state.left_thread_stack };
    stack.last_mut().expect("active thread stack checked non-empty")
}

/// Writes a register unless it is r0, then advances pc.
#[inline(always)]
fn write_rd_and_advance(t: &mut ThreadState, rd: usize, value: u64, cond: bool) {
    if rd != 0 && cond {
        t.regs[rd] = value;
    }
    t.pc = t.next_pc;
    t.next_pc = t.next_pc.wrapping_add(4);
}

#[inline(always)]
fn jump(t: &mut ThreadState, link: usize, dest: u64) -> Result<(), VmError> {
    if t.next_pc != t.pc.wrapping_add(4) {
        return Err(VmError::JumpInDelaySlot);
    }
    let prev = t.pc;
    t.pc = t.next_pc;
    t.next_pc = dest;
    if link != 0 {
        t.regs[link] = prev.wrapping_add(8);
    }
    Ok(())
}

impl Vm {
    /// Creates a VM over `state` with no oracle and output discarded.
    pub fn new(state: State) -> Self {
        Self {
            state,
            oracle: Box::new(NoOracle),
            stdout: Box::new(std::io::sink()),
            stderr: Box::new(std::io::sink()),
            tracker: MemTracker {
                enabled: false,
                last_access: u64::MAX,
                proof: [0; MEM_PROOF_SIZE],
                proof2: [0; MEM_PROOF_SIZE],
            },
            last_preimage_key: [0; 32],
            last_preimage: None,
            last_preimage_offset: None,
            stats: DebugStats::default(),
            code: interp::CodeCache::default(),
            translate: translation_default(),
            jit: None,
            translation_threshold: DEFAULT_TRANSLATION_THRESHOLD,
        }
    }

    /// Turns translation of basic blocks to host code on or off (on by default where supported, unless
    /// [`TRANSLATION_ENV`] says otherwise). Results are identical either way; the interpreter is the reference.
    pub fn set_translation(&mut self, on: bool) {
        self.translate = on && TRANSLATION_SUPPORTED;
    }

    /// With translation on, how many times a basic block runs through the interpreter before it is translated
    /// (0: translated before its first run). Blocks that run only a few times cost more to translate than to
    /// interpret; results are identical for every threshold.
    pub fn set_translation_threshold(&mut self, runs: u8) {
        self.translation_threshold = runs;
    }

    /// Whether basic blocks run translated.
    pub fn translation(&self) -> bool {
        self.translate
    }

    /// Blocks translated to host code so far (0 when translation is off).
    pub fn blocks_translated(&self) -> u64 {
        #[cfg(all(target_arch = "x86_64", unix))]
        if let Some(j) = &self.jit {
            return j.blocks_translated;
        }
        0
    }

    /// Sets the preimage oracle.
    pub fn with_oracle(mut self, oracle: Box<dyn PreimageOracle>) -> Self {
        self.oracle = oracle;
        self
    }

    /// Sets where guest stdout and stderr go.
    pub fn with_output(mut self, stdout: Box<dyn Write>, stderr: Box<dyn Write>) -> Self {
        self.stdout = stdout;
        self.stderr = stderr;
        self
    }

    /// The preimage read by the last [`Vm::step`], if any: (key, preimage length, offset).
    pub fn last_preimage_read(&self) -> Option<([u8; 32], u64, u64)> {
        let offset = self.last_preimage_offset?;
        let value = self.last_preimage.as_ref()?;
        Some((self.last_preimage_key, value.len() as u64 - 8, offset))
    }

    /// Flushes guest output streams.
    pub fn flush_output(&mut self) -> Result<(), VmError> {
        self.stdout.flush().map_err(|e| VmError::Output(e.to_string()))?;
        self.stderr.flush().map_err(|e| VmError::Output(e.to_string()))
    }

    /// Executes one step; with `proof`, returns the witness that proves it on chain.
    pub fn step(&mut self, proof: bool) -> Result<Option<StepWitness>, VmError> {
        let (result, witness) = self.step_inner(proof);
        result.map(|()| witness)
    }

    /// Executes one step with its witness, also when the step faults: then the witness is what a challenger hands
    /// `MIPS64.step` to show that the contract reverts on this step too (pre-state, thread and instruction proofs,
    /// and the memory proofs gathered before the fault). `None` only when there is no thread to prove.
    pub fn step_with_witness(&mut self) -> (Result<(), VmError>, Option<StepWitness>) {
        self.step_inner(true)
    }

    fn step_inner(&mut self, proof: bool) -> (Result<(), VmError>, Option<StepWitness>) {
        self.last_preimage_offset = None;
        self.tracker.enabled = proof;
        self.tracker.last_access = u64::MAX;
        let mut witness = None;
        if proof {
            let Some(pc) = self.state.current_thread().map(|t| t.pc) else {
                return (Err(VmError::EmptyThreadStack), None);
            };
            let mut proof_data = Vec::with_capacity(PROOF_DATA_SIZE);
            proof_data.extend_from_slice(&self.state.thread_proof());
            proof_data.extend_from_slice(&self.state.memory.merkle_proof(pc));
            let state = self.state.encode_witness();
            let state_hash = crate::state::state_hash_from_witness(&state);
            witness = Some(StepWitness { state, state_hash, proof_data, preimage: None });
        }
        let result = self.mips_step();
        if let Some(w) = witness.as_mut() {
            w.proof_data.extend_from_slice(&self.tracker.proof);
            w.proof_data.extend_from_slice(&self.tracker.proof2);
            if let (Some(off), Some(value)) = (self.last_preimage_offset, self.last_preimage.as_ref()) {
                w.preimage = Some((self.last_preimage_key, value.clone(), off));
            }
        }
        self.tracker.enabled = false;
        (result, witness)
    }

    /// Runs until the VM exits or `max_steps` more steps have executed; returns the steps executed.
    ///
    /// Plain instructions of the active thread run in a tight loop; syscalls, LL/SC, thread switches and
    /// exited threads go through the full [`Vm::step`] logic, so the result is identical step for step.
    pub fn run(&mut self, max_steps: u64) -> Result<u64, VmError> {
        let start = self.state.step;
        let end = start.saturating_add(max_steps);
        self.tracker.enabled = false;
        while !self.state.exited && self.state.step < end {
            self.run_segment(end)?;
        }
        Ok(self.state.step - start)
    }

    /// Runs plain instructions (at most `max_steps`) and stops before the next step that takes the slow path
    /// (syscall, LL/SC, preemption, exited-thread pop, fault); returns the steps executed.
    pub fn run_until_slow(&mut self, max_steps: u64) -> Result<u64, VmError> {
        let start = self.state.step;
        self.tracker.enabled = false;
        if !self.state.exited {
            self.run_segment_inner(start.saturating_add(max_steps), false)?;
        }
        Ok(self.state.step - start)
    }

    /// Runs plain instructions of the active thread until a step needs the slow path, then runs that step.
    fn run_segment(&mut self, end: u64) -> Result<(), VmError> {
        self.run_segment_inner(end, true)
    }

    fn run_segment_inner(&mut self, end: u64, then_slow: bool) -> Result<(), VmError> {
        let quantum_left = arch::SCHED_QUANTUM.saturating_sub(self.state.steps_since_last_context_switch);
        let budget = quantum_left.min(end - self.state.step);
        let needs_slow = match self.state.current_thread() {
            None => true,
            Some(t) => t.exited || budget == 0,
        };
        if needs_slow {
            return if then_slow { self.mips_step() } else { Ok(()) };
        }
        let State {
            memory,
            left_thread_stack,
            right_thread_stack,
            traverse_right,
            ll_address,
            ll_reservation_status,
            ll_owner_thread,
            step,
            ..
        } = &mut self.state;
        let t = if *traverse_right { right_thread_stack.last_mut() } else { left_thread_stack.last_mut() }
            .expect("checked above");
        let code = &mut self.code;
        if memory.code_written() {
            invalidate_code(code, memory, &mut self.jit);
        }
        // `pc & !0xFFC` keeps the page bits and the two alignment bits: one compare per step catches both a
        // page change and a misaligned pc (u64::MAX never matches, its bits 2..11 are set).
        let mut cur_base = u64::MAX;
        let mut cur_slot = 0usize;
        // Whether the current code page lies above Cannon's eager instruction cache (`--debug-info` misses).
        let mut miss_page = false;
        let mut n = 0u64;
        let mut result = Ok(());
        // Set after a block stopped short at a faulting instruction: the next step runs one at a time.
        let mut single = false;
        while n < budget {
            let pc = t.pc;
            if pc & !0xFFC != cur_base {
                if pc & 3 != 0 {
                    break; // the slow path reports the fault
                }
                match code.page(memory, pc >> 12) {
                    Some(slot) => {
                        cur_base = pc & !0xFFC;
                        cur_slot = slot;
                        miss_page = pc >= ICACHE_LIMIT;
                    }
                    None => break, // executing an unallocated page: the slow path handles it
                }
            }
            let idx = ((pc >> 2) as usize) & (interp::PAGE_INSNS - 1);
            let block = code.page_at(cur_slot).blocks[idx];
            let len = u64::from(block & !interp::BLOCK_ENDS_IN_CONTROL);
            if len != 0 && !single && n + len <= budget && t.next_pc == pc.wrapping_add(4) {
                #[cfg(all(target_arch = "x86_64", unix))]
                if self.translate {
                    let page = code.page_at_mut(cur_slot);
                    let mut entry = page.native[idx];
                    if entry == 0 {
                        let heat = page.heat[idx];
                        if heat >= self.translation_threshold {
                            let ctl = block & interp::BLOCK_ENDS_IN_CONTROL != 0;
                            entry =
                                translate_block(&mut self.jit, &mut self.translate, code, cur_slot, idx, pc, len, ctl);
                        } else {
                            // Still cold: this run goes through the interpreter below.
                            page.heat[idx] = heat + 1;
                        }
                    }
                    if entry != 0 {
                        let jit = self.jit.as_mut().expect("a translation exists");
                        jit.link(pc, entry);
                        let mut ctx = crate::jit::JitCtx {
                            tlb: memory.host_tlb(),
                            memory: &mut *memory,
                            ll_address: &mut *ll_address,
                            ll_status: &mut *ll_reservation_status,
                            ll_owner: &mut *ll_owner_thread,
                            stats: &mut self.stats,
                            jump_cache: jit.jump_cache(),
                        };
                        // Translated blocks above Cannon's instruction cache count their fetches themselves.
                        let allowed = budget - n;
                        // SAFETY: `entry` was translated by `jit` for this decoded page and every jump cache entry
                        // is a block of a decoded page (a reset clears every page's entries and the cache, a store
                        // to a code page drops the page and unlinks its blocks before the next call), and `ctx`
                        // points at live fields of this VM that nothing else touches during the call.
                        let r = unsafe { crate::jit::call(jit, entry, t, &mut ctx, allowed) };
                        let steps = r & 0xFFFF_FFFF;
                        n += steps;
                        if r & crate::jit::EXIT_CODE_WRITTEN != 0 {
                            invalidate_code(code, memory, &mut self.jit);
                            cur_base = u64::MAX;
                        }
                        single = r & crate::jit::EXIT_FAULT != 0;
                        continue;
                    }
                }
                let page = code.page_at(cur_slot);
                // A basic block: straight-line instructions without pc bookkeeping, then the branch through the
                // per-step semantics. Stops early (exactly) at a fault or a code write.
                let ctl = if block & interp::BLOCK_ENDS_IN_CONTROL != 0 { 2 } else { 0 };
                let straight = len as usize - ctl;
                let mut k = 0usize;
                let mut stop = false;
                while k < straight {
                    let d = page.insns[(idx + k) & (interp::PAGE_INSNS - 1)];
                    match interp::exec_straight(t, memory, d) {
                        Ok(None) => {}
                        Ok(Some(store_addr)) => {
                            clear_reservation_on_store(
                                store_addr,
                                ll_address,
                                ll_reservation_status,
                                ll_owner_thread,
                                &mut self.stats,
                            );
                            if memory.code_written() {
                                k += 1;
                                stop = true;
                                break;
                            }
                        }
                        Err(_) => {
                            // Nothing changed: the step-by-step path executes it again and reports the fault.
                            single = true;
                            stop = true;
                            break;
                        }
                    }
                    k += 1;
                }
                let block_pc = pc.wrapping_add(4 * k as u64);
                t.pc = block_pc;
                t.next_pc = block_pc.wrapping_add(4);
                n += k as u64;
                let mut fetched = k as u64;
                if !stop && ctl != 0 {
                    // The branch (pc moves to its delay slot); the delay slot then runs through the step path
                    // below on the next iteration, as it is never a block start (next_pc != pc + 4).
                    let branch = page.insns[(idx + k) & (interp::PAGE_INSNS - 1)];
                    if interp::exec_control(t, branch).is_err() {
                        single = true;
                    } else {
                        n += 1;
                        fetched += 1;
                    }
                }
                if miss_page && fetched != 0 {
                    self.stats.track_icache_misses(fetched, pc.wrapping_add(4 * (fetched - 1)));
                }
                if single {
                    continue;
                }
                if memory.code_written() {
                    invalidate_code(code, memory, &mut self.jit);
                    cur_base = u64::MAX;
                }
                continue;
            }
            single = false;
            let d = code.get(cur_slot, pc);
            if (d.op() as u8) <= interp::Op::Rmw as u8 {
                // Syscalls always leave the loop; `run_until_slow` (then_slow = false) also stops before LL/SC
                // so callers can prove those steps.
                if d.op() == interp::Op::Slow || !then_slow {
                    break;
                }
                if miss_page {
                    self.stats.track_icache_misses(1, pc);
                }
                // ll / lld / sc / scd, exactly as `handle_rmw` (no proofs are tracked in the hot loop).
                let insn = d.insn();
                let opcode = insn >> 26;
                let addr =
                    t.regs[((insn >> 21) & 0x1F) as usize].wrapping_add(sign_extend(u64::from(insn & 0xFFFF), 16));
                let rt = ((insn >> 16) & 0x1F) as usize;
                let (target_status, bytes) = if opcode == 0x34 || opcode == 0x3C { (2u8, 8u64) } else { (1u8, 4u64) };
                let ea = addr & arch::ADDRESS_MASK;
                let ret = if opcode == 0x30 || opcode == 0x34 {
                    let mem = memory.read_word(ea);
                    *ll_reservation_status = target_status;
                    *ll_address = addr;
                    *ll_owner_thread = t.thread_id;
                    self.stats.track_ll(t.thread_id, *step + n + 1);
                    alu::select_sub_word(addr, mem, bytes, true)
                } else if *ll_reservation_status == target_status
                    && *ll_owner_thread == t.thread_id
                    && *ll_address == addr
                {
                    *ll_reservation_status = 0;
                    *ll_address = 0;
                    *ll_owner_thread = 0;
                    let mem = memory.read_word(ea);
                    memory.write_word(ea, alu::update_sub_word(addr, mem, bytes, t.regs[rt]));
                    self.stats.track_sc(t.thread_id, *step + n + 1, true);
                    if memory.code_written() {
                        invalidate_code(code, memory, &mut self.jit);
                        cur_base = u64::MAX;
                    }
                    1
                } else {
                    self.stats.track_sc(t.thread_id, *step + n + 1, false);
                    0
                };
                write_rd_and_advance(t, rt, ret, true);
                n += 1;
                continue;
            }
            if miss_page {
                self.stats.track_icache_misses(1, pc);
            }
            match interp::exec(t, memory, d) {
                Ok(Some(store_addr)) => {
                    clear_reservation_on_store(
                        store_addr,
                        ll_address,
                        ll_reservation_status,
                        ll_owner_thread,
                        &mut self.stats,
                    );
                    if memory.code_written() {
                        // Self-modifying code: decode the page again before the next fetch.
                        invalidate_code(code, memory, &mut self.jit);
                        cur_base = u64::MAX;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    // The failing step counts as started, as in Cannon.
                    n += 1;
                    result = Err(e);
                    break;
                }
            }
            n += 1;
        }
        self.state.step += n;
        self.state.steps_since_last_context_switch += n;
        result?;
        if n < budget && then_slow {
            // A syscall, LL/SC or fault: one full step.
            self.mips_step()?;
        }
        Ok(())
    }

    fn pop_thread(&mut self) {
        let s = &mut self.state;
        s.active_stack_mut().pop();
        if s.active_stack().is_empty() {
            s.traverse_right = !s.traverse_right;
        }
        s.steps_since_last_context_switch = 0;
    }

    fn preempt_thread(&mut self) {
        let s = &mut self.state;
        let t = s.active_stack_mut().pop().expect("active thread exists");
        if s.traverse_right {
            s.left_thread_stack.push(t);
        } else {
            s.right_thread_stack.push(t);
        }
        if s.active_stack().is_empty() {
            s.traverse_right = !s.traverse_right;
        }
        s.steps_since_last_context_switch = 0;
        let active = s.current_thread().map_or(0, |t| t.thread_id);
        self.stats.track_thread_activated(active, s.step);
    }

    #[inline(always)]
    fn handle_memory_update(&mut self, aligned_addr: u64) {
        if aligned_addr == self.state.ll_address & arch::ADDRESS_MASK {
            self.stats.reservation_invalidation_count += 1;
            self.state.ll_reservation_status = 0;
            self.state.ll_address = 0;
            self.state.ll_owner_thread = 0;
        }
    }

    fn mips_step(&mut self) -> Result<(), VmError> {
        if self.state.exited {
            return Ok(());
        }
        if self.state.active_stack().is_empty() {
            return Err(VmError::EmptyThreadStack);
        }
        self.state.step += 1;
        let thread = active_thread(&mut self.state);
        if thread.exited {
            self.pop_thread();
            return self.post_check();
        }
        if self.state.steps_since_last_context_switch >= arch::SCHED_QUANTUM {
            self.preempt_thread();
            self.stats.forced_preemption_count += 1;
            return Ok(());
        }
        self.state.steps_since_last_context_switch += 1;

        let pc = active_thread(&mut self.state).pc;
        if pc & 3 != 0 {
            return Err(VmError::InvalidPc(pc));
        }
        if pc >= ICACHE_LIMIT {
            self.stats.track_icache_misses(1, pc);
        }
        let word = self.state.memory.read_word(pc);
        let insn = if pc & 4 == 0 { (word >> 32) as u32 } else { word as u32 };
        let opcode = insn >> 26;
        let funct = insn & 0x3F;

        if opcode == 0 && funct == 0x0C {
            return self.handle_syscall();
        }
        if matches!(opcode, 0x30 | 0x34 | 0x38 | 0x3C) {
            return self.handle_rmw(insn, opcode);
        }
        let state = &mut self.state;
        let t =
            if state.traverse_right { state.right_thread_stack.last_mut() } else { state.left_thread_stack.last_mut() }
                .expect("non-empty");
        if let Some(store_addr) = exec_core(t, &mut state.memory, &mut self.tracker, insn, opcode, funct)? {
            self.handle_memory_update(store_addr);
        }
        Ok(())
    }

    fn post_check(&self) -> Result<(), VmError> {
        if self.state.active_stack().is_empty() {
            Err(VmError::EmptyThreadStack)
        } else {
            Ok(())
        }
    }

    fn handle_rmw(&mut self, insn: u32, opcode: u32) -> Result<(), VmError> {
        let state = &mut self.state;
        let t =
            if state.traverse_right { state.right_thread_stack.last_mut() } else { state.left_thread_stack.last_mut() }
                .expect("non-empty");
        let base = t.regs[((insn >> 21) & 0x1F) as usize];
        let rt = ((insn >> 16) & 0x1F) as usize;
        let addr = base.wrapping_add(sign_extend(u64::from(insn & 0xFFFF), 16));
        let (target_status, bytes) = if opcode == 0x34 || opcode == 0x3C { (2u8, 8u64) } else { (1u8, 4u64) };
        let thread_id = t.thread_id;
        let ret = match opcode {
            0x30 | 0x34 => {
                let ea = addr & arch::ADDRESS_MASK;
                self.tracker.track(&mut state.memory, ea);
                let mem = state.memory.read_word(ea);
                let v = alu::select_sub_word(addr, mem, bytes, true);
                state.ll_reservation_status = target_status;
                state.ll_address = addr;
                state.ll_owner_thread = thread_id;
                self.stats.track_ll(thread_id, state.step);
                v
            }
            _ => {
                if state.ll_reservation_status == target_status
                    && state.ll_owner_thread == thread_id
                    && state.ll_address == addr
                {
                    state.ll_reservation_status = 0;
                    state.ll_address = 0;
                    state.ll_owner_thread = 0;
                    let val = t.regs[rt];
                    let ea = addr & arch::ADDRESS_MASK;
                    self.tracker.track(&mut state.memory, ea);
                    let mem = state.memory.read_word(ea);
                    state.memory.write_word(ea, alu::update_sub_word(addr, mem, bytes, val));
                    self.stats.track_sc(thread_id, state.step, true);
                    1
                } else {
                    self.stats.track_sc(thread_id, state.step, false);
                    0
                }
            }
        };
        let t = active_thread(state);
        write_rd_and_advance(t, rt, ret, true);
        Ok(())
    }

    /// Reads the preimage window at `offset` of the current key, fetching from the oracle on a key change.
    fn read_preimage(&mut self, key: [u8; 32], offset: u64) -> Result<([u8; 32], u64), VmError> {
        if self.last_preimage.is_none() || key != self.last_preimage_key {
            let data = self.oracle.get_preimage(key).map_err(VmError::Oracle)?;
            let mut v = Vec::with_capacity(8 + data.len());
            v.extend_from_slice(&(data.len() as u64).to_be_bytes());
            v.extend_from_slice(&data);
            self.stats.num_preimage_requests += 1;
            self.stats.total_preimage_size += data.len() as u64;
            self.last_preimage_key = key;
            self.last_preimage = Some(v);
        }
        self.last_preimage_offset = Some(offset);
        let pre = self.last_preimage.as_ref().expect("set above");
        if offset >= pre.len() as u64 {
            return Err(VmError::PreimageOffsetOutOfBounds);
        }
        let mut dat = [0u8; 32];
        let n = (pre.len() - offset as usize).min(32);
        dat[..n].copy_from_slice(&pre[offset as usize..offset as usize + n]);
        Ok((dat, n as u64))
    }

    /// Copies a stdout/stderr write to the host. The guest is told the whole count was written (as on chain);
    /// the host copies at most [`MAX_GUEST_WRITE`] bytes of it, since output is not part of the state.
    fn copy_guest_output(&mut self, to_stderr: bool, addr: u64, len: u64) -> Result<(), VmError> {
        let len = len.min(MAX_GUEST_WRITE);
        let data = self.state.memory.read_range(addr, len as usize);
        let out = if to_stderr { &mut self.stderr } else { &mut self.stdout };
        out.write_all(&data).map_err(|e| VmError::Output(e.to_string()))
    }

    fn syscall_yield(&mut self) -> Result<(), VmError> {
        let t = active_thread(&mut self.state);
        t.regs[2] = 0;
        t.regs[7] = 0;
        t.pc = t.next_pc;
        t.next_pc = t.next_pc.wrapping_add(4);
        self.preempt_thread();
        Ok(())
    }

    fn handle_syscall(&mut self) -> Result<(), VmError> {
        let next_thread_id = self.state.next_thread_id;
        let t = active_thread(&mut self.state);
        let (num, a0, a1, a2) = (t.regs[2], t.regs[4], t.regs[5], t.regs[6]);
        let mut v0 = 0u64;
        let mut v1 = 0u64;
        match num {
            sys::MMAP => {
                let mut sz = a1;
                if sz & 0xFFF != 0 {
                    sz = sz.wrapping_add(4096 - (sz & 0xFFF));
                }
                if a0 == 0 {
                    let heap = self.state.heap;
                    let new_heap = heap.wrapping_add(sz);
                    if new_heap > arch::HEAP_END || new_heap < heap || sz < a1 {
                        v0 = EINVAL;
                        v1 = SYS_ERROR_SIGNAL;
                    } else {
                        v0 = heap;
                        self.state.heap = new_heap;
                    }
                } else {
                    v0 = a0;
                }
            }
            sys::BRK => v0 = arch::PROGRAM_BREAK,
            sys::CLONE => {
                if a0 != arch::VALID_CLONE_FLAGS {
                    self.state.exited = true;
                    self.state.exit_code = 2;
                    return Ok(());
                }
                let id = next_thread_id;
                let mut child = t.clone();
                child.thread_id = id;
                child.exit_code = 0;
                child.exited = false;
                child.pc = t.next_pc;
                child.next_pc = t.next_pc.wrapping_add(4);
                child.regs[29] = a1;
                child.regs[2] = 0;
                child.regs[7] = 0;
                t.regs[2] = id;
                t.regs[7] = 0;
                t.pc = t.next_pc;
                t.next_pc = t.next_pc.wrapping_add(4);
                self.state.next_thread_id += 1;
                self.state.active_stack_mut().push(child);
                self.state.steps_since_last_context_switch = 0;
                return Ok(());
            }
            sys::EXIT_GROUP => {
                self.state.exited = true;
                self.state.exit_code = a0 as u8;
                return Ok(());
            }
            sys::EXIT => {
                t.exited = true;
                t.exit_code = a0 as u8;
                if self.state.thread_count() == 1 {
                    self.state.exited = true;
                    self.state.exit_code = a0 as u8;
                }
                return Ok(());
            }
            sys::READ => match a0 {
                fd::STDIN => {}
                fd::PREIMAGE_READ => {
                    let ea = a1 & arch::ADDRESS_MASK;
                    self.tracker.track(&mut self.state.memory, ea);
                    let mem = self.state.memory.read_word(ea);
                    let (dat, dat_len) = self.read_preimage(self.state.preimage_key, self.state.preimage_offset)?;
                    let k = a1 & 7;
                    let cnt = dat_len.min(8 - k).min(a2);
                    let mut bytes = mem.to_be_bytes();
                    bytes[k as usize..(k + cnt) as usize].copy_from_slice(&dat[..cnt as usize]);
                    self.state.memory.write_word(ea, u64::from_be_bytes(bytes));
                    self.handle_memory_update(ea);
                    self.state.preimage_offset = self.state.preimage_offset.wrapping_add(cnt);
                    v0 = cnt;
                }
                fd::HINT_READ => v0 = a2,
                arch::FD_EVENTFD => {
                    v0 = EAGAIN;
                    v1 = SYS_ERROR_SIGNAL;
                }
                _ => {
                    v0 = EBADF;
                    v1 = SYS_ERROR_SIGNAL;
                }
            },
            sys::WRITE => match a0 {
                fd::STDOUT | fd::STDERR => {
                    self.copy_guest_output(a0 == fd::STDERR, a1, a2)?;
                    v0 = a2;
                }
                fd::HINT_WRITE => {
                    if a2 > MAX_GUEST_WRITE {
                        return Err(VmError::WriteTooLarge(a2));
                    }
                    let data = self.state.memory.read_range(a1, a2 as usize);
                    self.state.last_hint.extend_from_slice(&data);
                    while self.state.last_hint.len() >= 4 {
                        let n = u32::from_be_bytes(self.state.last_hint[..4].try_into().unwrap()) as usize;
                        if n <= self.state.last_hint.len() - 4 {
                            let hint: Vec<u8> = self.state.last_hint[4..4 + n].to_vec();
                            self.state.last_hint.drain(..4 + n);
                            self.oracle.hint(&hint).map_err(VmError::Oracle)?;
                        } else {
                            break;
                        }
                    }
                    v0 = a2;
                }
                fd::PREIMAGE_WRITE => {
                    let ea = a1 & arch::ADDRESS_MASK;
                    self.tracker.track(&mut self.state.memory, ea);
                    let mem = self.state.memory.read_word(ea);
                    let k = (a1 & 7) as usize;
                    let n = (a2.min(8 - k as u64)) as usize;
                    let key = &mut self.state.preimage_key;
                    key.copy_within(n.., 0);
                    key[32 - n..].copy_from_slice(&mem.to_be_bytes()[k..k + n]);
                    self.state.preimage_offset = 0;
                    v0 = n as u64;
                }
                arch::FD_EVENTFD => {
                    v0 = EAGAIN;
                    v1 = SYS_ERROR_SIGNAL;
                }
                _ => {
                    v0 = EBADF;
                    v1 = SYS_ERROR_SIGNAL;
                }
            },
            sys::FCNTL => match a1 {
                1 => {
                    if a0 > 6 {
                        v0 = EBADF;
                        v1 = SYS_ERROR_SIGNAL;
                    }
                }
                3 => match a0 {
                    fd::STDIN | fd::PREIMAGE_READ | fd::HINT_READ => v0 = 0,
                    fd::STDOUT | fd::STDERR | fd::PREIMAGE_WRITE | fd::HINT_WRITE => v0 = 1,
                    _ => {
                        v0 = EBADF;
                        v1 = SYS_ERROR_SIGNAL;
                    }
                },
                _ => {
                    v0 = EINVAL;
                    v1 = SYS_ERROR_SIGNAL;
                }
            },
            sys::GETTID => v0 = t.thread_id,
            sys::FUTEX => {
                let ea = a0 & !3;
                match a1 {
                    arch::FUTEX_WAIT_PRIVATE => {
                        let word_addr = ea & arch::ADDRESS_MASK;
                        self.tracker.track(&mut self.state.memory, word_addr);
                        let mem = self.state.memory.read_word(word_addr);
                        let val = alu::select_sub_word(ea, mem, 4, false) as u32;
                        if val != a2 as u32 {
                            v0 = EAGAIN;
                            v1 = SYS_ERROR_SIGNAL;
                        } else {
                            return self.syscall_yield();
                        }
                    }
                    arch::FUTEX_WAKE_PRIVATE => return self.syscall_yield(),
                    _ => {
                        v0 = EINVAL;
                        v1 = SYS_ERROR_SIGNAL;
                    }
                }
            }
            sys::SCHED_YIELD | sys::NANOSLEEP => return self.syscall_yield(),
            sys::OPEN => {
                v0 = EBADF;
                v1 = SYS_ERROR_SIGNAL;
            }
            sys::CLOCK_GETTIME => {
                if a0 == 0 || a0 == 1 {
                    let (secs, nsecs) = if a0 == 1 {
                        let step = self.state.step;
                        (step / arch::HZ, (step % arch::HZ) * (1_000_000_000 / arch::HZ))
                    } else {
                        (0, 0)
                    };
                    let ea = a1 & arch::ADDRESS_MASK;
                    self.tracker.track(&mut self.state.memory, ea);
                    self.state.memory.write_word(ea, secs);
                    self.handle_memory_update(ea);
                    let ea2 = ea.wrapping_add(8);
                    self.tracker.track2(&mut self.state.memory, ea2);
                    self.state.memory.write_word(ea2, nsecs);
                    self.handle_memory_update(ea2);
                } else {
                    v0 = EINVAL;
                    v1 = SYS_ERROR_SIGNAL;
                }
            }
            sys::GETPID => v0 = 0,
            sys::GETRANDOM => {
                let r = arch::splitmix64(self.state.step);
                let ea = a0 & arch::ADDRESS_MASK;
                let k = a0 - ea;
                let cnt = (8 - k).min(a1);
                self.tracker.track(&mut self.state.memory, ea);
                let mem = self.state.memory.read_word(ea);
                let mut bytes = mem.to_be_bytes();
                let rb = r.to_be_bytes();
                bytes[k as usize..(k + cnt) as usize].copy_from_slice(&rb[k as usize..(k + cnt) as usize]);
                self.state.memory.write_word(ea, u64::from_be_bytes(bytes));
                self.handle_memory_update(ea);
                v0 = cnt;
            }
            sys::EVENTFD2 => {
                if a1 & arch::EFD_NONBLOCK == 0 {
                    v0 = EINVAL;
                    v1 = SYS_ERROR_SIGNAL;
                } else {
                    v0 = arch::FD_EVENTFD;
                }
            }
            n if sys::NOOPS.contains(&n) => {}
            n => return Err(VmError::UnrecognizedSyscall(n)),
        }
        let t = active_thread(&mut self.state);
        t.regs[2] = v0;
        t.regs[7] = v1;
        t.pc = t.next_pc;
        t.next_pc = t.next_pc.wrapping_add(4);
        Ok(())
    }
}

/// Drops the decoded pages written since the last call, and the jump cache entries of their translations.
#[inline(never)]
fn invalidate_code(code: &mut interp::CodeCache, memory: &mut Memory, jit: &mut JitSlot) {
    let pages = memory.take_code_writes();
    code.invalidate_pages(&pages);
    #[cfg(all(target_arch = "x86_64", unix))]
    if let Some(j) = jit {
        j.unlink_pages(&pages);
    }
    #[cfg(not(all(target_arch = "x86_64", unix)))]
    let _ = jit;
}

/// The translator, where this build has one.
#[cfg(all(target_arch = "x86_64", unix))]
type JitSlot = Option<crate::jit::Jit>;
/// The translator, where this build has one.
#[cfg(not(all(target_arch = "x86_64", unix)))]
type JitSlot = Option<()>;

/// Translates the block at `idx` of the decoded page in `slot` (guest address `pc`, `len` instructions) and
/// records its entry point; 0 (and translation switched off) if the host gives no executable memory.
#[cfg(all(target_arch = "x86_64", unix))]
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn translate_block(
    jit: &mut Option<crate::jit::Jit>,
    translate: &mut bool,
    code: &mut interp::CodeCache,
    slot: usize,
    idx: usize,
    pc: u64,
    len: u64,
    ends_in_control: bool,
) -> usize {
    if jit.is_none() {
        *jit = crate::jit::Jit::new();
    }
    let Some(j) = jit.as_mut() else {
        *translate = false;
        return 0;
    };
    let insns = code.page_at(slot).insns[idx..idx + len as usize].to_vec();
    let entry = match j.translate(&insns, ends_in_control, pc) {
        Ok(e) => e,
        Err(crate::jit::TranslateError::Full) => {
            j.reset();
            code.clear_native();
            j.translate(&insns, ends_in_control, pc).unwrap_or(0)
        }
    };
    if entry == 0 {
        *translate = false;
        return 0;
    }
    code.page_at_mut(slot).native[idx] = entry;
    entry
}

/// Executes a non-syscall, non-LL/SC instruction on `t`; returns the aligned address of a store, if any.
#[inline(always)]
fn exec_core(
    t: &mut ThreadState,
    mem: &mut Memory,
    tracker: &mut MemTracker,
    insn: u32,
    opcode: u32,
    funct: u32,
) -> Result<Option<u64>, VmError> {
    // j / jal
    if opcode == 2 || opcode == 3 {
        let target = (t.next_pc & 0xFFFF_FFFF_F000_0000) | (u64::from(insn & 0x03FF_FFFF) << 2);
        jump(t, if opcode == 3 { 31 } else { 0 }, target)?;
        return Ok(None);
    }
    let rt_reg = ((insn >> 16) & 0x1F) as usize;
    let mut rs = t.regs[((insn >> 21) & 0x1F) as usize];
    let mut rd_reg = rt_reg;
    let mut rt = 0u64;
    if opcode == 0x27 || opcode == 0x1A || opcode == 0x1B {
        rt = t.regs[rt_reg];
    } else if opcode == 0 || opcode == 0x1C {
        rt = t.regs[rt_reg];
        rd_reg = ((insn >> 11) & 0x1F) as usize;
    } else if opcode < 0x20 {
        rt = if matches!(opcode, 0x0C..=0x0E) {
            u64::from(insn & 0xFFFF)
        } else {
            sign_extend(u64::from(insn & 0xFFFF), 16)
        };
    } else if opcode >= 0x28 || opcode == 0x22 || opcode == 0x26 {
        rt = t.regs[rt_reg];
    }

    if (4..8).contains(&opcode) || opcode == 1 {
        if t.next_pc != t.pc.wrapping_add(4) {
            return Err(VmError::BranchInDelaySlot);
        }
        let taken = match opcode {
            4 => rs == t.regs[rt_reg],
            5 => rs != t.regs[rt_reg],
            6 => (rs as i64) <= 0,
            7 => (rs as i64) > 0,
            _ => {
                let rtv = (insn >> 16) & 0x1F;
                match rtv {
                    0x00 => (rs as i64) < 0,
                    0x01 => (rs as i64) >= 0,
                    0x10 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (rs as i64) < 0
                    }
                    0x11 => {
                        t.regs[31] = t.pc.wrapping_add(8);
                        (rs as i64) >= 0
                    }
                    _ => false,
                }
            }
        };
        let prev = t.pc;
        t.pc = t.next_pc;
        t.next_pc = if taken {
            prev.wrapping_add(4).wrapping_add(sign_extend(u64::from(insn & 0xFFFF), 16) << 2)
        } else {
            t.next_pc.wrapping_add(4)
        };
        return Ok(None);
    }

    let mut store_addr = None;
    let mut mem_val = 0u64;
    if opcode >= 0x20 || opcode == 0x1A || opcode == 0x1B {
        rs = rs.wrapping_add(sign_extend(u64::from(insn & 0xFFFF), 16));
        let addr = rs & arch::ADDRESS_MASK;
        tracker.track(mem, addr);
        mem_val = mem.read_word(addr);
        if opcode >= 0x28 && opcode != 0x37 {
            store_addr = Some(addr);
            rd_reg = 0;
        }
    }

    let val = alu::execute(insn, opcode, funct, rs, rt, mem_val)?;

    if opcode == 0 && (0x08..0x20).contains(&funct) {
        match funct {
            0x08 | 0x09 => {
                jump(t, if funct == 9 { rd_reg } else { 0 }, rs)?;
                return Ok(None);
            }
            0x0A => {
                write_rd_and_advance(t, rd_reg, rs, rt == 0);
                return Ok(None);
            }
            0x0B => {
                write_rd_and_advance(t, rd_reg, rs, rt != 0);
                return Ok(None);
            }
            0x10..=0x1F => {
                let r = alu::hi_lo(funct, rs, rt, t.hi, t.lo)?;
                t.hi = r.hi;
                t.lo = r.lo;
                write_rd_and_advance(t, rd_reg, r.rd_value, true);
                return Ok(None);
            }
            _ => {}
        }
    }

    if let Some(addr) = store_addr {
        tracker.track(mem, addr);
        mem.write_word(addr, val);
    }
    write_rd_and_advance(t, rd_reg, val, true);
    Ok(store_addr)
}
