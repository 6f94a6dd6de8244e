#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod batch;
pub mod blob;
mod block;
pub mod channel;
pub mod compression;
pub mod errors;
mod frame;

pub use batch::{Batch, BatchReader, RawSpanBatch, SingleBatch, SpanBatch, SpanBatchElement};
pub use blob::{decode_blob, encode_blob, BLOB_MAX_DATA_SIZE, BYTES_PER_BLOB};
pub use block::{BlockInfo, L2BlockInfo};
pub use channel::{split_frames, Channel, ChannelCompression, ChannelOut};
pub use compression::{
    decompress_channel, CompressionAlgo, Decompressed, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
pub use errors::{BatchError, BlobError, ChannelError, CompressionError, FrameError};
pub use frame::{decode_frames, encode_frames, ChannelId, Frame, DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_LEN};

/// EIP-2718 type byte of a deposit transaction.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;
