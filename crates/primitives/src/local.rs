//! Local preimage keys: their indices and names, their localization on chain, and their values for one dispute.
//!
//! A guest reads local input `i` through the key `0x01 ‖ 0^23 ‖ i (u64 BE)`. On chain, `MIPS64.sol` turns every
//! type-1 key it reads into `localize(key)` for the dispute game that calls `step` and the game's local context,
//! and the game loads its local data under `localizeIdent(i)` (contracts-bedrock `PreimageKeyLib`), so the same
//! index names a different oracle slot in every sub-game.

use crate::hash::keccak256;
use alloc::vec::Vec;

/// Type byte of local keys.
pub const LOCAL_KEY_TYPE: u8 = 1;
/// Type byte of global keccak256 keys.
pub const KECCAK256_KEY_TYPE: u8 = 2;

/// The local inputs of the single-chain fault-proof program (fault-proof-program spec §3.2; indices 1..=5 are
/// also the dispute game's `LocalPreimageKey` identifiers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum LocalKey {
    /// L1 head block hash, 32 bytes (`L1_HEAD_KEY`; game: `L1_HEAD_HASH`).
    L1Head = 1,
    /// Agreed L2 output root, 32 bytes (`L2_OUTPUT_ROOT_KEY`; game: `STARTING_OUTPUT_ROOT`).
    L2OutputRoot = 2,
    /// Disputed (claimed) L2 output root, 32 bytes (`L2_CLAIM_KEY`; game: `DISPUTED_OUTPUT_ROOT`).
    L2Claim = 3,
    /// Claimed L2 block number, u64 big-endian (`L2_CLAIM_BLOCK_NUMBER_KEY`; game: `DISPUTED_L2_BLOCK_NUMBER`).
    L2ClaimBlockNumber = 4,
    /// L2 chain id, u64 big-endian (`L2_CHAIN_ID_KEY`; game: `CHAIN_ID`).
    L2ChainId = 5,
    /// Rollup config JSON, when the chain is not built into the program (`L2_ROLLUP_CONFIG_KEY`).
    L2RollupConfig = 6,
    /// L1 chain config JSON, when not built into the program (`L1_CONFIG_KEY`).
    L1Config = 7,
}

impl LocalKey {
    /// Every local key, in index order.
    pub const ALL: [LocalKey; 7] = [
        LocalKey::L1Head,
        LocalKey::L2OutputRoot,
        LocalKey::L2Claim,
        LocalKey::L2ClaimBlockNumber,
        LocalKey::L2ChainId,
        LocalKey::L2RollupConfig,
        LocalKey::L1Config,
    ];

    /// The local index.
    pub const fn index(self) -> u64 {
        self as u64
    }

    /// The key of an index, if it is one of the defined local inputs.
    pub const fn from_index(index: u64) -> Option<Self> {
        Some(match index {
            1 => LocalKey::L1Head,
            2 => LocalKey::L2OutputRoot,
            3 => LocalKey::L2Claim,
            4 => LocalKey::L2ClaimBlockNumber,
            5 => LocalKey::L2ChainId,
            6 => LocalKey::L2RollupConfig,
            7 => LocalKey::L1Config,
            _ => return None,
        })
    }

    /// The constant's name in the fault-proof program (kona, op-program).
    pub const fn program_name(self) -> &'static str {
        match self {
            LocalKey::L1Head => "L1_HEAD_KEY",
            LocalKey::L2OutputRoot => "L2_OUTPUT_ROOT_KEY",
            LocalKey::L2Claim => "L2_CLAIM_KEY",
            LocalKey::L2ClaimBlockNumber => "L2_CLAIM_BLOCK_NUMBER_KEY",
            LocalKey::L2ChainId => "L2_CHAIN_ID_KEY",
            LocalKey::L2RollupConfig => "L2_ROLLUP_CONFIG_KEY",
            LocalKey::L1Config => "L1_CONFIG_KEY",
        }
    }

    /// The constant's name in the contracts (`LocalPreimageKey`), for the five keys the game loads.
    pub const fn contract_name(self) -> Option<&'static str> {
        Some(match self {
            LocalKey::L1Head => "L1_HEAD_HASH",
            LocalKey::L2OutputRoot => "STARTING_OUTPUT_ROOT",
            LocalKey::L2Claim => "DISPUTED_OUTPUT_ROOT",
            LocalKey::L2ClaimBlockNumber => "DISPUTED_L2_BLOCK_NUMBER",
            LocalKey::L2ChainId => "CHAIN_ID",
            LocalKey::L2RollupConfig | LocalKey::L1Config => return None,
        })
    }

    /// The value's size when it is fixed (32 for hashes, 8 for u64s); `None` for the JSON configs.
    pub const fn fixed_size(self) -> Option<usize> {
        match self {
            LocalKey::L1Head | LocalKey::L2OutputRoot | LocalKey::L2Claim => Some(32),
            LocalKey::L2ClaimBlockNumber | LocalKey::L2ChainId => Some(8),
            LocalKey::L2RollupConfig | LocalKey::L1Config => None,
        }
    }

    /// The guest-side key `0x01 ‖ 0^23 ‖ index (u64 BE)`.
    pub const fn key(self) -> [u8; 32] {
        local_key(self.index())
    }
}

/// The guest-side key of local `index`: `0x01 ‖ 0^23 ‖ index (u64 BE)` (`localizeIdent`'s `k0` before hashing).
pub const fn local_key(index: u64) -> [u8; 32] {
    let mut k = [0u8; 32];
    k[0] = LOCAL_KEY_TYPE;
    let be = index.to_be_bytes();
    let mut i = 0;
    while i < 8 {
        k[24 + i] = be[i];
        i += 1;
    }
    k
}

/// `PreimageKeyLib.localize(key, localContext)` as called by `caller`:
/// `keccak256(key ‖ bytes32(caller) ‖ localContext)` with byte 0 set to 1. Applied to any key (`MIPS64.sol` only
/// calls it for type-1 keys).
pub fn localize(key: &[u8; 32], caller: &[u8; 20], local_context: &[u8; 32]) -> [u8; 32] {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(key);
    buf[44..64].copy_from_slice(caller);
    buf[64..].copy_from_slice(local_context);
    let mut out = keccak256(&buf);
    out[0] = LOCAL_KEY_TYPE;
    out
}

/// `PreimageKeyLib.localizeIdent(ident, localContext)` as called by `caller`: [`localize`] of
/// [`local_key`]`(ident)`, the oracle slot `loadLocalData` fills.
pub fn localize_ident(ident: u64, caller: &[u8; 20], local_context: &[u8; 32]) -> [u8; 32] {
    localize(&local_key(ident), caller, local_context)
}

/// `PreimageKeyLib.keccak256PreimageKey`: keccak256 of the preimage with byte 0 set to 2.
pub fn keccak256_preimage_key(preimage: &[u8]) -> [u8; 32] {
    let mut k = keccak256(preimage);
    k[0] = KECCAK256_KEY_TYPE;
    k
}

/// The local inputs of one dispute, by [`LocalKey`] (kona's `BootInfo` fields; op-program's `LocalPreimageSource`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocalInputs {
    /// L1 head block hash (key 1).
    pub l1_head: [u8; 32],
    /// Agreed L2 output root (key 2).
    pub agreed_output_root: [u8; 32],
    /// Claimed L2 output root (key 3).
    pub claimed_output_root: [u8; 32],
    /// Claimed L2 block number (key 4).
    pub claimed_block_number: u64,
    /// L2 chain id (key 5; 0 when not given, as kona's host).
    pub chain_id: u64,
    /// Rollup config JSON (key 6), if given.
    pub rollup_config: Option<Vec<u8>>,
    /// L1 chain config JSON (key 7), if given.
    pub l1_config: Option<Vec<u8>>,
}

impl LocalInputs {
    /// The value of `key` as the oracle serves it (u64s big-endian), if defined.
    pub fn value(&self, key: LocalKey) -> Option<Vec<u8>> {
        Some(match key {
            LocalKey::L1Head => self.l1_head.to_vec(),
            LocalKey::L2OutputRoot => self.agreed_output_root.to_vec(),
            LocalKey::L2Claim => self.claimed_output_root.to_vec(),
            LocalKey::L2ClaimBlockNumber => self.claimed_block_number.to_be_bytes().to_vec(),
            LocalKey::L2ChainId => self.chain_id.to_be_bytes().to_vec(),
            LocalKey::L2RollupConfig => self.rollup_config.clone()?,
            LocalKey::L1Config => self.l1_config.clone()?,
        })
    }

    /// The value of local index `index`, if it is a defined local key with a value.
    pub fn get(&self, index: u64) -> Option<Vec<u8>> {
        self.value(LocalKey::from_index(index)?)
    }

    /// Every defined (key, value) pair, in index order.
    pub fn entries(&self) -> Vec<(LocalKey, Vec<u8>)> {
        LocalKey::ALL.iter().filter_map(|k| Some((*k, self.value(*k)?))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn indices_names_and_sizes() {
        for (i, k) in LocalKey::ALL.iter().enumerate() {
            assert_eq!(k.index(), i as u64 + 1);
            assert_eq!(LocalKey::from_index(k.index()), Some(*k));
            assert!(k.program_name().ends_with("_KEY"));
            assert_eq!(k.contract_name().is_some(), k.index() <= 5);
        }
        assert_eq!(LocalKey::from_index(0), None);
        assert_eq!(LocalKey::from_index(8), None);
        assert_eq!(LocalKey::L2Claim.contract_name(), Some("DISPUTED_OUTPUT_ROOT"));
        assert_eq!(LocalKey::L2ChainId.fixed_size(), Some(8));
        assert_eq!(LocalKey::L1Config.fixed_size(), None);
    }

    #[test]
    fn guest_key_layout() {
        let k = local_key(0x0102_0304_0506_0708);
        assert_eq!(k[0], 1);
        assert_eq!(k[1..24], [0; 23]);
        assert_eq!(k[24..], [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(LocalKey::L2ClaimBlockNumber.key(), local_key(4));
    }

    /// The bytes `PreimageKeyLib.localize` hashes: key, caller left-padded to 32 bytes, local context.
    #[test]
    fn localization_layout() {
        let ctx = [0xab; 32];
        let caller = [0x42; 20];
        let key = localize_ident(4, &caller, &ctx);
        let mut pre = [0u8; 96];
        pre[0] = 1;
        pre[31] = 4;
        pre[44..64].copy_from_slice(&caller);
        pre[64..].copy_from_slice(&ctx);
        assert_eq!(key[0], 1);
        assert_eq!(key[1..], keccak256(&pre)[1..]);
        assert_eq!(key, localize(&local_key(4), &caller, &ctx));
        assert_ne!(key, localize_ident(4, &[0x43; 20], &ctx));
        assert_ne!(key, localize_ident(4, &caller, &[0; 32]));
        assert_ne!(key, localize_ident(5, &caller, &ctx));
    }

    /// `PreimageKeyLib.localizeIdent(1, 0)` called by address zero, computed independently here with the
    /// layout above (the value op-challenger and MIPS64 agree on for the L1 head of an all-zero context).
    #[test]
    fn localization_vector() {
        let key = localize_ident(1, &[0; 20], &[0; 32]);
        let mut pre = [0u8; 96];
        pre[0] = 1;
        pre[31] = 1;
        let mut want = keccak256(&pre);
        want[0] = 1;
        assert_eq!(key, want);
        assert_eq!(
            hex::encode(&keccak256_preimage_key(b"")),
            "02d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
    }

    #[test]
    fn local_inputs_values() {
        let inputs = LocalInputs {
            l1_head: [1; 32],
            agreed_output_root: [2; 32],
            claimed_output_root: [3; 32],
            claimed_block_number: 0x0102,
            chain_id: 11_155_420,
            rollup_config: Some(b"{}".to_vec()),
            l1_config: None,
        };
        assert_eq!(inputs.get(1), Some([1u8; 32].to_vec()));
        assert_eq!(inputs.get(4), Some(0x0102u64.to_be_bytes().to_vec()));
        assert_eq!(inputs.get(5), Some(11_155_420u64.to_be_bytes().to_vec()));
        assert_eq!(inputs.get(6), Some(b"{}".to_vec()));
        assert_eq!(inputs.get(7), None);
        assert_eq!(inputs.get(0), None);
        assert_eq!(inputs.get(8), None);
        let keys: Vec<u64> = inputs.entries().iter().map(|(k, _)| k.index()).collect();
        assert_eq!(keys, [1, 2, 3, 4, 5, 6]);
    }
}
