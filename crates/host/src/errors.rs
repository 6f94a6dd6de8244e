//! Errors of hint routing and fetching.

use crate::store::StoreError;

/// Why a hint could not be served.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The hint type is not one of the single-chain program's.
    #[error("unknown hint type {0:?}")]
    UnknownHint(String),
    /// The hint data does not have its type's layout.
    #[error("{kind} hint: {reason}")]
    BadHint {
        /// Hint type.
        kind: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A node did not answer (after the retries) or answered with an error.
    #[error("{node}: {method} for {key}: {reason}")]
    Rpc {
        /// Node name and URL.
        node: String,
        /// JSON-RPC method or beacon API path.
        method: String,
        /// What was asked for (block hash, node hash, ...).
        key: String,
        /// What happened.
        reason: String,
    },
    /// A node answered data that does not verify against the hash that asked for it. Nothing was stored.
    #[error("{node}: {method} for {key} returned wrong data: {reason}")]
    WrongAnswer {
        /// Node name and URL.
        node: String,
        /// JSON-RPC method or beacon API path.
        method: String,
        /// What was asked for.
        key: String,
        /// How it fails verification.
        reason: String,
    },
    /// The hint cannot be answered by this host (configuration or capability).
    #[error("{kind} hint: {reason}")]
    Unsupported {
        /// Hint type.
        kind: &'static str,
        /// Why.
        reason: String,
    },
    /// Writing the store failed.
    #[error("preimage store: {0}")]
    Store(#[from] StoreError),
}

/// Result of hint routing.
pub type FetchResult<T> = Result<T, FetchError>;
