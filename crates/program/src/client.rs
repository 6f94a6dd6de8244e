//! The prologue of the client flow (fault-proof-program spec §2.2, deployed-2026 §3): agreed output root → safe
//! head, the claim-below-safe-head check and the trace-extension rule, and the verdict.

use crate::{
    boot::BootInfo,
    errors::{ProgramError, Result},
    l1::header_by_hash,
    oracle::{HintType, PreimageOracle},
    output::fetch_agreed_output,
};
use alloc::boxed::Box;
use alloy_consensus::Header;
use alloy_primitives::B256;

/// What the prologue decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prologue {
    /// The claimed block is the agreed safe head: nothing is derived and the claim is valid iff it equals the
    /// agreed output root (monorepo PR #19775 rule, deployed in 2026).
    TraceExtension,
    /// Derivation must run from this safe head to the claimed block.
    Derive {
        /// The agreed safe head's header.
        safe_head: Box<Header>,
        /// Its hash.
        safe_head_hash: B256,
    },
}

/// Resolves the agreed output root to the safe head (hints `starting-l2-output`, then `l2-block-header`) and
/// applies the checks that precede derivation. A claimed block below the safe head is an error (exit 1).
pub fn prologue<O: PreimageOracle + ?Sized>(oracle: &mut O, boot: &BootInfo) -> Result<Prologue> {
    let agreed = fetch_agreed_output(oracle, boot.agreed_l2_output_root)?;
    let safe_head_hash = agreed.block_hash;
    let safe_head = header_by_hash(oracle, HintType::L2BlockHeader, safe_head_hash)?;
    if boot.claimed_l2_block_number < safe_head.number {
        return Err(ProgramError::ClaimBelowSafeHead {
            claimed: boot.claimed_l2_block_number,
            safe_head: safe_head.number,
        });
    }
    if boot.claimed_l2_block_number == safe_head.number {
        return Ok(Prologue::TraceExtension);
    }
    Ok(Prologue::Derive { safe_head: Box::new(safe_head), safe_head_hash })
}

/// The verdict on a claim: `Ok` (exit 0) iff the output root reached equals the claim, else
/// [`ProgramError::InvalidClaim`] (exit 1).
pub fn check_claim(computed: B256, claimed: B256) -> Result<()> {
    if computed == claimed {
        Ok(())
    } else {
        Err(ProgramError::InvalidClaim { computed, claimed })
    }
}

/// The exit code of a run's result: 0 valid claim, 1 invalid claim or any error (kona-client's mapping; 2 is
/// left to the panic handler).
pub fn exit_code<T>(result: &Result<T>) -> i32 {
    match result {
        Ok(_) => 0,
        Err(_) => 1,
    }
}

/// The trace-extension verdict: derivation is skipped, the claim must equal the agreed output root.
pub fn trace_extension_verdict(boot: &BootInfo) -> Result<()> {
    check_claim(boot.agreed_l2_output_root, boot.claimed_l2_output_root)
}
