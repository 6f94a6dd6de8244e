//! Batch stream (Holocene): span batches are validated as a whole (prefix and overlap) and split into singular
//! batches here, so the batch validator above sees only singular batches. Before Holocene it passes batches
//! through to the batch queue.

use crate::{
    errors::PipelineError,
    signal::Signal,
    stages::StreamBatch,
    traits::{BatchStreamProvider, L2ChainProvider, NextBatchProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    validity::{check_span_batch_holocene, BatchValidity},
    PipelineResult,
};
use alloc::{collections::VecDeque, sync::Arc};
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo, SingleBatch};

/// Splits span batches into singular batches from Holocene on.
#[derive(Debug, Clone)]
pub struct BatchStream<P, L> {
    prev: P,
    cfg: Arc<RollupConfig>,
    l2: L,
    buffer: VecDeque<SingleBatch>,
}

impl<P: BatchStreamProvider, L: L2ChainProvider> BatchStream<P, L> {
    /// The stage over `prev`, validating span batches against `l2`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>, l2: L) -> Self {
        Self { prev, cfg, l2, buffer: VecDeque::new() }
    }

    fn holocene(&self) -> PipelineResult<bool> {
        let origin = self.prev.origin().ok_or(PipelineError::MissingOrigin.crit())?;
        Ok(self.cfg.is_holocene_active(origin.timestamp))
    }

    /// The next buffered singular batch if it is the block after `parent` (with the parent hash filled in);
    /// a buffer that does not continue `parent` is dropped (op-node `nextFromSpanBatch`).
    fn pop_for(&mut self, parent: &L2BlockInfo) -> Option<SingleBatch> {
        let next = self.buffer.front()?;
        if next.timestamp != parent.block_info.timestamp + self.cfg.block_time {
            self.buffer.clear();
            return None;
        }
        let mut batch = self.buffer.pop_front()?;
        batch.parent_hash = parent.block_info.hash;
        Some(batch)
    }
}

impl<P: BatchStreamProvider, L: L2ChainProvider> NextBatchProvider for BatchStream<P, L> {
    fn next_batch(&mut self, parent: L2BlockInfo, l1_origins: &[BlockInfo]) -> PipelineResult<StreamBatch> {
        if !self.holocene()? {
            return self.prev.next_batch();
        }
        if let Some(b) = self.pop_for(&parent) {
            return Ok(StreamBatch::Single(b));
        }
        let span = match self.prev.next_batch()? {
            StreamBatch::Single(b) => return Ok(StreamBatch::Single(b)),
            StreamBatch::Span(span) => span,
        };
        let inclusion = self.prev.origin().ok_or(PipelineError::MissingOrigin.crit())?;
        match check_span_batch_holocene(&self.cfg, l1_origins, &parent, &span, &inclusion, &mut self.l2) {
            BatchValidity::Accept => {}
            BatchValidity::Drop => {
                self.flush();
                return Err(PipelineError::NotEnoughData.temp());
            }
            // Past: dropped silently; Undecided: the span was consumed and is not retried (op-node).
            BatchValidity::Past | BatchValidity::Undecided => return Err(PipelineError::NotEnoughData.temp()),
            BatchValidity::Future => return Err(PipelineError::Invariant("future span batch under Holocene").crit()),
        }
        match span.singular_batches(l1_origins, &parent) {
            Ok(batches) => self.buffer = batches.into(),
            Err(_) => {
                self.flush();
                return Err(PipelineError::NotEnoughData.temp());
            }
        }
        // The first block is handed on unchecked: the batch validator's singular rules judge it (op-node
        // `popNextBatch`).
        let mut first = self.buffer.pop_front().ok_or(PipelineError::NotEnoughData.temp())?;
        first.parent_hash = parent.block_info.hash;
        Ok(StreamBatch::Single(first))
    }

    fn flush(&mut self) {
        self.buffer.clear();
        self.prev.flush();
    }

    fn span_buffer_size(&self) -> usize {
        self.buffer.len()
    }
}

impl<P: BatchStreamProvider, L: L2ChainProvider> OriginProvider for BatchStream<P, L> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev.origin()
    }
}

impl<P: BatchStreamProvider, L: L2ChainProvider> OriginAdvancer for BatchStream<P, L> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev.advance_origin()
    }
}

impl<P: BatchStreamProvider, L: L2ChainProvider> SignalReceiver for BatchStream<P, L> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.buffer.clear();
        self.prev.signal(signal)
    }
}
