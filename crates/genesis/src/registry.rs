//! The bundled chains: OP Mainnet and OP Sepolia rollup configs and their L1s (Ethereum mainnet,
//! Sepolia), built as values (no JSON parsing in the guest).
//!
//! Rollup values are the superchain registry's (as embedded in the optimism monorepo v1.19.6, kona's
//! `etc/configs.json`), turned into a rollup config the way op-node's `LoadOPStackRollupConfig` does:
//! Regolith at 0 (these chains started with it), channel timeout 300, Granite channel timeout 50, the
//! portal and SystemConfig proxies as deposit / system-config addresses. kona-registry leaves
//! `regolith_time` unset; with Canyon set the two agree from Canyon on, and differ only on pre-Canyon
//! blocks, where op-node's value is the chain's history. L1 values are go-ethereum v1.17.10's
//! `params/chainspecs/{mainnet,sepolia}.json`.

use alloc::collections::BTreeMap;
use alloy_eips::BlockNumHash;
use alloy_primitives::{address, b256, uint, U256};

use crate::{
    BaseFeeConfig, BlobScheduleEntry, ChainGenesis, HardForkConfig, L1ChainConfig, RollupConfig, SystemConfig,
};

/// OP Mainnet's chain id.
pub const OP_MAINNET_CHAIN_ID: u64 = 10;
/// OP Sepolia's chain id.
pub const OP_SEPOLIA_CHAIN_ID: u64 = 11_155_420;
/// Ethereum mainnet's chain id.
pub const MAINNET_CHAIN_ID: u64 = 1;
/// Sepolia's chain id.
pub const SEPOLIA_CHAIN_ID: u64 = 11_155_111;

/// The bundled rollup config of L2 chain `chain_id`, if it is one of the bundled chains.
pub fn rollup_config(chain_id: u64) -> Option<RollupConfig> {
    match chain_id {
        OP_MAINNET_CHAIN_ID => Some(op_mainnet()),
        OP_SEPOLIA_CHAIN_ID => Some(op_sepolia()),
        _ => None,
    }
}

/// The bundled L1 chain config of L1 chain `chain_id`, if bundled.
pub fn l1_config(chain_id: u64) -> Option<L1ChainConfig> {
    match chain_id {
        MAINNET_CHAIN_ID => Some(mainnet_l1()),
        SEPOLIA_CHAIN_ID => Some(sepolia_l1()),
        _ => None,
    }
}

/// The chain ids of the bundled L2 chains.
pub const BUNDLED_L2_CHAINS: [u64; 2] = [OP_MAINNET_CHAIN_ID, OP_SEPOLIA_CHAIN_ID];

fn op_genesis_system_config(batcher: alloy_primitives::Address) -> SystemConfig {
    SystemConfig {
        batcher_address: batcher,
        overhead: uint!(0xbc_U256),
        scalar: uint!(0xa6fe0_U256),
        gas_limit: 30_000_000,
        ..Default::default()
    }
}

/// OP Mainnet (10).
pub fn op_mainnet() -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash {
                number: 17_422_590,
                hash: b256!("438335a20d98863a4c0c97999eb2481921ccd28553eac6f913af7c12aec04108"),
            },
            l2: BlockNumHash {
                number: 105_235_063,
                hash: b256!("dbf6a80fef073de06add9b0d14026d6e5a86c85f6d102c36d3d8e9cf89c2afd3"),
            },
            l2_time: 1_686_068_903,
            system_config: Some(op_genesis_system_config(address!("6887246668a3b87f54deb3b94ba47a6f63f32985"))),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 3600,
        channel_timeout: 300,
        granite_channel_timeout: 50,
        l1_chain_id: MAINNET_CHAIN_ID,
        l2_chain_id: OP_MAINNET_CHAIN_ID,
        hardforks: HardForkConfig {
            regolith_time: Some(0),
            canyon_time: Some(1_704_992_401),
            delta_time: Some(1_708_560_000),
            ecotone_time: Some(1_710_374_401),
            fjord_time: Some(1_720_627_201),
            granite_time: Some(1_726_070_401),
            holocene_time: Some(1_736_445_601),
            pectra_blob_schedule_time: None,
            isthmus_time: Some(1_746_806_401),
            jovian_time: Some(1_764_691_201),
            karst_time: Some(1_783_526_401),
            keep_karst_upgrade_gas: true,
            lagoon_time: None,
        },
        batch_inbox_address: address!("ff00000000000000000000000000000000000010"),
        deposit_contract_address: address!("beb5fc579115071764c7423a4f12edde41f106ed"),
        l1_system_config_address: address!("229047fed2591dbec1ef1118d64f7af3db9eb290"),
        chain_op_config: BaseFeeConfig {
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        },
        ..Default::default()
    }
}

/// OP Sepolia (11155420).
pub fn op_sepolia() -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash {
                number: 4_071_408,
                hash: b256!("48f520cf4ddaf34c8336e6e490632ea3cf1e5e93b0b2bc6e917557e31845371b"),
            },
            l2: BlockNumHash {
                number: 0,
                hash: b256!("102de6ffb001480cc9b8b548fd05c34cd4f46ae4aa91759393db90ea0409887d"),
            },
            l2_time: 1_691_802_540,
            system_config: Some(op_genesis_system_config(address!("8f23bb38f531600e5d8fddaaec41f13fab46e98c"))),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 3600,
        channel_timeout: 300,
        granite_channel_timeout: 50,
        l1_chain_id: SEPOLIA_CHAIN_ID,
        l2_chain_id: OP_SEPOLIA_CHAIN_ID,
        hardforks: HardForkConfig {
            regolith_time: Some(0),
            canyon_time: Some(1_699_981_200),
            delta_time: Some(1_703_203_200),
            ecotone_time: Some(1_708_534_800),
            fjord_time: Some(1_716_998_400),
            granite_time: Some(1_723_478_400),
            holocene_time: Some(1_732_633_200),
            pectra_blob_schedule_time: Some(1_742_486_400),
            isthmus_time: Some(1_744_905_600),
            jovian_time: Some(1_763_568_001),
            karst_time: Some(1_781_712_001),
            keep_karst_upgrade_gas: true,
            lagoon_time: None,
        },
        batch_inbox_address: address!("ff00000000000000000000000000000011155420"),
        deposit_contract_address: address!("16fc5058f25648194471939df75cf27a2fdc48bc"),
        l1_system_config_address: address!("034edd2a225f7f429a63e0f1d2084b9e0a93b538"),
        chain_op_config: BaseFeeConfig {
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        },
        ..Default::default()
    }
}

fn blob_schedule() -> BTreeMap<alloc::string::String, BlobScheduleEntry> {
    BTreeMap::from([
        ("cancun".into(), BlobScheduleEntry::CANCUN),
        ("prague".into(), BlobScheduleEntry::PRAGUE),
        ("bpo1".into(), BlobScheduleEntry::BPO1),
        ("bpo2".into(), BlobScheduleEntry::BPO2),
    ])
}

fn ethash() -> BTreeMap<alloc::string::String, serde_json::Value> {
    BTreeMap::from([("ethash".into(), serde_json::Value::Object(serde_json::Map::new()))])
}

/// Ethereum mainnet (1).
pub fn mainnet_l1() -> L1ChainConfig {
    L1ChainConfig {
        chain_id: MAINNET_CHAIN_ID,
        homestead_block: Some(1_150_000),
        dao_fork_block: Some(1_920_000),
        dao_fork_support: true,
        eip150_block: Some(2_463_000),
        eip155_block: Some(2_675_000),
        eip158_block: Some(2_675_000),
        byzantium_block: Some(4_370_000),
        constantinople_block: Some(7_280_000),
        petersburg_block: Some(7_280_000),
        istanbul_block: Some(9_069_000),
        muir_glacier_block: Some(9_200_000),
        berlin_block: Some(12_244_000),
        london_block: Some(12_965_000),
        arrow_glacier_block: Some(13_773_000),
        gray_glacier_block: Some(15_050_000),
        merge_netsplit_block: None,
        shanghai_time: Some(1_681_338_455),
        cancun_time: Some(1_710_338_135),
        prague_time: Some(1_746_612_311),
        osaka_time: Some(1_764_798_551),
        bpo1_time: Some(1_765_290_071),
        bpo2_time: Some(1_767_747_671),
        bpo3_time: None,
        bpo4_time: None,
        bpo5_time: None,
        terminal_total_difficulty: Some(uint!(58_750_000_000_000_000_000_000_U256)),
        terminal_total_difficulty_passed: false,
        deposit_contract_address: Some(address!("00000000219ab540356cBB839Cbe05303d7705Fa")),
        blob_schedule: blob_schedule(),
        other: ethash(),
    }
}

/// Sepolia (11155111).
pub fn sepolia_l1() -> L1ChainConfig {
    let mut other = ethash();
    other.insert("amsterdamTime".into(), serde_json::Value::from(1_791_294_816u64));
    L1ChainConfig {
        chain_id: SEPOLIA_CHAIN_ID,
        homestead_block: Some(0),
        dao_fork_block: None,
        dao_fork_support: true,
        eip150_block: Some(0),
        eip155_block: Some(0),
        eip158_block: Some(0),
        byzantium_block: Some(0),
        constantinople_block: Some(0),
        petersburg_block: Some(0),
        istanbul_block: Some(0),
        muir_glacier_block: Some(0),
        berlin_block: Some(0),
        london_block: Some(0),
        arrow_glacier_block: None,
        gray_glacier_block: None,
        merge_netsplit_block: Some(1_735_371),
        shanghai_time: Some(1_677_557_088),
        cancun_time: Some(1_706_655_072),
        prague_time: Some(1_741_159_776),
        osaka_time: Some(1_760_427_360),
        bpo1_time: Some(1_761_017_184),
        bpo2_time: Some(1_761_607_008),
        bpo3_time: None,
        bpo4_time: None,
        bpo5_time: None,
        terminal_total_difficulty: Some(U256::from(17_000_000_000_000_000u64)),
        terminal_total_difficulty_passed: false,
        deposit_contract_address: Some(address!("7f02c3e3c98b133055b8b348b2ac625669ed295d")),
        blob_schedule: blob_schedule(),
        other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(rollup_config(10).unwrap().l1_chain_id, 1);
        assert_eq!(rollup_config(11_155_420).unwrap().l1_chain_id, 11_155_111);
        assert!(rollup_config(8453).is_none());
        assert!(l1_config(1).is_some() && l1_config(11_155_111).is_some() && l1_config(17000).is_none());
        for id in BUNDLED_L2_CHAINS {
            let cfg = rollup_config(id).unwrap();
            cfg.check().unwrap();
            assert!(l1_config(cfg.l1_chain_id).is_some());
            assert_eq!(RollupConfig::from_json(&cfg.to_json()).unwrap(), cfg);
        }
    }
}
