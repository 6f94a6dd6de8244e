//! Batch validity rules (OP derivation spec "Batch Queue"; op-node `batches.go`): singular batches, span batch
//! prefixes, the per-block span rules before Holocene and the overlap check against the L2 chain.

use crate::traits::L2ChainProvider;
use alloy_eips::eip2718::Encodable2718;
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo, SingleBatch, SpanBatch, DEPOSIT_TX_TYPE};

/// EIP-2718 type of a set-code (EIP-7702) transaction: batches may carry it from Isthmus on.
const SET_CODE_TX_TYPE: u8 = 4;

/// What to do with a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchValidity {
    /// Invalid: drop it.
    Drop,
    /// Valid: use it for the next block.
    Accept,
    /// Not decidable yet (more L1 data or an L2 lookup needed).
    Undecided,
    /// For a later block: keep it (before Holocene).
    Future,
    /// For an earlier block (Holocene): drop it without flushing.
    Past,
}

fn check_sequencer_txs<'a>(
    cfg: &RollupConfig,
    timestamp: u64,
    txs: impl IntoIterator<Item = &'a [u8]>,
) -> BatchValidity {
    let isthmus = cfg.is_isthmus_active(timestamp);
    for tx in txs {
        match tx.first() {
            None | Some(&DEPOSIT_TX_TYPE) => return BatchValidity::Drop,
            Some(&SET_CODE_TX_TYPE) if !isthmus => return BatchValidity::Drop,
            _ => {}
        }
    }
    BatchValidity::Accept
}

/// Validates a singular batch for the block after `safe_head`; `l1_blocks` starts at the safe head's epoch and
/// `inclusion` is the L1 block the batch was read in (op-node `checkSingularBatch`).
pub fn check_singular_batch(
    cfg: &RollupConfig,
    l1_blocks: &[BlockInfo],
    safe_head: &L2BlockInfo,
    batch: &SingleBatch,
    inclusion: &BlockInfo,
) -> BatchValidity {
    let Some(epoch) = l1_blocks.first() else { return BatchValidity::Undecided };
    let next_timestamp = safe_head.block_info.timestamp + cfg.block_time;
    let holocene = cfg.is_holocene_active(inclusion.timestamp);
    if batch.timestamp > next_timestamp {
        return if holocene { BatchValidity::Drop } else { BatchValidity::Future };
    }
    if batch.timestamp < next_timestamp {
        return if holocene { BatchValidity::Past } else { BatchValidity::Drop };
    }
    if batch.parent_hash != safe_head.block_info.hash {
        return BatchValidity::Drop;
    }
    if batch.epoch_num + cfg.seq_window_size < inclusion.number {
        return BatchValidity::Drop;
    }
    let origin = if batch.epoch_num < epoch.number {
        return BatchValidity::Drop;
    } else if batch.epoch_num == epoch.number {
        *epoch
    } else if batch.epoch_num == epoch.number + 1 {
        let Some(next) = l1_blocks.get(1) else { return BatchValidity::Undecided };
        *next
    } else {
        return BatchValidity::Drop;
    };
    if batch.epoch_hash != origin.hash || batch.timestamp < origin.timestamp {
        return BatchValidity::Drop;
    }
    // The first block of Jovian, Karst and Interop (Lagoon) carries only the upgrade transactions.
    let activation = cfg.is_jovian_activation_block(batch.timestamp)
        || cfg.is_karst_activation_block(batch.timestamp)
        || cfg.is_lagoon_activation_block(batch.timestamp);
    if activation && !batch.transactions.is_empty() {
        return BatchValidity::Drop;
    }
    let max = origin.timestamp + cfg.max_sequencer_drift(origin.timestamp);
    if batch.timestamp > max {
        if !batch.transactions.is_empty() {
            return BatchValidity::Drop;
        }
        // An empty batch past the drift is valid only while the next origin cannot be adopted.
        if epoch.number == origin.number {
            let Some(next) = l1_blocks.get(1) else { return BatchValidity::Undecided };
            if batch.timestamp >= next.timestamp {
                return BatchValidity::Drop;
            }
        }
    }
    check_sequencer_txs(cfg, batch.timestamp, batch.transactions.iter().map(|t| t.as_ref()))
}

/// The span batch checks shared by both forks (op-node `checkSpanBatchPrefix`); returns the L2 block the span
/// builds on.
pub fn check_span_batch_prefix<L: L2ChainProvider>(
    cfg: &RollupConfig,
    l1_blocks: &[BlockInfo],
    safe_head: &L2BlockInfo,
    batch: &SpanBatch,
    inclusion: &BlockInfo,
    l2: &mut L,
) -> (BatchValidity, Option<L2BlockInfo>) {
    use BatchValidity::*;
    let Some(epoch) = l1_blocks.first() else { return (Undecided, None) };
    let start_epoch = batch.starting_epoch_num();
    let origin = if start_epoch == epoch.number + 1 {
        let Some(next) = l1_blocks.get(1) else { return (Undecided, None) };
        *next
    } else {
        *epoch
    };
    if !cfg.is_delta_active(origin.timestamp) {
        return (Drop, None);
    }
    let holocene = cfg.is_holocene_active(inclusion.timestamp);
    let next_timestamp = safe_head.block_info.timestamp + cfg.block_time;
    if batch.timestamp() > next_timestamp {
        return (if holocene { Drop } else { Future }, None);
    }
    if batch.final_timestamp() < next_timestamp {
        return (if holocene { Past } else { Drop }, None);
    }
    let mut parent = *safe_head;
    if batch.timestamp() < next_timestamp {
        if batch.timestamp() > safe_head.block_info.timestamp {
            return (Drop, None);
        }
        let behind = safe_head.block_info.timestamp - batch.timestamp();
        if cfg.block_time == 0 || !behind.is_multiple_of(cfg.block_time) {
            return (Drop, None);
        }
        let Some(parent_num) = safe_head.block_info.number.checked_sub(behind / cfg.block_time + 1) else {
            return (Drop, None);
        };
        match l2.l2_block_info_by_number(parent_num) {
            Ok(p) => parent = p,
            Err(_) => return (Undecided, None),
        }
    }
    if !batch.check_parent_hash(parent.block_info.hash) {
        return (Drop, Some(parent));
    }
    if start_epoch + cfg.seq_window_size < inclusion.number {
        return (Drop, Some(parent));
    }
    if start_epoch > parent.l1_origin.number + 1 {
        return (Drop, Some(parent));
    }
    let end_epoch = batch.final_epoch_num();
    match l1_blocks.iter().find(|b| b.number == end_epoch) {
        Some(b) if !batch.check_origin_hash(b.hash) => return (Drop, Some(parent)),
        Some(_) => {}
        None => return (Undecided, Some(parent)),
    }
    if start_epoch < parent.l1_origin.number {
        return (Drop, Some(parent));
    }
    (Accept, Some(parent))
}

/// The blocks a span batch shares with the L2 chain up to the safe head must match it: same non-deposit
/// transactions, same epoch (op-node `checkSpanBatchOverlap`).
pub fn check_span_batch_overlap<L: L2ChainProvider>(
    batch: &SpanBatch,
    parent: &L2BlockInfo,
    safe_head: &L2BlockInfo,
    l2: &mut L,
) -> BatchValidity {
    let parent_num = parent.block_info.number;
    for i in 0..safe_head.block_info.number.saturating_sub(parent_num) {
        let number = parent_num + i + 1;
        let Some(element) = batch.blocks.get(i as usize) else { return BatchValidity::Drop };
        let Ok(block) = l2.block_by_number(number) else { return BatchValidity::Undecided };
        let txs: alloc::vec::Vec<_> = block
            .body
            .transactions
            .iter()
            .map(|t| t.encoded_2718())
            .filter(|t| t.first() != Some(&DEPOSIT_TX_TYPE))
            .collect();
        if txs.len() != element.transactions.len() || txs.iter().zip(&element.transactions).any(|(a, b)| a[..] != b[..])
        {
            return BatchValidity::Drop;
        }
        let Ok(info) = l2.l2_block_info_by_number(number) else { return BatchValidity::Drop };
        if info.l1_origin.number != element.epoch_num {
            return BatchValidity::Drop;
        }
    }
    BatchValidity::Accept
}

/// Pre-Holocene span batch validation: the prefix, then every block after the safe head (op-node
/// `checkSpanBatch`).
pub fn check_span_batch<L: L2ChainProvider>(
    cfg: &RollupConfig,
    l1_blocks: &[BlockInfo],
    safe_head: &L2BlockInfo,
    batch: &SpanBatch,
    inclusion: &BlockInfo,
    l2: &mut L,
) -> BatchValidity {
    use BatchValidity::*;
    let (validity, parent) = check_span_batch_prefix(cfg, l1_blocks, safe_head, batch, inclusion, l2);
    if validity != Accept {
        return validity;
    }
    let parent = parent.expect("accepted prefix has a parent");
    let start_epoch = batch.starting_epoch_num();
    let mut origin_idx = 0;
    let mut origin_advanced = start_epoch == parent.l1_origin.number + 1;
    for (i, block) in batch.blocks.iter().enumerate() {
        if block.timestamp <= safe_head.block_info.timestamp {
            continue;
        }
        if block.epoch_num < safe_head.l1_origin.number {
            return Drop;
        }
        let Some(offset) = l1_blocks[origin_idx..].iter().position(|b| b.number == block.epoch_num) else {
            return Drop;
        };
        origin_idx += offset;
        let origin = l1_blocks[origin_idx];
        if i > 0 {
            origin_advanced = block.epoch_num > batch.blocks[i - 1].epoch_num;
        }
        if block.timestamp < origin.timestamp {
            return Drop;
        }
        if block.timestamp > origin.timestamp + cfg.max_sequencer_drift(origin.timestamp) {
            if !block.transactions.is_empty() {
                return Drop;
            }
            if !origin_advanced {
                let Some(next) = l1_blocks.get(origin_idx + 1) else { return Undecided };
                if block.timestamp >= next.timestamp {
                    return Drop;
                }
            }
        }
        let v = check_sequencer_txs(cfg, block.timestamp, block.transactions.iter().map(|t| t.as_ref()));
        if v != Accept {
            return v;
        }
    }
    if batch.timestamp() < safe_head.block_info.timestamp + cfg.block_time {
        let v = check_span_batch_overlap(batch, &parent, safe_head, l2);
        if v != Accept {
            return v;
        }
    }
    Accept
}

/// Holocene span batch validation: the prefix and the overlap (per-block rules run on the singular batches).
pub fn check_span_batch_holocene<L: L2ChainProvider>(
    cfg: &RollupConfig,
    l1_blocks: &[BlockInfo],
    safe_head: &L2BlockInfo,
    batch: &SpanBatch,
    inclusion: &BlockInfo,
    l2: &mut L,
) -> BatchValidity {
    let (validity, parent) = check_span_batch_prefix(cfg, l1_blocks, safe_head, batch, inclusion, l2);
    match (validity, parent) {
        (BatchValidity::Accept, Some(parent)) => check_span_batch_overlap(batch, &parent, safe_head, l2),
        (v, _) => v,
    }
}
