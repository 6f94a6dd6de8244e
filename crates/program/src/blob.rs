//! The oracle-backed blob provider: per blob, hint `l1-blob`, the KZG commitment under the sha256-type key of the
//! versioned hash, then the 4096 field elements under blob-type keys `keccak256(commitment ‖ ω_i)` with ω_i the
//! bit-reversed 4096th roots of unity of the BLS12-381 scalar field (fault-proof-program spec §2.6).

use crate::{
    errors::{ProgramError, Result},
    oracle::{HintType, PreimageOracle},
};
use alloc::{boxed::Box, format, vec::Vec};
use alloy_eips::eip4844::Blob;
use alloy_primitives::{keccak256, uint, B256, U256};
use rampart_derive::{BlobProvider, IndexedBlobHash};
use rampart_preimage::PreimageKey;
use rampart_protocol::BlockInfo;
use sha2::{Digest, Sha256};

/// Field elements per blob.
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;

/// The BLS12-381 scalar field modulus.
pub const BLS_MODULUS: U256 = uint!(0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001_U256);

/// The evaluation points of a blob's field elements: ω^bitrev(i) for i in 0..4096, ω = 7^((r−1)/4096).
pub fn roots_of_unity() -> Vec<U256> {
    let omega = U256::from(7u64).pow_mod((BLS_MODULUS - U256::from(1u64)) / U256::from(4096u64), BLS_MODULUS);
    let mut powers = Vec::with_capacity(FIELD_ELEMENTS_PER_BLOB);
    let mut x = U256::from(1u64);
    for _ in 0..FIELD_ELEMENTS_PER_BLOB {
        powers.push(x);
        x = x.mul_mod(omega, BLS_MODULUS);
    }
    (0..FIELD_ELEMENTS_PER_BLOB).map(|i| powers[(i as u16).reverse_bits() as usize >> 4]).collect()
}

/// Blob access through the oracle.
#[derive(Debug, Clone)]
pub struct OracleBlobProvider<O> {
    oracle: O,
    roots: Vec<U256>,
}

impl<O: PreimageOracle> OracleBlobProvider<O> {
    /// A provider over `oracle`.
    pub fn new(oracle: O) -> Self {
        Self { oracle, roots: roots_of_unity() }
    }

    /// Gives the oracle back.
    pub fn into_inner(self) -> O {
        self.oracle
    }

    /// Fetches one blob of block `block`.
    pub fn blob(&mut self, block: &BlockInfo, hash: &IndexedBlobHash) -> Result<Box<Blob>> {
        let mut hint = Vec::with_capacity(48);
        hint.extend_from_slice(hash.hash.as_slice());
        hint.extend_from_slice(&hash.index.to_be_bytes());
        hint.extend_from_slice(&block.timestamp.to_be_bytes());
        self.oracle.hint(&HintType::L1Blob.with(hint))?;

        let bad = |reason: alloc::string::String| ProgramError::Decode { what: "blob", hash: hash.hash, reason };
        let commitment = self.oracle.get(PreimageKey::sha256(hash.hash.0))?;
        if commitment.len() != 48 {
            return Err(bad(format!("commitment of {} bytes", commitment.len())));
        }
        let digest: [u8; 32] = Sha256::digest(&commitment).into();
        if hash.hash.0[0] != 1 || digest[1..] != hash.hash.0[1..] {
            return Err(bad("commitment does not match the versioned hash".into()));
        }
        let mut blob = Box::new(Blob::ZERO);
        let mut pre = [0u8; 80];
        pre[..48].copy_from_slice(&commitment);
        for (i, z) in self.roots.iter().enumerate() {
            pre[48..].copy_from_slice(&z.to_be_bytes::<32>());
            let fe = self.oracle.get(PreimageKey::blob(keccak256(pre).0))?;
            if fe.len() != 32 {
                return Err(bad(format!("field element {i} of {} bytes", fe.len())));
            }
            if U256::from_be_slice(&fe) >= BLS_MODULUS {
                return Err(bad(format!("field element {i} is not canonical")));
            }
            blob[32 * i..32 * (i + 1)].copy_from_slice(&fe);
        }
        Ok(blob)
    }
}

impl<O: PreimageOracle> BlobProvider for OracleBlobProvider<O> {
    type Error = ProgramError;

    fn get_and_validate_blobs(&mut self, block: &BlockInfo, hashes: &[IndexedBlobHash]) -> Result<Vec<Box<Blob>>> {
        hashes.iter().map(|h| self.blob(block, h)).collect()
    }
}

/// The 32-byte big-endian form of an evaluation point (the `z` of a blob-type key).
pub fn point_bytes(z: U256) -> B256 {
    B256::from(z.to_be_bytes::<32>())
}
