//! Why a step was rejected: one variant per check of `MIPS64.step`.

use rampart_primitives::hex::Hex;
use thiserror::Error;

/// A failed check of the stateless step. Each variant names the contract's revert (or Go's panic) it mirrors.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum StepError {
    /// The state data is not exactly 188 bytes.
    #[error("state data is {0} bytes, expected 188")]
    StateDataLength(usize),
    /// The exited byte of the pre-state is neither 0 nor 1 (`InvalidExitedValue()`).
    #[error("invalid exited value {0} (InvalidExitedValue)")]
    InvalidExitedValue(u8),
    /// The active thread stack is empty before the step.
    #[error("MIPS64: active thread stack is empty")]
    ActiveStackEmpty,
    /// The active stack is empty after the step.
    #[error("MIPS64: post-state active thread stack is empty")]
    PostStateStackEmpty,
    /// The proof is too short for a part the step needs.
    #[error("insufficient proof data: need {needed} bytes for the {what}, have {have}")]
    InsufficientProof {
        /// Which part was missing.
        what: &'static str,
        /// Bytes needed up to the end of that part.
        needed: usize,
        /// Bytes given.
        have: usize,
    },
    /// push(inner root, thread) does not equal the active stack root.
    #[error("MIPS64: invalid thread witness")]
    InvalidThreadWitness,
    /// A memory proof (instruction fetch or first data access) does not match the memory root.
    #[error("invalid memory proof for address {addr:#x} (InvalidMemoryProof)")]
    InvalidMemoryProof {
        /// Aligned address the proof was for.
        addr: u64,
    },
    /// The second memory proof (clock_gettime) does not match the root after the first write.
    #[error("invalid second memory proof for address {addr:#x} (InvalidSecondMemoryProof)")]
    InvalidSecondMemoryProof {
        /// Aligned address the proof was for.
        addr: u64,
    },
    /// The pc is not 4-byte aligned (`InvalidPC()`).
    #[error("unaligned instruction fetch: PC = {0:#x} (InvalidPC)")]
    InvalidPc(u64),
    /// The instruction word is not supported.
    #[error("MIPS64: invalid instruction {0:#010x}")]
    InvalidInstruction(u32),
    /// A branch executed in a delay slot.
    #[error("MIPS64: branch in delay slot")]
    BranchInDelaySlot,
    /// A jump executed in a delay slot.
    #[error("MIPS64: jump in delay slot")]
    JumpInDelaySlot,
    /// Integer division by zero.
    #[error("MIPS64: division by zero")]
    DivisionByZero,
    /// A syscall number the VM does not implement.
    #[error("MIPS64: unimplemented syscall {0}")]
    UnimplementedSyscall(u64),
    /// The step reads the preimage oracle but no preimage was supplied.
    #[error("preimage missing for key 0x{}", hex32(.0))]
    PreimageMissing([u8; 32]),
    /// The supplied preimage is for another key than the state's.
    #[error("preimage key 0x{} does not match the state's key 0x{}", hex32(.given), hex32(.expected))]
    PreimageKeyMismatch {
        /// Key of the supplied preimage.
        given: [u8; 32],
        /// Key in the state.
        expected: [u8; 32],
    },
    /// The supplied offset differs from the state's preimage offset.
    #[error("preimage offset {given} does not match the state's offset {expected}")]
    PreimageOffsetMismatch {
        /// Offset of the supplied preimage.
        given: u64,
        /// Offset in the state.
        expected: u64,
    },
    /// The supplied value does not start with its own 8-byte big-endian length.
    #[error("preimage value has a bad length prefix")]
    PreimageLengthPrefix,
    /// The supplied value does not hash to its keccak256 / sha256 key.
    #[error("preimage value does not hash to its key 0x{}", hex32(.0))]
    PreimageHashMismatch([u8; 32]),
    /// The read starts at or past the end of (length prefix ‖ preimage).
    #[error("preimage offset {offset} out of bounds (length {len} + 8)")]
    PreimageOutOfBounds {
        /// Read offset.
        offset: u64,
        /// Preimage length without the prefix.
        len: u64,
    },
}

fn hex32(b: &[u8; 32]) -> Hex<'_> {
    Hex(b)
}
