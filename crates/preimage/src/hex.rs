//! Minimal lower-case hex encoding and decoding (no dependencies).

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

/// Why a string is not valid hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HexError {
    /// Odd number of digits.
    OddLength(usize),
    /// A character that is not a hex digit, at this index.
    BadDigit(usize),
}

impl fmt::Display for HexError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HexError::OddLength(n) => write!(f, "odd number of hex digits ({n})"),
            HexError::BadDigit(i) => write!(f, "invalid hex digit at index {i}"),
        }
    }
}

impl core::error::Error for HexError {}

fn digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Decodes hex digits (either case, no prefix, no whitespace).
pub fn decode(s: &str) -> Result<Vec<u8>, HexError> {
    let b = s.as_bytes();
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

/// Decodes hex with an optional `0x` prefix.
pub fn decode_prefixed(s: &str) -> Result<Vec<u8>, HexError> {
    decode(s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")).unwrap_or(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let data = [0u8, 1, 0x7f, 0x80, 0xff];
        let s = encode(&data);
        assert_eq!(s, "00017f80ff");
        assert_eq!(decode(&s).unwrap(), data);
        assert_eq!(decode("ABcd").unwrap(), [0xab, 0xcd]);
        assert_eq!(decode_prefixed("0x0a").unwrap(), [10]);
        assert_eq!(decode("abc"), Err(HexError::OddLength(3)));
        assert_eq!(decode("0g"), Err(HexError::BadDigit(1)));
        assert_eq!(decode("é1"), Err(HexError::OddLength(3)));
        assert_eq!(alloc::format!("{}", Hex(&data)), s);
    }
}
