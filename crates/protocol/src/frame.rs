//! Frames and batcher transaction data (OP derivation spec, "Frame Format" and "Batcher Transaction Format").
//!
//! | field | bytes |
//! |---|---|
//! | `channel_id` | 16 |
//! | `frame_number` | 2, big-endian |
//! | `frame_data_length` | 4, big-endian, at most [`MAX_FRAME_LEN`] |
//! | `frame_data` | `frame_data_length` |
//! | `is_last` | 1, `0` or `1` |
//!
//! Batcher transaction data is `DERIVATION_VERSION_0 ‖ frame ‖ frame ‖ …`: at least one frame, no trailing bytes;
//! any error drops every frame of the transaction (op-node `ParseFrames`).

use crate::errors::FrameError;
use alloc::vec::Vec;

/// A channel's 16-byte identifier (random, chosen by the batcher).
pub type ChannelId = [u8; 16];

/// Version byte that starts batcher transaction data (calldata or blob payload).
pub const DERIVATION_VERSION_0: u8 = 0;

/// Largest `frame_data_length` a frame may declare (op-node `MaxFrameLen`).
pub const MAX_FRAME_LEN: usize = 1_000_000;

/// Bytes a frame adds around its data: id 16, number 2, length 4, is_last 1.
pub const FRAME_OVERHEAD: usize = 16 + 2 + 4 + 1;

/// One frame: a numbered slice of a channel's compressed data.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct Frame {
    /// The channel this frame belongs to.
    pub id: ChannelId,
    /// Position of the frame in its channel, from 0.
    pub number: u16,
    /// The slice of compressed channel data.
    pub data: Vec<u8>,
    /// Whether this is the channel's last frame.
    pub is_last: bool,
}

impl Frame {
    /// Bytes this frame takes on the wire.
    pub const fn encoded_len(&self) -> usize {
        FRAME_OVERHEAD + self.data.len()
    }

    /// Appends the wire encoding to `out`; rejects data longer than [`MAX_FRAME_LEN`] (no decoder would accept it).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        if self.data.len() > MAX_FRAME_LEN {
            return Err(FrameError::EncodeTooLarge(self.data.len()));
        }
        out.reserve(self.encoded_len());
        out.extend_from_slice(&self.id);
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.data);
        out.push(self.is_last as u8);
        Ok(())
    }

    /// The wire encoding of this frame alone.
    pub fn encode(&self) -> Result<Vec<u8>, FrameError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(out)
    }

    /// Decodes one frame from the start of `data`, returning it and the bytes consumed.
    ///
    /// `index` and `base` only label errors: the frame's position in its transaction and the offset of `data`
    /// within the transaction data.
    pub fn decode_at(data: &[u8], index: usize, base: usize) -> Result<(Self, usize), FrameError> {
        let truncated = |at: usize, needed: usize| FrameError::Truncated { frame: index, offset: base + at, needed };
        let need = |at: usize, n: usize| -> Result<&[u8], FrameError> {
            data.get(at..at + n).ok_or_else(|| truncated(at, at + n - data.len()))
        };
        let mut id = ChannelId::default();
        id.copy_from_slice(need(0, 16)?);
        let number = u16::from_be_bytes([need(16, 2)?[0], data[17]]);
        let len_bytes = need(18, 4)?;
        let len = u32::from_be_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
        if len as usize > MAX_FRAME_LEN {
            return Err(FrameError::TooLarge { frame: index, len });
        }
        let body = need(22, len as usize)?.to_vec();
        let last_at = 22 + len as usize;
        let is_last = match need(last_at, 1)?[0] {
            0 => false,
            1 => true,
            value => return Err(FrameError::InvalidIsLast { frame: index, offset: base + last_at, value }),
        };
        Ok((Self { id, number, data: body, is_last }, last_at + 1))
    }

    /// Decodes exactly one frame: `data` must hold it and nothing else.
    pub fn decode(data: &[u8]) -> Result<Self, FrameError> {
        let (frame, used) = Self::decode_at(data, 0, 0)?;
        if used != data.len() {
            // A second frame would start here; report what is wrong with it, or that it is cut short.
            Self::decode_at(&data[used..], 1, used)?;
            return Err(FrameError::Truncated { frame: 1, offset: used, needed: 0 });
        }
        Ok(frame)
    }
}

/// Parses batcher transaction data (version byte, then one or more frames, nothing after them).
pub fn decode_frames(data: &[u8]) -> Result<Vec<Frame>, FrameError> {
    let (&version, mut rest) = data.split_first().ok_or(FrameError::EmptyData)?;
    if version != DERIVATION_VERSION_0 {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let mut frames = Vec::new();
    let mut offset = 1;
    while !rest.is_empty() {
        let (frame, used) = Frame::decode_at(rest, frames.len(), offset)?;
        frames.push(frame);
        rest = &rest[used..];
        offset += used;
    }
    if frames.is_empty() {
        return Err(FrameError::NoFrames);
    }
    Ok(frames)
}

/// Encodes frames as batcher transaction data: [`DERIVATION_VERSION_0`] followed by each frame.
pub fn encode_frames<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Result<Vec<u8>, FrameError> {
    let mut out = alloc::vec![DERIVATION_VERSION_0];
    for frame in frames {
        frame.encode_into(&mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn frame(number: u16, data: &[u8], is_last: bool) -> Frame {
        Frame { id: [0xab; 16], number, data: data.to_vec(), is_last }
    }

    #[test]
    fn round_trip_layout() {
        let f = frame(0x0102, b"hello", true);
        let bytes = f.encode().unwrap();
        assert_eq!(bytes.len(), FRAME_OVERHEAD + 5);
        assert_eq!(&bytes[16..18], &[1, 2]);
        assert_eq!(&bytes[18..22], &[0, 0, 0, 5]);
        assert_eq!(&bytes[22..27], b"hello");
        assert_eq!(bytes[27], 1);
        assert_eq!(Frame::decode(&bytes).unwrap(), f);
    }

    #[test]
    fn transaction_data() {
        let frames = vec![frame(0, b"a", false), frame(1, b"", true)];
        let data = encode_frames(&frames).unwrap();
        assert_eq!(data[0], DERIVATION_VERSION_0);
        assert_eq!(decode_frames(&data).unwrap(), frames);
        assert_eq!(decode_frames(&[]), Err(FrameError::EmptyData));
        assert_eq!(decode_frames(&[0]), Err(FrameError::NoFrames));
        let mut v1 = data.clone();
        v1[0] = 1;
        assert_eq!(decode_frames(&v1), Err(FrameError::UnsupportedVersion(1)));
    }

    #[test]
    fn bounds() {
        let mut bytes = frame(0, b"xy", false).encode().unwrap();
        let last = bytes.len() - 1;
        bytes[last] = 2;
        assert_eq!(Frame::decode(&bytes), Err(FrameError::InvalidIsLast { frame: 0, offset: last, value: 2 }));

        let mut big = frame(0, b"", false).encode().unwrap();
        big[18..22].copy_from_slice(&1_000_001u32.to_be_bytes());
        assert_eq!(Frame::decode(&big), Err(FrameError::TooLarge { frame: 0, len: 1_000_001 }));
        big[18..22].copy_from_slice(&1_000_000u32.to_be_bytes());
        assert!(matches!(Frame::decode(&big), Err(FrameError::Truncated { frame: 0, offset: 22, .. })));

        let max = frame(7, &vec![0; MAX_FRAME_LEN], true);
        assert_eq!(Frame::decode(&max.encode().unwrap()).unwrap(), max);
        let over = frame(7, &vec![0; MAX_FRAME_LEN + 1], true);
        assert_eq!(over.encode(), Err(FrameError::EncodeTooLarge(MAX_FRAME_LEN + 1)));
    }

    #[test]
    fn every_truncation_is_an_error() {
        let data = encode_frames(&[frame(0, b"abc", false), frame(1, b"de", true)]).unwrap();
        let boundary = 1 + FRAME_OVERHEAD + 3;
        for cut in 1..data.len() {
            // Cutting exactly after the first frame leaves valid data with one frame.
            assert_eq!(decode_frames(&data[..cut]).is_ok(), cut == boundary, "cut at {cut}");
        }
        let mut trailing = data.clone();
        trailing.push(0);
        assert!(matches!(decode_frames(&trailing), Err(FrameError::Truncated { frame: 2, .. })));
    }
}
