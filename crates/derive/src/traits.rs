//! The traits between the pipeline and the world (providers) and between stages.
//!
//! All synchronous: a provider method answers or fails, it never yields. Provider errors convert into
//! [`PipelineErrorKind`], so a backend decides whether a failure is temporary (retry) or critical.

use crate::{errors::PipelineErrorKind, signal::Signal, PipelineResult};
use alloc::{boxed::Box, vec::Vec};
use alloy_consensus::{Header, Receipt, TxEnvelope};
use alloy_eips::eip4844::Blob;
use alloy_primitives::{Address, Bytes, B256};
use op_alloy_consensus::OpBlock;
use rampart_genesis::{RollupConfig, SystemConfig};
use rampart_protocol::{BlockInfo, L2BlockInfo};

/// L1 chain data by hash or number.
pub trait ChainProvider {
    /// The backend's error.
    type Error: Into<PipelineErrorKind> + core::fmt::Display;

    /// The header of the L1 block `hash`.
    fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error>;

    /// The L1 block at `number` (on the chain ending at the L1 head).
    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Self::Error>;

    /// The receipts of the L1 block `hash`, in order.
    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error>;

    /// The L1 block `hash` and its transactions, in order.
    fn block_info_and_transactions_by_hash(&mut self, hash: B256) -> Result<(BlockInfo, Vec<TxEnvelope>), Self::Error>;
}

/// L2 chain data batch validation and system-config lookups need.
pub trait L2ChainProvider {
    /// The backend's error.
    type Error: Into<PipelineErrorKind> + core::fmt::Display;

    /// The L2 block at `number` with its L1 origin and sequence number (from its L1-info deposit).
    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Self::Error>;

    /// The full L2 block at `number`.
    fn block_by_number(&mut self, number: u64) -> Result<OpBlock, Self::Error>;

    /// The system config in effect after the L2 block at `number`.
    fn system_config_by_number(&mut self, number: u64, cfg: &RollupConfig) -> Result<SystemConfig, Self::Error>;
}

/// A blob's position in its block and its versioned hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct IndexedBlobHash {
    /// Index of the blob among the block's blobs.
    pub index: u64,
    /// EIP-4844 versioned hash.
    pub hash: B256,
}

/// EIP-4844 blobs of an L1 block.
pub trait BlobProvider {
    /// The backend's error.
    type Error: Into<PipelineErrorKind> + core::fmt::Display;

    /// The blobs named by `hashes` in `block`, in the same order. Implementations return blobs whose KZG
    /// commitment hashes to the versioned hash; the blob source checks the hash again.
    fn get_and_validate_blobs(
        &mut self,
        block: &BlockInfo,
        hashes: &[IndexedBlobHash],
    ) -> Result<Vec<Box<Blob>>, Self::Error>;
}

/// Batcher data of L1 blocks: calldata or blobs, filtered by inbox and batcher.
pub trait DataAvailabilityProvider {
    /// The next batcher data item of `block` sent by `batcher`; [`crate::PipelineError::Eof`] when the block has
    /// no more.
    fn next(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<Bytes>;

    /// Drops what is buffered (on reset or when moving to another block).
    fn clear(&mut self);
}

/// A stage's current L1 origin.
pub trait OriginProvider {
    /// The L1 block the stage is reading at, if any.
    fn origin(&self) -> Option<BlockInfo>;
}

/// A stage that can move its origin to the next L1 block.
pub trait OriginAdvancer {
    /// Advances the origin of this stage (and those below).
    fn advance_origin(&mut self) -> PipelineResult<()>;
}

/// A stage that acts on driver signals and forwards them down.
pub trait SignalReceiver {
    /// Handles `signal`.
    fn signal(&mut self, signal: Signal) -> PipelineResult<()>;
}

/// What L1 retrieval reads from L1 traversal.
pub trait L1RetrievalProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next L1 block to read batcher data from, once per block; `None` when it was already handed out.
    fn next_l1_block(&mut self) -> PipelineResult<Option<BlockInfo>>;

    /// The batcher address of the current system config.
    fn batcher_addr(&self) -> Address;
}

/// What the frame queue reads from L1 retrieval.
pub trait FrameQueueProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next batcher data item.
    fn next_data(&mut self) -> PipelineResult<Bytes>;
}

/// What the channel stages read from the frame queue.
pub trait NextFrameProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next frame.
    fn next_frame(&mut self) -> PipelineResult<rampart_protocol::Frame>;
}

/// What the channel reader reads from the channel provider.
pub trait ChannelReaderProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next complete channel's compressed data; `Ok(None)` when progress was made but no channel is ready.
    fn next_data(&mut self) -> PipelineResult<Option<Bytes>>;
}

/// What the batch stream reads from the channel reader.
pub trait BatchStreamProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next batch of the current channel (span batches with their blocks derived).
    fn next_batch(&mut self) -> PipelineResult<crate::stages::StreamBatch>;

    /// Drops the current channel (Holocene `FlushChannel`, or an invalid span batch).
    fn flush(&mut self);
}

/// What the batch queue / validator read from the batch stream.
pub trait NextBatchProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next batch for the block after `parent`; `l1_origins` are the L1 blocks the stage above holds
    /// (span batch epochs are resolved against them).
    fn next_batch(
        &mut self,
        parent: L2BlockInfo,
        l1_origins: &[BlockInfo],
    ) -> PipelineResult<crate::stages::StreamBatch>;

    /// Drops buffered batches (Holocene `FlushChannel`).
    fn flush(&mut self);

    /// How many singular batches are still buffered from the current span batch.
    fn span_buffer_size(&self) -> usize;
}

/// What the attributes queue reads from the batch provider.
pub trait AttributesProvider: OriginProvider + OriginAdvancer + SignalReceiver {
    /// The next valid singular batch for the block after `parent` (possibly a deposit-only batch).
    fn next_batch(&mut self, parent: L2BlockInfo) -> PipelineResult<rampart_protocol::SingleBatch>;

    /// Whether the last batch returned was the last block of its span batch.
    fn is_last_in_span(&self) -> bool;
}
