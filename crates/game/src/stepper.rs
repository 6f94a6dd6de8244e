//! `IBigStepper`: the on-chain VM a game calls in `step`, and the alphabet VM (`dispute-game.md` §1.7).

use core::fmt;

use alloy_primitives::{keccak256, Address, B256, U256};

use crate::oracle::PreimageOracle;
use crate::types::VmStatus;
use rampart_primitives::{localize_ident, LocalKey};

/// A VM `step` revert, with its reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VmStepError(pub String);

/// The on-chain single-step VM: `step(stateData, proof, localContext)` returning the post-state hash.
pub trait BigStepper {
    /// Executes one step from `state_data`; `caller` is the game (it localizes local oracle keys).
    fn step(
        &self,
        state_data: &[u8],
        proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError>;
}

/// `test/mocks/AlphabetVM.sol`: the toy FPVM of game type 255.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlphabetVm {
    /// `ABSOLUTE_PRESTATE` (its top byte is ignored).
    pub absolute_prestate: B256,
}

impl BigStepper for AlphabetVm {
    fn step(
        &self,
        state_data: &[u8],
        _proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError> {
        let word = |i: usize| -> Result<U256, VmStepError> {
            state_data
                .get(i * 32..i * 32 + 32)
                .map(U256::from_be_slice)
                .ok_or_else(|| VmStepError("abi.decode: state data too short".into()))
        };
        let (trace_index, claim) = if keccak256(state_data).0[1..] == self.absolute_prestate.0[1..] {
            let key = B256::from(localize_ident(LocalKey::L2ClaimBlockNumber.index(), &caller.0 .0, &local_context.0));
            let (dat, _) = oracle.read_preimage(key, 0).map_err(|e| VmStepError(e.to_string()))?;
            let n: U256 = (U256::from_be_bytes(dat.0) >> 128usize) & U256::from(0xffff_ffffu64);
            // Solidity 0.8 checked subtraction: block 0 underflows and reverts.
            let starting = n.checked_sub(U256::from(1u8)).ok_or_else(|| VmStepError("arithmetic underflow".into()))?;
            let ti = starting << 4;
            let claim = word(0)?.checked_add(ti).ok_or_else(|| VmStepError("arithmetic overflow".into()))?;
            (ti, claim)
        } else {
            (word(0)?.wrapping_add(U256::from(1u8)), word(1)?.wrapping_add(U256::from(1u8)))
        };
        Ok(alphabet_state_hash(trace_index, claim))
    }
}

/// The alphabet state preimage `abi.encode(traceIndex, claim)`.
pub(crate) fn alphabet_state(trace_index: U256, claim: U256) -> Vec<u8> {
    let mut v = Vec::with_capacity(64);
    v.extend_from_slice(&trace_index.to_be_bytes::<32>());
    v.extend_from_slice(&claim.to_be_bytes::<32>());
    v
}

/// keccak256 of the alphabet state with status byte 1 (INVALID).
pub(crate) fn alphabet_state_hash(trace_index: U256, claim: U256) -> B256 {
    B256::from(VmStatus::Invalid.apply(keccak256(alphabet_state(trace_index, claim)).0))
}

/// Adapts a stateless verifier `fn(state, proof) -> post-state hash` into a [`BigStepper`].
///
/// The verifier sees neither the oracle nor the local context: it suits VMs whose proof bytes carry
/// everything a step reads (such as Rampart's MIPS64 verifier fed with its step witness).
pub struct VerifierStepper<F> {
    verify: F,
}

impl<F> VerifierStepper<F> {
    /// Wraps a verifier function.
    pub const fn new(verify: F) -> Self {
        Self { verify }
    }
}

impl<F> fmt::Debug for VerifierStepper<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VerifierStepper")
    }
}

impl<F, E> BigStepper for VerifierStepper<F>
where
    F: Fn(&[u8], &[u8]) -> Result<B256, E>,
    E: fmt::Display,
{
    fn step(
        &self,
        state_data: &[u8],
        proof: &[u8],
        _: B256,
        _: &PreimageOracle,
        _: Address,
    ) -> Result<B256, VmStepError> {
        (self.verify)(state_data, proof).map_err(|e| VmStepError(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::ALPHABET_ABSOLUTE_PRESTATE;

    #[test]
    fn alphabet_steps() {
        let vm = AlphabetVm { absolute_prestate: ALPHABET_ABSOLUTE_PRESTATE };
        let caller = Address::repeat_byte(7);
        let ctx = B256::repeat_byte(9);
        let mut oracle = PreimageOracle::new();
        let pre = U256::from(0x60u8).to_be_bytes::<32>();
        // Without local data the read reverts.
        assert!(vm.step(&pre, &[], ctx, &oracle, caller).is_err());
        let mut word = [0u8; 32];
        word[..8].copy_from_slice(&11u64.to_be_bytes());
        oracle.load_local_data(caller, 4, ctx, B256::from(word), 8, 0).unwrap();
        // Disputed block 11 → starting block 10 → S = 160: post = (160, 0x60 + 160).
        let s = U256::from(160u32);
        assert_eq!(vm.step(&pre, &[], ctx, &oracle, caller).unwrap(), alphabet_state_hash(s, s + U256::from(0x60u8)));
        // Ordinary step increments both words.
        let st = alphabet_state(U256::from(5u8), U256::from(100u8));
        assert_eq!(
            vm.step(&st, &[], ctx, &oracle, caller).unwrap(),
            alphabet_state_hash(U256::from(6u8), U256::from(101u8))
        );
        assert!(vm.step(&st[..40], &[], ctx, &oracle, caller).is_err());
    }
}
