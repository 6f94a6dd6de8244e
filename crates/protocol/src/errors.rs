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

/// Why a channel's compressed data yields no output.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CompressionError {
    /// The channel holds no data.
    #[error("channel data is empty")]
    Empty,
    /// The first byte selects neither zlib nor brotli.
    #[error("unknown channel compression type byte {0:#04x}")]
    UnknownType(u8),
    /// A brotli channel before Fjord.
    #[error("brotli-compressed channel before Fjord")]
    BrotliBeforeFjord,
    /// The zlib header is invalid (method, window size, check bits or preset dictionary).
    #[error("invalid zlib header")]
    ZlibHeader,
    /// The zlib stream is corrupt before producing any output.
    #[error("corrupt zlib stream")]
    Zlib,
    /// The brotli stream is corrupt before producing any output.
    #[error("corrupt brotli stream")]
    Brotli,
}

/// Why a batch does not decode, encode or derive.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BatchError {
    /// The typed batch has no type byte.
    #[error("batch is empty")]
    Empty,
    /// The batch type byte is neither 0 nor 1.
    #[error("unknown batch type {0}")]
    UnknownType(u8),
    /// A channel item is an RLP list where a byte string is expected.
    #[error("channel item is an RLP list, not a byte string")]
    ChannelItemNotString,
    /// The singular batch's RLP is malformed.
    #[error("malformed singular batch RLP")]
    SingleRlp,
    /// The data ends inside the named field.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A varint does not fit in 64 bits.
    #[error("varint overflow in {0}")]
    VarintOverflow(&'static str),
    /// A bit list has bits set above its length.
    #[error("{0} has bits set above its length")]
    BitsOverflow(&'static str),
    /// A count exceeds `MAX_SPAN_BATCH_ELEMENTS`.
    #[error("span batch size limit reached")]
    TooBig,
    /// A span batch with no block.
    #[error("span batch has no blocks")]
    EmptySpanBatch,
    /// A span tx_data is an RLP string where a list is expected.
    #[error("span batch tx_data is not an RLP list")]
    TxDataNotList,
    /// A span tx_data's RLP does not match its type's fields.
    #[error("malformed span batch tx_data")]
    TxData,
    /// A transaction type span batches cannot carry.
    #[error("unsupported span batch transaction type {0}")]
    UnsupportedTxType(u8),
    /// An EIP-7702 transaction without a destination.
    #[error("set-code transaction without a to address")]
    SetCodeCreate,
    /// A transaction that does not decode as EIP-2718.
    #[error("transaction does not decode")]
    InvalidTx,
    /// A protected transaction for another chain.
    #[error("transaction chain id {got}, expected {expected}")]
    WrongChainId {
        /// The rollup's chain id.
        expected: u64,
        /// The transaction's.
        got: u64,
    },
    /// A span batch starting before L2 genesis.
    #[error("span batch timestamp before L2 genesis")]
    BeforeGenesis,
    /// A span batch block's L1 origin is older than the safe head's.
    #[error("span batch block epoch {epoch} is behind the safe head's L1 origin")]
    OriginBehindSafeHead {
        /// The block's epoch number.
        epoch: u64,
    },
    /// A span batch block's L1 origin is not among the known origins.
    #[error("no L1 origin known for span batch epoch {epoch}")]
    MissingOrigin {
        /// The block's epoch number.
        epoch: u64,
    },
}

/// Why blob data does not encode or decode (op-service `Blob.FromData` / `Blob.ToData`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlobError {
    /// The payload exceeds 130 044 bytes.
    #[error("{0} bytes do not fit in one blob (max 130044)")]
    TooLarge(usize),
    /// The blob is not 131 072 bytes.
    #[error("blob of {0} bytes, expected 131072")]
    WrongSize(usize),
    /// The encoding version byte is not 0.
    #[error("unsupported blob encoding version {0}")]
    Version(u8),
    /// The declared length exceeds 130 044.
    #[error("blob declares length {0} (max 130044)")]
    Length(usize),
    /// A field element has one of its top two bits set.
    #[error("field element {0} has its top bits set")]
    FieldElement(usize),
    /// Non-zero decoded bytes after the declared length.
    #[error("non-zero data at payload offset {0}, past the declared length")]
    TrailingData(usize),
    /// Non-zero bytes in the blob after the decoded rounds.
    #[error("non-zero byte at blob offset {0}, after the encoded data")]
    TrailingBlob(usize),
}

/// Why a frame does not join a channel, or a channel cannot be encoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChannelError {
    /// The frame belongs to another channel.
    #[error("frame belongs to another channel")]
    WrongChannel,
    /// A second closing frame.
    #[error("closing frame for an already closed channel")]
    AlreadyClosed,
    /// The frame number is already present.
    #[error("duplicate frame {0}")]
    Duplicate(u16),
    /// The frame number is at or past the closing frame's.
    #[error("frame {0} at or past the closing frame")]
    BeyondLast(u16),
    /// Holocene: the frame is not the next one.
    #[error("frame out of order: expected {expected}, got {got}")]
    OutOfOrder {
        /// The next frame number.
        expected: usize,
        /// The one received.
        got: u16,
    },
    /// The batch would take the channel past its decompressed size limit.
    #[error("channel full: {len} bytes exceed the limit of {max}")]
    Full {
        /// Size the channel would have.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The frame size leaves no room for data.
    #[error("frame size {0} leaves no room for data (overhead is 23 bytes)")]
    FrameSizeTooSmall(usize),
    /// More than 65 536 frames would be needed.
    #[error("channel needs {0} frames (max 65536)")]
    TooManyFrames(usize),
}

/// Why L1-info calldata does not decode (op-node `L1BlockInfoFromBytes`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum L1InfoError {
    /// Fewer than 4 bytes.
    #[error("L1-info calldata has no selector")]
    MissingSelector,
    /// The selector is none of the four formats'.
    #[error("unknown L1-info selector {0:02x?}")]
    UnknownSelector([u8; 4]),
    /// The selector is not the expected format's.
    #[error("L1-info calldata is not in the {format:?} format (selector {found:02x?})")]
    WrongSelector {
        /// The format the block's timestamp requires.
        format: crate::L1InfoFormat,
        /// The first four bytes, if there are four.
        found: Option<alloc::vec::Vec<u8>>,
    },
    /// The length is not the format's.
    #[error("{format:?} L1-info calldata must be {expected} bytes, got {found}")]
    Length {
        /// The format.
        format: crate::L1InfoFormat,
        /// Its length.
        expected: usize,
        /// The length found.
        found: usize,
    },
    /// An ABI word's padding is not zero.
    #[error("{format:?} L1-info calldata: {field} word has non-zero padding")]
    Padding {
        /// The format.
        format: crate::L1InfoFormat,
        /// The field.
        field: &'static str,
    },
}

/// Why a `TransactionDeposited` log does not decode (op-node `UnmarshalDepositLogEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DepositError {
    /// Not 4 topics.
    #[error("deposit log has {0} topics, expected 4")]
    TopicCount(usize),
    /// The first topic is not the deposit event's.
    #[error("log topic {0} is not TransactionDeposited")]
    WrongEvent(alloy_primitives::B256),
    /// Less than the 64-byte `bytes` header.
    #[error("deposit log data of {0} bytes is shorter than the 64-byte opaque data header")]
    ShortData(usize),
    /// Not whole 32-byte words.
    #[error("deposit log data of {0} bytes is not a multiple of 32")]
    UnalignedData(usize),
    /// The opaque data offset is not 32.
    #[error("opaque data offset {0} is not 32")]
    OpaqueOffset(alloy_primitives::U256),
    /// The opaque data length does not fit the data, or leaves a whole word of padding.
    #[error("invalid opaque data length {0}")]
    OpaqueLength(alloy_primitives::U256),
    /// The version topic is not 0.
    #[error("unknown deposit version {0}")]
    Version(alloy_primitives::B256),
    /// Opaque data shorter than mint, value, gas and is-creation (73 bytes).
    #[error("opaque data of {0} bytes is shorter than 73")]
    OpaqueTooShort(usize),
    /// A mint that does not fit a `u128`.
    #[error("mint {0} exceeds u128")]
    MintOverflow(alloy_primitives::U256),
}

/// Why a SystemConfig `ConfigUpdate` log does not decode (op-node `ProcessSystemConfigUpdateLogEvent`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigUpdateError {
    /// Not 3 topics.
    #[error("ConfigUpdate log has {0} topics, expected 3")]
    TopicCount(usize),
    /// The first topic is not the `ConfigUpdate` event's.
    #[error("log topic {0} is not ConfigUpdate")]
    WrongEvent(alloy_primitives::B256),
    /// The version topic is not 0.
    #[error("unknown ConfigUpdate version {0}")]
    Version(alloy_primitives::B256),
    /// The update type is none of 0..=7.
    #[error("unknown ConfigUpdate type {0}")]
    UnknownType(alloy_primitives::B256),
    /// The `bytes` pointer word is not 32.
    #[error("ConfigUpdate data: invalid pointer field")]
    Pointer,
    /// The `bytes` length word is not the type's payload length.
    #[error("ConfigUpdate data: invalid length field")]
    Length,
    /// The payload is cut short.
    #[error("ConfigUpdate data: payload truncated")]
    Truncated,
    /// Bytes after the payload.
    #[error("ConfigUpdate data: too many bytes")]
    TooManyBytes,
    /// A number or address word with non-zero padding.
    #[error("ConfigUpdate data: {0} word has non-zero padding")]
    Padding(&'static str),
    /// Exactly one of denominator and elasticity is zero.
    #[error("invalid EIP-1559 params: denominator {denominator}, elasticity {elasticity}")]
    Eip1559Params {
        /// The denominator.
        denominator: u32,
        /// The elasticity.
        elasticity: u32,
    },
}

/// Why bytes are not a super root encoding (`super-roots.md` §1.1: the union of kona's, Go's and the
/// contract's decoder rules, plus kona's u64 chain ids).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SuperRootError {
    /// No bytes at all.
    #[error("super root is empty")]
    Empty,
    /// The version byte is not 1.
    #[error("invalid super root version byte {0:#04x}")]
    InvalidVersion(u8),
    /// Fewer than 8 timestamp bytes follow the version byte.
    #[error("super root of {0} bytes ends inside the timestamp")]
    TruncatedTimestamp(usize),
    /// The chain entries are not whole 64-byte chunks (`(len − 9) % 64 ≠ 0`).
    #[error("super root of {0} bytes ends inside a chain entry")]
    PartialChain(usize),
    /// No chain entry (Go needs 73 bytes, the contract reverts `Encoding_EmptySuperRoot`; kona accepts it).
    #[error("super root has no chain")]
    NoChains,
    /// A chain id does not fit in a u64 (kona's guest would panic on it).
    #[error("chain id of entry {0} does not fit in 64 bits")]
    ChainIdTooLarge(usize),
}

/// Why bytes are not a pre-state (super root or transition state), or why a transition cannot be taken.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PreStateError {
    /// No bytes at all.
    #[error("pre-state is empty")]
    Empty,
    /// The first byte is neither the super root (1) nor the transition state (255) version.
    #[error("invalid version byte {0:#04x}")]
    InvalidVersion(u8),
    /// The super root (bare, or inside a transition state) is malformed.
    #[error("super root: {0}")]
    SuperRoot(#[from] SuperRootError),
    /// The transition state's RLP is malformed (wrong item types, non-canonical, truncated).
    #[error("transition state RLP: {0}")]
    Rlp(alloy_rlp::Error),
    /// Bytes follow the RLP list (or a list's declared payload is not consumed exactly).
    #[error("{0} trailing bytes after the transition state")]
    TrailingBytes(usize),
    /// `transition` of a transition state whose step is past 127 (`StateTransitionFailed`).
    #[error("transition state step {0} is past the last step 127")]
    StepOutOfRange(u64),
}

impl From<alloy_rlp::Error> for PreStateError {
    fn from(e: alloy_rlp::Error) -> Self {
        Self::Rlp(e)
    }
}
