//! The span batch (batch type 1, from Delta): a run of consecutive L2 blocks in one batch.
//!
//! Wire form (`RawSpanBatch`): `prefix ‖ payload` with
//! `prefix = rel_timestamp (varint) ‖ l1_origin_num (varint) ‖ parent_check (20) ‖ l1_origin_check (20)` and
//! `payload = block_count (varint) ‖ origin_bits ‖ block_tx_counts (varints) ‖ txs`.
//! The derived form (`SpanBatch`) has absolute timestamps, an epoch number per block and full transactions.

use super::{
    bits::SpanBatchBits,
    span_tx::SpanBatchTransactions,
    varint::{read_uvarint, write_uvarint},
    SingleBatch, MAX_SPAN_BATCH_ELEMENTS,
};
use crate::{errors::BatchError, BlockInfo, L2BlockInfo};
use alloc::vec::Vec;
use alloy_primitives::{Bytes, B256};

/// A span batch as encoded on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawSpanBatch {
    /// First block's timestamp minus the L2 genesis timestamp.
    pub rel_timestamp: u64,
    /// L1 origin number of the last block.
    pub l1_origin_num: u64,
    /// First 20 bytes of the first block's parent hash.
    pub parent_check: [u8; 20],
    /// First 20 bytes of the last block's L1 origin hash.
    pub l1_origin_check: [u8; 20],
    /// Number of blocks (at least 1).
    pub block_count: u64,
    /// Bit `i`: block `i` starts a new epoch (bit 0: the first block is the first of its epoch).
    pub origin_bits: SpanBatchBits,
    /// Transactions per block.
    pub block_tx_counts: Vec<u64>,
    /// All blocks' transactions.
    pub txs: SpanBatchTransactions,
}

impl RawSpanBatch {
    /// Decodes the prefix and payload (the bytes after the batch type byte). Trailing bytes are left in `buf`.
    pub fn decode(buf: &mut &[u8]) -> Result<Self, BatchError> {
        let rel_timestamp = read_uvarint(buf, "rel_timestamp")?;
        let l1_origin_num = read_uvarint(buf, "l1_origin_num")?;
        let parent_check = take20(buf, "parent_check")?;
        let l1_origin_check = take20(buf, "l1_origin_check")?;
        let block_count = read_uvarint(buf, "block_count")?;
        if block_count > MAX_SPAN_BATCH_ELEMENTS {
            return Err(BatchError::TooBig);
        }
        if block_count == 0 {
            return Err(BatchError::EmptySpanBatch);
        }
        let origin_bits = SpanBatchBits::decode(buf, block_count as usize, "origin_bits")?;
        let mut block_tx_counts = Vec::with_capacity((block_count as usize).min(buf.len()));
        let mut total = 0u64;
        for _ in 0..block_count {
            let count = read_uvarint(buf, "block_tx_counts")?;
            if count > MAX_SPAN_BATCH_ELEMENTS {
                return Err(BatchError::TooBig);
            }
            block_tx_counts.push(count);
        }
        for &count in &block_tx_counts {
            total = total.checked_add(count).ok_or(BatchError::TooBig)?;
        }
        if total > MAX_SPAN_BATCH_ELEMENTS {
            return Err(BatchError::TooBig);
        }
        let txs = SpanBatchTransactions::decode(buf, total as usize)?;
        Ok(Self {
            rel_timestamp,
            l1_origin_num,
            parent_check,
            l1_origin_check,
            block_count,
            origin_bits,
            block_tx_counts,
            txs,
        })
    }

    /// Appends the wire encoding (without the batch type byte).
    pub fn encode(&self, out: &mut Vec<u8>) {
        write_uvarint(out, self.rel_timestamp);
        write_uvarint(out, self.l1_origin_num);
        out.extend_from_slice(&self.parent_check);
        out.extend_from_slice(&self.l1_origin_check);
        write_uvarint(out, self.block_count);
        out.extend_from_slice(self.origin_bits.as_bytes());
        for &count in &self.block_tx_counts {
            write_uvarint(out, count);
        }
        self.txs.encode(out);
    }

    /// Derives the blocks: timestamps from the genesis time and block time, epochs walking back from
    /// `l1_origin_num` over the origin bits, full transactions for `chain_id` (op-node `RawSpanBatch.derive`).
    pub fn derive(&self, block_time: u64, genesis_time: u64, chain_id: u64) -> Result<SpanBatch, BatchError> {
        let n = self.block_count as usize;
        if n == 0 {
            return Err(BatchError::EmptySpanBatch);
        }
        let mut epochs = alloc::vec![0u64; n];
        let mut epoch = self.l1_origin_num;
        for i in (0..n).rev() {
            epochs[i] = epoch;
            if i > 0 && self.origin_bits.get(i) {
                // op-node's uint64 arithmetic wraps; batch validation then rejects the epoch.
                epoch = epoch.wrapping_sub(1);
            }
        }
        let txs = self.txs.full_txs(chain_id)?;
        let mut txs = txs.into_iter();
        let mut blocks = Vec::with_capacity(n);
        for (i, &epoch_num) in epochs.iter().enumerate() {
            let timestamp =
                genesis_time.wrapping_add(self.rel_timestamp).wrapping_add(block_time.wrapping_mul(i as u64));
            let transactions = txs.by_ref().take(self.block_tx_counts[i] as usize).collect();
            blocks.push(SpanBatchElement { epoch_num, timestamp, transactions });
        }
        Ok(SpanBatch {
            parent_check: self.parent_check,
            l1_origin_check: self.l1_origin_check,
            first_is_new_epoch: self.origin_bits.get(0),
            blocks,
        })
    }
}

fn take20(buf: &mut &[u8], field: &'static str) -> Result<[u8; 20], BatchError> {
    if buf.len() < 20 {
        return Err(BatchError::Truncated(field));
    }
    let mut out = [0u8; 20];
    out.copy_from_slice(&buf[..20]);
    *buf = &buf[20..];
    Ok(out)
}

/// One block of a derived span batch.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SpanBatchElement {
    /// L1 origin number.
    pub epoch_num: u64,
    /// L2 block timestamp.
    pub timestamp: u64,
    /// EIP-2718 encoded transactions.
    pub transactions: Vec<Bytes>,
}

/// A span batch with its blocks derived: what batch validation works on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatch {
    /// First 20 bytes of the first block's parent hash.
    pub parent_check: [u8; 20],
    /// First 20 bytes of the last block's L1 origin hash.
    pub l1_origin_check: [u8; 20],
    /// Origin bit 0: the first block is the first of its epoch (sequence number 0).
    pub first_is_new_epoch: bool,
    /// The blocks, in order (at least one).
    pub blocks: Vec<SpanBatchElement>,
}

impl SpanBatch {
    /// Builds a span batch from consecutive singular batches (what a batcher does). `first_seq_num` is the
    /// sequence number of the first block within its epoch.
    pub fn from_singles(batches: &[SingleBatch], first_seq_num: u64) -> Result<Self, BatchError> {
        let first = batches.first().ok_or(BatchError::EmptySpanBatch)?;
        let last = &batches[batches.len() - 1];
        let mut parent_check = [0u8; 20];
        parent_check.copy_from_slice(&first.parent_hash[..20]);
        let mut l1_origin_check = [0u8; 20];
        l1_origin_check.copy_from_slice(&last.epoch_hash[..20]);
        let blocks = batches
            .iter()
            .map(|b| SpanBatchElement {
                epoch_num: b.epoch_num,
                timestamp: b.timestamp,
                transactions: b.transactions.clone(),
            })
            .collect();
        Ok(Self { parent_check, l1_origin_check, first_is_new_epoch: first_seq_num == 0, blocks })
    }

    /// Encodes into the wire form (op-node `ToRawSpanBatch`); transactions must be legacy, 2930, 1559 or 7702
    /// for `chain_id`, and timestamps at or after `genesis_time`.
    pub fn to_raw(&self, genesis_time: u64, chain_id: u64) -> Result<RawSpanBatch, BatchError> {
        let first = self.blocks.first().ok_or(BatchError::EmptySpanBatch)?;
        let last = &self.blocks[self.blocks.len() - 1];
        let mut bits = SpanBatchBits::zeros(self.blocks.len());
        bits.set(0, self.first_is_new_epoch);
        let mut txs = SpanBatchTransactions::default();
        let mut block_tx_counts = Vec::with_capacity(self.blocks.len());
        for (i, block) in self.blocks.iter().enumerate() {
            if i > 0 {
                bits.set(i, self.blocks[i - 1].epoch_num < block.epoch_num);
            }
            block_tx_counts.push(block.transactions.len() as u64);
            txs.add_txs(&block.transactions, chain_id)?;
        }
        Ok(RawSpanBatch {
            rel_timestamp: first.timestamp.checked_sub(genesis_time).ok_or(BatchError::BeforeGenesis)?,
            l1_origin_num: last.epoch_num,
            parent_check: self.parent_check,
            l1_origin_check: self.l1_origin_check,
            block_count: self.blocks.len() as u64,
            origin_bits: bits,
            block_tx_counts,
            txs,
        })
    }

    /// Timestamp of the first block.
    pub fn timestamp(&self) -> u64 {
        self.blocks.first().map_or(0, |b| b.timestamp)
    }

    /// Timestamp of the last block.
    pub fn final_timestamp(&self) -> u64 {
        self.blocks.last().map_or(0, |b| b.timestamp)
    }

    /// L1 origin number of the first block.
    pub fn starting_epoch_num(&self) -> u64 {
        self.blocks.first().map_or(0, |b| b.epoch_num)
    }

    /// L1 origin number of the last block.
    pub fn final_epoch_num(&self) -> u64 {
        self.blocks.last().map_or(0, |b| b.epoch_num)
    }

    /// Whether `hash` starts with the parent check.
    pub fn check_parent_hash(&self, hash: B256) -> bool {
        hash[..20] == self.parent_check
    }

    /// Whether `hash` starts with the L1 origin check.
    pub fn check_origin_hash(&self, hash: B256) -> bool {
        hash[..20] == self.l1_origin_check
    }

    /// The blocks after the safe head as singular batches, each epoch hash looked up in `l1_origins` (ordered by
    /// number; op-node `GetSingularBatches`). Parent hashes are left zero: the batch stream fills them in.
    pub fn singular_batches(
        &self,
        l1_origins: &[BlockInfo],
        safe_head: &L2BlockInfo,
    ) -> Result<Vec<SingleBatch>, BatchError> {
        let mut out = Vec::new();
        let mut origin_idx = 0;
        for block in &self.blocks {
            if block.timestamp <= safe_head.block_info.timestamp {
                continue;
            }
            if block.epoch_num < safe_head.l1_origin.number {
                return Err(BatchError::OriginBehindSafeHead { epoch: block.epoch_num });
            }
            let found = l1_origins[origin_idx..].iter().position(|o| o.number == block.epoch_num);
            let Some(offset) = found else { return Err(BatchError::MissingOrigin { epoch: block.epoch_num }) };
            origin_idx += offset;
            out.push(SingleBatch {
                parent_hash: B256::ZERO,
                epoch_num: block.epoch_num,
                epoch_hash: l1_origins[origin_idx].hash,
                timestamp: block.timestamp,
                transactions: block.transactions.clone(),
            });
        }
        Ok(out)
    }
}
