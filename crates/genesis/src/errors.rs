//! Errors of the genesis crate.

use alloc::string::String;

/// A configuration that cannot be read or does not make sense.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenesisError {
    /// The rollup config JSON does not parse.
    #[error("invalid rollup config JSON: {0}")]
    RollupConfigJson(String),
    /// The L1 chain config JSON does not parse.
    #[error("invalid L1 chain config JSON: {0}")]
    L1ConfigJson(String),
    /// The rollup config parses but breaks one of op-node's sanity rules.
    #[error("invalid rollup config: {0}")]
    InvalidRollupConfig(String),
}

/// Result alias of this crate.
pub type Result<T> = core::result::Result<T, GenesisError>;
