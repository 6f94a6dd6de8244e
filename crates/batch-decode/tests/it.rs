//! `batch-decode` on the real op-node data in `testdata/` (crates/protocol's copies of
//! `../shared/fixtures/derivation`) with kona-protocol 0.4.5 as the oracle, and on hostile inputs.

use alloy_primitives::{address, hex, Address};
use rampart_batch_decode::{decode, DecodeError, Filter, Input, InputKind};
use rampart_protocol::{
    batch::RawSpanBatch, encode_blob, encode_frames, Batch, ChannelCompression, ChannelOut,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

const INBOX: Address = address!("ff00000000000000000000000000000000000010");
const BATCHER: Address = address!("6887246668a3b87F54DeB3b94Ba47a6f63F32985");
const FILTER: Filter = Filter { inbox: INBOX, batcher: BATCHER };

fn tx_fixture() -> Vec<u8> {
    include_bytes!("../../protocol/testdata/batcher-tx.bin").to_vec()
}

fn channel_fixture() -> Vec<u8> {
    hex::decode(include_str!("../../protocol/testdata/channel-zlib.hex").trim_end()).unwrap()
}

fn input(name: &str, kind: InputKind, bytes: Vec<u8>) -> Input {
    Input::new(name, kind, bytes)
}

#[test]
fn real_batcher_transaction_frames_match_kona() {
    let raw = tx_fixture();
    let report = decode(&[input("batcher-tx.bin", InputKind::Tx, raw.clone())], &FILTER).unwrap();
    let tx = &report["transactions"][0];
    assert_eq!((tx["to_inbox"].as_bool(), tx["valid_sender"].as_bool()), (Some(true), Some(true)));
    assert_eq!(tx["sender"], BATCHER.to_string());
    // kona's frame parser on the same calldata (119 823 bytes after the EIP-2718 envelope).
    use alloy_consensus::Transaction as _;
    use alloy_eips::eip2718::Decodable2718 as _;
    let calldata = alloy_consensus::TxEnvelope::decode_2718(&mut raw.as_slice()).unwrap().input().clone();
    let kona = kona_protocol::Frame::parse_frames(&calldata).unwrap();
    assert_eq!(report["frames"].as_u64(), Some(kona.len() as u64));
    let listed: Vec<(String, u64, u64, bool)> = report["channels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["frames"].as_array().unwrap().clone())
        .map(|f| {
            (
                f["id"].as_str().unwrap().to_string(),
                f["frame_number"].as_u64().unwrap(),
                f["data_length"].as_u64().unwrap(),
                f["is_last"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected: Vec<_> =
        kona.iter().map(|f| (hex::encode(f.id), u64::from(f.number), f.data.len() as u64, f.is_last)).collect();
    assert_eq!(listed, expected);
    // One frame, a whole channel: one span batch of 27 blocks, 119 799 bytes compressed, 240 308 decompressed.
    let ch = &report["channels"][0];
    assert_eq!((kona.len(), ch["is_ready"].as_bool()), (1, Some(true)));
    assert_eq!((ch["compressed_length"].as_u64(), ch["decompressed_length"].as_u64()), (Some(119_799), Some(240_308)));
    assert_eq!((ch["batches"][0]["type"].as_str(), ch["batches"][0]["block_count"].as_u64()), (Some("span"), Some(27)));
    // Another batcher, or another inbox: reported, no frames taken.
    for filter in [Filter { batcher: Address::ZERO, ..FILTER }, Filter { inbox: Address::ZERO, ..FILTER }] {
        let r = decode(&[input("batcher-tx.bin", InputKind::Tx, raw.clone())], &filter).unwrap();
        assert_eq!((r["frames"].as_u64(), r["channels"].as_array().map(Vec::len)), (Some(0), Some(0)));
    }
}

#[test]
fn real_channel_batches_match_kona() {
    let data = channel_fixture();
    let report = decode(&[input("channel-zlib.hex", InputKind::Channel, data.clone())], &FILTER).unwrap();
    let ch = &report["channels"][0];
    let batches = ch["batches"].as_array().unwrap();
    let cfg = kona_genesis::RollupConfig {
        hardforks: kona_genesis::HardForkConfig { fjord_time: Some(0), ..Default::default() },
        ..Default::default()
    };
    let mut reader = kona_protocol::BatchReader::new(data.clone(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    let kona: Vec<kona_protocol::Batch> = std::iter::from_fn(|| reader.next_batch(&cfg)).collect();
    assert_eq!(batches.len(), kona.len());
    let (mut singles, mut blocks) = (0, 0);
    for (o, k) in batches.iter().zip(&kona) {
        match k {
            kona_protocol::Batch::Single(k) => {
                assert_eq!(o["type"], "singular");
                assert_eq!(o["parent_hash"], k.parent_hash.to_string());
                assert_eq!((o["epoch_num"].as_u64(), o["timestamp"].as_u64()), (Some(k.epoch_num), Some(k.timestamp)));
                assert_eq!(o["transactions"].as_u64(), Some(k.transactions.len() as u64));
                singles += 1;
            }
            kona_protocol::Batch::Span(k) => {
                assert_eq!(o["type"], "span");
                assert_eq!(o["parent_check"], format!("0x{}", hex::encode(k.parent_check)));
                assert_eq!(o["l1_origin_check"], format!("0x{}", hex::encode(k.l1_origin_check)));
                let counts: Vec<u64> = k.batches.iter().map(|b| b.transactions.len() as u64).collect();
                assert_eq!(o["block_tx_counts"], serde_json::json!(counts));
                blocks += counts.len();
            }
        }
    }
    assert_eq!(ch["compressed_length"].as_u64(), Some(615_361));
    assert_eq!((batches.len(), singles, blocks), (1, 0, 143), "one span batch of 143 blocks");
    assert_eq!(ch["decompressed_length"].as_u64(), Some(1_409_463));
}

/// The real span batch in a brotli channel split over three blobs, frames out of order.
#[test]
fn real_span_batch_through_blobs() {
    let raw = include_bytes!("../../protocol/testdata/span-batch.bin");
    let span = RawSpanBatch::decode(&mut raw.as_slice()).unwrap();
    let mut out = ChannelOut::new([7; 16], ChannelCompression::Brotli(6), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    out.add_batch(&Batch::Span(span.clone())).unwrap();
    let mut frames = out.frames(4_000).unwrap();
    assert!(frames.len() >= 3, "{}", frames.len());
    frames.reverse();
    let third = frames.len().div_ceil(3);
    let inputs: Vec<Input> = frames
        .chunks(third)
        .enumerate()
        .map(|(i, c)| {
            input(&format!("blob-{i}"), InputKind::Blob, encode_blob(&encode_frames(c).unwrap()).unwrap().to_vec())
        })
        .collect();
    let report = decode(&inputs, &FILTER).unwrap();
    let ch = &report["channels"][0];
    assert_eq!(ch["is_ready"], true);
    let b = &ch["batches"][0];
    assert_eq!((b["type"].as_str(), b["block_count"].as_u64()), (Some("span"), Some(span.block_count)));
    assert_eq!(b["block_tx_counts"].as_array().unwrap().len() as u64, span.block_count);
}

/// Hostile data: truncated and bit-flipped transactions, blobs, frames and channels. Every case gives a
/// report or one error naming its input or channel (with the frame and offset for frame errors); none panics.
#[test]
fn hostile_inputs_give_one_precise_error() {
    let mut seed = 0x5eedu64;
    let mut next = move || {
        seed = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = seed;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let channel = channel_fixture();
    let tx = tx_fixture();
    let span = RawSpanBatch::decode(&mut include_bytes!("../../protocol/testdata/span-batch.bin").as_slice()).unwrap();
    let mut out = ChannelOut::new([9; 16], ChannelCompression::Zlib(6), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    out.add_batch(&Batch::Span(span)).unwrap();
    let frames_data = encode_frames(&out.frames(1_000).unwrap()).unwrap();
    let (mut ok, mut errors) = (0usize, std::collections::BTreeMap::<&str, usize>::new());
    for case in 0..600u64 {
        let (kind, mut bytes) = match case % 3 {
            0 => (InputKind::Tx, tx.clone()),
            1 => (InputKind::Channel, channel[..channel.len().min(20_000 + (next() % 60_000) as usize)].to_vec()),
            _ => (InputKind::Blob, frames_data.clone()),
        };
        if next() % 2 == 0 {
            let at = (next() % bytes.len() as u64) as usize;
            bytes.truncate(at);
        } else {
            let at = (next() % bytes.len() as u64) as usize;
            bytes[at] ^= 1 << (next() % 8);
        }
        if kind == InputKind::Blob {
            bytes = encode_blob(&bytes).unwrap().to_vec();
        }
        let name = format!("case-{case}");
        let r = std::panic::catch_unwind(|| decode(&[input(&name, kind, bytes)], &FILTER)).expect("no panic");
        match r {
            Ok(_) => ok += 1,
            Err(e) => {
                let msg = e.to_string();
                let kind = match &e {
                    DecodeError::Io { .. }
                    | DecodeError::RollupConfig { .. }
                    | DecodeError::Sidecars { .. }
                    | DecodeError::Rpc(_)
                    | DecodeError::VersionedHash { .. }
                    | DecodeError::SidecarCommitment { .. } => unreachable!("no files, nodes or expectations here"),
                    DecodeError::Kzg { .. } => "kzg",
                    DecodeError::Transaction { .. } => "transaction",
                    DecodeError::Blob { .. } => "blob",
                    DecodeError::Frames { .. } => {
                        assert!(msg.contains("frame") || msg.contains("version") || msg.contains("empty"), "{msg}");
                        "frames"
                    }
                    DecodeError::Decompress { .. } | DecodeError::TooLarge { .. } => "decompress",
                    DecodeError::Batch { .. } => {
                        assert!(msg.contains("offset"), "{msg}");
                        "batch"
                    }
                };
                assert!(msg.starts_with(&name) || msg.starts_with("channel "), "{msg}");
                *errors.entry(kind).or_default() += 1;
            }
        }
    }
    println!("hostile: {ok} decoded, errors {errors:?}");
    assert_eq!(ok, 195);
    assert_eq!(
        errors.into_iter().collect::<Vec<_>>(),
        [("batch", 201), ("decompress", 1), ("frames", 104), ("transaction", 99)]
    );
}
