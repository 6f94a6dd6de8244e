//! Lower-case hex encoding and decoding (no dependencies).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Display adapter printing bytes as lower-case hex without a prefix.
#[derive(Debug, Clone, Copy)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lower-case hex of `bytes`, no prefix.
pub fn encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// `0x` followed by the lower-case hex of `bytes`.
pub fn encode_prefixed(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    s.push_str("0x");
    s.push_str(&encode(bytes));
    s
}

/// Why a string is not valid hex.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HexError {
    /// Odd number of digits.
    #[error("odd number of hex digits ({0})")]
    OddLength(usize),
    /// A character that is not a hex digit, at this index.
    #[error("invalid hex digit at index {0}")]
    BadDigit(usize),
    /// Valid hex of the wrong length.
    #[error("expected {expected} bytes, got {got}")]
    WrongLength {
        /// Bytes wanted.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
}

const fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes hex digits given as bytes (either case, no prefix, no whitespace).
pub fn decode_bytes(b: &[u8]) -> Result<Vec<u8>, HexError> {
    if b.len() & 1 != 0 {
        return Err(HexError::OddLength(b.len()));
    }
    let mut out = Vec::with_capacity(b.len() / 2);
    for (i, pair) in b.chunks_exact(2).enumerate() {
        let hi = digit(pair[0]).ok_or(HexError::BadDigit(2 * i))?;
        let lo = digit(pair[1]).ok_or(HexError::BadDigit(2 * i + 1))?;
        out.push(hi << 4 | lo);
    }
    Ok(out)
}

/// Decodes hex digits (either case, no prefix, no whitespace).
pub fn decode(s: &str) -> Result<Vec<u8>, HexError> {
    decode_bytes(s.as_bytes())
}

/// `s` without a leading `0x` / `0X`.
pub fn strip_prefix(s: &str) -> &str {
    s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s)
}

/// Decodes hex with an optional `0x` prefix.
pub fn decode_prefixed(s: &str) -> Result<Vec<u8>, HexError> {
    decode(strip_prefix(s))
}

/// Decodes exactly `N` bytes of hex with an optional `0x` prefix (a 32-byte hash, a 20-byte address).
pub fn decode_fixed<const N: usize>(s: &str) -> Result<[u8; N], HexError> {
    let v = decode_prefixed(s)?;
    let got = v.len();
    v.try_into().map_err(|_| HexError::WrongLength { expected: N, got })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let data = [0u8, 1, 0x7f, 0x80, 0xff];
        let s = encode(&data);
        assert_eq!(s, "00017f80ff");
        assert_eq!(encode_prefixed(&data), "0x00017f80ff");
        assert_eq!(decode(&s).unwrap(), data);
        assert_eq!(decode("ABcd").unwrap(), [0xab, 0xcd]);
        assert_eq!(decode_prefixed("0x0a").unwrap(), [10]);
        assert_eq!(decode_prefixed("0X0a").unwrap(), [10]);
        assert_eq!(decode("abc"), Err(HexError::OddLength(3)));
        assert_eq!(decode("0g"), Err(HexError::BadDigit(1)));
        assert_eq!(decode("é1"), Err(HexError::OddLength(3)));
        assert_eq!(alloc::format!("{}", Hex(&data)), s);
        assert_eq!(decode_fixed::<2>("0xabcd"), Ok([0xab, 0xcd]));
        assert_eq!(decode_fixed::<3>("abcd"), Err(HexError::WrongLength { expected: 3, got: 2 }));
    }

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255u8).collect();
        assert_eq!(decode(&encode(&all)).unwrap(), all);
        assert_eq!(decode(&encode(&all).to_uppercase()).unwrap(), all);
    }
}
