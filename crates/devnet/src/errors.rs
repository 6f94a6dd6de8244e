//! Errors of the devnet: each names the node, file or role it is about.

use std::path::PathBuf;

/// A devnet failure.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// A node binary is missing (the install script has not run).
    #[error("{node} binary not found at {path} (run scripts/install-nodes.sh, or set {env})")]
    MissingBinary {
        /// Node name.
        node: &'static str,
        /// Where it was looked for.
        path: PathBuf,
        /// Environment variable that overrides the path.
        env: &'static str,
    },
    /// A node process failed to start, exited, or stopped answering.
    #[error("{node}: {reason} (log: {log})")]
    Node {
        /// Node name.
        node: &'static str,
        /// What happened.
        reason: String,
        /// The node's log file.
        log: PathBuf,
    },
    /// A JSON-RPC call failed (no answer after the retries, an error answer, or an undecodable result); names
    /// the node, method and key.
    #[error("{0}")]
    Rpc(#[from] rampart_host::FetchError),
    /// The devnet directory exists (without `--force`) or cannot be used.
    #[error("{0}")]
    Dir(String),
    /// A requested port is taken.
    #[error("port {port} ({what}) is already in use")]
    PortInUse {
        /// The port.
        port: u16,
        /// What it was for.
        what: &'static str,
    },
    /// File I/O.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A contract artifact is missing or malformed.
    #[error("artifact {name}: {reason}")]
    Artifact {
        /// Contract name.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Building the L1 or L2 genesis failed.
    #[error("genesis: {0}")]
    Genesis(String),
    /// A rollup role (sequencer, batcher, archiver, recorder) hit an inconsistency.
    #[error("{role}: {reason}")]
    Role {
        /// The role.
        role: &'static str,
        /// What happened.
        reason: String,
    },
    /// A faithfulness check failed.
    #[error("check failed: {0}")]
    Check(String),
}

impl DevnetError {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io { path: path.into(), source }
    }

    /// A role failure.
    pub fn role(role: &'static str, reason: impl Into<String>) -> Self {
        Self::Role { role, reason: reason.into() }
    }
}

/// Result alias of the devnet crate.
pub type Result<T, E = DevnetError> = std::result::Result<T, E>;
