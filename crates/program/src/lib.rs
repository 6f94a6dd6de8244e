#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod boot;
pub use boot::BootInfo;

pub mod errors;
pub use errors::{ProgramError, Result};

pub mod l1;
pub use l1::{header_by_hash, read_ordered_list, OracleL1ChainProvider};

pub mod driver;
pub use driver::{deposit_only, drive, final_output, DriveOutcome, Tip};

pub mod run;
pub use run::{run, run_with_builder, OraclePipeline, RunOutcome};

pub mod execute;
pub use execute::{execute_block, executor_config, ExecutedBlock, OracleTrieProvider};

pub mod l2;
pub use l2::{l1_info, l2_block_info, system_config, OracleL2ChainProvider, SharedOracle};

pub mod oracle;
pub use oracle::{ChannelOracle, HintType, MemoryOracle, PreimageOracle};

pub mod output;
pub use output::{fetch_agreed_output, OutputRoot, L2_TO_L1_MESSAGE_PASSER};

pub mod client;
pub use client::{check_claim, exit_code, prologue, trace_extension_verdict, Prologue};

pub mod blob;
pub use blob::{roots_of_unity, OracleBlobProvider};
