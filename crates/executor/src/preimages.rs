//! In-memory keccak256 preimage store.

use crate::Error;
use alloc::{collections::BTreeMap, format, vec::Vec};
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

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if s.len() & 1 == 1 {
        return None;
    }
    let b = s.as_bytes();
    let nib = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks_exact(2) {
        out.push((nib(pair[0])? << 4) | nib(pair[1])?);
    }
    Some(out)
}

/// Parses text lines `0x<32-byte key> 0x<value>` into a store, checking every key is keccak256 of
/// its value. Blank lines are skipped; anything else malformed is an error naming the line.
pub fn parse_kv_text(text: &str) -> Result<PreimageStore, Error> {
    let mut store = PreimageStore::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut parts = line.split_ascii_whitespace();
        let (Some(k), Some(v), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Error::Input(format!("line {}: expected `0x<key> 0x<value>`", i + 1)));
        };
        let key =
            decode_hex(k).filter(|k| k.len() == 32).ok_or_else(|| Error::Input(format!("line {}: bad key", i + 1)))?;
        let value = decode_hex(v).ok_or_else(|| Error::Input(format!("line {}: bad value hex", i + 1)))?;
        store.insert_checked(B256::from_slice(&key), Bytes::from(value))?;
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_checks_kv_lines() {
        let v = b"\x01\x02";
        let k = keccak256(v);
        let text = format!("{k} 0x0102\n\n");
        let s = parse_kv_text(&text).unwrap();
        assert_eq!(s.get(&k).unwrap().as_ref(), v);
        assert_eq!(s.len(), 1);
        assert!(matches!(parse_kv_text(&format!("{k} 0x0103")), Err(Error::PreimageHashMismatch(_))));
        assert!(matches!(parse_kv_text("0x12 0x00"), Err(Error::Input(_))));
        assert!(matches!(parse_kv_text(&format!("{k} 0x0")), Err(Error::Input(_))));
        assert!(matches!(parse_kv_text(&format!("{k}")), Err(Error::Input(_))));
        assert!(matches!(parse_kv_text(&format!("{k} 0xzz")), Err(Error::Input(_))));
    }
}
