//! `rampart execute-block` (being written; see its issue).

use crate::CliError;

/// Flags of `execute-block`.
#[derive(clap::Args, Debug)]
pub struct ExecuteBlockArgs {}

/// Runs `execute-block`.
pub fn run(_args: ExecuteBlockArgs) -> Result<(), CliError> {
    Err(CliError::fail("`rampart execute-block` is not built yet"))
}
