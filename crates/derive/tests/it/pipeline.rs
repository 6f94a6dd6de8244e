//! Generated L2 chains posted by a batcher (singular and span batches, zlib and brotli channels, frames split
//! over transactions, reordered and duplicated before Holocene) are derived back block for block through
//! the real stages: `L1Traversal` at the bottom, `StatefulAttributesBuilder` at the top (L1-info deposit,
//! the epoch's user deposits, then the batch's transactions).

use crate::{
    harness::{L2Chain, Rng},
    scenario::{config, scenario, Scenario, INBOX},
};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::Bytes;
use rampart_derive::{
    sources::CalldataSource,
    stages::{
        AttributesQueue, BatchProvider, BatchStream, ChannelProvider, ChannelReader, FrameQueue, L1Retrieval,
        L1Traversal, Pipeline, StepResult,
    },
    PipelineError, PipelineErrorKind, ResetSignal, Signal, StatefulAttributesBuilder,
};
use rampart_protocol::{user_deposits, L1InfoFormat, L1InfoTx};
use std::sync::Arc;

/// Runs the pipeline over `s` and returns how many L2 blocks it derived matching the generated chain.
fn derive_all(s: &Scenario, holocene: bool, deposit_count: &mut usize) -> usize {
    let mut cfg = config(holocene, s.batcher);
    cfg.genesis.l1 = s.l1.blocks[0].id();
    let cfg = Arc::new(cfg);
    let l2 = L2Chain::default();
    let traversal = L1Traversal::new(s.l1.clone(), cfg.clone());
    let retrieval = L1Retrieval::new(traversal, CalldataSource::new(s.l1.clone(), INBOX));
    let frames = FrameQueue::new(retrieval, cfg.clone());
    let channels = ChannelProvider::new(frames, cfg.clone());
    let reader = ChannelReader::new(channels, cfg.clone());
    let stream = BatchStream::new(reader, cfg.clone(), l2.clone());
    let batches = BatchProvider::new(stream, cfg.clone(), l2.clone());
    let builder = StatefulAttributesBuilder::new(cfg.clone(), l2, s.l1.clone());
    let mut pipeline = Pipeline::new(AttributesQueue::new(batches, cfg.clone(), builder));
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
                // The builder's part: the L1-info deposit of the right epoch and position, the epoch's user
                // deposits in its first block, the epoch's mix hash; then the batch's transactions.
                let epoch = &s.l1.headers[&expected.l1_origin.hash];
                assert_eq!(attrs.inner.payload_attributes.prev_randao, epoch.mix_hash, "block {}", derived + 1);
                let all = attrs.inner.transactions.as_deref().unwrap_or_default();
                let info = l1_info(&all[0]);
                assert_eq!(info.format, L1InfoFormat::Ecotone);
                assert_eq!(
                    (info.info.number, info.info.block_hash, info.info.sequence_number, info.info.batcher_address),
                    (expected.l1_origin.number, expected.l1_origin.hash, expected.seq_num, s.batcher),
                    "L1 info of block {}",
                    derived + 1
                );
                let deposits: Vec<Bytes> = if expected.seq_num == 0 {
                    let receipts = s.l1.receipts.get(&expected.l1_origin.hash).cloned().unwrap_or_default();
                    let d = user_deposits(&receipts, cfg.deposit_contract_address, expected.l1_origin.hash).unwrap();
                    d.iter().map(|d| Bytes::from(d.encoded_2718())).collect()
                } else {
                    Vec::new()
                };
                *deposit_count += deposits.len();
                assert_eq!(&all[1..1 + deposits.len()], &deposits[..], "deposits of block {}", derived + 1);
                assert_eq!(&all[1 + deposits.len()..], &txs[..], "txs of block {}", derived + 1);
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
    let (mut total, mut deposits) = (0, 0);
    for case in 0..40 {
        let holocene = case % 2 == 1;
        let count = 60 + rng.below(60);
        let s = scenario(&mut rng, holocene, count, false);
        let derived = derive_all(&s, holocene, &mut deposits);
        assert_eq!(derived + 1, s.l2_blocks.len(), "case {case} (holocene {holocene}) derived {derived} blocks");
        total += derived;
    }
    println!("40 posted chains, {total} blocks derived back with {deposits} user deposits");
    assert_eq!((total, deposits), (3_495, 497), "deterministic scenarios");
}

/// The L1-info values of a block's first transaction.
fn l1_info(tx: &Bytes) -> L1InfoTx {
    match op_alloy_consensus::OpTxEnvelope::decode_2718(&mut tx.as_ref()).expect("first tx decodes") {
        op_alloy_consensus::OpTxEnvelope::Deposit(d) => L1InfoTx::decode_calldata(&d.inner().input).expect("L1 info"),
        other => panic!("first tx is not the L1-info deposit: {other:?}"),
    }
}
