//! Single-step semantics of the VM on hand-encoded instructions: pitfalls of the spec, syscalls, scheduling.

use rampart_vm::arch::{sys, SCHED_QUANTUM};
use rampart_vm::memory::proof_root;
use rampart_vm::state::state_hash_from_witness;
use rampart_vm::{MapOracle, State, Vm, VmError};

const BASE: u64 = 0x10000;

fn r(op: u32, rs: u32, rt: u32, rd: u32, sa: u32, funct: u32) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct
}
fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
}
const SYSCALL: u32 = 0x0000_000C;

/// A VM with `code` at BASE and registers set by `regs`.
fn vm_with(code: &[u32], regs: &[(usize, u64)]) -> Vm {
    let mut s = State::new(BASE);
    for (n, w) in code.iter().enumerate() {
        let addr = BASE + 4 * n as u64;
        let word = s.memory.read_word(addr);
        let shift = if addr & 4 == 0 { 32 } else { 0 };
        let word = (word & !(0xFFFF_FFFFu64 << shift)) | (u64::from(*w) << shift);
        s.memory.write_word(addr, word);
    }
    let t = s.active_stack_mut().last_mut().unwrap();
    for &(n, v) in regs {
        t.regs[n] = v;
    }
    Vm::new(s)
}

fn reg(vm: &Vm, n: usize) -> u64 {
    vm.state.current_thread().unwrap().regs[n]
}

fn step1(code: &[u32], regs: &[(usize, u64)]) -> Vm {
    let mut vm = vm_with(code, regs);
    vm.step(false).unwrap();
    vm
}

#[test]
fn alu_32bit_results_are_sign_extended() {
    // addu r3 = r1 + r2 overflowing into bit 31
    let vm = step1(&[r(0, 1, 2, 3, 0, 0x21)], &[(1, 0x7FFF_FFFF), (2, 1)]);
    assert_eq!(reg(&vm, 3), 0xFFFF_FFFF_8000_0000);
    // add does not trap on overflow
    let vm = step1(&[r(0, 1, 2, 3, 0, 0x20)], &[(1, 0x7FFF_FFFF), (2, 1)]);
    assert_eq!(reg(&vm, 3), 0xFFFF_FFFF_8000_0000);
    // dadd wraps
    let vm = step1(&[r(0, 1, 2, 3, 0, 0x2C)], &[(1, i64::MAX as u64), (2, 1)]);
    assert_eq!(reg(&vm, 3), 1 << 63);
    // addiu with negative immediate
    let vm = step1(&[i(0x09, 1, 3, 0xFFFF)], &[(1, 0)]);
    assert_eq!(reg(&vm, 3), u64::MAX);
    // lui sign-extends
    let vm = step1(&[i(0x0F, 0, 3, 0x8000)], &[]);
    assert_eq!(reg(&vm, 3), 0xFFFF_FFFF_8000_0000);
    // ori zero-extends
    let vm = step1(&[i(0x0D, 0, 3, 0x8000)], &[]);
    assert_eq!(reg(&vm, 3), 0x8000);
    // sltiu compares against the sign-extended immediate, unsigned
    let vm = step1(&[i(0x0B, 1, 3, 0xFFFF)], &[(1, 5)]);
    assert_eq!(reg(&vm, 3), 1);
    // dsllv by 63, dsrav by 64 & 63 == 0
    let vm = step1(&[r(0, 1, 2, 3, 0, 0x14)], &[(1, 63), (2, 1)]);
    assert_eq!(reg(&vm, 3), 1 << 63);
    let vm = step1(&[r(0, 1, 2, 3, 0, 0x17)], &[(1, 64), (2, 1 << 63)]);
    assert_eq!(reg(&vm, 3), 1 << 63);
    // writes to r0 are discarded
    let vm = step1(&[r(0, 1, 2, 0, 0, 0x21)], &[(1, 1), (2, 1)]);
    assert_eq!(reg(&vm, 0), 0);
    // mthi quirk: rd != 0 gets 0
    let vm = step1(&[r(0, 1, 0, 5, 0, 0x11)], &[(1, 9), (5, 77)]);
    assert_eq!(reg(&vm, 5), 0);
    assert_eq!(vm.state.current_thread().unwrap().hi, 9);
    // clo / dclz
    let vm = step1(&[r(0x1C, 1, 0, 3, 0, 0x21)], &[(1, 0xFFFF_FFFF_F000_0000)]);
    assert_eq!(reg(&vm, 3), 4);
    let vm = step1(&[r(0x1C, 1, 0, 3, 0, 0x24)], &[(1, 1)]);
    assert_eq!(reg(&vm, 3), 63);
}

#[test]
fn loads_and_stores_use_big_endian_lanes() {
    let data = 0x20000u64;
    let mut vm = vm_with(
        &[
            i(0x3F, 1, 2, 0), // sd r2, 0(r1)
            i(0x20, 1, 3, 7), // lb r3, 7(r1)
            i(0x24, 1, 4, 0), // lbu r4, 0(r1)
            i(0x21, 1, 5, 3), // lh r5, 3(r1) -> lane 2 (low bit ignored)
            i(0x23, 1, 6, 5), // lw r6, 5(r1) -> lane 4
            i(0x27, 1, 7, 0), // lwu r7, 0(r1)
            i(0x28, 1, 2, 1), // sb r2, 1(r1)
            i(0x37, 1, 8, 3), // ld r8, 3(r1) -> aligned
        ],
        &[(1, data), (2, 0x8182_8384_8586_8788)],
    );
    vm.run(8).unwrap();
    assert_eq!(reg(&vm, 3), 0xFFFF_FFFF_FFFF_FF88);
    assert_eq!(reg(&vm, 4), 0x81);
    assert_eq!(reg(&vm, 5), 0xFFFF_FFFF_FFFF_8384);
    assert_eq!(reg(&vm, 6), 0xFFFF_FFFF_8586_8788);
    assert_eq!(reg(&vm, 7), 0x8182_8384);
    assert_eq!(reg(&vm, 8), 0x8188_8384_8586_8788);
}

#[test]
fn delay_slots_and_branch_faults() {
    // beq taken: delay slot executes, then target
    let mut vm = vm_with(&[i(0x04, 0, 0, 2), i(0x09, 0, 3, 1), i(0x09, 0, 4, 1), i(0x09, 0, 5, 1)], &[]);
    vm.run(3).unwrap();
    assert_eq!((reg(&vm, 3), reg(&vm, 4), reg(&vm, 5)), (1, 0, 1));
    // bltzal not taken still links
    let vm = step1(&[i(0x01, 1, 0x10, 4)], &[(1, 5)]);
    assert_eq!(reg(&vm, 31), BASE + 8);
    assert_eq!(vm.state.current_thread().unwrap().next_pc, BASE + 8);
    // unknown REGIMM rt (bltzl = 2) is a never-taken branch
    let vm = step1(&[i(0x01, 1, 0x02, 4)], &[(1, u64::MAX)]);
    assert_eq!(vm.state.current_thread().unwrap().next_pc, BASE + 8);
    // branch in a delay slot
    let mut vm = vm_with(&[i(0x04, 0, 0, 2), i(0x04, 0, 0, 2)], &[]);
    vm.step(false).unwrap();
    assert_eq!(vm.step(false), Err(VmError::BranchInDelaySlot));
    // jump in a delay slot
    let mut vm = vm_with(&[i(0x04, 0, 0, 2), (2 << 26) | 0x4000], &[]);
    vm.step(false).unwrap();
    assert_eq!(vm.step(false), Err(VmError::JumpInDelaySlot));
    // branch-likely opcode is invalid
    let mut vm = vm_with(&[i(0x14, 0, 0, 2)], &[]);
    assert!(matches!(vm.step(false), Err(VmError::InvalidInstruction(_))));
    // misaligned pc
    let mut vm = vm_with(&[r(0, 1, 0, 0, 0, 0x08), 0], &[(1, BASE + 2)]);
    vm.run(2).unwrap();
    assert_eq!(vm.step(false), Err(VmError::InvalidPc(BASE + 2)));
    // division by zero
    let mut vm = vm_with(&[r(0, 1, 2, 0, 0, 0x1A)], &[(1, 1), (2, 0x1_0000_0000)]);
    assert_eq!(vm.step(false), Err(VmError::DivideByZero));
}

#[test]
fn ll_sc_reservations() {
    let data = 0x20004u64;
    // ll r2, 0(r1); sc r3, 0(r1) -> success
    let mut vm = vm_with(&[i(0x30, 1, 2, 0), i(0x38, 1, 3, 0)], &[(1, data), (3, 0xABCD)]);
    vm.run(1).unwrap();
    assert_eq!((vm.state.ll_reservation_status, vm.state.ll_address), (1, data));
    vm.run(1).unwrap();
    assert_eq!(reg(&vm, 3), 1);
    assert_eq!(vm.state.memory.peek_word(data & !7), 0xABCD);
    assert_eq!(vm.state.ll_reservation_status, 0);
    // ll; sw to the same word (other lane); sc -> fails, memory untouched by sc
    let mut vm = vm_with(
        &[i(0x30, 1, 2, 0), i(0x2B, 1, 4, (-4i16) as u16), i(0x38, 1, 3, 0)],
        &[(1, data), (3, 0xABCD), (4, 7)],
    );
    vm.run(3).unwrap();
    assert_eq!(reg(&vm, 3), 0);
    assert_eq!(vm.state.memory.peek_word(data & !7), 7 << 32);
    // sc with a different (unaligned) address fails
    let mut vm = vm_with(&[i(0x34, 1, 2, 0), i(0x3C, 1, 3, 1)], &[(1, 0x20000), (3, 1)]);
    vm.run(2).unwrap();
    assert_eq!(reg(&vm, 3), 0);
}

fn syscall_vm(num: u64, a: [u64; 3]) -> Vm {
    vm_with(&[SYSCALL], &[(2, num), (4, a[0]), (5, a[1]), (6, a[2])])
}

#[test]
fn every_syscall_number_is_handled_or_panics() {
    let mut handled = Vec::new();
    for n in 5000..5400u64 {
        let mut vm = syscall_vm(n, [0, 0x2000, 0]);
        match vm.step(false) {
            Ok(_) => handled.push(n),
            Err(VmError::UnrecognizedSyscall(m)) => assert_eq!(m, n),
            Err(e) => panic!("syscall {n}: unexpected error {e}"),
        }
    }
    let mut expected: Vec<u64> = sys::NOOPS.to_vec();
    expected.extend([
        sys::READ,
        sys::WRITE,
        sys::OPEN,
        sys::MMAP,
        sys::BRK,
        sys::SCHED_YIELD,
        sys::NANOSLEEP,
        sys::GETPID,
        sys::CLONE,
        sys::EXIT,
        sys::FCNTL,
        sys::GETTID,
        sys::FUTEX,
        sys::EXIT_GROUP,
        sys::CLOCK_GETTIME,
        sys::EVENTFD2,
        sys::GETRANDOM,
    ]);
    expected.sort_unstable();
    assert_eq!(handled, expected);
}

#[test]
fn syscall_results_and_errno_convention() {
    // fcntl(F_GETFL) on a bad fd: v0 = EBADF, a3 = -1
    let mut vm = syscall_vm(sys::FCNTL, [42, 3, 0]);
    vm.step(false).unwrap();
    assert_eq!((reg(&vm, 2), reg(&vm, 7)), (9, u64::MAX));
    // mmap without hint bumps the heap by the rounded size
    let mut vm = syscall_vm(sys::MMAP, [0, 5000, 0]);
    let heap = vm.state.heap;
    vm.step(false).unwrap();
    assert_eq!((reg(&vm, 2), reg(&vm, 7), vm.state.heap), (heap, 0, heap + 8192));
    // mmap overflowing the heap limit: EINVAL
    let mut vm = syscall_vm(sys::MMAP, [0, 1 << 62, 0]);
    vm.step(false).unwrap();
    assert_eq!((reg(&vm, 2), reg(&vm, 7)), (0x16, u64::MAX));
    // mmap with hint returns the hint
    let mut vm = syscall_vm(sys::MMAP, [0xc000000000, 4096, 0]);
    vm.step(false).unwrap();
    assert_eq!(reg(&vm, 2), 0xc000000000);
    // clock_gettime monotonic uses the incremented step and writes two words
    let mut vm = syscall_vm(sys::CLOCK_GETTIME, [1, 0x30008, 0]);
    vm.state.step = 25_000_000 - 1;
    vm.step(false).unwrap();
    assert_eq!(vm.state.memory.peek_word(0x30008), 2);
    assert_eq!(vm.state.memory.peek_word(0x30010), 5_000_000 * 100);
    // getrandom fills bytes k.. of the word with splitmix64(step)
    let mut vm = syscall_vm(sys::GETRANDOM, [0x30003, 100, 0]);
    vm.step(false).unwrap();
    let r = rampart_vm::arch::splitmix64(1);
    assert_eq!(reg(&vm, 2), 5);
    assert_eq!(vm.state.memory.peek_word(0x30000), r & 0xFF_FFFF_FFFF);
    // clone with bad flags: VM exits with code 2
    let mut vm = syscall_vm(sys::CLONE, [0x1234, 0, 0]);
    vm.step(false).unwrap();
    assert!(vm.state.exited && vm.state.exit_code == 2);
    // eventfd2 needs EFD_NONBLOCK
    let mut vm = syscall_vm(sys::EVENTFD2, [0, 0x80, 0]);
    vm.step(false).unwrap();
    assert_eq!(reg(&vm, 2), 100);
}

#[test]
fn clone_yield_exit_and_preemption() {
    // clone: child pushed on the active stack, runs next with r2 = 0
    let mut vm = syscall_vm(sys::CLONE, [0x50F00, 0x7000, 0]);
    vm.step(false).unwrap();
    assert_eq!(vm.state.left_thread_stack.len(), 2);
    let child = vm.state.current_thread().unwrap();
    assert_eq!((child.thread_id, child.regs[2], child.regs[29], child.pc), (1, 0, 0x7000, BASE + 4));
    assert_eq!(vm.state.left_thread_stack[0].regs[2], 1);
    // sched_yield moves the thread to the other stack; a single thread keeps running
    let mut vm = syscall_vm(sys::SCHED_YIELD, [0, 0, 0]);
    vm.step(false).unwrap();
    assert!(vm.state.traverse_right);
    assert_eq!(vm.state.right_thread_stack.len(), 1);
    // forced preemption at the quantum: a step that executes nothing
    let mut vm = vm_with(&[0, 0], &[]);
    vm.state.steps_since_last_context_switch = SCHED_QUANTUM;
    vm.step(false).unwrap();
    assert_eq!(vm.state.current_thread().unwrap().pc, BASE);
    assert_eq!(vm.state.steps_since_last_context_switch, 0);
    // exit of the only thread exits the VM
    let mut vm = syscall_vm(sys::EXIT, [3, 0, 0]);
    vm.step(false).unwrap();
    assert!(vm.state.exited && vm.state.exit_code == 3);
    // an exited VM does not advance
    let step = vm.state.step;
    vm.step(false).unwrap();
    assert_eq!(vm.state.step, step);
}

#[test]
fn preimage_io_and_hints() {
    let mut oracle = MapOracle::default();
    let mut key = [0u8; 32];
    key[0] = 2;
    key[31] = 0x42;
    oracle.preimages.insert(key, b"hello preimage".to_vec());
    // Write the key with 4 aligned writes from memory, then read 8 bytes at an unaligned address.
    let code = [SYSCALL, SYSCALL, SYSCALL, SYSCALL, SYSCALL];
    let mut vm = vm_with(&code, &[]).with_oracle(Box::new(oracle));
    for (n, chunk) in key.chunks(8).enumerate() {
        vm.state.memory.write_word(0x40000 + 8 * n as u64, u64::from_be_bytes(chunk.try_into().unwrap()));
    }
    for n in 0..4u64 {
        let t = vm.state.active_stack_mut().last_mut().unwrap();
        t.regs[2] = sys::WRITE;
        t.regs[4] = 6;
        t.regs[5] = 0x40000 + 8 * n;
        t.regs[6] = 8;
        vm.step(false).unwrap();
        assert_eq!(reg(&vm, 2), 8);
    }
    assert_eq!(vm.state.preimage_key, key);
    let t = vm.state.active_stack_mut().last_mut().unwrap();
    t.regs[2] = sys::READ;
    t.regs[4] = 5;
    t.regs[5] = 0x50005;
    t.regs[6] = 100;
    let w = vm.step(true).unwrap().unwrap();
    // 3 bytes fit before the word end; the length prefix comes first
    assert_eq!(reg(&vm, 2), 3);
    assert_eq!(vm.state.preimage_offset, 3);
    let (k, v, off) = w.preimage.unwrap();
    assert_eq!((k, off), (key, 0));
    assert_eq!(&v[8..], b"hello preimage");
    // memory proof #1 is for the word written, against the pre-state root
    let proof1: [u8; 1920] = w.proof_data[330 + 1920..330 + 3840].try_into().unwrap();
    assert_eq!(proof_root(&proof1, 0x50000).to_vec(), w.state[..32].to_vec());
    assert_eq!(w.state_hash, state_hash_from_witness(&w.state));
}

#[test]
fn hints_are_reassembled_across_writes() {
    let mut vm = vm_with(&[SYSCALL, SYSCALL], &[]).with_oracle(Box::new(MapOracle::default()));
    let msg = b"\x00\x00\x00\x05hello\x00\x00";
    vm.state.memory.set_range(0x60000, msg);
    for (addr, len) in [(0x60000u64, 6u64), (0x60006, 5)] {
        let t = vm.state.active_stack_mut().last_mut().unwrap();
        t.regs[2] = sys::WRITE;
        t.regs[4] = 4;
        t.regs[5] = addr;
        t.regs[6] = len;
        vm.step(false).unwrap();
        assert_eq!(reg(&vm, 2), len);
    }
    assert_eq!(vm.state.last_hint, b"\x00\x00".to_vec());
}
