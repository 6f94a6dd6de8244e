//! Channel compression: zlib (every fork) and brotli (channel version byte 1, from Fjord), with the bounded
//! decompression of the OP derivation spec ("Channel Format").
//!
//! Decompression never produces more than the fork's `MAX_RLP_BYTES_PER_CHANNEL`: the spec says a channel whose
//! decompressed data exceeds the limit proceeds as though it held only the first limit bytes, so a decompression
//! bomb stops there. A stream that is corrupt or cut short after some output keeps that output (the batches read
//! before the damage are valid, as op-node's streaming reader accepts them); one that yields nothing is an error.

use crate::errors::CompressionError;
use alloc::{boxed::Box, vec, vec::Vec};

/// Decompressed channel limit before Fjord (op-node `MaxRLPBytesPerChannel`).
pub const MAX_RLP_BYTES_PER_CHANNEL_BEDROCK: usize = 10_000_000;

/// Decompressed channel limit from Fjord (op-node `MaxRLPBytesPerChannelFjord`).
pub const MAX_RLP_BYTES_PER_CHANNEL_FJORD: usize = 100_000_000;

/// First byte of a brotli-compressed channel (op-node `ChannelVersionBrotli`).
pub const CHANNEL_VERSION_BROTLI: u8 = 1;

/// zlib compression method "deflate" (low nibble of the first byte).
const ZLIB_CM8: u8 = 8;
/// zlib compression method 15 (reserved): op-node routes it to the zlib reader, whose header check rejects it.
const ZLIB_CM15: u8 = 15;

/// The compression a channel uses, told by its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompressionAlgo {
    /// zlib (RFC 1950): first byte's low nibble 8 (or 15).
    Zlib,
    /// Channel version byte 1 followed by a brotli stream (Fjord and later).
    Brotli,
}

impl CompressionAlgo {
    /// Which algorithm the channel's first byte selects (op-node `BatchReader`).
    pub const fn detect(first: u8) -> Result<Self, CompressionError> {
        if first & 0x0f == ZLIB_CM8 || first & 0x0f == ZLIB_CM15 {
            Ok(Self::Zlib)
        } else if first == CHANNEL_VERSION_BROTLI {
            Ok(Self::Brotli)
        } else {
            Err(CompressionError::UnknownType(first))
        }
    }
}

/// The decompressed bytes of a channel and how they were compressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decompressed {
    /// Which compression the channel used.
    pub algo: CompressionAlgo,
    /// At most `limit` decompressed bytes.
    pub data: Vec<u8>,
    /// Whether the output stopped at the limit with more data left in the stream.
    pub truncated: bool,
}

/// Decompresses a channel's data, producing at most `limit` bytes. Brotli is rejected unless `fjord` is active
/// (at the L1 origin of the channel reader, as op-node decides it).
pub fn decompress_channel(data: &[u8], limit: usize, fjord: bool) -> Result<Decompressed, CompressionError> {
    let first = *data.first().ok_or(CompressionError::Empty)?;
    let algo = CompressionAlgo::detect(first)?;
    let (data, truncated) = match algo {
        CompressionAlgo::Zlib => inflate_zlib(data, limit)?,
        CompressionAlgo::Brotli => {
            if !fjord {
                return Err(CompressionError::BrotliBeforeFjord);
            }
            decompress_brotli(&data[1..], limit)?
        }
    };
    Ok(Decompressed { algo, data, truncated })
}

/// Checks a zlib header (RFC 1950 §2.2) as Go's `compress/zlib` does: method 8, window at most 32 KiB, the
/// check bits, and no preset dictionary.
pub fn check_zlib_header(data: &[u8]) -> Result<(), CompressionError> {
    let [cmf, flg, ..] = *data else { return Err(CompressionError::ZlibHeader) };
    let ok = cmf & 0x0f == ZLIB_CM8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0;
    if !ok || flg & 0x20 != 0 {
        return Err(CompressionError::ZlibHeader);
    }
    Ok(())
}

fn inflate_zlib(data: &[u8], limit: usize) -> Result<(Vec<u8>, bool), CompressionError> {
    use miniz_oxide::inflate::{
        core::{decompress, inflate_flags, DecompressorOxide},
        TINFLStatus,
    };
    check_zlib_header(data)?;
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32;
    let mut state = Box::<DecompressorOxide>::default();
    let mut out = vec![0u8; data.len().saturating_mul(4).clamp(1, limit.max(1)).min(limit)];
    let (mut input, mut out_pos) = (data, 0usize);
    loop {
        let (status, consumed, produced) = decompress(&mut state, input, &mut out, out_pos, flags);
        out_pos += produced;
        input = input.get(consumed..).unwrap_or_default();
        match status {
            TINFLStatus::Done => break,
            TINFLStatus::HasMoreOutput if out.len() >= limit => return Ok((out, true)),
            TINFLStatus::HasMoreOutput => {
                let grown = out.len().saturating_mul(2).min(limit);
                out.resize(grown, 0);
            }
            // Corrupt, cut short or a bad checksum: what was inflated before stays valid.
            _ if out_pos > 0 => break,
            _ => return Err(CompressionError::Zlib),
        }
    }
    out.truncate(out_pos);
    Ok((out, false))
}

/// Decompresses a raw brotli stream to at most `limit` bytes.
pub fn decompress_brotli(data: &[u8], limit: usize) -> Result<(Vec<u8>, bool), CompressionError> {
    use brotli::{BrotliDecompressStream, BrotliResult, BrotliState};
    let mut state = BrotliState::new(HeapAlloc, HeapAlloc, HeapAlloc);
    if limit == 0 {
        return Ok((Vec::new(), !data.is_empty()));
    }
    let mut out = vec![0u8; data.len().max(1024).min(limit)];
    let (mut avail_in, mut in_off, mut out_off, mut total) = (data.len(), 0usize, 0usize, 0usize);
    loop {
        let mut avail_out = out.len() - out_off;
        let result = BrotliDecompressStream(
            &mut avail_in,
            &mut in_off,
            data,
            &mut avail_out,
            &mut out_off,
            &mut out,
            &mut total,
            &mut state,
        );
        match result {
            BrotliResult::ResultSuccess => {
                out.truncate(out_off);
                return Ok((out, false));
            }
            // Output full: the stream may have more (NeedsMoreInput can be reported first when both run out).
            BrotliResult::NeedsMoreOutput | BrotliResult::NeedsMoreInput if avail_out == 0 => {
                if out.len() >= limit {
                    return Ok((out, true));
                }
                let grown = out.len().saturating_mul(2).min(limit);
                out.resize(grown, 0);
            }
            _ if out_off == 0 => return Err(CompressionError::Brotli),
            // Corrupt or cut short after some output: keep what was produced.
            _ => {
                out.truncate(out_off);
                return Ok((out, false));
            }
        }
    }
}

/// Compresses `data` as a zlib stream (what the batcher writes for a zlib channel).
pub fn compress_zlib(data: &[u8], level: u8) -> Vec<u8> {
    miniz_oxide::deflate::compress_to_vec_zlib(data, level.min(10))
}

/// Compresses `data` as a brotli channel: [`CHANNEL_VERSION_BROTLI`] followed by the brotli stream
/// (`quality` 0-11, window 2^`lgwin`, op-batcher uses 10 / 22 for "brotli-10").
#[cfg(feature = "std")]
pub fn compress_brotli(data: &[u8], quality: u32, lgwin: u32) -> Vec<u8> {
    let mut out = vec![CHANNEL_VERSION_BROTLI];
    let params =
        brotli::enc::BrotliEncoderParams { quality: quality as i32, lgwin: lgwin as i32, ..Default::default() };
    let mut input = data;
    // Writing into a Vec cannot fail.
    brotli::BrotliCompress(&mut input, &mut out, &params).expect("in-memory brotli compression");
    out
}

/// A plain heap allocator for the brotli decoder (works without `std`).
#[derive(Debug, Default, Clone, Copy)]
struct HeapAlloc;

/// A heap-allocated slice handed to the brotli decoder.
#[derive(Debug, Default)]
struct HeapSlice<T>(Box<[T]>);

impl<T> brotli::SliceWrapper<T> for HeapSlice<T> {
    fn slice(&self) -> &[T] {
        &self.0
    }
}

impl<T> brotli::SliceWrapperMut<T> for HeapSlice<T> {
    fn slice_mut(&mut self) -> &mut [T] {
        &mut self.0
    }
}

impl<T: Clone + Default> brotli::Allocator<T> for HeapAlloc {
    type AllocatedMemory = HeapSlice<T>;

    fn alloc_cell(&mut self, len: usize) -> HeapSlice<T> {
        HeapSlice(vec![T::default(); len].into_boxed_slice())
    }

    fn free_cell(&mut self, _data: HeapSlice<T>) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 % 251) as u8).collect()
    }

    #[test]
    fn zlib_round_trip_and_limit() {
        let data = sample(50_000);
        let z = compress_zlib(&data, 9);
        let d = decompress_channel(&z, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, false).unwrap();
        assert_eq!((d.algo, d.truncated), (CompressionAlgo::Zlib, false));
        assert!(d.data == data);
        let cut = decompress_channel(&z, 1000, false).unwrap();
        assert!(cut.truncated);
        assert!(cut.data == data[..1000]);
    }

    #[test]
    fn zlib_bomb_stops_at_limit() {
        // 20 MB of zeros compresses to about 20 KB; decompression must stop at the Bedrock limit.
        let zeros = vec![0u8; 20_000_000];
        let z = compress_zlib(&zeros, 9);
        let d = decompress_channel(&z, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, false).unwrap();
        assert!(d.truncated);
        assert_eq!(d.data.len(), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
    }

    #[test]
    fn zlib_header_rules() {
        assert_eq!(check_zlib_header(&[0x78, 0x9c]), Ok(()));
        assert_eq!(check_zlib_header(&[0x78, 0xda]), Ok(()));
        assert_eq!(check_zlib_header(&[0x78, 0x9d]), Err(CompressionError::ZlibHeader)); // check bits
        assert_eq!(check_zlib_header(&[0x88, 0x98]), Err(CompressionError::ZlibHeader)); // window 2^16
        assert_eq!(check_zlib_header(&[0x78, 0xbb]), Err(CompressionError::ZlibHeader)); // preset dictionary
        assert_eq!(check_zlib_header(&[0x7f, 0x9c]), Err(CompressionError::ZlibHeader)); // CM 15
        assert_eq!(decompress_channel(&[0x7f, 0x00], 100, true), Err(CompressionError::ZlibHeader));
        assert_eq!(decompress_channel(&[], 100, true), Err(CompressionError::Empty));
        assert_eq!(decompress_channel(&[2, 0], 100, true), Err(CompressionError::UnknownType(2)));
    }

    #[test]
    fn zlib_cut_short_keeps_output() {
        let data = sample(100_000);
        let z = compress_zlib(&data, 1);
        let d = decompress_channel(&z[..z.len() / 2], usize::MAX, false).unwrap();
        assert!(!d.data.is_empty() && d.data.len() < data.len());
        assert!(d.data == data[..d.data.len()], "partial output is a prefix");
        assert_eq!(decompress_channel(&z[..2], usize::MAX, false).map(|d| d.data), Err(CompressionError::Zlib));
    }

    #[test]
    fn brotli_round_trip_fork_gate_and_limit() {
        let data = sample(300_000);
        let b = compress_brotli(&data, 10, 22);
        assert_eq!(b[0], CHANNEL_VERSION_BROTLI);
        assert_eq!(
            decompress_channel(&b, MAX_RLP_BYTES_PER_CHANNEL_FJORD, false),
            Err(CompressionError::BrotliBeforeFjord)
        );
        let d = decompress_channel(&b, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true).unwrap();
        assert_eq!((d.algo, d.truncated), (CompressionAlgo::Brotli, false));
        assert!(d.data == data);
        for limit in [1, 1023, 1024, 4097, 299_999] {
            let cut = decompress_channel(&b, limit, true).unwrap();
            assert!(cut.truncated, "limit {limit}");
            assert!(cut.data == data[..limit], "limit {limit}");
        }
        assert!(!decompress_channel(&b, 300_000, true).unwrap().truncated);
    }

    #[test]
    fn brotli_bomb_stops_at_limit() {
        let zeros = vec![0u8; 120_000_000];
        let b = compress_brotli(&zeros, 5, 22);
        let d = decompress_channel(&b, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true).unwrap();
        assert!(d.truncated);
        assert_eq!(d.data.len(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    }

    #[test]
    fn brotli_garbage_is_an_error() {
        let empty = compress_brotli(&[], 10, 22);
        assert_eq!(decompress_channel(&empty, 100, true).unwrap().data, Vec::<u8>::new());
        assert_eq!(decompress_channel(&[1, 0xff, 0xff, 0xff], 100, true), Err(CompressionError::Brotli));
        assert_eq!(decompress_channel(&[1], 100, true), Err(CompressionError::Brotli));
    }
}
