//! The packed 188-byte state witness, the 298-byte thread encoding, the thread-stack hash onion and the state hash.

use crate::error::StepError;
use rampart_primitives::{keccak256 as keccak, VmStatus};

/// Size of the packed state witness.
pub const STATE_SIZE: usize = 188;
/// Size of an encoded thread.
pub const THREAD_SIZE: usize = 298;
/// Root of an empty thread stack: keccak256(0^64).
pub const EMPTY_THREAD_ROOT: [u8; 32] = [
    0xad, 0x32, 0x28, 0xb6, 0x76, 0xf7, 0xd3, 0xcd, 0x42, 0x84, 0xa5, 0x44, 0x3f, 0x17, 0xf1, 0x96, 0x2b, 0x36, 0xe4,
    0x91, 0xb3, 0x0a, 0x40, 0xb2, 0x40, 0x58, 0x49, 0xe5, 0x97, 0xba, 0x5f, 0xb5,
];

fn be64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&b[at..at + 8]);
    u64::from_be_bytes(w)
}

fn b32(b: &[u8], at: usize) -> [u8; 32] {
    let mut w = [0u8; 32];
    w.copy_from_slice(&b[at..at + 32]);
    w
}

/// The VM state as the step sees it: every witness field, with the thread stacks as roots only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackedState {
    /// Merkle root of memory.
    pub mem_root: [u8; 32],
    /// Preimage key being read / assembled.
    pub preimage_key: [u8; 32],
    /// Read offset into (length ‖ preimage).
    pub preimage_offset: u64,
    /// Next address handed out by mmap(0, ..).
    pub heap: u64,
    /// LL reservation: 0 none, 1 ll, 2 lld.
    pub ll_reservation_status: u8,
    /// Exact address of the reservation.
    pub ll_address: u64,
    /// Thread that holds the reservation.
    pub ll_owner_thread: u64,
    /// VM exit code.
    pub exit_code: u8,
    /// VM exited (0/1 on the wire).
    pub exited: bool,
    /// Step counter.
    pub step: u64,
    /// Steps of the active thread since the last context switch.
    pub steps_since_context_switch: u64,
    /// Raw traverse-right byte (non-zero means the right stack is active).
    pub traverse_right: u8,
    /// Left thread stack root.
    pub left_root: [u8; 32],
    /// Right thread stack root.
    pub right_root: [u8; 32],
    /// Id for the next clone.
    pub next_thread_id: u64,
}

impl PackedState {
    /// Decodes the 188-byte witness; rejects a wrong length and an exited byte above 1.
    pub fn decode(data: &[u8]) -> Result<Self, StepError> {
        if data.len() != STATE_SIZE {
            return Err(StepError::StateDataLength(data.len()));
        }
        if data[98] > 1 {
            return Err(StepError::InvalidExitedValue(data[98]));
        }
        Ok(Self {
            mem_root: b32(data, 0),
            preimage_key: b32(data, 32),
            preimage_offset: be64(data, 64),
            heap: be64(data, 72),
            ll_reservation_status: data[80],
            ll_address: be64(data, 81),
            ll_owner_thread: be64(data, 89),
            exit_code: data[97],
            exited: data[98] == 1,
            step: be64(data, 99),
            steps_since_context_switch: be64(data, 107),
            traverse_right: data[115],
            left_root: b32(data, 116),
            right_root: b32(data, 148),
            next_thread_id: be64(data, 180),
        })
    }

    /// Encodes the 188-byte witness.
    pub fn encode(&self) -> [u8; STATE_SIZE] {
        let mut o = [0u8; STATE_SIZE];
        o[0..32].copy_from_slice(&self.mem_root);
        o[32..64].copy_from_slice(&self.preimage_key);
        o[64..72].copy_from_slice(&self.preimage_offset.to_be_bytes());
        o[72..80].copy_from_slice(&self.heap.to_be_bytes());
        o[80] = self.ll_reservation_status;
        o[81..89].copy_from_slice(&self.ll_address.to_be_bytes());
        o[89..97].copy_from_slice(&self.ll_owner_thread.to_be_bytes());
        o[97] = self.exit_code;
        o[98] = self.exited as u8;
        o[99..107].copy_from_slice(&self.step.to_be_bytes());
        o[107..115].copy_from_slice(&self.steps_since_context_switch.to_be_bytes());
        o[115] = self.traverse_right;
        o[116..148].copy_from_slice(&self.left_root);
        o[148..180].copy_from_slice(&self.right_root);
        o[180..188].copy_from_slice(&self.next_thread_id.to_be_bytes());
        o
    }

    /// Whether the right stack holds the active thread.
    pub fn right_active(&self) -> bool {
        self.traverse_right != 0
    }

    /// Root of the active thread stack.
    pub fn active_root(&self) -> [u8; 32] {
        if self.right_active() {
            self.right_root
        } else {
            self.left_root
        }
    }

    /// Sets the root of the active thread stack.
    pub fn set_active_root(&mut self, root: [u8; 32]) {
        if self.right_active() {
            self.right_root = root;
        } else {
            self.left_root = root;
        }
    }

    /// Root of the inactive thread stack.
    pub fn inactive_root(&self) -> [u8; 32] {
        if self.right_active() {
            self.left_root
        } else {
            self.right_root
        }
    }

    /// Sets the root of the inactive thread stack.
    pub fn set_inactive_root(&mut self, root: [u8; 32]) {
        if self.right_active() {
            self.left_root = root;
        } else {
            self.right_root = root;
        }
    }

    /// Flips which stack is active.
    pub fn flip(&mut self) {
        self.traverse_right = if self.right_active() { 0 } else { 1 };
    }

    /// Clears the LL reservation.
    pub fn clear_reservation(&mut self) {
        self.ll_reservation_status = 0;
        self.ll_address = 0;
        self.ll_owner_thread = 0;
    }

    /// Clears the reservation when a write lands on the reserved aligned word.
    pub fn note_write(&mut self, aligned_addr: u64) {
        if aligned_addr == self.ll_address & !7 {
            self.clear_reservation();
        }
    }
}

/// State hash of a 188-byte witness: keccak256 with byte 0 replaced by the VM status (0 valid, 1 invalid,
/// 2 panic, 3 unfinished).
pub fn state_hash(witness: &[u8; STATE_SIZE]) -> [u8; 32] {
    VmStatus::from_exit(witness[98] == 1, witness[97]).apply(keccak(witness))
}

/// One thread as encoded in the proof (298 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Thread {
    /// Thread id.
    pub id: u64,
    /// Thread exit code.
    pub exit_code: u8,
    /// Raw exited byte (non-zero means exited).
    pub exited: u8,
    /// Program counter.
    pub pc: u64,
    /// Next program counter.
    pub next_pc: u64,
    /// LO register.
    pub lo: u64,
    /// HI register.
    pub hi: u64,
    /// r0..r31.
    pub regs: [u64; 32],
}

impl Thread {
    /// Decodes the 298-byte encoding (the caller guarantees the length).
    pub fn decode(b: &[u8; THREAD_SIZE]) -> Self {
        let mut regs = [0u64; 32];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = be64(b, 42 + 8 * i);
        }
        Self {
            id: be64(b, 0),
            exit_code: b[8],
            exited: b[9],
            pc: be64(b, 10),
            next_pc: be64(b, 18),
            lo: be64(b, 26),
            hi: be64(b, 34),
            regs,
        }
    }

    /// The 298-byte encoding.
    pub fn encode(&self) -> [u8; THREAD_SIZE] {
        let mut o = [0u8; THREAD_SIZE];
        o[0..8].copy_from_slice(&self.id.to_be_bytes());
        o[8] = self.exit_code;
        o[9] = self.exited;
        o[10..18].copy_from_slice(&self.pc.to_be_bytes());
        o[18..26].copy_from_slice(&self.next_pc.to_be_bytes());
        o[26..34].copy_from_slice(&self.lo.to_be_bytes());
        o[34..42].copy_from_slice(&self.hi.to_be_bytes());
        for (i, r) in self.regs.iter().enumerate() {
            o[42 + 8 * i..50 + 8 * i].copy_from_slice(&r.to_be_bytes());
        }
        o
    }
}

/// push(root, thread) = keccak256(root ‖ keccak256(encode(thread))).
pub fn push_thread(root: &[u8; 32], thread: &Thread) -> [u8; 32] {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(root);
    buf[32..].copy_from_slice(&keccak(&thread.encode()));
    keccak(&buf)
}
