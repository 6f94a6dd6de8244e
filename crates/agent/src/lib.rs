#![doc = include_str!("../README.md")]

pub mod dataset;
pub mod demo;
pub mod dispute;
pub mod errors;
pub mod oracle;
pub mod portal_evm;
pub mod program;
mod stepper;
pub mod withdrawal;

pub use dataset::{DatasetClaim, DevnetData};
pub use errors::{AgentError, Result};
pub use oracle::{OnChainOracle, ProgramOracle};
pub use program::{
    LieAt, ProgramRun, ProgramRunner, ProgramTrace, ProgramTraceFactory, DEFAULT_MAX_STEPS, DEFAULT_SNAPSHOT_INTERVAL,
};
pub use stepper::{verify_as_game, MipsStepper};
