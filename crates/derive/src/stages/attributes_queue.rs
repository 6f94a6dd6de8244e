//! Attributes queue: turns the next valid batch into payload attributes through an [`AttributesBuilder`]
//! (the L1-info deposit, user deposits and upgrade transactions come from the builder; the batch's
//! transactions follow them).

use crate::{
    errors::ResetError,
    signal::Signal,
    traits::{AttributesProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    PipelineResult,
};
use alloc::{sync::Arc, vec::Vec};
use alloy_eips::BlockNumHash;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo, SingleBatch};

/// Builds the attributes of the block after `parent` in epoch `epoch`, without the batch's transactions.
pub trait AttributesBuilder {
    /// The attributes: timestamp, fee recipient, prev randao, gas limit, the deposit transactions (L1-info
    /// first), withdrawals and the fork fields.
    fn prepare_payload_attributes(
        &mut self,
        parent: L2BlockInfo,
        epoch: BlockNumHash,
    ) -> PipelineResult<OpPayloadAttributes>;
}

/// Payload attributes with the block they build on and where they came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpAttributesWithParent {
    /// The attributes (`no_tx_pool` set, batch transactions appended).
    pub inner: OpPayloadAttributes,
    /// The L2 block they build on.
    pub parent: L2BlockInfo,
    /// The L1 block the batch was derived from.
    pub derived_from: Option<BlockInfo>,
    /// Whether the batch was the last block of its span batch.
    pub is_last_in_span: bool,
}

/// The top stage: batches in, payload attributes out.
#[derive(Debug, Clone)]
pub struct AttributesQueue<P, B> {
    prev: P,
    cfg: Arc<RollupConfig>,
    builder: B,
    batch: Option<SingleBatch>,
    is_last_in_span: bool,
}

impl<P: AttributesProvider, B: AttributesBuilder> AttributesQueue<P, B> {
    /// The stage over `prev` with `builder`.
    pub const fn new(prev: P, cfg: Arc<RollupConfig>, builder: B) -> Self {
        Self { prev, cfg, builder, batch: None, is_last_in_span: false }
    }

    /// The attributes of the block after `parent`.
    pub fn next_attributes(&mut self, parent: L2BlockInfo) -> PipelineResult<OpAttributesWithParent> {
        if self.batch.is_none() {
            self.batch = Some(self.prev.next_batch(parent)?);
            self.is_last_in_span = self.prev.is_last_in_span();
        }
        let batch = self.batch.clone().expect("loaded above");
        let inner = self.create_next_attributes(&batch, parent)?;
        self.batch = None;
        Ok(OpAttributesWithParent { inner, parent, derived_from: self.origin(), is_last_in_span: self.is_last_in_span })
    }

    fn create_next_attributes(
        &mut self,
        batch: &SingleBatch,
        parent: L2BlockInfo,
    ) -> PipelineResult<OpPayloadAttributes> {
        if batch.parent_hash != parent.block_info.hash {
            return Err(ResetError::BadBatch("batch parent hash is not the safe head").reset());
        }
        if parent.block_info.timestamp + self.cfg.block_time != batch.timestamp {
            return Err(ResetError::BadBatch("batch timestamp is not the next block's").reset());
        }
        let mut attrs = self.builder.prepare_payload_attributes(parent, batch.epoch())?;
        attrs.no_tx_pool = Some(true);
        let mut txs: Vec<_> = attrs.transactions.take().unwrap_or_default();
        txs.extend(batch.transactions.iter().cloned());
        attrs.transactions = Some(txs);
        Ok(attrs)
    }
}

impl<P: AttributesProvider, B: AttributesBuilder> OriginProvider for AttributesQueue<P, B> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev.origin()
    }
}

impl<P: AttributesProvider, B: AttributesBuilder> OriginAdvancer for AttributesQueue<P, B> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev.advance_origin()
    }
}

impl<P: AttributesProvider, B: AttributesBuilder> SignalReceiver for AttributesQueue<P, B> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        if signal.reset_payload().is_some() {
            self.batch = None;
            self.is_last_in_span = false;
        }
        self.prev.signal(signal)
    }
}

/// What one pipeline step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepResult {
    /// Attributes were prepared and queued (read them through the `Iterator` impl).
    PreparedAttributes,
    /// The stages ran out of data at the current origin and traversal moved to the next L1 block.
    AdvancedOrigin,
    /// Advancing the origin failed (e.g. [`crate::PipelineError::EndOfSource`] at the L1 head).
    OriginAdvanceErr(crate::PipelineErrorKind),
    /// The step failed.
    StepFailed(crate::PipelineErrorKind),
}

/// The whole pipeline: the attributes queue over every stage, stepped by the driver; prepared attributes come
/// out of it as an iterator.
#[derive(Debug, Clone)]
pub struct Pipeline<P, B> {
    attributes: AttributesQueue<P, B>,
    prepared: alloc::collections::VecDeque<OpAttributesWithParent>,
}

impl<P: AttributesProvider, B: AttributesBuilder> Pipeline<P, B> {
    /// The pipeline over its top stage.
    pub const fn new(attributes: AttributesQueue<P, B>) -> Self {
        Self { attributes, prepared: alloc::collections::VecDeque::new() }
    }

    /// One step on top of `cursor` (the current safe head).
    pub fn step(&mut self, cursor: L2BlockInfo) -> StepResult {
        match self.attributes.next_attributes(cursor) {
            Ok(a) => {
                self.prepared.push_back(a);
                StepResult::PreparedAttributes
            }
            Err(e) if e.is_eof() => match self.attributes.advance_origin() {
                Ok(()) => StepResult::AdvancedOrigin,
                Err(e) => StepResult::OriginAdvanceErr(e),
            },
            Err(e) => StepResult::StepFailed(e),
        }
    }

    /// The current L1 origin.
    pub fn origin(&self) -> Option<BlockInfo> {
        self.attributes.origin()
    }

    /// Sends a signal down every stage; a reset or activation drops prepared attributes.
    pub fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        if signal.reset_payload().is_some() {
            self.prepared.clear();
        }
        self.attributes.signal(signal)
    }
}

impl<P: AttributesProvider, B: AttributesBuilder> Iterator for Pipeline<P, B> {
    type Item = OpAttributesWithParent;

    /// The next prepared attributes.
    fn next(&mut self) -> Option<OpAttributesWithParent> {
        self.prepared.pop_front()
    }
}
