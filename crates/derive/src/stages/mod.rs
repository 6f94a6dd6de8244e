//! The derivation stages.

use rampart_protocol::{SingleBatch, SpanBatch};

/// A batch as the batch stream hands it on: singular (read as such, or split from a span batch under
/// Holocene), or a whole span batch (pre-Holocene, validated by the batch queue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamBatch {
    /// A singular batch.
    Single(SingleBatch),
    /// A span batch with its blocks derived.
    Span(SpanBatch),
}

impl StreamBatch {
    /// Timestamp of the (first) block.
    pub fn timestamp(&self) -> u64 {
        match self {
            Self::Single(b) => b.timestamp,
            Self::Span(b) => b.timestamp(),
        }
    }
}

mod channel;
mod frame_queue;
mod l1_retrieval;
mod l1_traversal;

pub use channel::{
    ChannelAssembler, ChannelBank, ChannelProvider, MAX_CHANNEL_BANK_SIZE_BEDROCK, MAX_CHANNEL_BANK_SIZE_FJORD,
};
pub use frame_queue::FrameQueue;
pub use l1_retrieval::L1Retrieval;
pub use l1_traversal::L1Traversal;

mod batch_queue;
mod batch_stream;
mod channel_reader;

pub use batch_queue::{BatchProvider, BatchQueue, BatchValidator};
pub use batch_stream::BatchStream;
pub use channel_reader::ChannelReader;

mod attributes_queue;

pub use attributes_queue::{AttributesBuilder, AttributesQueue, OpAttributesWithParent, Pipeline, StepResult};
