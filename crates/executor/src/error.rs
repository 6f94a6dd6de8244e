//! Executor error type.

use alloc::string::String;
use alloy_primitives::B256;

/// Errors of stateless block execution.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// A trie access failed (missing or malformed node).
    #[error("trie: {0}")]
    Trie(#[from] rampart_mpt::Error),
    /// A preimage (bytecode or header) is missing from the store.
    #[error("missing preimage {0}")]
    MissingPreimage(B256),
    /// A stored preimage does not hash to its key.
    #[error("preimage for {0} does not hash to it")]
    PreimageHashMismatch(B256),
    /// An account or storage value in the trie is not valid RLP.
    #[error("invalid rlp for {what}: {reason}")]
    Rlp {
        /// What was being decoded.
        what: &'static str,
        /// Decoder message.
        reason: String,
    },
    /// A header preimage does not decode.
    #[error("invalid header {hash}: {reason}")]
    BadHeader {
        /// Header hash.
        hash: B256,
        /// Decoder message.
        reason: String,
    },
    /// Payload attributes are unusable (missing gas limit, bad eip1559 params, undecodable tx...).
    #[error("invalid payload attributes: {0}")]
    Attributes(String),
    /// The chain configuration is unusable or the fork is not supported by this executor.
    #[error("configuration: {0}")]
    Config(String),
    /// Block execution failed in the EVM or the block executor.
    #[error("execution: {0}")]
    Execution(String),
    /// The output root was not computed because the caller did not ask for it.
    #[error("output root not requested")]
    OutputRootNotRequested,
    /// An accelerated precompile could not be answered, or its answer is malformed.
    #[error("precompile: {0}")]
    Precompile(String),
    /// Fixture or input file problem.
    #[error("input: {0}")]
    Input(String),
}

impl revm::database_interface::DBErrorMarker for Error {}
