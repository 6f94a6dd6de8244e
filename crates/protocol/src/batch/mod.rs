//! Batches: the singular batch (type 0), the span batch (type 1), and the reader that walks them in a
//! decompressed channel.
//!
//! In a channel every batch is an RLP byte string holding `batch_type ‖ batch_data`.

mod bits;
mod single;
mod span;
mod span_tx;
mod varint;

pub use bits::SpanBatchBits;
pub use single::SingleBatch;
pub use span::{RawSpanBatch, SpanBatch, SpanBatchElement};
pub use span_tx::SpanBatchTransactions;

use crate::errors::BatchError;
use alloc::vec::Vec;
use alloy_rlp::{Decodable, Encodable, Header};

/// Bound on span batch block counts, per-block and total transaction counts and one tx_data's size
/// (op-node `MaxSpanBatchElementCount`).
pub const MAX_SPAN_BATCH_ELEMENTS: u64 = 10_000_000;

/// Batch type byte of a singular batch.
pub const SINGLE_BATCH_TYPE: u8 = 0;
/// Batch type byte of a span batch.
pub const SPAN_BATCH_TYPE: u8 = 1;

/// A batch as read from a channel: singular, or a span batch still in its wire form (deriving its blocks needs
/// the rollup config).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // batches are moved a handful of times per channel
pub enum Batch {
    /// Type 0.
    Single(SingleBatch),
    /// Type 1.
    Span(RawSpanBatch),
}

impl Batch {
    /// Decodes `batch_type ‖ batch_data` (op-node `BatchData.decodeTyped`); bytes after the batch are ignored as
    /// op-node ignores them.
    pub fn decode_typed(data: &[u8]) -> Result<Self, BatchError> {
        let (&ty, mut rest) = data.split_first().ok_or(BatchError::Empty)?;
        match ty {
            SINGLE_BATCH_TYPE => SingleBatch::decode(&mut rest).map(Self::Single).map_err(|_| BatchError::SingleRlp),
            SPAN_BATCH_TYPE => RawSpanBatch::decode(&mut rest).map(Self::Span),
            other => Err(BatchError::UnknownType(other)),
        }
    }

    /// `batch_type ‖ batch_data`.
    pub fn encode_typed(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self {
            Self::Single(b) => {
                out.push(SINGLE_BATCH_TYPE);
                b.encode(&mut out);
            }
            Self::Span(b) => {
                out.push(SPAN_BATCH_TYPE);
                b.encode(&mut out);
            }
        }
        out
    }

    /// The batch as it appears in a channel: an RLP string of [`Self::encode_typed`].
    pub fn encode_channel_item(&self, out: &mut Vec<u8>) {
        let typed = self.encode_typed();
        typed.as_slice().encode(out);
    }
}

/// Walks the batches of a decompressed channel. It stops at the first item that is not a well-formed batch:
/// op-node drops the rest of such a channel.
#[derive(Debug, Clone)]
pub struct BatchReader<'a> {
    data: &'a [u8],
    cursor: usize,
    failed: bool,
}

impl<'a> BatchReader<'a> {
    /// A reader over decompressed channel data.
    pub const fn new(data: &'a [u8]) -> Self {
        Self { data, cursor: 0, failed: false }
    }

    /// Bytes consumed by the batches read so far.
    pub const fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether every byte has been read.
    pub const fn is_done(&self) -> bool {
        self.failed || self.cursor == self.data.len()
    }
}

impl Iterator for BatchReader<'_> {
    type Item = Result<Batch, BatchError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.is_done() {
            return None;
        }
        let mut rest = &self.data[self.cursor..];
        let item = match Header::decode(&mut rest) {
            Ok(h) if h.list => Err(BatchError::ChannelItemNotString),
            Ok(h) if h.payload_length > rest.len() => Err(BatchError::Truncated("channel item")),
            Ok(h) => Ok(&rest[..h.payload_length]),
            Err(_) => Err(BatchError::Truncated("channel item")),
        };
        let result = item.and_then(|payload| {
            let batch = Batch::decode_typed(payload)?;
            self.cursor = self.data.len() - rest.len() + payload.len();
            Ok(batch)
        });
        if result.is_err() {
            self.failed = true;
        }
        Some(result)
    }
}
