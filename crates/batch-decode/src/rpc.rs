//! RPC mode: the inputs of an L1 block range, fetched with Rampart's JSON-RPC and beacon clients
//! (`rampart_host::rpc`, the ones the host and the devnet use).
//!
//! Every block `start..=end` comes from `eth_getBlockByNumber` with its transactions, checked against the
//! block's hash and transaction root. Each transaction to the inbox becomes a transaction input; each blob of a
//! blob transaction from the batcher becomes a blob input, fetched from the beacon API
//! (`/eth/v1/beacon/blob_sidecars/{slot}`), that must have the transaction's versioned hash and the sidecar's
//! commitment. The block hashes become the known L1 origins of the span batches' expansion.

use crate::{DecodeError, Filter, Input, InputKind, Result};
use alloy_consensus::{transaction::SignerRecoverable, Transaction};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::B256;
use rampart_host::rpc::{BeaconClient, BlobSidecar, RpcClient};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};

/// Most L1 blocks one run fetches.
pub const MAX_BLOCKS: u64 = 100_000;

/// What [`fetch`] found.
#[derive(Debug, Clone, Default)]
pub struct Fetched {
    /// Transactions to the inbox and the blobs of the batcher's, in L1 order.
    pub inputs: Vec<Input>,
    /// Hash of every fetched L1 block, by number.
    pub l1_origins: BTreeMap<u64, B256>,
    /// L1 blocks fetched.
    pub blocks: u64,
    /// Transactions to the inbox.
    pub inbox_transactions: usize,
    /// Blobs fetched.
    pub blobs: usize,
}

fn rpc_err(e: impl std::fmt::Display) -> DecodeError {
    DecodeError::Rpc(e.to_string())
}

async fn block(l1: &RpcClient, n: u64, full: bool) -> Result<alloy_rpc_types_eth::Block> {
    let block: Option<alloy_rpc_types_eth::Block> =
        l1.call_opt("eth_getBlockByNumber", json!([format!("0x{n:x}"), full]), n).await.map_err(rpc_err)?;
    let block = block.ok_or_else(|| rpc_err(l1.wrong("eth_getBlockByNumber", n, "no such block")))?;
    if block.header.inner.number != n || block.header.inner.hash_slow() != block.header.hash {
        return Err(rpc_err(l1.wrong("eth_getBlockByNumber", n, "the header is not the block's (number or hash)")));
    }
    Ok(block)
}

/// Fetches the inputs of L1 blocks `start..=end` (see the module doc). Blob transactions from the batcher need
/// `beacon`.
pub async fn fetch(
    l1: &RpcClient,
    beacon: Option<&BeaconClient>,
    start: u64,
    end: u64,
    filter: &Filter,
) -> Result<Fetched> {
    if end < start || end - start >= MAX_BLOCKS {
        return Err(DecodeError::Rpc(format!(
            "L1 range {start}..={end}: give --start <= --end, at most {MAX_BLOCKS} blocks"
        )));
    }
    let mut out = Fetched::default();
    for n in start..=end {
        let b = block(l1, n, true).await?;
        out.blocks += 1;
        out.l1_origins.insert(n, b.header.hash);
        let header = b.header.inner.clone();
        let txs: Vec<_> = b.transactions.into_transactions().map(|t| t.into_inner()).collect();
        let raw: Vec<Vec<u8>> = txs.iter().map(|t| t.encoded_2718()).collect();
        rampart_host::verify::ordered_trie(&raw, header.transactions_root)
            .map_err(|r| rpc_err(l1.wrong("eth_getBlockByNumber", n, format!("transactions: {r}"))))?;
        let mut sidecars: Option<Vec<BlobSidecar>> = None;
        // Index of the block's next blob (over every blob transaction of the block).
        let mut blob_index = 0u64;
        for (i, (tx, raw)) in txs.iter().zip(raw).enumerate() {
            let hashes = tx.blob_versioned_hashes().unwrap_or_default().to_vec();
            let first_blob = blob_index;
            blob_index += hashes.len() as u64;
            if tx.to() != Some(filter.inbox) {
                continue;
            }
            let name = format!("L1 block {n} tx {i} ({})", tx.tx_hash());
            out.inbox_transactions += 1;
            out.inputs.push(Input::new(name.clone(), InputKind::Tx, raw));
            if hashes.is_empty() || tx.recover_signer().ok() != Some(filter.batcher) {
                continue;
            }
            if sidecars.is_none() {
                let beacon = beacon
                    .ok_or_else(|| DecodeError::Rpc(format!("{name} carries blobs: give --l1-beacon to fetch them")))?;
                let (_, list) =
                    beacon.blob_sidecars(header.timestamp, &format!("L1 block {n}")).await.map_err(rpc_err)?;
                sidecars = Some(list);
            }
            let list = sidecars.as_deref().unwrap_or_default();
            for (j, hash) in hashes.iter().enumerate() {
                let index = first_blob + j as u64;
                let s = list.iter().find(|s| s.index == index).ok_or_else(|| {
                    DecodeError::Rpc(format!("L1 block {n} blob {index} (of {name}): not among the block's sidecars"))
                })?;
                out.blobs += 1;
                out.inputs.push(
                    Input::new(format!("L1 block {n} blob {index}"), InputKind::Blob, s.blob.to_vec())
                        .with_versioned_hash(*hash, format!("{name} (its blob {j})"))
                        .with_commitment(s.kzg_commitment),
                );
            }
        }
    }
    Ok(out)
}

/// The hashes of L1 blocks `numbers` (epochs outside the fetched range).
pub async fn l1_hashes(l1: &RpcClient, numbers: &BTreeSet<u64>) -> Result<BTreeMap<u64, B256>> {
    let mut out = BTreeMap::new();
    for &n in numbers {
        out.insert(n, block(l1, n, false).await?.header.hash);
    }
    Ok(out)
}

/// RPC mode end to end: [`fetch`]es L1 blocks `start..=end`, decodes `inputs` followed by the fetched ones with
/// the fetched block hashes as known L1 origins, fetches the hashes of the span batches' epochs before the
/// range and decodes again. The report has `l1_range`, `l1_blocks`, `inbox_transactions` and `blobs_fetched`
/// besides [`crate::decode_with`]'s fields.
pub async fn decode_range(
    l1: &RpcClient,
    beacon: Option<&BeaconClient>,
    start: u64,
    end: u64,
    filter: &Filter,
    opts: &crate::Options,
    mut inputs: Vec<Input>,
) -> Result<serde_json::Value> {
    let fetched = fetch(l1, beacon, start, end, filter).await?;
    inputs.extend(fetched.inputs);
    let mut opts = opts.clone();
    opts.l1_origins.extend(fetched.l1_origins);
    let mut report = crate::decode_with(&inputs, filter, &opts)?;
    let missing = crate::unknown_epochs(&report);
    if !missing.is_empty() {
        opts.l1_origins.extend(l1_hashes(l1, &missing).await?);
        report = crate::decode_with(&inputs, filter, &opts)?;
    }
    report["l1_range"] = json!([start, end]);
    report["l1_blocks"] = fetched.blocks.into();
    report["inbox_transactions"] = fetched.inbox_transactions.into();
    report["blobs_fetched"] = fetched.blobs.into();
    Ok(report)
}
