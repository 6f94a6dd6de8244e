//! `rampart verify` (being written; see its issue).

use crate::CliError;

/// Flags of `verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {}

/// Runs `verify`.
pub fn run(_args: VerifyArgs) -> Result<(), CliError> {
    Err(CliError::fail("`rampart verify` is not built yet"))
}
