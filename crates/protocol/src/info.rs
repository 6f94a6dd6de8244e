//! The L1-info deposit: the first transaction of every L2 block, carrying the L1 origin's attributes to the
//! `L1Block` predeploy. Four calldata formats (op-node `l1_block_info.go`, specs `deposits.md`):
//!
//! | format | selector | length | since |
//! |---|---|---|---|
//! | Bedrock `setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)` | `015d8eb9` | 260 | genesis |
//! | Ecotone `setL1BlockValuesEcotone()` (packed) | `440a5e20` | 164 | the block after Ecotone's first |
//! | Isthmus `setL1BlockValuesIsthmus()` (+ operator fee scalar u32, constant u64) | `098999be` | 176 | after Isthmus's first |
//! | Jovian `setL1BlockValuesJovian()` (+ DA footprint gas scalar u16) | `3db6be2b` | 178 | after Jovian's first |
//!
//! Karst and later forks keep the Jovian format. In a fork's activation block the previous format is still used,
//! because the `L1Block` contract is upgraded by that block's own upgrade transactions, which run after it.

use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use op_alloy_consensus::TxDeposit;

use crate::{
    deposit::DepositSource,
    errors::L1InfoError,
    predeploys::{L1_BLOCK, L1_INFO_DEPOSITOR},
};

/// Gas limit of the L1-info deposit before Regolith (it is then a system transaction).
pub const L1_INFO_GAS_PRE_REGOLITH: u64 = 150_000_000;
/// Gas limit of the L1-info deposit from Regolith on (`RegolithSystemTxGas`).
pub const REGOLITH_SYSTEM_TX_GAS: u64 = 1_000_000;

/// The calldata format of an L1-info deposit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum L1InfoFormat {
    /// ABI-encoded `setL1BlockValues(...)`, 8 words.
    Bedrock,
    /// Packed `setL1BlockValuesEcotone()`.
    Ecotone,
    /// Ecotone plus the operator fee parameters.
    Isthmus,
    /// Isthmus plus the DA footprint gas scalar.
    Jovian,
}

impl L1InfoFormat {
    /// All formats, oldest first.
    pub const ALL: [Self; 4] = [Self::Bedrock, Self::Ecotone, Self::Isthmus, Self::Jovian];

    /// The 4-byte function selector.
    pub const fn selector(self) -> [u8; 4] {
        match self {
            Self::Bedrock => [0x01, 0x5d, 0x8e, 0xb9],
            Self::Ecotone => [0x44, 0x0a, 0x5e, 0x20],
            Self::Isthmus => [0x09, 0x89, 0x99, 0xbe],
            Self::Jovian => [0x3d, 0xb6, 0xbe, 0x2b],
        }
    }

    /// The calldata length, selector included.
    #[allow(clippy::len_without_is_empty, reason = "a format's calldata is never empty")]
    pub const fn len(self) -> usize {
        match self {
            Self::Bedrock => 4 + 32 * 8,
            Self::Ecotone => 4 + 32 * 5,
            Self::Isthmus => 4 + 32 * 5 + 4 + 8,
            Self::Jovian => 4 + 32 * 5 + 4 + 8 + 2,
        }
    }

    /// The function signature the selector hashes.
    pub const fn signature(self) -> &'static str {
        match self {
            Self::Bedrock => "setL1BlockValues(uint64,uint64,uint256,bytes32,uint64,bytes32,uint256,uint256)",
            Self::Ecotone => "setL1BlockValuesEcotone()",
            Self::Isthmus => "setL1BlockValuesIsthmus()",
            Self::Jovian => "setL1BlockValuesJovian()",
        }
    }

    /// The format of an L2 block, from whether each fork is active at its timestamp and whether the block is
    /// that fork's activation block (op-node `isEcotoneButNotFirstBlock` and its siblings).
    pub const fn select(ecotone: (bool, bool), isthmus: (bool, bool), jovian: (bool, bool)) -> Self {
        if jovian.0 && !jovian.1 {
            Self::Jovian
        } else if isthmus.0 && !isthmus.1 {
            Self::Isthmus
        } else if ecotone.0 && !ecotone.1 {
            Self::Ecotone
        } else {
            Self::Bedrock
        }
    }

    fn from_selector(selector: [u8; 4]) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.selector() == selector)
    }
}

/// The values an L1-info deposit carries. Fields a format does not carry are zero after decoding it and ignored
/// when encoding it (`l1_fee_overhead`/`l1_fee_scalar` exist only in Bedrock, the scalars and blob base fee from
/// Ecotone, the operator fee from Isthmus, the DA footprint gas scalar from Jovian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct L1BlockInfo {
    /// L1 origin block number.
    pub number: u64,
    /// L1 origin timestamp.
    pub time: u64,
    /// L1 origin base fee.
    pub base_fee: U256,
    /// L1 origin block hash.
    pub block_hash: B256,
    /// Position of the L2 block in its epoch.
    pub sequence_number: u64,
    /// The batcher address (the SystemConfig's version-0 batcher hash).
    pub batcher_address: Address,
    /// Bedrock: L1 fee overhead.
    pub l1_fee_overhead: B256,
    /// Bedrock: L1 fee scalar.
    pub l1_fee_scalar: B256,
    /// Ecotone: L1 origin blob base fee (1 when L1 has no blobs yet).
    pub blob_base_fee: U256,
    /// Ecotone: base fee scalar.
    pub base_fee_scalar: u32,
    /// Ecotone: blob base fee scalar.
    pub blob_base_fee_scalar: u32,
    /// Isthmus: operator fee scalar.
    pub operator_fee_scalar: u32,
    /// Isthmus: operator fee constant.
    pub operator_fee_constant: u64,
    /// Jovian: DA footprint gas scalar (0 in the SystemConfig means 400 here).
    pub da_footprint_gas_scalar: u16,
}

/// A decoded L1-info deposit: its format and values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct L1InfoTx {
    /// The calldata format.
    pub format: L1InfoFormat,
    /// The values.
    pub info: L1BlockInfo,
}

fn word_u64(w: &[u8]) -> Option<u64> {
    w[..24].iter().all(|b| *b == 0).then(|| u64::from_be_bytes(w[24..32].try_into().expect("8 bytes")))
}

fn word_address(w: &[u8]) -> Option<Address> {
    w[..12].iter().all(|b| *b == 0).then(|| Address::from_slice(&w[12..32]))
}

impl L1BlockInfo {
    /// Encodes the calldata of `format`.
    pub fn encode_calldata(&self, format: L1InfoFormat) -> Bytes {
        let mut out = alloc::vec::Vec::with_capacity(format.len());
        out.extend_from_slice(&format.selector());
        if format == L1InfoFormat::Bedrock {
            out.extend_from_slice(&U256::from(self.number).to_be_bytes::<32>());
            out.extend_from_slice(&U256::from(self.time).to_be_bytes::<32>());
            out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
            out.extend_from_slice(self.block_hash.as_slice());
            out.extend_from_slice(&U256::from(self.sequence_number).to_be_bytes::<32>());
            out.extend_from_slice(self.batcher_address.into_word().as_slice());
            out.extend_from_slice(self.l1_fee_overhead.as_slice());
            out.extend_from_slice(self.l1_fee_scalar.as_slice());
            return out.into();
        }
        out.extend_from_slice(&self.base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        out.extend_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&self.time.to_be_bytes());
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&self.base_fee.to_be_bytes::<32>());
        out.extend_from_slice(&self.blob_base_fee.to_be_bytes::<32>());
        out.extend_from_slice(self.block_hash.as_slice());
        out.extend_from_slice(self.batcher_address.into_word().as_slice());
        if format >= L1InfoFormat::Isthmus {
            out.extend_from_slice(&self.operator_fee_scalar.to_be_bytes());
            out.extend_from_slice(&self.operator_fee_constant.to_be_bytes());
        }
        if format == L1InfoFormat::Jovian {
            out.extend_from_slice(&self.da_footprint_gas_scalar.to_be_bytes());
        }
        out.into()
    }

    /// The L1-info deposit transaction carrying this info in `format` (op-node `L1InfoDeposit`): from the
    /// depositor account to the `L1Block` predeploy, no mint or value, a system transaction with 150M gas before
    /// Regolith and a regular one with 1M gas from Regolith on.
    pub fn deposit(&self, format: L1InfoFormat, regolith: bool) -> TxDeposit {
        TxDeposit {
            source_hash: DepositSource::L1Info { l1_block_hash: self.block_hash, seq_number: self.sequence_number }
                .source_hash(),
            from: L1_INFO_DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: if regolith { REGOLITH_SYSTEM_TX_GAS } else { L1_INFO_GAS_PRE_REGOLITH },
            is_system_transaction: !regolith,
            input: self.encode_calldata(format),
        }
    }
}

impl L1InfoTx {
    /// Decodes L1-info calldata of any format, chosen by its selector; the length must be the format's exactly
    /// and ABI words must have zero padding where op-node's `solabi` readers require it (Bedrock's uint64 and
    /// address words, every format's batcher word).
    pub fn decode_calldata(data: &[u8]) -> Result<Self, L1InfoError> {
        let selector: [u8; 4] = data.get(..4).ok_or(L1InfoError::MissingSelector)?.try_into().expect("4 bytes");
        let format = L1InfoFormat::from_selector(selector).ok_or(L1InfoError::UnknownSelector(selector))?;
        Self::decode_format(format, data)
    }

    /// Decodes calldata that must be in `format` (what op-node does: the format follows from the block's
    /// timestamp, and another selector is an error).
    pub fn decode_format(format: L1InfoFormat, data: &[u8]) -> Result<Self, L1InfoError> {
        if data.len() < 4 || data[..4] != format.selector() {
            return Err(L1InfoError::WrongSelector { format, found: data.get(..4).map(|s| s.to_vec()) });
        }
        if data.len() != format.len() {
            return Err(L1InfoError::Length { format, expected: format.len(), found: data.len() });
        }
        let d = &data[4..];
        let mut info = L1BlockInfo::default();
        let padding = |field: &'static str| L1InfoError::Padding { format, field };
        if format == L1InfoFormat::Bedrock {
            let w = |i: usize| &d[32 * i..32 * (i + 1)];
            info.number = word_u64(w(0)).ok_or(padding("number"))?;
            info.time = word_u64(w(1)).ok_or(padding("time"))?;
            info.base_fee = U256::from_be_slice(w(2));
            info.block_hash = B256::from_slice(w(3));
            info.sequence_number = word_u64(w(4)).ok_or(padding("sequence number"))?;
            info.batcher_address = word_address(w(5)).ok_or(padding("batcher"))?;
            info.l1_fee_overhead = B256::from_slice(w(6));
            info.l1_fee_scalar = B256::from_slice(w(7));
            return Ok(Self { format, info });
        }
        let u32_at = |o: usize| u32::from_be_bytes(d[o..o + 4].try_into().expect("4 bytes"));
        let u64_at = |o: usize| u64::from_be_bytes(d[o..o + 8].try_into().expect("8 bytes"));
        info.base_fee_scalar = u32_at(0);
        info.blob_base_fee_scalar = u32_at(4);
        info.sequence_number = u64_at(8);
        info.time = u64_at(16);
        info.number = u64_at(24);
        info.base_fee = U256::from_be_slice(&d[32..64]);
        info.blob_base_fee = U256::from_be_slice(&d[64..96]);
        info.block_hash = B256::from_slice(&d[96..128]);
        info.batcher_address = word_address(&d[128..160]).ok_or(padding("batcher"))?;
        if format >= L1InfoFormat::Isthmus {
            info.operator_fee_scalar = u32_at(160);
            info.operator_fee_constant = u64_at(164);
        }
        if format == L1InfoFormat::Jovian {
            info.da_footprint_gas_scalar = u16::from_be_bytes([d[172], d[173]]);
        }
        Ok(Self { format, info })
    }

    /// Re-encodes the calldata.
    pub fn encode_calldata(&self) -> Bytes {
        self.info.encode_calldata(self.format)
    }
}
