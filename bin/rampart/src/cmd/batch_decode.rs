//! `rampart batch-decode`: frames, channels and batches of batcher data as JSON (logic in
//! `rampart-batch-decode`), from files or from an L1 node and beacon endpoint.

use crate::CliError;
use alloy_primitives::{Address, B256};
use rampart_batch_decode::{
    decode_with, read_input, read_rollup_config, read_sidecars, rpc, Filter, InputKind, Options, SpanParams,
};

/// Flags of `batch-decode`.
#[derive(clap::Args, Debug)]
pub struct BatchDecodeArgs {
    /// The batch inbox address (default: the rollup config's `batch_inbox_address`).
    #[arg(long)]
    pub inbox: Option<Address>,
    /// The batcher address; transactions from others are listed but not decoded (default: the rollup config's
    /// genesis batcher).
    #[arg(long)]
    pub batcher: Option<Address>,
    /// A raw EIP-2718 L1 transaction file (binary or hex); repeatable, in L1 order.
    #[arg(long = "tx")]
    pub txs: Vec<String>,
    /// A blob file (131 072 bytes, binary or hex); repeatable, in L1 order. Its KZG commitment must have the
    /// versioned hash given by `--blob-hash` or, without one, the next one of the blob transactions given.
    #[arg(long = "blob")]
    pub blobs: Vec<String>,
    /// The versioned hash of the `--blob` at the same position; repeatable.
    #[arg(long = "blob-hash")]
    pub blob_hashes: Vec<B256>,
    /// A beacon API blob-sidecar answer (JSON): its blobs, each checked against the sidecar's commitment;
    /// repeatable, in L1 order, after the `--blob` files.
    #[arg(long = "sidecars")]
    pub sidecars: Vec<String>,
    /// A channel's compressed data (its frames joined); repeatable.
    #[arg(long = "channel")]
    pub channels: Vec<String>,
    /// The rollup config (kona-genesis `RollupConfig` JSON): span batches are expanded into singular batches.
    #[arg(long = "rollup-config-path")]
    pub rollup_config: Option<String>,
    /// RPC mode: the L1 execution node's JSON-RPC URL (blocks `--start..=--end`).
    #[arg(long = "l1-rpc", requires_all = ["start", "end"])]
    pub l1_rpc: Option<String>,
    /// RPC mode: the beacon API (beacon node or blob archiver) for the blobs.
    #[arg(long = "l1-beacon", requires = "l1_rpc")]
    pub l1_beacon: Option<String>,
    /// RPC mode: first L1 block.
    #[arg(long, requires = "l1_rpc")]
    pub start: Option<u64>,
    /// RPC mode: last L1 block (inclusive).
    #[arg(long, requires = "l1_rpc")]
    pub end: Option<u64>,
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::fail(e.to_string())
}

/// Runs `batch-decode`: prints the JSON report, or exits 1 with the one error.
pub fn run(args: BatchDecodeArgs) -> Result<(), CliError> {
    let rollup = args.rollup_config.as_deref().map(read_rollup_config).transpose().map_err(fail)?;
    let inbox = args.inbox.or(rollup.as_ref().map(|r| r.batch_inbox_address));
    let batcher =
        args.batcher.or(rollup.as_ref().and_then(|r| r.genesis.system_config.as_ref()).map(|s| s.batcher_address));
    let (Some(inbox), Some(batcher)) = (inbox, batcher) else {
        return Err(CliError::usage("batch-decode: give --inbox and --batcher, or --rollup-config-path"));
    };
    let filter = Filter { inbox, batcher };
    let opts = Options { span: rollup.as_ref().map(SpanParams::from_rollup_config), ..Default::default() };
    if args.blob_hashes.len() > args.blobs.len() {
        return Err(CliError::usage(format!(
            "batch-decode: {} --blob-hash for {} --blob files",
            args.blob_hashes.len(),
            args.blobs.len()
        )));
    }

    let mut inputs = Vec::new();
    for p in &args.txs {
        inputs.push(read_input(p, InputKind::Tx).map_err(fail)?);
    }
    for (i, p) in args.blobs.iter().enumerate() {
        let mut input = read_input(p, InputKind::Blob).map_err(fail)?;
        if let Some(h) = args.blob_hashes.get(i) {
            input = input.with_versioned_hash(*h, format!("--blob-hash {h}"));
        }
        inputs.push(input);
    }
    for p in &args.sidecars {
        inputs.extend(read_sidecars(p).map_err(fail)?);
    }
    for p in &args.channels {
        inputs.push(read_input(p, InputKind::Channel).map_err(fail)?);
    }

    let report = if let Some(url) = &args.l1_rpc {
        let (start, end) = (args.start.unwrap_or_default(), args.end.unwrap_or_default());
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(fail)?;
        rt.block_on(async {
            let policy = rampart_host::rpc::RetryPolicy::default();
            let l1 = rampart_host::rpc::RpcClient::new("l1", url, policy).map_err(fail)?;
            let beacon = match &args.l1_beacon {
                Some(u) => Some(rampart_host::rpc::BeaconClient::new("l1-beacon", u, policy).map_err(fail)?),
                None => None,
            };
            rpc::decode_range(&l1, beacon.as_ref(), start, end, &filter, &opts, inputs).await.map_err(fail)
        })?
    } else {
        if inputs.is_empty() {
            return Err(CliError::usage(
                "batch-decode: give at least one --tx, --blob, --sidecars or --channel file, or --l1-rpc",
            ));
        }
        decode_with(&inputs, &filter, &opts).map_err(fail)?
    };
    println!("{}", serde_json::to_string_pretty(&report).map_err(fail)?);
    Ok(())
}
