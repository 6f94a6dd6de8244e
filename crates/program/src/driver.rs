//! The driver loop (fault-proof-program spec §2.4): step the pipeline from the safe head, execute each payload
//! attributes, advance the safe head, until the claimed block, or until L1 data runs out at the L1 head
//! (EndOfSource: the claim is then judged against the last safe head's output root).

use crate::{
    errors::{ProgramError, Result},
    execute::{execute_block, ExecutedBlock},
    l2::{l2_block_info, OracleL2ChainProvider},
    oracle::PreimageOracle,
};
use alloc::vec::Vec;
use alloy_consensus::Header;
use alloy_primitives::B256;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_derive::{
    stages::{AttributesBuilder, OpAttributesWithParent, Pipeline, StepResult},
    traits::AttributesProvider,
    ActivationSignal, L2ChainProvider, PipelineError, PipelineErrorKind, ResetError, ResetSignal, Signal,
};
use rampart_executor::ChainConfig;
use rampart_genesis::RollupConfig;
use rampart_protocol::L2BlockInfo;

/// Steps without a new block after which derivation is abandoned (a block needs at most a few steps per L1 block
/// of its channel timeout; this bound only stops a pipeline that loops without progress).
pub const MAX_STEPS_PER_BLOCK: u64 = 1 << 20;

/// EIP-2718 type byte of deposit transactions.
const DEPOSIT_TX_TYPE: u8 = 0x7e;

/// The current safe head of the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    /// Its block reference.
    pub info: L2BlockInfo,
    /// Its header.
    pub header: Header,
    /// Its output root (the agreed one for the starting safe head).
    pub output_root: B256,
}

/// How the drive ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriveOutcome {
    /// The last safe head.
    pub tip: Tip,
    /// Blocks derived and executed.
    pub blocks: u64,
    /// Blocks whose attributes failed to execute and were replaced by their deposit-only version (Holocene).
    pub deposit_only_replacements: u64,
    /// Attributes dropped because they failed to execute (pre-Holocene).
    pub dropped: u64,
    /// Whether L1 data ran out (EndOfSource) before the target.
    pub end_of_source: bool,
}

/// The attributes with every non-deposit transaction removed (Holocene's replacement of an invalid block).
pub fn deposit_only(attrs: &OpPayloadAttributes) -> OpPayloadAttributes {
    let mut out = attrs.clone();
    out.transactions = attrs
        .transactions
        .as_ref()
        .map(|txs| txs.iter().filter(|t| t.first() == Some(&DEPOSIT_TX_TYPE)).cloned().collect::<Vec<_>>());
    out
}

/// Derives and executes L2 blocks on top of `tip` until `target` (or EndOfSource).
pub fn drive<P, B, O>(
    cfg: &RollupConfig,
    exec_cfg: &ChainConfig,
    pipeline: &mut Pipeline<P, B>,
    l2: &mut OracleL2ChainProvider<O>,
    oracle: &mut O,
    mut tip: Tip,
    target: u64,
) -> Result<DriveOutcome>
where
    P: AttributesProvider,
    B: AttributesBuilder,
    O: PreimageOracle,
{
    let mut out =
        DriveOutcome { tip: tip.clone(), blocks: 0, deposit_only_replacements: 0, dropped: 0, end_of_source: false };
    while tip.info.block_info.number < target {
        let attrs = match produce_attributes(cfg, pipeline, l2, &tip)? {
            Some(a) => a,
            None => {
                out.end_of_source = true;
                break;
            }
        };
        let executed = match execute_block(oracle, exec_cfg, &tip.header, &attrs.inner) {
            Ok(b) => b,
            Err(ProgramError::Execution { .. }) => {
                if cfg.is_holocene_active(attrs.inner.payload_attributes.timestamp) {
                    pipeline.signal(Signal::FlushChannel).map_err(ProgramError::Pipeline)?;
                    out.deposit_only_replacements += 1;
                    execute_block(oracle, exec_cfg, &tip.header, &deposit_only(&attrs.inner))?
                } else {
                    out.dropped += 1;
                    continue;
                }
            }
            Err(e) => return Err(e),
        };
        tip = advance(cfg, l2, executed)?;
        out.blocks += 1;
    }
    out.tip = tip;
    Ok(out)
}

/// The new safe head after `block`; the L2 provider learns the block.
fn advance<O: PreimageOracle>(
    cfg: &RollupConfig,
    l2: &mut OracleL2ChainProvider<O>,
    block: ExecutedBlock,
) -> Result<Tip> {
    let info = l2_block_info(cfg, block.hash, &block.header, &block.transactions)?;
    let output_root = block.output.hash();
    l2.insert_derived(block.hash, block.header.clone(), block.transactions);
    Ok(Tip { info, header: block.header, output_root })
}

/// Steps the pipeline until it yields the attributes of the block after `tip`; `None` at EndOfSource.
fn produce_attributes<P, B, O>(
    cfg: &RollupConfig,
    pipeline: &mut Pipeline<P, B>,
    l2: &mut OracleL2ChainProvider<O>,
    tip: &Tip,
) -> Result<Option<OpAttributesWithParent>>
where
    P: AttributesProvider,
    B: AttributesBuilder,
    O: PreimageOracle,
{
    let safe_head = tip.info;
    for _ in 0..MAX_STEPS_PER_BLOCK {
        let err = match pipeline.step(safe_head) {
            StepResult::PreparedAttributes => match pipeline.next() {
                Some(a) => return Ok(Some(a)),
                None => continue,
            },
            StepResult::AdvancedOrigin => continue,
            StepResult::OriginAdvanceErr(e) | StepResult::StepFailed(e) => e,
        };
        match err {
            PipelineErrorKind::Temporary(_) => continue,
            PipelineErrorKind::Critical(PipelineError::EndOfSource) => return Ok(None),
            PipelineErrorKind::Critical(e) => return Err(ProgramError::Pipeline(PipelineErrorKind::Critical(e))),
            PipelineErrorKind::Reset(e) => {
                let system_config = Some(l2.system_config_by_number(safe_head.block_info.number, cfg)?);
                let l1_origin = pipeline.origin().ok_or(ProgramError::Pipeline(PipelineError::MissingOrigin.crit()))?;
                let signal = if matches!(e, ResetError::HoloceneActivation) {
                    Signal::Activation(ActivationSignal { l2_safe_head: safe_head, l1_origin, system_config })
                } else {
                    Signal::Reset(ResetSignal { l2_safe_head: safe_head, l1_origin, system_config })
                };
                pipeline.signal(signal).map_err(ProgramError::Pipeline)?;
            }
        }
    }
    Err(ProgramError::Stalled(MAX_STEPS_PER_BLOCK))
}

/// The output root a drive's claim is judged against, and the block it belongs to.
pub fn final_output(outcome: &DriveOutcome) -> (u64, B256) {
    (outcome.tip.info.block_info.number, outcome.tip.output_root)
}
