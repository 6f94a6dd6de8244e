//! The version-1 super root (`super-roots.md` §1.1).

use alloc::vec::Vec;

use alloy_primitives::{keccak256, B256};

use super::{super_root_len, SUPER_ROOT_VERSION};
use crate::errors::SuperRootError;

/// One chain's entry of a super root: its chain id and its `OutputV0` root at the super root's timestamp.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChainOutputRoot {
    /// L2 chain id (a uint256 on the wire; kona and this crate hold it as u64).
    pub chain_id: u64,
    /// The chain's output root.
    pub output_root: B256,
}

impl ChainOutputRoot {
    /// An entry.
    pub const fn new(chain_id: u64, output_root: B256) -> Self {
        Self { chain_id, output_root }
    }
}

/// A version-1 super root: a timestamp and one output root per chain of the dependency set.
///
/// Encoding: `0x01 ‖ timestamp (8, BE) ‖ (chain id (32, BE, left-padded) ‖ output root (32))*`, length
/// `9 + 64·n`. The commitment (`rootClaim`, the anchor root) is `keccak256` of those bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct SuperRoot {
    /// L2 timestamp (seconds) all output roots are taken at.
    pub timestamp: u64,
    /// Entries in encoding order ([`SuperRoot::new`] sorts them by chain id; decoding keeps the given order).
    pub output_roots: Vec<ChainOutputRoot>,
}

impl SuperRoot {
    /// A super root with its entries sorted by chain id, ascending (stable), as every producer builds it.
    pub fn new(timestamp: u64, mut output_roots: Vec<ChainOutputRoot>) -> Self {
        output_roots.sort_by_key(|e| e.chain_id);
        Self { timestamp, output_roots }
    }

    /// Encoded length, `9 + 64·n`.
    pub fn encoded_len(&self) -> usize {
        super_root_len(self.output_roots.len())
    }

    /// Appends the encoding to `out`.
    pub fn encode_to(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.push(SUPER_ROOT_VERSION);
        out.extend_from_slice(&self.timestamp.to_be_bytes());
        for e in &self.output_roots {
            out.extend_from_slice(&[0u8; 24]);
            out.extend_from_slice(&e.chain_id.to_be_bytes());
            out.extend_from_slice(e.output_root.as_slice());
        }
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_to(&mut out);
        out
    }

    /// `keccak256(encode())`.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }

    /// Decodes exactly `data` (no trailing bytes: the length must be `9 + 64·n`, `n ≥ 1`).
    ///
    /// Rejects, in this order: empty input, a version byte other than 1, fewer than 8 timestamp bytes, a
    /// partial 64-byte chain entry, no chain entry, and a chain id of 2^64 or more. The entry order is kept
    /// as given (no decoder checks it; an unsorted root simply hashes differently).
    pub fn decode(data: &[u8]) -> Result<Self, SuperRootError> {
        let (&version, rest) = data.split_first().ok_or(SuperRootError::Empty)?;
        if version != SUPER_ROOT_VERSION {
            return Err(SuperRootError::InvalidVersion(version));
        }
        if rest.len() < 8 {
            return Err(SuperRootError::TruncatedTimestamp(data.len()));
        }
        let (ts, chains) = rest.split_at(8);
        if chains.len() % 64 != 0 {
            return Err(SuperRootError::PartialChain(data.len()));
        }
        if chains.is_empty() {
            return Err(SuperRootError::NoChains);
        }
        let mut ts_bytes = [0u8; 8];
        ts_bytes.copy_from_slice(ts);
        let mut output_roots = Vec::with_capacity(chains.len() / 64);
        for (i, chunk) in chains.chunks_exact(64).enumerate() {
            if chunk[..24].iter().any(|&b| b != 0) {
                return Err(SuperRootError::ChainIdTooLarge(i));
            }
            let mut id = [0u8; 8];
            id.copy_from_slice(&chunk[24..32]);
            output_roots.push(ChainOutputRoot::new(u64::from_be_bytes(id), B256::from_slice(&chunk[32..64])));
        }
        Ok(Self { timestamp: u64::from_be_bytes(ts_bytes), output_roots })
    }

    /// Number of chains.
    pub fn len(&self) -> usize {
        self.output_roots.len()
    }

    /// Whether it holds no chain (only constructible, never decoded).
    pub fn is_empty(&self) -> bool {
        self.output_roots.is_empty()
    }

    /// The output root of `chain_id` (the first matching entry, as `rootClaimByChainId`).
    pub fn output_root_of(&self, chain_id: u64) -> Option<B256> {
        self.output_roots.iter().find(|e| e.chain_id == chain_id).map(|e| e.output_root)
    }
}
