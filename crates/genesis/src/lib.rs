#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]
#![warn(unused_crate_dependencies)]

extern crate alloc;

mod altda;
pub use altda::AltDaConfig;

pub mod errors;
pub use errors::{GenesisError, Result};

mod genesis;
pub use genesis::ChainGenesis;

mod hardfork;
pub use hardfork::{HardForkConfig, Hardfork};

mod l1;
pub use l1::{fake_exponential, BlobFork, BlobScheduleEntry, L1ChainConfig, MIN_BLOB_BASE_FEE};

mod params;
pub use params::{
    BaseFeeConfig, OP_MAINNET_EIP1559_DENOMINATOR, OP_MAINNET_EIP1559_DENOMINATOR_CANYON, OP_MAINNET_EIP1559_ELASTICITY,
};

pub mod registry;

mod rollup;
pub use rollup::{
    RollupConfig, FJORD_MAX_SEQUENCER_DRIFT, GRANITE_CHANNEL_TIMEOUT, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

mod system;
pub use system::{SystemConfig, DEFAULT_DA_FOOTPRINT_GAS_SCALAR};

pub use alloy_eips::BlockNumHash;

// kona-genesis is a dev-dependency (the test oracle of tests/kona.rs), unused by the unit tests.
#[cfg(test)]
use kona_genesis as _;
