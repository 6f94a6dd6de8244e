//! TEMPORARY: the few attribute encoders the sequencer needs before `rampart-protocol`'s attributes side
//! (L1-info deposit, user deposits from `TransactionDeposited`, config updates) lands on main. This file is
//! deleted when it does; nothing outside `attributes.rs` uses it.

use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use op_alloy_consensus::TxDeposit;

/// The depositor account of system deposits.
pub(crate) const DEPOSITOR: Address = alloy_primitives::address!("DeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");
/// The L1Block predeploy.
pub(crate) const L1_BLOCK: Address = alloy_primitives::address!("4200000000000000000000000000000000000015");

/// Fields of the Ecotone L1-info deposit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct L1InfoEcotone {
    pub(crate) number: u64,
    pub(crate) timestamp: u64,
    pub(crate) base_fee: u64,
    pub(crate) blob_base_fee: u128,
    pub(crate) hash: B256,
    pub(crate) sequence_number: u64,
    pub(crate) batcher: Address,
    pub(crate) base_fee_scalar: u32,
    pub(crate) blob_base_fee_scalar: u32,
}

/// `setL1BlockValuesEcotone` calldata and the deposit carrying it.
pub(crate) fn l1_info_deposit(info: &L1InfoEcotone) -> TxDeposit {
    let mut data = vec![0x44, 0x0a, 0x5e, 0x20];
    data.extend_from_slice(&info.base_fee_scalar.to_be_bytes());
    data.extend_from_slice(&info.blob_base_fee_scalar.to_be_bytes());
    data.extend_from_slice(&info.sequence_number.to_be_bytes());
    data.extend_from_slice(&info.timestamp.to_be_bytes());
    data.extend_from_slice(&info.number.to_be_bytes());
    data.extend_from_slice(&U256::from(info.base_fee).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(info.blob_base_fee).to_be_bytes::<32>());
    data.extend_from_slice(info.hash.as_slice());
    data.extend_from_slice(info.batcher.into_word().as_slice());
    let mut inner = [0u8; 64];
    inner[..32].copy_from_slice(info.hash.as_slice());
    inner[56..].copy_from_slice(&info.sequence_number.to_be_bytes());
    let mut outer = [0u8; 64];
    outer[31] = 1;
    outer[32..].copy_from_slice(keccak256(inner).as_slice());
    TxDeposit {
        source_hash: keccak256(outer),
        from: DEPOSITOR,
        to: TxKind::Call(L1_BLOCK),
        mint: 0,
        value: U256::ZERO,
        gas_limit: 1_000_000,
        is_system_transaction: false,
        input: Bytes::from(data),
    }
}

/// A user deposit from a `TransactionDeposited` log (version 0).
pub(crate) fn user_deposit(l1_block_hash: B256, log_index: u64, topics: &[B256], data: &[u8]) -> Option<TxDeposit> {
    if topics.len() != 4 || topics[3] != B256::ZERO || data.len() < 64 {
        return None;
    }
    let from = Address::from_word(topics[1]);
    let to = Address::from_word(topics[2]);
    let len = usize::try_from(U256::from_be_slice(&data[32..64])).ok()?;
    let opaque = data.get(64..64 + len)?;
    if opaque.len() < 73 {
        return None;
    }
    let mint = U256::from_be_slice(&opaque[..32]);
    let value = U256::from_be_slice(&opaque[32..64]);
    let gas = u64::from_be_bytes(opaque[64..72].try_into().ok()?);
    let is_creation = opaque[72] == 1;
    let input = Bytes::copy_from_slice(&opaque[73..]);
    let mut inner = [0u8; 64];
    inner[..32].copy_from_slice(l1_block_hash.as_slice());
    inner[56..].copy_from_slice(&log_index.to_be_bytes());
    let mut outer = [0u8; 64];
    outer[32..].copy_from_slice(keccak256(inner).as_slice());
    Some(TxDeposit {
        source_hash: keccak256(outer),
        from,
        to: if is_creation { TxKind::Create } else { TxKind::Call(to) },
        mint: mint.try_into().ok()?,
        value,
        gas_limit: gas,
        is_system_transaction: false,
        input,
    })
}

/// The L1 blob base fee for `excess_blob_gas` under Prague's update fraction.
pub(crate) fn blob_base_fee_prague(excess_blob_gas: u64) -> u128 {
    let (factor, num, den) = (1u128, u128::from(excess_blob_gas), 5_007_716u128);
    let mut i = 1u128;
    let mut output = 0u128;
    let mut acc = factor * den;
    while acc > 0 {
        output += acc;
        acc = acc * num / (den * i);
        i += 1;
    }
    output / den
}
