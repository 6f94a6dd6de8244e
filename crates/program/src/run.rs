//! The whole client flow (fault-proof-program spec §2.2-2.4, deployed-2026 §3): boot info, prologue (trace
//! extension), the pipeline over the oracle-backed providers reset to the agreed safe head, the driver to the
//! claimed block (or EndOfSource), and the verdict.

use crate::{
    blob::OracleBlobProvider,
    boot::BootInfo,
    client::{check_claim, prologue, trace_extension_verdict, Prologue},
    driver::{drive, DriveOutcome, Tip},
    errors::{ProgramError, Result},
    execute::executor_config,
    l1::OracleL1ChainProvider,
    l2::{OracleL2ChainProvider, SharedOracle},
    oracle::PreimageOracle,
};
use alloc::sync::Arc;
use rampart_derive::{
    attributes::StatefulAttributesBuilder,
    sources::EthereumDataSource,
    stages::{
        AttributesBuilder, AttributesQueue, BatchProvider, BatchStream, ChannelProvider, ChannelReader, FrameQueue,
        L1Retrieval, L1Traversal, Pipeline,
    },
    ChainProvider, L2ChainProvider, ResetSignal, Signal,
};
use rampart_genesis::RollupConfig;

/// The L1 chain provider of a run.
pub type L1Provider<O> = OracleL1ChainProvider<SharedOracle<O>>;
/// The L2 chain provider of a run.
pub type L2Provider<O> = OracleL2ChainProvider<SharedOracle<O>>;

/// The stages below the attributes queue, over the oracle-backed providers.
pub type OracleBatchProvider<O> = BatchProvider<
    BatchStream<
        ChannelReader<
            ChannelProvider<
                FrameQueue<
                    L1Retrieval<
                        EthereumDataSource<L1Provider<O>, OracleBlobProvider<SharedOracle<O>>>,
                        L1Traversal<L1Provider<O>>,
                    >,
                >,
            >,
        >,
        L2Provider<O>,
    >,
    L2Provider<O>,
>;

/// The pipeline of a run with attributes builder `B`.
pub type OraclePipeline<O, B> = Pipeline<OracleBatchProvider<O>, B>;

/// What a run decided, with what it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// The claimed block was the agreed safe head (nothing derived).
    TraceExtension,
    /// Blocks were derived and executed.
    Derived(alloc::boxed::Box<DriveOutcome>),
}

/// Runs kona-client's single-chain flow over `oracle`: `Ok` iff the claim is valid (exit 0), an error otherwise
/// (exit 1). The attributes builder is rampart-derive's, with the boot info's L1 chain config (blob schedule).
pub fn run<O: PreimageOracle>(oracle: O) -> Result<RunOutcome> {
    run_with_builder(oracle, |boot, cfg, l2, l1| {
        StatefulAttributesBuilder::new(cfg, l2, l1).with_l1_config(Arc::new(boot.l1_config.clone()))
    })
}

/// [`run`] with the attributes builder `make_builder` returns for the run's boot info, config and providers.
pub fn run_with_builder<O, B, F>(oracle: O, make_builder: F) -> Result<RunOutcome>
where
    O: PreimageOracle,
    B: AttributesBuilder,
    F: FnOnce(&BootInfo, Arc<RollupConfig>, L2Provider<O>, L1Provider<O>) -> B,
{
    let mut oracle = SharedOracle::new(oracle);
    let boot = BootInfo::load(&mut oracle)?;
    let (safe_head, safe_head_hash) = match prologue(&mut oracle, &boot)? {
        Prologue::TraceExtension => {
            trace_extension_verdict(&boot)?;
            return Ok(RunOutcome::TraceExtension);
        }
        Prologue::Derive { safe_head, safe_head_hash } => (*safe_head, safe_head_hash),
    };
    let cfg = Arc::new(boot.rollup_config.clone());
    let mut l1 = OracleL1ChainProvider::new(boot.l1_head, oracle.clone());
    let mut l2 = OracleL2ChainProvider::new(oracle.clone(), cfg.clone(), safe_head_hash, safe_head.clone());
    let blobs = OracleBlobProvider::new(oracle.clone());

    // The pipeline starts a channel timeout before the safe head's L1 origin (not before the rollup's L1 genesis),
    // so that a channel open at the safe head is read whole.
    let safe_head_info = l2.l2_block_info_by_number(safe_head.number)?;
    let l1_origin = l1.block_info_by_number(safe_head_info.l1_origin.number)?;
    let channel_timeout = cfg.channel_timeout(safe_head.timestamp);
    let start = l1_origin.number.saturating_sub(channel_timeout).max(cfg.genesis.l1.number);
    let start = l1.block_info_by_number(start)?;
    let system_config = l2.system_config_by_number(safe_head.number, &cfg)?;

    let traversal = L1Traversal::new(l1.clone(), cfg.clone());
    let source = EthereumDataSource::new(l1.clone(), blobs, cfg.clone());
    let retrieval = L1Retrieval::new(traversal, source);
    let frames = FrameQueue::new(retrieval, cfg.clone());
    let channels = ChannelProvider::new(frames, cfg.clone());
    let reader = ChannelReader::new(channels, cfg.clone());
    let stream = BatchStream::new(reader, cfg.clone(), l2.clone());
    let batches = BatchProvider::new(stream, cfg.clone(), l2.clone());
    let builder = make_builder(&boot, cfg.clone(), l2.clone(), l1);
    let mut pipeline = Pipeline::new(AttributesQueue::new(batches, cfg.clone(), builder));
    pipeline
        .signal(Signal::Reset(ResetSignal {
            l2_safe_head: safe_head_info,
            l1_origin: start,
            system_config: Some(system_config),
        }))
        .map_err(ProgramError::Pipeline)?;

    let tip = Tip { info: safe_head_info, header: safe_head, output_root: boot.agreed_l2_output_root };
    let exec_cfg = executor_config(&cfg);
    let outcome = drive(&cfg, &exec_cfg, &mut pipeline, &mut l2, &mut oracle, tip, boot.claimed_l2_block_number)?;
    // At EndOfSource the claim is judged against the last safe head's output root (deployed-2026 §3).
    check_claim(outcome.tip.output_root, boot.claimed_l2_output_root)?;
    Ok(RunOutcome::Derived(alloc::boxed::Box::new(outcome)))
}
