//! `claims.json`: for every safe L2 block a valid claim and a wrong one, as kona-host flags. Output roots come
//! from op-geth (`eth_getProof` of the L2ToL1MessagePasser at the block, its state root and hash), never from
//! Rampart's executor.

use crate::{chain::BlockRef, rpc::RpcClient, DevnetError, Result};
use alloy_primitives::{B256, U64};
use rampart_executor::{output_root_v0, L2_TO_L1_MESSAGE_PASSER};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::Path;

/// One entry of `claims.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// The claimed L2 block.
    pub l2_block: u64,
    /// Whether the claimed output root is the real one.
    pub valid: bool,
    /// L2 chain id (kona-host's `--l2-chain-id` conflicts with `--rollup-config-path`, so it is not a flag here).
    pub l2_chain_id: u64,
    /// kona-host flags.
    pub host_args: Vec<String>,
}

/// An L2 block's output root and the values it commits to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputRoot {
    /// Block number.
    pub number: u64,
    /// Block hash.
    pub block_hash: B256,
    /// State root.
    pub state_root: B256,
    /// Storage root of the message passer.
    pub message_passer_storage_root: B256,
    /// `keccak256(0 ‖ state root ‖ message passer storage root ‖ block hash)`.
    pub output_root: B256,
}

/// Reads the output root of L2 block `number` from op-geth.
pub async fn output_root(l2: &RpcClient, number: u64) -> Result<OutputRoot> {
    let tag = format!("{number:#x}");
    let block: serde_json::Value = l2.call_as("eth_getBlockByNumber", json!([&tag, false]), number).await?;
    let get = |name: &str| -> Result<B256> {
        serde_json::from_value(block[name].clone())
            .map_err(|e| DevnetError::role("claims", format!("L2 block {number} field {name}: {e}")))
    };
    let (block_hash, state_root) = (get("hash")?, get("stateRoot")?);
    let proof: serde_json::Value =
        l2.call_as("eth_getProof", json!([L2_TO_L1_MESSAGE_PASSER, [], &tag]), number).await?;
    let message_passer_storage_root: B256 = serde_json::from_value(proof["storageHash"].clone())
        .map_err(|e| DevnetError::role("claims", format!("eth_getProof storageHash: {e}")))?;
    let output_root = output_root_v0(state_root, message_passer_storage_root, block_hash);
    Ok(OutputRoot { number, block_hash, state_root, message_passer_storage_root, output_root })
}

/// The claim's wrong twin: the real output root with its last byte flipped.
pub fn wrong_root(root: B256) -> B256 {
    let mut w = root;
    w.0[31] ^= 0xff;
    w
}

/// The host flags of a claim that block `claimed` (agreed parent `agreed`) has output root `claimed_root`.
/// The chain is named by `--rollup-config-path` (kona-host rejects `--l2-chain-id` next to it).
pub fn host_args(
    l1_head: B256,
    agreed: &OutputRoot,
    claimed: u64,
    claimed_root: B256,
    data_dir: Option<&str>,
) -> Vec<String> {
    let mut v = vec![
        "--l1-head".into(),
        l1_head.to_string(),
        "--agreed-l2-head-hash".into(),
        agreed.block_hash.to_string(),
        "--agreed-l2-output-root".into(),
        agreed.output_root.to_string(),
        "--claimed-l2-output-root".into(),
        claimed_root.to_string(),
        "--claimed-l2-block-number".into(),
        claimed.to_string(),
        "--rollup-config-path".into(),
        "rollup.json".into(),
        "--l1-config-path".into(),
        "l1-config.json".into(),
    ];
    if let Some(d) = data_dir {
        v.extend(["--data-dir".into(), d.into()]);
    }
    v
}

/// The two claims (valid, wrong) of L2 block `block` given its parent's and its own output roots.
pub fn claims_for(
    l1_head: &BlockRef,
    parent: &OutputRoot,
    own: &OutputRoot,
    chain_id: u64,
    data_dir: Option<&str>,
) -> [Claim; 2] {
    [
        Claim {
            l2_block: own.number,
            valid: true,
            l2_chain_id: chain_id,
            host_args: host_args(l1_head.hash, parent, own.number, own.output_root, data_dir),
        },
        Claim {
            l2_block: own.number,
            valid: false,
            l2_chain_id: chain_id,
            host_args: host_args(l1_head.hash, parent, own.number, wrong_root(own.output_root), data_dir),
        },
    ]
}

/// Writes `claims` to `path` atomically (a reader never sees half a file).
pub fn write_claims(path: &Path, claims: &[Claim]) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_vec_pretty(claims).map_err(|e| DevnetError::role("claims", e.to_string()))?;
    std::fs::write(&tmp, text).map_err(|e| DevnetError::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| DevnetError::io(path, e))
}

/// The latest block number of a node.
pub async fn block_number(rpc: &RpcClient) -> Result<u64> {
    let n: U64 = rpc.call_as("eth_blockNumber", json!([]), "latest").await?;
    Ok(n.to())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_args_name_every_kona_flag() {
        let o = OutputRoot {
            number: 4,
            block_hash: B256::repeat_byte(1),
            state_root: B256::repeat_byte(2),
            message_passer_storage_root: B256::repeat_byte(3),
            output_root: B256::repeat_byte(4),
        };
        let a = host_args(B256::repeat_byte(9), &o, 5, B256::repeat_byte(5), Some("preimages"));
        for flag in [
            "--l1-head",
            "--agreed-l2-head-hash",
            "--agreed-l2-output-root",
            "--claimed-l2-output-root",
            "--claimed-l2-block-number",
            "--rollup-config-path",
            "--l1-config-path",
            "--data-dir",
        ] {
            let i = a.iter().position(|x| x == flag).unwrap_or_else(|| panic!("{flag} missing"));
            assert!(!a[i + 1].starts_with("--"));
        }
        assert_eq!(a.len(), 16);
        assert!(!a.iter().any(|x| x == "--l2-chain-id"));
        assert_ne!(wrong_root(o.output_root), o.output_root);
    }
}
