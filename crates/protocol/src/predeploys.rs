//! Fixed L2 addresses the attributes-side transactions use (specs `predeploys.md`, op-node `derive`).

use alloy_primitives::{address, Address};

/// The `L1Block` predeploy: receiver of the L1-info deposit.
pub const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");
/// The `GasPriceOracle` predeploy.
pub const GAS_PRICE_ORACLE: Address = address!("420000000000000000000000000000000000000F");
/// The `OperatorFeeVault` predeploy (Isthmus).
pub const OPERATOR_FEE_VAULT: Address = address!("420000000000000000000000000000000000001b");
/// The `SequencerFeeVault` predeploy: every derived block's fee recipient.
pub const SEQUENCER_FEE_VAULT: Address = address!("4200000000000000000000000000000000000011");
/// The `L2ToL1MessagePasser` predeploy, whose storage root is part of the output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
/// Sender of the L1-info deposit (and of the `set<Fork>()` upgrade calls).
pub const L1_INFO_DEPOSITOR: Address = address!("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
/// Sender of the EIP-4788 beacon-roots contract deployment (Ecotone).
pub const EIP4788_DEPLOYER: Address = address!("0B799C86a49DEeb90402691F1041aa3AF2d3C875");
/// Sender of the EIP-2935 block-hashes contract deployment (Isthmus).
pub const EIP2935_DEPLOYER: Address = address!("3462413Af4609098e1E27A490f554f260213D685");
