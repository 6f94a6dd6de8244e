//! Property tests: the fast VM (`rampart-vm`) and the stateless verifier, written separately, must agree on every
//! random single step: same post-state witness and hash, or both reject.
//!
//! States are random: instruction words (fully random and drawn from the supported opcode/funct tables), register
//! and memory contents, delay slots, misaligned pcs, extra threads on both stacks, exited threads, the
//! preemption counter at the quantum, LL reservations, syscalls with random arguments, and preimage reads of
//! local and keccak keys at random offsets.

use proptest::prelude::*;
use rampart_verifier::{step as verify_step, PreimageInput};
use rampart_vm::{MapOracle, State, ThreadState, Vm};
use std::sync::atomic::{AtomicU64, Ordering};

const CODE: u64 = 0x0001_0000;
const DATA: u64 = 0x0002_0000;

mod common;
#[path = "support/faults.rs"]
mod faults;
use common::Rng;
use faults::{same_fault, verifier_reason};

const SPECIAL_FUNCTS: &[u32] = &[
    0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17,
    0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2a, 0x2b, 0x2c,
    0x2d, 0x2e, 0x2f, 0x38, 0x3a, 0x3b, 0x3c, 0x3e, 0x3f, 0x01, 0x05, 0x0d, 0x15, 0x34,
];
const OPCODES: &[u32] = &[
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x18, 0x19, 0x1a, 0x1b,
    0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x37, 0x3f, 0x30, 0x34,
    0x38, 0x3c, 0x11, 0x14, 0x1f, 0x2f, 0x31,
];
const SYSCALLS: &[u64] = &[
    5009, 5012, 5055, 5205, 5058, 5000, 5001, 5070, 5178, 5194, 5023, 5034, 5002, 5222, 5038, 5313, 5284, 5011, 5247,
    5087, 5220, 4004, 5999, 0,
];

/// A register value: data pointers, small numbers, edge values or anything.
fn reg_value(r: &mut Rng) -> u64 {
    match r.below(6) {
        0 => DATA + r.below(0x200),
        1 => r.below(16),
        2 => r.pick(&[0, 1, u64::MAX, 0x8000_0000, 0xffff_ffff, 0x7fff_ffff, i64::MIN as u64, 0x50F00, 128, 129]),
        3 => r.next() as u32 as u64,
        _ => r.next(),
    }
}

fn instruction(r: &mut Rng, word: u32) -> u32 {
    let rs = r.below(32) as u32;
    let rt = r.below(32) as u32;
    let rd = r.below(32) as u32;
    let sa = r.below(32) as u32;
    match r.below(10) {
        0 | 1 => word,
        2 | 3 => 0x0000_000c, // syscall
        4 | 5 => (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | r.pick(SPECIAL_FUNCTS),
        6 => (0x1c << 26) | (rs << 21) | (rt << 16) | (rd << 11) | r.pick(&[0x02, 0x20, 0x21, 0x24, 0x25, 0x03]),
        _ => {
            let op = r.pick(OPCODES);
            let imm = if r.chance(70) { r.below(0x40) as u32 } else { word & 0xffff };
            (op << 26) | (rs << 21) | (rt << 16) | imm
        }
    }
}

struct Scenario {
    state: State,
    oracle: MapOracle,
}

fn scenario(seed: u64, word: u32) -> Scenario {
    let mut r = Rng(seed);
    let mut st = State::new(CODE);
    st.left_thread_stack.clear();
    // Code: random words around pc, the chosen instruction at pc.
    for i in 0..64u64 {
        st.memory.write_word(CODE + 8 * i, r.next());
    }
    for i in 0..96u64 {
        st.memory.write_word(DATA + 8 * i, if r.chance(30) { 0 } else { r.next() });
    }
    let slot = r.below(128);
    let mut pc = CODE + 4 * slot;
    let insn = instruction(&mut r, word);
    let w = st.memory.read_word(pc & !7);
    let w = if pc & 4 == 0 { (w & 0xffff_ffff) | ((insn as u64) << 32) } else { (w & !0xffff_ffff) | insn as u64 };
    st.memory.write_word(pc & !7, w);
    if r.chance(3) {
        pc |= r.below(3) + 1;
    }
    let mut t = ThreadState::new(r.below(4), pc);
    if r.chance(15) {
        t.next_pc = CODE + 4 * r.below(128);
    }
    // r0 too: the state can carry any value there (only writes to r0 are discarded), and both sides must read
    // it the same way.
    for reg in t.regs.iter_mut() {
        *reg = reg_value(&mut r);
    }
    t.hi = reg_value(&mut r);
    t.lo = reg_value(&mut r);
    if insn == 0x0000_000c {
        t.regs[2] = r.pick(SYSCALLS);
        t.regs[4] = if r.chance(60) { r.pick(&[0, 1, 2, 3, 4, 5, 6, 7, 100, 0x50F00]) } else { reg_value(&mut r) };
        t.regs[5] = if r.chance(60) { DATA + r.below(0x100) } else { reg_value(&mut r) };
        if t.regs[2] == 5194 {
            t.regs[5] = r.pick(&[128, 129, 0, 7]);
            t.regs[4] = DATA + r.below(0x100);
            t.regs[6] = st.memory.read_word((t.regs[4] & !3) & !7) >> if t.regs[4] & 4 == 0 { 32 } else { 0 };
            if r.chance(50) {
                t.regs[6] = r.next();
            }
        } else if t.regs[2] == 5070 {
            t.regs[5] = r.pick(&[1, 3, 4, 0]);
        } else {
            t.regs[6] = if r.chance(70) { r.below(40) } else { reg_value(&mut r) };
        }
    }
    if r.chance(5) {
        t.exited = true;
        t.exit_code = r.below(3) as u8;
    }
    let extra = |r: &mut Rng| {
        let mut o = ThreadState::new(10 + r.below(10), CODE + 4 * r.below(128));
        for reg in o.regs.iter_mut() {
            *reg = reg_value(r);
        }
        o.exited = r.chance(20);
        o
    };
    let below = r.below(3);
    let other = r.below(3);
    let mut active: Vec<ThreadState> = (0..below).map(|_| extra(&mut r)).collect();
    active.push(t.clone());
    let inactive: Vec<ThreadState> = (0..other).map(|_| extra(&mut r)).collect();
    st.traverse_right = r.chance(50);
    if st.traverse_right {
        st.right_thread_stack = active;
        st.left_thread_stack = inactive;
    } else {
        st.left_thread_stack = active;
        st.right_thread_stack = inactive;
    }
    st.next_thread_id = 20 + r.below(5);
    st.step = if r.chance(20) { r.next() >> 8 } else { r.below(100_000_000) };
    st.steps_since_last_context_switch = r.pick(&[0, 1, 500, 99_999, 100_000, 100_001]);
    let any_heap = r.next();
    st.heap = r.pick(&[0x1000_0000_0000, 0x5fff_ffff_f000, any_heap]);
    st.ll_reservation_status = r.below(3) as u8;
    st.ll_address =
        if r.chance(70) { t.regs[r.below(32) as usize].wrapping_add(r.below(8)) } else { DATA + r.below(0x100) };
    st.ll_owner_thread = if r.chance(70) { t.thread_id } else { r.below(4) };
    if r.chance(3) {
        st.exited = true;
        st.exit_code = r.below(3) as u8;
    }
    // Preimage: a keccak preimage or a local key, at an offset in range (mostly) or past the end.
    let mut oracle = MapOracle::default();
    let len = r.pick(&[0usize, 1, 7, 8, 20, 32, 33, 100]);
    let data: Vec<u8> = (0..len).map(|_| r.next() as u8).collect();
    let key = if r.chance(50) {
        let mut k = rampart_primitives::keccak256(&data);
        k[0] = 2;
        k
    } else {
        let mut k = [0u8; 32];
        k[0] = 1;
        k[31] = r.below(6) as u8;
        k
    };
    if r.chance(95) {
        oracle.preimages.insert(key, data);
    }
    st.preimage_key = if r.chance(90) { key } else { [r.next() as u8; 32] };
    st.preimage_offset = if r.chance(90) { r.below(len as u64 + 8) } else { len as u64 + 8 + r.below(3) };
    Scenario { state: st, oracle }
}

/// The witness of the step as the contract would get it, built from the pre-state (used when the VM rejects
/// the step and so returns no witness): thread proof, instruction proof, and proofs for every data address the
/// instruction or syscall could touch.
fn manual_witness(st: &mut State) -> ([u8; 188], Vec<u8>) {
    let state = st.encode_witness();
    let mut proof = st.thread_proof().to_vec();
    let t = st.current_thread().cloned().unwrap_or_else(|| ThreadState::new(0, 0));
    proof.extend_from_slice(&st.memory.merkle_proof(t.pc & !7));
    let insn_word = st.memory.peek_word(t.pc & !7);
    let insn = if t.pc & 4 == 0 { (insn_word >> 32) as u32 } else { insn_word as u32 };
    let simm = (insn & 0xffff) as u16 as i16 as i64 as u64;
    let data = if insn == 0x0000_000c {
        match t.regs[2] {
            5194 => t.regs[4] & !3,
            5313 => t.regs[4],
            _ => t.regs[5],
        }
    } else {
        t.regs[((insn >> 21) & 31) as usize].wrapping_add(simm)
    };
    proof.extend_from_slice(&st.memory.merkle_proof(data & !7));
    proof.extend_from_slice(&st.memory.merkle_proof((data & !7).wrapping_add(8)));
    (state, proof)
}

static ACCEPTED: AtomicU64 = AtomicU64::new(0);
static REJECTED: AtomicU64 = AtomicU64::new(0);
static SAME_FAULT: AtomicU64 = AtomicU64::new(0);
static HOST_LIMIT: AtomicU64 = AtomicU64::new(0);

/// The fast interpreter (`Vm::run`, with and without translation to host code) on the same scenario must end
/// where `Vm::step` ended: the same post-state, or the same error.
fn fast_paths_agree(seed: u64, word: u32, step_result: &Result<[u8; 32], String>) -> Result<(), TestCaseError> {
    for translate in [false, true] {
        let Scenario { state, oracle } = scenario(seed, word);
        let mut fast = Vm::new(state)
            .with_oracle(Box::new(oracle))
            .with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
        fast.set_translation(translate);
        let got = fast.run(1).map(|_| fast.state.state_hash()).map_err(|e| e.to_string());
        prop_assert_eq!(
            &got,
            step_result,
            "seed {:#x} word {:#x}: Vm::run(1) (translation {}) differs from Vm::step",
            seed,
            word,
            translate
        );
    }
    Ok(())
}

fn check(seed: u64, word: u32) -> Result<(), TestCaseError> {
    let Scenario { state, oracle } = scenario(seed, word);
    let mut pre = state.clone();
    // The preimage the state points at, as the challenger would hand it to the contract (when the oracle has it).
    let pre_input = oracle.preimages.get(&pre.preimage_key).map(|data| {
        let mut value = (data.len() as u64).to_be_bytes().to_vec();
        value.extend_from_slice(data);
        PreimageInput { key: pre.preimage_key, value, offset: pre.preimage_offset }
    });
    let mut vm =
        Vm::new(state).with_oracle(Box::new(oracle)).with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
    match vm.step(true) {
        Ok(Some(w)) => {
            let input = w.preimage.as_ref().map(|(k, v, o)| PreimageInput { key: *k, value: v.clone(), offset: *o });
            let out = verify_step(&w.state, &w.proof_data, input.as_ref(), [0; 32]);
            let out = match out {
                Ok(o) => o,
                Err(e) => {
                    return Err(TestCaseError::fail(format!(
                        "seed {seed:#x} word {word:#x}: VM stepped, verifier rejected: {e}"
                    )))
                }
            };
            prop_assert_eq!(
                out.post_state,
                vm.state.encode_witness(),
                "seed {:#x} word {:#x}: post-state differs",
                seed,
                word
            );
            prop_assert_eq!(out.post_hash, vm.state.state_hash());
            fast_paths_agree(seed, word, &Ok(out.post_hash))?;
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
        }
        Ok(None) => unreachable!("witness requested"),
        Err(vm_err) => {
            fast_paths_agree(seed, word, &Err(vm_err.to_string()))?;
            if verifier_reason(&vm_err).is_none() {
                // A hint or output write larger than the host buffers: a host resource limit (the hint bytes
                // would enter the state file's LastHint), not a step the contract could disagree with.
                HOST_LIMIT.fetch_add(1, Ordering::Relaxed);
                return Ok(());
            }
            let (state, proof) = manual_witness(&mut pre);
            let res = verify_step(&state, &proof, pre_input.as_ref(), [0; 32]);
            let v_err = match res {
                Ok(_) => {
                    return Err(TestCaseError::fail(format!(
                        "seed {seed:#x} word {word:#x}: VM rejected ({vm_err}) but verifier accepted"
                    )))
                }
                Err(e) => e,
            };
            // Both must refuse for the same reason (and the same operand).
            if same_fault(&vm_err, &v_err) {
                SAME_FAULT.fetch_add(1, Ordering::Relaxed);
            } else {
                prop_assert!(
                    false,
                    "seed {:#x} word {:#x}: VM fault ({}) and verifier revert ({}) differ",
                    seed,
                    word,
                    vm_err,
                    v_err
                );
            }
            REJECTED.fetch_add(1, Ordering::Relaxed);
        }
    }
    Ok(())
}

/// Random single steps through proptest's runner (20 000 cases from a fixed seed, shrinking on failure), then the
/// counts, which are exact for that seed.
#[test]
fn vm_and_verifier_agree_on_random_steps() {
    let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = proptest::test_runner::TestRunner::new_with_rng(config, rng);
    if let Err(e) = runner.run(&(any::<u64>(), any::<u32>()), |(seed, word)| check(seed, word)) {
        panic!("{e}");
    }
    let (accepted, rejected) = (ACCEPTED.load(Ordering::Relaxed), REJECTED.load(Ordering::Relaxed));
    let (same, host) = (SAME_FAULT.load(Ordering::Relaxed), HOST_LIMIT.load(Ordering::Relaxed));
    println!(
        "vm vs verifier: {accepted} random steps agreed on the post-state (Vm::step, Vm::run(1) interpreted and \
         translated), {rejected} rejected by both for the same reason ({same}), {host} host-limit writes, 0 mismatches"
    );
    assert_eq!(accepted + rejected + host, 20_000);
    assert_eq!(same, rejected);
    // Exact for the fixed seed: a change in either side's semantics or in the generator shows here.
    assert_eq!((accepted, rejected, host), (17_333, 2_666, 1));
}
