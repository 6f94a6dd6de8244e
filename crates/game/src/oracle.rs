//! PreimageOracle model: local data and keccak preimage parts, with localized keys (`dispute-game.md` §3.2-3.3).

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};

use crate::errors::OracleError;

/// Local preimage identifiers the game can load (`LocalPreimageKey`).
pub mod local_key {
    /// L1 head hash (32 bytes).
    pub const L1_HEAD_HASH: u64 = 1;
    /// Starting (agreed) output root (32 bytes).
    pub const STARTING_OUTPUT_ROOT: u64 = 2;
    /// Disputed output root (32 bytes).
    pub const DISPUTED_OUTPUT_ROOT: u64 = 3;
    /// Disputed L2 block number (8 bytes, big-endian in the high bytes of the word).
    pub const DISPUTED_L2_BLOCK_NUMBER: u64 = 4;
    /// L2 chain id (8 bytes, big-endian in the high bytes of the word).
    pub const CHAIN_ID: u64 = 5;
}

/// Key type byte of local keys.
const LOCAL_TYPE: u8 = 1;
/// Key type byte of keccak256 keys.
const KECCAK_TYPE: u8 = 2;

fn set_type(mut h: B256, ty: u8) -> B256 {
    h.0[0] = ty;
    h
}

/// `PreimageKeyLib.localizeIdent`: the key of local `ident` for `local_context`, localized to `caller`.
///
/// `(keccak256(k0 ‖ bytes32(caller) ‖ uuid) & ~(0xFF << 248)) | (0x01 << 248)` with
/// `k0 = (0x01 << 248) | ident`.
pub fn localize_ident(ident: u64, local_context: B256, caller: Address) -> B256 {
    let mut buf = [0u8; 96];
    let k0 = set_type(B256::from(U256::from(ident)), LOCAL_TYPE);
    buf[..32].copy_from_slice(k0.as_slice());
    buf[44..64].copy_from_slice(caller.as_slice());
    buf[64..].copy_from_slice(local_context.as_slice());
    set_type(keccak256(buf), LOCAL_TYPE)
}

/// The keccak256-type key of a global preimage (`keccak256(preimage)` with type byte 2).
pub fn keccak256_key(preimage: &[u8]) -> B256 {
    set_type(keccak256(preimage), KECCAK_TYPE)
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
        let key = localize_ident(ident, local_context, caller);
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
        let key = keccak256_key(preimage);
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
    fn localized_key_layout() {
        let ctx = B256::repeat_byte(0xab);
        let caller = Address::repeat_byte(0x42);
        let key = localize_ident(4, ctx, caller);
        assert_eq!(key.0[0], 1);
        let mut pre = [0u8; 96];
        pre[0] = 1;
        pre[31] = 4;
        pre[44..64].copy_from_slice(caller.as_slice());
        pre[64..].copy_from_slice(ctx.as_slice());
        assert_eq!(key.0[1..], keccak256(pre).0[1..]);
        // A different caller or context gives a different key.
        assert_ne!(key, localize_ident(4, ctx, Address::repeat_byte(0x43)));
        assert_ne!(key, localize_ident(4, B256::ZERO, caller));
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
