//! Channel stages: the pre-Holocene [`ChannelBank`] (many channels, frames in any order, timeouts, a memory
//! bound), the Holocene [`ChannelAssembler`] (one channel at a time, frames in order) and the
//! [`ChannelProvider`] that switches between them at Holocene.

use crate::{
    errors::PipelineError,
    signal::Signal,
    traits::{ChannelReaderProvider, NextFrameProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    PipelineResult,
};
use alloc::{collections::BTreeMap, sync::Arc, vec::Vec};
use alloy_primitives::Bytes;
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, Channel, ChannelId, Frame};

/// Channel bank memory bound before Fjord (op-node `maxChannelBankSizeBedrock`).
pub const MAX_CHANNEL_BANK_SIZE_BEDROCK: usize = 100_000_000;
/// Channel bank memory bound from Fjord (op-node `maxChannelBankSizeFjord`).
pub const MAX_CHANNEL_BANK_SIZE_FJORD: usize = 1_000_000_000;

fn origin_of<P: OriginProvider>(prev: &P) -> PipelineResult<BlockInfo> {
    prev.origin().ok_or(PipelineError::MissingOrigin.crit())
}

/// The pre-Holocene channel bank (op-node `ChannelBank`): channels in first-seen order, read when complete;
/// from Canyon any complete channel is read, before Canyon only the first.
#[derive(Debug, Clone)]
pub struct ChannelBank<P> {
    prev: P,
    cfg: Arc<RollupConfig>,
    channels: BTreeMap<ChannelId, Channel>,
    queue: Vec<ChannelId>,
}

impl<P: NextFrameProvider> ChannelBank<P> {
    /// An empty bank over `prev`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        Self { prev, cfg, channels: BTreeMap::new(), queue: Vec::new() }
    }

    fn timed_out(&self, ch: &Channel, origin: &BlockInfo) -> bool {
        ch.open_block_number() + self.cfg.channel_timeout(origin.timestamp) < origin.number
    }

    fn prune(&mut self, origin: &BlockInfo) {
        let max = if self.cfg.is_fjord_active(origin.timestamp) {
            MAX_CHANNEL_BANK_SIZE_FJORD
        } else {
            MAX_CHANNEL_BANK_SIZE_BEDROCK
        };
        let mut total: usize = self.channels.values().map(Channel::size).sum();
        while total > max && !self.queue.is_empty() {
            let id = self.queue.remove(0);
            if let Some(ch) = self.channels.remove(&id) {
                total -= ch.size();
            }
        }
    }

    /// Adds a frame to its channel (opening one at the current origin if new).
    pub fn ingest_frame(&mut self, frame: Frame) -> PipelineResult<()> {
        let origin = origin_of(&self.prev)?;
        if let alloc::collections::btree_map::Entry::Vacant(e) = self.channels.entry(frame.id) {
            e.insert(Channel::new(frame.id, origin, false));
            self.queue.push(frame.id);
        }
        let ch = &self.channels[&frame.id];
        if self.timed_out(ch, &origin) {
            return Ok(());
        }
        let ch = self.channels.get_mut(&frame.id).expect("present");
        if ch.add_frame(frame, origin).is_err() {
            return Ok(());
        }
        self.prune(&origin);
        Ok(())
    }

    /// Reads a complete channel: `Ok(Some)` with its data, `Ok(None)` after dropping a timed-out channel,
    /// [`PipelineError::Eof`] when none is ready.
    pub fn read(&mut self) -> PipelineResult<Option<Bytes>> {
        let origin = origin_of(&self.prev)?;
        let Some(first) = self.queue.first().copied() else { return Err(PipelineError::Eof.temp()) };
        if self.timed_out(&self.channels[&first], &origin) {
            self.channels.remove(&first);
            self.queue.remove(0);
            return Ok(None);
        }
        let candidates = if self.cfg.is_canyon_active(origin.timestamp) { self.queue.len() } else { 1 };
        for i in 0..candidates {
            let id = self.queue[i];
            let ch = &self.channels[&id];
            if self.timed_out(ch, &origin) || !ch.is_ready() {
                continue;
            }
            let data = ch.frame_data().expect("ready");
            self.channels.remove(&id);
            self.queue.remove(i);
            return Ok(Some(Bytes::from(data)));
        }
        Err(PipelineError::Eof.temp())
    }

    fn next_data(&mut self) -> PipelineResult<Option<Bytes>> {
        match self.read() {
            Err(e) if e.is_eof() => {}
            other => return other,
        }
        let frame = self.prev.next_frame()?;
        self.ingest_frame(frame)?;
        Err(PipelineError::NotEnoughData.temp())
    }

    fn reset(&mut self) {
        self.channels.clear();
        self.queue.clear();
    }
}

/// The Holocene channel assembler (op-node `ChannelAssembler`): one channel at a time, frames strictly in
/// order, a frame 0 starting a new channel, oversized or timed-out channels dropped.
#[derive(Debug, Clone)]
pub struct ChannelAssembler<P> {
    prev: P,
    cfg: Arc<RollupConfig>,
    channel: Option<Channel>,
}

impl<P: NextFrameProvider> ChannelAssembler<P> {
    /// An empty assembler over `prev`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        Self { prev, cfg, channel: None }
    }

    fn next_data(&mut self) -> PipelineResult<Option<Bytes>> {
        let origin = origin_of(&self.prev)?;
        if let Some(ch) = &self.channel {
            if ch.open_block_number() + self.cfg.channel_timeout(origin.timestamp) < origin.number {
                self.channel = None;
            }
        }
        if self.channel.as_ref().is_some_and(Channel::is_ready) {
            return Err(PipelineError::Invariant("ready channel left in the assembler").crit());
        }
        loop {
            let frame = self.prev.next_frame()?;
            let origin = origin_of(&self.prev)?;
            let is_last = frame.is_last;
            if frame.number == 0 {
                self.channel = Some(Channel::new(frame.id, origin, true));
            }
            let Some(ch) = self.channel.as_mut() else { continue };
            if ch.add_frame(frame, origin).is_err() {
                continue;
            }
            if ch.size() as u64 > self.cfg.max_rlp_bytes_per_channel(origin.timestamp) {
                self.channel = None;
                continue;
            }
            if is_last {
                break;
            }
        }
        let ch = self.channel.take().filter(Channel::is_ready);
        let data =
            ch.and_then(|c| c.frame_data()).ok_or(PipelineError::Invariant("closed channel not ready").crit())?;
        Ok(Some(Bytes::from(data)))
    }
}

/// The active channel stage.
#[derive(Debug, Clone)]
enum Active<P> {
    Bank(ChannelBank<P>),
    Assembler(ChannelAssembler<P>),
}

/// Switches between the channel bank (before Holocene) and the channel assembler (from Holocene, by the
/// origin's time on reset, or on the activation signal), as op-node's `ChannelMux`.
#[derive(Debug, Clone)]
pub struct ChannelProvider<P> {
    cfg: Arc<RollupConfig>,
    // `None` only transiently while switching.
    active: Option<Active<P>>,
}

impl<P: NextFrameProvider> ChannelProvider<P> {
    /// Starts with the channel bank; the first reset picks the stage for its origin.
    pub fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        let bank = ChannelBank::new(prev, Arc::clone(&cfg));
        Self { cfg, active: Some(Active::Bank(bank)) }
    }

    fn prev(&self) -> &P {
        match self.active.as_ref().expect("active stage") {
            Active::Bank(b) => &b.prev,
            Active::Assembler(a) => &a.prev,
        }
    }

    fn prev_mut(&mut self) -> &mut P {
        match self.active.as_mut().expect("active stage") {
            Active::Bank(b) => &mut b.prev,
            Active::Assembler(a) => &mut a.prev,
        }
    }

    fn switch(&mut self, holocene: bool) {
        let cfg = Arc::clone(&self.cfg);
        self.active = Some(match self.active.take().expect("active stage") {
            Active::Bank(b) if holocene => Active::Assembler(ChannelAssembler::new(b.prev, cfg)),
            Active::Assembler(a) if !holocene => Active::Bank(ChannelBank::new(a.prev, cfg)),
            other => other,
        });
    }

    /// Whether the Holocene channel assembler is active.
    pub const fn is_assembler(&self) -> bool {
        matches!(self.active, Some(Active::Assembler(_)))
    }
}

impl<P: NextFrameProvider> ChannelReaderProvider for ChannelProvider<P> {
    fn next_data(&mut self) -> PipelineResult<Option<Bytes>> {
        match self.active.as_mut().expect("active stage") {
            Active::Bank(b) => b.next_data(),
            Active::Assembler(a) => a.next_data(),
        }
    }
}

impl<P: NextFrameProvider> OriginProvider for ChannelProvider<P> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev().origin()
    }
}

impl<P: NextFrameProvider> OriginAdvancer for ChannelProvider<P> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev_mut().advance_origin()
    }
}

impl<P: NextFrameProvider> SignalReceiver for ChannelProvider<P> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.prev_mut().signal(signal)?;
        match signal {
            Signal::Reset(r) => {
                self.switch(self.cfg.is_holocene_active(r.l1_origin.timestamp));
                match self.active.as_mut().expect("active stage") {
                    Active::Bank(b) => b.reset(),
                    Active::Assembler(a) => a.channel = None,
                }
            }
            Signal::Activation(_) => {
                self.switch(true);
                if let Some(Active::Assembler(a)) = self.active.as_mut() {
                    a.channel = None;
                }
            }
            Signal::FlushChannel => {
                if let Some(Active::Assembler(a)) = self.active.as_mut() {
                    a.channel = None;
                }
            }
        }
        Ok(())
    }
}
