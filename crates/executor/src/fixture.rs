//! Loading execution fixtures: `block-N.json` plus the sibling `block-N.kv.gz` preimage file.

use crate::{ChainConfig, Error, PreimageStore};
use alloy_consensus::Header;
use alloy_primitives::Bytes;
use alloy_primitives::B256;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use std::{format, path::Path, path::PathBuf};

/// One block execution fixture.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Chain configuration from `rollup_config`.
    pub config: ChainConfig,
    /// Header of the parent block.
    pub parent_header: Header,
    /// Attributes that build the block.
    pub attributes: OpPayloadAttributes,
    /// Hash the built block must have.
    pub expected_block_hash: B256,
    /// Every preimage needed to execute the block.
    pub preimages: PreimageStore,
}

/// Path of the preimage file next to a fixture json (`block-N.json` -> `block-N.kv.gz`).
pub fn kv_path_for(json_path: &Path) -> PathBuf {
    json_path.with_extension("kv.gz")
}

/// Reads a `0x<key> 0x<value>` preimage file (gzip if its name ends in `.gz`) with the limits of
/// [`rampart_primitives::kv`], checking that every key is the keccak256 of its value.
pub fn read_kv_gz(path: &Path) -> Result<PreimageStore, Error> {
    let at = |e: &dyn core::fmt::Display| Error::Input(format!("{}: {e}", path.display()));
    let mut store = PreimageStore::new();
    for entry in rampart_primitives::kv::KvReader::open(path).map_err(|e| at(&e))? {
        let (key, value) = entry.map_err(|e| at(&e))?;
        store.insert_checked(B256::from(key), Bytes::from(value)).map_err(|e| at(&e))?;
    }
    Ok(store)
}

fn field<'a>(v: &'a serde_json::Value, name: &str) -> Result<&'a serde_json::Value, Error> {
    v.get(name).ok_or_else(|| Error::Input(format!("fixture field `{name}` missing")))
}

/// Parses a fixture json document (without preimages).
pub fn parse_fixture_json(text: &str) -> Result<(ChainConfig, Header, OpPayloadAttributes, B256), Error> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Input(format!("fixture json: {e}")))?;
    let config = ChainConfig::from_rollup_json(field(&v, "rollup_config")?)?;
    let parent_header: Header = serde_json::from_value(field(&v, "parent_header")?.clone())
        .map_err(|e| Error::Input(format!("parent_header: {e}")))?;
    let attributes: OpPayloadAttributes = serde_json::from_value(field(&v, "executing_payload")?.clone())
        .map_err(|e| Error::Input(format!("executing_payload: {e}")))?;
    let expected: B256 = serde_json::from_value(field(&v, "expected_block_hash")?.clone())
        .map_err(|e| Error::Input(format!("expected_block_hash: {e}")))?;
    Ok((config, parent_header, attributes, expected))
}

/// Largest fixture json read: the payload attributes carry at most one block's transactions, and a 60 M gas
/// block holds at most 3.75 MB of calldata (16 gas a byte), 7.5 MB as hex; the rest is a few KiB. Twice that,
/// rounded up.
pub const MAX_FIXTURE_JSON_LEN: u64 = 16 << 20;

/// Loads `block-N.json` and its sibling `block-N.kv.gz`.
pub fn load_fixture(json_path: &Path) -> Result<Fixture, Error> {
    let at = |e: &dyn core::fmt::Display| Error::Input(format!("{}: {e}", json_path.display()));
    let file = std::fs::File::open(json_path).map_err(|e| at(&e))?;
    let bytes =
        rampart_primitives::gz::read_to_end_capped(file, MAX_FIXTURE_JSON_LEN, "a fixture json").map_err(|e| at(&e))?;
    let text = String::from_utf8(bytes).map_err(|e| at(&e))?;
    let (config, parent_header, attributes, expected_block_hash) = parse_fixture_json(&text)?;
    let preimages = read_kv_gz(&kv_path_for(json_path))?;
    Ok(Fixture { config, parent_header, attributes, expected_block_hash, preimages })
}
