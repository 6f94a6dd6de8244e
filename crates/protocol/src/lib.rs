#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod batch;
mod block;
pub mod compression;
pub mod errors;
mod frame;

pub use batch::{Batch, BatchReader, RawSpanBatch, SingleBatch, SpanBatch, SpanBatchElement};
pub use block::{BlockInfo, L2BlockInfo};
pub use compression::{
    decompress_channel, CompressionAlgo, Decompressed, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
pub use errors::{BatchError, CompressionError, FrameError};
pub use frame::{decode_frames, encode_frames, ChannelId, Frame, DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_LEN};

/// EIP-2718 type byte of a deposit transaction.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;
