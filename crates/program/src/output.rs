//! The L2 output root (version 0) and the agreed output root → safe head hash resolution.

use crate::{
    errors::{ProgramError, Result},
    oracle::{HintType, PreimageOracle},
};
use alloy_primitives::{address, keccak256, Address, B256};

/// The L2ToL1MessagePasser predeploy whose storage root is committed to in the output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// A version-0 output root: `keccak256(0^32 ‖ state_root ‖ message_passer_storage_root ‖ block_hash)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutputRoot {
    /// L2 state root.
    pub state_root: B256,
    /// Storage root of [`L2_TO_L1_MESSAGE_PASSER`].
    pub message_passer_storage_root: B256,
    /// L2 block hash.
    pub block_hash: B256,
}

impl OutputRoot {
    /// Length of the preimage.
    pub const ENCODED_LEN: usize = 128;

    /// The output root of these parts.
    pub const fn new(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> Self {
        Self { state_root, message_passer_storage_root, block_hash }
    }

    /// The 128-byte preimage.
    pub fn encode(&self) -> [u8; Self::ENCODED_LEN] {
        let mut out = [0u8; Self::ENCODED_LEN];
        out[32..64].copy_from_slice(self.state_root.as_slice());
        out[64..96].copy_from_slice(self.message_passer_storage_root.as_slice());
        out[96..128].copy_from_slice(self.block_hash.as_slice());
        out
    }

    /// The output root hash.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Parses a 128-byte preimage; the version word must be zero.
    pub fn decode(data: &[u8]) -> Result<Self> {
        if data.len() != Self::ENCODED_LEN {
            return Err(ProgramError::OutputRootLength(data.len()));
        }
        let word = |i: usize| B256::from_slice(&data[32 * i..32 * (i + 1)]);
        if word(0) != B256::ZERO {
            return Err(ProgramError::UnknownOutputVersion(word(0)));
        }
        Ok(Self::new(word(1), word(2), word(3)))
    }
}

/// Resolves the agreed output root to its output (hint `starting-l2-output`, then its keccak256 preimage, checked
/// against the root); the safe head's hash is its `block_hash`.
pub fn fetch_agreed_output<O: PreimageOracle + ?Sized>(oracle: &mut O, agreed: B256) -> Result<OutputRoot> {
    oracle.hint(&HintType::StartingL2Output.with(agreed.as_slice()))?;
    let data = oracle.get_keccak(agreed)?;
    OutputRoot::decode(&data)
}
