//! `MIPS64.step` as the game calls it: the stateless verifier with the contract's interface, reading the step's
//! preimage part from the game's `PreimageOracle` under the key localized to the game and the sub-game's local
//! context.

use alloy_primitives::{Address, B256};
use rampart_game::{BigStepper, PreimageOracle, VmStepError};

use crate::oracle::OnChainOracle;

/// The game's VM: [`rampart_verifier::step_with_oracle`] over the game's oracle.
#[derive(Clone, Copy, Debug, Default)]
pub struct MipsStepper;

impl BigStepper for MipsStepper {
    fn step(
        &self,
        state_data: &[u8],
        proof: &[u8],
        local_context: B256,
        oracle: &PreimageOracle,
        caller: Address,
    ) -> Result<B256, VmStepError> {
        rampart_verifier::step_with_oracle(state_data, proof, local_context.0, caller.0 .0, &OnChainOracle(oracle))
            .map(|o| B256::from(o.post_hash))
            .map_err(|e| VmStepError(e.to_string()))
    }
}

/// A step witness checked as a game at `caller` with `local_context` would check it: the preimage the step reads
/// (`key`, value with its length prefix, offset) is loaded into a fresh oracle model with the loader the game uses
/// for its type (`loadLocalData` for local keys, under the key localized to `caller` and `local_context`;
/// `loadKeccak256PreimagePart` / `loadSha256PreimagePart`, which hash it), then `MIPS64.step` runs with the
/// contract's interface. Returns the post-state hash and the oracle key the step read.
pub fn verify_as_game(
    state: &[u8],
    proof: &[u8],
    preimage: Option<&([u8; 32], Vec<u8>, u64)>,
    local_context: B256,
    caller: Address,
) -> Result<(B256, Option<B256>), String> {
    let mut oracle = PreimageOracle::new();
    let mut read = None;
    if let Some((key, value, offset)) = preimage {
        let data = value.get(8..).ok_or("the preimage value lacks its 8-byte length prefix")?;
        let loaded = match key[0] {
            1 => {
                let ident = u64::from_be_bytes(key[24..].try_into().expect("8 bytes"));
                if data.len() > 32 {
                    return Err(format!(
                        "local key {ident} holds {} bytes; addLocalData loads at most 32, so no game can prove this step",
                        data.len()
                    ));
                }
                let mut word = [0u8; 32];
                word[..data.len()].copy_from_slice(data);
                oracle.load_local_data(caller, ident, local_context, B256::from(word), data.len() as u64, *offset)
            }
            2 => oracle.load_keccak256_preimage_part(*offset, data),
            4 => oracle.load_sha256_preimage_part(*offset, data),
            t => return Err(format!("a type-{t} preimage needs its loader's own inputs (not in a proof file)")),
        };
        read = Some(loaded.map_err(|e| format!("the oracle refuses the preimage: {e}"))?);
    }
    let out = rampart_verifier::step_with_oracle(state, proof, local_context.0, caller.0 .0, &OnChainOracle(&oracle))
        .map_err(|e| e.to_string())?;
    Ok((B256::from(out.post_hash), read))
}
