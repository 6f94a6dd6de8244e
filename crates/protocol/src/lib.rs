#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod batch;
pub mod blob;
mod block;
pub mod channel;
pub mod compression;
pub mod deposit;
pub mod errors;
mod frame;
mod info;
pub mod interop;
pub mod predeploys;
pub mod system_config;
pub mod upgrades;

pub use batch::{Batch, BatchReader, RawSpanBatch, SingleBatch, SpanBatch, SpanBatchElement};
pub use blob::{decode_blob, encode_blob, BLOB_MAX_DATA_SIZE, BYTES_PER_BLOB};
pub use block::{BlockInfo, L2BlockInfo};
pub use channel::{split_frames, Channel, ChannelCompression, ChannelOut};
pub use compression::{
    decompress_channel, CompressionAlgo, Decompressed, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
pub use deposit::{decode_deposit_log, encode_deposit_log, user_deposits, DepositSource, DEPOSIT_EVENT_TOPIC};
pub use errors::{
    BatchError, BlobError, ChannelError, CompressionError, ConfigUpdateError, DepositError, FrameError, L1InfoError,
    PreStateError, SuperRootError,
};
pub use frame::{decode_frames, encode_frames, ChannelId, Frame, DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_LEN};
pub use info::{L1BlockInfo, L1InfoFormat, L1InfoTx, L1_INFO_GAS_PRE_REGOLITH, REGOLITH_SYSTEM_TX_GAS};
pub use interop::{
    ChainOutputRoot, OptimisticBlock, PreState, SuperRoot, SuperTracePoint, TransitionState, INVALID_TRANSITION,
    INVALID_TRANSITION_HASH, STEPS_PER_TIMESTAMP, SUPER_ROOT_VERSION, TRANSITION_STATE_MAX_STEPS,
    TRANSITION_STATE_VERSION,
};
pub use system_config::{is_valid_ecotone_scalar, SystemConfigUpdate, CONFIG_UPDATE_TOPIC};
pub use upgrades::{encoded_upgrade_transactions, upgrade_gas, upgrade_transactions, UpgradeFork};

/// EIP-2718 type byte of a deposit transaction.
pub const DEPOSIT_TX_TYPE: u8 = 0x7e;
