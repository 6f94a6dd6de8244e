//! `rampart host`: the preimage server, with kona-host's `single` flags (offline: preimages come from a
//! `--data-dir` directory store and/or a `--fixture`; online with the three node addresses: each hint is routed
//! to the nodes and its verified preimages written to the data dir; local keys from the flags).

use crate::CliError;
use rampart_host::preimage::PreimageKey;
use rampart_host::{
    DirectoryKeyValueStore, FallbackStore, FixtureStore, KeyValueStore, LocalInputs, MemoryKeyValueStore,
    PreimageServer, SplitStore,
};
use std::fs::File;
use std::os::fd::FromRawFd;

/// Flags of `host` (kona-host `single` names and aliases).
#[derive(clap::Args, Debug)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["server", "native"])))]
pub struct HostArgs {
    /// L1 head block hash (local key 1).
    #[arg(long = "l1-head", value_parser = parse_b256)]
    pub l1_head: [u8; 32],
    /// Agreed L2 head block hash: checked against the block hash in the agreed output root's preimage when the
    /// store holds it (kona-host checks the output root it recomputes for that block).
    #[arg(long = "agreed-l2-head-hash", alias = "l2-head", value_parser = parse_b256)]
    pub agreed_l2_head_hash: Option<[u8; 32]>,
    /// Agreed L2 output root (local key 2).
    #[arg(long = "agreed-l2-output-root", alias = "l2-output-root", value_parser = parse_b256)]
    pub agreed_l2_output_root: [u8; 32],
    /// Claimed L2 output root (local key 3).
    #[arg(long = "claimed-l2-output-root", alias = "l2-claim", value_parser = parse_b256)]
    pub claimed_l2_output_root: [u8; 32],
    /// Claimed L2 block number (local key 4).
    #[arg(long = "claimed-l2-block-number", alias = "l2-block-number")]
    pub claimed_l2_block_number: u64,
    /// L2 chain id (local key 5; 0 when absent).
    #[arg(long = "l2-chain-id", conflicts_with = "rollup_config_path")]
    pub l2_chain_id: Option<u64>,
    /// Rollup config JSON (local key 6).
    #[arg(long = "rollup-config-path", alias = "rollup-cfg")]
    pub rollup_config_path: Option<String>,
    /// L1 chain config JSON (local key 7).
    #[arg(long = "l1-config-path", alias = "l1-cfg")]
    pub l1_config_path: Option<String>,
    /// op-program `directory` preimage store (created if missing).
    #[arg(long = "data-dir", alias = "db")]
    pub data_dir: Option<String>,
    /// Also serve the preimages of a `block-N.kv.gz` fixture (as keccak256 keys).
    #[arg(long)]
    pub fixture: Option<String>,
    /// L1 execution node JSON-RPC (online mode, with the other two node addresses).
    #[arg(long = "l1-node-address", alias = "l1")]
    pub l1_node_address: Option<String>,
    /// L2 execution node JSON-RPC (online mode).
    #[arg(long = "l2-node-address", alias = "l2")]
    pub l2_node_address: Option<String>,
    /// L1 beacon API or blob archiver (online mode).
    #[arg(long = "l1-beacon-address", alias = "beacon")]
    pub l1_beacon_address: Option<String>,
    /// Serve a VM on fds 3 (hints in), 4 (acks out), 5 (keys in), 6 (preimages out).
    #[arg(long)]
    pub server: bool,
    /// Run the fault-proof program (rampart-program) in-process on the same inputs and store; the exit code is
    /// its verdict (0 valid claim, 1 invalid claim or error, 2 panic).
    #[arg(long)]
    pub native: bool,
}

fn parse_b256(s: &str) -> Result<[u8; 32], String> {
    let h = s.strip_prefix("0x").unwrap_or(s);
    let b = hex::decode(h).map_err(|e| format!("not hex: {e}"))?;
    b.try_into().map_err(|b: Vec<u8>| format!("expected 32 bytes, got {}", b.len()))
}

fn read_json(path: &str, what: &str) -> Result<Vec<u8>, CliError> {
    // A rollup or L1 chain config is a few KiB; 16 MiB is far past any real one.
    let file = File::open(path).map_err(|e| CliError::fail(format!("reading {what} {path}: {e}")))?;
    let text = rampart_primitives::gz::read_to_end_capped(file, 16 << 20, "a chain config JSON")
        .map_err(|e| CliError::fail(format!("reading {what} {path}: {e}")))?;
    rampart_host::normalize_json(&text).map_err(|e| CliError::fail(format!("{what} {path} is not JSON: {e}")))
}

/// Takes ownership of fds 3..=6, checking each is open.
fn oracle_fds() -> Result<[File; 4], CliError> {
    for fd in 3..=6 {
        // SAFETY: F_GETFD only queries the descriptor flags.
        if unsafe { libc::fcntl(fd, libc::F_GETFD) } < 0 {
            return Err(CliError::fail(format!(
                "--server needs the preimage oracle pipes on fds 3-6 but fd {fd} is not open; \
                 run it as `rampart run ... -- rampart host --server ...`"
            )));
        }
    }
    // SAFETY: fds 3-6 are open (checked above), were handed to us by the parent, and nothing else owns them.
    Ok(unsafe { [File::from_raw_fd(3), File::from_raw_fd(4), File::from_raw_fd(5), File::from_raw_fd(6)] })
}

/// Answers an `l1-precompile` hint (`address ‖ gas u64 BE ‖ input`) as kona-host does: runs the precompile
/// natively and makes its answer (status ‖ output) available under the type-6 key, and the hint payload under its
/// keccak256 key. Other hints, and calls of precompiles that are not accelerated, give nothing.
fn precompile_hint(hint: &rampart_host::preimage::Hint) -> Vec<(PreimageKey, Vec<u8>)> {
    use rampart_executor::precompiles::{encode_answer, run, PrecompileCall};
    if hint.kind != "l1-precompile" {
        return Vec::new();
    }
    let Some(call) = PrecompileCall::parse(&hint.data) else { return Vec::new() };
    let Ok((ok, out)) = run(call.address, call.gas, call.input) else { return Vec::new() };
    let hash = call.key_hash().0;
    vec![(PreimageKey::precompile(hash), encode_answer(ok, &out)), (PreimageKey::keccak256(hash), hint.data.clone())]
}

/// Runs `host`.
pub fn run(args: HostArgs) -> Result<(), CliError> {
    let online = match (&args.l1_node_address, &args.l1_beacon_address, &args.l2_node_address) {
        (None, None, None) => None,
        (Some(l1), Some(beacon), Some(l2)) => {
            Some(rampart_host::NodeUrls { l1: l1.clone(), beacon: beacon.clone(), l2: l2.clone() })
        }
        _ => {
            return Err(CliError::fail(
                "online mode needs all of --l1-node-address, --l1-beacon-address and --l2-node-address",
            ))
        }
    };
    let locals = LocalInputs {
        l1_head: args.l1_head,
        agreed_output_root: args.agreed_l2_output_root,
        claimed_output_root: args.claimed_l2_output_root,
        claimed_block_number: args.claimed_l2_block_number,
        chain_id: args.l2_chain_id.unwrap_or(0),
        rollup_config: args.rollup_config_path.as_deref().map(|p| read_json(p, "rollup config")).transpose()?,
        l1_config: args.l1_config_path.as_deref().map(|p| read_json(p, "L1 config")).transpose()?,
    };
    let store_err = |e: rampart_host::StoreError| CliError::fail(e.to_string());
    let disk: Box<dyn KeyValueStore + Send> = match &args.data_dir {
        Some(d) => Box::new(DirectoryKeyValueStore::open(d).map_err(store_err)?),
        None => Box::new(MemoryKeyValueStore::new()),
    };
    let fixture = match &args.fixture {
        Some(f) => FixtureStore::open(f).map_err(store_err)?,
        None => FixtureStore::default(),
    };
    // Online: hints are routed to the nodes as they come and their preimages written to the data dir (or memory).
    // Logs (RUST_LOG, default warn): a span per hint with its RPC calls (host::hint=info, host::rpc=debug).
    if online.is_some() {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
        let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
    }
    let shared = rampart_host::SharedStore::new(disk);
    let host = match &online {
        Some(urls) => Some(
            rampart_host::OnlineHost::new(
                urls,
                rampart_host::rpc::RetryPolicy::default(),
                args.agreed_l2_head_hash.map(Into::into),
            )
            .map_err(|e| CliError::fail(e.to_string()))?,
        ),
        None => None,
    };
    if let (Some(head), None) = (args.agreed_l2_head_hash, &host) {
        check_agreed_head(&FallbackStore::new(shared.clone(), fixture.clone()), &args.agreed_l2_output_root, &head)?;
    }
    if args.native {
        return match &host {
            Some(h) => {
                let r = run_native(
                    SplitStore::new(locals, FallbackStore::new(h.fetch_on_miss(shared.clone()), fixture)),
                    Some(h.hint_handler(shared)),
                );
                let last_error = print_online_summary(h, r.is_err());
                // The program only sees its channel close when the host gives up: its error line names why.
                r.map_err(|mut e| {
                    if let Some(hint) = last_error {
                        e.message = format!("{} (the host's last hint error: {hint})", e.message);
                    }
                    e
                })
            }
            None => run_native(
                SplitStore::new(locals, FallbackStore::new(shared, fixture)),
                Some(std::sync::Arc::new(precompile_hint)),
            ),
        };
    }
    let [hint_rx, hint_tx, key_rx, data_tx] = oracle_fds()?;
    let result = match &host {
        Some(h) => {
            let store = SplitStore::new(locals, FallbackStore::new(h.fetch_on_miss(shared.clone()), fixture));
            PreimageServer::new(store)
                .with_hint_handler(h.hint_handler(shared))
                .serve(hint_rx, hint_tx, key_rx, data_tx)
        }
        None => PreimageServer::new(SplitStore::new(locals, FallbackStore::new(shared, fixture)))
            .with_hint_handler(std::sync::Arc::new(precompile_hint))
            .serve(hint_rx, hint_tx, key_rx, data_tx),
    };
    if let Some(h) = &host {
        let _ = print_online_summary(h, result.is_err());
    }
    match result {
        Ok(r) => {
            eprintln!(
                "host: served {} preimages ({} bytes), {} hints acknowledged{}",
                r.preimages,
                r.bytes,
                r.hints_received,
                if r.bad_hints.is_empty() { String::new() } else { format!(" ({} undecodable)", r.bad_hints.len()) }
            );
            if let Some(e) = r.hint_error {
                eprintln!("host: hint channel: {e}");
            }
            Ok(())
        }
        Err(e) => Err(CliError::fail(format!("host: {e}"))),
    }
}

/// The online host's summary at exit (stderr, and the `host::summary` tracing event); the last hint error too when
/// the run failed, which it also returns.
fn print_online_summary(h: &rampart_host::OnlineHost, failed: bool) -> Option<String> {
    let s = h.log_summary();
    eprintln!(
        "host: online: {} hints ({} failed, {} fetched again), {} fetched on a miss, {} preimages written ({} bytes), \
         {} RPC calls ({} retries, {} bytes)",
        s.hints, s.failed, s.refetches, s.misses, s.written, s.bytes, s.rpc.0, s.rpc.1, s.rpc.2
    );
    if let (true, Some(e)) = (failed, &s.last_error) {
        eprintln!("host: last hint error: {e}");
    }
    s.last_error.filter(|_| failed)
}

/// The agreed L2 head hash must be the block hash (bytes 96..128) of the agreed output root's preimage, when the
/// store has that preimage (an offline host cannot fetch it; the program then fails on its own).
fn check_agreed_head<S: KeyValueStore>(store: &S, agreed_root: &[u8; 32], head: &[u8; 32]) -> Result<(), CliError> {
    let key = rampart_preimage::PreimageKey::keccak256(*agreed_root);
    let Some(output) = store.get(&key).map_err(|e| CliError::fail(e.to_string()))? else {
        return Ok(());
    };
    if output.len() != 128 || rampart_primitives::keccak256(&output) != *agreed_root {
        return Err(CliError::fail(format!(
            "the store's preimage of the agreed output root 0x{} is not a 128-byte output root",
            hex::encode(agreed_root)
        )));
    }
    if output[96..] != head[..] {
        return Err(CliError::fail(format!(
            "--agreed-l2-head-hash 0x{} is not the agreed output root's block hash 0x{}",
            hex::encode(head),
            hex::encode(&output[96..])
        )));
    }
    Ok(())
}

/// `--native`: the program on a thread of this process, talking to the server over in-memory pipes with the
/// same wire protocol as over fds 3-6.
fn run_native<S: KeyValueStore>(store: S, handler: Option<rampart_host::HintHandler>) -> Result<(), CliError> {
    use rampart_preimage::native::{pipe, IoChannel};
    let (hint_w, hint_r) = pipe();
    let (ack_w, ack_r) = pipe();
    let (key_w, key_r) = pipe();
    let (data_w, data_r) = pipe();
    let client = std::thread::Builder::new()
        .name("program".into())
        .spawn(move || {
            let oracle =
                rampart_program::ChannelOracle::new(IoChannel::new(data_r, key_w), IoChannel::new(ack_r, hint_w));
            rampart_program::run(oracle).map(|_| ()).map_err(|e| e.to_string())
        })
        .map_err(|e| CliError::fail(format!("starting the program thread: {e}")))?;
    let mut server = PreimageServer::new(store);
    if let Some(h) = handler {
        server = server.with_hint_handler(h);
    }
    let served = server.serve(hint_r, ack_w, key_r, data_w);
    let verdict = client.join();
    match (verdict, served) {
        (Ok(Ok(())), served) => {
            if let Err(e) = served {
                eprintln!("host: {e}");
            }
            eprintln!("program: valid claim");
            Ok(())
        }
        // The server stopped first (a key no store holds): the program saw only its channel close.
        (Ok(Err(e)), Err(stopped)) => Err(CliError::fail(format!("program: {e}: the host stopped serving: {stopped}"))),
        (Ok(Err(e)), Ok(_)) => Err(CliError::fail(format!("program: {e}"))),
        (Err(_), _) => Err(CliError { code: 2, message: "program: panicked".into() }),
    }
}
