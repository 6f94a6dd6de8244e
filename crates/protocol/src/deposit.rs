//! Deposit transactions: source hashes of the three domains and user deposits from the OptimismPortal's
//! `TransactionDeposited` logs (opaque data version 0), both ways (op-node `deposit_log.go`, `deposit_source.go`).

use alloc::vec::Vec;
use alloy_consensus::{Eip658Value, Receipt};
use alloy_primitives::{b256, keccak256, Address, Bytes, Log, LogData, TxKind, B256, U256};
use op_alloy_consensus::TxDeposit;

use crate::errors::DepositError;

/// `keccak256("TransactionDeposited(address,address,uint256,bytes)")`.
pub const DEPOSIT_EVENT_TOPIC: B256 = b256!("b3813568d9991fc951961fcb4c784893574240a28925604d09fc577c55bb7c32");
/// The only deposit event version (the event's third indexed topic).
pub const DEPOSIT_EVENT_VERSION_0: B256 = B256::ZERO;
/// Fixed part of version-0 opaque data: mint (32), value (32), gas (8), is-creation (1).
const OPAQUE_FIXED_LEN: usize = 32 + 32 + 8 + 1;

/// What identifies a deposit, hashed into its `source_hash` (specs `deposits.md` "Source hash computation").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum DepositSource<'a> {
    /// Domain 0: a user deposit, by L1 block hash and the log's index in that block.
    User {
        /// Hash of the L1 block holding the log.
        l1_block_hash: B256,
        /// Index of the log among all logs of the block.
        log_index: u64,
    },
    /// Domain 1: the L1-info deposit, by L1 origin hash and sequence number.
    L1Info {
        /// Hash of the L1 origin.
        l1_block_hash: B256,
        /// Sequence number of the L2 block in its epoch.
        seq_number: u64,
    },
    /// Domain 2: a network-upgrade transaction, by its human-readable intent.
    Upgrade {
        /// The intent, e.g. `"Ecotone: L1 Block Deployment"`.
        intent: &'a str,
    },
}

impl DepositSource<'_> {
    /// The source hash: `keccak256(domain as u256 ‖ inner)`, `inner` being `keccak256(hash ‖ u256 number)` for
    /// domains 0 and 1 and `keccak256(intent)` for domain 2.
    pub fn source_hash(&self) -> B256 {
        let (domain, inner) = match *self {
            Self::User { l1_block_hash, log_index: n } | Self::L1Info { l1_block_hash, seq_number: n } => {
                let mut buf = [0u8; 64];
                buf[..32].copy_from_slice(l1_block_hash.as_slice());
                buf[56..].copy_from_slice(&n.to_be_bytes());
                (u64::from(matches!(self, Self::L1Info { .. })), keccak256(buf))
            }
            Self::Upgrade { intent } => (2, keccak256(intent.as_bytes())),
        };
        let mut buf = [0u8; 64];
        buf[24..32].copy_from_slice(&domain.to_be_bytes());
        buf[32..].copy_from_slice(inner.as_slice());
        keccak256(buf)
    }
}

/// Decodes a `TransactionDeposited` log into its deposit transaction (op-node `UnmarshalDepositLogEvent`).
/// `l1_block_hash` and `log_index` (the log's index among all logs of its block) give the source hash.
///
/// Checks, in op-node's order: 4 topics, the event topic, at least 64 bytes of data in whole words, an opaque
/// data offset of exactly 32, a length that fits the data with minimal padding, version 0, and at least 73
/// bytes of opaque data. The `from`/`to` topics are read from their low 20 bytes as op-node does (the portal
/// always writes them zero-padded). A mint above `u128::MAX` (op-node would carry it; the portal's mint is
/// `msg.value`, so it cannot happen on chain) is an error here, since `TxDeposit::mint` is a `u128`.
pub fn decode_deposit_log(log: &LogData, l1_block_hash: B256, log_index: u64) -> Result<TxDeposit, DepositError> {
    let topics = log.topics();
    if topics.len() != 4 {
        return Err(DepositError::TopicCount(topics.len()));
    }
    if topics[0] != DEPOSIT_EVENT_TOPIC {
        return Err(DepositError::WrongEvent(topics[0]));
    }
    let data = log.data.as_ref();
    if data.len() < 64 {
        return Err(DepositError::ShortData(data.len()));
    }
    if data.len() % 32 != 0 {
        return Err(DepositError::UnalignedData(data.len()));
    }
    let offset = U256::from_be_slice(&data[..32]);
    if offset != U256::from(32) {
        return Err(DepositError::OpaqueOffset(offset));
    }
    let length = U256::from_be_slice(&data[32..64]);
    let room = data.len() - 64;
    // Fits, and no whole padding word beyond it.
    let len = usize::try_from(length)
        .ok()
        .filter(|l| *l <= room && l + 32 > room)
        .ok_or(DepositError::OpaqueLength(length))?;
    if topics[3] != DEPOSIT_EVENT_VERSION_0 {
        return Err(DepositError::Version(topics[3]));
    }
    let opaque = &data[64..64 + len];
    if opaque.len() < OPAQUE_FIXED_LEN {
        return Err(DepositError::OpaqueTooShort(opaque.len()));
    }
    let mint = U256::from_be_slice(&opaque[..32]);
    let mint = u128::try_from(mint).map_err(|_| DepositError::MintOverflow(mint))?;
    let to = Address::from_slice(&topics[2][12..]);
    Ok(TxDeposit {
        source_hash: DepositSource::User { l1_block_hash, log_index }.source_hash(),
        from: Address::from_slice(&topics[1][12..]),
        to: if opaque[72] == 0 { TxKind::Call(to) } else { TxKind::Create },
        mint,
        value: U256::from_be_slice(&opaque[32..64]),
        gas_limit: u64::from_be_bytes(opaque[64..72].try_into().expect("8 bytes")),
        is_system_transaction: false,
        input: Bytes::copy_from_slice(&opaque[OPAQUE_FIXED_LEN..]),
    })
}

/// The `TransactionDeposited` log the portal at `portal` emits for `deposit` (op-node `MarshalDepositLogEvent`):
/// the inverse of [`decode_deposit_log`] up to the source hash.
pub fn encode_deposit_log(portal: Address, deposit: &TxDeposit) -> Log {
    let to = match deposit.to {
        TxKind::Call(to) => to.into_word(),
        TxKind::Create => B256::ZERO,
    };
    let topics = alloc::vec![DEPOSIT_EVENT_TOPIC, deposit.from.into_word(), to, DEPOSIT_EVENT_VERSION_0];
    let opaque_len = OPAQUE_FIXED_LEN + deposit.input.len();
    let mut data = Vec::with_capacity(64 + opaque_len.div_ceil(32) * 32);
    data.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(opaque_len).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(deposit.mint).to_be_bytes::<32>());
    data.extend_from_slice(&deposit.value.to_be_bytes::<32>());
    data.extend_from_slice(&deposit.gas_limit.to_be_bytes());
    data.push(u8::from(deposit.to.is_create()));
    data.extend_from_slice(&deposit.input);
    data.resize(data.len().div_ceil(32) * 32, 0);
    Log { address: portal, data: LogData::new_unchecked(topics, data.into()) }
}

/// The user deposits of an L1 block (op-node `UserDeposits`): every log of a successful receipt emitted by
/// `portal` with the deposit event topic, in order. Log indices count every log of the block. A malformed
/// deposit log is an error for the whole block (derivation treats it as critical: deposits are never skipped).
pub fn user_deposits(
    receipts: &[Receipt],
    portal: Address,
    l1_block_hash: B256,
) -> Result<Vec<TxDeposit>, DepositError> {
    let mut out = Vec::new();
    let mut log_index = 0u64;
    for receipt in receipts {
        // op-node skips receipts whose status is not 1 (a pre-Byzantium post-state receipt has none).
        let success = receipt.status == Eip658Value::Eip658(true);
        for log in &receipt.logs {
            if success && log.address == portal && log.topics().first() == Some(&DEPOSIT_EVENT_TOPIC) {
                out.push(decode_deposit_log(&log.data, l1_block_hash, log_index)?);
            }
            log_index += 1;
        }
    }
    Ok(out)
}
