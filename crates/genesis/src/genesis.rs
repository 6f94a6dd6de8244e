//! The rollup's genesis anchor (`genesis`).

use alloy_eips::BlockNumHash;
use serde::{Deserialize, Serialize};

use crate::SystemConfig;

/// Where the rollup starts: the L1 and L2 genesis blocks, the L2 genesis time and the system config at
/// genesis. Unknown keys are rejected, as kona does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainGenesis {
    /// L1 block the rollup starts from (`{"hash", "number"}`).
    pub l1: BlockNumHash,
    /// L2 genesis block.
    pub l2: BlockNumHash,
    /// L2 genesis timestamp.
    pub l2_time: u64,
    /// System config at genesis (`null` when absent).
    #[serde(default)]
    pub system_config: Option<SystemConfig>,
}
