//! Pipeline errors, in the spec's three kinds: temporary (try again), reset (re-seed from the safe head),
//! critical (stop derivation).

use alloc::string::String;
use alloy_eips::BlockNumHash;
use alloy_primitives::B256;
use thiserror::Error;

/// Result of a pipeline step.
pub type PipelineResult<T> = Result<T, PipelineErrorKind>;

/// An error with its kind, which tells the driver what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PipelineErrorKind {
    /// Try the step again (more data may come, or an external lookup may succeed).
    #[error("temporary: {0}")]
    Temporary(#[source] PipelineError),
    /// Derivation cannot continue.
    #[error("critical: {0}")]
    Critical(#[source] PipelineError),
    /// The pipeline must be reset from the safe head.
    #[error("reset: {0}")]
    Reset(#[source] ResetError),
}

impl PipelineErrorKind {
    /// Whether this is [`PipelineError::Eof`] (the stage below has nothing more for now).
    pub const fn is_eof(&self) -> bool {
        matches!(self, Self::Temporary(PipelineError::Eof))
    }
}

/// What went wrong in a stage or provider.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PipelineError {
    /// The stage has no more data at the current origin.
    #[error("end of data at the current origin")]
    Eof,
    /// The stage made progress but needs another step to yield something.
    #[error("not enough data yet")]
    NotEnoughData,
    /// L1 data ran out at the L1 head: no further L1 block exists for the pipeline.
    #[error("end of L1 source")]
    EndOfSource,
    /// A stage has no origin yet (not reset).
    #[error("stage has no L1 origin")]
    MissingOrigin,
    /// The L1 origin a batch needs is not known to the stage.
    #[error("missing L1 origin block for the next batch")]
    MissingL1Origin,
    /// The channel provider has no channel yet.
    #[error("channel provider is empty")]
    ChannelProviderEmpty,
    /// The channel reader has no channel yet.
    #[error("channel reader is empty")]
    ChannelReaderEmpty,
    /// The batch queue holds nothing to return.
    #[error("batch queue is empty")]
    BatchQueueEmpty,
    /// A provider (L1, L2, blobs) failed.
    #[error("provider: {0}")]
    Provider(String),
    /// Blob data failed its checks.
    #[error("blob: {0}")]
    Blob(String),
    /// A `ConfigUpdate` log of the SystemConfig did not decode (the config must always be well formed).
    #[error("system config update: {0}")]
    SystemConfigUpdate(String),
    /// A `TransactionDeposited` log of the portal did not decode (deposits are never skipped).
    #[error("deposits: {0}")]
    Deposits(String),
    /// Attributes could not be built.
    #[error("attributes builder: {0}")]
    AttributesBuilder(String),
    /// A stage was used in a way its contract forbids.
    #[error("stage invariant: {0}")]
    Invariant(&'static str),
}

impl PipelineError {
    /// Wraps as a temporary error.
    pub const fn temp(self) -> PipelineErrorKind {
        PipelineErrorKind::Temporary(self)
    }

    /// Wraps as a critical error.
    pub const fn crit(self) -> PipelineErrorKind {
        PipelineErrorKind::Critical(self)
    }
}

/// Why the pipeline must be reset.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResetError {
    /// The next L1 block does not build on the current origin.
    #[error("L1 reorg: expected parent {expected}, got {got}")]
    ReorgDetected {
        /// Hash of the current origin.
        expected: B256,
        /// Parent hash of the block found.
        got: B256,
    },
    /// A batch's parent or origin contradicts the L2 chain (Holocene: reset instead of drop).
    #[error("L1 origin mismatch for the next L2 block")]
    L1OriginMismatch,
    /// Holocene activated: the stages switch to their Holocene versions.
    #[error("Holocene activation")]
    HoloceneActivation,
    /// The attributes builder was asked for a block in the parent's epoch number but another L1 block.
    #[error("epoch {} ({}) conflicts with the parent's L1 origin {} ({})", epoch.number, epoch.hash, l1_origin.number, l1_origin.hash)]
    EpochMismatch {
        /// The epoch asked for.
        epoch: BlockNumHash,
        /// The parent's L1 origin.
        l1_origin: BlockNumHash,
    },
    /// A new epoch whose L1 block does not build on the parent's L1 origin.
    #[error("epoch {} (parent {parent_hash}) does not follow the parent's L1 origin {} ({})", epoch.number, l1_origin.number, l1_origin.hash)]
    EpochNotNext {
        /// The epoch asked for.
        epoch: BlockNumHash,
        /// The parent's L1 origin.
        l1_origin: BlockNumHash,
        /// The epoch block's parent hash.
        parent_hash: B256,
    },
    /// The next L2 block would be older than its L1 origin.
    #[error("L2 time {next_l2_time} is before L1 origin {} at time {l1_time} (parent's origin {})", l1_block.number, l1_origin.number)]
    BrokenTimeInvariant {
        /// The parent's L1 origin.
        l1_origin: BlockNumHash,
        /// The next L2 block's timestamp.
        next_l2_time: u64,
        /// The epoch's L1 block.
        l1_block: BlockNumHash,
        /// Its timestamp.
        l1_time: u64,
    },
    /// A span batch's block count or range contradicts the L2 chain the pipeline knows.
    #[error("bad batch: {0}")]
    BadBatch(&'static str),
}

impl ResetError {
    /// Wraps as a reset.
    pub const fn reset(self) -> PipelineErrorKind {
        PipelineErrorKind::Reset(self)
    }
}
