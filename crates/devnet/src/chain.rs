//! The devnet's chain parameters and the rollup/L1 config files written from them.

use crate::genesis::L2Forks;
use alloy_primitives::{address, Address, B256};
use serde_json::{json, Value};

/// A block id: number, hash, timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct BlockRef {
    /// Number.
    pub number: u64,
    /// Hash.
    pub hash: B256,
    /// Timestamp.
    pub timestamp: u64,
}

/// Everything fixed about the devnet chain once the L1 contracts are deployed and op-geth initialized.
#[derive(Debug, Clone)]
pub struct ChainParams {
    /// L1 chain id.
    pub l1_chain_id: u64,
    /// L2 chain id.
    pub l2_chain_id: u64,
    /// Seconds per L2 block.
    pub block_time: u64,
    /// Sequencing window (L1 blocks).
    pub seq_window_size: u64,
    /// Channel timeout before Granite (L1 blocks).
    pub channel_timeout: u64,
    /// Channel timeout from Granite (L1 blocks).
    pub granite_channel_timeout: u64,
    /// Pre-Fjord max sequencer drift (Fjord fixes it at 1800 s).
    pub max_sequencer_drift: u64,
    /// L1 block the L2 genesis is anchored to.
    pub genesis_l1: BlockRef,
    /// L2 genesis block.
    pub genesis_l2: BlockRef,
    /// Fork times after genesis.
    pub forks: L2Forks,
    /// Batch inbox.
    pub batch_inbox: Address,
    /// OptimismPortal2 proxy.
    pub deposit_contract: Address,
    /// SystemConfig proxy.
    pub system_config: Address,
    /// Initial batcher.
    pub batcher: Address,
    /// Initial L2 gas limit.
    pub gas_limit: u64,
    /// Initial Ecotone base fee scalar.
    pub base_fee_scalar: u32,
    /// Initial Ecotone blob base fee scalar.
    pub blob_base_fee_scalar: u32,
    /// EIP-1559 elasticity.
    pub eip1559_elasticity: u64,
    /// EIP-1559 denominator (pre-Canyon).
    pub eip1559_denominator: u64,
    /// EIP-1559 denominator (Canyon+).
    pub eip1559_denominator_canyon: u64,
}

/// The devnet's batch inbox (`0xff…` ‖ L2 chain id, as op-deployer derives it).
pub const fn batch_inbox(l2_chain_id: u64) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0xff;
    let id = l2_chain_id.to_be_bytes();
    let mut i = 0;
    while i < 8 {
        a[12 + i] = id[i];
        i += 1;
    }
    Address::new(a)
}

/// The L2 fee recipient of sequenced blocks (SequencerFeeVault).
pub const SEQUENCER_FEE_VAULT: Address = address!("4200000000000000000000000000000000000011");

/// Max sequencer drift from Fjord on (seconds).
pub const FJORD_MAX_SEQUENCER_DRIFT: u64 = 1800;

impl ChainParams {
    /// The Ecotone-encoded `scalar` of the system config (`0x01 ‖ 0… ‖ blobBaseFeeScalar u32 ‖ baseFeeScalar u32`).
    pub fn ecotone_scalar(&self) -> B256 {
        let mut s = [0u8; 32];
        s[0] = 1;
        s[24..28].copy_from_slice(&self.blob_base_fee_scalar.to_be_bytes());
        s[28..].copy_from_slice(&self.base_fee_scalar.to_be_bytes());
        B256::from(s)
    }

    /// `rollup.json` in op-node / kona-genesis `RollupConfig` shape.
    pub fn rollup_json(&self) -> Value {
        let f = self.forks;
        json!({
            "genesis": {
                "l1": {"number": self.genesis_l1.number, "hash": self.genesis_l1.hash},
                "l2": {"number": self.genesis_l2.number, "hash": self.genesis_l2.hash},
                "l2_time": self.genesis_l2.timestamp,
                "system_config": {
                    "batcherAddr": self.batcher,
                    "overhead": B256::ZERO,
                    "scalar": self.ecotone_scalar(),
                    "gasLimit": self.gas_limit,
                    "eip1559Params": "0x0000000000000000",
                    "operatorFeeParams": B256::ZERO,
                    "minBaseFee": 0,
                    "daFootprintGasScalar": 0
                }
            },
            "block_time": self.block_time,
            "max_sequencer_drift": self.max_sequencer_drift,
            "seq_window_size": self.seq_window_size,
            "channel_timeout": self.channel_timeout,
            "granite_channel_timeout": self.granite_channel_timeout,
            "l1_chain_id": self.l1_chain_id,
            "l2_chain_id": self.l2_chain_id,
            "regolith_time": 0,
            "canyon_time": 0,
            "delta_time": 0,
            "ecotone_time": 0,
            "fjord_time": 0,
            "granite_time": 0,
            "holocene_time": 0,
            "pectra_blob_schedule_time": 0,
            "isthmus_time": f.isthmus,
            "jovian_time": f.jovian,
            "karst_time": f.karst,
            "batch_inbox_address": self.batch_inbox,
            "deposit_contract_address": self.deposit_contract,
            "l1_system_config_address": self.system_config,
            "protocol_versions_address": Address::ZERO,
            "chain_op_config": {
                "eip1559Elasticity": self.eip1559_elasticity,
                "eip1559Denominator": self.eip1559_denominator,
                "eip1559DenominatorCanyon": self.eip1559_denominator_canyon
            }
        })
    }

    /// Whether `fork_time` is active at L2 time `ts`.
    pub fn active(fork_time: Option<u64>, ts: u64) -> bool {
        fork_time.is_some_and(|t| ts >= t)
    }

    /// Whether the block at `ts` is the first one with `fork_time` active.
    pub fn activation_block(&self, fork_time: Option<u64>, ts: u64) -> bool {
        Self::active(fork_time, ts) && (ts < self.block_time || !Self::active(fork_time, ts - self.block_time))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_inbox_is_ff_then_chain_id() {
        assert_eq!(batch_inbox(901), address!("ff00000000000000000000000000000000000385"));
    }
}
