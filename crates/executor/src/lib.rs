//! Rampart executor: builds an OP Stack L2 block statelessly, reading all state through a preimage
//! store (trie nodes, bytecode and headers keyed by keccak256), and executes it with op-revm through
//! `alloy-op-evm`.
//!
//! Entry point: [`build_block`], which takes the parent header, the payload attributes and the chain
//! configuration and returns the sealed header, its hash, the state root and the output root.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod builder;
mod config;
mod db;
mod error;
#[cfg(feature = "std")]
pub mod fixture;
pub mod input;
pub mod precompiles;
mod preimages;

pub use alloy_consensus::Header;
pub use alloy_primitives::{Address, Bytes, B256};
pub use builder::{build_block, build_block_with, output_root_v0, BlockOutcome, BuildOptions, L2_TO_L1_MESSAGE_PASSER};
pub use config::{ChainConfig, ForkTimes};
pub use db::TrieDb;
pub use error::Error;
pub use op_alloy_rpc_types_engine::OpPayloadAttributes;
pub use precompiles::{PrecompileCall, PrecompileOracle};
pub use preimages::PreimageStore;
