//! kona-client's single-chain hints with their exact data layouts (deployed-2026 §3, fault-proof-program §2.6).

use crate::errors::{FetchError, FetchResult};
use alloy_primitives::{Address, B256};
use rampart_preimage::Hint;
pub use rampart_program::HintType;

/// Which block an account or storage proof hint names: the old form carries the block number, the new one the
/// block hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockId {
    /// `u64` big-endian block number (8 bytes).
    Number(u64),
    /// Block hash (32 bytes).
    Hash(B256),
}

/// A decoded hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParsedHint {
    /// `l1-block-header` ‖ block hash.
    L1BlockHeader(B256),
    /// `l1-transactions` ‖ block hash.
    L1Transactions(B256),
    /// `l1-receipts` ‖ block hash.
    L1Receipts(B256),
    /// `l1-blob` ‖ versioned hash ‖ [index u64 BE ‖] L1 block timestamp u64 BE (48 or 40 bytes).
    L1Blob {
        /// Versioned hash of the blob.
        versioned_hash: B256,
        /// Index of the blob in its block (legacy 48-byte form only).
        index: Option<u64>,
        /// Timestamp of the L1 block carrying it.
        timestamp: u64,
    },
    /// `l1-precompile` ‖ address ‖ gas u64 BE ‖ input.
    L1Precompile {
        /// Precompile address.
        address: Address,
        /// Gas given to the call.
        gas: u64,
        /// Call input.
        input: Vec<u8>,
    },
    /// `l2-block-header` ‖ block hash.
    L2BlockHeader(B256),
    /// `l2-transactions` ‖ block hash.
    L2Transactions(B256),
    /// `l2-code` ‖ code hash.
    L2Code(B256),
    /// `starting-l2-output` ‖ agreed output root.
    StartingL2Output(B256),
    /// `l2-state-node` ‖ node hash.
    L2StateNode(B256),
    /// `l2-account-proof` ‖ block (number or hash) ‖ address.
    L2AccountProof {
        /// Block whose state is proven.
        block: BlockId,
        /// Account.
        address: Address,
    },
    /// `l2-account-storage-proof` ‖ block (number or hash) ‖ address ‖ slot.
    L2AccountStorageProof {
        /// Block whose state is proven.
        block: BlockId,
        /// Account.
        address: Address,
        /// Storage slot.
        slot: B256,
    },
    /// `l2-payload-witness` ‖ parent hash ‖ JSON `OpPayloadAttributes`.
    L2PayloadWitness {
        /// Parent block hash.
        parent: B256,
        /// The payload attributes as JSON.
        attributes: serde_json::Value,
    },
}

fn hash_at(data: &[u8], at: usize) -> B256 {
    B256::from_slice(&data[at..at + 32])
}

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[at..at + 8]);
    u64::from_be_bytes(b)
}

/// Parses a hint type name of the single-chain program.
pub fn hint_type(kind: &str) -> FetchResult<HintType> {
    HintType::ALL.into_iter().find(|t| t.as_str() == kind).ok_or_else(|| FetchError::UnknownHint(kind.to_string()))
}

impl ParsedHint {
    /// Decodes `hint`, checking the data length of its type.
    pub fn parse(hint: &Hint) -> FetchResult<Self> {
        let ty = hint_type(&hint.kind)?;
        let d = hint.data.as_slice();
        let bad = |want: &str| FetchError::BadHint {
            kind: ty.as_str(),
            reason: format!("{} data bytes, expected {want}", d.len()),
        };
        let hash32 = || if d.len() == 32 { Ok(hash_at(d, 0)) } else { Err(bad("32")) };
        Ok(match ty {
            HintType::L1BlockHeader => ParsedHint::L1BlockHeader(hash32()?),
            HintType::L1Transactions => ParsedHint::L1Transactions(hash32()?),
            HintType::L1Receipts => ParsedHint::L1Receipts(hash32()?),
            HintType::L2BlockHeader => ParsedHint::L2BlockHeader(hash32()?),
            HintType::L2Transactions => ParsedHint::L2Transactions(hash32()?),
            HintType::L2Code => ParsedHint::L2Code(hash32()?),
            HintType::StartingL2Output => ParsedHint::StartingL2Output(hash32()?),
            HintType::L2StateNode => ParsedHint::L2StateNode(hash32()?),
            HintType::L1Blob => match d.len() {
                48 => ParsedHint::L1Blob {
                    versioned_hash: hash_at(d, 0),
                    index: Some(u64_at(d, 32)),
                    timestamp: u64_at(d, 40),
                },
                40 => ParsedHint::L1Blob { versioned_hash: hash_at(d, 0), index: None, timestamp: u64_at(d, 32) },
                _ => return Err(bad("48 (hash, index, timestamp) or 40 (hash, timestamp)")),
            },
            HintType::L1Precompile => {
                if d.len() < 28 {
                    return Err(bad("at least 28 (address, gas)"));
                }
                ParsedHint::L1Precompile {
                    address: Address::from_slice(&d[..20]),
                    gas: u64_at(d, 20),
                    input: d[28..].to_vec(),
                }
            }
            HintType::L2AccountProof => match d.len() {
                28 => ParsedHint::L2AccountProof {
                    block: BlockId::Number(u64_at(d, 0)),
                    address: Address::from_slice(&d[8..28]),
                },
                52 => ParsedHint::L2AccountProof {
                    block: BlockId::Hash(hash_at(d, 0)),
                    address: Address::from_slice(&d[32..52]),
                },
                _ => return Err(bad("28 (number, address) or 52 (hash, address)")),
            },
            HintType::L2AccountStorageProof => match d.len() {
                60 => ParsedHint::L2AccountStorageProof {
                    block: BlockId::Number(u64_at(d, 0)),
                    address: Address::from_slice(&d[8..28]),
                    slot: hash_at(d, 28),
                },
                84 => ParsedHint::L2AccountStorageProof {
                    block: BlockId::Hash(hash_at(d, 0)),
                    address: Address::from_slice(&d[32..52]),
                    slot: hash_at(d, 52),
                },
                _ => return Err(bad("60 (number, address, slot) or 84 (hash, address, slot)")),
            },
            HintType::L2PayloadWitness => {
                if d.len() < 32 {
                    return Err(bad("at least 32 (parent hash, JSON attributes)"));
                }
                let attributes = serde_json::from_slice(&d[32..]).map_err(|e| FetchError::BadHint {
                    kind: ty.as_str(),
                    reason: format!("payload attributes are not JSON: {e}"),
                })?;
                ParsedHint::L2PayloadWitness { parent: hash_at(d, 0), attributes }
            }
        })
    }

    /// The hint's type.
    pub const fn hint_type(&self) -> HintType {
        match self {
            ParsedHint::L1BlockHeader(_) => HintType::L1BlockHeader,
            ParsedHint::L1Transactions(_) => HintType::L1Transactions,
            ParsedHint::L1Receipts(_) => HintType::L1Receipts,
            ParsedHint::L1Blob { .. } => HintType::L1Blob,
            ParsedHint::L1Precompile { .. } => HintType::L1Precompile,
            ParsedHint::L2BlockHeader(_) => HintType::L2BlockHeader,
            ParsedHint::L2Transactions(_) => HintType::L2Transactions,
            ParsedHint::L2Code(_) => HintType::L2Code,
            ParsedHint::StartingL2Output(_) => HintType::StartingL2Output,
            ParsedHint::L2StateNode(_) => HintType::L2StateNode,
            ParsedHint::L2AccountProof { .. } => HintType::L2AccountProof,
            ParsedHint::L2AccountStorageProof { .. } => HintType::L2AccountStorageProof,
            ParsedHint::L2PayloadWitness { .. } => HintType::L2PayloadWitness,
        }
    }

    /// The hint in kona-client's wire form (the inverse of [`ParsedHint::parse`]).
    pub fn to_hint(&self) -> Hint {
        let mut d = Vec::new();
        match self {
            ParsedHint::L1BlockHeader(h)
            | ParsedHint::L1Transactions(h)
            | ParsedHint::L1Receipts(h)
            | ParsedHint::L2BlockHeader(h)
            | ParsedHint::L2Transactions(h)
            | ParsedHint::L2Code(h)
            | ParsedHint::StartingL2Output(h)
            | ParsedHint::L2StateNode(h) => d.extend_from_slice(h.as_slice()),
            ParsedHint::L1Blob { versioned_hash, index, timestamp } => {
                d.extend_from_slice(versioned_hash.as_slice());
                if let Some(i) = index {
                    d.extend_from_slice(&i.to_be_bytes());
                }
                d.extend_from_slice(&timestamp.to_be_bytes());
            }
            ParsedHint::L1Precompile { address, gas, input } => {
                d.extend_from_slice(address.as_slice());
                d.extend_from_slice(&gas.to_be_bytes());
                d.extend_from_slice(input);
            }
            ParsedHint::L2AccountProof { block, address } => {
                push_block(&mut d, block);
                d.extend_from_slice(address.as_slice());
            }
            ParsedHint::L2AccountStorageProof { block, address, slot } => {
                push_block(&mut d, block);
                d.extend_from_slice(address.as_slice());
                d.extend_from_slice(slot.as_slice());
            }
            ParsedHint::L2PayloadWitness { parent, attributes } => {
                d.extend_from_slice(parent.as_slice());
                d.extend_from_slice(attributes.to_string().as_bytes());
            }
        }
        self.hint_type().with(d)
    }
}

fn push_block(d: &mut Vec<u8>, block: &BlockId) {
    match block {
        BlockId::Number(n) => d.extend_from_slice(&n.to_be_bytes()),
        BlockId::Hash(h) => d.extend_from_slice(h.as_slice()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<ParsedHint> {
        let h = B256::repeat_byte(0xab);
        let a = Address::repeat_byte(0x42);
        vec![
            ParsedHint::L1BlockHeader(h),
            ParsedHint::L1Transactions(h),
            ParsedHint::L1Receipts(h),
            ParsedHint::L1Blob { versioned_hash: h, index: Some(3), timestamp: 1_700_000_000 },
            ParsedHint::L1Blob { versioned_hash: h, index: None, timestamp: 1_700_000_000 },
            ParsedHint::L1Precompile { address: a, gas: 3000, input: vec![1, 2, 3] },
            ParsedHint::L1Precompile { address: a, gas: 0, input: vec![] },
            ParsedHint::L2BlockHeader(h),
            ParsedHint::L2Transactions(h),
            ParsedHint::L2Code(h),
            ParsedHint::StartingL2Output(h),
            ParsedHint::L2StateNode(h),
            ParsedHint::L2AccountProof { block: BlockId::Number(7), address: a },
            ParsedHint::L2AccountProof { block: BlockId::Hash(h), address: a },
            ParsedHint::L2AccountStorageProof { block: BlockId::Number(7), address: a, slot: h },
            ParsedHint::L2AccountStorageProof { block: BlockId::Hash(h), address: a, slot: h },
            ParsedHint::L2PayloadWitness { parent: h, attributes: serde_json::json!({"timestamp": "0x1"}) },
        ]
    }

    #[test]
    fn every_form_round_trips_through_the_wire_text() {
        let s = samples();
        let mut types: Vec<_> = s.iter().map(ParsedHint::hint_type).collect();
        types.dedup();
        assert_eq!(types.len(), 13, "one sample per hint type at least");
        for p in &s {
            let wire = p.to_hint().encode();
            let back = ParsedHint::parse(&Hint::parse(&wire).unwrap()).unwrap();
            assert_eq!(&back, p, "{wire}");
        }
        // Data lengths of the fixed forms, as kona-client sends them.
        let lens: Vec<usize> = s.iter().map(|p| p.to_hint().data.len()).collect();
        assert_eq!(lens[..7], [32, 32, 32, 48, 40, 31, 28]);
        assert_eq!(lens[12..16], [28, 52, 60, 84]);
    }

    #[test]
    fn wrong_lengths_and_unknown_types_are_one_clear_error() {
        let cases = [
            ("l1-block-header", 31usize),
            ("l1-blob", 47),
            ("l1-blob", 32),
            ("l1-precompile", 27),
            ("l2-account-proof", 29),
            ("l2-account-storage-proof", 61),
            ("l2-payload-witness", 31),
        ];
        for (kind, n) in cases {
            let e = ParsedHint::parse(&Hint::new(kind, vec![0u8; n])).unwrap_err();
            assert!(matches!(e, FetchError::BadHint { .. }), "{kind}/{n}: {e}");
            assert!(e.to_string().contains(&format!("{n} data bytes")), "{e}");
        }
        let e = ParsedHint::parse(&Hint::new("l2-output", vec![0u8; 32])).unwrap_err();
        assert!(matches!(e, FetchError::UnknownHint(ref k) if k == "l2-output"));
        let mut bad_json = vec![0u8; 32];
        bad_json.extend_from_slice(b"{not json");
        let e = ParsedHint::parse(&Hint::new("l2-payload-witness", bad_json)).unwrap_err();
        assert!(e.to_string().contains("not JSON"), "{e}");
    }
}
