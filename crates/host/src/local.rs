//! Local inputs of the single-chain program, answered from command-line values (kona `SingleChainLocalInputs`).

use crate::store::{KeyValueStore, StoreError};
use rampart_preimage::{local, PreimageKey};

/// The local keys 1..=7 of one dispute (read-only store; unknown local indices are absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalInputs {
    /// Local key 1: L1 head block hash.
    pub l1_head: [u8; 32],
    /// Local key 2: agreed L2 output root.
    pub agreed_output_root: [u8; 32],
    /// Local key 3: claimed L2 output root.
    pub claimed_output_root: [u8; 32],
    /// Local key 4: claimed L2 block number.
    pub claimed_block_number: u64,
    /// Local key 5: L2 chain id (0 when not given, as kona).
    pub chain_id: u64,
    /// Local key 6: rollup config JSON, if given.
    pub rollup_config: Option<Vec<u8>>,
    /// Local key 7: L1 chain config JSON, if given.
    pub l1_config: Option<Vec<u8>>,
}

impl LocalInputs {
    /// The value of local index `index`, if defined.
    pub fn value(&self, index: u64) -> Option<Vec<u8>> {
        Some(match index {
            local::L1_HEAD => self.l1_head.to_vec(),
            local::L2_OUTPUT_ROOT => self.agreed_output_root.to_vec(),
            local::L2_CLAIM => self.claimed_output_root.to_vec(),
            local::L2_CLAIM_BLOCK_NUMBER => self.claimed_block_number.to_be_bytes().to_vec(),
            local::L2_CHAIN_ID => self.chain_id.to_be_bytes().to_vec(),
            local::L2_ROLLUP_CONFIG => self.rollup_config.clone()?,
            local::L1_CONFIG => self.l1_config.clone()?,
            _ => return None,
        })
    }

    /// Re-serializes a JSON config compactly (object keys sorted), checking that it is JSON.
    pub fn normalize_json(text: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
        let v: serde_json::Value = serde_json::from_slice(text)?;
        serde_json::to_vec(&v)
    }
}

impl KeyValueStore for LocalInputs {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(key.local_index().and_then(|i| self.value(i)))
    }
    fn set(&mut self, _key: PreimageKey, _value: Vec<u8>) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly("local inputs"))
    }
}
