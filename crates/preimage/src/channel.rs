//! Byte channels and the client halves of the oracle protocols (fault-proof-program spec §3.3).

use crate::hint::{Hint, HintError};
use crate::key::PreimageKey;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

/// The one-byte acknowledgement a host sends after each hint.
pub const HINT_ACK: u8 = 0x00;

/// Default upper bound on a preimage length the client accepts (guards against hostile lengths).
pub const DEFAULT_MAX_PREIMAGE_LEN: u64 = 1 << 30;

/// Why a channel operation failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelError {
    /// The other side closed the channel before the whole buffer was transferred.
    Closed,
    /// Any other I/O failure, described.
    Io(String),
}

impl fmt::Display for ChannelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelError::Closed => f.write_str("channel closed"),
            ChannelError::Io(e) => write!(f, "channel I/O error: {e}"),
        }
    }
}

impl core::error::Error for ChannelError {}

/// A bidirectional byte channel (one read side, one write side), blocking.
pub trait Channel {
    /// Fills `buf` completely or fails.
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ChannelError>;
    /// Writes all of `buf` or fails.
    fn write_all(&mut self, buf: &[u8]) -> Result<(), ChannelError>;
}

impl<C: Channel + ?Sized> Channel for &mut C {
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ChannelError> {
        (**self).read_exact(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> Result<(), ChannelError> {
        (**self).write_all(buf)
    }
}

/// Why an oracle or hint request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OracleError {
    /// The channel failed while handling a request for this key.
    Channel {
        /// The requested key.
        key: PreimageKey,
        /// The channel failure.
        source: ChannelError,
    },
    /// The host announced a preimage longer than the client accepts.
    TooLarge {
        /// The requested key.
        key: PreimageKey,
        /// Announced length.
        len: u64,
        /// Accepted maximum.
        max: u64,
    },
    /// `get_exact`: the preimage length differs from the buffer length.
    LengthMismatch {
        /// The requested key.
        key: PreimageKey,
        /// Buffer length.
        expected: u64,
        /// Announced length.
        got: u64,
    },
    /// The hint channel failed.
    HintChannel(ChannelError),
    /// The host acknowledged a hint with a byte other than 0x00.
    BadAck(u8),
    /// A hint is too long to frame.
    Hint(HintError),
}

impl fmt::Display for OracleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OracleError::Channel { key, source } => {
                write!(f, "preimage request {key} ({}) failed: {source}", key.key_type())
            }
            OracleError::TooLarge { key, len, max } => {
                write!(f, "preimage {key} announced {len} bytes, over the {max}-byte limit")
            }
            OracleError::LengthMismatch { key, expected, got } => {
                write!(f, "preimage {key} has {got} bytes, expected {expected}")
            }
            OracleError::HintChannel(e) => write!(f, "hint channel failed: {e}"),
            OracleError::BadAck(b) => write!(f, "hint acknowledged with 0x{b:02x} instead of 0x00"),
            OracleError::Hint(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for OracleError {}

/// Frames a preimage response: `u64` BE length ‖ data.
pub fn frame_preimage(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + data.len());
    out.extend_from_slice(&(data.len() as u64).to_be_bytes());
    out.extend_from_slice(data);
    out
}

/// Client half of the preimage channel: writes 32-byte keys, reads `u64` BE length ‖ data.
#[derive(Debug)]
pub struct OracleReader<C> {
    chan: C,
    max_len: u64,
}

impl<C: Channel> OracleReader<C> {
    /// A reader over `chan` accepting preimages up to [`DEFAULT_MAX_PREIMAGE_LEN`] bytes.
    pub fn new(chan: C) -> Self {
        OracleReader { chan, max_len: DEFAULT_MAX_PREIMAGE_LEN }
    }

    /// Sets the largest preimage length accepted.
    pub fn with_max_len(mut self, max_len: u64) -> Self {
        self.max_len = max_len;
        self
    }

    fn request(&mut self, key: PreimageKey) -> Result<u64, OracleError> {
        let ch = |source| OracleError::Channel { key, source };
        self.chan.write_all(key.as_bytes()).map_err(ch)?;
        let mut len = [0u8; 8];
        self.chan.read_exact(&mut len).map_err(ch)?;
        Ok(u64::from_be_bytes(len))
    }

    /// Fetches the preimage of `key`.
    pub fn get(&mut self, key: PreimageKey) -> Result<Vec<u8>, OracleError> {
        let len = self.request(key)?;
        if len > self.max_len {
            return Err(OracleError::TooLarge { key, len, max: self.max_len });
        }
        let mut data = vec![0u8; len as usize];
        if len > 0 {
            self.chan.read_exact(&mut data).map_err(|source| OracleError::Channel { key, source })?;
        }
        Ok(data)
    }

    /// Fetches the preimage of `key` into `buf`, which must have exactly its length. On a mismatch the
    /// data is still consumed (the channel stays in sync) and an error returned.
    pub fn get_exact(&mut self, key: PreimageKey, buf: &mut [u8]) -> Result<(), OracleError> {
        let len = self.request(key)?;
        if len != buf.len() as u64 {
            if len > self.max_len {
                return Err(OracleError::TooLarge { key, len, max: self.max_len });
            }
            let mut sink = vec![0u8; len as usize];
            self.chan.read_exact(&mut sink).map_err(|source| OracleError::Channel { key, source })?;
            return Err(OracleError::LengthMismatch { key, expected: buf.len() as u64, got: len });
        }
        if len > 0 {
            self.chan.read_exact(buf).map_err(|source| OracleError::Channel { key, source })?;
        }
        Ok(())
    }

    /// The underlying channel.
    pub fn into_inner(self) -> C {
        self.chan
    }
}

/// Client half of the hint channel: writes `u32` BE length ‖ hint text, waits for the 1-byte ack.
#[derive(Debug)]
pub struct HintWriter<C> {
    chan: C,
}

impl<C: Channel> HintWriter<C> {
    /// A hint writer over `chan`.
    pub fn new(chan: C) -> Self {
        HintWriter { chan }
    }

    /// Sends `hint` and waits for its acknowledgement.
    pub fn hint(&mut self, hint: &Hint) -> Result<(), OracleError> {
        self.hint_str(&hint.encode())
    }

    /// Sends raw hint text and waits for its acknowledgement (length and text are two separate writes).
    pub fn hint_str(&mut self, text: &str) -> Result<(), OracleError> {
        self.hint_bytes(text.as_bytes())
    }

    /// Sends a hint as raw bytes (a guest's hint is forwarded as written) and waits for its acknowledgement.
    pub fn hint_bytes(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        let len = u32::try_from(hint.len()).map_err(|_| OracleError::Hint(HintError::TooLong(hint.len())))?;
        self.chan.write_all(&len.to_be_bytes()).map_err(OracleError::HintChannel)?;
        self.chan.write_all(hint).map_err(OracleError::HintChannel)?;
        let mut ack = [0u8; 1];
        self.chan.read_exact(&mut ack).map_err(OracleError::HintChannel)?;
        if ack[0] != HINT_ACK {
            return Err(OracleError::BadAck(ack[0]));
        }
        Ok(())
    }

    /// The underlying channel.
    pub fn into_inner(self) -> C {
        self.chan
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::VecDeque;

    /// A scripted channel: reads come from `input`, writes go to `output`.
    struct Script {
        input: VecDeque<u8>,
        output: Vec<u8>,
    }

    impl Channel for Script {
        fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ChannelError> {
            if self.input.len() < buf.len() {
                return Err(ChannelError::Closed);
            }
            for b in buf.iter_mut() {
                *b = self.input.pop_front().unwrap_or_default();
            }
            Ok(())
        }
        fn write_all(&mut self, buf: &[u8]) -> Result<(), ChannelError> {
            self.output.extend_from_slice(buf);
            Ok(())
        }
    }

    fn script(input: &[u8]) -> Script {
        Script { input: input.iter().copied().collect(), output: Vec::new() }
    }

    #[test]
    fn get_writes_key_and_reads_framed_data() {
        let key = PreimageKey::local(2);
        let mut r = OracleReader::new(script(&frame_preimage(b"hello")));
        assert_eq!(r.get(key).unwrap(), b"hello");
        assert_eq!(r.into_inner().output, key.as_bytes());
    }

    #[test]
    fn get_rejects_oversized_and_truncated() {
        let key = PreimageKey::local(1);
        let mut r = OracleReader::new(script(&u64::MAX.to_be_bytes()));
        assert!(matches!(r.get(key), Err(OracleError::TooLarge { len: u64::MAX, .. })));
        let mut framed = frame_preimage(b"abcdef");
        framed.truncate(10);
        let mut r = OracleReader::new(script(&framed));
        assert_eq!(r.get(key), Err(OracleError::Channel { key, source: ChannelError::Closed }));
        let mut r = OracleReader::new(script(&[]));
        assert_eq!(r.get(key), Err(OracleError::Channel { key, source: ChannelError::Closed }));
    }

    #[test]
    fn get_exact_checks_length_and_stays_in_sync() {
        let key = PreimageKey::local(4);
        let mut input = frame_preimage(b"abc");
        input.extend_from_slice(&frame_preimage(b"12345678"));
        let mut r = OracleReader::new(script(&input));
        let mut buf = [0u8; 8];
        assert_eq!(r.get_exact(key, &mut buf), Err(OracleError::LengthMismatch { key, expected: 8, got: 3 }));
        r.get_exact(key, &mut buf).unwrap();
        assert_eq!(&buf, b"12345678");
    }

    #[test]
    fn hint_frames_and_checks_ack() {
        let mut w = HintWriter::new(script(&[0]));
        w.hint(&Hint::new("l2-state-node", [1u8, 2])).unwrap();
        let out = w.into_inner().output;
        assert_eq!(&out[..4], &(20u32).to_be_bytes());
        assert_eq!(&out[4..], b"l2-state-node 0x0102");
        let mut w = HintWriter::new(script(&[7]));
        assert_eq!(w.hint_str("a 0x"), Err(OracleError::BadAck(7)));
        let mut w = HintWriter::new(script(&[]));
        assert_eq!(w.hint_str("a 0x"), Err(OracleError::HintChannel(ChannelError::Closed)));
    }
}
