//! Errors of the challenger agent.

/// Why the agent could not build a trace, read its data or play a game.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AgentError {
    /// The dataset is malformed or lacks something the dispute needs.
    #[error("dataset: {0}")]
    Dataset(String),
    /// The program could not be loaded or run.
    #[error("program: {0}")]
    Program(String),
    /// A game transaction or trace query failed.
    #[error("game: {0}")]
    Game(String),
    /// The contracts-bedrock artifacts are missing, or deploying or calling them in revm failed.
    #[error("portal EVM: {0}")]
    Evm(String),
}

/// Result alias for [`AgentError`].
pub type Result<T, E = AgentError> = core::result::Result<T, E>;
