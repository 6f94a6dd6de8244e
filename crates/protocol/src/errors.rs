//! Typed errors of the decoders and encoders, one enum per format.

use thiserror::Error;

/// Why a frame or batcher transaction's data does not parse (op-node `frame.go` rules).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FrameError {
    /// The batcher transaction carries no data at all.
    #[error("batcher data is empty")]
    EmptyData,
    /// The first byte is not derivation version 0.
    #[error("unsupported derivation version {0}")]
    UnsupportedVersion(u8),
    /// The data ends inside a frame's fixed fields or its payload.
    #[error("frame {frame}: truncated at offset {offset} (need {needed} more bytes)")]
    Truncated {
        /// Index of the frame in the transaction.
        frame: usize,
        /// Byte offset (in the whole data, version byte included) where the missing field starts.
        offset: usize,
        /// How many bytes the field still needed.
        needed: usize,
    },
    /// `frame_data_length` exceeds [`crate::MAX_FRAME_LEN`].
    #[error("frame {frame}: frame_data_length {len} exceeds the maximum of 1000000")]
    TooLarge {
        /// Index of the frame in the transaction.
        frame: usize,
        /// The declared length.
        len: u32,
    },
    /// The `is_last` byte is neither 0 nor 1.
    #[error("frame {frame}: is_last byte {value} at offset {offset} is not 0 or 1")]
    InvalidIsLast {
        /// Index of the frame in the transaction.
        frame: usize,
        /// Byte offset of the `is_last` byte.
        offset: usize,
        /// The byte found.
        value: u8,
    },
    /// The version byte is followed by no frame.
    #[error("batcher data holds no frame")]
    NoFrames,
    /// An encoder was given a frame whose data is longer than [`crate::MAX_FRAME_LEN`].
    #[error("frame data of {0} bytes exceeds the maximum of 1000000")]
    EncodeTooLarge(usize),
}
