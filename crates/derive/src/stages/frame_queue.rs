//! Frame queue: batcher data parsed into frames. Data that does not parse is dropped whole (op-node
//! `ParseFrames`). From Holocene (by the origin's time) the queue is pruned to consistent frame sequences.

use crate::{
    errors::PipelineError,
    signal::Signal,
    traits::{FrameQueueProvider, NextFrameProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    PipelineResult,
};
use alloc::{collections::VecDeque, sync::Arc, vec::Vec};
use rampart_genesis::RollupConfig;
use rampart_protocol::{decode_frames, BlockInfo, Frame};

/// Buffers the frames of the batcher data read so far.
#[derive(Debug, Clone)]
pub struct FrameQueue<P> {
    prev: P,
    cfg: Arc<RollupConfig>,
    frames: VecDeque<Frame>,
}

impl<P: FrameQueueProvider> FrameQueue<P> {
    /// The stage over `prev`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        Self { prev, cfg, frames: VecDeque::new() }
    }

    fn load(&mut self) -> PipelineResult<()> {
        let data = self.prev.next_data()?;
        let Ok(frames) = decode_frames(&data) else { return Ok(()) };
        self.frames.extend(frames);
        if self.origin().is_some_and(|o| self.cfg.is_holocene_active(o.timestamp)) {
            let pruned = prune(core::mem::take(&mut self.frames).into());
            self.frames = pruned.into();
        }
        Ok(())
    }
}

/// Holocene frame-queue pruning (op-node `pruneFrameQueue`): within a channel frames must be consecutive and
/// end at the closing frame; a new channel must start at frame 0, and a channel left unclosed by a new one is
/// dropped.
fn prune(mut frames: Vec<Frame>) -> Vec<Frame> {
    let mut i = 0;
    while i + 1 < frames.len() {
        let (current, next) = (&frames[i], &frames[i + 1]);
        if current.id == next.id {
            if current.is_last || next.number != current.number.wrapping_add(1) {
                frames.remove(i + 1);
                continue;
            }
        } else if next.number == 0 && !current.is_last {
            frames.remove(i);
            i = i.saturating_sub(1);
            continue;
        } else if next.number != 0 {
            frames.remove(i + 1);
            continue;
        }
        i += 1;
    }
    frames
}

impl<P: FrameQueueProvider> NextFrameProvider for FrameQueue<P> {
    fn next_frame(&mut self) -> PipelineResult<Frame> {
        if self.frames.is_empty() {
            self.load()?;
        }
        self.frames.pop_front().ok_or(PipelineError::NotEnoughData.temp())
    }
}

impl<P: FrameQueueProvider> OriginProvider for FrameQueue<P> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev.origin()
    }
}

impl<P: FrameQueueProvider> OriginAdvancer for FrameQueue<P> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev.advance_origin()
    }
}

impl<P: FrameQueueProvider> SignalReceiver for FrameQueue<P> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.prev.signal(signal)?;
        if signal.reset_payload().is_some() {
            self.frames.clear();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn f(id: u8, number: u16, is_last: bool) -> Frame {
        Frame { id: [id; 16], number, data: vec![], is_last }
    }

    #[test]
    fn holocene_pruning_rules() {
        // Consecutive frames of one channel survive.
        assert_eq!(prune(vec![f(1, 0, false), f(1, 1, true)]), vec![f(1, 0, false), f(1, 1, true)]);
        // A gap drops the later frame; a frame after the closing one is dropped.
        assert_eq!(prune(vec![f(1, 0, false), f(1, 2, true)]), vec![f(1, 0, false)]);
        assert_eq!(prune(vec![f(1, 0, true), f(1, 1, false)]), vec![f(1, 0, true)]);
        // A new channel's first frame drops the unclosed previous channel's frames.
        assert_eq!(prune(vec![f(1, 0, false), f(1, 1, false), f(2, 0, true)]), vec![f(2, 0, true)]);
        // A new channel not starting at 0 is dropped.
        assert_eq!(prune(vec![f(1, 0, true), f(2, 1, true)]), vec![f(1, 0, true)]);
        assert_eq!(prune(vec![f(1, 0, true), f(2, 0, true)]), vec![f(1, 0, true), f(2, 0, true)]);
    }
}
