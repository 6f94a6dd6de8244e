//! In-memory keccak256 preimage store.

use crate::Error;
use alloc::collections::BTreeMap;
use alloy_primitives::{keccak256, Bytes, B256};
use rampart_mpt::TrieProvider;

/// Preimages keyed by their keccak256 hash (trie nodes, bytecode, RLP headers).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreimageStore {
    map: BTreeMap<B256, Bytes>,
}

impl PreimageStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a preimage under `keccak256(value)`; returns its key.
    pub fn insert(&mut self, value: Bytes) -> B256 {
        let key = keccak256(&value);
        self.map.insert(key, value);
        key
    }

    /// Adds a preimage under an explicit key, checking that `keccak256(value) == key`.
    pub fn insert_checked(&mut self, key: B256, value: Bytes) -> Result<(), Error> {
        if keccak256(&value) != key {
            return Err(Error::PreimageHashMismatch(key));
        }
        self.map.insert(key, value);
        Ok(())
    }

    /// Removes a preimage (used to test missing-data handling); returns whether it was present.
    pub fn remove(&mut self, key: &B256) -> bool {
        self.map.remove(key).is_some()
    }

    /// Looks up a preimage.
    pub fn get(&self, key: &B256) -> Result<&Bytes, Error> {
        self.map.get(key).ok_or(Error::MissingPreimage(*key))
    }

    /// Whether the store holds `key`.
    pub fn contains(&self, key: &B256) -> bool {
        self.map.contains_key(key)
    }

    /// Number of preimages.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Keys in ascending order.
    pub fn keys(&self) -> impl Iterator<Item = &B256> {
        self.map.keys()
    }
}

impl TrieProvider for PreimageStore {
    fn node(&self, hash: B256) -> Result<Bytes, rampart_mpt::Error> {
        self.map.get(&hash).cloned().ok_or(rampart_mpt::Error::MissingNode(hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_inserts() {
        let v = Bytes::from_static(b"\x01\x02");
        let k = keccak256(&v);
        let mut s = PreimageStore::new();
        s.insert_checked(k, v.clone()).unwrap();
        assert_eq!(s.get(&k).unwrap(), &v);
        assert_eq!(s.len(), 1);
        assert!(matches!(s.insert_checked(k, Bytes::from_static(b"\x01\x03")), Err(Error::PreimageHashMismatch(_))));
        assert!(s.remove(&k));
        assert!(matches!(s.get(&k), Err(Error::MissingPreimage(_))));
    }
}
