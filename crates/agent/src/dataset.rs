//! A recorded devnet dataset (`testdata/devnet`): the claims with their kona-host arguments, the rollup and L1
//! configs (local keys 6 and 7), every preimage the program needs, and op-geth's output root of every block.
//!
//! The files are read generically (any block range, any chain id), so a re-recorded dataset works unchanged.
//! [`DevnetData::bundled`] is the copy compiled into this crate, so an installed binary needs no source tree.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use alloy_primitives::B256;
use rampart_primitives::kv::KvReader;

use crate::errors::{AgentError, Result};

/// One claim of `claims.json`: a proposal of an output root for an L2 block, and the local inputs kona-host gets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetClaim {
    /// The claimed L2 block.
    pub l2_block: u64,
    /// Whether the claimed output root is op-geth's (the recorder flips its last byte otherwise).
    pub valid: bool,
    /// `--l1-head`: the L1 head the claim was recorded at (the block became safe by then).
    pub l1_head: B256,
    /// `--agreed-l2-head-hash`: hash of block `l2_block − 1`.
    pub agreed_l2_head_hash: B256,
    /// `--agreed-l2-output-root`: output root of block `l2_block − 1`.
    pub agreed_output_root: B256,
    /// `--claimed-l2-output-root`.
    pub claimed_output_root: B256,
}

/// A dataset in memory.
#[derive(Clone, Debug)]
pub struct DevnetData {
    /// The L2 chain id (`l2_chain_id` of the claims).
    pub chain_id: u64,
    /// Every claim, in file order.
    pub claims: Vec<DatasetClaim>,
    /// `rollup.json`, re-serialized compactly with sorted keys as `rampart host` serves local key 6.
    pub rollup_config: Vec<u8>,
    /// `l1-config.json`, normalized the same way (local key 7).
    pub l1_config: Vec<u8>,
    /// Every preimage of the dump by its full 32-byte key (type byte included).
    pub preimages: Arc<BTreeMap<[u8; 32], Vec<u8>>>,
    /// op-geth's output root per L2 block (block 0 from block 1's agreed output).
    outputs: BTreeMap<u64, B256>,
}

/// The files of `testdata/devnet`, compiled in.
mod bundled {
    pub(super) const CLAIMS: &[u8] = include_bytes!("../../../testdata/devnet/claims.json");
    pub(super) const ROLLUP: &[u8] = include_bytes!("../../../testdata/devnet/rollup.json");
    pub(super) const L1_CONFIG: &[u8] = include_bytes!("../../../testdata/devnet/l1-config.json");
    pub(super) const PREIMAGES: &[u8] = include_bytes!("../../../testdata/devnet/preimages.kv.gz");
}

fn bad(msg: impl Into<String>) -> AgentError {
    AgentError::Dataset(msg.into())
}

fn normalize_json(text: &[u8], what: &str) -> Result<Vec<u8>> {
    let v: serde_json::Value = serde_json::from_slice(text).map_err(|e| bad(format!("{what} is not JSON: {e}")))?;
    serde_json::to_vec(&v).map_err(|e| bad(format!("{what}: {e}")))
}

fn flag<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn hash_flag(args: &[String], name: &str, block: u64) -> Result<B256> {
    let v = flag(args, name).ok_or_else(|| bad(format!("claim for block {block}: no {name}")))?;
    v.parse::<B256>().map_err(|e| bad(format!("claim for block {block}: {name} {v}: {e}")))
}

fn parse_claims(text: &[u8]) -> Result<(u64, Vec<DatasetClaim>)> {
    let v: serde_json::Value = serde_json::from_slice(text).map_err(|e| bad(format!("claims.json: {e}")))?;
    let list = v.as_array().ok_or_else(|| bad("claims.json: not an array"))?;
    let mut chain_id = None;
    let mut out = Vec::with_capacity(list.len());
    for (i, c) in list.iter().enumerate() {
        let field = |k: &str| c.get(k).ok_or_else(|| bad(format!("claims.json entry {i}: no {k}")));
        let l2_block = field("l2_block")?.as_u64().ok_or_else(|| bad(format!("claims.json entry {i}: l2_block")))?;
        let valid = field("valid")?.as_bool().ok_or_else(|| bad(format!("claims.json entry {i}: valid")))?;
        let id = field("l2_chain_id")?.as_u64().ok_or_else(|| bad(format!("claims.json entry {i}: l2_chain_id")))?;
        if *chain_id.get_or_insert(id) != id {
            return Err(bad(format!("claims.json entry {i}: chain id {id} differs from the first claim's")));
        }
        let args: Vec<String> = field("host_args")?
            .as_array()
            .ok_or_else(|| bad(format!("claims.json entry {i}: host_args")))?
            .iter()
            .map(|a| a.as_str().map(str::to_string).ok_or_else(|| bad(format!("claims.json entry {i}: host_args"))))
            .collect::<Result<_>>()?;
        let number = flag(&args, "--claimed-l2-block-number").and_then(|n| n.parse::<u64>().ok());
        if number != Some(l2_block) {
            return Err(bad(format!("claims.json entry {i}: --claimed-l2-block-number is not {l2_block}")));
        }
        out.push(DatasetClaim {
            l2_block,
            valid,
            l1_head: hash_flag(&args, "--l1-head", l2_block)?,
            agreed_l2_head_hash: hash_flag(&args, "--agreed-l2-head-hash", l2_block)?,
            agreed_output_root: hash_flag(&args, "--agreed-l2-output-root", l2_block)?,
            claimed_output_root: hash_flag(&args, "--claimed-l2-output-root", l2_block)?,
        });
    }
    Ok((chain_id.ok_or_else(|| bad("claims.json: no claims"))?, out))
}

impl DevnetData {
    /// The dataset compiled into this crate (`testdata/devnet` at build time).
    pub fn bundled() -> Result<Self> {
        Self::from_parts(bundled::CLAIMS, bundled::ROLLUP, bundled::L1_CONFIG, bundled::PREIMAGES)
    }

    /// Reads a dataset directory (`claims.json`, `rollup.json`, `l1-config.json`, `preimages.kv.gz`).
    pub fn open(dir: &Path) -> Result<Self> {
        let read =
            |name: &str| std::fs::read(dir.join(name)).map_err(|e| bad(format!("{}: {e}", dir.join(name).display())));
        Self::from_parts(
            &read("claims.json")?,
            &read("rollup.json")?,
            &read("l1-config.json")?,
            &read("preimages.kv.gz")?,
        )
    }

    /// Builds a dataset from the four files' bytes (the dump gzip or plain).
    pub fn from_parts(claims: &[u8], rollup: &[u8], l1_config: &[u8], preimages: &[u8]) -> Result<Self> {
        let (chain_id, claims) = parse_claims(claims)?;
        let mut outputs = BTreeMap::new();
        let mut put = |block: u64, root: B256| -> Result<()> {
            match outputs.insert(block, root) {
                Some(old) if old != root => Err(bad(format!("two different valid output roots for block {block}"))),
                _ => Ok(()),
            }
        };
        for c in claims.iter().filter(|c| c.valid) {
            put(c.l2_block, c.claimed_output_root)?;
            let parent = c.l2_block.checked_sub(1).ok_or_else(|| bad("a claim for block 0"))?;
            put(parent, c.agreed_output_root)?;
        }
        let mut map = BTreeMap::new();
        let reader = KvReader::new(preimages).map_err(|e| bad(format!("preimages.kv.gz: {e}")))?;
        for entry in reader {
            let (k, v) = entry.map_err(|e| bad(format!("preimages.kv.gz: {e}")))?;
            map.insert(k, v);
        }
        Ok(Self {
            chain_id,
            claims,
            rollup_config: normalize_json(rollup, "rollup.json")?,
            l1_config: normalize_json(l1_config, "l1-config.json")?,
            preimages: Arc::new(map),
            outputs,
        })
    }

    /// op-geth's output root at `block`, if the dataset covers it.
    pub fn output_at(&self, block: u64) -> Option<B256> {
        self.outputs.get(&block).copied()
    }

    /// The blocks whose output root is known (0 and every claimed block), ascending.
    pub fn blocks(&self) -> impl Iterator<Item = u64> + '_ {
        self.outputs.keys().copied()
    }

    /// The valid claim for `block`.
    pub fn valid_claim(&self, block: u64) -> Option<&DatasetClaim> {
        self.claims.iter().find(|c| c.valid && c.l2_block == block)
    }

    /// The L1 head a game proposing `block` is created at: the L1 head the block's valid claim was recorded at
    /// (every block up to it is derivable from L1 by then).
    pub fn l1_head_for(&self, block: u64) -> Option<B256> {
        self.valid_claim(block).map(|c| c.l1_head)
    }
}
