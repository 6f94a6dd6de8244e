//! `rampart devnet`: a local OP Stack devnet on real geth (L1) and op-geth (L2) driven by Rampart's sequencer,
//! batcher and blob archiver (`crates/devnet`); `record` writes a dataset from a running devnet.

use crate::CliError;
use rampart_devnet::{batcher::Fault, Ports, UpOptions};
use std::{path::PathBuf, time::Duration};

/// `devnet` subcommands.
#[derive(clap::Args, Debug)]
pub struct DevnetArgs {
    #[command(subcommand)]
    command: DevnetCommand,
}

#[derive(clap::Subcommand, Debug)]
enum DevnetCommand {
    /// Start geth and op-geth and run the rollup roles until SIGINT/SIGTERM.
    Up(UpArgs),
    /// Write the dataset of the safe range of a running devnet (rollup.json, l1-config.json, claims.json).
    Record(RecordArgs),
}

/// Flags of `devnet up`.
#[derive(clap::Args, Debug)]
pub struct UpArgs {
    /// Devnet directory (node data, logs, genesis files, endpoints.json, claims.json).
    #[arg(long)]
    dir: PathBuf,
    /// Seed of the test keys, transactions and batcher decisions.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Replace an existing directory.
    #[arg(long)]
    force: bool,
    /// geth HTTP JSON-RPC port (default: a free port).
    #[arg(long)]
    l1_rpc_port: Option<u16>,
    /// geth engine API port.
    #[arg(long)]
    l1_auth_port: Option<u16>,
    /// op-geth HTTP JSON-RPC port.
    #[arg(long)]
    l2_rpc_port: Option<u16>,
    /// op-geth engine API port.
    #[arg(long)]
    l2_auth_port: Option<u16>,
    /// op-geth p2p port.
    #[arg(long)]
    l2_p2p_port: Option<u16>,
    /// Blob archiver (beacon API) port.
    #[arg(long)]
    beacon_port: Option<u16>,
    /// Milliseconds of wall time between L2 blocks (each block is 2 s of L2 time).
    #[arg(long, default_value_t = 2000)]
    block_interval_ms: u64,
    /// Seconds between L1 blocks.
    #[arg(long, default_value_t = 2)]
    l1_block_time: u64,
    /// Isthmus activation, seconds after the L2 genesis.
    #[arg(long)]
    isthmus_after: Option<u64>,
    /// Jovian activation, seconds after the L2 genesis.
    #[arg(long)]
    jovian_after: Option<u64>,
    /// Karst activation, seconds after the L2 genesis.
    #[arg(long)]
    karst_after: Option<u64>,
    /// Faults to inject, one per channel from the second: drop, duplicate, reorder, timeout, invalid-batch.
    #[arg(long, value_delimiter = ',')]
    faults: Vec<Fault>,
    /// Stop after this many L2 blocks once they are all safe (default: run until a signal).
    #[arg(long)]
    max_blocks: Option<u64>,
    /// Most L2 blocks per batcher channel.
    #[arg(long, default_value_t = 6)]
    max_blocks_per_channel: usize,
    /// Send an L1 deposit every this many L1 blocks (0: none).
    #[arg(long, default_value_t = 3)]
    deposit_every: u64,
    /// When the run ends (before the nodes stop), record its dataset to this directory (as `devnet record`).
    #[arg(long)]
    record: Option<PathBuf>,
}

/// Flags of `devnet record`.
#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// Directory of the running devnet.
    #[arg(long)]
    dir: PathBuf,
    /// Output directory of the dataset.
    #[arg(long)]
    out: PathBuf,
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

async fn signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (signal(SignalKind::interrupt()), signal(SignalKind::terminate())) {
        (Ok(mut int), Ok(mut term)) => {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
        }
        _ => std::future::pending::<()>().await,
    }
    tracing::info!(target: "devnet", "signal received: stopping the nodes");
}

/// Runs `devnet`.
pub fn run(args: DevnetArgs) -> Result<(), CliError> {
    init_tracing();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| CliError::fail(format!("tokio runtime: {e}")))?;
    match args.command {
        DevnetCommand::Up(a) => {
            let opts = UpOptions {
                dir: a.dir,
                seed: a.seed,
                force: a.force,
                ports: Ports {
                    l1_rpc: a.l1_rpc_port,
                    l1_auth: a.l1_auth_port,
                    l2_rpc: a.l2_rpc_port,
                    l2_auth: a.l2_auth_port,
                    l2_p2p: a.l2_p2p_port,
                    beacon: a.beacon_port,
                },
                block_interval: Duration::from_millis(a.block_interval_ms),
                l1_block_time: a.l1_block_time,
                fork_offsets: [a.isthmus_after, a.jovian_after, a.karst_after],
                batcher: rampart_devnet::batcher::BatcherConfig {
                    faults: a.faults,
                    max_blocks_per_channel: a.max_blocks_per_channel,
                    ..Default::default()
                },
                max_l2_blocks: a.max_blocks,
                deposit_every: a.deposit_every,
                ..Default::default()
            };
            let (summary, manifest) = rt
                .block_on(rampart_devnet::up_with_record(opts, signal(), a.record.as_deref()))
                .map_err(|e| CliError::fail(e.to_string()))?;
            if let (Some(m), Some(out)) = (manifest, &a.record) {
                println!(
                    "recorded {} claims, {} preimages ({} blobs, L1 {:?}, L2 {:?}, {}/{} blocks re-executed) to {}",
                    m.claims,
                    m.preimages,
                    m.blobs,
                    m.l1_range,
                    m.l2_range,
                    m.executed_matched,
                    m.l2_range.map_or(0, |r| r.1),
                    out.display()
                );
            }
            println!(
                "devnet stopped: {} L2 blocks, {} safe, {} channels, {} blobs, {} deposits, {} claims",
                summary.blocks.len(),
                summary.safe.map_or(0, |s| s.l2.number),
                summary.channels.len(),
                summary.blobs_posted,
                summary.deposits_sent,
                summary.claims.len()
            );
            Ok(())
        }
        DevnetCommand::Record(a) => {
            let m = rt
                .block_on(rampart_devnet::record::record(&a.dir, &a.out))
                .map_err(|e| CliError::fail(e.to_string()))?;
            println!(
                "recorded {} claims, {} preimages ({} blobs, L1 {:?}, L2 {:?}) to {}",
                m.claims,
                m.preimages,
                m.blobs,
                m.l1_range,
                m.l2_range,
                a.out.display()
            );
            Ok(())
        }
    }
}
