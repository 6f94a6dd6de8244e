//! Translation to host code (`Vm::set_translation(true)`) against the interpreter (translation off): random
//! programs run in random-sized chunks (every block cut by the budget at every point), with self-modifying
//! stores, r0 destinations, every branch and jump kind with every delay-slot shape, syscalls, LL/SC and faults,
//! with blocks translated before their first run or after a few interpreted runs; the state hash, step counter
//! and error must agree at every chunk boundary. Then every bundled guest that needs no preimage host, in chunks,
//! compared at each boundary. Where translation is not supported (not x86-64) both sides interpret and the test
//! still checks the chunked runs.

use rampart_vm::elf::Elf;
use rampart_vm::{State, Vm};
use std::path::Path;

const BASE: u64 = 0x10000;
const DATA: u64 = 0x30000;
const CODE_INSNS: u64 = 1024;

mod common;
use common::{i, r, Rng};

/// Every SPECIAL funct Cannon implements except syscall and the jumps.
const SPECIAL: [u32; 42] = [
    0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0A, 0x0B, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x19, 0x1A,
    0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
    0x38, 0x3A, 0x3B, 0x3C,
];
/// SPECIAL functs Cannon rejects, and other invalid words (FPU, SPECIAL2 funct 3).
const INVALID: [u32; 7] = [0x0000_0001, 0x0000_0005, 0x0000_0015, 0x0000_0028, 0x0000_003D, 0x4600_0000, 0x7000_0003];
const IMM: [u32; 10] = [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x18, 0x19];
const MEM: [u32; 23] = [
    0x1A, 0x1B, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x37, 0x3F,
    0x30, 0x34, 0x38, 0x3C,
];

/// A register for operands and destinations: r0 one time in eight (writes to it must vanish), else r1 or
/// r3..r8 (r2 keeps the syscall number, so syscalls stay valid).
fn reg(rng: &mut Rng) -> u32 {
    [0, 1, 3, 4, 5, 6, 7, 8][rng.below(8) as usize]
}

fn random_insn(rng: &mut Rng, k: u64) -> u32 {
    match rng.below(1000) {
        0..=339 => r(0, reg(rng), reg(rng), reg(rng), rng.below(32) as u32, SPECIAL[rng.below(42) as usize]),
        340..=489 => {
            if rng.below(6) == 0 {
                r(0x1C, reg(rng), reg(rng), reg(rng), 0, [0x02, 0x20, 0x21, 0x24, 0x25, 0x03][rng.below(6) as usize])
            } else {
                i(IMM[rng.below(10) as usize], reg(rng), reg(rng), rng.next() as u16)
            }
        }
        // Loads and stores through r9 (data, or the code itself for self-modifying programs).
        490..=739 => i(MEM[rng.below(23) as usize], 9, reg(rng), (rng.below(64) * 4) as u16),
        // Conditional branches (every REGIMM rt kind, including unknown ones), short forward/backward offsets.
        740..=829 => {
            let op = [1u32, 4, 5, 6, 7][rng.below(5) as usize];
            let rt = if op == 1 { [0, 1, 0x10, 0x11, 0x02, 0x13][rng.below(6) as usize] } else { reg(rng) };
            i(op, reg(rng), rt, (rng.below(24) as i16 - 8) as u16)
        }
        // j / jal within the code page.
        830..=859 => {
            let target = (BASE + 4 * rng.below(CODE_INSNS)) >> 2;
            ((2 + rng.below(2) as u32) << 26) | (target as u32 & 0x03FF_FFFF)
        }
        // jr / jalr through r10 / r11 (code addresses), jalr links into a random rd.
        860..=889 => {
            let rs = 10 + rng.below(2) as u32;
            if rng.below(2) == 0 {
                r(0, rs, 0, 0, 0, 0x08)
            } else {
                r(0, rs, 0, reg(rng), 0, 0x09)
            }
        }
        890..=914 => 0x0000_000C, // syscall (r2 holds a harmless number)
        915..=954 => 0,           // nop
        955..=959 => INVALID[rng.below(7) as usize] | (rng.below(32) as u32) << 11,
        _ => {
            // Keep r10/r11 pointing into the code: reload them with a code address.
            let rt = 10 + rng.below(2) as u32;
            let _ = k;
            i(0x19, 0, rt, (BASE as u16).wrapping_add(4 * rng.below(CODE_INSNS) as u16))
        }
    }
}

fn program(seed: u64) -> State {
    let mut rng = Rng(seed);
    let mut s = State::new(BASE + 4 * rng.below(16));
    for k in 0..CODE_INSNS {
        let addr = BASE + 4 * k;
        let w = s.memory.read_word(addr);
        let shift = if addr & 4 == 0 { 32 } else { 0 };
        s.memory.write_word(addr, (w & !(0xFFFF_FFFFu64 << shift)) | (u64::from(random_insn(&mut rng, k)) << shift));
    }
    for k in 0..64u64 {
        s.memory.write_word(DATA + 8 * k, rng.next());
    }
    let t = s.active_stack_mut().last_mut().unwrap();
    for reg in 1..9 {
        t.regs[reg] = match rng.below(4) {
            0 => rng.below(64),
            1 => rng.next() as u32 as i32 as i64 as u64,
            2 => 0,
            _ => rng.next(),
        };
    }
    t.regs[2] = [5313u64, 5222, 5038, 5178, 5023][rng.below(5) as usize];
    t.regs[4] = DATA + 8 * rng.below(8);
    t.regs[5] = DATA + 256 + 8 * rng.below(8);
    // A third of the programs store into their own code.
    t.regs[9] = if seed.is_multiple_of(3) { BASE + 4 * rng.below(CODE_INSNS - 64) } else { DATA };
    t.regs[10] = BASE + 4 * rng.below(CODE_INSNS);
    t.regs[11] = BASE + 4 * rng.below(CODE_INSNS);
    s
}

/// Runs `jit` (translation on) and `interp` (off) over the same chunks; returns the boundaries compared.
fn compare_chunked(jit: &mut Vm, interp: &mut Vm, chunks: &mut dyn FnMut() -> u64, limit: u64, what: &str) -> u64 {
    jit.set_translation(true);
    interp.set_translation(false);
    let mut compared = 0;
    while jit.state.step < limit && !jit.state.exited {
        let chunk = chunks();
        let a = jit.run(chunk);
        let b = interp.run(chunk);
        assert_eq!(a, b, "{what}: results at step {}", interp.state.step);
        assert_eq!(jit.state.step, interp.state.step, "{what}: step counts");
        assert_eq!(jit.state.state_hash(), interp.state.state_hash(), "{what}: state at step {}", jit.state.step);
        assert_eq!(jit.stats, interp.stats, "{what}: debug counters at step {}", jit.state.step);
        compared += 1;
        if a.is_err() {
            break;
        }
    }
    compared
}

#[test]
fn translated_blocks_match_the_interpreter_at_every_chunk_boundary() {
    let (mut compared, mut faults, mut translated) = (0u64, 0u64, 0u64);
    let (mut rmw, mut ll_sc_far, mut invalidations, mut self_modified) = (0u64, 0u64, 0u64, 0u64);
    let mut kinds = std::collections::BTreeMap::<String, u64>::new();
    for seed in 0..8000u64 {
        let mut rng = Rng(seed ^ 0xC0DE);
        let mut chunks = || match rng.below(4) {
            0 => 1 + rng.below(4),
            1 => 1 + rng.below(40),
            _ => 1 + rng.below(400),
        };
        let mut jit = Vm::new(program(seed));
        jit.set_translation(true);
        // Half the programs translate every block before its first run, the other half after 1 or 3 interpreted
        // runs (blocks then switch from the interpreter to translated code in the middle of a program).
        jit.set_translation_threshold([0, 1, 0, 3][(seed % 4) as usize]);
        let mut interp = Vm::new(program(seed));
        interp.set_translation(false);
        let mut n = 0;
        while jit.state.step < 2000 && !jit.state.exited {
            let chunk = chunks();
            let a = jit.run(chunk);
            let b = interp.run(chunk);
            assert_eq!(a, b, "seed {seed}: results at step {}", interp.state.step);
            assert_eq!(jit.state.step, interp.state.step, "seed {seed}: step counts");
            assert_eq!(jit.state.state_hash(), interp.state.state_hash(), "seed {seed}: state at {}", jit.state.step);
            assert_eq!(jit.stats, interp.stats, "seed {seed}: counters at {}", jit.state.step);
            n += 1;
            if let Err(e) = a {
                faults += 1;
                *kinds.entry(format!("{e}").split(':').next().unwrap().to_string()).or_default() += 1;
                break;
            }
        }
        compared += n;
        translated += jit.blocks_translated();
        rmw += jit.stats.rmw_success_count + jit.stats.rmw_fail_count;
        ll_sc_far = ll_sc_far.max(jit.stats.max_steps_between_ll_and_sc);
        invalidations += jit.stats.reservation_invalidation_count;
        let start = program(seed);
        if (0..CODE_INSNS / 2).any(|k| jit.state.memory.peek_word(BASE + 8 * k) != start.memory.peek_word(BASE + 8 * k))
        {
            self_modified += 1;
        }
    }
    println!(
        "sc/scd executed {rmw}, longest ll-sc distance {ll_sc_far}, reservation invalidations {invalidations}, \
         {self_modified} programs rewrote their code"
    );
    assert!(rmw > 1000, "{rmw} sc/scd");
    assert!(ll_sc_far > 1, "longest ll-sc distance {ll_sc_far}");
    assert!(invalidations > 100, "{invalidations} reservation invalidations");
    assert!(self_modified > 1000, "{self_modified} self-modifying programs");
    println!("translated vs interpreter: {compared} chunk boundaries, {faults} faults, {translated} blocks translated");
    println!("faults by kind: {kinds:?}");
    assert!(compared > 50_000, "{compared} boundaries");
    assert!(faults > 500, "{faults} faulting programs");
    if rampart_vm::vm::TRANSLATION_SUPPORTED {
        assert!(translated > 40_000, "{translated} blocks translated");
    }
}

fn guest(name: &str) -> State {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin").join(format!("{name}.elf"));
    Elf::parse(&std::fs::read(path).unwrap()).unwrap().load().unwrap()
}

#[test]
fn every_guest_matches_the_interpreter_at_chunk_boundaries() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str().unwrap().strip_suffix(".elf").map(str::to_string))
        .filter(|n| !matches!(n.as_str(), "rust-toy-program" | "rust-oracle-e2e" | "rust-executor" | "rampart-program"))
        .collect();
    names.sort();
    let (mut total, mut preemptions, mut translated) = (0, 0, 0);
    for (g, name) in names.iter().enumerate() {
        let mut rng = Rng(name.len() as u64);
        let mut chunks = || match rng.below(3) {
            0 => 1 + rng.below(1000),
            _ => 1 + rng.below(1_000_000),
        };
        // The first 40 M steps of each guest (the whole run of all but the longest).
        let (mut jit, mut interp) = (Vm::new(guest(name)), Vm::new(guest(name)));
        // Every other guest with blocks translated before their first run, the rest with the default threshold.
        if g % 2 == 0 {
            jit.set_translation_threshold(0);
        }
        let n = compare_chunked(&mut jit, &mut interp, &mut chunks, 40_000_000, name);
        total += n;
        // Preemptions and thread switches leave translated code: counted (and compared above) per guest.
        preemptions += jit.stats.forced_preemption_count;
        translated += jit.blocks_translated();
    }
    println!(
        "guests translated vs interpreter: {} guests, {total} chunk boundaries equal, {preemptions} forced \
         preemptions, {translated} blocks translated",
        names.len()
    );
    assert!(preemptions > 100, "{preemptions} forced preemptions");
    if rampart_vm::vm::TRANSLATION_SUPPORTED {
        assert!(translated > 10_000, "{translated} blocks translated");
    }
    assert!(names.len() >= 19);
    assert!(total >= 400, "{total} boundaries");
}

/// Writes the instruction words `code` from `at` (big-endian halves of the 64-bit memory words).
fn put_code(s: &mut State, at: u64, code: &[u32]) {
    for (k, &w) in code.iter().enumerate() {
        let addr = at + 4 * k as u64;
        let old = s.memory.read_word(addr & !7);
        let shift = if addr & 4 == 0 { 32 } else { 0 };
        s.memory.write_word(addr & !7, (old & !(0xFFFF_FFFFu64 << shift)) | (u64::from(w) << shift));
    }
}

/// A loop above Cannon's instruction-cache limit: `ll`, `gap` instructions (nops, or a store to the reserved
/// word first), `sc`, `j` back with a nop in its delay slot. The three `--debug-info` fields Cannon derives
/// from it have exact values: every fetch is a miss, the highest miss pc is the delay slot, the ll-sc distance
/// is `gap + 1` steps.
fn ll_sc_loop(gap: usize, clobber: bool) -> (State, u64) {
    let hi = rampart_vm::vm::ICACHE_LIMIT + 0x1000;
    let mut code = vec![i(0x30, 4, 1, 0)]; // ll r1, 0(r4)
    for k in 0..gap {
        code.push(if clobber && k == 0 { i(0x2B, 4, 5, 0) } else { 0 }); // sw r5, 0(r4) | nop
    }
    code.push(i(0x38, 4, 1, 0)); // sc r1, 0(r4)
    code.push((2 << 26) | ((hi >> 2) as u32 & 0x03FF_FFFF)); // j hi
    code.push(0);
    let mut s = State::new(hi);
    put_code(&mut s, hi, &code);
    s.memory.write_word(DATA, 7);
    let t = s.active_stack_mut().last_mut().unwrap();
    t.regs[4] = DATA;
    t.regs[5] = 9;
    (s, hi + 4 * (code.len() as u64 - 1))
}

#[test]
fn debug_info_fields_exact_with_translation() {
    for (gap, clobber) in [(5usize, false), (12, true), (40, false)] {
        let per_loop = gap as u64 + 4;
        let loops = 1000;
        let (state, last_pc) = ll_sc_loop(gap, clobber);
        let (mut jit, mut interp) = (Vm::new(state.clone()), Vm::new(state));
        let mut rng = Rng(gap as u64);
        let mut chunks = || 1 + rng.below(50);
        let n = compare_chunked(&mut jit, &mut interp, &mut chunks, per_loop * loops, "ll/sc loop");
        assert!(n > 100, "{n} boundaries");
        // The last chunk may run past the limit: count from the steps actually taken.
        let steps = jit.state.step;
        let st = &jit.stats;
        assert_eq!(st.instruction_cache_miss_count, steps, "every fetch above the limit misses");
        assert_eq!(st.highest_icache_miss_pc, last_pc);
        assert_eq!(st.max_steps_between_ll_and_sc, gap as u64 + 1);
        let scs = steps / per_loop + u64::from(steps % per_loop > gap as u64 + 1);
        assert_eq!(st.rmw_success_count + st.rmw_fail_count, scs);
        if clobber {
            assert_eq!(st.rmw_success_count, 0, "the store between ll and sc clears the reservation");
            assert_eq!(st.reservation_invalidation_count, steps / per_loop + u64::from(steps % per_loop > 1));
        } else {
            assert_eq!(st.rmw_fail_count, 0);
        }
        if rampart_vm::vm::TRANSLATION_SUPPORTED {
            assert!(jit.blocks_translated() > 0, "the nops and the jump run translated");
        }
    }
}

/// Multiplies, divides and counts of leading zeros / ones on the operands where x86 and MIPS differ (the most
/// negative dividend over -1, which traps on x86 and wraps on MIPS; 32-bit operations on 64-bit registers whose
/// upper halves are not the sign extension; counts of 0 and of all ones), translated before their first run:
/// registers equal the interpreter's after the block, and the wrapping cases hold the values Cannon gives.
#[test]
fn multiply_and_divide_corner_cases_match_the_interpreter() {
    const MIN32: u64 = 0xFFFF_FFFF_8000_0000;
    let pairs = [
        (MIN32, u64::MAX),
        (i64::MIN as u64, u64::MAX),
        (0x1234_5678_8000_0000, u64::MAX),
        (u64::MAX, u64::MAX),
        (7, 0xFFFF_FFFF_FFFF_FFF9),
        (0xFFFF_FFFF_FFFF_FFF9, 2),
        (0x8000_0000_0000_0001, 0x0000_0001_FFFF_FFFF),
        (0, 1),
        (1, 3),
    ];
    // div, ddiv, divu, ddivu, mult, dmult, multu, dmultu of r1 by r2, each read back through mfhi/mflo into
    // r3.. r18; then mthi r1 / mtlo r2 into r19, r20; then an invalid word ends the block (and the run).
    let mut code = Vec::new();
    for (k, funct) in [0x1A, 0x1E, 0x1B, 0x1F, 0x18, 0x1C, 0x19, 0x1D].into_iter().enumerate() {
        code.push(r(0, 1, 2, 0, 0, funct));
        code.push(r(0, 0, 0, 3 + 2 * k as u32, 0, 0x10));
        code.push(r(0, 0, 0, 4 + 2 * k as u32, 0, 0x12));
    }
    code.extend([r(0, 1, 0, 0, 0, 0x11), r(0, 2, 0, 0, 0, 0x13), r(0, 0, 0, 19, 0, 0x10), r(0, 0, 0, 20, 0, 0x12)]);
    // SPECIAL2 mul r21 = r1 * r2, clz / clo / dclz / dclo of r1 into r22..r25 (rd == rs for clz: r1 itself
    // is written last).
    code.extend([r(0x1C, 1, 2, 21, 0, 0x02), r(0x1C, 1, 0, 23, 0, 0x21), r(0x1C, 1, 0, 24, 0, 0x24)]);
    code.extend([r(0x1C, 1, 0, 25, 0, 0x25), r(0x1C, 1, 0, 22, 0, 0x20)]);
    code.push(0x4600_0000);
    for (rs, rt) in pairs {
        let mut s = State::new(BASE);
        put_code(&mut s, BASE, &code);
        let t = s.active_stack_mut().last_mut().unwrap();
        t.regs[1] = rs;
        t.regs[2] = rt;
        let (mut jit, mut interp) = (Vm::new(s.clone()), Vm::new(s));
        jit.set_translation_threshold(0);
        let mut chunks = || 1000;
        assert_eq!(compare_chunked(&mut jit, &mut interp, &mut chunks, 1000, "mul/div"), 1);
        assert_eq!(jit.state.step, code.len() as u64, "every instruction before the invalid word ran");
        if rampart_vm::vm::TRANSLATION_SUPPORTED {
            assert_eq!(jit.blocks_translated(), 1);
        }
        let regs = jit.state.active_stack().last().unwrap().regs;
        assert_eq!(&regs[1..26], &interp.state.active_stack().last().unwrap().regs[1..26]);
        let (lo, w) = (rs as u32, rs);
        assert_eq!((regs[22], regs[23]), (u64::from(lo.leading_zeros()), u64::from(lo.leading_ones())), "clz/clo");
        assert_eq!((regs[24], regs[25]), (u64::from(w.leading_zeros()), u64::from(w.leading_ones())), "dclz/dclo");
        assert_eq!((regs[19], regs[20]), (rs, rt), "mthi / mtlo");
        if rt == u64::MAX {
            // x / -1: quotient -x (wrapping), remainder 0, in 32 bits (div) and 64 bits (ddiv).
            let q32 = (rs as i32).wrapping_neg() as i64 as u64;
            assert_eq!((regs[3], regs[4]), (0, q32), "div {rs:#x} / -1: hi, lo");
            assert_eq!((regs[5], regs[6]), (0, (rs as i64).wrapping_neg() as u64), "ddiv {rs:#x} / -1: hi, lo");
        }
        // The cases that trap on x86: i32::MIN / -1 and i64::MIN / -1 give the dividend back.
        if rs == MIN32 && rt == u64::MAX {
            assert_eq!(regs[4], MIN32);
        }
        if rs == i64::MIN as u64 && rt == u64::MAX {
            assert_eq!(regs[6], i64::MIN as u64);
        }
    }
}
