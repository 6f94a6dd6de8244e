//! `rampart host` (being written; see its issue).

use crate::CliError;

/// Flags of `host`.
#[derive(clap::Args, Debug)]
pub struct HostArgs {}

/// Runs `host`.
pub fn run(_args: HostArgs) -> Result<(), CliError> {
    Err(CliError::fail("`rampart host` is not built yet"))
}
