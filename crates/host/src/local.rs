//! Local inputs of the single-chain program, answered from command-line values (kona `SingleChainLocalInputs`).
//! The type is [`rampart_primitives::LocalInputs`]; here it becomes a read-only store.

use crate::store::{KeyValueStore, StoreError};
use rampart_preimage::PreimageKey;
pub use rampart_primitives::LocalInputs;

/// The local keys 1..=7 of one dispute as a store; unknown local indices are absent.
impl KeyValueStore for LocalInputs {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(key.local_index().and_then(|i| LocalInputs::get(self, i)))
    }
    fn set(&mut self, _key: PreimageKey, _value: Vec<u8>) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly("local inputs"))
    }
}

/// Re-serializes a JSON config compactly (object keys sorted), checking that it is JSON.
pub fn normalize_json(text: &[u8]) -> Result<Vec<u8>, serde_json::Error> {
    let v: serde_json::Value = serde_json::from_slice(text)?;
    serde_json::to_vec(&v)
}
