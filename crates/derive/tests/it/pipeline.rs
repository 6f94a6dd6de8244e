//! Generated L2 chains posted by a batcher (singular and span batches, zlib and brotli channels, frames split
//! over transactions, reordered and duplicated before Holocene) are derived back block for block.

use crate::{
    harness::{L2Chain, Rng, TimestampBuilder},
    scenario::{config, scenario, Scenario, INBOX},
};
use rampart_derive::{
    sources::CalldataSource,
    stages::{
        AttributesQueue, BatchProvider, BatchStream, ChannelProvider, ChannelReader, FrameQueue, L1Retrieval,
        L1Traversal, Pipeline, StepResult,
    },
    PipelineError, PipelineErrorKind, ResetSignal, Signal,
};
use std::sync::Arc;

/// Runs the pipeline over `s` and returns how many L2 blocks it derived matching the generated chain.
fn derive_all(s: &Scenario, holocene: bool) -> usize {
    let cfg = Arc::new(config(holocene, s.batcher));
    let l2 = L2Chain::default();
    let traversal = L1Traversal::new(s.l1.clone(), cfg.clone());
    let retrieval = L1Retrieval::new(traversal, CalldataSource::new(s.l1.clone(), INBOX));
    let frames = FrameQueue::new(retrieval, cfg.clone());
    let channels = ChannelProvider::new(frames, cfg.clone());
    let reader = ChannelReader::new(channels, cfg.clone());
    let stream = BatchStream::new(reader, cfg.clone(), l2.clone());
    let batches = BatchProvider::new(stream, cfg.clone(), l2);
    let mut pipeline = Pipeline::new(AttributesQueue::new(batches, cfg.clone(), TimestampBuilder(2)));
    let mut safe_head = s.l2_blocks[0].0;
    pipeline
        .signal(Signal::Reset(ResetSignal {
            l2_safe_head: safe_head,
            l1_origin: s.l1.blocks[0],
            system_config: cfg.genesis.system_config,
        }))
        .unwrap();
    let mut derived = 0;
    for _ in 0..1_000_000 {
        match pipeline.step(safe_head) {
            StepResult::PreparedAttributes => {
                let attrs = pipeline.next().unwrap();
                let (expected, txs) = &s.l2_blocks[derived + 1];
                assert_eq!(
                    attrs.inner.payload_attributes.timestamp,
                    expected.block_info.timestamp,
                    "block {}",
                    derived + 1
                );
                assert_eq!(
                    attrs.inner.payload_attributes.prev_randao,
                    expected.l1_origin.hash,
                    "epoch of block {}",
                    derived + 1
                );
                assert_eq!(
                    attrs.inner.transactions.as_deref().unwrap_or_default(),
                    &txs[..],
                    "txs of block {}",
                    derived + 1
                );
                safe_head = *expected;
                derived += 1;
                if derived + 1 == s.l2_blocks.len() {
                    return derived;
                }
            }
            StepResult::AdvancedOrigin => {}
            StepResult::OriginAdvanceErr(PipelineErrorKind::Critical(PipelineError::EndOfSource)) => {
                return derived;
            }
            StepResult::OriginAdvanceErr(e) => panic!("origin advance failed: {e}"),
            StepResult::StepFailed(PipelineErrorKind::Temporary(_)) => {}
            StepResult::StepFailed(e) => panic!("step failed at block {}: {e}", derived + 1),
        }
    }
    panic!("pipeline did not finish");
}

#[test]
fn posted_chains_derive_back_pre_holocene_and_holocene() {
    let mut rng = Rng(11);
    let mut total = 0;
    for case in 0..40 {
        let holocene = case % 2 == 1;
        let count = 60 + rng.below(60);
        let s = scenario(&mut rng, holocene, count, false);
        let derived = derive_all(&s, holocene);
        assert_eq!(derived + 1, s.l2_blocks.len(), "case {case} (holocene {holocene}) derived {derived} blocks");
        total += derived;
    }
    println!("40 posted chains, {total} blocks derived back");
    assert_eq!(total, 3_495, "deterministic scenarios");
}
