//! Hints: `"<type> 0x<hex data>"` strings the client sends to let an online host prefetch preimages.

use crate::hex::{self, HexError};
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// Largest hint (in bytes, without the length prefix) a server accepts.
pub const MAX_HINT_LEN: usize = 16 << 20;

/// A decoded hint: its type (e.g. `l2-state-node`) and its data.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hint {
    /// Hint type, e.g. `l1-block-header`.
    pub kind: String,
    /// Hint payload (hex-encoded on the wire).
    pub data: Vec<u8>,
}

/// Why a hint could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HintError {
    /// The hint bytes are not UTF-8.
    NotUtf8,
    /// No space separating type and data.
    MissingData,
    /// The type is empty.
    EmptyKind,
    /// The data is not hex.
    BadHex(HexError),
    /// The hint is longer than [`MAX_HINT_LEN`].
    TooLong(usize),
}

impl fmt::Display for HintError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HintError::NotUtf8 => f.write_str("hint is not UTF-8"),
            HintError::MissingData => f.write_str("hint has no data (expected \"<type> 0x<hex>\")"),
            HintError::EmptyKind => f.write_str("hint has an empty type"),
            HintError::BadHex(e) => write!(f, "hint data is not hex: {e}"),
            HintError::TooLong(n) => write!(f, "hint of {n} bytes exceeds the {MAX_HINT_LEN}-byte limit"),
        }
    }
}

impl core::error::Error for HintError {}

impl Hint {
    /// A hint of type `kind` carrying `data`.
    pub fn new(kind: impl Into<String>, data: impl Into<Vec<u8>>) -> Self {
        Hint { kind: kind.into(), data: data.into() }
    }

    /// The wire text `"<kind> 0x<hex>"`.
    pub fn encode(&self) -> String {
        let mut s = String::with_capacity(self.kind.len() + 3 + 2 * self.data.len());
        s.push_str(&self.kind);
        s.push_str(" 0x");
        s.push_str(&hex::encode(&self.data));
        s
    }

    /// Parses the wire text `"<kind> 0x<hex>"` (the `0x` is optional).
    pub fn parse(s: &str) -> Result<Self, HintError> {
        let (kind, data) = s.split_once(' ').ok_or(HintError::MissingData)?;
        if kind.is_empty() {
            return Err(HintError::EmptyKind);
        }
        let data = hex::decode_prefixed(data.trim()).map_err(HintError::BadHex)?;
        Ok(Hint { kind: kind.into(), data })
    }

    /// Parses hint bytes as received from the wire (UTF-8 text).
    pub fn decode(bytes: &[u8]) -> Result<Self, HintError> {
        if bytes.len() > MAX_HINT_LEN {
            return Err(HintError::TooLong(bytes.len()));
        }
        Hint::parse(core::str::from_utf8(bytes).map_err(|_| HintError::NotUtf8)?)
    }

    /// The framed hint: `u32` BE length ‖ text.
    pub fn frame(&self) -> Vec<u8> {
        let text = self.encode();
        let mut out = Vec::with_capacity(4 + text.len());
        out.extend_from_slice(&(text.len() as u32).to_be_bytes());
        out.extend_from_slice(text.as_bytes());
        out
    }
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} 0x{}", self.kind, hex::Hex(&self.data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_parse_frame() {
        let h = Hint::new("l2-state-node", alloc::vec![0xde, 0xad]);
        assert_eq!(h.encode(), "l2-state-node 0xdead");
        assert_eq!(alloc::format!("{h}"), h.encode());
        assert_eq!(Hint::parse("l2-state-node 0xdead").unwrap(), h);
        assert_eq!(Hint::parse("l2-state-node dead").unwrap(), h);
        let f = h.frame();
        assert_eq!(&f[..4], &20u32.to_be_bytes());
        assert_eq!(Hint::decode(&f[4..]).unwrap(), h);
        assert_eq!(Hint::parse("x 0x").unwrap(), Hint::new("x", alloc::vec![]));
    }

    #[test]
    fn bad_hints() {
        assert_eq!(Hint::parse("nodata"), Err(HintError::MissingData));
        assert_eq!(Hint::parse(" 0x00"), Err(HintError::EmptyKind));
        assert!(matches!(Hint::parse("k 0xzz"), Err(HintError::BadHex(_))));
        assert_eq!(Hint::decode(&[0xff, 0x20, 0x30]), Err(HintError::NotUtf8));
    }
}
