//! `rampart batch-decode`'s RPC mode against the live devnet: the L1 range from the rollup's genesis L1 block to
//! the head fetched from geth (transactions) and the blob archiver (blob sidecars, KZG-checked), decoded with
//! the devnet's `rollup.json`; every block the batches give is the L2 block op-geth has at its timestamp.

use alloy_primitives::keccak256;
use rampart_batch_decode::{read_rollup_config, rpc, Filter, Options, SpanParams};
use rampart_devnet::{batcher::Fault, Devnet, RunSummary};
use rampart_host::rpc::{BeaconClient, RetryPolicy, RpcClient};
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// What the check counted: (L1 blocks, inbox transactions, blobs, channels, ready channels, blocks decoded).
pub(crate) type Counts = (u64, u64, u64, usize, usize, usize);

pub(crate) async fn rpc_mode_matches_op_geth(devnet: &Devnet, summary: &RunSummary) -> Counts {
    let rollup = read_rollup_config(devnet.dir.join("rollup.json").to_str().unwrap()).unwrap();
    let filter = Filter {
        inbox: rollup.batch_inbox_address,
        batcher: rollup.genesis.system_config.as_ref().unwrap().batcher_address,
    };
    let l1 = RpcClient::new("l1", &devnet.endpoints.l1_rpc, RetryPolicy::default()).unwrap();
    let beacon = BeaconClient::new("beacon", &devnet.endpoints.l1_beacon, RetryPolicy::default()).unwrap();
    let l2 = RpcClient::new("l2", &devnet.endpoints.l2_rpc, RetryPolicy::default()).unwrap();
    let (start, end) = (rollup.genesis.l1.number, devnet.l1.head_number().await.unwrap());
    let opts = Options { span: Some(SpanParams::from_rollup_config(&rollup)), ..Default::default() };
    let report = rpc::decode_range(&l1, Some(&beacon), start, end, &filter, &opts, Vec::new()).await.unwrap();

    // op-geth's blocks by timestamp: (number, user tx hashes, L1 origin number and hash from the L1-info deposit).
    let mut by_time = BTreeMap::new();
    for n in 1..=summary.blocks.len() as u64 {
        let b: Value = l2.call_as("eth_getBlockByNumber", json!([format!("0x{n:x}"), true]), n).await.unwrap();
        let txs = b["transactions"].as_array().unwrap();
        let input = alloy_primitives::hex::decode(txs[0]["input"].as_str().unwrap()).unwrap();
        let info = rampart_protocol::L1InfoTx::decode_calldata(&input).unwrap().info;
        let users: Vec<String> =
            txs.iter().filter(|t| t["type"] != "0x7e").map(|t| t["hash"].as_str().unwrap().to_string()).collect();
        let ts = u64::from_str_radix(b["timestamp"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        by_time.insert(ts, (n, users, info.number, info.block_hash.to_string()));
    }
    let blocks = rampart_batch_decode::blocks(&report);
    let mut covered = std::collections::BTreeSet::new();
    for (ci, bi, b) in &blocks {
        let ts = b["timestamp"].as_u64().unwrap();
        let (n, users, epoch, epoch_hash) = by_time.get(&ts).unwrap_or_else(|| panic!("no op-geth block at {ts}"));
        let hashes: Vec<String> =
            b["tx_hashes"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
        assert_eq!(&hashes, users, "channel {ci} batch {bi}: block {n}");
        assert_eq!((b["epoch_num"].as_u64(), b["epoch_hash"].as_str()), (Some(*epoch), Some(epoch_hash.as_str())));
        covered.insert(*n);
    }
    assert_eq!(covered.len(), summary.blocks.len(), "every L2 block is in a batch");
    // The sequencer's own record agrees with op-geth (the decoded hashes are the raw transactions' hashes).
    for b in &summary.blocks {
        let hashes: Vec<String> = b.batch_transactions().iter().map(|t| keccak256(t).to_string()).collect();
        assert_eq!(by_time[&b.block.timestamp].1, hashes);
    }

    let channels = report["channels"].as_array().unwrap();
    // Every batch names its L1 origins as the L1 chain has them (singular: the epoch hash; span: the check).
    let batches: Vec<&Value> = channels.iter().flat_map(|c| c["batches"].as_array().into_iter().flatten()).collect();
    assert!(batches.iter().all(|b| b["epoch_hash_matches"] == true || b["l1_origin_check_matches"] == true));
    let ready = channels.iter().filter(|c| c["is_ready"] == true).count();
    let blobs = report["blobs"].as_array().unwrap();
    assert!(blobs.iter().all(|b| b["sidecar_commitment_checked"] == true && b["checked_against"].is_string()));
    // Exactly what the batcher posted: its channels plus the invalid-batch fault's own, every blob; blocks: each
    // L2 block once, the invalid batch's block again, and the reordered channel's blocks again (it completes
    // here; the Holocene pipeline dropped it and its blocks were posted again).
    let reordered: usize = summary
        .channels
        .iter()
        .filter(|c| c.fault == Some(Fault::ReorderFrames))
        .map(|c| (c.blocks.1 - c.blocks.0 + 1) as usize)
        .sum();
    let dropped = summary.channels.iter().filter(|c| c.fault == Some(Fault::DropFrame)).count();
    assert_eq!(channels.len(), summary.channels.len() + 1);
    assert_eq!(ready, channels.len() - dropped);
    assert_eq!(blobs.len(), summary.blobs_posted);
    assert_eq!(blocks.len(), summary.blocks.len() + 1 + reordered);
    assert_eq!(report["l1_blocks"].as_u64(), Some(end - start + 1));
    (
        report["l1_blocks"].as_u64().unwrap(),
        report["inbox_transactions"].as_u64().unwrap(),
        report["blobs_fetched"].as_u64().unwrap(),
        channels.len(),
        ready,
        blocks.len(),
    )
}
