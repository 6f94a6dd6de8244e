//! PreimageOracle model: local data and keccak preimage parts, with localized keys (`dispute-game.md` §3.2-3.3).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256};

use crate::errors::OracleError;

/// The oracle slot of local `ident` for `local_context`, loaded by `caller` (`PreimageKeyLib.localizeIdent`).
fn localized(ident: u64, local_context: B256, caller: Address) -> B256 {
    B256::from(rampart_primitives::localize_ident(ident, &caller.0 .0, &local_context.0))
}

/// The 32-byte part at `offset` of `[u64 BE length ‖ data]`, zero-padded past the end.
fn part_of(data: &[u8], offset: u64) -> Result<B256, OracleError> {
    let len = data.len() as u64;
    if offset >= len + 8 {
        return Err(OracleError::PartOffsetOob);
    }
    let mut full = Vec::with_capacity(data.len() + 8);
    full.extend_from_slice(&len.to_be_bytes());
    full.extend_from_slice(data);
    let mut out = [0u8; 32];
    let start = offset as usize;
    let end = (start + 32).min(full.len());
    out[..end - start].copy_from_slice(&full[start..end]);
    Ok(B256::from(out))
}

/// The oracle's storage: parts by (key, offset) and lengths by key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreimageOracle {
    parts: BTreeMap<(B256, u64), B256>,
    lengths: BTreeMap<B256, u64>,
}

impl PreimageOracle {
    /// An empty oracle.
    pub fn new() -> Self {
        Self::default()
    }

    /// `loadLocalData`: stores the part of local `ident` (value `word` of `size` bytes) for `caller`.
    pub fn load_local_data(
        &mut self,
        caller: Address,
        ident: u64,
        local_context: B256,
        word: B256,
        size: u64,
        part_offset: u64,
    ) -> Result<B256, OracleError> {
        if size > 32 || part_offset >= size + 8 {
            return Err(OracleError::PartOffsetOob);
        }
        let key = localized(ident, local_context, caller);
        // Memory is `[size as u64 BE][word]`; the word is stored whole, `size` only sets the length.
        let mut mem = [0u8; 72];
        mem[..8].copy_from_slice(&size.to_be_bytes());
        mem[8..40].copy_from_slice(word.as_slice());
        let o = part_offset as usize;
        let part = B256::from_slice(&mem[o..o + 32]);
        self.parts.insert((key, part_offset), part);
        self.lengths.insert(key, size);
        Ok(key)
    }

    /// `loadKeccak256PreimagePart`: stores the part at `part_offset` of a global keccak256 preimage.
    pub fn load_keccak256_preimage_part(&mut self, part_offset: u64, preimage: &[u8]) -> Result<B256, OracleError> {
        let part = part_of(preimage, part_offset)?;
        let key = B256::from(rampart_primitives::keccak256_preimage_key(preimage));
        self.parts.insert((key, part_offset), part);
        self.lengths.insert(key, preimage.len() as u64);
        Ok(key)
    }

    /// `readPreimage(key, offset)`: the stored part and the preimage length.
    pub fn read_preimage(&self, key: B256, offset: u64) -> Result<(B256, u64), OracleError> {
        let part = self.parts.get(&(key, offset)).ok_or(OracleError::PreimageNotFound)?;
        let len = self.lengths.get(&key).copied().unwrap_or(0);
        Ok((*part, len))
    }

    /// Whether a part is stored for `key` at `offset`.
    pub fn has_part(&self, key: B256, offset: u64) -> bool {
        self.parts.contains_key(&(key, offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localized_key_is_primitives_localize_ident() {
        let ctx = B256::repeat_byte(0xab);
        let caller = Address::repeat_byte(0x42);
        let mut o = PreimageOracle::new();
        let key = o.load_local_data(caller, 4, ctx, B256::ZERO, 8, 0).unwrap();
        assert_eq!(key.0, rampart_primitives::localize_ident(4, &caller.0 .0, &ctx.0));
        assert_ne!(key, localized(4, ctx, Address::repeat_byte(0x43)));
    }

    #[test]
    fn local_parts() {
        let mut o = PreimageOracle::new();
        let caller = Address::repeat_byte(1);
        let mut word = [0u8; 32];
        word[..8].copy_from_slice(&1234u64.to_be_bytes());
        let key = o.load_local_data(caller, 4, B256::ZERO, B256::from(word), 8, 0).unwrap();
        let (part, len) = o.read_preimage(key, 0).unwrap();
        assert_eq!(len, 8);
        assert_eq!(&part[..8], &8u64.to_be_bytes());
        assert_eq!(&part[8..16], &1234u64.to_be_bytes());
        assert_eq!(o.load_local_data(caller, 4, B256::ZERO, B256::from(word), 8, 16), Err(OracleError::PartOffsetOob));
        assert_eq!(o.read_preimage(key, 8), Err(OracleError::PreimageNotFound));
    }

    #[test]
    fn keccak_parts() {
        let mut o = PreimageOracle::new();
        let data = b"hello world";
        let key = o.load_keccak256_preimage_part(8, data).unwrap();
        assert_eq!(key.0[0], 2);
        let (part, len) = o.read_preimage(key, 8).unwrap();
        assert_eq!(len, 11);
        assert_eq!(&part[..11], data);
        assert!(part[11..].iter().all(|b| *b == 0));
        assert_eq!(o.load_keccak256_preimage_part(19, data), Err(OracleError::PartOffsetOob));
    }
}
