//! The rollup configuration (op-node's `rollup.json`, kona-genesis's `RollupConfig`).

use alloc::{string::String, vec::Vec};
use alloy_eips::eip1559::BaseFeeParams;
use alloy_hardforks::{EthereumHardfork, EthereumHardforks, ForkCondition};
use alloy_op_hardforks::{OpHardfork, OpHardforks};
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Deserializer, Serialize};

use crate::{AltDaConfig, BaseFeeConfig, ChainGenesis, GenesisError, HardForkConfig, Hardfork, Result};

/// Max RLP bytes per channel before Fjord.
pub const MAX_RLP_BYTES_PER_CHANNEL_BEDROCK: u64 = 10_000_000;
/// Max RLP bytes per channel from Fjord on.
pub const MAX_RLP_BYTES_PER_CHANNEL_FJORD: u64 = 100_000_000;
/// Max sequencer drift from Fjord on (a constant; the config value applies only before Fjord).
pub const FJORD_MAX_SEQUENCER_DRIFT: u64 = 1800;
/// Default `granite_channel_timeout` (L1 blocks).
pub const GRANITE_CHANNEL_TIMEOUT: u64 = 50;

const fn default_granite_channel_timeout() -> u64 {
    GRANITE_CHANNEL_TIMEOUT
}

/// An OP Stack chain's rollup configuration.
///
/// JSON: op-node's `rollup.json` keys (snake_case; fork times flattened as `<fork>_time`), read and
/// written the way kona-genesis (as deployed in kona-client) does:
/// - unknown top-level keys are ignored (op-node's `protocol_versions_address` is kept if present,
///   kona 0.4's `interop_message_expiry_window` and `interop_time` are ignored as the deployed client
///   ignores them); unknown keys inside `genesis`, `genesis.system_config`, `alt_da` are errors;
/// - `granite_channel_timeout` defaults to 50 and `chain_op_config` to OP Mainnet's 6/50/250;
/// - `l2_chain_id` may be a number or a chain name (`"optimism-sepolia"`, which kona writes for named
///   chains); it is always written as a number, which both op-node and kona read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RollupConfig {
    /// Genesis anchor.
    pub genesis: ChainGenesis,
    /// Seconds per L2 block.
    pub block_time: u64,
    /// Pre-Fjord max sequencer drift (seconds); see [`RollupConfig::max_sequencer_drift`].
    pub max_sequencer_drift: u64,
    /// Sequencing window in L1 blocks.
    pub seq_window_size: u64,
    /// Pre-Granite channel timeout in L1 blocks.
    pub channel_timeout: u64,
    /// Channel timeout from Granite on.
    #[serde(default = "default_granite_channel_timeout")]
    pub granite_channel_timeout: u64,
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L2 chain id.
    #[serde(deserialize_with = "deserialize_chain_id")]
    pub l2_chain_id: u64,
    /// Hardfork activation times.
    #[serde(flatten)]
    pub hardforks: HardForkConfig,
    /// L1 address batches are sent to.
    pub batch_inbox_address: Address,
    /// L1 OptimismPortal (deposit contract).
    pub deposit_contract_address: Address,
    /// L1 SystemConfig contract.
    pub l1_system_config_address: Address,
    /// L1 ProtocolVersions contract (older op-node configs carry it; unused by derivation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_versions_address: Option<Address>,
    /// L1 SuperchainConfig contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superchain_config_address: Option<Address>,
    /// Legacy L1 time from which blobs are read (`blobs_data`).
    #[serde(rename = "blobs_data", default, skip_serializing_if = "Option::is_none")]
    pub blobs_enabled_l1_timestamp: Option<u64>,
    /// Legacy alt-DA challenge contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub da_challenge_address: Option<Address>,
    /// Alt-DA configuration (`alt_da`, `null` when absent).
    #[serde(rename = "alt_da", default)]
    pub alt_da_config: Option<AltDaConfig>,
    /// EIP-1559 parameters (`chain_op_config`).
    #[serde(default)]
    pub chain_op_config: BaseFeeConfig,
}

/// Reads a chain id given as a number or as a chain name (alloy-chains names, as kona writes them).
fn deserialize_chain_id<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<u64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(u64),
        Name(String),
    }
    match Id::deserialize(d)? {
        Id::Number(n) => Ok(n),
        Id::Name(name) => name
            .parse::<alloy_chains::NamedChain>()
            .map(|c| c as u64)
            .or_else(|_| name.parse::<u64>())
            .map_err(|_| serde::de::Error::custom(alloc::format!("unknown chain name {name:?}"))),
    }
}

impl Default for RollupConfig {
    fn default() -> Self {
        Self {
            genesis: ChainGenesis::default(),
            block_time: 0,
            max_sequencer_drift: 0,
            seq_window_size: 0,
            channel_timeout: 0,
            granite_channel_timeout: GRANITE_CHANNEL_TIMEOUT,
            l1_chain_id: 0,
            l2_chain_id: 0,
            hardforks: HardForkConfig::default(),
            batch_inbox_address: Address::ZERO,
            deposit_contract_address: Address::ZERO,
            l1_system_config_address: Address::ZERO,
            protocol_versions_address: None,
            superchain_config_address: None,
            blobs_enabled_l1_timestamp: None,
            da_challenge_address: None,
            alt_da_config: None,
            chain_op_config: BaseFeeConfig::optimism(),
        }
    }
}

macro_rules! fork_predicates {
    ($($fork:ident => $active:ident, $first:ident;)+) => {
        $(
            #[doc = concat!("Whether ", stringify!($fork), " (or a later fork) is active at L2 time `timestamp`.")]
            pub fn $active(&self, timestamp: u64) -> bool {
                self.is_fork_active(Hardfork::$fork, timestamp)
            }
            #[doc = concat!("Whether the block at `timestamp` is ", stringify!($fork), "'s activation block.")]
            pub fn $first(&self, timestamp: u64) -> bool {
                self.is_activation_block(Hardfork::$fork, timestamp)
            }
        )+
    };
}

impl RollupConfig {
    /// Parses a rollup config from JSON (see the type docs for the accepted shape).
    pub fn from_json(json: &[u8]) -> Result<Self> {
        serde_json::from_slice(json).map_err(|e| GenesisError::RollupConfigJson(alloc::format!("{e}")))
    }

    /// Writes the config as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // Serializing plain data into memory cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Whether `fork` is active at L2 time `timestamp` (a later fork implies it).
    pub fn is_fork_active(&self, fork: Hardfork, timestamp: u64) -> bool {
        self.hardforks.is_active(fork, timestamp)
    }

    /// Whether the block at `timestamp` is the first with `fork` active: active there, not active one
    /// block time earlier (op-node `IsActivationBlock`).
    pub fn is_activation_block(&self, fork: Hardfork, timestamp: u64) -> bool {
        self.is_fork_active(fork, timestamp) && !self.is_fork_active(fork, timestamp.saturating_sub(self.block_time))
    }

    fork_predicates! {
        Regolith => is_regolith_active, is_regolith_activation_block;
        Canyon => is_canyon_active, is_canyon_activation_block;
        Delta => is_delta_active, is_delta_activation_block;
        Ecotone => is_ecotone_active, is_ecotone_activation_block;
        Fjord => is_fjord_active, is_fjord_activation_block;
        Granite => is_granite_active, is_granite_activation_block;
        Holocene => is_holocene_active, is_holocene_activation_block;
        Isthmus => is_isthmus_active, is_isthmus_activation_block;
        Jovian => is_jovian_active, is_jovian_activation_block;
        Karst => is_karst_active, is_karst_activation_block;
        Lagoon => is_lagoon_active, is_lagoon_activation_block;
    }

    /// Whether interop is active (it rides on Lagoon, as in op-node's `IsInterop`).
    pub fn is_interop_active(&self, timestamp: u64) -> bool {
        self.is_lagoon_active(timestamp)
    }

    /// Whether the Pectra blob schedule fix is in effect at L2 time `timestamp` (no implication).
    pub fn is_pectra_blob_schedule_active(&self, timestamp: u64) -> bool {
        self.hardforks.pectra_blob_schedule_time.is_some_and(|t| timestamp >= t)
    }

    /// Whether `timestamp` is the first block with the Pectra blob schedule fix.
    pub fn is_pectra_blob_schedule_activation_block(&self, timestamp: u64) -> bool {
        self.is_pectra_blob_schedule_active(timestamp)
            && !self.is_pectra_blob_schedule_active(timestamp.saturating_sub(self.block_time))
    }

    /// Max sequencer drift (seconds) for a block whose L1 origin has time `timestamp`: the config value
    /// before Fjord, [`FJORD_MAX_SEQUENCER_DRIFT`] after.
    pub fn max_sequencer_drift(&self, timestamp: u64) -> u64 {
        if self.is_fjord_active(timestamp) {
            FJORD_MAX_SEQUENCER_DRIFT
        } else {
            self.max_sequencer_drift
        }
    }

    /// Max decompressed RLP bytes per channel at `timestamp`.
    pub fn max_rlp_bytes_per_channel(&self, timestamp: u64) -> u64 {
        if self.is_fjord_active(timestamp) {
            MAX_RLP_BYTES_PER_CHANNEL_FJORD
        } else {
            MAX_RLP_BYTES_PER_CHANNEL_BEDROCK
        }
    }

    /// Channel timeout in L1 blocks at `timestamp` (Granite-aware).
    pub fn channel_timeout(&self, timestamp: u64) -> u64 {
        if self.is_granite_active(timestamp) {
            self.granite_channel_timeout
        } else {
            self.channel_timeout
        }
    }

    /// The chain's default EIP-1559 parameters at `timestamp` (pre-Canyon or Canyon denominator);
    /// from Holocene on blocks carry their own in the extra data, these remain the fallback for zeros.
    pub fn base_fee_params(&self, timestamp: u64) -> BaseFeeParams {
        if self.is_canyon_active(timestamp) {
            self.chain_op_config.post_canyon()
        } else {
            self.chain_op_config.pre_canyon()
        }
    }

    /// The L2 block number whose time slot contains `timestamp` (floor; genesis for earlier times).
    pub const fn block_number_from_timestamp(&self, timestamp: u64) -> u64 {
        let since = timestamp.saturating_sub(self.genesis.l2_time);
        let blocks = match since.checked_div(self.block_time) {
            Some(blocks) => blocks,
            None => 0,
        };
        self.genesis.l2.number.saturating_add(blocks)
    }

    /// Whether alt-DA is configured (a non-zero legacy challenge address).
    pub fn is_alt_da_enabled(&self) -> bool {
        self.da_challenge_address.is_some_and(|a| !a.is_zero())
    }

    /// op-node's `Config.Check`: the sanity rules op-node enforces on load (kona-client does not).
    pub fn check(&self) -> Result<()> {
        let fail = |msg: &'static str| Err(GenesisError::InvalidRollupConfig(String::from(msg)));
        let sc = self.genesis.system_config.unwrap_or_default();
        if self.block_time == 0 {
            return fail("block time cannot be 0");
        }
        if self.channel_timeout == 0 {
            return fail("channel timeout must be set");
        }
        if self.seq_window_size < 2 {
            return fail("sequencing window size must be at least 2");
        }
        if self.max_sequencer_drift == 0 {
            return fail("max sequencer drift must be set");
        }
        if self.genesis.l1.hash.is_zero() {
            return fail("genesis L1 hash cannot be empty");
        }
        if self.genesis.l2.hash.is_zero() {
            return fail("genesis L2 hash cannot be empty");
        }
        if self.genesis.l1.hash == self.genesis.l2.hash {
            return fail("achievement get! rollup inception: L1 and L2 genesis cannot be the same");
        }
        if self.genesis.l2_time == 0 {
            return fail("missing L2 genesis time");
        }
        if sc.batcher_address.is_zero() {
            return fail("missing genesis system config batcher address");
        }
        if sc.scalar == U256::ZERO {
            return fail("missing genesis system config scalar");
        }
        if sc.gas_limit == 0 {
            return fail("missing genesis system config gas limit");
        }
        if self.batch_inbox_address.is_zero() {
            return fail("missing batch inbox address");
        }
        if self.deposit_contract_address.is_zero() {
            return fail("missing deposit contract address");
        }
        if self.l1_chain_id == 0 || self.l2_chain_id == 0 {
            return fail("chain ids must be positive");
        }
        if self.l1_chain_id == self.l2_chain_id {
            return fail("L1 and L2 chain IDs must be different");
        }
        if let Some((earlier, later)) = self.hardforks.first_out_of_order() {
            return Err(GenesisError::InvalidRollupConfig(alloc::format!(
                "fork {} is scheduled but earlier fork {} is missing or later",
                later.name(),
                earlier.name()
            )));
        }
        Ok(())
    }

    /// The op-revm spec for a block at `timestamp`.
    ///
    /// Granite maps to `GRANITE` (its bn254 pairing input limit applies from Granite, as op-geth and
    /// alloy-op-evm's `spec_by_timestamp_after_bedrock` have it); kona-genesis 0.4.5's `spec_id` has no
    /// Granite branch and returns `FJORD` there. Lagoon implies Karst, so it runs the `KARST` spec
    /// (Osaka on L2), as alloy-op-evm checks Karst first; op-revm 20's `INTEROP` (Prague) is not used.
    #[cfg(feature = "revm")]
    pub fn spec_id(&self, timestamp: u64) -> op_revm::OpSpecId {
        use op_revm::OpSpecId;
        const ORDER: [(Hardfork, OpSpecId); 9] = [
            (Hardfork::Karst, OpSpecId::KARST),
            (Hardfork::Jovian, OpSpecId::JOVIAN),
            (Hardfork::Isthmus, OpSpecId::ISTHMUS),
            (Hardfork::Holocene, OpSpecId::HOLOCENE),
            (Hardfork::Granite, OpSpecId::GRANITE),
            (Hardfork::Fjord, OpSpecId::FJORD),
            (Hardfork::Ecotone, OpSpecId::ECOTONE),
            (Hardfork::Canyon, OpSpecId::CANYON),
            (Hardfork::Regolith, OpSpecId::REGOLITH),
        ];
        ORDER.iter().find(|(fork, _)| self.is_fork_active(*fork, timestamp)).map_or(OpSpecId::BEDROCK, |(_, s)| *s)
    }

    fn fork_condition(&self, fork: Hardfork) -> ForkCondition {
        self.hardforks.activation(fork).map_or(ForkCondition::Never, ForkCondition::Timestamp)
    }
}

impl OpHardforks for RollupConfig {
    fn op_fork_activation(&self, fork: OpHardfork) -> ForkCondition {
        let ours = match fork {
            OpHardfork::Bedrock => return ForkCondition::Block(0),
            OpHardfork::Regolith => Hardfork::Regolith,
            OpHardfork::Canyon => Hardfork::Canyon,
            OpHardfork::Ecotone => Hardfork::Ecotone,
            OpHardfork::Fjord => Hardfork::Fjord,
            OpHardfork::Granite => Hardfork::Granite,
            OpHardfork::Holocene => Hardfork::Holocene,
            OpHardfork::Isthmus => Hardfork::Isthmus,
            OpHardfork::Jovian => Hardfork::Jovian,
            OpHardfork::Karst => Hardfork::Karst,
            OpHardfork::Interop => Hardfork::Lagoon,
            _ => return ForkCondition::Never,
        };
        self.fork_condition(ours)
    }
}

impl EthereumHardforks for RollupConfig {
    /// L1 forks as the OP chain sees them: everything through Berlin (and London's glaciers) at genesis,
    /// Paris at genesis, then Shanghai = Canyon, Cancun = Ecotone, Prague = Isthmus, Osaka = Karst.
    fn ethereum_fork_activation(&self, fork: EthereumHardfork) -> ForkCondition {
        use EthereumHardfork as E;
        match fork {
            E::Frontier
            | E::Homestead
            | E::Tangerine
            | E::SpuriousDragon
            | E::Byzantium
            | E::Constantinople
            | E::Petersburg
            | E::Istanbul
            | E::MuirGlacier
            | E::Berlin
            | E::London
            | E::ArrowGlacier
            | E::GrayGlacier => ForkCondition::Block(0),
            E::Paris => {
                ForkCondition::TTD { activation_block_number: 0, fork_block: Some(0), total_difficulty: U256::ZERO }
            }
            E::Shanghai => self.fork_condition(Hardfork::Canyon),
            E::Cancun => self.fork_condition(Hardfork::Ecotone),
            E::Prague => self.fork_condition(Hardfork::Isthmus),
            E::Osaka => self.fork_condition(Hardfork::Karst),
            _ => ForkCondition::Never,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> &'static str {
        r#"{
          "genesis": {
            "l1": {"hash": "0x481724ee99b1f4cb71d826e2ec5a37265f460e9b112315665c977f4050b0af54", "number": 10},
            "l2": {"hash": "0x88aedfbf7dea6bfa2c4ff315784ad1a7f145d8f650969359c003bbed68c87631", "number": 0},
            "l2_time": 1725557164,
            "system_config": {
              "batcherAddr": "0xc81f87a644b41e49b3221f41251f15c6cb00ce03",
              "overhead": "0x0000000000000000000000000000000000000000000000000000000000000000",
              "scalar": "0x00000000000000000000000000000000000000000000000000000000000f4240",
              "gasLimit": 30000000
            }
          },
          "block_time": 2, "max_sequencer_drift": 600, "seq_window_size": 3600, "channel_timeout": 300,
          "l1_chain_id": 3151908, "l2_chain_id": "optimism-sepolia",
          "regolith_time": 0, "canyon_time": 0, "fjord_time": 10, "karst_time": 100, "keep_karst_upgrade_gas": true,
          "batch_inbox_address": "0xff00000000000000000000000000000000042069",
          "deposit_contract_address": "0x08073dc48dde578137b8af042bcbc1c2491f1eb2",
          "l1_system_config_address": "0x94ee52a9d8edd72a85dea7fae3ba6d75e4bf1710",
          "protocol_versions_address": "0x0000000000000000000000000000000000000000",
          "interop_message_expiry_window": 3600,
          "something_new": {"nested": [1, 2]}
        }"#
    }

    #[test]
    fn parses_op_node_json_and_tolerates_unknown_top_level_keys() {
        let cfg = RollupConfig::from_json(sample().as_bytes()).unwrap();
        assert_eq!(cfg.l2_chain_id, 11155420);
        assert_eq!(cfg.granite_channel_timeout, 50);
        assert_eq!(cfg.chain_op_config, BaseFeeConfig::optimism());
        assert!(cfg.hardforks.keep_karst_upgrade_gas);
        assert_eq!(cfg.protocol_versions_address, Some(Address::ZERO));
        let back = RollupConfig::from_json(&cfg.to_json()).unwrap();
        assert_eq!(back, cfg);
        let v: serde_json::Value = serde_json::from_slice(&cfg.to_json()).unwrap();
        assert_eq!(v["l2_chain_id"], 11155420);
        assert!(v.get("something_new").is_none() && v.get("delta_time").is_none());
    }

    #[test]
    fn nested_unknown_keys_and_missing_required_fields_are_errors() {
        let bad = sample().replace("\"l2_time\"", "\"surprise\": 1, \"l2_time\"");
        assert!(RollupConfig::from_json(bad.as_bytes()).is_err());
        let bad = sample().replace("\"block_time\": 2,", "");
        assert!(RollupConfig::from_json(bad.as_bytes()).is_err());
        let bad = sample().replace("\"optimism-sepolia\"", "\"not-a-chain\"");
        assert!(RollupConfig::from_json(bad.as_bytes()).is_err());
        assert!(RollupConfig::from_json(b"{").is_err());
    }

    #[test]
    fn fork_dependent_values() {
        let cfg = RollupConfig::from_json(sample().as_bytes()).unwrap();
        // Karst at 100 implies everything before it from 100; Fjord scheduled at 10.
        assert!(cfg.is_isthmus_active(100) && !cfg.is_isthmus_active(99));
        assert!(cfg.is_karst_activation_block(100) && !cfg.is_karst_activation_block(102));
        assert!(cfg.is_fjord_active(10) && cfg.is_fjord_activation_block(10));
        assert_eq!(cfg.max_sequencer_drift(9), 600);
        assert_eq!(cfg.max_sequencer_drift(10), FJORD_MAX_SEQUENCER_DRIFT);
        assert_eq!(cfg.max_rlp_bytes_per_channel(9), MAX_RLP_BYTES_PER_CHANNEL_BEDROCK);
        assert_eq!(cfg.max_rlp_bytes_per_channel(10), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        assert_eq!(cfg.channel_timeout(99), 300);
        assert_eq!(cfg.channel_timeout(100), 50);
        assert_eq!(cfg.base_fee_params(0).max_change_denominator, 250);
        assert_eq!(cfg.block_number_from_timestamp(1725557164 + 7), 3);
        assert!(cfg.check().is_err(), "canyon set while delta is missing");
        assert!(cfg.is_shanghai_active_at_timestamp(0) && cfg.is_osaka_active_at_timestamp(100));
        assert!(!cfg.is_osaka_active_at_timestamp(99));
    }
}
