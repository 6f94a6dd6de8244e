//! Differential test: the fast run loop (`Vm::run`) against the reference step path (`Vm::step`) on random
//! programs; every step's state hash and every error must agree.

use rampart_vm::{State, Vm};

const BASE: u64 = 0x10000;
const DATA: u64 = 0x20000;

mod common;
use common::{i, r, Rng};

const SPECIAL_FUNCTS: [u32; 44] = [
    0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x0A, 0x0B, 0x0F, 0x10, 0x11, 0x12, 0x13, 0x14, 0x16, 0x17, 0x18, 0x19, 0x1A,
    0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F,
    0x38, 0x3A, 0x3B, 0x3C, 0x3E, 0x3F,
];
const IMM_OPS: [u32; 11] = [0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x18, 0x19, 0x1C];
const MEM_OPS: [u32; 21] = [
    0x1A, 0x1B, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x37, 0x3F,
    0x30, 0x38,
];

fn random_insn(rng: &mut Rng) -> u32 {
    let reg = |rng: &mut Rng| rng.below(8) as u32 + 1;
    match rng.below(100) {
        0..=34 => {
            let f = SPECIAL_FUNCTS[rng.below(SPECIAL_FUNCTS.len() as u64) as usize];
            r(0, reg(rng), reg(rng), reg(rng), rng.below(32) as u32, f)
        }
        35..=49 => {
            let op = IMM_OPS[rng.below(IMM_OPS.len() as u64) as usize];
            if op == 0x1C {
                let f = [0x02, 0x20, 0x21, 0x24, 0x25][rng.below(5) as usize];
                r(0x1C, reg(rng), reg(rng), reg(rng), 0, f)
            } else {
                i(op, reg(rng), reg(rng), rng.next() as u16)
            }
        }
        50..=79 => {
            let op = MEM_OPS[rng.below(MEM_OPS.len() as u64) as usize];
            i(op, 9, reg(rng), rng.below(256) as u16)
        }
        80..=91 => {
            let op = [1u32, 4, 5, 6, 7][rng.below(5) as usize];
            let rt = if op == 1 { [0, 1, 2, 0x10, 0x11][rng.below(5) as usize] } else { reg(rng) };
            i(op, reg(rng), rt, (rng.below(9) as i16 - 3) as u16)
        }
        92..=94 => {
            // getrandom / clock_gettime / sched_yield via a prepared r2? use plain syscall with random r2
            0x0000_000C
        }
        95..=97 => r(0, 0, 0, 0, 0, 0), // nop
        _ => rng.next() as u32,         // anything, mostly invalid
    }
}

fn program(seed: u64) -> State {
    let mut rng = Rng(seed);
    let mut s = State::new(BASE);
    for n in 0..256u64 {
        let addr = BASE + 4 * n;
        let w = s.memory.read_word(addr);
        let shift = if addr & 4 == 0 { 32 } else { 0 };
        s.memory.write_word(addr, (w & !(0xFFFF_FFFFu64 << shift)) | (u64::from(random_insn(&mut rng)) << shift));
    }
    for k in 0..40u64 {
        s.memory.write_word(DATA + 8 * k, rng.next());
    }
    let t = s.active_stack_mut().last_mut().unwrap();
    for reg in 1..9 {
        t.regs[reg] = match rng.below(4) {
            0 => rng.below(64),
            1 => rng.next() as u32 as i32 as i64 as u64,
            _ => rng.next(),
        };
    }
    t.regs[2] = [5313u64, 5222, 5023, 5038, 5178][rng.below(5) as usize];
    t.regs[4] = DATA + rng.below(64);
    t.regs[5] = DATA + 128 + rng.below(64);
    t.regs[9] = DATA;
    s
}

#[test]
fn fast_loop_matches_reference_step_by_step() {
    let mut compared = 0u64;
    let mut faults = 0u64;
    for seed in 0..1500u64 {
        let mut reference = Vm::new(program(seed));
        let mut fast = Vm::new(program(seed));
        for _ in 0..300 {
            let a = reference.step(false);
            let b = fast.run(1);
            match (a, b) {
                (Ok(_), Ok(_)) => {}
                (Err(x), Err(y)) => {
                    assert_eq!(x, y, "seed {seed}: different faults");
                    assert_eq!(reference.state.step, fast.state.step, "seed {seed}: fault step");
                    faults += 1;
                    break;
                }
                (a, b) => panic!("seed {seed} step {}: reference {a:?} vs fast {b:?}", reference.state.step),
            }
            assert_eq!(
                reference.state.state_hash(),
                fast.state.state_hash(),
                "seed {seed} step {}",
                reference.state.step
            );
            compared += 1;
            if reference.state.exited {
                break;
            }
        }
        // Bulk runs must land on the same state as single steps.
        let mut bulk = Vm::new(program(seed));
        let r = bulk.run(300);
        let mut single = Vm::new(program(seed));
        let mut last = Ok(0);
        for _ in 0..300 {
            if single.state.exited {
                break;
            }
            if let Err(e) = single.step(false) {
                last = Err(e);
                break;
            }
        }
        assert_eq!(r.is_err(), last.is_err(), "seed {seed}");
        assert_eq!(bulk.state.state_hash(), single.state.state_hash(), "seed {seed} bulk");
    }
    println!("fast vs reference: {compared} steps compared, {faults} programs ended in a fault, 0 mismatches");
    assert!(compared > 50_000);
}

#[test]
fn self_modifying_code_is_decoded_again() {
    // ld $1, 0x100($9); sd $1, 16($9); nop; nop; daddiu $3, $0, 1; nop  -- the sd replaces insns 4 and 5.
    let mut s = State::new(BASE);
    let insns = [i(0x37, 9, 1, 0x100), i(0x3F, 9, 1, 16), 0, 0, i(0x19, 0, 3, 1), 0];
    for (n, w) in insns.iter().enumerate() {
        let addr = BASE + 4 * n as u64;
        let old = s.memory.read_word(addr);
        let shift = if addr & 4 == 0 { 32 } else { 0 };
        s.memory.write_word(addr, (old & !(0xFFFF_FFFFu64 << shift)) | (u64::from(*w) << shift));
    }
    s.memory.write_word(BASE + 0x100, u64::from(i(0x19, 0, 3, 77)) << 32);
    s.active_stack_mut().last_mut().unwrap().regs[9] = BASE;
    let mut fast = Vm::new(s.clone());
    // Decode the page first (one step), then run through the store and the rewritten instruction.
    fast.run(1).unwrap();
    fast.run(5).unwrap();
    let mut reference = Vm::new(s);
    for _ in 0..6 {
        reference.step(false).unwrap();
    }
    assert_eq!(reference.state.current_thread().unwrap().regs[3], 77);
    assert_eq!(fast.state.current_thread().unwrap().regs[3], 77, "fast loop executed a stale decoded instruction");
    assert_eq!(fast.state.state_hash(), reference.state.state_hash());
}

#[test]
fn random_stores_into_running_code_match_reference() {
    let mut compared = 0u64;
    for seed in 0..400u64 {
        let mut s = program(seed);
        // Point the store base into the code itself: later instructions get overwritten while they run.
        s.active_stack_mut().last_mut().unwrap().regs[9] = BASE + 64;
        let mut fast = Vm::new(s.clone());
        let mut reference = Vm::new(s);
        for _ in 0..300 {
            let a = reference.step(false);
            let b = fast.run(1);
            assert_eq!(a.is_err(), b.is_err(), "seed {seed} step {}", reference.state.step);
            if a.is_err() {
                break;
            }
            assert_eq!(
                reference.state.state_hash(),
                fast.state.state_hash(),
                "seed {seed} step {}",
                reference.state.step
            );
            compared += 1;
            if reference.state.exited {
                break;
            }
        }
        let mut bulk = Vm::new(program_with_base(seed, BASE + 64));
        let _ = bulk.run(300);
        let mut single = Vm::new(program_with_base(seed, BASE + 64));
        for _ in 0..300 {
            if single.state.exited || single.step(false).is_err() {
                break;
            }
        }
        assert_eq!(bulk.state.state_hash(), single.state.state_hash(), "seed {seed} bulk");
    }
    println!("self-modifying programs: {compared} steps compared, 0 mismatches");
    assert!(compared > 10_000);
}

fn program_with_base(seed: u64, base: u64) -> State {
    let mut s = program(seed);
    s.active_stack_mut().last_mut().unwrap().regs[9] = base;
    s
}

/// Runs in random-sized chunks (so basic blocks are cut by the step budget at every possible point) and compares
/// with the reference path at each chunk boundary, on plain programs and on programs that store into their code.
#[test]
fn chunked_runs_match_reference_at_every_boundary() {
    let mut compared = 0u64;
    for seed in 0..2500u64 {
        let base = if seed % 3 == 0 { BASE + 64 } else { DATA };
        let mut fast = Vm::new(program_with_base(seed, base));
        let mut reference = Vm::new(program_with_base(seed, base));
        let mut rng = Rng(seed ^ 0x5EED);
        while fast.state.step < 400 && !fast.state.exited {
            let chunk = 1 + rng.below(40);
            let a = fast.run(chunk);
            let mut b = Ok(0);
            for _ in 0..chunk {
                if reference.state.exited {
                    break;
                }
                if let Err(e) = reference.step(false) {
                    b = Err(e);
                    break;
                }
            }
            assert_eq!(a.is_err(), b.is_err(), "seed {seed} step {}: {a:?} vs {b:?}", reference.state.step);
            assert_eq!(fast.state.step, reference.state.step, "seed {seed}: step counts");
            assert_eq!(fast.state.state_hash(), reference.state.state_hash(), "seed {seed} step {}", fast.state.step);
            compared += 1;
            if a.is_err() {
                break;
            }
        }
    }
    println!("chunked runs: {compared} boundaries compared, 0 mismatches");
    assert!(compared > 12_000);
}
