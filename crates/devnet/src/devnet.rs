//! `devnet up`: starts geth and op-geth with genesis files written here, deploys the L1 contracts, then runs
//! the sequencer, the batcher, the L1 user activity (deposits, system-config updates) and the blob archiver
//! until stopped, keeping `endpoints.json` and `claims.json` in the devnet directory.

use crate::{
    archiver::{self, BlobArchive},
    artifacts::Artifacts,
    batcher::{Batcher, BatcherConfig, ChannelRecord, SafeAdvance},
    chain::{batch_inbox, BlockRef, ChainParams},
    claims::{self, Claim, OutputRoot},
    genesis::{self, L1GenesisSpec, L2Forks, L2GenesisSpec},
    l1::{self, L1Client, SystemConfigInit},
    nodes::{self, NodeBinaries, NodeProcess},
    rpc::{self, unix_now, RpcClient},
    sequencer::{L2Block, Sequencer},
    txgen::l2_users,
    wallet::{derive_key, Wallet, GETH_DEV_KEY},
    DevnetError, Result,
};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use serde_json::json;
use std::{
    future::Future,
    path::{Path, PathBuf},
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::mpsc;

/// Ports of the devnet (`None`: chosen free).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ports {
    /// geth HTTP JSON-RPC.
    pub l1_rpc: Option<u16>,
    /// geth Engine API (unused by `--dev`, but geth listens on it).
    pub l1_auth: Option<u16>,
    /// op-geth HTTP JSON-RPC.
    pub l2_rpc: Option<u16>,
    /// op-geth Engine API.
    pub l2_auth: Option<u16>,
    /// op-geth p2p (discovery off, no peers).
    pub l2_p2p: Option<u16>,
    /// Blob archiver (beacon API).
    pub beacon: Option<u16>,
}

/// Options of `devnet up`.
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// The devnet directory.
    pub dir: PathBuf,
    /// Seed of keys, transactions and batcher decisions.
    pub seed: u64,
    /// Replace an existing directory.
    pub force: bool,
    /// Ports.
    pub ports: Ports,
    /// Wall time between L2 blocks (the L2 clock may run ahead of the wall clock, within the drift rule).
    pub block_interval: Duration,
    /// Seconds between L1 blocks (`--dev.period`).
    pub l1_block_time: u64,
    /// Isthmus, Jovian, Karst activation as seconds after the L2 genesis (`None`: not scheduled).
    pub fork_offsets: [Option<u64>; 3],
    /// Batcher settings.
    pub batcher: BatcherConfig,
    /// Stop after this many L2 blocks, once all of them are safe.
    pub max_l2_blocks: Option<u64>,
    /// Max user transactions per L2 block.
    pub max_txs_per_block: usize,
    /// Send an L1 deposit every this many L1 blocks (0: none).
    pub deposit_every: u64,
}

impl Default for UpOptions {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("devnet"),
            seed: 1,
            force: false,
            ports: Ports::default(),
            block_interval: Duration::from_secs(2),
            l1_block_time: 2,
            fork_offsets: [None, None, None],
            batcher: BatcherConfig::default(),
            max_l2_blocks: None,
            max_txs_per_block: 6,
            deposit_every: 3,
        }
    }
}

/// `D/endpoints.json`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoints {
    /// geth JSON-RPC.
    pub l1_rpc: String,
    /// Blob archiver.
    pub l1_beacon: String,
    /// op-geth JSON-RPC.
    pub l2_rpc: String,
}

/// What a finished run produced.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Every L2 block built, in order (genesis excluded).
    pub blocks: Vec<L2Block>,
    /// Every channel posted.
    pub channels: Vec<ChannelRecord>,
    /// Safe head at the end.
    pub safe: Option<SafeAdvance>,
    /// Claims written.
    pub claims: Vec<Claim>,
    /// Blobs posted.
    pub blobs_posted: usize,
    /// Deposits sent from L1.
    pub deposits_sent: u64,
    /// User transactions by kind.
    pub tx_counts: std::collections::BTreeMap<crate::txgen::TxKindTag, u64>,
    /// Wall time of the run (after start-up).
    pub elapsed: Duration,
}

/// A started devnet: both nodes answering, contracts deployed, configs written.
#[derive(Debug)]
pub struct Devnet {
    /// The directory.
    pub dir: PathBuf,
    l1_node: NodeProcess,
    l2_node: NodeProcess,
    /// L1 client.
    pub l1: Arc<L1Client>,
    /// op-geth JSON-RPC.
    pub l2: Arc<RpcClient>,
    engine: RpcClient,
    /// Chain parameters.
    pub params: Arc<ChainParams>,
    /// The blob archive.
    pub archive: Arc<BlobArchive>,
    /// Endpoints.
    pub endpoints: Endpoints,
    archiver_task: tokio::task::JoinHandle<Result<()>>,
    genesis_l2: L2Block,
    seed: u64,
    jwt: [u8; 32],
    l1_genesis_config: serde_json::Value,
}

fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir).map_err(|e| DevnetError::io(dir, e))?.next().is_some();
        if non_empty && !force {
            return Err(DevnetError::Dir(format!("{} already exists (pass --force to replace it)", dir.display())));
        }
    }
    Ok(())
}

fn write_json(path: &Path, v: &impl serde::Serialize) -> Result<()> {
    let text = serde_json::to_vec_pretty(v).map_err(|e| DevnetError::role("devnet", e.to_string()))?;
    std::fs::write(path, text).map_err(|e| DevnetError::io(path, e))
}

async fn wait_answering(node: &mut NodeProcess, rpc: &RpcClient, timeout: Duration) -> Result<()> {
    let start = Instant::now();
    let probe = rpc::client_with(node.name, rpc.url(), None, rpc::PROBE_POLICY)?;
    loop {
        if let Some(status) = node.exited() {
            return Err(node.error(format!("exited during start-up ({status})")));
        }
        if probe.call("eth_chainId", json!([]), "chain id").await.is_ok() {
            return Ok(());
        }
        if start.elapsed() > timeout {
            return Err(node.error(format!("not answering on {} after {timeout:?}", rpc.url())));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One of the devnet's node processes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node {
    /// geth (L1).
    L1,
    /// op-geth (L2).
    L2,
}

/// L1 and L2 chain ids of the devnet.
pub const L1_CHAIN_ID: u64 = 900;
/// L2 chain id.
pub const L2_CHAIN_ID: u64 = 901;

impl Devnet {
    /// Starts everything up to the first L2 block: checks the directory and ports (nothing is written before
    /// both pass), writes the genesis files, starts the nodes, deploys the L1 contracts.
    pub async fn start(opts: &UpOptions) -> Result<Self> {
        prepare_dir(&opts.dir, opts.force)?;
        let bins = NodeBinaries::locate()?;
        let mut taken = Vec::new();
        let p = opts.ports;
        let l1_rpc_port = nodes::port(p.l1_rpc, "L1 RPC", &mut taken)?;
        let l1_auth_port = nodes::port(p.l1_auth, "L1 engine API", &mut taken)?;
        let l2_rpc_port = nodes::port(p.l2_rpc, "L2 RPC", &mut taken)?;
        let l2_auth_port = nodes::port(p.l2_auth, "L2 engine API", &mut taken)?;
        let l2_p2p_port = nodes::port(p.l2_p2p, "L2 p2p", &mut taken)?;
        let beacon_port = nodes::port(p.beacon, "beacon API", &mut taken)?;
        let beacon_listener = tokio::net::TcpListener::bind(("127.0.0.1", beacon_port))
            .await
            .map_err(|_| DevnetError::PortInUse { port: beacon_port, what: "beacon API" })?;

        if opts.dir.exists() {
            std::fs::remove_dir_all(&opts.dir).map_err(|e| DevnetError::io(&opts.dir, e))?;
        }
        for sub in ["", "l1", "l2", "logs", "blobs"] {
            let d = opts.dir.join(sub);
            std::fs::create_dir_all(&d).map_err(|e| DevnetError::io(&d, e))?;
        }
        let dir = std::fs::canonicalize(&opts.dir).map_err(|e| DevnetError::io(&opts.dir, e))?;
        let artifacts = Artifacts::new(&bins.artifacts);
        let seed = opts.seed;
        let eth = |n: u64| U256::from(n) * U256::from(10u64).pow(U256::from(18));

        // L1: our genesis, then `geth --dev` on top of it.
        let dev = Wallet::new(GETH_DEV_KEY);
        let batcher = Wallet::new(derive_key(seed, "batcher", 0));
        let depositor = Wallet::new(derive_key(seed, "l1-user", 0));
        let l1_genesis_time = unix_now();
        let l1_spec = L1GenesisSpec {
            chain_id: L1_CHAIN_ID,
            timestamp: l1_genesis_time,
            gas_limit: 60_000_000,
            funded: vec![
                (dev.address, eth(1_000_000)),
                (batcher.address, eth(100_000)),
                (depositor.address, eth(100_000)),
            ],
        };
        let l1_genesis = genesis::l1_genesis(&l1_spec)?;
        let l1_genesis_path = dir.join("l1/genesis.json");
        write_json(&l1_genesis_path, &l1_genesis)?;
        let l1_log = dir.join("logs/l1-geth.log");
        let l1_data = dir.join("l1/data");
        let s = |p: &Path| p.display().to_string();
        nodes::run_to_completion(
            "geth",
            &bins.geth,
            &[
                "init".into(),
                "--datadir".into(),
                s(&l1_data),
                "--state.scheme".into(),
                "hash".into(),
                s(&l1_genesis_path),
            ],
            &l1_log,
        )
        .await?;
        let l1_args: Vec<String> = [
            "--dev",
            "--dev.period",
            &opts.l1_block_time.to_string(),
            "--datadir",
            &s(&l1_data),
            "--state.scheme",
            "hash",
            "--gcmode",
            "archive",
            "--http",
            "--http.addr",
            "127.0.0.1",
            "--http.port",
            &l1_rpc_port.to_string(),
            "--http.api",
            "eth,net,web3,debug,txpool",
            "--authrpc.addr",
            "127.0.0.1",
            "--authrpc.port",
            &l1_auth_port.to_string(),
            "--ipcdisable",
            "--nodiscover",
            "--maxpeers",
            "0",
            "--rpc.allow-unprotected-txs",
            "--verbosity",
            "3",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        let mut l1_node = NodeProcess::spawn("geth (L1)", &bins.geth, &l1_args, &l1_log)?;
        let l1_url = format!("http://127.0.0.1:{l1_rpc_port}");
        let l1 = Arc::new(L1Client { rpc: rpc::client("geth (L1)", &l1_url, None)?, chain_id: L1_CHAIN_ID });
        wait_answering(&mut l1_node, &l1.rpc, Duration::from_secs(60)).await?;
        tracing::info!(target: "devnet", url = %l1_url, "L1 geth --dev answering");

        // L1 contracts.
        let mut deployer = dev;
        let inbox = batch_inbox(L2_CHAIN_ID);
        let init = SystemConfigInit {
            batcher: batcher.address,
            gas_limit: 30_000_000,
            base_fee_scalar: 1368,
            blob_base_fee_scalar: 810_949,
            batch_inbox: inbox,
            unsafe_block_signer: Address::ZERO,
        };
        let contracts = l1::deploy_contracts(&l1, &mut deployer, &artifacts, init).await?;
        tracing::info!(target: "devnet", portal = %contracts.portal, system_config = %contracts.system_config, block = contracts.deployed_in, "L1 contracts deployed");
        let anchor = l1
            .block(contracts.deployed_in)
            .await?
            .ok_or_else(|| DevnetError::role("devnet", "deployment block vanished"))?;
        let genesis_l1 =
            BlockRef { number: anchor.header.number, hash: anchor.header.hash, timestamp: anchor.header.timestamp };

        // L2: op-geth initialized from our genesis.
        let l2_time = genesis_l1.timestamp;
        let [i, j, k] = opts.fork_offsets;
        let forks =
            L2Forks { isthmus: i.map(|o| l2_time + o), jovian: j.map(|o| l2_time + o), karst: k.map(|o| l2_time + o) };
        let admin = Wallet::new(derive_key(seed, "l2-admin", 0));
        let mut funded: Vec<(Address, U256)> = l2_users(seed).iter().map(|w| (w.address, eth(10_000))).collect();
        funded.push((admin.address, eth(1_000)));
        let l2_spec = L2GenesisSpec {
            chain_id: L2_CHAIN_ID,
            l1_chain_id: L1_CHAIN_ID,
            timestamp: l2_time,
            gas_limit: init.gas_limit,
            forks,
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
            admin: admin.address,
            funded,
        };
        let alloc = genesis::l2_alloc(&l2_spec, &artifacts)?;
        let l2_genesis_path = dir.join("l2/genesis.json");
        write_json(&l2_genesis_path, &genesis::l2_genesis(&l2_spec, &alloc))?;
        let jwt: [u8; 32] = alloy_primitives::keccak256(format!("rampart-devnet-jwt/{seed}/{l1_genesis_time}")).0;
        let jwt_path = dir.join("l2/jwt.hex");
        std::fs::write(&jwt_path, alloy_primitives::hex::encode(jwt)).map_err(|e| DevnetError::io(&jwt_path, e))?;
        let l2_log = dir.join("logs/l2-op-geth.log");
        let l2_data = dir.join("l2/data");
        nodes::run_to_completion(
            "op-geth",
            &bins.op_geth,
            &[
                "init".into(),
                "--datadir".into(),
                s(&l2_data),
                "--state.scheme".into(),
                "hash".into(),
                s(&l2_genesis_path),
            ],
            &l2_log,
        )
        .await?;
        let l2_args: Vec<String> = [
            "--datadir",
            &s(&l2_data),
            "--networkid",
            &L2_CHAIN_ID.to_string(),
            "--state.scheme",
            "hash",
            "--gcmode",
            "archive",
            "--syncmode",
            "full",
            "--http",
            "--http.addr",
            "127.0.0.1",
            "--http.port",
            &l2_rpc_port.to_string(),
            "--http.api",
            "eth,net,web3,debug,txpool",
            "--authrpc.addr",
            "127.0.0.1",
            "--authrpc.port",
            &l2_auth_port.to_string(),
            "--authrpc.jwtsecret",
            &s(&jwt_path),
            "--port",
            &l2_p2p_port.to_string(),
            "--nodiscover",
            "--maxpeers",
            "0",
            "--ipcdisable",
            "--rollup.disabletxpoolgossip",
            "--verbosity",
            "3",
        ]
        .iter()
        .map(|x| x.to_string())
        .collect();
        let mut l2_node = NodeProcess::spawn("op-geth (L2)", &bins.op_geth, &l2_args, &l2_log)?;
        let l2_url = format!("http://127.0.0.1:{l2_rpc_port}");
        let l2 = Arc::new(rpc::client("op-geth (L2)", &l2_url, None)?);
        if let Err(e) = wait_answering(&mut l2_node, &l2, Duration::from_secs(60)).await {
            l1_node.stop(Duration::from_secs(10)).await;
            return Err(e);
        }
        let engine = rpc::client("op-geth (L2 engine)", &format!("http://127.0.0.1:{l2_auth_port}"), Some(jwt))?;
        let g: serde_json::Value = l2.call_as("eth_getBlockByNumber", json!(["0x0", false]), 0).await?;
        let genesis_hash: B256 = serde_json::from_value(g["hash"].clone())
            .map_err(|e| DevnetError::Genesis(format!("L2 genesis hash: {e}")))?;
        let genesis_state_root: B256 = serde_json::from_value(g["stateRoot"].clone())
            .map_err(|e| DevnetError::Genesis(format!("L2 genesis state root: {e}")))?;
        tracing::info!(target: "devnet", url = %l2_url, genesis = %genesis_hash, "L2 op-geth answering");

        let params = Arc::new(ChainParams {
            l1_chain_id: L1_CHAIN_ID,
            l2_chain_id: L2_CHAIN_ID,
            block_time: 2,
            seq_window_size: 200,
            channel_timeout: 40,
            granite_channel_timeout: 8,
            max_sequencer_drift: 600,
            genesis_l1,
            genesis_l2: BlockRef { number: 0, hash: genesis_hash, timestamp: l2_time },
            forks,
            batch_inbox: inbox,
            deposit_contract: contracts.portal,
            system_config: contracts.system_config,
            batcher: batcher.address,
            gas_limit: init.gas_limit,
            base_fee_scalar: init.base_fee_scalar,
            blob_base_fee_scalar: init.blob_base_fee_scalar,
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        });
        write_json(&dir.join("rollup.json"), &params.rollup_json())?;
        let l1_genesis_config = l1_genesis["config"].clone();
        write_json(&dir.join("l1-config.json"), &l1_genesis_config)?;

        let archive = BlobArchive::new(l1_genesis_time, dir.join("blobs"))?;
        let archiver_task = tokio::spawn(archiver::serve(archive.clone(), beacon_listener));
        let endpoints =
            Endpoints { l1_rpc: l1_url, l1_beacon: format!("http://127.0.0.1:{beacon_port}"), l2_rpc: l2_url };
        write_json(&dir.join("endpoints.json"), &endpoints)?;
        claims::write_claims(&dir.join("claims.json"), &[])?;

        let genesis_l2 = L2Block {
            block: params.genesis_l2,
            parent_hash: B256::ZERO,
            state_root: genesis_state_root,
            l1_origin: genesis_l1,
            seq_number: 0,
            transactions: Vec::new(),
            attributes: Default::default(),
        };
        Ok(Self {
            dir,
            l1_node,
            l2_node,
            l1,
            l2,
            engine,
            params,
            archive,
            endpoints,
            archiver_task,
            genesis_l2,
            seed,
            jwt,
            l1_genesis_config,
        })
    }

    fn node_mut(&mut self, node: Node) -> (&mut NodeProcess, &RpcClient) {
        match node {
            Node::L1 => (&mut self.l1_node, &self.l1.rpc),
            Node::L2 => (&mut self.l2_node, &*self.l2),
        }
    }

    /// Kills `node` (SIGKILL: no shutdown, as a crash) and waits until it has exited; its ports then refuse
    /// connections.
    pub async fn kill_node(&mut self, node: Node) {
        self.node_mut(node).0.kill().await;
        tracing::info!(target: "devnet", node = ?node, "killed");
    }

    /// Stops `node` as an operator's restart does: SIGTERM, SIGKILL only if it has not exited within 10 s. geth
    /// flushes its database on SIGTERM; a SIGKILLed `geth --dev` loses its last unflushed blocks and then builds a
    /// different chain from the last flushed one (seen: head 11 back to 8, a new block 9).
    pub async fn stop_node(&mut self, node: Node) {
        self.node_mut(node).0.stop(Duration::from_secs(10)).await;
        tracing::info!(target: "devnet", node = ?node, "stopped");
    }

    /// Starts a killed or stopped `node` again on its data dir, ports and log, and waits (up to 60 s) until it answers.
    pub async fn restart_node(&mut self, node: Node) -> Result<()> {
        let (process, rpc) = self.node_mut(node);
        process.respawn()?;
        wait_answering(process, rpc, Duration::from_secs(60)).await?;
        tracing::info!(target: "devnet", node = ?node, "restarted");
        Ok(())
    }

    /// The L1 chain config written to `l1-config.json`.
    pub const fn l1_genesis_config(&self) -> &serde_json::Value {
        &self.l1_genesis_config
    }

    fn check_nodes(&mut self) -> Result<()> {
        for node in [&mut self.l1_node, &mut self.l2_node] {
            if let Some(status) = node.exited() {
                return Err(node.error(format!("exited ({status})")));
            }
        }
        if self.archiver_task.is_finished() {
            return Err(DevnetError::role("archiver", "stopped serving"));
        }
        Ok(())
    }

    /// Runs the rollup roles until `stop` resolves (or `max_l2_blocks` are built and safe).
    pub async fn run(&mut self, opts: &UpOptions, stop: impl Future<Output = ()>) -> Result<RunSummary> {
        let started = Instant::now();
        let engine = rpc::client("op-geth (L2 engine)", self.engine.url(), Some(self.jwt))?;
        let mut sequencer = Sequencer::new(
            engine,
            self.l1.clone(),
            self.params.clone(),
            &self.l1_genesis_config,
            self.genesis_l2.clone(),
            self.seed,
        )?;
        sequencer.max_txs = opts.max_txs_per_block;
        let batcher_wallet = Wallet::new(derive_key(self.seed, "batcher", 0));
        let batcher = Batcher::new(
            self.l1.clone(),
            batcher_wallet,
            self.params.clone(),
            self.archive.clone(),
            opts.batcher.clone(),
            self.seed,
        );
        let (block_tx, block_rx) = mpsc::unbounded_channel::<L2Block>();
        let (safe_tx, mut safe_rx) = mpsc::unbounded_channel::<SafeAdvance>();
        let (done_tx, done_rx) = tokio::sync::watch::channel(false);
        let mut batcher_task = tokio::spawn(run_batcher(batcher, block_rx, safe_tx, done_rx.clone()));
        let mut l1_task = tokio::spawn(run_l1_activity(
            self.l1.clone(),
            self.params.clone(),
            self.seed,
            opts.deposit_every,
            done_rx.clone(),
        ));

        let mut blocks: Vec<L2Block> = Vec::new();
        let mut outputs: std::collections::BTreeMap<u64, OutputRoot> = std::collections::BTreeMap::new();
        outputs.insert(0, claims::output_root(&self.l2, 0).await?);
        let mut claims_list: Vec<Claim> = Vec::new();
        let mut safe: Option<SafeAdvance> = None;
        let mut last_l1_logged = self.params.genesis_l1.number;
        let blocks_file = self.dir.join("l2-blocks.jsonl");
        tokio::pin!(stop);
        let mut next_tick = Instant::now();
        let result: Result<()> = loop {
            let sleep = tokio::time::sleep_until(next_tick.into());
            tokio::select! {
                _ = &mut stop => break Ok(()),
                _ = sleep => {}
            }
            next_tick = Instant::now() + opts.block_interval;
            if let Err(e) = self.check_nodes() {
                break Err(e);
            }
            if !*done_tx.borrow() && (batcher_task.is_finished() || l1_task.is_finished()) {
                let reason = if batcher_task.is_finished() {
                    task_error("batcher", (&mut batcher_task).await)
                } else {
                    task_error("L1 activity", (&mut l1_task).await)
                };
                break Err(reason);
            }
            // One log line per new L1 block.
            match self.l1.head_number().await {
                Ok(head) => {
                    while last_l1_logged < head {
                        last_l1_logged += 1;
                        if let Ok(Some(b)) = self.l1.block(last_l1_logged).await {
                            let blobs: usize = b
                                .transactions
                                .txns()
                                .map(|t| {
                                    alloy_consensus::Transaction::blob_versioned_hashes(t).map_or(0, <[B256]>::len)
                                })
                                .sum();
                            tracing::info!(target: "devnet::l1", number = b.header.number, hash = %b.header.hash, txs = b.transactions.len(), blobs, "L1 block");
                        }
                    }
                }
                Err(e) => break Err(e),
            }
            // Safe head updates from the batcher: claims for every newly safe block.
            while let Ok(adv) = safe_rx.try_recv() {
                let first = safe.map_or(1, |s| s.l2.number + 1);
                for n in first..=adv.l2.number {
                    let own = match claims::output_root(&self.l2, n).await {
                        Ok(o) => o,
                        Err(e) => return Err(e),
                    };
                    let parent = outputs
                        .get(&(n - 1))
                        .copied()
                        .ok_or_else(|| DevnetError::role("claims", format!("no output root for {}", n - 1)))?;
                    claims_list.extend(claims::claims_for(&adv.l1, &parent, &own, self.params.l2_chain_id, None));
                    outputs.insert(n, own);
                }
                claims::write_claims(&self.dir.join("claims.json"), &claims_list)?;
                tracing::info!(target: "devnet", l2 = adv.l2.number, l1 = adv.l1.number, claims = claims_list.len(), "safe head");
                safe = Some(adv);
            }
            let done_building = opts.max_l2_blocks.is_some_and(|m| blocks.len() as u64 >= m);
            if done_building {
                if safe.is_some_and(|s| s.l2.number == blocks.last().map_or(0, |b| b.block.number)) {
                    break Ok(());
                }
                let _ = done_tx.send(true);
                continue;
            }
            // Never run the L2 clock more than 10 minutes ahead of the wall clock.
            if sequencer.head().block.timestamp > unix_now() + 600 {
                continue;
            }
            let safe_hash = safe.map_or(self.params.genesis_l2.hash, |s| s.l2.hash);
            match sequencer.build_next(safe_hash, safe_hash).await {
                Ok(Some(b)) => {
                    tracing::info!(
                        target: "devnet::l2",
                        number = b.block.number,
                        hash = %b.block.hash,
                        txs = b.transactions.len(),
                        origin = b.l1_origin.number,
                        seq = b.seq_number,
                        "L2 block"
                    );
                    append_line(&blocks_file, &b)?;
                    blocks.push(b.clone());
                    let _ = block_tx.send(b);
                }
                Ok(None) => {}
                Err(e) => break Err(e),
            }
        };
        let _ = done_tx.send(true);
        drop(block_tx);
        let batcher = match result {
            Ok(()) => match tokio::time::timeout(Duration::from_secs(30), batcher_task).await {
                Ok(Ok(Ok(b))) => Some(b),
                Ok(Ok(Err(e))) => return Err(e),
                _ => None,
            },
            Err(e) => {
                batcher_task.abort();
                l1_task.abort();
                return Err(e);
            }
        };
        let deposits_sent = match tokio::time::timeout(Duration::from_secs(30), l1_task).await {
            Ok(Ok(Ok(n))) => n,
            Ok(Ok(Err(e))) => return Err(e),
            _ => 0,
        };
        Ok(RunSummary {
            blocks,
            channels: batcher.as_ref().map(|b| b.channels.clone()).unwrap_or_default(),
            safe,
            claims: claims_list,
            blobs_posted: batcher.as_ref().map_or(0, |b| b.blobs_posted),
            deposits_sent,
            tx_counts: sequencer.tx_counts().clone(),
            elapsed: started.elapsed(),
        })
    }

    /// Stops op-geth, then geth (SIGTERM, SIGKILL after 10 s), and the archiver.
    pub async fn shutdown(&mut self) {
        self.archiver_task.abort();
        self.l2_node.stop(Duration::from_secs(10)).await;
        self.l1_node.stop(Duration::from_secs(10)).await;
    }
}

fn task_error<T>(name: &str, r: std::result::Result<Result<T>, tokio::task::JoinError>) -> DevnetError {
    match r {
        Ok(Err(e)) => e,
        Ok(Ok(_)) => DevnetError::role("devnet", format!("the {name} task stopped")),
        Err(e) => DevnetError::role("devnet", format!("the {name} task failed: {e}")),
    }
}

fn append_line(path: &Path, v: &impl serde::Serialize) -> Result<()> {
    use std::io::Write;
    let mut f =
        std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(|e| DevnetError::io(path, e))?;
    let mut line = serde_json::to_vec(v).map_err(|e| DevnetError::role("devnet", e.to_string()))?;
    line.push(b'\n');
    f.write_all(&line).map_err(|e| DevnetError::io(path, e))
}

async fn run_batcher(
    mut batcher: Batcher,
    mut blocks: mpsc::UnboundedReceiver<L2Block>,
    safe: mpsc::UnboundedSender<SafeAdvance>,
    done: tokio::sync::watch::Receiver<bool>,
) -> Result<Batcher> {
    loop {
        while let Ok(b) = blocks.try_recv() {
            batcher.push(b);
        }
        let flush = *done.borrow();
        if batcher.ready(flush) {
            if let Some(adv) = batcher.post_next().await? {
                let _ = safe.send(adv);
            }
            continue;
        }
        if flush && batcher.queued() == 0 && blocks.is_closed() {
            return Ok(batcher);
        }
        tokio::select! {
            b = blocks.recv() => match b {
                Some(b) => batcher.push(b),
                None if batcher.queued() == 0 => return Ok(batcher),
                None => {}
            },
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}

/// L1 user activity: deposits through the portal (value to an L2 user, a contract creation, a call with data)
/// and, once, SystemConfig updates (gas config, gas limit), all from funded keys of `seed`.
async fn run_l1_activity(
    l1: Arc<L1Client>,
    params: Arc<ChainParams>,
    seed: u64,
    every: u64,
    done: tokio::sync::watch::Receiver<bool>,
) -> Result<u64> {
    let mut depositor = Wallet::new(derive_key(seed, "l1-user", 0));
    depositor.nonce = l1.nonce(depositor.address).await?;
    let mut owner = Wallet::new(GETH_DEV_KEY);
    owner.nonce = l1.nonce(owner.address).await?;
    let users = l2_users(seed);
    let mut sent = 0u64;
    let mut last = l1.head_number().await?;
    let mut updated = false;
    while !*done.borrow() {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if every == 0 {
            continue;
        }
        let head = l1.head_number().await?;
        if head < last + every {
            continue;
        }
        last = head;
        let (to, value, creation, data): (Address, U256, bool, Bytes) = match sent % 3 {
            0 => (
                users[(sent as usize / 3) % users.len()].address,
                U256::from(1_000_000_000_000_000u64),
                false,
                Bytes::new(),
            ),
            1 => (Address::ZERO, U256::ZERO, true, Bytes::from_static(&crate::txgen::STORAGE_WRITER_INIT)),
            _ => (users[0].address, U256::from(7u64), false, Bytes::from_static(b"deposit with data")),
        };
        let call = l1::deposit_call(to, value, 200_000, creation, data);
        l1.transact(
            &mut depositor,
            TxKind::Call(params.deposit_contract),
            value + U256::from(sent),
            call,
            500_000,
            "deposit",
        )
        .await?;
        sent += 1;
        if sent == 4 && !updated {
            updated = true;
            let gc = l1::system_config_calls::set_gas_config_ecotone(
                params.base_fee_scalar + 1,
                params.blob_base_fee_scalar + 1,
            );
            l1.transact(&mut owner, TxKind::Call(params.system_config), U256::ZERO, gc, 200_000, "setGasConfigEcotone")
                .await?;
            let gl = l1::system_config_calls::set_gas_limit(params.gas_limit + 1_000_000);
            l1.transact(&mut owner, TxKind::Call(params.system_config), U256::ZERO, gl, 200_000, "setGasLimit").await?;
        }
    }
    Ok(sent)
}

/// `rampart devnet up`: runs until `stop` resolves; the nodes are stopped on every way out.
pub async fn up(opts: UpOptions, stop: impl Future<Output = ()>) -> Result<RunSummary> {
    Ok(up_with_record(opts, stop, None).await?.0)
}

/// [`up`], and once the run ends (all of `max_l2_blocks` safe, or a signal) and while the nodes still answer,
/// records the dataset of its claims to `record` (`devnet up --record DATA`).
pub async fn up_with_record(
    opts: UpOptions,
    stop: impl Future<Output = ()>,
    record: Option<&Path>,
) -> Result<(RunSummary, Option<crate::record::Manifest>)> {
    let mut devnet = Devnet::start(&opts).await?;
    let result = devnet.run(&opts, stop).await;
    let result = match (result, record) {
        (Ok(summary), Some(out)) => crate::record::record(&devnet.dir, out).await.map(|m| (summary, Some(m))),
        (r, _) => r.map(|s| (s, None)),
    };
    devnet.shutdown().await;
    result
}
