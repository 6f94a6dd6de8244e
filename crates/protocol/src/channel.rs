//! Channels: frames assembled back into compressed channel data (the channel bank's and the channel
//! assembler's unit), and the batcher's side, [`ChannelOut`], which compresses batches and cuts frames.

use crate::{
    batch::Batch,
    compression::{compress_zlib, CompressionAlgo},
    errors::ChannelError,
    frame::{ChannelId, Frame, FRAME_OVERHEAD, MAX_FRAME_LEN},
    BlockInfo,
};
use alloc::{collections::BTreeMap, vec::Vec};

/// Per-frame overhead counted in a channel's size for the channel bank's memory bound (op-node `frameOverhead`).
pub const CHANNEL_FRAME_SIZE_OVERHEAD: usize = 200;

/// A channel being assembled from frames (op-node `Channel`).
///
/// Pre-Holocene frames may come in any order and the channel is ready once the closing frame and every frame
/// before it are present; with `require_in_order` (Holocene) each frame must be the next number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    id: ChannelId,
    open_block: BlockInfo,
    require_in_order: bool,
    size: usize,
    closed: bool,
    highest_frame_number: u16,
    last_frame_number: u16,
    inputs: BTreeMap<u16, Frame>,
    highest_l1_inclusion_block: BlockInfo,
}

impl Channel {
    /// A new, empty channel first seen in `open_block`.
    pub const fn new(id: ChannelId, open_block: BlockInfo, require_in_order: bool) -> Self {
        Self {
            id,
            open_block,
            require_in_order,
            size: 0,
            closed: false,
            highest_frame_number: 0,
            last_frame_number: 0,
            inputs: BTreeMap::new(),
            highest_l1_inclusion_block: open_block,
        }
    }

    /// Adds a frame included in `l1_inclusion` (op-node `Channel.AddFrame`; the checks are consensus rules).
    pub fn add_frame(&mut self, frame: Frame, l1_inclusion: BlockInfo) -> Result<(), ChannelError> {
        if frame.id != self.id {
            return Err(ChannelError::WrongChannel);
        }
        if frame.is_last && self.closed {
            return Err(ChannelError::AlreadyClosed);
        }
        if self.inputs.contains_key(&frame.number) {
            return Err(ChannelError::Duplicate(frame.number));
        }
        if self.closed && frame.number >= self.last_frame_number {
            return Err(ChannelError::BeyondLast(frame.number));
        }
        if self.require_in_order && frame.number as usize != self.inputs.len() {
            return Err(ChannelError::OutOfOrder { expected: self.inputs.len(), got: frame.number });
        }
        if frame.is_last {
            self.last_frame_number = frame.number;
            self.closed = true;
            if self.last_frame_number < self.highest_frame_number {
                // op-node drops the frames past the closing one but, as it iterates, takes every frame's size
                // off the channel's size; the size feeds the channel bank's pruning, so it is kept exactly.
                let last = self.last_frame_number;
                for f in self.inputs.values() {
                    self.size -= f.data.len() + CHANNEL_FRAME_SIZE_OVERHEAD;
                }
                self.inputs.retain(|&n, _| n < last);
                self.highest_frame_number = last;
            }
        }
        if frame.number > self.highest_frame_number {
            self.highest_frame_number = frame.number;
        }
        if self.highest_l1_inclusion_block.number < l1_inclusion.number {
            self.highest_l1_inclusion_block = l1_inclusion;
        }
        self.size += frame.data.len() + CHANNEL_FRAME_SIZE_OVERHEAD;
        self.inputs.insert(frame.number, frame);
        Ok(())
    }

    /// The channel's id.
    pub const fn id(&self) -> ChannelId {
        self.id
    }

    /// The L1 block of its first frame.
    pub const fn open_block(&self) -> BlockInfo {
        self.open_block
    }

    /// The L1 block number of its first frame.
    pub const fn open_block_number(&self) -> u64 {
        self.open_block.number
    }

    /// The highest L1 block that included one of its frames.
    pub const fn highest_l1_inclusion_block(&self) -> BlockInfo {
        self.highest_l1_inclusion_block
    }

    /// Estimated memory size: frame data plus [`CHANNEL_FRAME_SIZE_OVERHEAD`] per frame.
    pub const fn size(&self) -> usize {
        self.size
    }

    /// Number of frames held.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether no frame is held.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Whether the closing frame has been seen.
    pub const fn is_closed(&self) -> bool {
        self.closed
    }

    /// Whether the closing frame and every frame before it are present.
    pub fn is_ready(&self) -> bool {
        self.closed && self.inputs.len() == self.last_frame_number as usize + 1
    }

    /// The compressed channel data (frames 0..=last concatenated); `None` until ready.
    pub fn frame_data(&self) -> Option<Vec<u8>> {
        if !self.is_ready() {
            return None;
        }
        let mut out = Vec::with_capacity(self.inputs.values().map(|f| f.data.len()).sum());
        for f in self.inputs.values() {
            out.extend_from_slice(&f.data);
        }
        Some(out)
    }
}

/// How a batcher compresses a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChannelCompression {
    /// zlib at a level 0-10 (op-batcher uses the best compression, 9).
    Zlib(u8),
    /// Brotli at a quality 0-11 with window 2^22 (op-batcher's "brotli-10" is quality 10); Fjord and later.
    #[cfg(feature = "std")]
    Brotli(u32),
}

impl ChannelCompression {
    /// The algorithm this setting produces.
    pub const fn algo(&self) -> CompressionAlgo {
        match self {
            Self::Zlib(_) => CompressionAlgo::Zlib,
            #[cfg(feature = "std")]
            Self::Brotli(_) => CompressionAlgo::Brotli,
        }
    }

    /// Compresses `data`.
    pub fn compress(&self, data: &[u8]) -> Vec<u8> {
        match *self {
            Self::Zlib(level) => compress_zlib(data, level),
            #[cfg(feature = "std")]
            Self::Brotli(quality) => crate::compression::compress_brotli(data, quality, 22),
        }
    }
}

/// The batcher's channel: batches go in as RLP channel items, compressed data comes out as frames.
#[derive(Debug, Clone)]
pub struct ChannelOut {
    id: ChannelId,
    compression: ChannelCompression,
    max_rlp_bytes: usize,
    rlp: Vec<u8>,
    batches: usize,
}

impl ChannelOut {
    /// An empty channel. `max_rlp_bytes` is the fork's `MAX_RLP_BYTES_PER_CHANNEL`: the decoder drops what lies
    /// past it, so the encoder refuses batches that would cross it.
    pub const fn new(id: ChannelId, compression: ChannelCompression, max_rlp_bytes: usize) -> Self {
        Self { id, compression, max_rlp_bytes, rlp: Vec::new(), batches: 0 }
    }

    /// The channel's id.
    pub const fn id(&self) -> ChannelId {
        self.id
    }

    /// Batches added so far.
    pub const fn batch_count(&self) -> usize {
        self.batches
    }

    /// Uncompressed bytes so far.
    pub const fn rlp_len(&self) -> usize {
        self.rlp.len()
    }

    /// Appends one batch.
    pub fn add_batch(&mut self, batch: &Batch) -> Result<(), ChannelError> {
        let mut item = Vec::new();
        batch.encode_channel_item(&mut item);
        if self.rlp.len() + item.len() > self.max_rlp_bytes {
            return Err(ChannelError::Full { len: self.rlp.len() + item.len(), max: self.max_rlp_bytes });
        }
        self.rlp.extend_from_slice(&item);
        self.batches += 1;
        Ok(())
    }

    /// The compressed channel data.
    pub fn compressed(&self) -> Vec<u8> {
        self.compression.compress(&self.rlp)
    }

    /// Cuts the compressed data into frames of at most `max_frame_size` bytes each on the wire (overhead
    /// included), numbered from 0, the last one closing the channel.
    pub fn frames(&self, max_frame_size: usize) -> Result<Vec<Frame>, ChannelError> {
        split_frames(self.id, &self.compressed(), max_frame_size)
    }
}

/// Splits compressed channel data into frames of at most `max_frame_size` wire bytes.
pub fn split_frames(id: ChannelId, data: &[u8], max_frame_size: usize) -> Result<Vec<Frame>, ChannelError> {
    if max_frame_size <= FRAME_OVERHEAD {
        return Err(ChannelError::FrameSizeTooSmall(max_frame_size));
    }
    let chunk = (max_frame_size - FRAME_OVERHEAD).min(MAX_FRAME_LEN);
    let count = data.len().div_ceil(chunk).max(1);
    if count > usize::from(u16::MAX) + 1 {
        return Err(ChannelError::TooManyFrames(count));
    }
    let mut frames: Vec<Frame> = data
        .chunks(chunk)
        .enumerate()
        .map(|(i, c)| Frame { id, number: i as u16, data: c.to_vec(), is_last: false })
        .collect();
    if frames.is_empty() {
        frames.push(Frame { id, number: 0, data: Vec::new(), is_last: false });
    }
    if let Some(last) = frames.last_mut() {
        last.is_last = true;
    }
    Ok(frames)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        batch::{BatchReader, SingleBatch},
        decompress_channel, MAX_RLP_BYTES_PER_CHANNEL_FJORD,
    };
    use alloc::vec;
    use alloy_primitives::{Bytes, B256};

    fn frame(number: u16, data: &[u8], is_last: bool) -> Frame {
        Frame { id: [7; 16], number, data: data.to_vec(), is_last }
    }

    fn block(number: u64) -> BlockInfo {
        BlockInfo { number, ..Default::default() }
    }

    #[test]
    fn out_of_order_assembly() {
        let mut ch = Channel::new([7; 16], block(1), false);
        ch.add_frame(frame(2, b"cc", true), block(1)).unwrap();
        assert!(!ch.is_ready());
        ch.add_frame(frame(0, b"a", false), block(2)).unwrap();
        assert_eq!(ch.add_frame(frame(0, b"x", false), block(2)), Err(ChannelError::Duplicate(0)));
        assert_eq!(ch.add_frame(frame(3, b"x", false), block(2)), Err(ChannelError::BeyondLast(3)));
        assert_eq!(ch.add_frame(frame(1, b"x", true), block(2)), Err(ChannelError::AlreadyClosed));
        assert_eq!(
            ch.add_frame(Frame { id: [1; 16], ..frame(1, b"", false) }, block(2)),
            Err(ChannelError::WrongChannel)
        );
        ch.add_frame(frame(1, b"b", false), block(3)).unwrap();
        assert!(ch.is_ready());
        assert_eq!(ch.frame_data().unwrap(), b"abcc");
        assert_eq!(ch.highest_l1_inclusion_block().number, 3);
        assert_eq!(ch.size(), 4 + 3 * CHANNEL_FRAME_SIZE_OVERHEAD);
    }

    #[test]
    fn closing_below_highest_prunes_with_op_node_size_accounting() {
        let mut ch = Channel::new([7; 16], block(1), false);
        ch.add_frame(frame(0, b"aa", false), block(1)).unwrap();
        ch.add_frame(frame(5, b"ffff", false), block(1)).unwrap();
        ch.add_frame(frame(2, b"c", true), block(1)).unwrap();
        // Frames 0 and 5 both left the size, frame 5 left the channel; then frame 2 came in.
        assert_eq!(ch.len(), 2);
        assert_eq!(ch.size(), 1 + CHANNEL_FRAME_SIZE_OVERHEAD);
        ch.add_frame(frame(1, b"b", false), block(1)).unwrap();
        assert_eq!(ch.frame_data().unwrap(), b"aabc");
    }

    #[test]
    fn holocene_requires_order() {
        let mut ch = Channel::new([7; 16], block(1), true);
        assert_eq!(
            ch.add_frame(frame(1, b"b", false), block(1)),
            Err(ChannelError::OutOfOrder { expected: 0, got: 1 })
        );
        ch.add_frame(frame(0, b"a", false), block(1)).unwrap();
        ch.add_frame(frame(1, b"b", true), block(1)).unwrap();
        assert_eq!(ch.frame_data().unwrap(), b"ab");
    }

    #[test]
    fn channel_out_round_trip() {
        for compression in [ChannelCompression::Zlib(9), ChannelCompression::Brotli(10)] {
            let mut out = ChannelOut::new([9; 16], compression, MAX_RLP_BYTES_PER_CHANNEL_FJORD);
            let batches: Vec<Batch> = (0..20u64)
                .map(|i| {
                    Batch::Single(SingleBatch {
                        parent_hash: B256::repeat_byte(i as u8),
                        epoch_num: i / 4,
                        epoch_hash: B256::repeat_byte(1),
                        timestamp: 2 * i,
                        transactions: vec![Bytes::from(vec![i as u8; 300])],
                    })
                })
                .collect();
            for b in &batches {
                out.add_batch(b).unwrap();
            }
            let frames = out.frames(60).unwrap();
            assert!(frames.iter().all(|f| f.encoded_len() <= 60));
            assert!(frames.len() > 1 && frames.last().unwrap().is_last);
            let mut ch = Channel::new([9; 16], block(0), true);
            for f in frames {
                ch.add_frame(f, block(0)).unwrap();
            }
            let d = decompress_channel(&ch.frame_data().unwrap(), MAX_RLP_BYTES_PER_CHANNEL_FJORD, true).unwrap();
            assert_eq!(d.algo, compression.algo());
            let read: Vec<Batch> = BatchReader::new(&d.data).collect::<Result<_, _>>().unwrap();
            assert_eq!(read, batches);
        }
    }

    #[test]
    fn channel_out_bounds() {
        let mut out = ChannelOut::new([0; 16], ChannelCompression::Zlib(9), 10);
        let b = Batch::Single(SingleBatch::default());
        assert!(matches!(out.add_batch(&b), Err(ChannelError::Full { .. })));
        assert_eq!(split_frames([0; 16], b"abc", 23), Err(ChannelError::FrameSizeTooSmall(23)));
        let one = split_frames([0; 16], b"", 100).unwrap();
        assert_eq!(one.len(), 1);
        assert!(one[0].is_last && one[0].data.is_empty());
        assert_eq!(split_frames([0; 16], &vec![0; 65_537], 24), Err(ChannelError::TooManyFrames(65_537)));
    }
}
