//! The preimage line format of the `block-N.kv.gz` fixtures: one `0x<keccak256(value)> 0x<value>` per line.
//!
//! Limits come from what a fixture can legitimately hold: each value is a keccak256 preimage a fault proof may
//! need, and every such preimage must fit the `PreimageOracle`'s large-preimage proposal tree (at most
//! `MAX_LEAF_COUNT` = 2^16 − 1 leaves of 136 bytes), so a longer line is not a fixture line. A whole file is the
//! witness of one block: at a 60 M gas limit, even a block that spends all its gas on 2 600-gas cold account
//! accesses loading 24 KiB of code each needs about 0.55 GiB of preimages, which is 1.1 GiB of hex; the file
//! limit is twice that.

use crate::hex::{self, HexError};
use alloc::vec::Vec;

/// Longest keccak256 preimage the `PreimageOracle` accepts: `MAX_LEAF_COUNT` × 136 bytes
/// (`KECCAK_TREE_DEPTH` = 16).
pub const MAX_KECCAK_PREIMAGE_LEN: usize = ((1 << 16) - 1) * 136;
/// Longest fixture line: `0x` + 64 digits, a space, `0x` + the hex of the longest preimage, with some slack for
/// surrounding whitespace and a `\r\n` ending.
pub const MAX_LINE_LEN: usize = 2 + 64 + 1 + 2 + 2 * MAX_KECCAK_PREIMAGE_LEN + 64;
/// Largest decompressed fixture file (see the module docs).
pub const MAX_FILE_LEN: u64 = 9 << 28;

/// One fixture entry: the 32-byte key as written (keccak256 of the value) and the value.
pub type KvEntry = ([u8; 32], Vec<u8>);

/// Why a fixture line is malformed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KvLineError {
    /// Not exactly two whitespace-separated fields.
    #[error("expected `0x<key> 0x<value>`")]
    Fields,
    /// The key is not 32 bytes of hex.
    #[error("key: {0}")]
    Key(HexError),
    /// The value is not hex.
    #[error("value: {0}")]
    Value(HexError),
    /// The line is longer than any fixture line can be.
    #[error("line longer than {MAX_LINE_LEN} bytes (values are at most {MAX_KECCAK_PREIMAGE_LEN} bytes)")]
    TooLong,
    /// The line is not ASCII.
    #[error("not ASCII text")]
    NotAscii,
}

/// Parses one fixture line; `Ok(None)` for a blank line. Both fields may carry a `0x` prefix.
pub fn parse_line(line: &[u8]) -> Result<Option<KvEntry>, KvLineError> {
    if line.len() > MAX_LINE_LEN {
        return Err(KvLineError::TooLong);
    }
    let line = core::str::from_utf8(line).map_err(|_| KvLineError::NotAscii)?.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let mut fields = line.split_ascii_whitespace();
    let (Some(k), Some(v), None) = (fields.next(), fields.next(), fields.next()) else {
        return Err(KvLineError::Fields);
    };
    let key = hex::decode_fixed::<32>(k).map_err(KvLineError::Key)?;
    let value = hex::decode_prefixed(v).map_err(KvLineError::Value)?;
    Ok(Some((key, value)))
}

/// Why a fixture file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KvError {
    /// A malformed line (1-based number).
    #[error("line {line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: KvLineError,
    },
    /// Reading or decompressing failed (including passing [`MAX_FILE_LEN`]).
    #[cfg(feature = "std")]
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

#[cfg(feature = "std")]
pub use reader::{read_file, KvReader};

#[cfg(feature = "std")]
mod reader {
    use super::{parse_line, KvEntry, KvError, KvLineError, MAX_FILE_LEN, MAX_LINE_LEN};
    use crate::gz;
    use std::boxed::Box;
    use std::io::{BufRead, BufReader, Read};
    use std::path::Path;
    use std::vec::Vec;

    /// The entries of a fixture stream (gzip or plain), one line at a time with every limit enforced: memory
    /// stays at one line plus what the caller keeps.
    #[derive(Debug)]
    pub struct KvReader<R> {
        inner: R,
        line: usize,
        buf: Vec<u8>,
        done: bool,
    }

    impl<'a> KvReader<BufReader<gz::CappedReader<Box<dyn Read + 'a>>>> {
        /// Entries of `r`, decompressed if it starts with the gzip magic, capped at [`MAX_FILE_LEN`].
        pub fn new(r: impl Read + 'a) -> std::io::Result<Self> {
            let capped = gz::maybe_gunzip(BufReader::new(r), MAX_FILE_LEN, "a .kv preimage file")?;
            Ok(KvReader { inner: BufReader::new(capped), line: 0, buf: Vec::new(), done: false })
        }

        /// Entries of `r`, which must be gzip data (a `.kv.gz` file), capped at [`MAX_FILE_LEN`].
        pub fn gzip(r: impl Read + 'a) -> std::io::Result<Self> {
            let capped = gz::gunzip(BufReader::new(r), MAX_FILE_LEN, "a .kv.gz preimage file")?;
            Ok(KvReader { inner: BufReader::new(capped), line: 0, buf: Vec::new(), done: false })
        }

        /// Entries of the file at `path`: gzip when its name ends in `.gz`, plain text otherwise.
        pub fn open(path: &Path) -> std::io::Result<Self> {
            let f = std::fs::File::open(path)?;
            if path.extension().is_some_and(|e| e == "gz") {
                Self::gzip(f)
            } else {
                Self::new(f)
            }
        }
    }

    impl<R: BufRead> Iterator for KvReader<R> {
        type Item = Result<KvEntry, KvError>;

        fn next(&mut self) -> Option<Self::Item> {
            while !self.done {
                self.line += 1;
                self.buf.clear();
                let limit = MAX_LINE_LEN as u64 + 1;
                let n = match (&mut self.inner).take(limit).read_until(b'\n', &mut self.buf) {
                    Ok(n) => n,
                    Err(e) => {
                        self.done = true;
                        return Some(Err(KvError::Io(e)));
                    }
                };
                if n == 0 {
                    self.done = true;
                    break;
                }
                if self.buf.len() > MAX_LINE_LEN {
                    self.done = true;
                    return Some(Err(KvError::Line { line: self.line, reason: KvLineError::TooLong }));
                }
                match parse_line(&self.buf) {
                    Ok(None) => continue,
                    Ok(Some(kv)) => return Some(Ok(kv)),
                    Err(reason) => {
                        self.done = true;
                        return Some(Err(KvError::Line { line: self.line, reason }));
                    }
                }
            }
            None
        }
    }

    /// Every entry of a fixture file ([`KvReader::open`]), in file order; errors name the path.
    pub fn read_file(path: &Path) -> Result<Vec<KvEntry>, std::string::String> {
        let reader = KvReader::open(path).map_err(|e| std::format!("{}: {e}", path.display()))?;
        reader.collect::<Result<Vec<_>, _>>().map_err(|e| std::format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn lines() {
        let k = [0xab; 32];
        let line = format!("0x{} 0x0102\r\n", hex::encode(&k));
        assert_eq!(parse_line(line.as_bytes()), Ok(Some((k, [1u8, 2].to_vec()))));
        let bare = format!("  {}\t0102  ", hex::encode(&k));
        assert_eq!(parse_line(bare.as_bytes()), Ok(Some((k, [1u8, 2].to_vec()))));
        assert_eq!(parse_line(format!("0x{} 0x", hex::encode(&k)).as_bytes()), Ok(Some((k, Vec::new()))));
        assert_eq!(parse_line(b"   \n"), Ok(None));
        assert_eq!(parse_line(b"0x12 0x00"), Err(KvLineError::Key(HexError::WrongLength { expected: 32, got: 1 })));
        assert_eq!(parse_line(format!("0x{}", hex::encode(&k)).as_bytes()), Err(KvLineError::Fields));
        assert_eq!(parse_line(format!("0x{} 0x00 0x00", hex::encode(&k)).as_bytes()), Err(KvLineError::Fields));
        assert_eq!(
            parse_line(format!("0x{} 0x0", hex::encode(&k)).as_bytes()),
            Err(KvLineError::Value(HexError::OddLength(1)))
        );
        assert_eq!(parse_line(b"\xff\xfe"), Err(KvLineError::NotAscii));
        assert_eq!(parse_line(&alloc::vec![b'0'; MAX_LINE_LEN + 1]), Err(KvLineError::TooLong));
        assert_eq!(MAX_KECCAK_PREIMAGE_LEN, 8_912_760);
    }

    #[cfg(feature = "std")]
    #[test]
    fn reader_streams_and_stops_at_the_first_bad_line() {
        let k = hex::encode(&[1; 32]);
        let text = format!("0x{k} 0x01\n\n0x{k} 0x0203\nnope\n0x{k} 0x04\n");
        let got: Vec<_> = KvReader::new(text.as_bytes()).unwrap().collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap().1, [1]);
        assert_eq!(got[1].as_ref().unwrap().1, [2, 3]);
        assert!(matches!(got[2], Err(KvError::Line { line: 4, reason: KvLineError::Fields })));
    }

    /// A line that never ends (a gzip bomb of one character) fails at the line limit, having buffered at most
    /// one line.
    #[cfg(feature = "std")]
    #[test]
    fn endless_line_fails_at_the_line_limit() {
        let endless = std::io::repeat(b'a');
        let mut r = KvReader::new(endless).unwrap();
        assert!(matches!(r.next(), Some(Err(KvError::Line { line: 1, reason: KvLineError::TooLong }))));
        assert!(r.next().is_none());
    }
}
