//! The singular batch (batch type 0): `rlp([parent_hash, epoch_number, epoch_hash, timestamp, [tx, …]])`.

use crate::BlockInfo;
use alloc::vec::Vec;
use alloy_eips::BlockNumHash;
use alloy_primitives::{Bytes, B256};
use alloy_rlp::{RlpDecodable, RlpEncodable};

/// One L2 block's batch: its parent, its L1 origin (epoch), its timestamp and its transactions.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, RlpEncodable, RlpDecodable)]
pub struct SingleBatch {
    /// Hash of the L2 parent block.
    pub parent_hash: B256,
    /// Number of the L1 origin block.
    pub epoch_num: u64,
    /// Hash of the L1 origin block.
    pub epoch_hash: B256,
    /// L2 block timestamp.
    pub timestamp: u64,
    /// EIP-2718 encoded transactions (no deposits).
    pub transactions: Vec<Bytes>,
}

impl SingleBatch {
    /// The L1 origin as a (number, hash) pair.
    pub const fn epoch(&self) -> BlockNumHash {
        BlockNumHash { number: self.epoch_num, hash: self.epoch_hash }
    }

    /// Whether any transaction is a deposit (type `0x7e`), which batches may not carry.
    pub fn has_deposits(&self) -> bool {
        self.transactions.iter().any(|tx| tx.first() == Some(&crate::DEPOSIT_TX_TYPE))
    }

    /// Whether `epoch` is this batch's L1 origin.
    pub fn is_epoch(&self, epoch: &BlockInfo) -> bool {
        self.epoch_num == epoch.number && self.epoch_hash == epoch.hash
    }
}
