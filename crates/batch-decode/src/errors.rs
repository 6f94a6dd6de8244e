//! What can be wrong with batcher data, each naming where.

use rampart_protocol::{BatchError, CompressionError, FrameError};
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
    /// The blob's field elements are not canonical (each must be below the BLS12-381 modulus), so it has no
    /// KZG commitment.
    #[error("{input}: no KZG commitment: {reason}")]
    Kzg {
        /// The input.
        input: String,
        /// Why (c-kzg's answer).
        reason: String,
    },
    /// The blob's KZG commitment does not have the versioned hash it was given.
    #[error("{input}: KZG commitment {commitment} has versioned hash {computed}, but {source_name} gives {expected}")]
    VersionedHash {
        /// The blob input.
        input: String,
        /// The commitment computed from the blob.
        commitment: String,
        /// Its versioned hash.
        computed: String,
        /// The versioned hash given.
        expected: String,
        /// Who gave it (the blob transaction and index, the flag, the sidecar).
        source_name: String,
    },
    /// The blob's KZG commitment differs from the one its sidecar carries.
    #[error("{input}: KZG commitment {computed} of the blob differs from the sidecar's {sidecar}")]
    SidecarCommitment {
        /// The blob input.
        input: String,
        /// The commitment computed from the blob.
        computed: String,
        /// The sidecar's.
        sidecar: String,
    },
    /// The rollup config could not be read.
    #[error("rollup config {path}: {reason}")]
    RollupConfig {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// A sidecar file is not a beacon API blob-sidecar answer.
    #[error("{input}: not blob sidecars: {reason}")]
    Sidecars {
        /// The file.
        input: String,
        /// Why.
        reason: String,
    },
    /// The L1 node or beacon endpoint failed, or answered something inconsistent.
    #[error("{0}")]
    Rpc(String),
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
