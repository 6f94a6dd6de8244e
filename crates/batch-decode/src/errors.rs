//! What can be wrong with batcher data, each naming where.

use rampart_protocol::{BatchError, ChannelError, CompressionError, FrameError};
use thiserror::Error;

/// Result of decoding.
pub type Result<T> = core::result::Result<T, DecodeError>;

/// The first thing wrong in the inputs.
#[derive(Debug, Error)]
pub enum DecodeError {
    /// The input file could not be read.
    #[error("{input}: {reason}")]
    Io {
        /// The input.
        input: String,
        /// Why.
        reason: String,
    },
    /// Not an EIP-2718 transaction, or its signature does not recover.
    #[error("{input}: not a signed transaction: {reason}")]
    Transaction {
        /// The input.
        input: String,
        /// Why.
        reason: String,
    },
    /// Not a version-0 blob.
    #[error("{input}: not a version-0 blob: {reason}")]
    Blob {
        /// The input.
        input: String,
        /// Why.
        reason: String,
    },
    /// The batcher data does not parse as frames (the error names the frame and the offset).
    #[error("{input}: {source}")]
    Frames {
        /// The input.
        input: String,
        /// What failed, where.
        source: FrameError,
    },
    /// A frame does not fit its channel.
    #[error("channel {channel}: frame {frame} (from {input}): {source}")]
    Channel {
        /// Channel id (hex).
        channel: String,
        /// The frame number.
        frame: u16,
        /// The input it came from.
        input: String,
        /// Why.
        source: ChannelError,
    },
    /// The channel's data does not decompress.
    #[error("channel {channel}: {source}")]
    Decompress {
        /// Channel id (hex) or the input's name.
        channel: String,
        /// Why.
        source: CompressionError,
    },
    /// The channel decompresses to more than the Fjord limit.
    #[error("channel {channel}: decompresses to more than {limit} bytes")]
    TooLarge {
        /// Channel id (hex) or the input's name.
        channel: String,
        /// The limit.
        limit: u64,
    },
    /// A batch of the channel does not decode.
    #[error("channel {channel}: batch {index} at offset {offset} of the decompressed data: {source}")]
    Batch {
        /// Channel id (hex) or the input's name.
        channel: String,
        /// Index of the batch in the channel.
        index: usize,
        /// Offset of the batch in the decompressed channel.
        offset: usize,
        /// Why.
        source: BatchError,
    },
}
