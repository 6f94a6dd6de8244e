//! `devnet record`: writes the dataset of a running devnet's safe range (layout: [`crate::dataset`]).
//!
//! The preimage store is filled by routing, through `rampart-host`'s [`HintRouter`] and [`OnlineFetcher`] (the
//! online host's code path, every item verified), the hints a fault proof program sends for any claim of the
//! range:
//!
//! * every L1 block from the rollup's genesis L1 block to the highest L1 head of the claims: `l1-block-header`,
//!   `l1-transactions`, `l1-receipts`, and `l1-blob` (48-byte form) for every blob of the block;
//! * every L2 block from genesis to the last claimed one: `l2-block-header`, `l2-transactions`, `l2-account-proof`
//!   of the L2ToL1MessagePasser, `starting-l2-output` of its output root (agreed head set to the block), and from
//!   block 1 `l2-payload-witness` with the attributes the sequencer sent;
//! * then every claimed block is re-executed by `rampart-executor` from the store alone; whatever trie node or
//!   code it still lacks is routed as `l2-state-node` / `l2-code` (what the program would hint) until the block
//!   builds, and the built hash must be op-geth's.

use crate::{
    claims::Claim,
    dataset::{self, attributes_from_block, StoreNodes},
    devnet::Endpoints,
    sequencer::L2Block,
    DevnetError, Result,
};
use alloy_consensus::Transaction;
use alloy_primitives::B256;
use rampart_executor::{build_block, ChainConfig};
use rampart_host::{
    rpc::RetryPolicy, BlockId, HintRouter, MemoryKeyValueStore, NodeUrls, OnlineFetcher, ParsedHint,
    L2_TO_L1_MESSAGE_PASSER,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// `manifest.json` of a dataset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// First and last claimed L2 block.
    pub l2_range: Option<(u64, u64)>,
    /// First and last recorded L1 block.
    pub l1_range: Option<(u64, u64)>,
    /// Number of claims.
    pub claims: usize,
    /// Hints routed, by type.
    pub hints: BTreeMap<String, u64>,
    /// Blobs recorded.
    pub blobs: usize,
    /// Trie nodes / codes the executor still needed after the witnesses (routed as `l2-state-node` / `l2-code`).
    pub extra_hints: usize,
    /// Claimed blocks whose re-execution from the store reproduced op-geth's hash.
    pub executed_matched: usize,
    /// Preimages in the store.
    pub preimages: usize,
    /// Bytes of the preimages.
    pub preimage_bytes: u64,
    /// RPC calls, retries and answer bytes.
    pub rpc: (u64, u64, u64),
    /// Seconds the recording took.
    pub seconds: f64,
}

fn read_dir_file(dir: &Path, name: &str) -> Result<Vec<u8>> {
    let p = dir.join(name);
    std::fs::read(&p).map_err(|e| DevnetError::io(&p, e))
}

fn fetch_err(e: rampart_host::FetchError) -> DevnetError {
    DevnetError::role("record", e.to_string())
}

struct Recorder {
    router: HintRouter<OnlineFetcher>,
    store: MemoryKeyValueStore,
    hints: BTreeMap<String, u64>,
}

impl Recorder {
    async fn route(&mut self, hint: ParsedHint) -> Result<()> {
        *self.hints.entry(hint.hint_type().as_str().to_string()).or_default() += 1;
        self.router.route_parsed(&hint, &mut self.store).await.map_err(fetch_err)?;
        Ok(())
    }
}

/// The hash of a block by number on `rpc`.
async fn hash_of(rpc: &rampart_host::rpc::RpcClient, n: u64) -> Result<(B256, serde_json::Value)> {
    let b: serde_json::Value =
        rpc.call_as("eth_getBlockByNumber", json!([format!("{n:#x}"), true]), n).await.map_err(fetch_err)?;
    let h = serde_json::from_value(b["hash"].clone())
        .map_err(|e| DevnetError::role("record", format!("block {n} hash: {e}")))?;
    Ok((h, b))
}

/// Writes the dataset of the devnet in `dir` (running: its `endpoints.json` answer) to `out`.
pub async fn record(dir: &Path, out: &Path) -> Result<Manifest> {
    let started = Instant::now();
    let endpoints: Endpoints = serde_json::from_slice(&read_dir_file(dir, "endpoints.json")?).map_err(|e| {
        DevnetError::Dir(format!("{}: endpoints.json: {e} (is `devnet up` running there?)", dir.display()))
    })?;
    let mut claims: Vec<Claim> = serde_json::from_slice(&read_dir_file(dir, "claims.json")?)
        .map_err(|e| DevnetError::Dir(format!("claims.json: {e}")))?;
    let rollup: serde_json::Value = serde_json::from_slice(&read_dir_file(dir, "rollup.json")?)
        .map_err(|e| DevnetError::Dir(format!("rollup.json: {e}")))?;
    let cfg = ChainConfig::from_rollup_json(&rollup).map_err(|e| DevnetError::Dir(format!("rollup.json: {e}")))?;
    let attributes: BTreeMap<u64, serde_json::Value> = String::from_utf8_lossy(&read_dir_file(dir, "l2-blocks.jsonl")?)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let b: L2Block = serde_json::from_str(l).map_err(|e| DevnetError::Dir(format!("l2-blocks.jsonl: {e}")))?;
            let a = serde_json::to_value(&b.attributes).map_err(|e| DevnetError::Dir(e.to_string()))?;
            Ok((b.block.number, a))
        })
        .collect::<Result<_>>()?;
    let urls = NodeUrls { l1: endpoints.l1_rpc, beacon: endpoints.l1_beacon, l2: endpoints.l2_rpc };
    let fetcher = OnlineFetcher::new(&urls, RetryPolicy::default(), None).map_err(fetch_err)?;
    let mut rec =
        Recorder { router: HintRouter::new(fetcher), store: MemoryKeyValueStore::new(), hints: BTreeMap::new() };

    // L1: genesis L1 block .. highest L1 head of the claims.
    let genesis_l1 = rollup["genesis"]["l1"]["number"]
        .as_u64()
        .ok_or_else(|| DevnetError::Dir("rollup.json: genesis.l1.number".into()))?;
    let mut l1_top = genesis_l1;
    for c in &claims {
        let head: B256 = dataset::flag(&c.host_args, "--l1-head")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| DevnetError::Dir(format!("claims.json: block {} has no --l1-head", c.l2_block)))?;
        let (h, _) = OnlineFetcher::raw_header(&rec.router.fetcher().l1, head).await.map_err(fetch_err)?;
        l1_top = l1_top.max(h.number);
    }
    let mut blobs = 0;
    for n in genesis_l1..=l1_top {
        let (hash, block) = hash_of(&rec.router.fetcher().l1, n).await?;
        rec.route(ParsedHint::L1BlockHeader(hash)).await?;
        rec.route(ParsedHint::L1Transactions(hash)).await?;
        rec.route(ParsedHint::L1Receipts(hash)).await?;
        let b: alloy_rpc_types_eth::Block =
            serde_json::from_value(block).map_err(|e| DevnetError::role("record", format!("L1 block {n}: {e}")))?;
        let mut index = 0u64;
        for tx in b.transactions.txns() {
            for vh in tx.blob_versioned_hashes().unwrap_or_default() {
                rec.route(ParsedHint::L1Blob {
                    versioned_hash: *vh,
                    index: Some(index),
                    timestamp: b.header.timestamp,
                })
                .await?;
                index += 1;
                blobs += 1;
            }
        }
    }

    // L2: genesis .. last claimed block.
    let last = claims.iter().map(|c| c.l2_block).max().unwrap_or(0);
    let mut hashes = Vec::new();
    for n in 0..=last {
        let (hash, _) = hash_of(&rec.router.fetcher().l2, n).await?;
        hashes.push(hash);
        rec.route(ParsedHint::L2BlockHeader(hash)).await?;
        rec.route(ParsedHint::L2Transactions(hash)).await?;
        rec.route(ParsedHint::L2AccountProof { block: BlockId::Number(n), address: L2_TO_L1_MESSAGE_PASSER }).await?;
        let (root, _) = rec.router.fetcher().output_root_of(hash, None).await.map_err(fetch_err)?;
        rec.router.fetcher().set_agreed_l2_head(Some(hash));
        rec.route(ParsedHint::StartingL2Output(root)).await?;
        if n > 0 {
            let attrs = attributes
                .get(&n)
                .cloned()
                .ok_or_else(|| DevnetError::Dir(format!("l2-blocks.jsonl lacks block {n}")))?;
            rec.route(ParsedHint::L2PayloadWitness { parent: hashes[n as usize - 1], attributes: attrs }).await?;
        }
    }
    rec.router.fetcher().set_agreed_l2_head(None);

    // Re-execute every claimed block from the store; route what it still lacks.
    let mut extra = 0;
    let mut matched = 0;
    for n in 1..=last {
        let h = dataset::header(&rec.store, hashes[n as usize])?;
        let parent = dataset::header(&rec.store, h.parent_hash)?;
        let txs = dataset::ordered_list(&rec.store, h.transactions_root)?;
        let attrs = attributes_from_block(&cfg, &h, txs)?;
        let mut tries = 0;
        loop {
            let res = build_block(&cfg, &parent, &attrs, StoreNodes(&rec.store));
            let missing = match &res {
                Err(rampart_executor::Error::Trie(rampart_mpt::Error::MissingNode(m))) => Some((*m, false)),
                Err(rampart_executor::Error::MissingPreimage(m)) => Some((*m, true)),
                _ => None,
            };
            match (missing, res) {
                (Some((m, code)), _) if tries < 512 => {
                    tries += 1;
                    extra += 1;
                    let hint = if code { ParsedHint::L2Code(m) } else { ParsedHint::L2StateNode(m) };
                    match rec.route(hint).await {
                        Ok(()) => {}
                        // A missing header (BLOCKHASH) rather than code.
                        Err(_) if code => rec.route(ParsedHint::L2BlockHeader(m)).await?,
                        Err(e) => return Err(e),
                    }
                }
                (_, Ok(b)) if b.block_hash == hashes[n as usize] => {
                    matched += 1;
                    break;
                }
                (_, Ok(b)) => {
                    tracing::warn!(target: "devnet::record", block = n, built = %b.block_hash, "executor built another block");
                    break;
                }
                (_, Err(e)) => {
                    tracing::warn!(target: "devnet::record", block = n, error = %e, "executor failed");
                    break;
                }
            }
        }
    }

    // Write the dataset.
    std::fs::create_dir_all(out).map_err(|e| DevnetError::io(out, e))?;
    for f in ["rollup.json", "l1-config.json"] {
        std::fs::copy(dir.join(f), out.join(f)).map_err(|e| DevnetError::io(dir.join(f), e))?;
    }
    for c in &mut claims {
        c.host_args.extend(["--data-dir".to_string(), dataset::STORE_DIR.to_string()]);
    }
    crate::claims::write_claims(&out.join("claims.json"), &claims)?;
    let preimages = dataset::write_store(&rec.store, out)?;
    let manifest = Manifest {
        l2_range: claims.iter().map(|c| c.l2_block).min().zip(claims.iter().map(|c| c.l2_block).max()),
        l1_range: Some((genesis_l1, l1_top)),
        claims: claims.len(),
        hints: rec.hints,
        blobs,
        extra_hints: extra,
        executed_matched: matched,
        preimages,
        preimage_bytes: rec.store.iter().map(|(_, v)| v.len() as u64).sum(),
        rpc: rec.router.fetcher().call_stats(),
        seconds: started.elapsed().as_secs_f64(),
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| DevnetError::role("record", e.to_string()))?;
    let p = out.join("manifest.json");
    std::fs::write(&p, text).map_err(|e| DevnetError::io(&p, e))?;
    tracing::info!(target: "devnet::record", claims = manifest.claims, preimages, blobs, extra, matched, "dataset recorded");
    Ok(manifest)
}
