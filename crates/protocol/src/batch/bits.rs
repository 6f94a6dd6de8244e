//! The span batch bit list: `n` bits as a big-endian unsigned integer padded to `ceil(n / 8)` bytes, bit `i`
//! being the integer's bit `i` (op-node `decodeSpanBatchBits`).

use crate::errors::BatchError;
use alloc::{vec, vec::Vec};

/// A bit list of a known length.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SpanBatchBits {
    /// Big-endian bytes, `ceil(len / 8)` of them.
    bytes: Vec<u8>,
    /// Number of bits.
    len: usize,
}

impl SpanBatchBits {
    /// An all-zero list of `len` bits.
    pub fn zeros(len: usize) -> Self {
        Self { bytes: vec![0; len.div_ceil(8)], len }
    }

    /// A list holding `bits` in order.
    pub fn from_bools(bits: impl IntoIterator<Item = bool>) -> Self {
        let bits: Vec<bool> = bits.into_iter().collect();
        let mut out = Self::zeros(bits.len());
        for (i, b) in bits.into_iter().enumerate() {
            out.set(i, b);
        }
        out
    }

    /// Number of bits.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no bits.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Bit `i` (false past the end).
    pub fn get(&self, i: usize) -> bool {
        if i >= self.len {
            return false;
        }
        let byte = self.bytes[self.bytes.len() - 1 - i / 8];
        byte >> (i % 8) & 1 == 1
    }

    /// Sets bit `i`; ignores indices past the end.
    pub fn set(&mut self, i: usize, value: bool) {
        if i >= self.len {
            return;
        }
        let at = self.bytes.len() - 1 - i / 8;
        let mask = 1u8 << (i % 8);
        if value {
            self.bytes[at] |= mask;
        } else {
            self.bytes[at] &= !mask;
        }
    }

    /// Number of set bits.
    pub fn count_ones(&self) -> usize {
        self.bytes.iter().map(|b| b.count_ones() as usize).sum()
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads a list of `len` bits from the front of `buf`; the padding bits above `len` must be zero.
    pub fn decode(buf: &mut &[u8], len: usize, field: &'static str) -> Result<Self, BatchError> {
        let n = len.div_ceil(8);
        if buf.len() < n {
            return Err(BatchError::Truncated(field));
        }
        let (bytes, rest) = buf.split_at(n);
        if !len.is_multiple_of(8) && bytes[0] >> (len % 8) != 0 {
            return Err(BatchError::BitsOverflow(field));
        }
        *buf = rest;
        Ok(Self { bytes: bytes.to_vec(), len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_big_endian_integer() {
        let bits = SpanBatchBits::from_bools([true, false, false, false, false, false, false, false, true, true]);
        assert_eq!(bits.as_bytes(), &[0b11, 0b1]);
        assert!(bits.get(0) && bits.get(8) && bits.get(9) && !bits.get(1) && !bits.get(10));
        assert_eq!(bits.count_ones(), 3);
        let mut buf: &[u8] = &[0b11, 0b1, 0xee];
        assert_eq!(SpanBatchBits::decode(&mut buf, 10, "t").unwrap(), bits);
        assert_eq!(buf, &[0xee]);
        let mut over: &[u8] = &[0b111, 0];
        assert_eq!(SpanBatchBits::decode(&mut over, 10, "t"), Err(BatchError::BitsOverflow("t")));
        let mut short: &[u8] = &[0];
        assert_eq!(SpanBatchBits::decode(&mut short, 10, "t"), Err(BatchError::Truncated("t")));
        let mut none: &[u8] = &[];
        assert_eq!(SpanBatchBits::decode(&mut none, 0, "t").unwrap().len(), 0);
    }
}
