//! Differential test against kona-derive 0.4.5 (async; driven here by a busy-polling executor): the same
//! generated L1 data, honest and hostile (lost, truncated, corrupted, duplicated, moved and stale batcher
//! transactions, batches on the wrong parent, sequencing windows that expire into deposit-only batches),
//! Holocene on and off: stage by stage, the frames of the frame queue, the channels of the channel provider,
//! the batches of the channel reader and the payload attributes of the whole pipeline must be the same from
//! both, except for documented differences of kona 0.4.5 from op-node, counted by kind (see [`Kind`]).

use crate::{
    harness::{L1Chain, L2Chain, Rng, TimestampBuilder, Traversal},
    scenario::{config_with, scenario, Scenario, INBOX},
};
use alloy_eips::eip2718::Encodable2718;
use alloy_eips_v1::eip2718::Decodable2718 as _;
use alloy_primitives::{keccak256, Bytes, B256};
use async_trait::async_trait;
use kona_derive as kd;
use kona_genesis as kg;
use kona_protocol as kp;
use rampart_derive::{
    sources::CalldataSource,
    stages::{
        AttributesQueue, BatchProvider, BatchStream, ChannelProvider, ChannelReader, FrameQueue, L1Retrieval, Pipeline,
        StepResult,
    },
    PipelineError, PipelineErrorKind, ResetSignal, Signal,
};
use rampart_genesis::RollupConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo};
use std::{
    collections::BTreeMap,
    future::Future,
    sync::{Arc, Mutex},
};

fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// What a pipeline produced for one block, in terms both sides share.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Derived {
    timestamp: u64,
    epoch: (u64, B256),
    txs: Vec<Bytes>,
    derived_from: Option<u64>,
    last_in_span: bool,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::enum_variant_names, reason = "EndOfSource is the pipeline's name for it")]
enum End {
    EndOfSource,
    Reset,
    Critical(String),
}

/// The safe head after `d` on `parent`: the generated block if `d` is it, else a synthetic one.
fn next_safe_head(s: &Scenario, parent: &L2BlockInfo, d: &Derived) -> L2BlockInfo {
    let n = parent.block_info.number + 1;
    if let Some((gen, txs)) = s.l2_blocks.get(n as usize) {
        if gen.block_info.parent_hash == parent.block_info.hash
            && gen.block_info.timestamp == d.timestamp
            && gen.l1_origin.hash == d.epoch.1
            && txs == &d.txs
        {
            return *gen;
        }
    }
    let mut pre = parent.block_info.hash.to_vec();
    pre.extend_from_slice(&d.timestamp.to_be_bytes());
    let seq = if parent.l1_origin.number == d.epoch.0 { parent.seq_num + 1 } else { 0 };
    L2BlockInfo::new(
        BlockInfo { hash: keccak256(pre), number: n, parent_hash: parent.block_info.hash, timestamp: d.timestamp },
        alloy_eips::BlockNumHash { number: d.epoch.0, hash: d.epoch.1 },
        seq,
    )
}

fn ours(s: &Scenario, cfg: &Arc<RollupConfig>, max_blocks: usize) -> (Vec<Derived>, End) {
    let l2 = Arc::new(Mutex::new(BTreeMap::new()));
    let shared = SharedL2(l2.clone());
    let traversal = Traversal { chain: s.l1.blocks.clone(), idx: 0, handed_out: false, batcher: s.batcher };
    let retrieval = L1Retrieval::new(traversal, CalldataSource::new(s.l1.clone(), INBOX));
    let frames = FrameQueue::new(retrieval, cfg.clone());
    let channels = ChannelProvider::new(frames, cfg.clone());
    let reader = ChannelReader::new(channels, cfg.clone());
    let stream = BatchStream::new(reader, cfg.clone(), shared.clone());
    let batches = BatchProvider::new(stream, cfg.clone(), shared);
    let mut pipeline = Pipeline::new(AttributesQueue::new(batches, cfg.clone(), TimestampBuilder(2)));
    let mut safe = s.l2_blocks[0].0;
    l2.lock().unwrap().insert(0, safe);
    pipeline
        .signal(Signal::Reset(ResetSignal {
            l2_safe_head: safe,
            l1_origin: s.l1.blocks[0],
            system_config: cfg.genesis.system_config,
        }))
        .unwrap();
    let mut out = Vec::new();
    loop {
        match pipeline.step(safe) {
            StepResult::PreparedAttributes => {
                let a = pipeline.next().unwrap();
                let d = Derived {
                    timestamp: a.inner.payload_attributes.timestamp,
                    epoch: (a.inner.gas_limit.unwrap(), a.inner.payload_attributes.prev_randao),
                    txs: a.inner.transactions.clone().unwrap_or_default(),
                    derived_from: a.derived_from.map(|b| b.number),
                    last_in_span: a.is_last_in_span,
                };
                safe = next_safe_head(s, &safe, &d);
                l2.lock().unwrap().insert(safe.block_info.number, safe);
                out.push(d);
                if out.len() == max_blocks {
                    return (out, End::EndOfSource);
                }
            }
            StepResult::AdvancedOrigin => {}
            StepResult::OriginAdvanceErr(PipelineErrorKind::Critical(PipelineError::EndOfSource)) => {
                return (out, End::EndOfSource)
            }
            StepResult::OriginAdvanceErr(PipelineErrorKind::Reset(_))
            | StepResult::StepFailed(PipelineErrorKind::Reset(_)) => return (out, End::Reset),
            StepResult::StepFailed(PipelineErrorKind::Temporary(_)) => {}
            StepResult::OriginAdvanceErr(e) | StepResult::StepFailed(e) => return (out, End::Critical(e.to_string())),
        }
    }
}

/// Our L2 provider over the derived chain shared with the driver.
#[derive(Debug, Clone)]
struct SharedL2(Arc<Mutex<BTreeMap<u64, L2BlockInfo>>>);

impl rampart_derive::L2ChainProvider for SharedL2 {
    type Error = crate::harness::Missing;
    fn l2_block_info_by_number(&mut self, n: u64) -> Result<L2BlockInfo, Self::Error> {
        self.0.lock().unwrap().get(&n).copied().ok_or(crate::harness::Missing("L2 block"))
    }
    fn block_by_number(&mut self, n: u64) -> Result<op_alloy_consensus::OpBlock, Self::Error> {
        // Bodies of derived blocks: the batch transactions (no deposits in these tests).
        let _ = n;
        Err(crate::harness::Missing("L2 body"))
    }
    fn system_config_by_number(
        &mut self,
        n: u64,
        cfg: &RollupConfig,
    ) -> Result<rampart_genesis::SystemConfig, Self::Error> {
        L2Chain::default().system_config_by_number(n, cfg)
    }
}

// ---- kona side ----

#[derive(Debug)]
struct KError(String, bool);

impl core::fmt::Display for KError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<KError> for kd::PipelineErrorKind {
    fn from(e: KError) -> Self {
        if e.1 {
            kd::PipelineError::EndOfSource.crit()
        } else {
            kd::PipelineError::Provider(e.0).temp()
        }
    }
}

fn kblock(b: &BlockInfo) -> kp::BlockInfo {
    kp::BlockInfo { hash: b.hash, number: b.number, parent_hash: b.parent_hash, timestamp: b.timestamp }
}

fn kl2(b: &L2BlockInfo) -> kp::L2BlockInfo {
    kp::L2BlockInfo {
        block_info: kblock(&b.block_info),
        l1_origin: alloy_eips_v1::BlockNumHash { number: b.l1_origin.number, hash: b.l1_origin.hash },
        seq_num: b.seq_num,
    }
}

#[derive(Debug, Clone)]
struct KChain {
    blocks: Vec<kp::BlockInfo>,
    txs: BTreeMap<B256, Vec<alloy_consensus_v1::TxEnvelope>>,
}

impl KChain {
    fn new(l1: &L1Chain) -> Self {
        let txs = l1
            .txs
            .iter()
            .map(|(h, txs)| {
                let converted = txs
                    .iter()
                    .map(|t| alloy_consensus_v1::TxEnvelope::decode_2718(&mut t.encoded_2718().as_slice()).unwrap())
                    .collect();
                (*h, converted)
            })
            .collect();
        Self { blocks: l1.blocks.iter().map(kblock).collect(), txs }
    }
}

#[async_trait]
impl kd::ChainProvider for KChain {
    type Error = KError;
    async fn header_by_hash(&mut self, _: B256) -> Result<alloy_consensus_v1::Header, KError> {
        Err(KError("header".into(), false))
    }
    async fn block_info_by_number(&mut self, n: u64) -> Result<kp::BlockInfo, KError> {
        self.blocks.get(n as usize).copied().ok_or(KError("end of L1".into(), true))
    }
    async fn receipts_by_hash(&mut self, _: B256) -> Result<Vec<alloy_consensus_v1::Receipt>, KError> {
        Ok(Vec::new())
    }
    async fn block_info_and_transactions_by_hash(
        &mut self,
        hash: B256,
    ) -> Result<(kp::BlockInfo, Vec<alloy_consensus_v1::TxEnvelope>), KError> {
        let b = *self.blocks.iter().find(|b| b.hash == hash).ok_or(KError("L1 block".into(), false))?;
        Ok((b, self.txs.get(&hash).cloned().unwrap_or_default()))
    }
}

#[derive(Debug, Clone)]
struct KL2(Arc<Mutex<BTreeMap<u64, kp::L2BlockInfo>>>, kg::SystemConfig);

#[async_trait]
impl kp::BatchValidationProvider for KL2 {
    type Error = KError;
    async fn l2_block_info_by_number(&mut self, n: u64) -> Result<kp::L2BlockInfo, KError> {
        self.0.lock().unwrap().get(&n).copied().ok_or(KError("L2 block".into(), false))
    }
    async fn block_by_number(&mut self, _: u64) -> Result<op_alloy_consensus_v018::OpBlock, KError> {
        Err(KError("L2 body".into(), false))
    }
}

#[async_trait]
impl kd::L2ChainProvider for KL2 {
    type Error = KError;
    async fn system_config_by_number(&mut self, _: u64, _: Arc<kg::RollupConfig>) -> Result<kg::SystemConfig, KError> {
        Ok(self.1)
    }
}

#[derive(Debug, Clone)]
struct KBuilder;

#[async_trait]
impl kd::AttributesBuilder for KBuilder {
    async fn prepare_payload_attributes(
        &mut self,
        parent: kp::L2BlockInfo,
        epoch: alloy_eips_v1::BlockNumHash,
    ) -> kd::PipelineResult<op_alloy_rpc_types_engine_v018::OpPayloadAttributes> {
        let mut a = op_alloy_rpc_types_engine_v018::OpPayloadAttributes::default();
        a.payload_attributes.timestamp = parent.block_info.timestamp + 2;
        a.payload_attributes.prev_randao = epoch.hash;
        a.gas_limit = Some(epoch.number);
        Ok(a)
    }
}

#[derive(Debug, Clone)]
struct KNoBlobs;

#[async_trait]
impl kd::BlobProvider for KNoBlobs {
    type Error = KError;
    async fn get_blobs(
        &mut self,
        _: &kp::BlockInfo,
        _: &[alloy_eips_v1::eip4844::IndexedBlobHash],
    ) -> Result<Vec<Box<alloy_eips_v1::eip4844::Blob>>, KError> {
        Err(KError("no blobs".into(), false))
    }
}

fn kona_cfg(cfg: &RollupConfig) -> kg::RollupConfig {
    let sc = cfg.genesis.system_config.unwrap();
    let mut k = kg::RollupConfig {
        block_time: cfg.block_time,
        max_sequencer_drift: cfg.max_sequencer_drift,
        seq_window_size: cfg.seq_window_size,
        channel_timeout: cfg.channel_timeout,
        l2_chain_id: cfg.l2_chain_id.into(),
        batch_inbox_address: cfg.batch_inbox_address,
        hardforks: kg::HardForkConfig {
            regolith_time: cfg.hardforks.regolith_time,
            canyon_time: cfg.hardforks.canyon_time,
            delta_time: cfg.hardforks.delta_time,
            fjord_time: cfg.hardforks.fjord_time,
            holocene_time: cfg.hardforks.holocene_time,
            ..Default::default()
        },
        ..Default::default()
    };
    k.genesis.l2_time = cfg.genesis.l2_time;
    k.genesis.system_config =
        Some(kg::SystemConfig { batcher_address: sc.batcher_address, gas_limit: sc.gas_limit, ..Default::default() });
    k
}

fn kona(s: &Scenario, cfg: &RollupConfig, max_blocks: usize) -> (Vec<Derived>, End) {
    use kd::{Pipeline as _, SignalReceiver as _};
    let kcfg = Arc::new(kona_cfg(cfg));
    let chain = KChain::new(&s.l1);
    let l2 = KL2(Arc::new(Mutex::new(BTreeMap::new())), kcfg.genesis.system_config.unwrap());
    let dap = kd::EthereumDataSource::new_from_parts(chain.clone(), KNoBlobs, &kcfg);
    let traversal = kd::PollingTraversal::new(chain, kcfg.clone());
    let retrieval = kd::L1Retrieval::new(traversal, dap);
    let frames = kd::FrameQueue::new(retrieval, kcfg.clone());
    let channels = kd::ChannelProvider::new(kcfg.clone(), frames);
    let reader = kd::ChannelReader::new(channels, kcfg.clone());
    let stream = kd::BatchStream::new(reader, kcfg.clone(), l2.clone());
    let batches = kd::BatchProvider::new(kcfg.clone(), stream, l2.clone());
    let attributes = kd::AttributesQueue::new(kcfg.clone(), batches, KBuilder);
    let mut pipeline = kd::DerivationPipeline::new(attributes, kcfg.clone(), l2.clone());
    let mut safe = s.l2_blocks[0].0;
    l2.0.lock().unwrap().insert(0, kl2(&safe));
    block_on(pipeline.signal(kd::Signal::Reset(kd::ResetSignal {
        l2_safe_head: kl2(&safe),
        l1_origin: kblock(&s.l1.blocks[0]),
        system_config: kcfg.genesis.system_config,
    })))
    .unwrap();
    let mut out = Vec::new();
    loop {
        match block_on(pipeline.step(kl2(&safe))) {
            kd::StepResult::PreparedAttributes => {
                let a = pipeline.next().unwrap();
                let d = Derived {
                    timestamp: a.inner.payload_attributes.timestamp,
                    epoch: (a.inner.gas_limit.unwrap(), a.inner.payload_attributes.prev_randao),
                    txs: a.inner.transactions.clone().unwrap_or_default(),
                    derived_from: a.derived_from.map(|b| b.number),
                    last_in_span: a.is_last_in_span,
                };
                safe = next_safe_head(s, &safe, &d);
                l2.0.lock().unwrap().insert(safe.block_info.number, kl2(&safe));
                out.push(d);
                if out.len() == max_blocks {
                    return (out, End::EndOfSource);
                }
            }
            kd::StepResult::AdvancedOrigin => {}
            kd::StepResult::OriginAdvanceErr(kd::PipelineErrorKind::Critical(kd::PipelineError::EndOfSource)) => {
                return (out, End::EndOfSource)
            }
            kd::StepResult::OriginAdvanceErr(kd::PipelineErrorKind::Reset(_))
            | kd::StepResult::StepFailed(kd::PipelineErrorKind::Reset(_)) => return (out, End::Reset),
            kd::StepResult::StepFailed(kd::PipelineErrorKind::Temporary(_)) => {}
            kd::StepResult::OriginAdvanceErr(e) | kd::StepResult::StepFailed(e) => {
                return (out, End::Critical(e.to_string()))
            }
        }
    }
}

/// The parent-hash divergence (see [`Kind::ParentHashOverwrite`]): both pipelines agree up to the first
/// difference, which comes after the derived chain left the generated one, and there we derive a later,
/// empty block where kona takes the batcher's.
fn parent_hash_divergence(s: &Scenario, holocene: bool, o: &[Derived], k: &[Derived]) -> bool {
    let first_diff = o.iter().zip(k).position(|(a, b)| a != b);
    let mut parent = s.l2_blocks[0].0;
    let mut off_chain = None;
    for (i, d) in o.iter().enumerate() {
        let next = next_safe_head(s, &parent, d);
        if s.l2_blocks.get(i + 1).map(|g| g.0) != Some(next) {
            off_chain = Some(i);
            break;
        }
        parent = next;
    }
    match (first_diff, off_chain) {
        (Some(i), Some(j)) if holocene && i > j && o[..i] == k[..i] => {
            o[i].txs.is_empty() && o[i].derived_from > k[i].derived_from
        }
        _ => false,
    }
}

#[test]
fn stages_agree_with_kona_derive() {
    quiet_kona_panics();
    let mut rng = Rng(0xd1ff);
    let cases: usize = std::env::var("KDIFF_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(CASES);
    // Items both sides handed up identically, per layer: frames, channels, batches, payload attributes.
    let mut compared = [0usize; 4];
    let mut first_layer = [0usize; 4];
    let mut kinds: BTreeMap<Kind, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    let (mut posted, mut honest_full, mut with_empty) = ((0, 0, 0), 0, 0);
    // The scenarios are drawn in case order from the one generator, so each case is the same whatever the number
    // of threads; both pipelines run on them on every core, and the outcomes are tallied in case order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut next = 0;
    while next < cases {
        let chunk: Vec<_> = (next..cases.min(next + 8 * threads))
            .map(|case| {
                let holocene = case % 2 == 1;
                let hostile = case % 3 != 0;
                let count = 40 + rng.below(80);
                let s = scenario(&mut rng, holocene, count, hostile);
                let seq_window = if hostile { 4 + rng.below(8) } else { 3600 };
                let cfg = Arc::new(config_with(holocene, s.batcher, seq_window));
                (case, holocene, hostile, s, cfg)
            })
            .collect();
        next += chunk.len();
        let outcomes = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let chunk = &chunk;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .skip(t)
                            .step_by(threads)
                            .map(|(case, holocene, hostile, s, cfg)| compare_case(*case, s, cfg, *holocene, *hostile))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            let mut per: Vec<_> = workers
                .into_iter()
                .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)).into_iter())
                .collect();
            (0..chunk.len()).map(|i| per[i % threads].next().unwrap()).collect::<Vec<Outcome>>()
        });
        for ((case, holocene, hostile, ..), out) in chunk.iter().zip(outcomes) {
            (0..4).for_each(|i| compared[i] += out.compared[i]);
            if let Some((layer, found)) = out.first_differing {
                first_layer[layer] += 1;
                match found {
                    Some(found) => found.into_iter().for_each(|k| *kinds.entry(k).or_default() += 1),
                    None => unexplained.push((*case, *holocene, *hostile, layer)),
                }
            }
            posted = (posted.0 + out.posted.0, posted.1 + out.posted.1, posted.2 + out.posted.2);
            honest_full += usize::from(out.honest_full);
            with_empty += usize::from(out.with_empty);
        }
    }
    println!(
        "kona-derive stage by stage: {cases} scenarios ({} Holocene), posted {posted:?} frames/channels/batches; identical: {compared:?} frames/channels/batches/attributes; first differing layer {first_layer:?}; kinds {kinds:?}; {honest_full} honest chains derived whole, {with_empty} with empty/deposit-only blocks; unexplained {unexplained:?}",
        cases / 2
    );
    // Not yet explained (open work, listed so that any change shows): 16 Holocene scenarios whose attributes
    // differ with identical batch streams (we take a batch at an origin where kona-derive 0.4.5 derives an empty
    // block, or the reverse) and 4 whose channel-reader batches differ without a known per-channel cause.
    let mut open = [0usize; 4];
    unexplained.iter().for_each(|u| open[u.3] += 1);
    assert_eq!(open, EXPECTED_UNEXPLAINED, "unexplained divergences (case, holocene, hostile, layer): {unexplained:?}");
    assert_eq!(honest_full, cases.div_ceil(3), "every honest chain derives whole, identically");
    assert_eq!(compared, EXPECTED_COMPARED);
    assert_eq!(first_layer, EXPECTED_FIRST_LAYER);
    assert_eq!(kinds.into_iter().collect::<Vec<_>>(), EXPECTED_KINDS);
}

/// What one scenario gave.
#[derive(Debug)]
struct Outcome {
    /// Items both sides handed up identically, per layer, up to the first layer where they differ.
    compared: [usize; 4],
    /// The first layer where the two differ, with its documented kinds (`None`: not explained).
    first_differing: Option<(usize, Option<Vec<Kind>>)>,
    /// Frames, channels and batches posted.
    posted: (usize, usize, usize),
    /// An honest chain derived whole and identically.
    honest_full: bool,
    /// Some derived block has no transactions (empty or deposit-only).
    with_empty: bool,
}

/// Both pipelines, stage by stage and whole, on scenario `case`.
fn compare_case(case: usize, s: &Scenario, cfg: &Arc<RollupConfig>, holocene: bool, hostile: bool) -> Outcome {
    let mut compared = [0usize; 4];
    let max = s.l2_blocks.len() * 2;
    let o_layers = ours_layers(s, cfg);
    let (o, oe) = ours(s, cfg, max);
    let k_layers = kona_layers(s, cfg);
    let k = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| kona(s, cfg, max))).ok();
    let mut diverged = None;
    for i in 0..3 {
        if k_layers[i].as_ref() == Some(&o_layers[i]) {
            compared[i] += o_layers[i].0.len();
        } else {
            diverged = Some(i);
            break;
        }
    }
    if diverged.is_none() {
        if k.as_ref() == Some(&(o.clone(), oe.clone())) {
            compared[3] += o.len();
        } else {
            diverged = Some(3);
        }
    }
    let first = diverged.map(|layer| {
        let found = match layer {
            0 => frame_kind(s).map(|k| vec![k]),
            1 => (holocene
                && out_of_order_frame(&o_layers[0].0)
                && k_layers[1].as_ref().is_some_and(|k| {
                    let mut rest = k.0.iter();
                    o_layers[1].0.iter().all(|c| rest.any(|kc| kc == c)) && k.1 == o_layers[1].1
                }))
            .then(|| vec![Kind::OutOfOrderFrame]),
            2 => batch_kinds(&o_layers[1].0, cfg),
            3 => k
                .as_ref()
                .is_some_and(|(k, ke)| *ke == oe && parent_hash_divergence(s, holocene, &o, k))
                .then(|| vec![Kind::ParentHashOverwrite]),
            _ => None,
        };
        if found.is_none() {
            if std::env::var("KDIFF_DEBUG").is_ok() && layer < 3 {
                let (ol, kl) = (&o_layers[layer], k_layers[layer].as_ref());
                let short = |x: &(u64, Item)| match &x.1 {
                    Item::Frame { id, number, data, is_last } => {
                        format!("@{} frame {:x?} #{number} {}B last {is_last}", x.0, &id[..2], data.len())
                    }
                    Item::Channel(d) => format!("@{} channel {}B {:x?}", x.0, d.len(), &d[..4.min(d.len())]),
                    other => format!("@{} {:?}", x.0, other).chars().take(160).collect(),
                };
                eprintln!("case {case} layer {layer}: ours {} end {:?}", ol.0.len(), ol.1);
                eprintln!("  frames: {:?}", o_layers[0].0.iter().map(short).collect::<Vec<_>>());
                eprintln!("  ours: {:?}", ol.0.iter().map(short).collect::<Vec<_>>());
                eprintln!("  kona: {:?}", kl.map(|kl| (kl.1, kl.0.iter().map(short).collect::<Vec<_>>())));
            }
            if std::env::var("KDIFF_DEBUG").is_ok() && layer == 3 {
                if let Some((k, ke)) = &k {
                    let fd = o.iter().zip(k).position(|(a, b)| a != b);
                    let mut parent = s.l2_blocks[0].0;
                    let mut off = None;
                    for (i, d) in o.iter().enumerate() {
                        let next = next_safe_head(s, &parent, d);
                        if s.l2_blocks.get(i + 1).map(|g| g.0) != Some(next) {
                            off = Some(i);
                            break;
                        }
                        parent = next;
                    }
                    let sh = |d: Option<&Derived>| {
                        d.map(|d| (d.timestamp, d.epoch.0, d.txs.len(), d.derived_from, d.last_in_span))
                    };
                    eprintln!("case {case} attrs: first diff {fd:?} off-chain {off:?} lens {} {} ends {oe:?} {ke:?} ours {:?} kona {:?} prev {:?}", o.len(), k.len(), sh(fd.and_then(|i| o.get(i))), sh(fd.and_then(|i| k.get(i))), sh(fd.and_then(|i| i.checked_sub(1)).and_then(|i| o.get(i))));
                }
            }
        }
        (layer, found)
    });
    Outcome {
        compared,
        posted: s.posted,
        honest_full: !hostile && diverged.is_none() && o.len() + 1 == s.l2_blocks.len(),
        with_empty: o.iter().any(|d| d.txs.is_empty()),
        first_differing: first,
    }
}

const CASES: usize = 900;
/// Items both sides handed up identically: frames, channels, batches, payload attributes.
const EXPECTED_COMPARED: [usize; 4] = [16_886, 10_635, 31_967, 68_287];
/// Scenarios by the first layer where the two differ.
const EXPECTED_FIRST_LAYER: [usize; 4] = [2, 7, 121, 22];
/// Scenarios with each documented kona 0.4.5 difference (a scenario may have several batch-layer kinds).
const EXPECTED_KINDS: [(Kind, usize); 5] = [
    (Kind::IsLastByte, 2),
    (Kind::KonaPanics, 3),
    (Kind::OutOfOrderFrame, 7),
    (Kind::DamagedZlibPrefix, 115),
    (Kind::ParentHashOverwrite, 6),
];
/// Divergences per first layer not yet explained.
const EXPECTED_UNEXPLAINED: [usize; 4] = [0, 0, 4, 16];

// ---- stage by stage: the frames, channels and batches each stage hands up ----

/// One item a stage handed to the next, in terms both sides share.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Frame { id: [u8; 16], number: u16, data: Vec<u8>, is_last: bool },
    Channel(Vec<u8>),
    Single { parent_hash: B256, epoch: (u64, B256), timestamp: u64, txs: Vec<Bytes> },
    Span { parent_check: [u8; 20], l1_origin_check: [u8; 20], blocks: Vec<(u64, u64, Vec<Bytes>)> },
}

/// How a stage's stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LayerEnd {
    EndOfSource,
    Reset,
    Critical,
}

/// What a stage handed up (each with the number of the L1 origin it was read at) and how it ended.
type Stream = (Vec<(u64, Item)>, LayerEnd);

/// Reads a stage to the end of L1: on `Eof` it advances the stage's origin, other temporary errors retry.
macro_rules! drain {
    ($s:ident, $next:expr, $kind:ident, $advance:expr) => {{
        let mut out = Vec::new();
        let mut end = None;
        for _ in 0..1_000_000 {
            match $next {
                Ok(Some(it)) => out.push(($s.origin().expect("origin").number, it)),
                Ok(None) => {}
                Err($kind::PipelineErrorKind::Temporary($kind::PipelineError::Eof)) => match $advance {
                    Ok(()) | Err($kind::PipelineErrorKind::Temporary(_)) => {}
                    Err($kind::PipelineErrorKind::Critical($kind::PipelineError::EndOfSource)) => {
                        end = Some(LayerEnd::EndOfSource);
                        break;
                    }
                    Err($kind::PipelineErrorKind::Reset(_)) => {
                        end = Some(LayerEnd::Reset);
                        break;
                    }
                    Err(_) => {
                        end = Some(LayerEnd::Critical);
                        break;
                    }
                },
                Err($kind::PipelineErrorKind::Temporary(_)) => {}
                Err($kind::PipelineErrorKind::Reset(_)) => {
                    end = Some(LayerEnd::Reset);
                    break;
                }
                Err(_) => {
                    end = Some(LayerEnd::Critical);
                    break;
                }
            }
        }
        (out, end.expect("the stage reached the end of L1 within 1 000 000 calls"))
    }};
}

fn ours_item(b: rampart_derive::stages::StreamBatch) -> Item {
    match b {
        rampart_derive::stages::StreamBatch::Single(b) => Item::Single {
            parent_hash: b.parent_hash,
            epoch: (b.epoch_num, b.epoch_hash),
            timestamp: b.timestamp,
            txs: b.transactions,
        },
        rampart_derive::stages::StreamBatch::Span(s) => Item::Span {
            parent_check: s.parent_check,
            l1_origin_check: s.l1_origin_check,
            blocks: s.blocks.into_iter().map(|e| (e.epoch_num, e.timestamp, e.transactions)).collect(),
        },
    }
}

fn kona_item(b: kp::Batch) -> Item {
    match b {
        kp::Batch::Single(b) => Item::Single {
            parent_hash: b.parent_hash,
            epoch: (b.epoch_num, b.epoch_hash),
            timestamp: b.timestamp,
            txs: b.transactions,
        },
        kp::Batch::Span(s) => Item::Span {
            parent_check: s.parent_check.0,
            l1_origin_check: s.l1_origin_check.0,
            blocks: s.batches.into_iter().map(|e| (e.epoch_num, e.timestamp, e.transactions)).collect(),
        },
    }
}

/// Our frame queue, channel provider and channel reader streams.
fn ours_layers(s: &Scenario, cfg: &Arc<RollupConfig>) -> [Stream; 3] {
    use rampart_derive::{
        traits::{BatchStreamProvider as _, ChannelReaderProvider as _, NextFrameProvider as _},
        OriginAdvancer as _, OriginProvider as _, SignalReceiver as _,
    };
    let retrieval = || {
        let traversal = Traversal { chain: s.l1.blocks.clone(), idx: 0, handed_out: false, batcher: s.batcher };
        L1Retrieval::new(traversal, CalldataSource::new(s.l1.clone(), INBOX))
    };
    let reset = Signal::Reset(ResetSignal {
        l2_safe_head: s.l2_blocks[0].0,
        l1_origin: s.l1.blocks[0],
        system_config: cfg.genesis.system_config,
    });
    let mut f = FrameQueue::new(retrieval(), cfg.clone());
    f.signal(reset).unwrap();
    let frames = drain!(
        f,
        f.next_frame().map(|x| Some(Item::Frame {
            id: x.id,
            number: x.number,
            data: x.data.to_vec(),
            is_last: x.is_last
        })),
        rampart_derive,
        f.advance_origin()
    );
    let mut c = ChannelProvider::new(FrameQueue::new(retrieval(), cfg.clone()), cfg.clone());
    c.signal(reset).unwrap();
    let channels =
        drain!(c, c.next_data().map(|x| x.map(|d| Item::Channel(d.to_vec()))), rampart_derive, c.advance_origin());
    let mut r =
        ChannelReader::new(ChannelProvider::new(FrameQueue::new(retrieval(), cfg.clone()), cfg.clone()), cfg.clone());
    r.signal(reset).unwrap();
    let batches = drain!(r, r.next_batch().map(|b| Some(ours_item(b))), rampart_derive, r.advance_origin());
    [frames, channels, batches]
}

/// kona-derive's frame queue, channel provider and channel reader streams.
fn kona_layers(s: &Scenario, cfg: &RollupConfig) -> [Option<Stream>; 3] {
    use kd::{
        BatchStreamProvider as _, ChannelReaderProvider as _, NextFrameProvider as _, OriginAdvancer as _,
        OriginProvider as _, SignalReceiver as _,
    };
    let kcfg = Arc::new(kona_cfg(cfg));
    let chain = KChain::new(&s.l1);
    let retrieval = || {
        let dap = kd::EthereumDataSource::new_from_parts(chain.clone(), KNoBlobs, &kcfg);
        kd::L1Retrieval::new(kd::PollingTraversal::new(chain.clone(), kcfg.clone()), dap)
    };
    let reset = kd::Signal::Reset(kd::ResetSignal {
        l2_safe_head: kl2(&s.l2_blocks[0].0),
        l1_origin: kblock(&s.l1.blocks[0]),
        system_config: kcfg.genesis.system_config,
    });
    let catch = |f: &mut dyn FnMut() -> Stream| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok();
    let frames = catch(&mut || {
        let mut f = kd::FrameQueue::new(retrieval(), kcfg.clone());
        block_on(f.signal(reset)).unwrap();
        drain!(
            f,
            block_on(f.next_frame()).map(|x| Some(Item::Frame {
                id: x.id,
                number: x.number,
                data: x.data,
                is_last: x.is_last
            })),
            kd,
            block_on(f.advance_origin())
        )
    });
    let channels = catch(&mut || {
        let mut c = kd::ChannelProvider::new(kcfg.clone(), kd::FrameQueue::new(retrieval(), kcfg.clone()));
        block_on(c.signal(reset)).unwrap();
        drain!(
            c,
            block_on(c.next_data()).map(|x| x.map(|d| Item::Channel(d.to_vec()))),
            kd,
            block_on(c.advance_origin())
        )
    });
    let batches = catch(&mut || {
        let mut r = kd::ChannelReader::new(
            kd::ChannelProvider::new(kcfg.clone(), kd::FrameQueue::new(retrieval(), kcfg.clone())),
            kcfg.clone(),
        );
        block_on(r.signal(reset)).unwrap();
        drain!(r, block_on(r.next_batch()).map(|b| Some(kona_item(b))), kd, block_on(r.advance_origin()))
    });
    [frames, channels, batches]
}

/// kona-protocol 0.4.5 panics where op-node rejects (an unknown batch type byte, some truncated span batches);
/// the kona side runs under `catch_unwind`. Keep those panics' messages out of the output; others still print.
pub(crate) fn quiet_kona_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("kona-protocol")) {
                default(info);
            }
        }));
    });
}

/// Why a scenario's streams differ, each a documented difference of kona 0.4.5 from op-node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A frame whose `is_last` byte is neither 0 nor 1: op-node (`frame.go` `UnmarshalBinary`) rejects the
    /// batcher transaction's data; kona-protocol 0.4.5 reads the byte as false and keeps the frames.
    IsLastByte,
    /// A batch whose type byte is unknown (or a truncated span batch kona indexes past): op-node rejects the
    /// batch and drops the rest of the channel; kona-protocol 0.4.5 panics (`BatchType::from`).
    KonaPanics,
    /// Holocene: a frame that does not continue the channel being assembled (its number is not the previous
    /// frame's plus one, e.g. frame 4 in a transaction before frame 3 in the next): op-node's
    /// `ChannelAssembler` drops it (Holocene spec: frames of a channel must arrive in order) and the channel
    /// never completes; kona-derive 0.4.5's `ChannelAssembler` adds any frame number to the open channel and
    /// completes it when the gap is filled.
    OutOfOrderFrame,
    /// A damaged zlib channel: op-node's channel reader keeps the batches read before the damage
    /// (`ChannelInReader` reads the zlib stream incrementally); kona-protocol 0.4.5 decompresses the whole
    /// channel first and yields nothing.
    DamagedZlibPrefix,
    /// Holocene: kona-derive 0.4.5's `BatchValidator` overwrites a singular batch's parent hash with the safe
    /// head's before checking it; op-node's `checkSingularBatch` drops a batch whose parent hash is not the
    /// safe head's (we derive the block later, deposit-only at the sequencing window, kona takes the batch).
    ParentHashOverwrite,
}

/// Classifies a frame-layer difference: some batcher transaction's data must be one where our frame decoder
/// rejects an `is_last` byte and kona's accepts; every other transaction must parse identically.
fn frame_kind(s: &Scenario) -> Option<Kind> {
    let mut is_last = false;
    for txs in s.l1.txs.values() {
        for tx in txs {
            let data = match tx {
                alloy_consensus::TxEnvelope::Eip1559(t) => t.tx().input.clone(),
                alloy_consensus::TxEnvelope::Legacy(t) => t.tx().input.clone(),
                _ => continue,
            };
            let o = rampart_protocol::decode_frames(&data);
            let k = kp::Frame::parse_frames(&data);
            match (o, k) {
                (Ok(o), Ok(k)) => {
                    let same = o.len() == k.len()
                        && o.iter().zip(&k).all(|(a, b)| {
                            (a.id, a.number, &a.data[..], a.is_last) == (b.id, b.number, &b.data[..], b.is_last)
                        });
                    if !same {
                        return None;
                    }
                }
                (Err(rampart_protocol::FrameError::InvalidIsLast { .. }), Ok(_)) => is_last = true,
                (Err(_), Err(_)) => {}
                _ => return None,
            }
        }
    }
    is_last.then_some(Kind::IsLastByte)
}

/// Whether the frame stream has a frame of the open channel whose number is not the next one.
fn out_of_order_frame(frames: &[(u64, Item)]) -> bool {
    let mut open: Option<([u8; 16], u16)> = None;
    for (_, f) in frames {
        let Item::Frame { id, number, is_last, .. } = f else { unreachable!() };
        match open {
            _ if *number == 0 => open = (!is_last).then_some((*id, 1)),
            Some((oid, next)) if oid == *id && *number == next => open = (!is_last).then_some((oid, next + 1)),
            Some((oid, _)) if oid == *id => return true,
            _ => {}
        }
    }
    false
}

/// Classifies a batch-layer difference over the channels both sides handed up: each channel whose batches
/// differ must be one kona panics on, or a damaged zlib channel where we read a prefix and kona nothing.
fn batch_kinds(channels: &[(u64, Item)], cfg: &RollupConfig) -> Option<Vec<Kind>> {
    let kcfg = kona_cfg(cfg);
    let mut kinds = Vec::new();
    for (_, c) in channels {
        let Item::Channel(data) = c else { unreachable!() };
        let limit = cfg.max_rlp_bytes_per_channel(cfg.genesis.l2_time) as usize;
        let ours = match rampart_protocol::decompress_channel(data, limit, true) {
            Ok(d) => rampart_protocol::batch::BatchReader::new(&d.data).map_while(Result::ok).count(),
            Err(_) => 0,
        };
        let zlib = data.first().is_some_and(|b| b & 0x0f == 8);
        let theirs = std::panic::catch_unwind(|| {
            let mut reader = kp::BatchReader::new(data.clone(), limit);
            std::iter::from_fn(|| reader.next_batch(&kcfg)).count()
        });
        match theirs {
            Err(_) => kinds.push(Kind::KonaPanics),
            Ok(n) if n == ours => {}
            Ok(0) if zlib && ours > 0 => kinds.push(Kind::DamagedZlibPrefix),
            Ok(_) => return None,
        }
    }
    kinds.sort();
    kinds.dedup();
    (!kinds.is_empty()).then_some(kinds)
}
