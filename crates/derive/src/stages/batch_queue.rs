//! The batch stages that pick the next block's batch: the pre-Holocene [`BatchQueue`] (buffers batches,
//! accepts them in any order) and the Holocene [`BatchValidator`] (strictly ordered), sharing the L1 origin
//! window and the empty-batch rule of op-node's `baseBatchStage`.

use crate::{
    errors::{PipelineError, ResetError},
    signal::Signal,
    stages::StreamBatch,
    traits::{L2ChainProvider, NextBatchProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    validity::{check_singular_batch, check_span_batch, BatchValidity},
    PipelineResult,
};
use alloc::{collections::VecDeque, sync::Arc, vec::Vec};
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo, SingleBatch};

/// The L1 blocks from the safe head's epoch to the current origin, and the singular batches left from the
/// current span batch.
#[derive(Debug, Clone, Default)]
pub(crate) struct BatchWindow {
    origin: Option<BlockInfo>,
    l1_blocks: Vec<BlockInfo>,
    next_span: VecDeque<SingleBatch>,
}

impl BatchWindow {
    fn reset(&mut self, base: BlockInfo) {
        self.origin = Some(base);
        self.l1_blocks = alloc::vec![base];
        self.next_span.clear();
    }

    /// op-node `updateOrigins`: follow the stage origin, then drop epochs older than the parent's.
    fn update(&mut self, prev_origin: Option<BlockInfo>, parent: &L2BlockInfo) {
        let behind = prev_origin.is_some_and(|o| o.number < parent.l1_origin.number);
        if self.origin != prev_origin {
            self.origin = prev_origin;
            if behind {
                self.l1_blocks.clear();
            } else if let Some(o) = prev_origin {
                self.l1_blocks.push(o);
            }
        }
        if self.l1_blocks.first().is_some_and(|b| parent.l1_origin.number > b.number) {
            if let Some(i) = self.l1_blocks.iter().position(|b| b.number == parent.l1_origin.number) {
                self.l1_blocks.drain(..i);
            }
        }
    }

    /// op-node `nextFromSpanBatch`.
    fn next_from_span(&mut self, cfg: &RollupConfig, parent: &L2BlockInfo) -> Option<(SingleBatch, bool)> {
        let next = self.next_span.front()?;
        if next.timestamp != parent.block_info.timestamp + cfg.block_time {
            self.next_span.clear();
            return None;
        }
        let mut batch = self.next_span.pop_front()?;
        batch.parent_hash = parent.block_info.hash;
        Some((batch, self.next_span.is_empty()))
    }

    /// The safe head's L1 origin must be the window's first epoch or the one before it.
    fn check_epoch(&self, parent: &L2BlockInfo) -> PipelineResult<()> {
        let epoch =
            self.l1_blocks.first().ok_or(PipelineError::Invariant("no L1 origin in the batch window").crit())?;
        if parent.l1_origin != epoch.id() && parent.l1_origin.number.wrapping_add(1) != epoch.number {
            return Err(ResetError::L1OriginMismatch.reset());
        }
        Ok(())
    }

    /// op-node `deriveNextEmptyBatch`: once the sequencing window of the first epoch has passed, fill the gap
    /// with deposit-only batches.
    fn next_empty_batch(
        &mut self,
        cfg: &RollupConfig,
        out_of_data: bool,
        parent: &L2BlockInfo,
    ) -> PipelineResult<SingleBatch> {
        let epoch =
            *self.l1_blocks.first().ok_or(PipelineError::Invariant("no L1 origin in the batch window").crit())?;
        let origin = self.origin.ok_or(PipelineError::MissingOrigin.crit())?;
        let expiry = epoch.number + cfg.seq_window_size;
        let force = (expiry == origin.number && out_of_data) || expiry < origin.number;
        if !force || self.l1_blocks.len() < 2 {
            return Err(PipelineError::Eof.temp());
        }
        let next_epoch = self.l1_blocks[1];
        let next_timestamp = parent.block_info.timestamp + cfg.block_time;
        let first_of_epoch = epoch.number == parent.l1_origin.number + 1;
        if next_timestamp < next_epoch.timestamp || first_of_epoch {
            return Ok(SingleBatch {
                parent_hash: parent.block_info.hash,
                epoch_num: epoch.number,
                epoch_hash: epoch.hash,
                timestamp: next_timestamp,
                transactions: Vec::new(),
            });
        }
        self.l1_blocks.remove(0);
        Err(PipelineError::Eof.temp())
    }
}

/// A batch waiting in the pre-Holocene queue with the L1 block it was read in.
#[derive(Debug, Clone)]
struct QueuedBatch {
    batch: StreamBatch,
    inclusion: BlockInfo,
}

/// The pre-Holocene batch queue (op-node `BatchQueue`).
#[derive(Debug, Clone)]
pub struct BatchQueue<P, L> {
    pub(crate) prev: P,
    cfg: Arc<RollupConfig>,
    l2: L,
    window: BatchWindow,
    batches: Vec<QueuedBatch>,
}

fn check_batch<L: L2ChainProvider>(
    cfg: &RollupConfig,
    l1: &[BlockInfo],
    parent: &L2BlockInfo,
    q: &QueuedBatch,
    l2: &mut L,
) -> BatchValidity {
    match &q.batch {
        StreamBatch::Single(b) => check_singular_batch(cfg, l1, parent, b, &q.inclusion),
        StreamBatch::Span(s) => check_span_batch(cfg, l1, parent, s, &q.inclusion, l2),
    }
}

impl<P: NextBatchProvider, L: L2ChainProvider> BatchQueue<P, L> {
    /// The stage over `prev`, validating against `l2`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>, l2: L) -> Self {
        Self {
            prev,
            cfg,
            l2,
            window: BatchWindow { origin: None, l1_blocks: Vec::new(), next_span: VecDeque::new() },
            batches: Vec::new(),
        }
    }

    /// The next batch for the block after `parent`, and whether it ends its span batch.
    pub fn next_batch(&mut self, parent: L2BlockInfo) -> PipelineResult<(SingleBatch, bool)> {
        if let Some(next) = self.window.next_from_span(&self.cfg, &parent) {
            return Ok(next);
        }
        self.window.update(self.prev.origin(), &parent);
        let behind = self.prev.origin().is_some_and(|o| o.number < parent.l1_origin.number);
        let mut out_of_data = false;
        match self.prev.next_batch(parent, &self.window.l1_blocks) {
            Ok(batch) if !behind => {
                let inclusion = self.window.origin.ok_or(PipelineError::MissingOrigin.crit())?;
                let q = QueuedBatch { batch, inclusion };
                if check_batch(&self.cfg, &self.window.l1_blocks, &parent, &q, &mut self.l2) != BatchValidity::Drop {
                    self.batches.push(q);
                }
            }
            Ok(_) => {}
            Err(e) if e.is_eof() => out_of_data = true,
            Err(e) => return Err(e),
        }
        if behind {
            return Err(if out_of_data { PipelineError::Eof } else { PipelineError::NotEnoughData }.temp());
        }
        let batch = match self.derive_next_batch(out_of_data, &parent) {
            Ok(b) => b,
            Err(e) if e.is_eof() && out_of_data => return Err(e),
            Err(e) if e.is_eof() => return Err(PipelineError::NotEnoughData.temp()),
            Err(e) => return Err(e),
        };
        match batch {
            StreamBatch::Single(b) => Ok((b, true)),
            StreamBatch::Span(span) => {
                let singles = span
                    .singular_batches(&self.window.l1_blocks, &parent)
                    .map_err(|_| PipelineError::Invariant("accepted span batch has no singular batches").crit())?;
                self.window.next_span = singles.into();
                let mut first =
                    self.window.next_span.pop_front().ok_or(PipelineError::Invariant("empty span batch").crit())?;
                first.parent_hash = parent.block_info.hash;
                Ok((first, self.window.next_span.is_empty()))
            }
        }
    }

    fn derive_next_batch(&mut self, out_of_data: bool, parent: &L2BlockInfo) -> PipelineResult<StreamBatch> {
        self.window.check_epoch(parent)?;
        let mut next = None;
        let mut remaining = Vec::new();
        let queued = core::mem::take(&mut self.batches);
        let mut iter = queued.into_iter();
        while let Some(q) = iter.next() {
            match check_batch(&self.cfg, &self.window.l1_blocks, parent, &q, &mut self.l2) {
                BatchValidity::Future => remaining.push(q),
                BatchValidity::Drop | BatchValidity::Past => {}
                BatchValidity::Accept => {
                    next = Some(q.batch);
                    remaining.extend(iter.by_ref());
                    break;
                }
                BatchValidity::Undecided => {
                    remaining.push(q);
                    remaining.extend(iter.by_ref());
                    self.batches = remaining;
                    return Err(PipelineError::Eof.temp());
                }
            }
        }
        self.batches = remaining;
        if let Some(b) = next {
            return Ok(b);
        }
        self.window.next_empty_batch(&self.cfg, out_of_data, parent).map(StreamBatch::Single)
    }
}

/// The Holocene batch validator (op-node `BatchStage`): the next batch must be valid for the next block, or it
/// is dropped and its channel flushed.
#[derive(Debug, Clone)]
pub struct BatchValidator<P> {
    pub(crate) prev: P,
    cfg: Arc<RollupConfig>,
    window: BatchWindow,
}

impl<P: NextBatchProvider> BatchValidator<P> {
    /// The stage over `prev`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>) -> Self {
        Self { prev, cfg, window: BatchWindow { origin: None, l1_blocks: Vec::new(), next_span: VecDeque::new() } }
    }

    /// The next batch for the block after `parent`, and whether it ends its span batch.
    pub fn next_batch(&mut self, parent: L2BlockInfo) -> PipelineResult<(SingleBatch, bool)> {
        self.window.update(self.prev.origin(), &parent);
        let origin = self.window.origin.ok_or(PipelineError::MissingOrigin.crit())?;
        let behind = origin.number < parent.l1_origin.number;
        if behind || parent.l1_origin.number == origin.number {
            // The next epoch's L1 block is needed before a batch can be judged: drain the stage below.
            self.prev.next_batch(parent, &self.window.l1_blocks)?;
            return Err(PipelineError::NotEnoughData.temp());
        }
        if self.window.l1_blocks.len() < 2 {
            return Err(PipelineError::Invariant("batch validator needs two L1 blocks").crit());
        }
        self.window.check_epoch(&parent)?;
        let batch = match self.prev.next_batch(parent, &self.window.l1_blocks) {
            Ok(StreamBatch::Single(b)) => b,
            Ok(StreamBatch::Span(_)) => return Err(PipelineError::Invariant("span batch past the batch stream").crit()),
            Err(e) if e.is_eof() => {
                let empty = self.window.next_empty_batch(&self.cfg, true, &parent)?;
                return Ok((empty, true));
            }
            Err(e) => return Err(e),
        };
        let last = self.prev.span_buffer_size() == 0;
        match check_singular_batch(&self.cfg, &self.window.l1_blocks, &parent, &batch, &origin) {
            BatchValidity::Accept => Ok((batch, last)),
            BatchValidity::Drop => {
                self.prev.flush();
                Err(PipelineError::NotEnoughData.temp())
            }
            BatchValidity::Past | BatchValidity::Undecided => Err(PipelineError::NotEnoughData.temp()),
            BatchValidity::Future => Err(PipelineError::Invariant("future batch under Holocene").crit()),
        }
    }
}

/// Switches between the batch queue (before Holocene) and the batch validator (Holocene) as the channel
/// provider does: by the reset origin's time, or on the activation signal.
#[derive(Debug, Clone)]
pub struct BatchProvider<P, L> {
    cfg: Arc<RollupConfig>,
    l2: L,
    active: Option<ActiveBatchStage<P, L>>,
    last_in_span: bool,
}

#[derive(Debug, Clone)]
enum ActiveBatchStage<P, L> {
    Queue(BatchQueue<P, L>),
    Validator(BatchValidator<P>),
}

impl<P: NextBatchProvider, L: L2ChainProvider + Clone> BatchProvider<P, L> {
    /// Starts with the batch queue; the first reset picks the stage for its origin.
    pub fn new(prev: P, cfg: Arc<RollupConfig>, l2: L) -> Self {
        let queue = BatchQueue::new(prev, Arc::clone(&cfg), l2.clone());
        Self { cfg, l2, active: Some(ActiveBatchStage::Queue(queue)), last_in_span: false }
    }

    fn prev(&self) -> &P {
        match self.active.as_ref().expect("active stage") {
            ActiveBatchStage::Queue(q) => &q.prev,
            ActiveBatchStage::Validator(v) => &v.prev,
        }
    }

    fn prev_mut(&mut self) -> &mut P {
        match self.active.as_mut().expect("active stage") {
            ActiveBatchStage::Queue(q) => &mut q.prev,
            ActiveBatchStage::Validator(v) => &mut v.prev,
        }
    }

    fn switch(&mut self, holocene: bool) {
        let cfg = Arc::clone(&self.cfg);
        self.active = Some(match self.active.take().expect("active stage") {
            ActiveBatchStage::Queue(q) if holocene => ActiveBatchStage::Validator(BatchValidator::new(q.prev, cfg)),
            ActiveBatchStage::Validator(v) if !holocene => {
                ActiveBatchStage::Queue(BatchQueue::new(v.prev, cfg, self.l2.clone()))
            }
            other => other,
        });
    }

    fn window_mut(&mut self) -> &mut BatchWindow {
        match self.active.as_mut().expect("active stage") {
            ActiveBatchStage::Queue(q) => &mut q.window,
            ActiveBatchStage::Validator(v) => &mut v.window,
        }
    }
}

impl<P: NextBatchProvider, L: L2ChainProvider + Clone> crate::traits::AttributesProvider for BatchProvider<P, L> {
    fn next_batch(&mut self, parent: L2BlockInfo) -> PipelineResult<SingleBatch> {
        let (batch, last) = match self.active.as_mut().expect("active stage") {
            ActiveBatchStage::Queue(q) => q.next_batch(parent)?,
            ActiveBatchStage::Validator(v) => v.next_batch(parent)?,
        };
        self.last_in_span = last;
        Ok(batch)
    }

    fn is_last_in_span(&self) -> bool {
        self.last_in_span
    }
}

impl<P: NextBatchProvider, L: L2ChainProvider + Clone> OriginProvider for BatchProvider<P, L> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev().origin()
    }
}

impl<P: NextBatchProvider, L: L2ChainProvider + Clone> OriginAdvancer for BatchProvider<P, L> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev_mut().advance_origin()
    }
}

impl<P: NextBatchProvider, L: L2ChainProvider + Clone> SignalReceiver for BatchProvider<P, L> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.prev_mut().signal(signal)?;
        match signal {
            Signal::Reset(r) => {
                self.switch(self.cfg.is_holocene_active(r.l1_origin.timestamp));
                if let Some(ActiveBatchStage::Queue(q)) = self.active.as_mut() {
                    q.batches.clear();
                }
                self.window_mut().reset(r.l1_origin);
            }
            Signal::Activation(a) => {
                self.switch(true);
                self.window_mut().reset(a.l1_origin);
            }
            Signal::FlushChannel => {
                if let Some(ActiveBatchStage::Validator(v)) = self.active.as_mut() {
                    v.window.next_span.clear();
                    v.prev.flush();
                }
            }
        }
        Ok(())
    }
}
