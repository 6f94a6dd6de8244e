//! Channel reader: decompresses each channel with its fork's limit and reads its batches (op-node
//! `ChannelInReader`). A channel that does not decompress, or a batch that does not decode, drops the rest of
//! the channel; a span batch before Delta or one whose blocks do not derive is dropped alone.

use crate::{
    errors::PipelineError,
    signal::Signal,
    stages::StreamBatch,
    traits::{BatchStreamProvider, ChannelReaderProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    PipelineResult,
};
use alloc::{sync::Arc, vec::Vec};
use rampart_genesis::RollupConfig;
use rampart_protocol::{batch::BatchReader, decompress_channel, Batch, BlockInfo};

/// The decompressed channel being read and the reader's position in it.
#[derive(Debug, Clone)]
struct OpenChannel {
    data: Vec<u8>,
    cursor: usize,
}

/// Reads batches from the channels the channel provider completes.
#[derive(Debug, Clone)]
pub struct ChannelReader<P> {
    prev: P,
    cfg: Arc<RollupConfig>,
    open: Option<OpenChannel>,
}

impl<P: ChannelReaderProvider> ChannelReader<P> {
    /// The stage over `prev`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        Self { prev, cfg, open: None }
    }

    fn open_next(&mut self) -> PipelineResult<()> {
        let Some(data) = self.prev.next_data()? else { return Err(PipelineError::NotEnoughData.temp()) };
        let origin = self.prev.origin().ok_or(PipelineError::MissingOrigin.crit())?;
        let limit = self.cfg.max_rlp_bytes_per_channel(origin.timestamp) as usize;
        match decompress_channel(&data, limit, self.cfg.is_fjord_active(origin.timestamp)) {
            Ok(d) => {
                self.open = Some(OpenChannel { data: d.data, cursor: 0 });
                Ok(())
            }
            Err(_) => Err(PipelineError::NotEnoughData.temp()),
        }
    }
}

impl<P: ChannelReaderProvider> BatchStreamProvider for ChannelReader<P> {
    fn next_batch(&mut self) -> PipelineResult<StreamBatch> {
        if self.open.is_none() {
            self.open_next()?;
        }
        let open = self.open.as_mut().expect("opened above");
        let mut reader = BatchReader::new(&open.data[open.cursor..]);
        let batch = match reader.next() {
            Some(Ok(batch)) => batch,
            // End of the channel, or a malformed batch: the rest of the channel is dropped.
            _ => {
                self.open = None;
                return Err(PipelineError::NotEnoughData.temp());
            }
        };
        open.cursor += reader.cursor();
        let origin = self.prev.origin().ok_or(PipelineError::MissingOrigin.crit())?;
        match batch {
            Batch::Single(b) => Ok(StreamBatch::Single(b)),
            Batch::Span(_) if !self.cfg.is_delta_active(origin.timestamp) => Err(PipelineError::NotEnoughData.temp()),
            Batch::Span(raw) => match raw.derive(self.cfg.block_time, self.cfg.genesis.l2_time, self.cfg.l2_chain_id) {
                Ok(span) => Ok(StreamBatch::Span(span)),
                Err(_) => Err(PipelineError::NotEnoughData.temp()),
            },
        }
    }

    fn flush(&mut self) {
        self.open = None;
        // The channel stage drops its partial channel too (op-node forwards `FlushChannel` down); the stages
        // below ignore the signal, so the result carries nothing.
        let _ = self.prev.signal(Signal::FlushChannel);
    }
}

impl<P: ChannelReaderProvider> OriginProvider for ChannelReader<P> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev.origin()
    }
}

impl<P: ChannelReaderProvider> OriginAdvancer for ChannelReader<P> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev.advance_origin()
    }
}

impl<P: ChannelReaderProvider> SignalReceiver for ChannelReader<P> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.open = None;
        self.prev.signal(signal)
    }
}
