//! `batch-decode` on the real op-node data in `testdata/` (crates/protocol's copies of
//! `../shared/fixtures/derivation`) with kona-protocol 0.4.5 as the oracle, and on hostile inputs.

use alloy_primitives::{address, hex, Address};
use rampart_batch_decode::{decode, decode_with, DecodeError, Filter, Input, InputKind, Options, SpanParams};
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
/// report or one error naming its input or channel (with the frame and offset for frame errors), with span
/// batches expanded or not; none panics.
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
    let span_opts = Options { span: Some(op_mainnet()), ..Default::default() };
    // (decoded and expanded, failing only in the expansion).
    let mut expanded = (0usize, 0usize);
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
        let r = std::panic::catch_unwind(|| decode(&[input(&name, kind, bytes.clone())], &FILTER)).expect("no panic");
        // The same input with span batches expanded (OP Mainnet's parameters): the same answer, or an error
        // naming the batch that does not expand (blobs that do not decode are not tried again: their KZG
        // commitment is the slow part, and the error comes before any batch).
        if r.is_ok() || kind != InputKind::Blob {
            let x = std::panic::catch_unwind(|| decode_with(&[input(&name, kind, bytes)], &FILTER, &span_opts))
                .expect("no panic");
            match (&r, &x) {
                (Ok(_), Ok(_)) => expanded.0 += 1,
                (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
                (_, Err(b @ DecodeError::Batch { .. })) => {
                    assert!(b.to_string().contains("offset"), "{b}");
                    expanded.1 += 1;
                }
                _ => panic!("{name}: {r:?} but expanded {x:?}"),
            }
        }
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
    println!("hostile: {ok} decoded, errors {errors:?}, expanded {expanded:?}");
    assert_eq!(ok, 195);
    assert_eq!(expanded, (195, 0), "every input that decodes also expands");
    assert_eq!(
        errors.into_iter().collect::<Vec<_>>(),
        [("batch", 201), ("decompress", 1), ("frames", 104), ("transaction", 99)]
    );
}

/// OP Mainnet's expansion parameters (the batcher transaction and the channel are OP Mainnet's: inbox
/// `0xff…10`, batcher `0x6887…2985`).
fn op_mainnet() -> SpanParams {
    SpanParams::from_rollup_config(&rampart_genesis::registry::op_mainnet())
}

/// `(epoch_num, timestamp, tx hashes)` of each expanded block in `batch`'s JSON.
fn expanded(batch: &serde_json::Value) -> Vec<(u64, u64, Vec<String>)> {
    batch["singular_batches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let hashes: Vec<String> =
                b["tx_hashes"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
            assert_eq!(b["transactions"].as_u64(), Some(hashes.len() as u64));
            (b["epoch_num"].as_u64().unwrap(), b["timestamp"].as_u64().unwrap(), hashes)
        })
        .collect()
}

/// kona-protocol's expansion of a span batch (its `RawSpanBatch::derive`).
fn kona_expanded(raw_span: &[u8], p: SpanParams) -> Vec<(u64, u64, Vec<String>)> {
    let mut raw = kona_protocol::RawSpanBatch::decode(&mut &raw_span[..]).unwrap();
    let span = raw.derive(p.block_time, p.genesis_time, p.chain_id).unwrap();
    span.batches
        .iter()
        .map(|b| {
            let hashes = b.transactions.iter().map(|t| alloy_primitives::keccak256(&t[..]).to_string()).collect();
            (b.epoch_num, b.timestamp, hashes)
        })
        .collect()
}

/// The three real span batches (the batcher transaction's 27 blocks, the channel's 143, `span-batch.bin`), each
/// expanded into singular batches with OP Mainnet's genesis time, block time and chain id: epoch numbers,
/// timestamps and every transaction's hash equal kona-protocol's expansion of the same bytes.
#[test]
fn real_span_batches_expand_like_kona() {
    let p = op_mainnet();
    assert_eq!((p.genesis_time, p.block_time, p.chain_id), (1_686_068_903, 2, 10));
    let opts = Options { span: Some(p), ..Default::default() };
    let mut sizes = Vec::new();
    let mut check = |inputs: Vec<Input>| {
        let report = decode_with(&inputs, &FILTER, &opts).unwrap();
        let batch = &report["channels"][0]["batches"][0];
        let ours = expanded(batch);
        // The span batch's raw bytes, from the channel, for kona.
        let raw = match &inputs[0].kind {
            InputKind::Tx => {
                use alloy_consensus::Transaction as _;
                use alloy_eips::eip2718::Decodable2718 as _;
                let tx = alloy_consensus::TxEnvelope::decode_2718(&mut inputs[0].bytes.as_slice()).unwrap();
                channel_span(&rampart_protocol::decode_frames(tx.input()).unwrap()[0].data)
            }
            InputKind::Channel => channel_span(&inputs[0].bytes),
            InputKind::Blob => unreachable!(),
        };
        assert_eq!(ours, kona_expanded(&raw, p));
        let txs: usize = ours.iter().map(|b| b.2.len()).sum();
        let epochs: std::collections::BTreeSet<u64> = ours.iter().map(|b| b.0).collect();
        assert_eq!(batch["timestamp"].as_u64(), Some(ours[0].1));
        assert_eq!(batch["final_timestamp"].as_u64(), Some(ours[ours.len() - 1].1));
        assert_eq!(batch["l1_origin_check_matches"], serde_json::Value::Null, "no L1 hashes known");
        assert_eq!(ours[0].1, p.genesis_time + batch["rel_timestamp"].as_u64().unwrap());
        assert!(ours.iter().enumerate().all(|(i, b)| b.1 == ours[0].1 + 2 * i as u64), "one block every 2 s");
        assert_eq!(ours[ours.len() - 1].0, batch["l1_origin_num"].as_u64().unwrap(), "the last block's epoch");
        assert!(ours.iter().all(|b| b.0 >= ours[0].0 && b.0 <= ours[ours.len() - 1].0));
        sizes.push((ours.len(), txs, epochs.len(), ours[0].1));
    };
    check(vec![input("batcher-tx.bin", InputKind::Tx, tx_fixture())]);
    check(vec![input("channel-zlib.hex", InputKind::Channel, channel_fixture())]);
    // span-batch.bin is a bare span batch: put it in a channel.
    let raw = include_bytes!("../../protocol/testdata/span-batch.bin");
    let span = RawSpanBatch::decode(&mut raw.as_slice()).unwrap();
    let mut out = ChannelOut::new([3; 16], ChannelCompression::Zlib(9), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
    out.add_batch(&Batch::Span(span)).unwrap();
    check(vec![input("span-batch.bin", InputKind::Channel, out.compressed().to_vec())]);
    // (blocks, transactions, epochs, first timestamp) of each: OP Mainnet blocks of 13 March and 14 June 2024;
    // span-batch.bin is op-node's test vector (its relative timestamp is not OP Mainnet's).
    assert_eq!(sizes, [(27, 209, 4, 1_710_338_157), (143, 1_766, 25, 1_718_364_637), (4, 39, 3, 3_325_914_548)]);
}

/// The first span batch of a compressed channel, as raw span-batch bytes (after the type byte).
fn channel_span(compressed: &[u8]) -> Vec<u8> {
    let d = rampart_protocol::decompress_channel(compressed, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true).unwrap();
    let mut reader = rampart_protocol::BatchReader::new(&d.data);
    match reader.next().unwrap().unwrap() {
        Batch::Span(s) => {
            let mut out = Vec::new();
            s.encode(&mut out);
            out
        }
        Batch::Single(_) => panic!("not a span batch"),
    }
}

/// The recorded devnet (`testdata/devnet`, real geth and op-geth): every L1 block 7..=40 from the store, its
/// transactions to the inbox and the batcher's blobs (rebuilt from their 4096 field elements) decoded with the
/// dataset's rollup config and L1 block hashes. Every block the batches give (singular batches and expanded span
/// batches, the faults' duplicates and the invalid batch included) is the L2 block op-geth has at its timestamp:
/// the same user transaction hashes, and the L1 origin its L1-info deposit names. Then the KZG checks on the
/// same blobs, damaged.
#[test]
fn recorded_devnet_batches_are_op_geths_blocks() {
    use alloy_consensus::Transaction as _;
    use alloy_eips::eip2718::Decodable2718 as _;
    use rampart_devnet::dataset::{self, Dataset};
    use rampart_host::preimage::PreimageKey;
    use std::collections::BTreeMap;

    let ds = Dataset::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/devnet")).unwrap();
    let store = &*ds.store;
    let rollup = rampart_genesis::RollupConfig::from_json(&serde_json::to_vec(&ds.rollup).unwrap()).unwrap();
    let filter = Filter {
        inbox: rollup.batch_inbox_address,
        batcher: rollup.genesis.system_config.as_ref().unwrap().batcher_address,
    };

    // L1: from the highest head of the claims back to the rollup's genesis L1 block.
    let head = ds
        .claims
        .iter()
        .map(|c| dataset::header(store, dataset::flag(&c.host_args, "--l1-head").unwrap().parse().unwrap()).unwrap())
        .max_by_key(|h| h.number)
        .unwrap();
    let mut l1 = vec![head];
    while l1.last().unwrap().number > rollup.genesis.l1.number {
        let parent = dataset::header(store, l1.last().unwrap().parent_hash).unwrap();
        l1.push(parent);
    }
    l1.reverse();
    assert_eq!((l1[0].hash_slow(), l1[0].number, l1.len()), (rollup.genesis.l1.hash, 7, 34));
    let l1_origins: BTreeMap<u64, alloy_primitives::B256> = l1.iter().map(|h| (h.number, h.hash_slow())).collect();
    let roots = rampart_program::roots_of_unity();
    let mut inputs = Vec::new();
    let (mut l1_txs, mut blob_txs) = (0, 0);
    for h in &l1 {
        for (i, raw) in dataset::ordered_list(store, h.transactions_root).unwrap().iter().enumerate() {
            l1_txs += 1;
            let tx = alloy_consensus::TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap();
            if tx.to() != Some(filter.inbox) {
                continue;
            }
            inputs.push(input(&format!("L1 block {} tx {i}", h.number), InputKind::Tx, raw.to_vec()));
            for (j, vh) in tx.blob_versioned_hashes().unwrap_or_default().iter().enumerate() {
                // The blob from the store: commitment by versioned hash, field elements by commitment ‖ ω^k.
                let c = store.get(&PreimageKey::sha256(vh.0)).unwrap().unwrap();
                let mut blob = vec![0u8; rampart_protocol::BYTES_PER_BLOB];
                let mut pre = c.clone();
                pre.resize(80, 0);
                for (k, z) in roots.iter().enumerate() {
                    pre[48..].copy_from_slice(&z.to_be_bytes::<32>());
                    let fe = store.get(&PreimageKey::blob(alloy_primitives::keccak256(&pre).0)).unwrap().unwrap();
                    blob[32 * k..32 * k + 32].copy_from_slice(&fe);
                }
                // No versioned hash given: the blob takes the next one of the blob transactions decoded.
                let name = format!("L1 block {} blob {j}", h.number);
                inputs.push(
                    input(&name, InputKind::Blob, blob).with_commitment(alloy_primitives::FixedBytes::from_slice(&c)),
                );
            }
            blob_txs += usize::from(tx.blob_versioned_hashes().is_some());
        }
    }
    let opts = Options { span: Some(SpanParams::from_rollup_config(&rollup)), l1_origins };
    let report = decode_with(&inputs, &filter, &opts).unwrap();

    // L2: op-geth's blocks 1..=24 by timestamp: (number, user tx hashes, L1 origin from the L1-info deposit,
    // parent hash).
    let mut l2 = BTreeMap::new();
    for c in ds.claims.iter().filter(|c| c.valid) {
        let out = ds.output(dataset::flag(&c.host_args, "--claimed-l2-output-root").unwrap().parse().unwrap()).unwrap();
        let h = dataset::header(store, out.block_hash).unwrap();
        let txs = dataset::ordered_list(store, h.transactions_root).unwrap();
        let info = op_alloy_consensus::OpTxEnvelope::decode_2718(&mut txs[0].as_ref()).unwrap();
        let info = rampart_protocol::L1InfoTx::decode_calldata(info.input()).unwrap().info;
        let users: Vec<String> = txs
            .iter()
            .filter(|t| t[0] != rampart_protocol::DEPOSIT_TX_TYPE)
            .map(|t| alloy_primitives::keccak256(t).to_string())
            .collect();
        l2.insert(h.timestamp, (h.number, users, info.number, info.block_hash.to_string(), h.parent_hash));
    }
    assert_eq!(l2.len(), 24);

    let blocks = rampart_batch_decode::blocks(&report);
    let mut covered = std::collections::BTreeSet::new();
    for (ci, bi, b) in &blocks {
        let ts = b["timestamp"].as_u64().unwrap();
        let (number, users, epoch, epoch_hash, _) = l2.get(&ts).unwrap_or_else(|| panic!("no L2 block at {ts}"));
        let hashes: Vec<String> =
            b["tx_hashes"].as_array().unwrap().iter().map(|h| h.as_str().unwrap().to_string()).collect();
        assert_eq!(&hashes, users, "channel {ci} batch {bi}: block {number}");
        assert_eq!(b["epoch_num"].as_u64(), Some(*epoch), "channel {ci} batch {bi}: block {number}");
        assert_eq!(b["epoch_hash"].as_str(), Some(epoch_hash.as_str()), "channel {ci} batch {bi}: block {number}");
        covered.insert(*number);
    }
    assert_eq!(covered, (1..=24).collect(), "every L2 block is in a batch");
    let user_txs: usize = l2.values().map(|b| b.1.len()).sum();

    // The faults, as the L1 data shows them.
    let channels = report["channels"].as_array().unwrap();
    let count = |f: &dyn Fn(&serde_json::Value) -> bool| channels.iter().filter(|c| f(c)).count();
    let batches: Vec<&serde_json::Value> =
        channels.iter().flat_map(|c| c["batches"].as_array().into_iter().flatten()).collect();
    let singular_parents_ok = batches
        .iter()
        .filter(|b| b["type"] == "singular")
        .filter(|b| {
            let parent = &l2[&b["timestamp"].as_u64().unwrap()].4;
            b["parent_hash"].as_str() == Some(parent.to_string().as_str())
        })
        .count();
    let invalid_frames: usize = channels.iter().map(|c| c["invalid_frames"].as_array().unwrap().len()).sum();
    let blobs = report["blobs"].as_array().unwrap();
    assert!(blobs.iter().all(|b| b["sidecar_commitment_checked"] == true && b["checked_against"].is_string()));
    let span_checks = batches.iter().filter(|b| b["l1_origin_check_matches"] == true).count();
    let singular = batches.iter().filter(|b| b["type"] == "singular");
    assert!(singular.clone().all(|b| b["epoch_hash_matches"] == true), "singular batches name their L1 origin");
    // (L1 transactions, of which to the inbox, of which blob transactions, blobs, frames, L2 user transactions).
    let l1_side = (
        l1_txs,
        inputs.iter().filter(|i| i.kind == InputKind::Tx).count(),
        blob_txs,
        blobs.len(),
        report["frames"].as_u64().unwrap(),
        user_txs,
    );
    // (channels, ready, invalid frames, span batches, of which with the L1 origin check matching the L1 block,
    // singular batches, of which naming op-geth's parent, blocks the batches give).
    let summary = (
        channels.len(),
        count(&|c| c["is_ready"] == true),
        invalid_frames,
        batches.iter().filter(|b| b["type"] == "span").count(),
        span_checks,
        batches.iter().filter(|b| b["type"] == "singular").count(),
        singular_parents_ok,
        blocks.len(),
    );
    println!("{l1_side:?} {summary:?}");
    // The dataset's 19 L1 transactions and 5 blobs (as crates/devnet/tests/dataset.rs counts them), 57 L2 user
    // transactions.
    assert_eq!(l1_side, (19, 15, 4, 5, 16, 57));
    // 13 batcher channels plus the invalid-batch fault's own; the drop-frame channel never completes; the
    // duplicate frame is the one invalid frame; the invalid batch is the one singular batch with another parent;
    // 28 blocks for 24 L2 blocks: the invalid batch repeats block 5, and the reorder fault's channel (blocks
    // 6-8) completes here (the Holocene pipeline dropped it, so its blocks were posted again).
    assert_eq!(summary, (14, 13, 1, 3, 3, 20, 19, 28));

    // KZG: the first blob replaced by another one (block 24's transaction carries the duplicate-frame fault's
    // two equal blobs), it fails its sidecar's commitment and, without sidecar commitments, the versioned hash
    // of its transaction; a field element past the modulus has no commitment.
    let blob_at: Vec<usize> = (0..inputs.len()).filter(|&i| inputs[i].kind == InputKind::Blob).collect();
    let (first, other) = (blob_at[0], *blob_at.iter().find(|&&i| inputs[i].bytes != inputs[blob_at[0]].bytes).unwrap());
    let mut replaced = inputs.clone();
    replaced[first].bytes = inputs[other].bytes.clone();
    let e = decode_with(&replaced, &filter, &opts).map(|_| ()).unwrap_err();
    assert!(matches!(e, DecodeError::SidecarCommitment { .. }), "{e}");
    replaced[first].commitment = None;
    let e = decode_with(&replaced, &filter, &opts).map(|_| ()).unwrap_err().to_string();
    println!("{e}");
    let tx = &inputs[first - 1].name;
    assert_eq!(e.lines().count(), 1);
    assert!(e.starts_with(&inputs[first].name) && e.contains(&format!("but {tx} (its blob 0) gives")), "{e}");
    let two = first;
    let mut bad = inputs.clone();
    bad[two].bytes[0] = 0x80;
    let e = decode_with(&bad, &filter, &opts).map(|_| ()).unwrap_err().to_string();
    assert!(e.starts_with(&format!("{}: no KZG commitment", inputs[two].name)), "{e}");
}
