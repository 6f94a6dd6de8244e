//! A MIPS64 fault-proof VM, bit-compatible with Cannon MT64 (state version 8, "multithreaded64-5").
//!
//! - [`state`]: threads, thread stacks, the 188-byte witness and the state hash.
//! - [`memory`]: sparse paged memory with an incrementally maintained Merkle root and proofs.
//! - [`vm`]: the stepping machine (instructions, syscalls, scheduling, preimage I/O, step witnesses).
//! - [`elf`]: `load-elf` (segments, stack patch, symbols).
//! - [`state_file`]: the binary `.bin`/`.bin.gz` state format.
//! - [`proof`]: proof JSON as written by `run --proof-at`.
//!
//! Internals: `interp` (the pre-decoded fast interpreter, the reference for `jit`), `jit` (translation of basic
//! blocks to x86-64 code), `alu` (pure instruction semantics), `keccak_batch` (SIMD keccak for the memory root).

pub(crate) mod alu;
pub mod arch;
pub mod elf;
pub mod error;
pub(crate) mod interp;
#[cfg(all(target_arch = "x86_64", unix))]
pub(crate) mod jit;
pub mod keccak;
pub(crate) mod keccak_batch;
pub mod memory;
pub mod proof;
pub mod state;
pub mod state_file;
pub mod vm;

pub use error::{ElfError, StateFileError, VmError};
pub use keccak_batch::{backend as keccak_backend, Backend as KeccakBackend, BACKEND_ENV as KECCAK_BACKEND_ENV};
pub use memory::Memory;
pub use state::{State, ThreadState, VmStatus};
pub use vm::{MapOracle, NoOracle, PreimageOracle, StepWitness, Vm};
