//! The VM state of Cannon MT64: threads, the two thread stacks, the 188-byte witness and the state hash.

use crate::arch::{HEAP_START, STATE_VERSION};
use crate::keccak::{hash_pair, keccak256};
use crate::memory::Memory;

/// Size of the packed state witness.
pub const STATE_WITNESS_SIZE: usize = 188;
/// Size of one encoded thread.
pub const THREAD_WITNESS_SIZE: usize = 298;
/// Root of an empty thread stack: keccak256(0^64).
pub const EMPTY_THREAD_ROOT: [u8; 32] = [
    0xad, 0x32, 0x28, 0xb6, 0x76, 0xf7, 0xd3, 0xcd, 0x42, 0x84, 0xa5, 0x44, 0x3f, 0x17, 0xf1, 0x96, 0x2b, 0x36, 0xe4,
    0x91, 0xb3, 0x0a, 0x40, 0xb2, 0x40, 0x58, 0x49, 0xe5, 0x97, 0xba, 0x5f, 0xb5,
];

pub use rampart_primitives::VmStatus;

/// State hash from a 188-byte witness: keccak256 with byte 0 replaced by the VM status.
pub fn state_hash_from_witness(witness: &[u8; STATE_WITNESS_SIZE]) -> [u8; 32] {
    let mut h = keccak256(witness);
    let exited = witness[98] == 1;
    h[0] = VmStatus::from_exit(exited, witness[97]) as u8;
    h
}

/// One guest thread: id, exit status, pc/nextPC, HI/LO and the 32 registers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadState {
    /// Thread id.
    pub thread_id: u64,
    /// Exit code set by `exit`.
    pub exit_code: u8,
    /// Whether the thread called `exit`.
    pub exited: bool,
    /// Program counter.
    pub pc: u64,
    /// Next program counter (differs from pc + 4 in a delay slot).
    pub next_pc: u64,
    /// LO register.
    pub lo: u64,
    /// HI register.
    pub hi: u64,
    /// General-purpose registers r0..r31.
    pub regs: [u64; 32],
}

impl ThreadState {
    /// A fresh thread at `pc` with all registers zero.
    pub fn new(thread_id: u64, pc: u64) -> Self {
        Self { thread_id, exit_code: 0, exited: false, pc, next_pc: pc.wrapping_add(4), lo: 0, hi: 0, regs: [0; 32] }
    }

    /// The 298-byte encoding used in witnesses, proofs and state files.
    pub fn encode(&self) -> [u8; THREAD_WITNESS_SIZE] {
        let mut out = [0u8; THREAD_WITNESS_SIZE];
        out[0..8].copy_from_slice(&self.thread_id.to_be_bytes());
        out[8] = self.exit_code;
        out[9] = self.exited as u8;
        out[10..18].copy_from_slice(&self.pc.to_be_bytes());
        out[18..26].copy_from_slice(&self.next_pc.to_be_bytes());
        out[26..34].copy_from_slice(&self.lo.to_be_bytes());
        out[34..42].copy_from_slice(&self.hi.to_be_bytes());
        for (i, r) in self.regs.iter().enumerate() {
            out[42 + 8 * i..50 + 8 * i].copy_from_slice(&r.to_be_bytes());
        }
        out
    }

    /// Decodes a 298-byte thread; the `exited` byte must be 0 or 1.
    pub fn decode(b: &[u8; THREAD_WITNESS_SIZE]) -> Option<Self> {
        let u = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().unwrap());
        if b[9] > 1 {
            return None;
        }
        let mut regs = [0u64; 32];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = u(42 + 8 * i);
        }
        Some(Self {
            thread_id: u(0),
            exit_code: b[8],
            exited: b[9] == 1,
            pc: u(10),
            next_pc: u(18),
            lo: u(26),
            hi: u(34),
            regs,
        })
    }

    /// keccak256 of the encoding.
    pub fn hash(&self) -> [u8; 32] {
        keccak256(&self.encode())
    }
}

/// Hash-onion root of a thread stack (bottom to top).
pub fn thread_stack_root(stack: &[ThreadState]) -> [u8; 32] {
    stack.iter().fold(EMPTY_THREAD_ROOT, |root, t| hash_pair(&root, &t.hash()))
}

/// The complete VM state.
#[derive(Clone, Debug)]
pub struct State {
    /// Merkleized memory.
    pub memory: Memory,
    /// Key assembled by writes to fd 6.
    pub preimage_key: [u8; 32],
    /// Read cursor into (8-byte length ‖ preimage).
    pub preimage_offset: u64,
    /// Next address `mmap(0, ..)` returns.
    pub heap: u64,
    /// 0 none, 1 `ll`, 2 `lld`.
    pub ll_reservation_status: u8,
    /// Exact address of the last `ll`/`lld`.
    pub ll_address: u64,
    /// Thread that holds the reservation.
    pub ll_owner_thread: u64,
    /// VM exit code.
    pub exit_code: u8,
    /// Whether the VM halted.
    pub exited: bool,
    /// Step counter.
    pub step: u64,
    /// Instructions the active thread ran since the last context switch.
    pub steps_since_last_context_switch: u64,
    /// Whether the right stack holds the active thread.
    pub traverse_right: bool,
    /// Left thread stack, bottom to top.
    pub left_thread_stack: Vec<ThreadState>,
    /// Right thread stack, bottom to top.
    pub right_thread_stack: Vec<ThreadState>,
    /// Id for the next `clone`.
    pub next_thread_id: u64,
    /// Unprocessed tail of the hint stream (not part of the witness).
    pub last_hint: Vec<u8>,
}

impl State {
    /// The initial state for a program whose entry point is `pc`: one thread, heap at `HEAP_START`.
    pub fn new(pc: u64) -> Self {
        Self {
            memory: Memory::new(),
            preimage_key: [0; 32],
            preimage_offset: 0,
            heap: HEAP_START,
            ll_reservation_status: 0,
            ll_address: 0,
            ll_owner_thread: 0,
            exit_code: 0,
            exited: false,
            step: 0,
            steps_since_last_context_switch: 0,
            traverse_right: false,
            left_thread_stack: vec![ThreadState::new(0, pc)],
            right_thread_stack: Vec::new(),
            next_thread_id: 1,
            last_hint: Vec::new(),
        }
    }

    /// The state version of this state (always 8).
    pub fn version(&self) -> u8 {
        STATE_VERSION
    }

    /// The active thread stack.
    pub fn active_stack(&self) -> &Vec<ThreadState> {
        if self.traverse_right {
            &self.right_thread_stack
        } else {
            &self.left_thread_stack
        }
    }

    /// The active thread stack, mutably.
    pub fn active_stack_mut(&mut self) -> &mut Vec<ThreadState> {
        if self.traverse_right {
            &mut self.right_thread_stack
        } else {
            &mut self.left_thread_stack
        }
    }

    /// The active thread (top of the active stack), if any.
    pub fn current_thread(&self) -> Option<&ThreadState> {
        self.active_stack().last()
    }

    /// Total number of threads on both stacks.
    pub fn thread_count(&self) -> usize {
        self.left_thread_stack.len() + self.right_thread_stack.len()
    }

    /// Thread witness: the active thread's 298-byte encoding followed by the inner root of its stack.
    pub fn thread_proof(&self) -> [u8; THREAD_WITNESS_SIZE + 32] {
        let mut out = [0u8; THREAD_WITNESS_SIZE + 32];
        let stack = self.active_stack();
        if let Some((top, rest)) = stack.split_last() {
            out[..THREAD_WITNESS_SIZE].copy_from_slice(&top.encode());
            out[THREAD_WITNESS_SIZE..].copy_from_slice(&thread_stack_root(rest));
        } else {
            out[THREAD_WITNESS_SIZE..].copy_from_slice(&EMPTY_THREAD_ROOT);
        }
        out
    }

    /// The 188-byte packed witness.
    pub fn encode_witness(&mut self) -> [u8; STATE_WITNESS_SIZE] {
        let mut w = [0u8; STATE_WITNESS_SIZE];
        w[0..32].copy_from_slice(&self.memory.merkle_root());
        w[32..64].copy_from_slice(&self.preimage_key);
        w[64..72].copy_from_slice(&self.preimage_offset.to_be_bytes());
        w[72..80].copy_from_slice(&self.heap.to_be_bytes());
        w[80] = self.ll_reservation_status;
        w[81..89].copy_from_slice(&self.ll_address.to_be_bytes());
        w[89..97].copy_from_slice(&self.ll_owner_thread.to_be_bytes());
        w[97] = self.exit_code;
        w[98] = self.exited as u8;
        w[99..107].copy_from_slice(&self.step.to_be_bytes());
        w[107..115].copy_from_slice(&self.steps_since_last_context_switch.to_be_bytes());
        w[115] = self.traverse_right as u8;
        w[116..148].copy_from_slice(&thread_stack_root(&self.left_thread_stack));
        w[148..180].copy_from_slice(&thread_stack_root(&self.right_thread_stack));
        w[180..188].copy_from_slice(&self.next_thread_id.to_be_bytes());
        w
    }

    /// The state hash (witness hash with the status byte).
    pub fn state_hash(&mut self) -> [u8; 32] {
        state_hash_from_witness(&self.encode_witness())
    }

    /// The VM status of this state.
    pub fn status(&self) -> VmStatus {
        VmStatus::from_exit(self.exited, self.exit_code)
    }
}
