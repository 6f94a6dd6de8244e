//! `rampart batch-decode`'s logic: reads batcher data (raw EIP-2718 L1 transactions, blobs, or raw channel data)
//! with the inbox and batcher addresses and reports the frames, channels and batches it finds as JSON, like
//! op-node's `batch_decoder` (`fetch` + `reassemble`). Malformed data gets one error naming the input, the
//! frame or channel and the byte offset. Memory is bounded: frames by their format's maximum length, channels
//! by the Fjord channel size limit.

mod errors;

pub use errors::{DecodeError, Result};

use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{keccak256, Address};
use rampart_protocol::{
    decode_blob, decode_frames, decompress_channel, Batch, BatchReader, BlockInfo, Channel, ChannelId, Frame,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};
use serde_json::{json, Value};

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

/// One input: a name for messages, its kind and bytes.
#[derive(Debug, Clone)]
pub struct Input {
    /// Shown in errors and in the report.
    pub name: String,
    /// What the bytes are.
    pub kind: InputKind,
    /// The bytes.
    pub bytes: Vec<u8>,
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
    Ok(Input { name: path.to_string(), kind, bytes })
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

fn batch_json(b: &Batch) -> Value {
    match b {
        Batch::Single(b) => json!({
            "type": "singular",
            "parent_hash": b.parent_hash.to_string(),
            "epoch_num": b.epoch_num,
            "epoch_hash": b.epoch_hash.to_string(),
            "timestamp": b.timestamp,
            "transactions": b.transactions.len(),
        }),
        Batch::Span(s) => json!({
            "type": "span",
            "rel_timestamp": s.rel_timestamp,
            "l1_origin_num": s.l1_origin_num,
            "parent_check": format!("0x{}", hex::encode(s.parent_check)),
            "l1_origin_check": format!("0x{}", hex::encode(s.l1_origin_check)),
            "block_count": s.block_count,
            "block_tx_counts": s.block_tx_counts,
        }),
    }
}

/// The batches of one channel's compressed data, or the error naming the channel and the batch's offset.
fn channel_batches(channel: &str, data: &[u8]) -> Result<(Vec<Value>, usize)> {
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
        match reader.next() {
            None => break,
            Some(Ok(b)) => batches.push(batch_json(&b)),
            Some(Err(source)) => {
                return Err(DecodeError::Batch { channel: channel.to_string(), index: batches.len(), offset, source })
            }
        }
    }
    Ok((batches, d.data.len()))
}

/// Decodes the inputs in order into the report (`transactions`, `frames`, `channels`).
pub fn decode(inputs: &[Input], filter: &Filter) -> Result<Value> {
    let mut txs = Vec::new();
    let mut frames: Vec<(String, Frame)> = Vec::new();
    let mut raw_channels = Vec::new();
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
                let blob = tx.blob_versioned_hashes().is_some();
                let mut entry = json!({
                    "input": name,
                    "hash": keccak256(&input.bytes).to_string(),
                    "sender": sender.to_string(),
                    "to_inbox": to_inbox,
                    "valid_sender": valid_sender,
                    "blob_hashes": tx.blob_versioned_hashes().map(<[_]>::len).unwrap_or(0),
                });
                if to_inbox && valid_sender && !blob {
                    let fs = decode_frames(tx.input())
                        .map_err(|source| DecodeError::Frames { input: name.to_string(), source })?;
                    entry["frames"] = fs.len().into();
                    frames.extend(fs.into_iter().map(|f| (name.to_string(), f)));
                }
                txs.push(entry);
            }
            InputKind::Blob => {
                let data = decode_blob(&input.bytes)
                    .map_err(|e| DecodeError::Blob { input: name.to_string(), reason: e.to_string() })?;
                let fs =
                    decode_frames(&data).map_err(|source| DecodeError::Frames { input: name.to_string(), source })?;
                frames.extend(fs.into_iter().map(|f| (name.to_string(), f)));
            }
            InputKind::Channel => raw_channels.push(input),
        }
    }
    // Channels in order of their first frame; frames join their channel in order of arrival.
    let mut order: Vec<ChannelId> = Vec::new();
    let mut channels: Vec<(Channel, Vec<Value>)> = Vec::new();
    let origin = BlockInfo::default();
    for (input, f) in &frames {
        let i = match order.iter().position(|id| *id == f.id) {
            Some(i) => i,
            None => {
                order.push(f.id);
                channels.push((Channel::new(f.id, origin, false), Vec::new()));
                order.len() - 1
            }
        };
        let (ch, list) = &mut channels[i];
        ch.add_frame(f.clone(), origin).map_err(|source| DecodeError::Channel {
            channel: hex::encode(f.id),
            frame: f.number,
            input: input.clone(),
            source,
        })?;
        list.push(frame_json(f, input));
    }
    let mut out_channels = Vec::new();
    for (ch, list) in &channels {
        let id = hex::encode(ch.id());
        let mut c = json!({ "id": id, "is_ready": ch.is_ready(), "frames": list });
        if let Some(data) = ch.frame_data().filter(|_| ch.is_ready()) {
            let (batches, len) = channel_batches(&id, &data)?;
            c["compressed_length"] = data.len().into();
            c["decompressed_length"] = len.into();
            c["batches"] = batches.into();
        }
        out_channels.push(c);
    }
    for input in raw_channels {
        let (batches, len) = channel_batches(&input.name, &input.bytes)?;
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
        "frames": frames.len(),
        "channels": out_channels,
    }))
}
