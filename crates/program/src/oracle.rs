//! The preimage oracle as the program sees it: hints and reads, over the FPVM channels or an in-memory store.

use crate::errors::{ProgramError, Result};
use alloc::{collections::BTreeMap, string::String, vec::Vec};
use alloy_primitives::{keccak256, B256};
use core::fmt;
use rampart_preimage::{Channel, Hint, HintWriter, OracleReader, PreimageKey};

/// kona-client's single-chain hint types (`kona_proof::HintType`); the wire form is `"<type> 0x<hex>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum HintType {
    /// `l1-block-header` ‖ block hash.
    L1BlockHeader,
    /// `l1-transactions` ‖ block hash.
    L1Transactions,
    /// `l1-receipts` ‖ block hash.
    L1Receipts,
    /// `l1-blob` ‖ versioned hash ‖ index u64 BE ‖ timestamp u64 BE.
    L1Blob,
    /// `l1-precompile` ‖ address ‖ gas u64 BE ‖ input.
    L1Precompile,
    /// `l2-block-header` ‖ block hash.
    L2BlockHeader,
    /// `l2-transactions` ‖ block hash.
    L2Transactions,
    /// `l2-code` ‖ code hash.
    L2Code,
    /// `starting-l2-output` ‖ agreed output root.
    StartingL2Output,
    /// `l2-state-node` ‖ node hash.
    L2StateNode,
    /// `l2-account-proof` ‖ block number u64 BE ‖ address.
    L2AccountProof,
    /// `l2-account-storage-proof` ‖ block number u64 BE ‖ address ‖ slot.
    L2AccountStorageProof,
    /// `l2-payload-witness` ‖ parent hash ‖ JSON payload attributes.
    L2PayloadWitness,
}

impl HintType {
    /// Every single-chain hint type.
    pub const ALL: [HintType; 13] = [
        HintType::L1BlockHeader,
        HintType::L1Transactions,
        HintType::L1Receipts,
        HintType::L1Blob,
        HintType::L1Precompile,
        HintType::L2BlockHeader,
        HintType::L2Transactions,
        HintType::L2Code,
        HintType::StartingL2Output,
        HintType::L2StateNode,
        HintType::L2AccountProof,
        HintType::L2AccountStorageProof,
        HintType::L2PayloadWitness,
    ];

    /// The hint type string kona-host routes on.
    pub const fn as_str(self) -> &'static str {
        match self {
            HintType::L1BlockHeader => "l1-block-header",
            HintType::L1Transactions => "l1-transactions",
            HintType::L1Receipts => "l1-receipts",
            HintType::L1Blob => "l1-blob",
            HintType::L1Precompile => "l1-precompile",
            HintType::L2BlockHeader => "l2-block-header",
            HintType::L2Transactions => "l2-transactions",
            HintType::L2Code => "l2-code",
            HintType::StartingL2Output => "starting-l2-output",
            HintType::L2StateNode => "l2-state-node",
            HintType::L2AccountProof => "l2-account-proof",
            HintType::L2AccountStorageProof => "l2-account-storage-proof",
            HintType::L2PayloadWitness => "l2-payload-witness",
        }
    }

    /// A hint of this type carrying `data`.
    pub fn with(self, data: impl Into<Vec<u8>>) -> Hint {
        Hint::new(self.as_str(), data)
    }
}

impl fmt::Display for HintType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the program needs of the preimage oracle.
pub trait PreimageOracle {
    /// Sends a hint (and waits for its acknowledgement).
    fn hint(&mut self, hint: &Hint) -> Result<()>;
    /// Reads the preimage of `key`.
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>>;

    /// Reads the preimage of `key`, which must be exactly `N` bytes long.
    fn get_array<const N: usize>(&mut self, key: PreimageKey) -> Result<[u8; N]> {
        let data = self.get(key)?;
        let got = data.len();
        data.try_into().map_err(|_| ProgramError::LocalKeyLength {
            index: key.local_index().unwrap_or(u64::MAX),
            expected: N,
            got,
        })
    }

    /// Reads the keccak256 preimage of `digest` and checks that it hashes to it.
    fn get_keccak(&mut self, digest: B256) -> Result<Vec<u8>> {
        let data = self.get(PreimageKey::keccak256(digest.0))?;
        if keccak256(&data) != digest {
            return Err(ProgramError::HashMismatch(digest));
        }
        Ok(data)
    }
}

impl<T: PreimageOracle + ?Sized> PreimageOracle for &mut T {
    fn hint(&mut self, hint: &Hint) -> Result<()> {
        (**self).hint(hint)
    }
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>> {
        (**self).get(key)
    }
}

/// The oracle over the two FPVM channels (preimage fds 5/6, hint fds 3/4) or any [`Channel`] pair.
#[derive(Debug)]
pub struct ChannelOracle<P, H> {
    reader: OracleReader<P>,
    hints: HintWriter<H>,
}

impl<P: Channel, H: Channel> ChannelOracle<P, H> {
    /// An oracle reading preimages from `preimage` and sending hints on `hint`.
    pub fn new(preimage: P, hint: H) -> Self {
        Self { reader: OracleReader::new(preimage), hints: HintWriter::new(hint) }
    }
}

impl<P: Channel, H: Channel> PreimageOracle for ChannelOracle<P, H> {
    fn hint(&mut self, hint: &Hint) -> Result<()> {
        Ok(self.hints.hint(hint)?)
    }
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>> {
        Ok(self.reader.get(key)?)
    }
}

/// An in-memory preimage store that records every hint it is sent (native runs and tests).
#[derive(Debug, Default, Clone)]
pub struct MemoryOracle {
    store: BTreeMap<[u8; 32], Vec<u8>>,
    hints: Vec<String>,
    reads: u64,
}

impl MemoryOracle {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `value` under `key`.
    pub fn insert(&mut self, key: PreimageKey, value: impl Into<Vec<u8>>) {
        self.store.insert(key.to_bytes(), value.into());
    }

    /// Stores `value` under its keccak256 key; returns the digest.
    pub fn insert_keccak(&mut self, value: impl Into<Vec<u8>>) -> B256 {
        let value = value.into();
        let digest = keccak256(&value);
        self.insert(PreimageKey::keccak256(digest.0), value);
        digest
    }

    /// Stores the local input `index`.
    pub fn insert_local(&mut self, index: u64, value: impl Into<Vec<u8>>) {
        self.insert(PreimageKey::local(index), value);
    }

    /// The hints received so far, in wire form (`"<type> 0x<hex>"`).
    pub fn hints(&self) -> &[String] {
        &self.hints
    }

    /// Number of preimage reads served.
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// Number of preimages stored.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether the store is empty.
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

impl PreimageOracle for MemoryOracle {
    fn hint(&mut self, hint: &Hint) -> Result<()> {
        self.hints.push(hint.encode());
        Ok(())
    }
    fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>> {
        self.reads += 1;
        self.store.get(key.as_bytes()).cloned().ok_or(ProgramError::MissingPreimage(key))
    }
}
