//! The blob archiver: serves the blobs the batcher posted over the beacon API paths a beacon node or blob
//! archiver answers (`geth --dev` has no consensus layer):
//!
//! | path | answer |
//! |---|---|
//! | `GET /eth/v1/beacon/genesis` | `genesis_time` (the L1 genesis timestamp) |
//! | `GET /eth/v1/config/spec` | `SECONDS_PER_SLOT` (1: every L1 timestamp is its own slot) |
//! | `GET /eth/v1/beacon/blob_sidecars/{block_id}[?indices=i,j]` | the sidecars of that L1 block |
//!
//! `block_id` is a slot (`(timestamp - genesis_time) / SECONDS_PER_SLOT`), `head`, or the L1 execution block
//! hash (geth `--dev` has no beacon block roots). An unknown slot is a 404 as on a beacon node.

use crate::{blobs::ArchivedBlob, DevnetError, Result};
use alloy_primitives::B256;
use http_body_util::Full;
use hyper::{body::Bytes as HyperBytes, Request, Response, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::{collections::BTreeMap, path::PathBuf, sync::Arc};
use tokio::{net::TcpListener, sync::RwLock};

/// Seconds per slot the archiver announces.
pub const SECONDS_PER_SLOT: u64 = 1;

/// The blobs of one L1 block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockBlobs {
    /// L1 block number.
    pub number: u64,
    /// L1 block hash.
    pub hash: B256,
    /// L1 block timestamp.
    pub timestamp: u64,
    /// The block's blobs in index order.
    pub blobs: Vec<ArchivedBlob>,
}

/// What the archiver holds: every L1 block with blobs, by slot; mirrored to `<dir>/<number>.json`.
#[derive(Debug)]
pub struct BlobArchive {
    genesis_time: u64,
    dir: PathBuf,
    by_slot: RwLock<BTreeMap<u64, BlockBlobs>>,
}

impl BlobArchive {
    /// An archive for an L1 chain whose genesis is at `genesis_time`, written to `dir`.
    pub fn new(genesis_time: u64, dir: PathBuf) -> Result<Arc<Self>> {
        std::fs::create_dir_all(&dir).map_err(|e| DevnetError::io(&dir, e))?;
        Ok(Arc::new(Self { genesis_time, dir, by_slot: RwLock::new(BTreeMap::new()) }))
    }

    /// The slot of an L1 timestamp.
    pub const fn slot(&self, timestamp: u64) -> u64 {
        timestamp.saturating_sub(self.genesis_time) / SECONDS_PER_SLOT
    }

    /// The L1 genesis time.
    pub const fn genesis_time(&self) -> u64 {
        self.genesis_time
    }

    /// Adds the blobs of an L1 block (merging with blobs already recorded for it).
    pub async fn insert(&self, block: BlockBlobs) -> Result<()> {
        let slot = self.slot(block.timestamp);
        let mut map = self.by_slot.write().await;
        let entry = map.entry(slot).or_insert_with(|| BlockBlobs { blobs: Vec::new(), ..block.clone() });
        for b in block.blobs {
            if !entry.blobs.iter().any(|x| x.index == b.index) {
                entry.blobs.push(b);
            }
        }
        entry.blobs.sort_by_key(|b| b.index);
        let path = self.dir.join(format!("{}.json", entry.number));
        let text = serde_json::to_vec(&*entry).map_err(|e| DevnetError::role("archiver", e.to_string()))?;
        std::fs::write(&path, text).map_err(|e| DevnetError::io(&path, e))
    }

    /// Every archived block, by L1 block number.
    pub async fn blocks(&self) -> Vec<BlockBlobs> {
        let mut v: Vec<_> = self.by_slot.read().await.values().cloned().collect();
        v.sort_by_key(|b| b.number);
        v
    }

    async fn lookup(&self, block_id: &str) -> Option<Option<BlockBlobs>> {
        let map = self.by_slot.read().await;
        if block_id == "head" {
            return Some(map.values().next_back().cloned());
        }
        if let Ok(slot) = block_id.parse::<u64>() {
            return Some(map.get(&slot).cloned());
        }
        let hash: B256 = block_id.parse().ok()?;
        Some(map.values().find(|b| b.hash == hash).cloned())
    }
}

fn sidecar_json(slot: u64, b: &ArchivedBlob) -> Value {
    json!({
        "index": b.index.to_string(),
        "blob": b.blob.to_string(),
        "kzg_commitment": b.kzg_commitment.to_string(),
        "kzg_proof": b.kzg_proof.to_string(),
        "signed_block_header": {
            "message": {
                "slot": slot.to_string(),
                "proposer_index": "0",
                "parent_root": B256::ZERO.to_string(),
                "state_root": B256::ZERO.to_string(),
                "body_root": B256::ZERO.to_string()
            },
            "signature": format!("0x{}", "00".repeat(96))
        },
        "kzg_commitment_inclusion_proof": vec![B256::ZERO.to_string(); 17]
    })
}

fn reply(status: StatusCode, body: Value) -> Response<Full<HyperBytes>> {
    let mut r = Response::new(Full::new(HyperBytes::from(body.to_string())));
    *r.status_mut() = status;
    r.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    r
}

fn error(status: StatusCode, message: &str) -> Response<Full<HyperBytes>> {
    reply(status, json!({"code": status.as_u16(), "message": message}))
}

/// Answers one beacon API request.
pub async fn handle(
    archive: &BlobArchive,
    method: &hyper::Method,
    path: &str,
    query: Option<&str>,
) -> Response<Full<HyperBytes>> {
    if method != hyper::Method::GET {
        return error(StatusCode::METHOD_NOT_ALLOWED, "only GET is served");
    }
    match path {
        "/eth/v1/beacon/genesis" => reply(
            StatusCode::OK,
            json!({"data": {
                "genesis_time": archive.genesis_time.to_string(),
                "genesis_validators_root": B256::ZERO.to_string(),
                "genesis_fork_version": "0x00000000"
            }}),
        ),
        "/eth/v1/config/spec" => {
            reply(StatusCode::OK, json!({"data": {"SECONDS_PER_SLOT": SECONDS_PER_SLOT.to_string()}}))
        }
        _ => {
            let Some(block_id) = path.strip_prefix("/eth/v1/beacon/blob_sidecars/") else {
                return error(StatusCode::NOT_FOUND, "unknown path");
            };
            let mut wanted: Option<Vec<u64>> = None;
            for kv in query.unwrap_or("").split('&').filter(|s| !s.is_empty()) {
                if let Some(list) = kv.strip_prefix("indices=") {
                    let mut v = Vec::new();
                    for item in list.split(',').flat_map(|s| s.split("%2C")).filter(|s| !s.is_empty()) {
                        match item.parse::<u64>() {
                            Ok(i) => v.push(i),
                            Err(_) => return error(StatusCode::BAD_REQUEST, "invalid blob index"),
                        }
                    }
                    wanted.get_or_insert_with(Vec::new).extend(v);
                }
            }
            match archive.lookup(block_id).await {
                None => error(StatusCode::BAD_REQUEST, "invalid block id"),
                Some(None) => error(StatusCode::NOT_FOUND, "block not found"),
                Some(Some(block)) => {
                    let slot = archive.slot(block.timestamp);
                    let data: Vec<Value> = block
                        .blobs
                        .iter()
                        .filter(|b| wanted.as_ref().is_none_or(|w| w.contains(&b.index)))
                        .map(|b| sidecar_json(slot, b))
                        .collect();
                    reply(StatusCode::OK, json!({"data": data}))
                }
            }
        }
    }
}

/// Serves the archive on `listener` until the task is dropped.
pub async fn serve(archive: Arc<BlobArchive>, listener: TcpListener) -> Result<()> {
    loop {
        let (stream, _) = listener.accept().await.map_err(|e| DevnetError::role("archiver", format!("accept: {e}")))?;
        let archive = archive.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let archive = archive.clone();
                async move {
                    let (method, path, query) =
                        (req.method().clone(), req.uri().path().to_string(), req.uri().query().map(str::to_string));
                    Ok::<_, std::convert::Infallible>(handle(&archive, &method, &path, query.as_deref()).await)
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                .await;
        });
    }
}
