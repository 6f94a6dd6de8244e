//! EIP-1559 parameters of an OP chain (`chain_op_config`).

use alloy_eips::eip1559::BaseFeeParams;
use serde::{Deserialize, Serialize};

/// OP Mainnet's pre-Canyon EIP-1559 denominator (also the default when a config has none).
pub const OP_MAINNET_EIP1559_DENOMINATOR: u64 = 50;
/// OP Mainnet's Canyon+ EIP-1559 denominator.
pub const OP_MAINNET_EIP1559_DENOMINATOR_CANYON: u64 = 250;
/// OP Mainnet's EIP-1559 elasticity multiplier.
pub const OP_MAINNET_EIP1559_ELASTICITY: u64 = 6;

/// The chain's EIP-1559 base-fee configuration, as op-geth's `optimism` chain config and op-node's
/// `chain_op_config` carry it (camelCase keys; kona also accepts snake_case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaseFeeConfig {
    /// Elasticity multiplier.
    #[serde(rename = "eip1559Elasticity", alias = "eip1559_elasticity")]
    pub eip1559_elasticity: u64,
    /// Pre-Canyon max change denominator.
    #[serde(rename = "eip1559Denominator", alias = "eip1559_denominator")]
    pub eip1559_denominator: u64,
    /// Canyon+ max change denominator.
    #[serde(rename = "eip1559DenominatorCanyon", alias = "eip1559_denominator_canyon")]
    pub eip1559_denominator_canyon: u64,
}

impl BaseFeeConfig {
    /// OP Mainnet's values (6 / 50 / 250), the default when a rollup config omits `chain_op_config`.
    pub const fn optimism() -> Self {
        Self {
            eip1559_elasticity: OP_MAINNET_EIP1559_ELASTICITY,
            eip1559_denominator: OP_MAINNET_EIP1559_DENOMINATOR,
            eip1559_denominator_canyon: OP_MAINNET_EIP1559_DENOMINATOR_CANYON,
        }
    }

    /// Parameters before Canyon.
    pub const fn pre_canyon(&self) -> BaseFeeParams {
        BaseFeeParams {
            max_change_denominator: self.eip1559_denominator as u128,
            elasticity_multiplier: self.eip1559_elasticity as u128,
        }
    }

    /// Parameters from Canyon on (until Holocene moves them into the system config).
    pub const fn post_canyon(&self) -> BaseFeeParams {
        BaseFeeParams {
            max_change_denominator: self.eip1559_denominator_canyon as u128,
            elasticity_multiplier: self.eip1559_elasticity as u128,
        }
    }
}

impl Default for BaseFeeConfig {
    fn default() -> Self {
        Self::optimism()
    }
}
