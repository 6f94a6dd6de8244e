//! A recorded dataset, read and checked without any node:
//!
//! | file | content |
//! |---|---|
//! | `rollup.json` | kona-genesis `RollupConfig` JSON |
//! | `l1-config.json` | kona `L1ChainConfig` JSON |
//! | `claims.json` | `[{"l2_block", "valid", "l2_chain_id", "host_args"}]`, paths relative to the dataset |
//! | `preimages/` | op-program / kona-host `directory` store (what `--data-dir preimages` names) |
//! | `preimages.kv.gz` | the same preimages in one file ([`rampart_host::dump`]); kept in the repository instead of `preimages/` |
//! | `manifest.json` | what the recorder did (ranges, hint and preimage counts) |
//!
//! [`Dataset::check`] proves the store self-consistent: every claim's agreed and (valid) claimed output-root
//! preimages are present, the L1 head of every claim chains back by parent hash to the rollup's genesis L1 block
//! with every transaction and receipt trie walkable and matching the header, every blob's 4096 field elements
//! re-commit to its KZG commitment, and `rampart-executor` re-executes every claimed L2 block from the store
//! alone, reproducing op-geth's block hash and the claimed output root.

use crate::{claims::Claim, DevnetError, Result};
use alloy_consensus::{Header, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{keccak256, Bytes, B256, B64};
use rampart_executor::{build_block, ChainConfig, OpPayloadAttributes};
use rampart_host::{preimage::PreimageKey, DirectoryKeyValueStore, KeyValueStore, MemoryKeyValueStore};
use rampart_mpt::{Trie, TrieProvider};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// File name of the single-file store.
pub const DUMP_FILE: &str = "preimages.kv.gz";
/// Directory of the `directory` store.
pub const STORE_DIR: &str = "preimages";

/// Trie nodes, code and headers by keccak256 from a preimage store (checked against their hash).
#[derive(Debug)]
pub struct StoreNodes<'a, S: ?Sized>(pub &'a S);

impl<S: KeyValueStore + ?Sized> TrieProvider for StoreNodes<'_, S> {
    fn node(&self, hash: B256) -> std::result::Result<Bytes, rampart_mpt::Error> {
        match self.0.get(&PreimageKey::keccak256(hash.0)) {
            Ok(Some(v)) if keccak256(&v) == hash => Ok(v.into()),
            Ok(Some(_)) => Err(rampart_mpt::Error::HashMismatch(hash)),
            _ => Err(rampart_mpt::Error::MissingNode(hash)),
        }
    }
}

/// The keccak256 preimage of `hash`, if present.
pub fn keccak_get(store: &(impl KeyValueStore + ?Sized), hash: B256) -> Result<Option<Vec<u8>>> {
    store
        .get(&PreimageKey::keccak256(hash.0))
        .map_err(|e| DevnetError::Check(format!("store: {e}")))
        .map(|v| v.filter(|v| keccak256(v) == hash))
}

/// The header of block `hash` from the store.
pub fn header(store: &(impl KeyValueStore + ?Sized), hash: B256) -> Result<Header> {
    let raw = keccak_get(store, hash)?.ok_or_else(|| DevnetError::Check(format!("header {hash} missing")))?;
    alloy_rlp::decode_exact::<Header>(&raw).map_err(|e| DevnetError::Check(format!("header {hash}: {e}")))
}

/// The values of the ordered trie under `root` (keys `rlp(0)`, `rlp(1)`, … until the first absent).
pub fn ordered_list(store: &(impl KeyValueStore + ?Sized), root: B256) -> Result<Vec<Bytes>> {
    let nodes = StoreNodes(store);
    let mut trie = Trie::open(root);
    let mut out = Vec::new();
    loop {
        let key = alloy_rlp::encode(out.len());
        match trie.get_cached(&key, &nodes).map_err(|e| DevnetError::Check(format!("trie {root}: {e}")))? {
            Some(v) => out.push(v),
            None => return Ok(out),
        }
        if out.len() > 1 << 16 {
            return Err(DevnetError::Check(format!("trie {root}: more than 65536 entries")));
        }
    }
}

/// The payload attributes an L2 block was built from, read back from its header and transactions (what the
/// derivation pipeline produces for a block of the canonical chain).
pub fn attributes_from_block(cfg: &ChainConfig, header: &Header, txs: Vec<Bytes>) -> Result<OpPayloadAttributes> {
    let ts = header.timestamp;
    let eip_1559_params = if cfg.forks.is_holocene(ts) {
        let e = &header.extra_data;
        if e.len() < 9 {
            return Err(DevnetError::Check(format!(
                "block {}: Holocene extra data of {} bytes",
                header.number,
                e.len()
            )));
        }
        Some(B64::from_slice(&e[1..9]))
    } else {
        None
    };
    let min_base_fee = if cfg.forks.is_jovian(ts) {
        let e = &header.extra_data;
        e.get(9..17).map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")))
    } else {
        None
    };
    Ok(OpPayloadAttributes {
        payload_attributes: alloy_rpc_types_engine::PayloadAttributes {
            timestamp: ts,
            prev_randao: header.mix_hash,
            suggested_fee_recipient: header.beneficiary,
            withdrawals: cfg.forks.is_canyon(ts).then(Vec::new),
            parent_beacon_block_root: header.parent_beacon_block_root,
            slot_number: None,
            target_gas_limit: None,
        },
        transactions: Some(txs),
        no_tx_pool: Some(true),
        gas_limit: Some(header.gas_limit),
        eip_1559_params,
        min_base_fee,
    })
}

/// The value of `flag` in `args`.
pub fn flag<'a>(args: &'a [String], flag: &str) -> Option<&'a str> {
    args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).map(String::as_str)
}

/// A dataset on disk.
pub struct Dataset {
    /// Its directory.
    pub dir: PathBuf,
    /// `claims.json`.
    pub claims: Vec<Claim>,
    /// `rollup.json`.
    pub rollup: serde_json::Value,
    /// The executor's view of the rollup config.
    pub config: ChainConfig,
    /// Every preimage (from `preimages.kv.gz` if present, else the `preimages/` directory store).
    pub store: Box<dyn KeyValueStore>,
}

/// What [`Dataset::check`] found (all counts).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DatasetReport {
    /// Claims in `claims.json`.
    pub claims: usize,
    /// Of which valid.
    pub valid: usize,
    /// Distinct agreed output roots whose 128-byte preimage is present.
    pub agreed_outputs: usize,
    /// Distinct claimed (valid) output roots whose preimage is present.
    pub claimed_outputs: usize,
    /// L1 headers on the chain from the highest L1 head back to the rollup's genesis L1 block.
    pub l1_headers: usize,
    /// L1 transactions read from their tries (every block of that chain).
    pub l1_transactions: usize,
    /// L1 receipts read from their tries.
    pub l1_receipts: usize,
    /// Blobs whose field elements re-commit to their commitment.
    pub blobs: usize,
    /// L2 headers from the highest claimed block back to genesis.
    pub l2_headers: usize,
    /// L2 blocks re-executed from the store.
    pub executed: usize,
    /// Of which reproduced op-geth's block hash and the claimed output root.
    pub matched: usize,
    /// Distinct trie nodes / codes / headers the executor read from the store.
    pub executor_reads: usize,
    /// Mismatches (block, why).
    pub mismatches: Vec<(u64, String)>,
}

/// The program's preimage oracle over a dataset: local keys from the claim, every other key from the store
/// (hints are acknowledged and ignored, as an offline host does).
struct StoreOracle<'a> {
    store: &'a dyn KeyValueStore,
    local: rampart_host::LocalInputs,
}

impl rampart_program::PreimageOracle for StoreOracle<'_> {
    fn hint(&mut self, _: &rampart_host::preimage::Hint) -> rampart_program::Result<()> {
        Ok(())
    }
    fn get(&mut self, key: PreimageKey) -> rampart_program::Result<Vec<u8>> {
        let value = match key.local_index() {
            Some(i) => self.local.get(i),
            None => self.store.get(&key).ok().flatten(),
        };
        value.ok_or(rampart_program::ProgramError::MissingPreimage(key))
    }
}

/// Records which keys a provider was asked for.
struct Counting<'a, P> {
    inner: P,
    seen: &'a std::cell::RefCell<BTreeSet<B256>>,
}

impl<P: TrieProvider> TrieProvider for Counting<'_, P> {
    fn node(&self, hash: B256) -> std::result::Result<Bytes, rampart_mpt::Error> {
        self.seen.borrow_mut().insert(hash);
        self.inner.node(hash)
    }
}

impl std::fmt::Debug for Dataset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dataset").field("dir", &self.dir).field("claims", &self.claims.len()).finish_non_exhaustive()
    }
}

impl Dataset {
    /// Opens the dataset in `dir`.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        let read = |name: &str| -> Result<Vec<u8>> {
            let p = dir.join(name);
            std::fs::read(&p).map_err(|e| DevnetError::io(&p, e))
        };
        let claims: Vec<Claim> = serde_json::from_slice(&read("claims.json")?)
            .map_err(|e| DevnetError::Check(format!("claims.json: {e}")))?;
        let rollup: serde_json::Value = serde_json::from_slice(&read("rollup.json")?)
            .map_err(|e| DevnetError::Check(format!("rollup.json: {e}")))?;
        let config =
            ChainConfig::from_rollup_json(&rollup).map_err(|e| DevnetError::Check(format!("rollup.json: {e}")))?;
        let dump = dir.join(DUMP_FILE);
        let store: Box<dyn KeyValueStore> = if dump.is_file() {
            Box::new(rampart_host::dump::read(&dump).map_err(|e| DevnetError::Check(e.to_string()))?)
        } else {
            Box::new(DirectoryKeyValueStore::open(dir.join(STORE_DIR)).map_err(|e| DevnetError::Check(e.to_string()))?)
        };
        Ok(Self { dir, claims, rollup, config, store })
    }

    /// Writes the dataset to `out` with its preimages as a `directory` store in `out/preimages` (what the claims'
    /// `--data-dir preimages` names); returns the preimage count.
    pub fn materialize(&self, out: &Path) -> Result<usize> {
        std::fs::create_dir_all(out).map_err(|e| DevnetError::io(out, e))?;
        for f in ["rollup.json", "l1-config.json", "claims.json"] {
            std::fs::copy(self.dir.join(f), out.join(f)).map_err(|e| DevnetError::io(self.dir.join(f), e))?;
        }
        let dump = self.dir.join(DUMP_FILE);
        if dump.is_file() {
            rampart_host::dump::unpack(&dump, &out.join(STORE_DIR)).map_err(|e| DevnetError::Check(e.to_string()))
        } else {
            Err(DevnetError::Check(format!("{} has no {DUMP_FILE} to unpack", self.dir.display())))
        }
    }

    /// Checks `claims.json`'s structure: every claim names the kona-host flags with well-formed values, its files
    /// exist relative to the dataset, and each block has one valid and one wrong claim.
    pub fn check_claims(&self) -> Result<()> {
        let bad = |i: usize, why: String| DevnetError::Check(format!("claims.json[{i}]: {why}"));
        let mut per_block: BTreeMap<u64, (usize, usize)> = BTreeMap::new();
        for (i, c) in self.claims.iter().enumerate() {
            for f in ["--l1-head", "--agreed-l2-head-hash", "--agreed-l2-output-root", "--claimed-l2-output-root"] {
                let v = flag(&c.host_args, f).ok_or_else(|| bad(i, format!("{f} missing")))?;
                v.parse::<B256>().map_err(|e| bad(i, format!("{f} {v}: {e}")))?;
            }
            let n =
                flag(&c.host_args, "--claimed-l2-block-number").ok_or_else(|| bad(i, "block number missing".into()))?;
            if n.parse::<u64>().ok() != Some(c.l2_block) {
                return Err(bad(i, format!("--claimed-l2-block-number {n} is not l2_block {}", c.l2_block)));
            }
            for f in ["--rollup-config-path", "--l1-config-path"] {
                let p = flag(&c.host_args, f).ok_or_else(|| bad(i, format!("{f} missing")))?;
                if !self.dir.join(p).is_file() {
                    return Err(bad(i, format!("{f} {p} is not a file of the dataset")));
                }
            }
            if flag(&c.host_args, "--data-dir") != Some(STORE_DIR) {
                return Err(bad(i, format!("--data-dir is not {STORE_DIR}")));
            }
            let e = per_block.entry(c.l2_block).or_default();
            if c.valid {
                e.0 += 1
            } else {
                e.1 += 1
            }
        }
        if let Some((b, _)) = per_block.iter().find(|(_, v)| **v != (1, 1)) {
            return Err(DevnetError::Check(format!("block {b} does not have exactly one valid and one wrong claim")));
        }
        Ok(())
    }

    fn b256(c: &Claim, f: &str) -> Result<B256> {
        flag(&c.host_args, f)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| DevnetError::Check(format!("claim of block {}: {f}", c.l2_block)))
    }

    /// The local inputs (keys 1-7) of `claim`, as `rampart host` serves them from its flags and config files.
    pub fn local_inputs(&self, claim: &Claim) -> Result<rampart_host::LocalInputs> {
        let word = |f: &str| Self::b256(claim, f).map(|h| h.0);
        let config = |f: &str| -> Result<Vec<u8>> {
            let p = self.dir.join(flag(&claim.host_args, f).unwrap_or_default());
            let text = std::fs::read(&p).map_err(|e| DevnetError::io(&p, e))?;
            rampart_host::normalize_json(&text).map_err(|e| DevnetError::Check(format!("{f}: {e}")))
        };
        Ok(rampart_host::LocalInputs {
            l1_head: word("--l1-head")?,
            agreed_output_root: word("--agreed-l2-output-root")?,
            claimed_output_root: word("--claimed-l2-output-root")?,
            claimed_block_number: claim.l2_block,
            chain_id: claim.l2_chain_id,
            rollup_config: Some(config("--rollup-config-path")?),
            l1_config: Some(config("--l1-config-path")?),
        })
    }

    /// Runs the fault-proof program (`rampart_program::run`, natively) on `claim` over the dataset's store: the
    /// program's verdict (`Ok` exactly when it exits 0).
    pub fn run_program(
        &self,
        claim: &Claim,
    ) -> Result<std::result::Result<rampart_program::RunOutcome, rampart_program::ProgramError>> {
        let local = self.local_inputs(claim)?;
        Ok(rampart_program::run(StoreOracle { store: &*self.store, local }))
    }

    /// The output root preimage of `root`, decoded.
    pub fn output(&self, root: B256) -> Result<rampart_program::OutputRoot> {
        let pre = keccak_get(&*self.store, root)?
            .ok_or_else(|| DevnetError::Check(format!("output root {root}: preimage missing")))?;
        rampart_program::OutputRoot::decode(&pre).map_err(|e| DevnetError::Check(format!("output root {root}: {e}")))
    }

    /// Runs every check (see the module doc); an inconsistency in the store is an error, executor mismatches
    /// are counted in the report.
    pub fn check(&self) -> Result<DatasetReport> {
        self.check_claims()?;
        let store = &*self.store;
        let mut r = DatasetReport { claims: self.claims.len(), ..Default::default() };
        r.valid = self.claims.iter().filter(|c| c.valid).count();
        let genesis_l1: B256 = serde_json::from_value(self.rollup["genesis"]["l1"]["hash"].clone())
            .map_err(|e| DevnetError::Check(format!("rollup.json genesis.l1.hash: {e}")))?;
        let genesis_l2: B256 = serde_json::from_value(self.rollup["genesis"]["l2"]["hash"].clone())
            .map_err(|e| DevnetError::Check(format!("rollup.json genesis.l2.hash: {e}")))?;

        // Output roots: agreed ones, and the valid claimed ones (whose block hash names the block to re-execute).
        let mut agreed = BTreeSet::new();
        let mut claimed: BTreeMap<u64, rampart_program::OutputRoot> = BTreeMap::new();
        let mut l1_heads = BTreeSet::new();
        for c in &self.claims {
            let a = Self::b256(c, "--agreed-l2-output-root")?;
            let o = self.output(a)?;
            if o.block_hash != Self::b256(c, "--agreed-l2-head-hash")? {
                return Err(DevnetError::Check(format!(
                    "claim of block {}: agreed output names another head",
                    c.l2_block
                )));
            }
            agreed.insert(a);
            l1_heads.insert(Self::b256(c, "--l1-head")?);
            if c.valid {
                claimed.insert(c.l2_block, self.output(Self::b256(c, "--claimed-l2-output-root")?)?);
            }
        }
        r.agreed_outputs = agreed.len();
        r.claimed_outputs = claimed.len();

        // L1: from the highest head back to genesis, every header, transaction and receipt trie, and blob.
        let mut heads: Vec<Header> = l1_heads.iter().map(|h| header(store, *h)).collect::<Result<_>>()?;
        heads.sort_by_key(|h| h.number);
        let top = heads.last().ok_or_else(|| DevnetError::Check("no claims".into()))?;
        let mut on_chain = BTreeSet::new();
        let mut h = top.clone();
        let mut hash = h.hash_slow();
        loop {
            on_chain.insert(hash);
            r.l1_headers += 1;
            let txs = ordered_list(store, h.transactions_root)?;
            let receipts = ordered_list(store, h.receipts_root)?;
            if txs.len() != receipts.len() {
                return Err(DevnetError::Check(format!(
                    "L1 block {}: {} txs, {} receipts",
                    h.number,
                    txs.len(),
                    receipts.len()
                )));
            }
            r.l1_transactions += txs.len();
            r.l1_receipts += receipts.len();
            for raw in &txs {
                let tx = TxEnvelope::decode_2718(&mut raw.as_ref())
                    .map_err(|e| DevnetError::Check(format!("L1 block {} tx: {e}", h.number)))?;
                for vh in tx.blob_versioned_hashes().unwrap_or_default() {
                    self.check_blob(*vh)?;
                    r.blobs += 1;
                }
            }
            if hash == genesis_l1 {
                break;
            }
            if h.number == 0 {
                return Err(DevnetError::Check("L1 chain does not reach the rollup's genesis L1 block".into()));
            }
            hash = h.parent_hash;
            h = header(store, hash)?;
        }
        if let Some(off) = heads.iter().find(|h| !on_chain.contains(&h.hash_slow())) {
            return Err(DevnetError::Check(format!("L1 head {} is not on the chain of the highest head", off.number)));
        }

        // L2: headers back to genesis; every claimed block re-executed from the store.
        let last = claimed.values().last().ok_or_else(|| DevnetError::Check("no valid claims".into()))?;
        let mut l2 = header(store, last.block_hash)?;
        let mut l2_hash = last.block_hash;
        loop {
            r.l2_headers += 1;
            if l2_hash == genesis_l2 {
                break;
            }
            if l2.number == 0 {
                return Err(DevnetError::Check("L2 chain does not reach the rollup's genesis L2 block".into()));
            }
            l2_hash = l2.parent_hash;
            l2 = header(store, l2_hash)?;
        }
        let seen = std::cell::RefCell::new(BTreeSet::new());
        for (n, out) in &claimed {
            r.executed += 1;
            let h = header(store, out.block_hash)?;
            let parent = header(store, h.parent_hash)?;
            let txs = ordered_list(store, h.transactions_root)?;
            let attrs = attributes_from_block(&self.config, &h, txs)?;
            let provider = Counting { inner: StoreNodes(store), seen: &seen };
            match build_block(&self.config, &parent, &attrs, provider) {
                Ok(b) => {
                    let root = b.output_root.as_ref().map(|(_, r)| *r).ok();
                    let want = rampart_program::OutputRoot::hash(out);
                    if b.block_hash == out.block_hash && root == Some(want) {
                        r.matched += 1;
                    } else {
                        r.mismatches.push((
                            *n,
                            format!(
                                "built {} (output {root:?}), recorded {} (output {want})",
                                b.block_hash, out.block_hash
                            ),
                        ));
                    }
                }
                Err(e) => r.mismatches.push((*n, format!("executor: {e}"))),
            }
        }
        r.executor_reads = seen.borrow().len();
        Ok(r)
    }

    /// The blob `versioned`: its commitment and 4096 field elements are present and re-commit (c-kzg) to it.
    fn check_blob(&self, versioned: B256) -> Result<()> {
        let store = &*self.store;
        let err = |why: String| DevnetError::Check(format!("blob {versioned}: {why}"));
        let c = store
            .get(&PreimageKey::sha256(versioned.0))
            .map_err(|e| err(e.to_string()))?
            .ok_or_else(|| err("commitment missing".into()))?;
        let c: [u8; 48] = c.try_into().map_err(|_| err("commitment is not 48 bytes".into()))?;
        let mut blob = vec![0u8; c_kzg::BYTES_PER_BLOB];
        let mut pre = [0u8; 80];
        pre[..48].copy_from_slice(&c);
        for (i, z) in rampart_program::roots_of_unity().iter().enumerate() {
            pre[48..].copy_from_slice(&z.to_be_bytes::<32>());
            let fe = store
                .get(&PreimageKey::blob(keccak256(pre).0))
                .map_err(|e| err(e.to_string()))?
                .ok_or_else(|| err(format!("field element {i} missing")))?;
            if fe.len() != 32 {
                return Err(err(format!("field element {i} of {} bytes", fe.len())));
            }
            blob[32 * i..32 * i + 32].copy_from_slice(&fe);
        }
        let b = c_kzg::Blob::from_bytes(&blob).map_err(|e| err(format!("{e:?}")))?;
        let got = crate::blobs::kzg().blob_to_kzg_commitment(&b).map_err(|e| err(format!("{e:?}")))?;
        if got.to_bytes().into_inner() != c {
            return Err(err("field elements do not commit to the commitment".into()));
        }
        Ok(())
    }
}

/// Writes every entry of `store` to `out/preimages/` (directory store) and `out/preimages.kv.gz`.
pub fn write_store(store: &MemoryKeyValueStore, out: &Path) -> Result<usize> {
    let mut d = DirectoryKeyValueStore::open(out.join(STORE_DIR)).map_err(|e| DevnetError::Check(e.to_string()))?;
    d.set_sync(false);
    for (k, v) in store.iter() {
        d.set(*k, v.clone()).map_err(|e| DevnetError::Check(e.to_string()))?;
    }
    rampart_host::dump::write(&out.join(DUMP_FILE), store.iter()).map_err(|e| DevnetError::Check(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn materialize_unpacks_the_dump_into_the_directory_store_the_claims_name() {
        let tmp = std::env::temp_dir().join(format!("rampart-dataset-unit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        let src = tmp.join("src");
        std::fs::create_dir_all(&src).unwrap();
        let rollup = serde_json::json!({"l2_chain_id": 901, "chain_op_config": {
            "eip1559Elasticity": 6, "eip1559Denominator": 50, "eip1559DenominatorCanyon": 250}});
        std::fs::write(src.join("rollup.json"), rollup.to_string()).unwrap();
        std::fs::write(src.join("l1-config.json"), "{}").unwrap();
        std::fs::write(src.join("claims.json"), "[]").unwrap();
        let mut m = MemoryKeyValueStore::new();
        for v in [b"a".to_vec(), b"bc".to_vec(), vec![0u8; 128]] {
            m.set(PreimageKey::keccak256(keccak256(&v).0), v).unwrap();
        }
        rampart_host::dump::write(&src.join(DUMP_FILE), m.iter()).unwrap();
        let ds = Dataset::open(&src).unwrap();
        let out = tmp.join("out");
        assert_eq!(ds.materialize(&out).unwrap(), 3);
        assert!(!out.join(DUMP_FILE).exists());
        let back = Dataset::open(&out).unwrap();
        for (k, v) in m.iter() {
            assert_eq!(back.store.get(k).unwrap().as_ref(), Some(v));
        }
        assert_eq!(keccak_get(&*back.store, keccak256(b"bc")).unwrap(), Some(b"bc".to_vec()));
        let _ = std::fs::remove_dir_all(&tmp);
    }
}
