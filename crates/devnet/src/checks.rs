//! Checks of faithfulness, run against a live devnet:
//!
//! * every L2 block op-geth built is rebuilt by `rampart-executor` from op-geth's own pre-state witness
//!   (`debug_executionWitness`, plus `eth_getProof` of the message passer at the parent) and the payload
//!   attributes the sequencer sent, and must get the same block hash;
//! * every L1 header, transaction and receipt read from geth decodes with alloy types, the header hashes to the
//!   block hash and the transactions and receipts tries have the header's roots;
//! * every blob the batcher posted verifies against its commitment (c-kzg, Ethereum's setup) and its versioned
//!   hash is the one in the L1 transaction.

use crate::{
    archiver::BlobArchive, chain::ChainParams, l1::L1Client, rpc::RpcClient, sequencer::L2Block, DevnetError, Result,
};
use alloy_consensus::{proofs, Header, ReceiptEnvelope, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Bytes, B256};
use rampart_executor::{build_block, ChainConfig, ForkTimes, PreimageStore, L2_TO_L1_MESSAGE_PASSER};
use serde_json::json;

/// Counts of one check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CheckCounts {
    /// Items checked.
    pub checked: usize,
    /// Items that matched.
    pub matched: usize,
    /// Preimages that had to be fetched beyond the first source (`debug_dbGet` after the witness).
    pub extra_preimages: usize,
}

/// The hash of the trie node or code the executor lacked, if that is why it failed.
fn missing_preimage(e: &rampart_executor::Error) -> Option<B256> {
    match e {
        rampart_executor::Error::Trie(rampart_mpt::Error::MissingNode(h))
        | rampart_executor::Error::MissingPreimage(h) => Some(*h),
        _ => None,
    }
}

/// The executor's chain config for the devnet chain.
pub fn executor_config(p: &ChainParams) -> ChainConfig {
    ChainConfig {
        chain_id: p.l2_chain_id,
        forks: ForkTimes {
            regolith: Some(0),
            canyon: Some(0),
            delta: Some(0),
            ecotone: Some(0),
            fjord: Some(0),
            granite: Some(0),
            holocene: Some(0),
            isthmus: p.forks.isthmus,
            jovian: p.forks.jovian,
            karst: p.forks.karst,
            interop: None,
        },
        eip1559_elasticity: p.eip1559_elasticity,
        eip1559_denominator: p.eip1559_denominator,
        eip1559_denominator_canyon: p.eip1559_denominator_canyon,
    }
}

/// The pre-state of L2 block `number` from op-geth: the execution witness (trie nodes, codes, ancestor headers)
/// and the message passer's account proof at the parent.
pub async fn l2_pre_state(l2: &RpcClient, number: u64) -> Result<(Header, PreimageStore)> {
    #[derive(serde::Deserialize)]
    struct Witness {
        headers: Vec<alloy_rpc_types_eth::Header>,
        codes: Vec<Bytes>,
        state: Vec<Bytes>,
    }
    let w: Witness = l2.call_as("debug_executionWitness", json!([format!("{number:#x}")]), number).await?;
    let mut store = PreimageStore::new();
    for node in w.state.into_iter().chain(w.codes) {
        store.insert(node);
    }
    for h in &w.headers {
        store.insert(alloy_rlp::encode(&h.inner).into());
    }
    let parent_tag = format!("{:#x}", number - 1);
    let proof: serde_json::Value =
        l2.call_as("eth_getProof", json!([L2_TO_L1_MESSAGE_PASSER, [], &parent_tag]), &parent_tag).await?;
    let nodes: Vec<Bytes> = serde_json::from_value(proof["accountProof"].clone())
        .map_err(|e| DevnetError::Check(format!("eth_getProof accountProof: {e}")))?;
    for n in nodes {
        store.insert(n);
    }
    let raw: Bytes = l2.call_as("debug_getRawHeader", json!([&parent_tag]), &parent_tag).await?;
    let parent = alloy_rlp::decode_exact::<Header>(&raw)
        .map_err(|e| DevnetError::Check(format!("L2 header {}: {e}", number - 1)))?;
    store.insert(raw);
    Ok((parent, store))
}

/// Rebuilds every block with `rampart-executor` and compares its hash with op-geth's; returns the counts and
/// the first mismatches (number, why).
pub async fn executor_differential(
    l2: &RpcClient,
    params: &ChainParams,
    blocks: &[L2Block],
) -> Result<(CheckCounts, Vec<(u64, String)>)> {
    let cfg = executor_config(params);
    let mut counts = CheckCounts::default();
    let mut mismatches = Vec::new();
    for b in blocks {
        counts.checked += 1;
        let (parent, mut store) = l2_pre_state(l2, b.block.number).await?;
        // What the witness lacks is fetched by hash (`debug_dbGet`, as kona-host serves `l2-state-node`).
        let mut fetched = 0;
        let result = loop {
            match build_block(&cfg, &parent, &b.attributes, &store) {
                Err(e) if fetched < 256 => match missing_preimage(&e) {
                    Some(h) => {
                        let v: Bytes = l2.call_as("debug_dbGet", json!([h]), h).await?;
                        store.insert_checked(h, v).map_err(|e| DevnetError::Check(format!("debug_dbGet {h}: {e}")))?;
                        fetched += 1;
                    }
                    None => break Err(e),
                },
                r => break r,
            }
        };
        counts.extra_preimages += fetched;
        match result {
            Ok(out) if out.block_hash == b.block.hash => counts.matched += 1,
            Ok(out) => mismatches.push((
                b.block.number,
                format!("executor built {} (state root {}), op-geth {}", out.block_hash, out.state_root, b.block.hash),
            )),
            Err(e) => mismatches.push((b.block.number, format!("executor failed: {e}"))),
        }
    }
    Ok((counts, mismatches))
}

/// Decodes L1 blocks `from..=to` (raw header, raw block, raw receipts) with alloy and checks hash and roots;
/// returns `(headers, transactions, receipts)` counts.
pub async fn l1_decode_and_roots(l1: &L1Client, from: u64, to: u64) -> Result<(CheckCounts, CheckCounts, CheckCounts)> {
    let (mut headers, mut txs, mut receipts) = (CheckCounts::default(), CheckCounts::default(), CheckCounts::default());
    for n in from..=to {
        let tag = format!("{n:#x}");
        let raw_header: Bytes = l1.rpc.call_as("debug_getRawHeader", json!([&tag]), n).await?;
        let header = alloy_rlp::decode_exact::<Header>(&raw_header)
            .map_err(|e| DevnetError::Check(format!("L1 header {n}: {e}")))?;
        let rpc_block = l1.block(n).await?.ok_or_else(|| DevnetError::Check(format!("L1 block {n} missing")))?;
        headers.checked += 1;
        if header.hash_slow() == rpc_block.header.hash {
            headers.matched += 1;
        }
        let raw_block: Bytes = l1.rpc.call_as("debug_getRawBlock", json!([&tag]), n).await?;
        let block = alloy_rlp::decode_exact::<alloy_consensus::Block<TxEnvelope>>(&raw_block)
            .map_err(|e| DevnetError::Check(format!("L1 block {n} body: {e}")))?;
        txs.checked += block.body.transactions.len();
        if proofs::calculate_transaction_root(&block.body.transactions) == header.transactions_root {
            txs.matched += block.body.transactions.len();
        }
        let raw_receipts: Vec<Bytes> = l1.rpc.call_as("debug_getRawReceipts", json!([&tag]), n).await?;
        let decoded: Vec<ReceiptEnvelope> = raw_receipts
            .iter()
            .map(|r| ReceiptEnvelope::decode_2718(&mut r.as_ref()))
            .collect::<std::result::Result<_, _>>()
            .map_err(|e| DevnetError::Check(format!("L1 receipts of {n}: {e}")))?;
        receipts.checked += decoded.len();
        if proofs::calculate_receipt_root(&decoded) == header.receipts_root
            && decoded.len() == block.body.transactions.len()
        {
            receipts.matched += decoded.len();
        }
    }
    Ok((headers, txs, receipts))
}

/// Verifies every archived blob against its commitment and proof, and its versioned hash against the blob
/// transaction that carried it.
pub async fn blobs_verify(l1: &L1Client, archive: &BlobArchive) -> Result<CheckCounts> {
    let mut c = CheckCounts::default();
    for block in archive.blocks().await {
        let b = l1
            .block(block.number)
            .await?
            .ok_or_else(|| DevnetError::Check(format!("L1 block {} missing", block.number)))?;
        let hashes: Vec<B256> = b
            .transactions
            .txns()
            .flat_map(|t| {
                alloy_consensus::Transaction::blob_versioned_hashes(t).map(<[B256]>::to_vec).unwrap_or_default()
            })
            .collect();
        for blob in &block.blobs {
            c.checked += 1;
            let in_tx = hashes.get(blob.index as usize) == Some(&blob.versioned_hash());
            if blob.verify()? && in_tx && b.header.hash == block.hash {
                c.matched += 1;
            }
        }
    }
    Ok(c)
}
