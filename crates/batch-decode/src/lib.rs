//! `rampart batch-decode`'s logic: reads batcher data (raw EIP-2718 L1 transactions, blobs, or raw channel data)
//! with the inbox and batcher addresses and reports the frames, channels and batches it finds as JSON, like
//! op-node's `batch_decoder` (`fetch` + `reassemble`). Malformed data gets one error naming the input, the
//! frame or channel and the byte offset. Memory is bounded: frames by their format's maximum length, channels
//! by the Fjord channel size limit.
//!
//! With the rollup config ([`SpanParams`]) every span batch is also expanded into its singular batches (epoch
//! number, and hash where the L1 block is known, timestamp, transactions), as op-node's `reassemble` does. Every
//! blob's KZG commitment is computed and checked against the versioned hash its transaction (or the caller)
//! gives and against its sidecar's commitment. [`rpc`] fetches the inputs of an L1 block range from a node and
//! a beacon endpoint.

mod errors;
pub mod rpc;

pub use errors::{DecodeError, Result};

use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_eips::eip4844::kzg_to_versioned_hash;
use alloy_primitives::{keccak256, Address, Bytes, FixedBytes, B256};
use rampart_protocol::{
    decode_blob, decode_frames, decompress_channel, Batch, BatchReader, BlockInfo, Channel, ChannelId, Frame,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// What an input file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// One raw EIP-2718 transaction (its calldata carries frames).
    Tx,
    /// One 131 072-byte blob (version 0 encoding, carrying frames).
    Blob,
    /// The compressed data of one channel (its frames already joined).
    Channel,
}

/// One input: a name for messages, its kind and bytes, and for a blob what it must commit to.
#[derive(Debug, Clone)]
pub struct Input {
    /// Shown in errors and in the report.
    pub name: String,
    /// What the bytes are.
    pub kind: InputKind,
    /// The bytes.
    pub bytes: Vec<u8>,
    /// A blob's versioned hash and who gives it (`--blob-hash`, a sidecar file, the blob transaction fetched
    /// with it). Without one, a blob takes the next versioned hash of the blob transactions among the inputs.
    pub versioned_hash: Option<(B256, String)>,
    /// A blob's KZG commitment as its sidecar carries it.
    pub commitment: Option<FixedBytes<48>>,
}

impl Input {
    /// An input without expectations.
    pub fn new(name: impl Into<String>, kind: InputKind, bytes: Vec<u8>) -> Self {
        Self { name: name.into(), kind, bytes, versioned_hash: None, commitment: None }
    }

    /// The blob must have versioned hash `hash`, as `source` says.
    pub fn with_versioned_hash(mut self, hash: B256, source: impl Into<String>) -> Self {
        self.versioned_hash = Some((hash, source.into()));
        self
    }

    /// The blob's sidecar carries `commitment`.
    pub const fn with_commitment(mut self, commitment: FixedBytes<48>) -> Self {
        self.commitment = Some(commitment);
        self
    }
}

/// What expanding span batches needs from the rollup config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpanParams {
    /// L2 genesis timestamp.
    pub genesis_time: u64,
    /// Seconds per L2 block.
    pub block_time: u64,
    /// L2 chain id (the span batch's transactions are rebuilt for it).
    pub chain_id: u64,
}

impl SpanParams {
    /// The parameters of `cfg`.
    pub const fn from_rollup_config(cfg: &rampart_genesis::RollupConfig) -> Self {
        Self { genesis_time: cfg.genesis.l2_time, block_time: cfg.block_time, chain_id: cfg.l2_chain_id }
    }
}

/// Reads a rollup config (kona-genesis `RollupConfig` JSON, op-node's `rollup.json`).
pub fn read_rollup_config(path: &str) -> Result<rampart_genesis::RollupConfig> {
    let err = |reason: String| DecodeError::RollupConfig { path: path.to_string(), reason };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if meta.len() > 1 << 20 {
        return Err(err(format!("{} bytes, larger than 1 MiB", meta.len())));
    }
    let bytes = std::fs::read(path).map_err(|e| err(e.to_string()))?;
    rampart_genesis::RollupConfig::from_json(&bytes).map_err(|e| err(e.to_string()))
}

/// How to decode beyond the frames.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Expand span batches into singular batches (needs the rollup config).
    pub span: Option<SpanParams>,
    /// Known L1 block hashes by number: the epoch hashes of expanded span batches.
    pub l1_origins: BTreeMap<u64, B256>,
}

/// Reads a beacon API blob-sidecar answer (`{"data": [sidecar, ...]}`, or the list alone): one blob input per
/// sidecar, named `<path> sidecar <index>`, that must commit to the sidecar's commitment.
pub fn read_sidecars(path: &str) -> Result<Vec<Input>> {
    let err = |reason: String| DecodeError::Sidecars { input: path.to_string(), reason };
    let meta =
        std::fs::metadata(path).map_err(|e| DecodeError::Io { input: path.to_string(), reason: e.to_string() })?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(err(format!("larger than {MAX_INPUT_BYTES} bytes")));
    }
    let text = std::fs::read(path).map_err(|e| DecodeError::Io { input: path.to_string(), reason: e.to_string() })?;
    let v: Value = serde_json::from_slice(&text).map_err(|e| err(e.to_string()))?;
    let list = if v.is_array() { v } else { v.get("data").cloned().ok_or_else(|| err("no `data` list".into()))? };
    let sidecars: Vec<rampart_host::rpc::BlobSidecar> = serde_json::from_value(list).map_err(|e| err(e.to_string()))?;
    Ok(sidecars
        .into_iter()
        .map(|s| {
            Input::new(format!("{path} sidecar {}", s.index), InputKind::Blob, s.blob.to_vec())
                .with_commitment(s.kzg_commitment)
        })
        .collect())
}

/// The largest input file read: a channel of the Fjord limit's compressed size is far smaller, an L1
/// transaction at most 128 KiB, a blob 128 KiB (hex text doubles these).
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads one input file: raw bytes, or hex text (optionally `0x`-prefixed, surrounding whitespace ignored).
/// Files over [`MAX_INPUT_BYTES`] are refused before reading.
pub fn read_input(path: &str, kind: InputKind) -> Result<Input> {
    use std::io::Read;
    let io = |e: std::io::Error| DecodeError::Io { input: path.to_string(), reason: e.to_string() };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    file.take(MAX_INPUT_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(DecodeError::Io {
            input: path.to_string(),
            reason: format!("larger than {MAX_INPUT_BYTES} bytes"),
        });
    }
    if let Ok(text) = core::str::from_utf8(&bytes) {
        let t = text.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        if !t.is_empty() && t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            bytes = hex::decode(t).map_err(|e| DecodeError::Io { input: path.to_string(), reason: e.to_string() })?;
        }
    }
    Ok(Input::new(path, kind, bytes))
}

/// Where the batcher posts.
#[derive(Debug, Clone, Copy)]
pub struct Filter {
    /// The batch inbox address: transactions to anything else are reported and skipped.
    pub inbox: Address,
    /// The batcher: transactions signed by anyone else are reported and skipped (op-node ignores them).
    pub batcher: Address,
}

fn frame_json(f: &Frame, input: &str) -> Value {
    json!({
        "input": input,
        "id": hex::encode(f.id),
        "frame_number": f.number,
        "data_length": f.data.len(),
        "is_last": f.is_last,
    })
}

fn tx_hashes(txs: &[Bytes]) -> Vec<String> {
    txs.iter().map(|t| keccak256(t).to_string()).collect()
}

/// Where a batch is, for errors.
struct At<'a> {
    channel: &'a str,
    index: usize,
    offset: usize,
}

fn batch_json(b: &Batch, at: &At<'_>, opts: &Options) -> Result<Value> {
    Ok(match b {
        Batch::Single(b) => json!({
            "type": "singular",
            "parent_hash": b.parent_hash.to_string(),
            "epoch_num": b.epoch_num,
            "epoch_hash": b.epoch_hash.to_string(),
            "timestamp": b.timestamp,
            "transactions": b.transactions.len(),
            "tx_hashes": tx_hashes(&b.transactions),
            // Whether the epoch hash is the L1 block's, where that block is known.
            "epoch_hash_matches": opts.l1_origins.get(&b.epoch_num).map(|h| *h == b.epoch_hash),
        }),
        Batch::Span(s) => {
            let mut v = json!({
                "type": "span",
                "rel_timestamp": s.rel_timestamp,
                "l1_origin_num": s.l1_origin_num,
                "parent_check": format!("0x{}", hex::encode(s.parent_check)),
                "l1_origin_check": format!("0x{}", hex::encode(s.l1_origin_check)),
                "block_count": s.block_count,
                "block_tx_counts": s.block_tx_counts,
            });
            if let Some(p) = &opts.span {
                let span = s.derive(p.block_time, p.genesis_time, p.chain_id).map_err(|source| DecodeError::Batch {
                    channel: at.channel.to_string(),
                    index: at.index,
                    offset: at.offset,
                    source,
                })?;
                let blocks: Vec<Value> = span
                    .blocks
                    .iter()
                    .map(|b| {
                        json!({
                            "epoch_num": b.epoch_num,
                            "epoch_hash": opts.l1_origins.get(&b.epoch_num).map(B256::to_string),
                            "timestamp": b.timestamp,
                            "transactions": b.transactions.len(),
                            "tx_hashes": tx_hashes(&b.transactions),
                        })
                    })
                    .collect();
                v["timestamp"] = span.timestamp().into();
                v["final_timestamp"] = span.final_timestamp().into();
                v["starting_epoch_num"] = span.starting_epoch_num().into();
                // Whether the last block's L1 origin, where known, starts with the check.
                v["l1_origin_check_matches"] =
                    opts.l1_origins.get(&span.final_epoch_num()).map(|h| span.check_origin_hash(*h)).into();
                v["singular_batches"] = blocks.into();
            }
            v
        }
    })
}

/// The batches of one channel's compressed data, or the error naming the channel and the batch's offset.
fn channel_batches(channel: &str, data: &[u8], opts: &Options) -> Result<(Vec<Value>, usize)> {
    let d = decompress_channel(data, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true)
        .map_err(|source| DecodeError::Decompress { channel: channel.to_string(), source })?;
    if d.truncated {
        return Err(DecodeError::TooLarge {
            channel: channel.to_string(),
            limit: MAX_RLP_BYTES_PER_CHANNEL_FJORD as u64,
        });
    }
    let mut reader = BatchReader::new(&d.data);
    let mut batches = Vec::new();
    loop {
        let offset = reader.cursor();
        let at = At { channel, index: batches.len(), offset };
        match reader.next() {
            None => break,
            Some(Ok(b)) => batches.push(batch_json(&b, &at, opts)?),
            Some(Err(source)) => {
                return Err(DecodeError::Batch { channel: channel.to_string(), index: at.index, offset, source })
            }
        }
    }
    Ok((batches, d.data.len()))
}

/// The KZG commitment of a 131 072-byte blob (c-kzg, Ethereum's trusted setup).
pub fn blob_commitment(name: &str, blob: &[u8]) -> Result<FixedBytes<48>> {
    let err = |reason: String| DecodeError::Kzg { input: name.to_string(), reason };
    let b = c_kzg::Blob::from_bytes(blob).map_err(|e| err(format!("{e:?}")))?;
    let c = c_kzg::ethereum_kzg_settings(0).blob_to_kzg_commitment(&b).map_err(|e| err(format!("{e:?}")))?;
    Ok(FixedBytes(c.to_bytes().into_inner()))
}

/// [`decode_with`] without span expansion.
pub fn decode(inputs: &[Input], filter: &Filter) -> Result<Value> {
    decode_with(inputs, filter, &Options::default())
}

/// Decodes the inputs in order into the report (`transactions`, `blobs`, `frames`, `channels`).
///
/// Frames that their channel rejects (a duplicate, a second closing frame, one past the closing frame) are
/// listed in the channel's `invalid_frames` and skipped, as op-node's `reassemble` does; anything that does not
/// parse is the one error.
pub fn decode_with(inputs: &[Input], filter: &Filter, opts: &Options) -> Result<Value> {
    let mut txs = Vec::new();
    let mut blobs = Vec::new();
    let mut frames: Vec<(String, Frame)> = Vec::new();
    let mut raw_channels = Vec::new();
    // Versioned hashes of the batcher's blob transactions, in order, for the blobs that follow.
    let mut expected: VecDeque<(B256, String)> = VecDeque::new();
    for input in inputs {
        let name = input.name.as_str();
        match input.kind {
            InputKind::Tx => {
                let tx = TxEnvelope::decode_2718(&mut input.bytes.as_slice())
                    .map_err(|e| DecodeError::Transaction { input: name.to_string(), reason: e.to_string() })?;
                let sender = tx
                    .recover_signer()
                    .map_err(|e| DecodeError::Transaction { input: name.to_string(), reason: e.to_string() })?;
                let to_inbox = tx.to() == Some(filter.inbox);
                let valid_sender = sender == filter.batcher;
                let hashes = tx.blob_versioned_hashes().unwrap_or_default();
                let mut entry = json!({
                    "input": name,
                    "hash": keccak256(&input.bytes).to_string(),
                    "sender": sender.to_string(),
                    "to_inbox": to_inbox,
                    "valid_sender": valid_sender,
                    "blob_hashes": hashes.len(),
                });
                if to_inbox && valid_sender {
                    if tx.blob_versioned_hashes().is_some() {
                        expected.extend(hashes.iter().enumerate().map(|(i, h)| (*h, format!("{name} (its blob {i})"))));
                    } else {
                        let fs = decode_frames(tx.input())
                            .map_err(|source| DecodeError::Frames { input: name.to_string(), source })?;
                        entry["frames"] = fs.len().into();
                        frames.extend(fs.into_iter().map(|f| (name.to_string(), f)));
                    }
                }
                txs.push(entry);
            }
            InputKind::Blob => {
                let data = decode_blob(&input.bytes)
                    .map_err(|e| DecodeError::Blob { input: name.to_string(), reason: e.to_string() })?;
                let commitment = blob_commitment(name, &input.bytes)?;
                let computed = kzg_to_versioned_hash(commitment.as_slice());
                if let Some(sidecar) = input.commitment.filter(|c| *c != commitment) {
                    return Err(DecodeError::SidecarCommitment {
                        input: name.to_string(),
                        computed: commitment.to_string(),
                        sidecar: sidecar.to_string(),
                    });
                }
                let given = match &input.versioned_hash {
                    Some(given) => Some(given.clone()),
                    None => expected.pop_front(),
                };
                if let Some((hash, source)) = given.as_ref().filter(|(h, _)| *h != computed) {
                    return Err(DecodeError::VersionedHash {
                        input: name.to_string(),
                        commitment: commitment.to_string(),
                        computed: computed.to_string(),
                        expected: hash.to_string(),
                        source_name: source.clone(),
                    });
                }
                let fs =
                    decode_frames(&data).map_err(|source| DecodeError::Frames { input: name.to_string(), source })?;
                blobs.push(json!({
                    "input": name,
                    "kzg_commitment": commitment.to_string(),
                    "versioned_hash": computed.to_string(),
                    "checked_against": given.map(|g| g.1),
                    "sidecar_commitment_checked": input.commitment.is_some(),
                    "data_length": data.len(),
                    "frames": fs.len(),
                }));
                frames.extend(fs.into_iter().map(|f| (name.to_string(), f)));
            }
            InputKind::Channel => raw_channels.push(input),
        }
    }
    // Channels in order of their first frame; frames join their channel in order of arrival.
    let mut order: Vec<ChannelId> = Vec::new();
    let mut channels: Vec<(Channel, Vec<Value>, Vec<Value>)> = Vec::new();
    let origin = BlockInfo::default();
    for (input, f) in &frames {
        let i = match order.iter().position(|id| *id == f.id) {
            Some(i) => i,
            None => {
                order.push(f.id);
                channels.push((Channel::new(f.id, origin, false), Vec::new(), Vec::new()));
                order.len() - 1
            }
        };
        let (ch, list, invalid) = &mut channels[i];
        match ch.add_frame(f.clone(), origin) {
            Ok(()) => list.push(frame_json(f, input)),
            Err(e) => {
                let mut v = frame_json(f, input);
                v["reason"] = e.to_string().into();
                invalid.push(v);
            }
        }
    }
    let mut out_channels = Vec::new();
    for (ch, list, invalid) in &channels {
        let id = hex::encode(ch.id());
        let mut c = json!({ "id": id, "is_ready": ch.is_ready(), "frames": list, "invalid_frames": invalid });
        if let Some(data) = ch.frame_data().filter(|_| ch.is_ready()) {
            let (batches, len) = channel_batches(&id, &data, opts)?;
            c["compressed_length"] = data.len().into();
            c["decompressed_length"] = len.into();
            c["batches"] = batches.into();
        }
        out_channels.push(c);
    }
    for input in raw_channels {
        let (batches, len) = channel_batches(&input.name, &input.bytes, opts)?;
        out_channels.push(json!({
            "input": input.name,
            "is_ready": true,
            "compressed_length": input.bytes.len(),
            "decompressed_length": len,
            "batches": batches,
        }));
    }
    Ok(json!({
        "transactions": txs,
        "blobs": blobs,
        "frames": frames.len(),
        "channels": out_channels,
    }))
}

/// The epoch numbers of expanded span batches in `report` whose L1 block hash was not known.
pub fn unknown_epochs(report: &Value) -> BTreeSet<u64> {
    let mut out = BTreeSet::new();
    for c in report["channels"].as_array().into_iter().flatten() {
        for b in c["batches"].as_array().into_iter().flatten() {
            for s in b["singular_batches"].as_array().into_iter().flatten() {
                if s["epoch_hash"].is_null() {
                    out.extend(s["epoch_num"].as_u64());
                }
            }
        }
    }
    out
}

/// Every block the report's batches give (singular batches, and span batches' expansions): `(channel index,
/// batch index, block)`, the block being `{epoch_num, epoch_hash, timestamp, transactions, tx_hashes}`.
pub fn blocks(report: &Value) -> Vec<(usize, usize, Value)> {
    let mut out = Vec::new();
    for (ci, c) in report["channels"].as_array().into_iter().flatten().enumerate() {
        for (bi, b) in c["batches"].as_array().into_iter().flatten().enumerate() {
            if b["type"] == "singular" {
                let keep = ["epoch_num", "epoch_hash", "timestamp", "transactions", "tx_hashes"];
                let v: serde_json::Map<String, Value> = keep.iter().map(|k| (k.to_string(), b[*k].clone())).collect();
                out.push((ci, bi, Value::Object(v)));
            }
            for s in b["singular_batches"].as_array().into_iter().flatten() {
                out.push((ci, bi, s.clone()));
            }
        }
    }
    out
}
