//! Errors of the VM: invalid transitions (VM panics, exit code 2) and host-side failures (exit code 1).

use thiserror::Error;

/// Why a step could not be executed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VmError {
    /// Unsupported or invalid instruction word (printed as Cannon does: an invalid SPECIAL funct as `0x%08x`,
    /// every other invalid word as `%x`).
    #[error("invalid instruction: {}", invalid_insn_text(*.0))]
    InvalidInstruction(u32),
    /// A branch executed in a delay slot.
    #[error("branch in delay slot")]
    BranchInDelaySlot,
    /// A jump executed in a delay slot.
    #[error("jump in delay slot")]
    JumpInDelaySlot,
    /// div/divu/ddiv/ddivu by zero.
    #[error("instruction divide by zero")]
    DivideByZero,
    /// PC not 4-byte aligned.
    #[error("unaligned instruction fetch: PC = {0:#x}")]
    InvalidPc(u64),
    /// Syscall number Cannon does not implement.
    #[error("unrecognized syscall: {0}")]
    UnrecognizedSyscall(u64),
    /// Preimage read at offset >= 8 + len.
    #[error("Preimage offset out-of-bounds")]
    PreimageOffsetOutOfBounds,
    /// The active thread stack is empty.
    #[error("active thread stack is empty")]
    EmptyThreadStack,
    /// The preimage oracle failed (host side, not a VM panic).
    #[error("preimage oracle: {0}")]
    Oracle(String),
    /// A guest write to stdout/stderr/hints larger than the host is willing to buffer.
    #[error("guest write of {0} bytes exceeds the host limit")]
    WriteTooLarge(u64),
    /// Writing guest output to the host failed.
    #[error("writing guest output: {0}")]
    Output(String),
}

/// The instruction word of Cannon's "invalid instruction" panics: the ALU's SPECIAL (opcode 0) arm formats it
/// as `0x%08x`, every other path as plain `%x`.
fn invalid_insn_text(insn: u32) -> String {
    if insn >> 26 == 0 {
        format!("{insn:#010x}")
    } else {
        format!("{insn:x}")
    }
}

impl VmError {
    /// Whether this is an invalid state transition (Cannon exits with status 2 for these).
    pub fn is_vm_panic(&self) -> bool {
        !matches!(self, VmError::Oracle(_) | VmError::Output(_) | VmError::WriteTooLarge(_))
    }
}

/// Errors reading or writing state files, ELFs and proofs.
#[derive(Debug, Error)]
pub enum StateFileError {
    /// I/O failure.
    #[error("{path}: {source}")]
    Io {
        /// File involved.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file is not a valid state of version 8.
    #[error("invalid state file: {0}")]
    Invalid(String),
    /// Unsupported state version byte.
    #[error("unsupported state version {0} (only 8, multithreaded64-5, is supported)")]
    UnsupportedVersion(u8),
    /// Unsupported output format.
    #[error("{0}")]
    Format(String),
}

/// Errors loading an ELF.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ElfError {
    /// Not an ELF or truncated.
    #[error("invalid ELF: {0}")]
    Malformed(String),
    /// Wrong machine/class/endianness.
    #[error("unsupported ELF: {0}")]
    Unsupported(String),
    /// A segment is outside the loadable range.
    #[error("segment {index} [{start:#x}, {end:#x}) is out of range (must end below 2^48 and below the heap start 0x100000000000)")]
    SegmentOutOfRange {
        /// Program header index.
        index: usize,
        /// Start address.
        start: u64,
        /// End address.
        end: u64,
    },
}
