//! L1 retrieval: batcher data of each L1 block traversal hands out, one item per call.

use crate::{
    errors::PipelineError,
    signal::Signal,
    traits::{
        DataAvailabilityProvider, FrameQueueProvider, L1RetrievalProvider, OriginAdvancer, OriginProvider,
        SignalReceiver,
    },
    PipelineResult,
};
use alloy_primitives::Bytes;
use rampart_protocol::BlockInfo;

/// Reads the batcher data of the block traversal is at, through a data availability source.
#[derive(Debug, Clone)]
pub struct L1Retrieval<D, P> {
    prev: P,
    source: D,
    next: Option<BlockInfo>,
}

impl<D: DataAvailabilityProvider, P: L1RetrievalProvider> L1Retrieval<D, P> {
    /// The stage over traversal `prev` and source `source`.
    pub const fn new(prev: P, source: D) -> Self {
        Self { prev, source, next: None }
    }
}

impl<D: DataAvailabilityProvider, P: L1RetrievalProvider> FrameQueueProvider for L1Retrieval<D, P> {
    fn next_data(&mut self) -> PipelineResult<Bytes> {
        if self.next.is_none() {
            self.next = Some(self.prev.next_l1_block()?.ok_or(PipelineError::Eof.temp())?);
        }
        let block = self.next.expect("set above");
        match self.source.next(&block, self.prev.batcher_addr()) {
            Err(e) if e.is_eof() => {
                // The block is exhausted: traversal must advance before more data comes.
                self.next = None;
                self.source.clear();
                Err(e)
            }
            other => other,
        }
    }
}

impl<D: DataAvailabilityProvider, P: L1RetrievalProvider> OriginProvider for L1Retrieval<D, P> {
    fn origin(&self) -> Option<BlockInfo> {
        self.prev.origin()
    }
}

impl<D: DataAvailabilityProvider, P: L1RetrievalProvider> OriginAdvancer for L1Retrieval<D, P> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        self.prev.advance_origin()
    }
}

impl<D: DataAvailabilityProvider, P: L1RetrievalProvider> SignalReceiver for L1Retrieval<D, P> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        self.prev.signal(signal)?;
        if signal.reset_payload().is_some() {
            self.source.clear();
            self.next = self.prev.origin();
        }
        Ok(())
    }
}
