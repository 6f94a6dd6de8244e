//! Rampart's stateless MIPS64 step verifier: `MIPS64.sol`'s `step(stateData, proof, localContext)` in Rust.
//!
//! It executes exactly one step of a Cannon MT64 (state version 8) VM from nothing but the 188-byte state
//! witness, the proof bytes (active thread, inner stack root, up to three memory proofs) and the preimage part
//! the step reads, and returns the post-state and its hash, or the check that failed. It shares no execution code
//! with the fast VM in `rampart-vm`, so each can check the other.
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

pub mod error;
pub mod memory;
pub mod step;
pub mod witness;

pub use error::StepError;
pub use step::{splitmix64, step, step_with_oracle, PreimageInput, PreimageOracle, StepOutcome, PROOF_SIZE};
pub use witness::{state_hash, PackedState, Thread, EMPTY_THREAD_ROOT};

/// The key `MIPS64.sol` asks the oracle for: type-1 (local) keys are localized to the caller of `step` and the
/// game's local context, `keccak256(key ‖ caller as 32 bytes ‖ local_context)` with byte 0 set to 1; other keys
/// are unchanged.
pub fn localize_key(key: [u8; 32], caller: [u8; 20], local_context: [u8; 32]) -> [u8; 32] {
    if key[0] != rampart_primitives::LOCAL_KEY_TYPE {
        return key;
    }
    rampart_primitives::localize(&key, &caller, &local_context)
}
