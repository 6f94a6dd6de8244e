//! Super-root proof encodings (Upgrade 20, game types 9 and 5): the super root, the transition state
//! between two super roots, and the 128-step-per-timestamp trace layout of the top half of a super game
//! (`shared/spec/super-roots.md` §1, §2).
//!
//! * [`SuperRoot`]: `0x01 ‖ timestamp (u64 BE) ‖ (chain id (u256 BE) ‖ output root)*`, hash = keccak256 of the bytes.
//! * [`TransitionState`]: `0xFF ‖ RLP[superRootBytes, [[blockHash, outputRoot]…], step]`, hash includes `0xFF`.
//! * [`PreState`]: either of the two, dispatched on the first byte; [`PreState::transition`] is the per-step
//!   state change of the interop program (sub-transition, padding, consolidation into the next super root).
//! * [`trace`]: which (timestamp, step) a top-half trace index commits to.

mod super_root;
pub mod trace;
mod transition;

pub use super_root::{ChainOutputRoot, SuperRoot};
pub use trace::{SuperTracePoint, STEPS_PER_TIMESTAMP};
pub use transition::{OptimisticBlock, PreState, TransitionState};

use alloy_primitives::{b256, B256};

/// Version byte of a [`SuperRoot`] encoding.
pub const SUPER_ROOT_VERSION: u8 = 1;

/// Version byte of a [`TransitionState`] encoding (`IntermediateTransitionVersion`).
pub const TRANSITION_STATE_VERSION: u8 = 0xff;

/// The last step of a timestamp: a transition state at this step consolidates into the next super root.
/// Steps 1..=127 are transition states, step 0 is the super root itself.
pub const TRANSITION_STATE_MAX_STEPS: u64 = 127;

/// The raw pre-state the program treats as "invalid" (ASCII `invalid`).
pub const INVALID_TRANSITION: &[u8] = b"invalid";

/// `keccak256("invalid")`: the claim an honest party makes for a state that cannot be reached
/// (L1 data exhausted, or a super root not yet derivable from the game's L1 head).
pub const INVALID_TRANSITION_HASH: B256 = b256!("ffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68");

/// Length of a super root encoding with `n` chains: `9 + 64·n`.
pub const fn super_root_len(n: usize) -> usize {
    9 + 64 * n
}
