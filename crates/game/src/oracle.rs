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

/// A precompile the oracle model calls for `loadPrecompilePreimagePart`: `(address, required gas, input)` →
/// `Some((success, return data))`, `None` for an address it does not implement.
pub type PrecompileFn = dyn Fn(Address, u64, &[u8]) -> Option<(bool, Vec<u8>)> + Send + Sync;

/// The precompiles available to the model (none by default; see [`PreimageOracle::set_precompiles`]).
#[derive(Clone, Default)]
pub struct Precompiles(Option<std::sync::Arc<PrecompileFn>>);

impl std::fmt::Debug for Precompiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "Precompiles(set)" } else { "Precompiles(none)" })
    }
}

impl PartialEq for Precompiles {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Precompiles {}

/// `MIN_BOND_SIZE` of a large preimage proposal (0.25 ETH).
pub const LPP_MIN_BOND: u128 = 250_000_000_000_000_000;
/// `minProposalSizeBytes` as deployed: preimages at least this long go through a large preimage proposal
/// (`deployed-2026.md` §3), shorter ones are uploaded directly.
pub const LPP_MIN_PROPOSAL_SIZE: u64 = 126_000;
/// Keccak rate: leaves absorb 136-byte blocks.
pub const LPP_BLOCK: usize = 136;
/// `MAX_LEAF_COUNT`: 2^16 − 1 leaves (tree depth 16).
pub const LPP_MAX_LEAVES: u64 = (1 << 16) - 1;

/// One large preimage proposal (`proposalMetadata` + the absorbed bytes), keyed by (claimant, uuid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargePreimageProposal {
    /// `partOffset` to capture.
    pub part_offset: u64,
    /// `claimedSize`.
    pub claimed_size: u64,
    /// Bond paid.
    pub bond: u128,
    /// Bytes absorbed so far (whole 136-byte blocks until finalized).
    pub data: Vec<u8>,
    /// Leaves (136-byte blocks, the padded last one included once finalized).
    pub leaves: u64,
    /// Timestamp of `finalize` (0 while open).
    pub finalized_at: u64,
    /// Squeezed into a keccak256 part.
    pub squeezed: bool,
}

/// The oracle's storage: parts by (key, offset) and lengths by key, and open large preimage proposals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PreimageOracle {
    parts: BTreeMap<(B256, u64), B256>,
    lengths: BTreeMap<B256, u64>,
    proposals: BTreeMap<(Address, B256), LargePreimageProposal>,
    precompiles: Precompiles,
    /// `challengePeriod` of large preimage proposals (seconds; deployed 24 h).
    pub challenge_period: u64,
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

    fn store(&mut self, key: B256, data: &[u8], part_offset: u64) -> Result<B256, OracleError> {
        let part = part_of(data, part_offset)?;
        self.parts.insert((key, part_offset), part);
        self.lengths.insert(key, data.len() as u64);
        Ok(key)
    }

    /// `loadSha256PreimagePart`: stores the part of a global sha256 preimage under `sha256(preimage)` with type
    /// byte 4 (the key is computed from the data, so a wrong preimage can only fill its own key).
    pub fn load_sha256_preimage_part(&mut self, part_offset: u64, preimage: &[u8]) -> Result<B256, OracleError> {
        let mut key = B256::from(rampart_primitives::sha256(preimage));
        key.0[0] = 4;
        self.store(key, preimage, part_offset)
    }

    /// `loadBlobPreimagePart(z, y, commitment, proof, partOffset)`: checks with the point-evaluation precompile
    /// (c-kzg, Ethereum's trusted setup) that the blob committed to by `commitment` evaluates to `y` at `z`, then
    /// stores `y` (32 bytes) under `keccak256(commitment ‖ z)` with type byte 5.
    pub fn load_blob_preimage_part(
        &mut self,
        z: B256,
        y: B256,
        commitment: &[u8; 48],
        proof: &[u8; 48],
        part_offset: u64,
    ) -> Result<B256, OracleError> {
        if part_offset >= 40 {
            return Err(OracleError::PartOffsetOob);
        }
        let settings = c_kzg::ethereum_kzg_settings(0);
        let ok = settings
            .verify_kzg_proof(
                &c_kzg::Bytes48::new(*commitment),
                &c_kzg::Bytes32::new(z.0),
                &c_kzg::Bytes32::new(y.0),
                &c_kzg::Bytes48::new(*proof),
            )
            .map_err(|e| OracleError::InvalidBlobProof(format!("{e:?}")))?;
        if !ok {
            return Err(OracleError::InvalidBlobProof("the proof does not verify".into()));
        }
        let mut pre = [0u8; 80];
        pre[..48].copy_from_slice(commitment);
        pre[48..].copy_from_slice(z.as_slice());
        let mut key = alloy_primitives::keccak256(pre);
        key.0[0] = 5;
        self.store(key, y.as_slice(), part_offset)
    }

    /// Sets the precompiles `loadPrecompilePreimagePart` runs.
    pub fn set_precompiles(&mut self, run: std::sync::Arc<PrecompileFn>) {
        self.precompiles = Precompiles(Some(run));
    }

    /// `loadPrecompilePreimagePart(partOffset, precompile, requiredGas, input)`: runs the precompile itself and
    /// stores `success byte ‖ return data` under `keccak256(precompile ‖ requiredGas (u64 BE) ‖ input)` with type
    /// byte 6 (kona's accelerated-precompile key).
    pub fn load_precompile_preimage_part(
        &mut self,
        part_offset: u64,
        precompile: Address,
        required_gas: u64,
        input: &[u8],
    ) -> Result<B256, OracleError> {
        let run = self.precompiles.0.clone().ok_or_else(|| OracleError::NoPrecompile(precompile.to_string()))?;
        let (ok, out) =
            run(precompile, required_gas, input).ok_or_else(|| OracleError::NoPrecompile(precompile.to_string()))?;
        let mut data = Vec::with_capacity(1 + out.len());
        data.push(u8::from(ok));
        data.extend_from_slice(&out);
        let mut pre = Vec::with_capacity(28 + input.len());
        pre.extend_from_slice(precompile.as_slice());
        pre.extend_from_slice(&required_gas.to_be_bytes());
        pre.extend_from_slice(input);
        let mut key = alloy_primitives::keccak256(&pre);
        key.0[0] = 6;
        self.store(key, &data, part_offset)
    }

    /// `initLPP(uuid, partOffset, claimedSize)` by `claimant` with `bond`: opens a large preimage proposal
    /// (bond at least [`LPP_MIN_BOND`], size at least [`LPP_MIN_PROPOSAL_SIZE`], offset inside the data).
    pub fn init_lpp(
        &mut self,
        claimant: Address,
        uuid: B256,
        part_offset: u64,
        claimed_size: u64,
        bond: u128,
    ) -> Result<(), OracleError> {
        if bond < LPP_MIN_BOND {
            return Err(OracleError::Lpp("InsufficientBond"));
        }
        if part_offset >= claimed_size + 8 {
            return Err(OracleError::PartOffsetOob);
        }
        if claimed_size < LPP_MIN_PROPOSAL_SIZE {
            return Err(OracleError::Lpp("InvalidInputSize (below minProposalSize)"));
        }
        if claimed_size > LPP_MAX_LEAVES * LPP_BLOCK as u64 - 1 {
            return Err(OracleError::Lpp("InvalidInputSize (more than MAX_LEAF_COUNT blocks)"));
        }
        if self.proposals.contains_key(&(claimant, uuid)) {
            return Err(OracleError::Lpp("AlreadyInitialized"));
        }
        let p = LargePreimageProposal {
            part_offset,
            claimed_size,
            bond,
            data: Vec::new(),
            leaves: 0,
            finalized_at: 0,
            squeezed: false,
        };
        self.proposals.insert((claimant, uuid), p);
        Ok(())
    }

    /// `addLeavesLPP(uuid, inputStartBlock, input, stateCommitments, finalize)`: absorbs whole 136-byte blocks
    /// (any length when finalizing, padded then), in order, at most [`LPP_MAX_LEAVES`].
    pub fn add_leaves_lpp(
        &mut self,
        claimant: Address,
        uuid: B256,
        input_start_block: u64,
        input: &[u8],
        finalize: bool,
        now: u64,
    ) -> Result<(), OracleError> {
        let p = self.proposals.get_mut(&(claimant, uuid)).ok_or(OracleError::Lpp("NotInitialized"))?;
        if p.finalized_at != 0 {
            return Err(OracleError::Lpp("ActiveProposal (already finalized)"));
        }
        if input_start_block != p.leaves {
            return Err(OracleError::Lpp("WrongStartingBlock"));
        }
        if !finalize && !input.len().is_multiple_of(LPP_BLOCK) {
            return Err(OracleError::Lpp("InvalidInputSize (not whole blocks)"));
        }
        let blocks = if finalize { input.len() / LPP_BLOCK + 1 } else { input.len() / LPP_BLOCK } as u64;
        if p.leaves + blocks > LPP_MAX_LEAVES {
            return Err(OracleError::Lpp("TreeSizeOverflow"));
        }
        p.data.extend_from_slice(input);
        p.leaves += blocks;
        if finalize {
            if p.data.len() as u64 != p.claimed_size {
                return Err(OracleError::Lpp("InvalidInputSize (absorbed size differs from the claimed size)"));
            }
            p.finalized_at = now.max(1);
        }
        Ok(())
    }

    /// `squeezeLPP(claimant, uuid, ...)`: after the challenge period of an unchallenged, finalized proposal,
    /// stores the part at its offset under the keccak256 key of the absorbed data.
    pub fn squeeze_lpp(&mut self, claimant: Address, uuid: B256, now: u64) -> Result<B256, OracleError> {
        let period = self.challenge_period;
        let p = self.proposals.get_mut(&(claimant, uuid)).ok_or(OracleError::Lpp("NotInitialized"))?;
        if p.finalized_at == 0 {
            return Err(OracleError::Lpp("ActiveProposal (not finalized)"));
        }
        if p.squeezed {
            return Err(OracleError::Lpp("already squeezed"));
        }
        if now <= p.finalized_at.saturating_add(period) {
            return Err(OracleError::Lpp("ActiveProposal (challenge period not over)"));
        }
        p.squeezed = true;
        let (data, offset) = (std::mem::take(&mut p.data), p.part_offset);
        let key = B256::from(rampart_primitives::keccak256_preimage_key(&data));
        self.store(key, &data, offset)
    }

    /// A proposal's state.
    pub fn proposal(&self, claimant: Address, uuid: B256) -> Option<&LargePreimageProposal> {
        self.proposals.get(&(claimant, uuid))
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
