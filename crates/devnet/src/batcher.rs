//! The batcher: encodes unsafe L2 blocks into channels with `rampart-protocol` (singular or span batches,
//! zlib or brotli), cuts them into frames and posts them to the batch inbox as calldata or EIP-4844 blob
//! transactions (real KZG commitments and proofs), and injects faults on request. Its decisions come from a
//! seeded RNG and the block sequence only, so one seed gives the same decisions.
//!
//! One channel is in flight at a time. A channel whose frames all landed makes its blocks safe (derivable from
//! L1 data); a faulty channel (a dropped frame, frames out of order, a channel left to time out, an invalid
//! batch) does not, and its blocks are posted again in a fresh channel, as op-batcher does after a timeout.

use crate::{
    archiver::{BlobArchive, BlockBlobs},
    blobs::{sidecar, ArchivedBlob},
    chain::{BlockRef, ChainParams},
    l1::L1Client,
    sequencer::L2Block,
    wallet::{Fees, Wallet},
    DevnetError, Result,
};
use alloy_primitives::{Bytes, TxKind, B256, U256};
use rampart_protocol::{
    encode_blob, encode_frames, Batch, ChannelCompression, ChannelOut, Frame, SingleBatch, SpanBatch,
    BLOB_MAX_DATA_SIZE, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use std::{sync::Arc, time::Duration};

/// Faults the batcher can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Fault {
    /// Leave one frame of the channel out.
    DropFrame,
    /// Post one frame twice.
    DuplicateFrame,
    /// Post the frames in the wrong order.
    ReorderFrames,
    /// Post the first frame only and let the channel time out.
    Timeout,
    /// Put a batch with a wrong parent hash in its own channel first.
    InvalidBatch,
}

impl std::str::FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s {
            "drop" => Self::DropFrame,
            "duplicate" => Self::DuplicateFrame,
            "reorder" => Self::ReorderFrames,
            "timeout" => Self::Timeout,
            "invalid-batch" => Self::InvalidBatch,
            _ => return Err(format!("unknown fault {s:?} (drop, duplicate, reorder, timeout, invalid-batch)")),
        })
    }
}

/// Batcher settings.
#[derive(Debug, Clone)]
pub struct BatcherConfig {
    /// Most L2 blocks per channel.
    pub max_blocks_per_channel: usize,
    /// Frame size target (wire bytes) for calldata frames.
    pub max_frame_size: usize,
    /// Faults to inject, each once, in this order, one per channel starting from the second channel.
    pub faults: Vec<Fault>,
}

impl Default for BatcherConfig {
    fn default() -> Self {
        Self { max_blocks_per_channel: 6, max_frame_size: 40_000, faults: Vec::new() }
    }
}

/// What happened to one channel (its decisions and where it landed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRecord {
    /// Channel id.
    pub id: [u8; 16],
    /// First and last L2 block numbers.
    pub blocks: (u64, u64),
    /// `span` or `singular`.
    pub batch_type: String,
    /// `zlib` or `brotli`.
    pub compression: String,
    /// `calldata` or `blob`.
    pub data: String,
    /// Number of frames made.
    pub frames: usize,
    /// Fault injected, if any.
    pub fault: Option<Fault>,
    /// L1 blocks the transactions landed in.
    pub l1_blocks: Vec<u64>,
}

/// The decisions for one channel, drawn from the seeded RNG before its blocks exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelPlan {
    /// Channel id.
    pub id: [u8; 16],
    /// L2 blocks in the channel (fewer only when flushing at the end).
    pub size: usize,
    /// One span batch (else one singular batch per block).
    pub span: bool,
    /// Brotli (else zlib).
    pub brotli: bool,
    /// Blob transaction(s) (else calldata).
    pub blobs: bool,
}

/// The sequence of channel plans of a seed: the batcher's decisions depend on nothing else.
#[derive(Debug, Clone)]
pub struct Planner {
    rng: ChaCha8Rng,
    max_blocks: usize,
}

impl Planner {
    /// The planner of `seed` with channels of 1..=`max_blocks` blocks.
    pub fn new(seed: u64, max_blocks: usize) -> Self {
        Self { rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0062_6174_6368_6572), max_blocks: max_blocks.max(1) }
    }

    /// The next channel's plan.
    pub fn next_plan(&mut self) -> ChannelPlan {
        let mut id = [0u8; 16];
        self.rng.fill(&mut id);
        ChannelPlan {
            id,
            size: self.rng.random_range(1..=self.max_blocks),
            span: self.rng.random_bool(0.5),
            brotli: self.rng.random_bool(0.5),
            blobs: self.rng.random_bool(0.5),
        }
    }
}

/// The batcher's state.
#[derive(Debug)]
pub struct Batcher {
    l1: Arc<L1Client>,
    wallet: Wallet,
    params: Arc<ChainParams>,
    archive: Arc<BlobArchive>,
    config: BatcherConfig,
    planner: Planner,
    plan: ChannelPlan,
    queue: Vec<L2Block>,
    faults_left: Vec<Fault>,
    /// Channels posted so far.
    pub channels: Vec<ChannelRecord>,
    /// Blobs posted so far.
    pub blobs_posted: usize,
}

/// L2 blocks made safe by one channel: the last one and the L1 block that completed the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SafeAdvance {
    /// The last L2 block of the channel.
    pub l2: BlockRef,
    /// The L1 block holding the channel's last frame.
    pub l1: BlockRef,
}

impl Batcher {
    /// A batcher posting with `wallet` (the SystemConfig's batcher).
    pub fn new(
        l1: Arc<L1Client>,
        wallet: Wallet,
        params: Arc<ChainParams>,
        archive: Arc<BlobArchive>,
        config: BatcherConfig,
        seed: u64,
    ) -> Self {
        let faults_left = config.faults.iter().rev().copied().collect();
        let mut planner = Planner::new(seed, config.max_blocks_per_channel);
        let plan = planner.next_plan();
        Self {
            l1,
            wallet,
            params,
            archive,
            config,
            planner,
            plan,
            queue: Vec::new(),
            faults_left,
            channels: Vec::new(),
            blobs_posted: 0,
        }
    }

    /// Queues a new unsafe block.
    pub fn push(&mut self, block: L2Block) {
        self.queue.push(block);
    }

    /// Blocks waiting to be batched.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Whether the next channel's blocks are all waiting (or `flush` and anything is waiting).
    pub fn ready(&self, flush: bool) -> bool {
        !self.queue.is_empty() && (flush || self.queue.len() >= self.plan.size)
    }

    fn single(b: &L2Block) -> SingleBatch {
        SingleBatch {
            parent_hash: b.parent_hash,
            epoch_num: b.l1_origin.number,
            epoch_hash: b.l1_origin.hash,
            timestamp: b.block.timestamp,
            transactions: b.batch_transactions(),
        }
    }

    fn channel_out(id: [u8; 16], brotli: bool, batches: &[Batch]) -> Result<(ChannelOut, String)> {
        let compression = if brotli { ChannelCompression::Brotli(10) } else { ChannelCompression::Zlib(9) };
        let mut ch = ChannelOut::new(id, compression, MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        for b in batches {
            ch.add_batch(b).map_err(|e| DevnetError::role("batcher", format!("channel: {e}")))?;
        }
        Ok((ch, if brotli { "brotli" } else { "zlib" }.to_string()))
    }

    /// Posts the next channel (up to `max_blocks_per_channel` queued blocks); returns the blocks it made safe.
    pub async fn post_next(&mut self) -> Result<Option<SafeAdvance>> {
        if self.queue.is_empty() {
            return Ok(None);
        }
        let plan = self.plan;
        self.plan = self.planner.next_plan();
        let n = self.queue.len().min(plan.size);
        let blocks: Vec<L2Block> = self.queue[..n].to_vec();
        let singles: Vec<SingleBatch> = blocks.iter().map(Self::single).collect();
        let span = plan.span;
        let batches = if span {
            let sb = SpanBatch::from_singles(&singles, blocks[0].seq_number)
                .and_then(|s| s.to_raw(self.params.genesis_l2.timestamp, self.params.l2_chain_id))
                .map_err(|e| DevnetError::role("batcher", format!("span batch: {e}")))?;
            vec![Batch::Span(sb)]
        } else {
            singles.iter().cloned().map(Batch::Single).collect()
        };
        let use_blobs = plan.blobs;
        let fault = if self.channels.is_empty() { None } else { self.faults_left.pop() };

        if fault == Some(Fault::InvalidBatch) {
            // A batch whose parent is not the safe head: derivation drops it and carries on.
            let mut bad = singles[0].clone();
            bad.parent_hash = B256::repeat_byte(0xba);
            let mut bad_id = plan.id;
            bad_id[0] ^= 0xff;
            let (ch, _) = Self::channel_out(bad_id, plan.brotli, &[Batch::Single(bad)])?;
            let frames =
                ch.frames(self.config.max_frame_size).map_err(|e| DevnetError::role("batcher", e.to_string()))?;
            self.post_frames(&frames, false).await?;
        }
        let (ch, compression) = Self::channel_out(plan.id, plan.brotli, &batches)?;
        let frame_size = if use_blobs { BLOB_MAX_DATA_SIZE - 1 } else { self.config.max_frame_size };
        let mut frames = ch.frames(frame_size).map_err(|e| DevnetError::role("batcher", e.to_string()))?;
        if matches!(fault, Some(Fault::DropFrame | Fault::ReorderFrames | Fault::Timeout)) && frames.len() < 2 {
            // These faults need two frames: split the data finer.
            let data = ch.compressed();
            let size =
                (data.len() / 2 + rampart_protocol::FRAME_OVERHEAD + 1).max(rampart_protocol::FRAME_OVERHEAD + 1);
            frames = rampart_protocol::split_frames(ch.id(), &data, size)
                .map_err(|e| DevnetError::role("batcher", e.to_string()))?;
        }
        let mut record = ChannelRecord {
            id: ch.id(),
            blocks: (blocks[0].block.number, blocks[n - 1].block.number),
            batch_type: if span { "span" } else { "singular" }.into(),
            compression,
            data: if use_blobs { "blob" } else { "calldata" }.into(),
            frames: frames.len(),
            fault,
            l1_blocks: Vec::new(),
        };
        let landed = match fault {
            Some(Fault::DropFrame) => {
                let mut f = frames.clone();
                f.remove(0);
                record.l1_blocks = self.post_frames(&f, use_blobs).await?;
                None
            }
            Some(Fault::ReorderFrames) => {
                let mut f = frames.clone();
                f.reverse();
                record.l1_blocks = self.post_frames(&f, use_blobs).await?;
                None
            }
            Some(Fault::Timeout) => {
                record.l1_blocks = self.post_frames(&frames[..1], use_blobs).await?;
                self.wait_l1_blocks(self.params.granite_channel_timeout + 1).await?;
                record.l1_blocks.extend(self.post_frames(&frames[1..], use_blobs).await?);
                None
            }
            Some(Fault::DuplicateFrame) => {
                let mut f = frames.clone();
                f.insert(1.min(f.len()), frames[0].clone());
                record.l1_blocks = self.post_frames(&f, use_blobs).await?;
                record.l1_blocks.last().copied()
            }
            Some(Fault::InvalidBatch) | None => {
                record.l1_blocks = self.post_frames(&frames, use_blobs).await?;
                record.l1_blocks.last().copied()
            }
        };
        tracing::info!(
            target: "devnet::batcher",
            channel = %alloy_primitives::hex::encode(record.id),
            blocks = format!("{}..={}", record.blocks.0, record.blocks.1),
            batch = record.batch_type.as_str(),
            compression = record.compression.as_str(),
            data = record.data.as_str(),
            frames = record.frames,
            fault = ?record.fault,
            l1 = ?record.l1_blocks,
            "posted channel"
        );
        self.channels.push(record);
        let Some(l1_number) = landed else { return Ok(None) };
        let l1 =
            self.l1.block(l1_number).await?.ok_or_else(|| DevnetError::role("batcher", "inclusion block vanished"))?;
        self.queue.drain(..n);
        Ok(Some(SafeAdvance {
            l2: blocks[n - 1].block,
            l1: BlockRef { number: l1_number, hash: l1.header.hash, timestamp: l1.header.timestamp },
        }))
    }

    async fn wait_l1_blocks(&self, count: u64) -> Result<()> {
        let start = self.l1.head_number().await?;
        while self.l1.head_number().await? < start + count {
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok(())
    }

    /// Posts frames: as calldata one transaction per frame, or as blobs one frame per blob (up to 6 blobs per
    /// transaction). Returns the L1 blocks the transactions landed in, in order.
    async fn post_frames(&mut self, frames: &[Frame], blobs: bool) -> Result<Vec<u64>> {
        let mut landed = Vec::new();
        let inbox = self.params.batch_inbox;
        let chain_id = self.l1.chain_id;
        if blobs {
            for group in frames.chunks(6) {
                let mut datas = Vec::new();
                for f in group {
                    let data = encode_frames([f]).map_err(|e| DevnetError::role("batcher", e.to_string()))?;
                    datas.push(encode_blob(&data).map_err(|e| DevnetError::role("batcher", format!("blob: {e}")))?);
                }
                let sc = sidecar(&datas)?;
                let (max_fee, tip, blob_fee) = self.l1.fees().await?;
                let fees = Fees { gas_limit: 100_000, max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip };
                let tx = self.wallet.eip4844(chain_id, inbox, Bytes::new(), fees, blob_fee, sc.network.clone());
                let receipt = self.send(&tx).await?;
                let number = receipt.0;
                // Index of our blobs in the block: count blobs of the transactions before ours.
                let block = self
                    .l1
                    .block(number)
                    .await?
                    .ok_or_else(|| DevnetError::role("batcher", "inclusion block vanished"))?;
                let mut first_index = 0u64;
                for t in block.transactions.txns() {
                    if *t.inner.tx_hash() == tx.hash {
                        break;
                    }
                    first_index += alloy_consensus::Transaction::blob_versioned_hashes(t).map_or(0, |h| h.len() as u64);
                }
                let archived = sc
                    .network
                    .blobs
                    .iter()
                    .zip(sc.network.commitments.iter().zip(sc.blob_proofs.iter()))
                    .enumerate()
                    .map(|(i, (b, (c, p)))| ArchivedBlob {
                        index: first_index + i as u64,
                        blob: Bytes::copy_from_slice(b.as_slice()),
                        kzg_commitment: *c,
                        kzg_proof: *p,
                    })
                    .collect();
                self.blobs_posted += group.len();
                self.archive
                    .insert(BlockBlobs {
                        number,
                        hash: block.header.hash,
                        timestamp: block.header.timestamp,
                        blobs: archived,
                    })
                    .await?;
                landed.push(number);
            }
        } else {
            for f in frames {
                let data = encode_frames([f]).map_err(|e| DevnetError::role("batcher", e.to_string()))?;
                let (max_fee, tip, _) = self.l1.fees().await?;
                let gas = 21_000 + 16 * data.len() as u64 + 10_000;
                let fees = Fees { gas_limit: gas * 2, max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip };
                let tx = self.wallet.eip1559(chain_id, TxKind::Call(inbox), U256::ZERO, data.into(), fees);
                landed.push(self.send(&tx).await?.0);
            }
        }
        Ok(landed)
    }

    async fn send(&mut self, tx: &crate::wallet::SignedTx) -> Result<(u64, B256)> {
        self.l1.send(tx).await.map_err(|e| DevnetError::role("batcher", format!("sending {}: {e}", tx.hash)))?;
        let r = self.l1.wait_receipt(tx.hash, Duration::from_secs(60)).await?;
        let n = r.block_number.ok_or_else(|| DevnetError::role("batcher", "receipt without block"))?;
        Ok((n, r.block_hash.unwrap_or_default()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_depend_on_the_seed_only() {
        let a: Vec<_> = {
            let mut p = Planner::new(9, 6);
            (0..200).map(|_| p.next_plan()).collect()
        };
        let b: Vec<_> = {
            let mut p = Planner::new(9, 6);
            (0..200).map(|_| p.next_plan()).collect()
        };
        let c: Vec<_> = {
            let mut p = Planner::new(10, 6);
            (0..200).map(|_| p.next_plan()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|p| (1..=6).contains(&p.size)));
        // Over 200 channels every choice is made both ways.
        for f in [|p: &ChannelPlan| p.span, |p: &ChannelPlan| p.brotli, |p: &ChannelPlan| p.blobs] {
            assert!(a.iter().any(f) && !a.iter().all(f));
        }
    }
}
