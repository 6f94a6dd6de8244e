//! The hint router seam (kona-host's `HintRouter` / `HintHandler`): a [`Fetcher`] turns one decoded hint into
//! the verified preimages the program will ask for next; a [`HintRouter`] decodes wire hints, asks its fetcher
//! and writes the preimages to a [`KeyValueStore`]. [`OnlineFetcher`] answers every single-chain hint type from
//! an L1 execution node, a beacon node (or blob archiver) and an L2 execution node; the online host, the devnet
//! recorder and tests share it.

use crate::errors::{FetchError, FetchResult};
use crate::hints::{BlockId, HintType, ParsedHint};
use crate::rpc::{is_method_missing, BeaconClient, RetryPolicy, RpcClient};
use crate::store::KeyValueStore;
use crate::verify::{self, Preimages};
use alloy_consensus::Header;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{keccak256, Address, Bytes, B256};
use rampart_preimage::Hint;
use serde_json::json;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::RwLock;

/// The future a [`Fetcher`] returns.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = FetchResult<Preimages>> + Send + 'a>>;

/// Turns a hint into the preimages it announces, every one verified against the hash that asked for it.
pub trait Fetcher: Send + Sync {
    /// The preimages `hint` makes available.
    fn fetch<'a>(&'a self, hint: &'a ParsedHint) -> FetchFuture<'a>;
}

/// Answers only `l1-precompile` (computed natively) and nothing else: the offline host's fetcher.
#[derive(Debug, Default, Clone, Copy)]
pub struct NativeFetcher;

impl Fetcher for NativeFetcher {
    fn fetch<'a>(&'a self, hint: &'a ParsedHint) -> FetchFuture<'a> {
        Box::pin(async move {
            match hint {
                ParsedHint::L1Precompile { address, gas, input } => verify::precompile(*address, *gas, input)
                    .map_err(|reason| FetchError::Unsupported { kind: HintType::L1Precompile.as_str(), reason }),
                _ => Ok(Vec::new()),
            }
        })
    }
}

/// Counters of a router.
#[derive(Debug, Default)]
pub struct RouterStats {
    /// Hints routed.
    pub hints: AtomicU64,
    /// Hints that failed.
    pub failed: AtomicU64,
    /// Preimages written (new keys only).
    pub written: AtomicU64,
    /// Bytes of the preimages written.
    pub bytes: AtomicU64,
}

/// What routing one hint did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RouteReport {
    /// Preimages the fetcher produced.
    pub fetched: usize,
    /// Of those, keys the store did not hold yet (written).
    pub written: usize,
    /// Bytes written.
    pub bytes: usize,
}

/// Decodes hints, fetches their preimages and stores them.
#[derive(Debug)]
pub struct HintRouter<F> {
    fetcher: F,
    stats: RouterStats,
}

impl<F: Fetcher> HintRouter<F> {
    /// A router over `fetcher`.
    pub fn new(fetcher: F) -> Self {
        Self { fetcher, stats: RouterStats::default() }
    }

    /// The fetcher.
    pub const fn fetcher(&self) -> &F {
        &self.fetcher
    }

    /// Counters.
    pub const fn stats(&self) -> &RouterStats {
        &self.stats
    }

    /// Routes a wire hint (see [`HintRouter::route_parsed`]).
    pub async fn route(&self, hint: &Hint, store: &mut dyn KeyValueStore) -> FetchResult<RouteReport> {
        let parsed = ParsedHint::parse(hint);
        match parsed {
            Ok(p) => self.route_parsed(&p, store).await,
            Err(e) => {
                self.stats.hints.fetch_add(1, Ordering::Relaxed);
                self.stats.failed.fetch_add(1, Ordering::Relaxed);
                Err(e)
            }
        }
    }

    /// Fetches the preimages of `hint` and writes those the store lacks. Keccak256 and sha256 keys are checked
    /// once more against their values before anything is written; on any error nothing of this hint is written.
    pub async fn route_parsed(&self, hint: &ParsedHint, store: &mut dyn KeyValueStore) -> FetchResult<RouteReport> {
        self.stats.hints.fetch_add(1, Ordering::Relaxed);
        let started = std::time::Instant::now();
        let result = self.fetcher.fetch(hint).await;
        let pre = match result {
            Ok(p) => p,
            Err(e) => {
                self.stats.failed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(target: "host::hint", kind = hint.hint_type().as_str(), error = %e, "hint failed");
                return Err(e);
            }
        };
        if let Some((k, _)) = pre.iter().find(|(k, v)| !crate::verify_preimage(k, v)) {
            self.stats.failed.fetch_add(1, Ordering::Relaxed);
            return Err(FetchError::Unsupported {
                kind: hint.hint_type().as_str(),
                reason: format!("fetcher produced a value that does not hash to key 0x{}", hex::encode(k.as_bytes())),
            });
        }
        let mut report = RouteReport { fetched: pre.len(), ..Default::default() };
        for (k, v) in pre {
            if store.get(&k)?.is_none() {
                report.written += 1;
                report.bytes += v.len();
                store.set(k, v)?;
            }
        }
        self.stats.written.fetch_add(report.written as u64, Ordering::Relaxed);
        self.stats.bytes.fetch_add(report.bytes as u64, Ordering::Relaxed);
        tracing::debug!(target: "host::hint", kind = hint.hint_type().as_str(), fetched = report.fetched, written = report.written, bytes = report.bytes, ms = started.elapsed().as_millis() as u64, "hint");
        Ok(report)
    }
}

/// The L2ToL1MessagePasser predeploy.
pub const L2_TO_L1_MESSAGE_PASSER: Address = rampart_program::L2_TO_L1_MESSAGE_PASSER;

/// keccak256 of empty code.
const KECCAK_EMPTY: B256 = alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// Witness source of the L2 node, found on first use: `debug_executePayload` (op-reth), else
/// `debug_executionWitness` of the canonical child (op-geth, reth).
const WITNESS_UNKNOWN: u8 = 0;
const WITNESS_EXECUTE_PAYLOAD: u8 = 1;
const WITNESS_EXECUTION_WITNESS: u8 = 2;

/// The three nodes of an online host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeUrls {
    /// L1 execution node JSON-RPC (`--l1-node-address`).
    pub l1: String,
    /// L1 beacon API (`--l1-beacon-address`).
    pub beacon: String,
    /// L2 execution node JSON-RPC (`--l2-node-address`).
    pub l2: String,
}

/// Answers every single-chain hint from live nodes (fault-proof-program §5.4 for the RPC each hint uses).
#[derive(Debug)]
pub struct OnlineFetcher {
    /// L1 execution node.
    pub l1: RpcClient,
    /// Beacon node or blob archiver.
    pub beacon: BeaconClient,
    /// L2 execution node.
    pub l2: RpcClient,
    agreed_l2_head: RwLock<Option<B256>>,
    witness: AtomicU8,
    policy: RetryPolicy,
    refetches: AtomicU64,
}

fn hex_num(n: u64) -> String {
    format!("{n:#x}")
}

impl OnlineFetcher {
    /// A fetcher of the three nodes; `agreed_l2_head` answers `starting-l2-output` (kona-host's
    /// `--agreed-l2-head-hash`).
    pub fn new(urls: &NodeUrls, policy: RetryPolicy, agreed_l2_head: Option<B256>) -> FetchResult<Self> {
        Ok(Self {
            l1: RpcClient::new("L1 node", &urls.l1, policy)?,
            beacon: BeaconClient::new("L1 beacon", &urls.beacon, policy)?,
            l2: RpcClient::new("L2 node", &urls.l2, policy)?,
            agreed_l2_head: RwLock::new(agreed_l2_head),
            witness: AtomicU8::new(WITNESS_UNKNOWN),
            policy,
            refetches: AtomicU64::new(0),
        })
    }

    /// Hints fetched again after a node answered data that failed verification.
    pub fn refetches(&self) -> u64 {
        self.refetches.load(Ordering::Relaxed)
    }

    /// Sets the agreed L2 head whose output root `starting-l2-output` hints ask for.
    pub fn set_agreed_l2_head(&self, hash: Option<B256>) {
        *self.agreed_l2_head.write().unwrap_or_else(|p| p.into_inner()) = hash;
    }

    /// `(calls, retries, bytes)` over the three nodes.
    pub fn call_stats(&self) -> (u64, u64, u64) {
        let (a, b, c) = (self.l1.stats().snapshot(), self.beacon.stats().snapshot(), self.l2.stats().snapshot());
        (a.0 + b.0 + c.0, a.1 + b.1 + c.1, a.2 + b.2 + c.2)
    }

    /// `debug_getRawHeader(hash)` on `node`, checked against `hash`.
    pub async fn raw_header(node: &RpcClient, hash: B256) -> FetchResult<(Header, Vec<u8>)> {
        let raw: Bytes = node.call_as("debug_getRawHeader", json!([hash]), hash).await?;
        let h = verify::header(&raw, hash).map_err(|r| node.wrong("debug_getRawHeader", hash, r))?;
        Ok((h, raw.to_vec()))
    }

    /// The L2 header of a block given by number or hash (by number: the node's canonical block).
    async fn l2_header_at(&self, block: BlockId) -> FetchResult<(Header, Vec<u8>)> {
        match block {
            BlockId::Hash(h) => Self::raw_header(&self.l2, h).await,
            BlockId::Number(n) => {
                let raw: Bytes = self.l2.call_as("debug_getRawHeader", json!([hex_num(n)]), n).await?;
                let h = alloy_rlp::decode_exact::<Header>(&raw)
                    .map_err(|e| self.l2.wrong("debug_getRawHeader", n, format!("header does not decode: {e}")))?;
                if h.number != n {
                    return Err(self.l2.wrong("debug_getRawHeader", n, format!("header of block {}", h.number)));
                }
                Ok((h, raw.to_vec()))
            }
        }
    }

    async fn l1_transactions(&self, hash: B256) -> FetchResult<Preimages> {
        let (header, raw_header) = Self::raw_header(&self.l1, hash).await?;
        let block: alloy_rpc_types_eth::Block =
            self.l1.call_as("eth_getBlockByHash", json!([hash, true]), hash).await?;
        let txs: Vec<Vec<u8>> = block.transactions.into_transactions().map(|t| t.into_inner().encoded_2718()).collect();
        let mut out = verify::ordered_trie(&txs, header.transactions_root)
            .map_err(|r| self.l1.wrong("eth_getBlockByHash", hash, r))?;
        out.push(verify::keccak_entry(raw_header));
        Ok(out)
    }

    async fn l1_receipts(&self, hash: B256) -> FetchResult<Preimages> {
        let (header, raw_header) = Self::raw_header(&self.l1, hash).await?;
        let receipts: Vec<Bytes> = self.l1.call_as("debug_getRawReceipts", json!([hash]), hash).await?;
        let mut out = verify::ordered_trie(&receipts, header.receipts_root)
            .map_err(|r| self.l1.wrong("debug_getRawReceipts", hash, r))?;
        out.push(verify::keccak_entry(raw_header));
        Ok(out)
    }

    async fn l1_blob(&self, versioned: B256, index: Option<u64>, timestamp: u64) -> FetchResult<Preimages> {
        let key = versioned.to_string();
        let (path, sidecars) = self.beacon.blob_sidecars(timestamp, &key).await?;
        let found = sidecars.iter().find(|s| verify::versioned_hash(s.kzg_commitment.as_slice()) == versioned);
        let Some(s) = found else {
            return Err(FetchError::Rpc {
                node: self.beacon.node(),
                method: path,
                key,
                reason: format!(
                    "no sidecar with this versioned hash among {} (L1 timestamp {timestamp}{})",
                    sidecars.len(),
                    index.map(|i| format!(", index {i}")).unwrap_or_default()
                ),
            });
        };
        verify::blob(versioned, &s.kzg_commitment.0, &s.blob, &s.kzg_proof.0)
            .map_err(|r| self.beacon.wrong(&path, &key, r))
    }

    async fn l2_transactions(&self, hash: B256) -> FetchResult<Preimages> {
        let (header, raw_header) = Self::raw_header(&self.l2, hash).await?;
        let raw: Bytes = self.l2.call_as("debug_getRawBlock", json!([hash]), hash).await?;
        let (block_header, txs) =
            verify::split_raw_block(&raw).map_err(|r| self.l2.wrong("debug_getRawBlock", hash, r))?;
        if keccak256(&block_header) != hash {
            return Err(self.l2.wrong("debug_getRawBlock", hash, "the block's header has another hash"));
        }
        let mut out = verify::ordered_trie(&txs, header.transactions_root)
            .map_err(|r| self.l2.wrong("debug_getRawBlock", hash, r))?;
        out.push(verify::keccak_entry(raw_header));
        Ok(out)
    }

    /// `debug_dbGet(key)` checked to hash to `hash`; `None` when the node has no such entry.
    async fn db_get(&self, db_key: Vec<u8>, hash: B256) -> FetchResult<Option<Vec<u8>>> {
        let key_hex = format!("0x{}", hex::encode(&db_key));
        match self.l2.call("debug_dbGet", json!([key_hex]), hash).await {
            Ok(v) if v.is_null() => Ok(None),
            Ok(v) => {
                let b: Bytes = serde_json::from_value(v)
                    .map_err(|e| self.l2.wrong("debug_dbGet", hash, format!("not hex bytes: {e}")))?;
                if keccak256(&b) != hash {
                    return Err(self.l2.wrong("debug_dbGet", hash, format!("value hashes to {}", keccak256(&b))));
                }
                Ok(Some(b.to_vec()))
            }
            Err(FetchError::Rpc { reason, .. }) if reason.contains("not found") => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn l2_code(&self, hash: B256) -> FetchResult<Preimages> {
        if hash == KECCAK_EMPTY {
            return Ok(vec![verify::keccak_entry(Vec::new())]);
        }
        // geth's code prefix "c" first, then the bare hash (older schemes).
        let mut prefixed = vec![b'c'];
        prefixed.extend_from_slice(hash.as_slice());
        if let Some(code) = self.db_get(prefixed, hash).await? {
            return Ok(vec![verify::keccak_entry(code)]);
        }
        match self.db_get(hash.to_vec(), hash).await? {
            Some(code) => Ok(vec![verify::keccak_entry(code)]),
            None => Err(FetchError::Rpc {
                node: self.l2.node(),
                method: "debug_dbGet".into(),
                key: hash.to_string(),
                reason: "the node has no code with this hash".into(),
            }),
        }
    }

    async fn l2_state_node(&self, hash: B256) -> FetchResult<Preimages> {
        match self.db_get(hash.to_vec(), hash).await? {
            Some(node) => Ok(vec![verify::keccak_entry(node)]),
            None => Err(FetchError::Rpc {
                node: self.l2.node(),
                method: "debug_dbGet".into(),
                key: hash.to_string(),
                reason: "the node has no trie node with this hash (a path-scheme database keeps nodes by path)".into(),
            }),
        }
    }

    async fn proof(&self, block: BlockId, address: Address, slot: Option<B256>) -> FetchResult<Preimages> {
        let (header, raw_header) = self.l2_header_at(block).await?;
        let key = match slot {
            Some(s) => format!("{address} slot {s} at block {}", header.number),
            None => format!("{address} at block {}", header.number),
        };
        let slots: Vec<B256> = slot.into_iter().collect();
        let p: serde_json::Value =
            self.l2.call_as("eth_getProof", json!([address, slots, hex_num(header.number)]), &key).await?;
        let nodes = |v: &serde_json::Value, what: &str| -> FetchResult<Vec<Bytes>> {
            serde_json::from_value(v.clone()).map_err(|e| self.l2.wrong("eth_getProof", &key, format!("{what}: {e}")))
        };
        let account = nodes(&p["accountProof"], "accountProof")?;
        let mut out = verify::proof_nodes(&account, header.state_root)
            .map_err(|r| self.l2.wrong("eth_getProof", &key, format!("account proof: {r}")))?;
        if slot.is_some() {
            let storage_root: B256 = serde_json::from_value(p["storageHash"].clone())
                .map_err(|e| self.l2.wrong("eth_getProof", &key, format!("storageHash: {e}")))?;
            let sp = nodes(&p["storageProof"][0]["proof"], "storageProof")?;
            out.extend(
                verify::proof_nodes(&sp, storage_root)
                    .map_err(|r| self.l2.wrong("eth_getProof", &key, format!("storage proof: {r}")))?,
            );
        }
        if let BlockId::Hash(_) = block {
            out.push(verify::keccak_entry(raw_header));
        }
        Ok(out)
    }

    /// The output root preimage of L2 block `head`, checked against `expected` when given.
    pub async fn output_root_of(&self, head: B256, expected: Option<B256>) -> FetchResult<(B256, Preimages)> {
        let (header, raw_header) = Self::raw_header(&self.l2, head).await?;
        let key = format!("{L2_TO_L1_MESSAGE_PASSER} at block {}", header.number);
        let p: serde_json::Value =
            self.l2.call_as("eth_getProof", json!([L2_TO_L1_MESSAGE_PASSER, [], hex_num(header.number)]), &key).await?;
        let storage_root: B256 = serde_json::from_value(p["storageHash"].clone())
            .map_err(|e| self.l2.wrong("eth_getProof", &key, format!("storageHash: {e}")))?;
        let account: Vec<Bytes> = serde_json::from_value(p["accountProof"].clone())
            .map_err(|e| self.l2.wrong("eth_getProof", &key, format!("accountProof: {e}")))?;
        let mut out = verify::proof_nodes(&account, header.state_root)
            .map_err(|r| self.l2.wrong("eth_getProof", &key, format!("account proof: {r}")))?;
        let (root, entry) = verify::output_root(header.state_root, storage_root, head, expected)
            .map_err(|r| self.l2.wrong("eth_getProof", &key, r))?;
        out.push(entry);
        out.push(verify::keccak_entry(raw_header));
        Ok((root, out))
    }

    async fn starting_l2_output(&self, root: B256) -> FetchResult<Preimages> {
        let head = *self.agreed_l2_head.read().unwrap_or_else(|p| p.into_inner());
        let Some(head) = head else {
            return Err(FetchError::Unsupported {
                kind: HintType::StartingL2Output.as_str(),
                reason: "no agreed L2 head hash is configured".into(),
            });
        };
        Ok(self.output_root_of(head, Some(root)).await?.1)
    }

    /// Stores every entry of an execution witness (`state`, `codes`, `keys`, `headers`) by keccak256.
    fn witness_entries(&self, method: &str, key: &str, w: &serde_json::Value) -> FetchResult<Preimages> {
        let mut out = Vec::new();
        for field in ["state", "codes", "keys"] {
            if let Some(list) = w.get(field).filter(|v| !v.is_null()) {
                let items: Vec<Bytes> = serde_json::from_value(list.clone())
                    .map_err(|e| self.l2.wrong(method, key, format!("{field}: {e}")))?;
                out.extend(items.into_iter().map(|b| verify::keccak_entry(b.to_vec())));
            }
        }
        if let Some(list) = w.get("headers").filter(|v| !v.is_null()) {
            let headers: Vec<alloy_rpc_types_eth::Header> = serde_json::from_value(list.clone())
                .map_err(|e| self.l2.wrong(method, key, format!("headers: {e}")))?;
            for h in headers {
                let raw = alloy_rlp::encode(&h.inner);
                if keccak256(&raw) != h.hash {
                    return Err(self.l2.wrong(method, key, format!("witness header {} does not hash to it", h.hash)));
                }
                out.push(verify::keccak_entry(raw));
            }
        }
        Ok(out)
    }

    /// The pre-state witness of executing `attributes` on `parent`: `debug_executePayload` where the node has it,
    /// else `debug_executionWitness` of the parent's canonical child (whose parent must be `parent`).
    async fn l2_payload_witness(&self, parent: B256, attributes: &serde_json::Value) -> FetchResult<Preimages> {
        let key = format!("child of {parent}");
        if self.witness.load(Ordering::Relaxed) != WITNESS_EXECUTION_WITNESS {
            match self.l2.call("debug_executePayload", json!([parent, attributes]), &key).await {
                Ok(w) => {
                    self.witness.store(WITNESS_EXECUTE_PAYLOAD, Ordering::Relaxed);
                    return self.witness_entries("debug_executePayload", &key, &w);
                }
                Err(e) if is_method_missing(&e) => {
                    tracing::debug!(target: "host::hint", node = %self.l2.node(), "no debug_executePayload; using debug_executionWitness");
                    self.witness.store(WITNESS_EXECUTION_WITNESS, Ordering::Relaxed);
                }
                Err(e) => return Err(e),
            }
        }
        let (header, _) = Self::raw_header(&self.l2, parent).await?;
        let child = header.number + 1;
        let child_raw: Bytes = self.l2.call_as("debug_getRawHeader", json!([hex_num(child)]), &key).await?;
        let child_header = alloy_rlp::decode_exact::<Header>(&child_raw)
            .map_err(|e| self.l2.wrong("debug_getRawHeader", &key, format!("header does not decode: {e}")))?;
        if child_header.parent_hash != parent {
            return Err(FetchError::Unsupported {
                kind: HintType::L2PayloadWitness.as_str(),
                reason: format!("the node's block {child} is not a child of {parent} (no witness for other payloads)"),
            });
        }
        let w: serde_json::Value = self.l2.call_as("debug_executionWitness", json!([hex_num(child)]), &key).await?;
        self.witness_entries("debug_executionWitness", &key, &w)
    }

    async fn fetch_parsed(&self, hint: &ParsedHint) -> FetchResult<Preimages> {
        match hint {
            ParsedHint::L1BlockHeader(h) => Ok(vec![verify::keccak_entry(Self::raw_header(&self.l1, *h).await?.1)]),
            ParsedHint::L1Transactions(h) => self.l1_transactions(*h).await,
            ParsedHint::L1Receipts(h) => self.l1_receipts(*h).await,
            ParsedHint::L1Blob { versioned_hash, index, timestamp } => {
                self.l1_blob(*versioned_hash, *index, *timestamp).await
            }
            ParsedHint::L1Precompile { .. } => NativeFetcher.fetch(hint).await,
            ParsedHint::L2BlockHeader(h) => Ok(vec![verify::keccak_entry(Self::raw_header(&self.l2, *h).await?.1)]),
            ParsedHint::L2Transactions(h) => self.l2_transactions(*h).await,
            ParsedHint::L2Code(h) => self.l2_code(*h).await,
            ParsedHint::StartingL2Output(root) => self.starting_l2_output(*root).await,
            ParsedHint::L2StateNode(h) => self.l2_state_node(*h).await,
            ParsedHint::L2AccountProof { block, address } => self.proof(*block, *address, None).await,
            ParsedHint::L2AccountStorageProof { block, address, slot } => {
                self.proof(*block, *address, Some(*slot)).await
            }
            ParsedHint::L2PayloadWitness { parent, attributes } => self.l2_payload_witness(*parent, attributes).await,
        }
    }
}

impl Fetcher for OnlineFetcher {
    /// Fetches `hint`; an answer that fails verification (a corrupted response, a node serving another block)
    /// is fetched again, up to the policy's attempts with its backoff, and if every fetch is wrong the error
    /// names node, method and key and says so. Nothing of a wrong fetch is returned.
    fn fetch<'a>(&'a self, hint: &'a ParsedHint) -> FetchFuture<'a> {
        Box::pin(async move {
            let attempts = self.policy.attempts.max(1);
            let mut n = 1;
            loop {
                match self.fetch_parsed(hint).await {
                    Err(FetchError::WrongAnswer { node, method, key, reason }) if n < attempts => {
                        tracing::warn!(target: "host::hint", node = %node, method = %method, key = %key, reason = %reason, fetch = n, "wrong answer; fetching again");
                        self.refetches.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(self.policy.pause(n)).await;
                        n += 1;
                    }
                    Err(FetchError::WrongAnswer { node, method, key, reason }) if attempts > 1 => {
                        let reason = format!("{reason} (wrong on each of {attempts} fetches)");
                        return Err(FetchError::WrongAnswer { node, method, key, reason });
                    }
                    r => return r,
                }
            }
        })
    }
}
