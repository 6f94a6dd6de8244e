//! `rampart batch-decode`: frames, channels and batches of batcher data as JSON (logic in
//! `rampart-batch-decode`).

use crate::CliError;
use alloy_primitives::Address;
use rampart_batch_decode::{decode, read_input, Filter, InputKind};

/// Flags of `batch-decode`.
#[derive(clap::Args, Debug)]
pub struct BatchDecodeArgs {
    /// The batch inbox address.
    #[arg(long)]
    pub inbox: Address,
    /// The batcher address (transactions from others are listed but not decoded).
    #[arg(long)]
    pub batcher: Address,
    /// A raw EIP-2718 L1 transaction file (binary or hex); repeatable, in L1 order.
    #[arg(long = "tx")]
    pub txs: Vec<String>,
    /// A blob file (131 072 bytes, binary or hex); repeatable, in L1 order.
    #[arg(long = "blob")]
    pub blobs: Vec<String>,
    /// A channel's compressed data (its frames joined); repeatable.
    #[arg(long = "channel")]
    pub channels: Vec<String>,
}

/// Runs `batch-decode`: prints the JSON report, or exits 1 with the one error.
pub fn run(args: BatchDecodeArgs) -> Result<(), CliError> {
    let files = args
        .txs
        .iter()
        .map(|p| (p, InputKind::Tx))
        .chain(args.blobs.iter().map(|p| (p, InputKind::Blob)))
        .chain(args.channels.iter().map(|p| (p, InputKind::Channel)));
    let inputs = files
        .map(|(p, k)| read_input(p, k))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::fail(e.to_string()))?;
    if inputs.is_empty() {
        return Err(CliError::fail("batch-decode: give at least one --tx, --blob or --channel file"));
    }
    let report = decode(&inputs, &Filter { inbox: args.inbox, batcher: args.batcher })
        .map_err(|e| CliError::fail(e.to_string()))?;
    println!("{}", serde_json::to_string_pretty(&report).map_err(|e| CliError::fail(e.to_string()))?);
    Ok(())
}
