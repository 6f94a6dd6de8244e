//! Errors of the program's client flow.

use alloc::string::String;
use alloy_primitives::B256;
use rampart_derive::errors::{PipelineError, PipelineErrorKind};
use rampart_preimage::{OracleError, PreimageKey};

/// Result alias of this crate.
pub type Result<T, E = ProgramError> = core::result::Result<T, E>;

/// Everything that makes the program fail (exit 1): hostile or missing preimages, bad configs, a wrong claim.
#[derive(Debug, thiserror::Error)]
pub enum ProgramError {
    /// The oracle channel failed or returned a preimage of the wrong length.
    #[error("preimage oracle: {0}")]
    Oracle(#[from] OracleError),
    /// The in-memory store does not hold the preimage of a key.
    #[error("missing preimage {0}")]
    MissingPreimage(PreimageKey),
    /// A local input has the wrong length.
    #[error("local key {index}: expected {expected} bytes, got {got}")]
    LocalKeyLength {
        /// Local key index.
        index: u64,
        /// Expected length.
        expected: usize,
        /// Length served.
        got: usize,
    },
    /// The rollup config (key 6) or L1 config (key 7) JSON was rejected.
    #[error("local key {index} config JSON: {reason}")]
    Config {
        /// Local key index.
        index: u64,
        /// Why it was rejected.
        reason: String,
    },
    /// A keccak256 preimage does not hash to its key's digest.
    #[error("preimage of {0} does not hash to it")]
    HashMismatch(B256),
    /// An output-root preimage is not 128 bytes.
    #[error("output root preimage: expected 128 bytes, got {0}")]
    OutputRootLength(usize),
    /// An output-root preimage names a version other than 0.
    #[error("unknown output root version {0}")]
    UnknownOutputVersion(B256),
    /// A header, transaction or receipt does not decode.
    #[error("{what} {hash}: {reason}")]
    Decode {
        /// What was decoded.
        what: &'static str,
        /// Hash it was fetched under (block hash for transactions and receipts).
        hash: B256,
        /// Decoder message.
        reason: String,
    },
    /// A trie walk failed (missing node, bad node).
    #[error("trie under {root}: {source}")]
    Trie {
        /// Trie root.
        root: B256,
        /// Trie error.
        #[source]
        source: rampart_mpt::Error,
    },
    /// An L1 block number above the L1 head (or below genesis of the walk) was asked for.
    #[error("L1 block {number} is not at or below the L1 head {head}")]
    BlockNotFound {
        /// Number asked for.
        number: u64,
        /// Number of the L1 head.
        head: u64,
    },
    /// An L2 block number above the highest known L2 block (or too far below it) was asked for.
    #[error("L2 block {number} is not reachable from the L2 tip {tip}")]
    L2BlockNotFound {
        /// Number asked for.
        number: u64,
        /// Number of the highest known L2 block.
        tip: u64,
    },
    /// Building a block failed (and, after Holocene, its deposit-only replacement too).
    #[error("executing L2 block {number}: {source}")]
    Execution {
        /// Number of the block being built.
        number: u64,
        /// Executor error.
        #[source]
        source: rampart_executor::Error,
    },
    /// The derivation pipeline failed critically.
    #[error("derivation: {0}")]
    Pipeline(PipelineErrorKind),
    /// The derivation pipeline made no progress for too many steps.
    #[error("derivation made no progress in {0} steps")]
    Stalled(u64),
    /// A header's parent hash chain does not link up while walking back.
    #[error("header {hash} does not link to its child's parent hash")]
    BrokenChain {
        /// Hash of the header that broke the chain.
        hash: B256,
    },
    /// The claimed block is below the agreed safe head.
    #[error("claimed block {claimed} is below the agreed safe head {safe_head}")]
    ClaimBelowSafeHead {
        /// Claimed L2 block number.
        claimed: u64,
        /// Agreed safe head number.
        safe_head: u64,
    },
    /// The computed output root differs from the claim.
    #[error("invalid claim: computed {computed}, claimed {claimed}")]
    InvalidClaim {
        /// Output root the program computed.
        computed: B256,
        /// Claimed output root.
        claimed: B256,
    },
}

impl From<ProgramError> for PipelineErrorKind {
    fn from(e: ProgramError) -> Self {
        // An L1 block past the L1 head is the end of the L1 source (L1 traversal passes it on; the driver then
        // judges the claim at the last safe head). Otherwise preimages are immutable: a failed oracle read never
        // succeeds on retry, so every other provider error is critical for the pipeline.
        match e {
            ProgramError::BlockNotFound { number, head } if number > head => {
                PipelineErrorKind::Critical(PipelineError::EndOfSource)
            }
            e => PipelineErrorKind::Critical(PipelineError::Provider(alloc::format!("{e}"))),
        }
    }
}
