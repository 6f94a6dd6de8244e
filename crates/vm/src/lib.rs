//! A MIPS64 fault-proof VM, bit-compatible with Cannon MT64 (state version 8, "multithreaded64-5").
//!
//! - [`state`]: threads, thread stacks, the 188-byte witness and the state hash.
//! - [`memory`]: sparse paged memory with an incrementally maintained Merkle root and proofs.
//! - [`vm`]: the stepping machine (instructions, syscalls, scheduling, preimage I/O, step witnesses).
//! - [`elf`]: `load-elf` (segments, stack patch, symbols).
//! - [`state_file`]: the binary `.bin`/`.bin.gz` state format.
//! - [`proof`]: proof JSON as written by `run --proof-at`.

pub mod alu;
pub mod arch;
pub mod elf;
pub mod error;
pub mod interp;
pub mod keccak;
pub mod keccak_batch;
pub mod memory;
pub mod proof;
pub mod state;
pub mod state_file;
pub mod vm;

pub use error::{ElfError, StateFileError, VmError};
pub use memory::Memory;
pub use state::{State, ThreadState, VmStatus};
pub use vm::{MapOracle, NoOracle, PreimageOracle, StepWitness, Vm};
