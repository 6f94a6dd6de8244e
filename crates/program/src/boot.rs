//! Boot info: the dispute's inputs from local keys 1-7 (fault-proof-program spec §2.2, §3.2).

use crate::{
    errors::{ProgramError, Result},
    oracle::PreimageOracle,
};
use alloc::string::ToString;
use alloy_primitives::B256;
use rampart_genesis::{registry, L1ChainConfig, RollupConfig};
use rampart_preimage::{LocalKey, PreimageKey};

/// The inputs of one single-chain dispute.
#[derive(Debug, Clone)]
pub struct BootInfo {
    /// L1 head block hash (key 1): no L1 data past it may be used.
    pub l1_head: B256,
    /// Agreed L2 output root (key 2).
    pub agreed_l2_output_root: B256,
    /// Claimed L2 output root (key 3).
    pub claimed_l2_output_root: B256,
    /// Claimed L2 block number (key 4).
    pub claimed_l2_block_number: u64,
    /// L2 chain id (key 5).
    pub chain_id: u64,
    /// Rollup config: bundled for the chain id, else key 6.
    pub rollup_config: RollupConfig,
    /// L1 chain config: bundled for the rollup config's L1 chain id, else key 7.
    pub l1_config: L1ChainConfig,
    /// Whether the rollup config came from key 6 (unbundled chain).
    pub rollup_config_from_key: bool,
    /// Whether the L1 config came from key 7 (unbundled L1).
    pub l1_config_from_key: bool,
}

fn local_array<const N: usize, O: PreimageOracle + ?Sized>(oracle: &mut O, index: u64) -> Result<[u8; N]> {
    let data = oracle.get(PreimageKey::local(index))?;
    let got = data.len();
    data.try_into().map_err(|_| ProgramError::LocalKeyLength { index, expected: N, got })
}

impl BootInfo {
    /// Reads the boot info through `oracle` (local keys are never hinted).
    pub fn load<O: PreimageOracle + ?Sized>(oracle: &mut O) -> Result<Self> {
        let l1_head = B256::from(local_array::<32, _>(oracle, LocalKey::L1Head.index())?);
        let agreed_l2_output_root = B256::from(local_array::<32, _>(oracle, LocalKey::L2OutputRoot.index())?);
        let claimed_l2_output_root = B256::from(local_array::<32, _>(oracle, LocalKey::L2Claim.index())?);
        let claimed_l2_block_number =
            u64::from_be_bytes(local_array::<8, _>(oracle, LocalKey::L2ClaimBlockNumber.index())?);
        let chain_id = u64::from_be_bytes(local_array::<8, _>(oracle, LocalKey::L2ChainId.index())?);

        let (rollup_config, rollup_config_from_key) = match registry::rollup_config(chain_id) {
            Some(cfg) => (cfg, false),
            None => {
                let json = oracle.get(PreimageKey::local(LocalKey::L2RollupConfig.index()))?;
                let cfg = RollupConfig::from_json(&json).map_err(|e| ProgramError::Config {
                    index: LocalKey::L2RollupConfig.index(),
                    reason: e.to_string(),
                })?;
                (cfg, true)
            }
        };
        let (l1_config, l1_config_from_key) = match registry::l1_config(rollup_config.l1_chain_id) {
            Some(cfg) => (cfg, false),
            None => {
                let json = oracle.get(PreimageKey::local(LocalKey::L1Config.index()))?;
                let cfg = L1ChainConfig::from_json(&json)
                    .map_err(|e| ProgramError::Config { index: LocalKey::L1Config.index(), reason: e.to_string() })?;
                (cfg, true)
            }
        };
        Ok(Self {
            l1_head,
            agreed_l2_output_root,
            claimed_l2_output_root,
            claimed_l2_block_number,
            chain_id,
            rollup_config,
            l1_config,
            rollup_config_from_key,
            l1_config_from_key,
        })
    }
}
