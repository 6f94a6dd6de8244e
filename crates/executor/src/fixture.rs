//! Loading execution fixtures: `block-N.json` plus the sibling `block-N.kv.gz` preimage file.

use crate::{parse_kv_text, ChainConfig, Error, PreimageStore};
use alloy_consensus::Header;
use alloy_primitives::B256;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use std::{format, io::Read, path::Path, path::PathBuf, string::String};

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

/// Reads and parses a gzip'd `0x<key> 0x<value>` preimage file.
pub fn read_kv_gz(path: &Path) -> Result<PreimageStore, Error> {
    let file = std::fs::File::open(path).map_err(|e| Error::Input(format!("{}: {e}", path.display())))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| Error::Input(format!("{}: not gzip'd text: {e}", path.display())))?;
    parse_kv_text(&text).map_err(|e| Error::Input(format!("{}: {e}", path.display())))
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

/// Loads `block-N.json` and its sibling `block-N.kv.gz`.
pub fn load_fixture(json_path: &Path) -> Result<Fixture, Error> {
    let text = std::fs::read_to_string(json_path).map_err(|e| Error::Input(format!("{}: {e}", json_path.display())))?;
    let (config, parent_header, attributes, expected_block_hash) = parse_fixture_json(&text)?;
    let preimages = read_kv_gz(&kv_path_for(json_path))?;
    Ok(Fixture { config, parent_header, attributes, expected_block_hash, preimages })
}
