//! Differential tests against kona-protocol 0.4.5 (a test oracle nobody here wrote). Its types share
//! alloy-primitives with ours; everything else is compared through bytes.
//!
//! Known, deliberate differences (we follow op-node and the kona in the optimism monorepo v1.19.6, which was
//! fixed to agree with op-node; kona-protocol 0.4.5 predates the fixes) are counted separately and each is
//! checked to be exactly that difference:
//! * span batch varints: 0.4.5 rejects non-minimal encodings, Go's `binary.ReadUvarint` accepts them;
//! * damaged zlib channels: 0.4.5 yields nothing, op-node yields the batches decoded before the damage;
//! * a frame's `is_last` byte other than 0 or 1: 0.4.5 reads it as false, op-node rejects the frame;
//! * a span batch bit list cut short: 0.4.5 pads it with zero bytes, op-node rejects it;
//! * 0.4.5 re-encodes a decoded span batch with its genesis time dropped, so span batches read back through
//!   it are compared by their derived blocks, not by its re-encoding.

use crate::gen::Rng;
use kona_genesis::{HardForkConfig, RollupConfig};
use kona_protocol as kona;
use rampart_protocol::{
    batch::{Batch, BatchReader, RawSpanBatch, SingleBatch, SpanBatch},
    compression::{compress_brotli, compress_zlib},
    decode_frames, decompress_channel, encode_frames, split_frames, BatchError, Frame, FrameError,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

const CASES: u64 = 10_000;
const CHAIN_ID: u64 = 10;
const GENESIS_TIME: u64 = 1_686_068_903;
const BLOCK_TIME: u64 = 2;

fn kona_cfg() -> RollupConfig {
    let mut cfg = RollupConfig {
        block_time: BLOCK_TIME,
        l2_chain_id: CHAIN_ID.into(),
        hardforks: HardForkConfig { delta_time: Some(0), fjord_time: Some(0), ..Default::default() },
        ..Default::default()
    };
    cfg.genesis.l2_time = GENESIS_TIME;
    cfg
}

fn kona_single(b: &SingleBatch) -> kona::SingleBatch {
    kona::SingleBatch {
        parent_hash: b.parent_hash,
        epoch_num: b.epoch_num,
        epoch_hash: b.epoch_hash,
        timestamp: b.timestamp,
        transactions: b.transactions.clone(),
    }
}

fn kona_span(blocks: &[SingleBatch], first_seq: u64) -> kona::SpanBatch {
    let mut span = kona::SpanBatch { chain_id: CHAIN_ID, genesis_timestamp: GENESIS_TIME, ..Default::default() };
    for (i, b) in blocks.iter().enumerate() {
        span.append_singular_batch(kona_single(b), if i == 0 { first_seq } else { 1 }).unwrap();
    }
    span
}

fn ours_span_bytes(blocks: &[SingleBatch], first_seq: u64) -> Vec<u8> {
    let raw = SpanBatch::from_singles(blocks, first_seq).unwrap().to_raw(GENESIS_TIME, CHAIN_ID).unwrap();
    let mut out = Vec::new();
    raw.encode(&mut out);
    out
}

#[test]
fn singular_batches_match_kona_both_ways() {
    let mut rng = Rng(1);
    let mut txs = 0;
    for _ in 0..CASES {
        let (blocks, _) = rng.blocks(GENESIS_TIME, BLOCK_TIME, CHAIN_ID, 1);
        let b = &blocks[0];
        txs += b.transactions.len();
        let ours = Batch::Single(b.clone()).encode_typed();
        let mut theirs = Vec::new();
        kona::Batch::Single(kona_single(b)).encode(&mut theirs).unwrap();
        assert_eq!(ours, theirs);
        let kona::Batch::Single(k) = kona::Batch::decode(&mut ours.as_slice(), &kona_cfg()).unwrap() else { panic!() };
        assert_eq!(k, kona_single(b));
        assert_eq!(Batch::decode_typed(&theirs).unwrap(), Batch::Single(b.clone()));
    }
    assert!(txs > 10_000, "{txs} transactions exercised");
}

#[test]
fn span_batches_match_kona_both_ways() {
    let mut rng = Rng(2);
    let mut blocks_total = 0;
    for case in 0..CASES {
        let (blocks, first_seq) = rng.blocks(GENESIS_TIME, BLOCK_TIME, CHAIN_ID, 8);
        blocks_total += blocks.len();
        let ours = ours_span_bytes(&blocks, first_seq);
        let mut theirs = Vec::new();
        kona_span(&blocks, first_seq).to_raw_span_batch().unwrap().encode(&mut theirs).unwrap();
        assert_eq!(ours, theirs, "case {case}: encodings differ");
        // Decode each other's bytes and derive the blocks: same epochs, timestamps and full transactions.
        let mut k = kona::RawSpanBatch::decode(&mut ours.as_slice()).unwrap();
        let k = k.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).unwrap();
        let o =
            RawSpanBatch::decode(&mut theirs.as_slice()).unwrap().derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).unwrap();
        assert_eq!(o.blocks.len(), k.batches.len());
        for (ob, kb) in o.blocks.iter().zip(&k.batches) {
            assert_eq!((ob.epoch_num, ob.timestamp, &ob.transactions), (kb.epoch_num, kb.timestamp, &kb.transactions));
        }
        for (ob, b) in o.blocks.iter().zip(&blocks) {
            assert_eq!((ob.epoch_num, ob.timestamp, &ob.transactions), (b.epoch_num, b.timestamp, &b.transactions));
        }
        assert_eq!(o.parent_check, k.parent_check.0);
        assert_eq!(o.l1_origin_check, k.l1_origin_check.0);
    }
    assert!(blocks_total > 40_000, "{blocks_total} blocks");
}

#[test]
fn channels_match_kona_reader() {
    let mut rng = Rng(3);
    let cfg = kona_cfg();
    let (mut zlib, mut brotli, mut batches_read) = (0, 0, 0);
    for case in 0..CASES {
        let mut items = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..1 + rng.below(4) {
            let (blocks, first_seq) = rng.blocks(GENESIS_TIME, BLOCK_TIME, CHAIN_ID, 4);
            let batch = if rng.bool() {
                Batch::Single(blocks[0].clone())
            } else {
                let bytes = ours_span_bytes(&blocks, first_seq);
                Batch::Span(RawSpanBatch::decode(&mut bytes.as_slice()).unwrap())
            };
            batch.encode_channel_item(&mut items);
            expected.push(batch);
        }
        let use_brotli = case % 2 == 1;
        // Brotli is slow at high quality in debug builds: vary the level, keep it modest.
        let data = if use_brotli {
            compress_brotli(&items, (case % 7) as u32, 22)
        } else {
            compress_zlib(&items, (case % 10) as u8)
        };
        if use_brotli {
            brotli += 1
        } else {
            zlib += 1
        }
        let d = decompress_channel(&data, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true).unwrap();
        assert_eq!(d.data, items);
        let ours: Vec<Batch> = BatchReader::new(&d.data).collect::<Result<_, _>>().unwrap();
        assert_eq!(ours, expected);
        let mut reader = kona::BatchReader::new(data.clone(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        for o in &ours {
            let k = reader.next_batch(&cfg).expect("kona reads every batch we wrote");
            match (o, &k) {
                (Batch::Single(_), kona::Batch::Single(_)) => {
                    let mut k_bytes = Vec::new();
                    k.encode(&mut k_bytes).unwrap();
                    assert_eq!(k_bytes, o.encode_typed(), "case {case}");
                }
                (Batch::Span(raw), kona::Batch::Span(ks)) => {
                    let d = raw.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).unwrap();
                    assert_eq!(d.blocks.len(), ks.batches.len());
                    for (ob, kb) in d.blocks.iter().zip(&ks.batches) {
                        assert_eq!(
                            (ob.epoch_num, ob.timestamp, &ob.transactions),
                            (kb.epoch_num, kb.timestamp, &kb.transactions)
                        );
                    }
                }
                _ => panic!("case {case}: batch types differ"),
            }
            batches_read += 1;
        }
        assert!(reader.next_batch(&cfg).is_none());
    }
    assert_eq!((zlib, brotli), (CASES / 2, CASES / 2));
    assert!(batches_read > 20_000, "{batches_read}");
}

#[test]
fn frames_and_calldata_match_kona() {
    let mut rng = Rng(4);
    let mut frames_total = 0;
    for _ in 0..CASES {
        let len = rng.below(3000) as usize;
        let data = rng.bytes(len);
        let id: [u8; 16] = rng.bytes(16).try_into().unwrap();
        let frames = split_frames(id, &data, 24 + rng.below(1500) as usize).unwrap();
        frames_total += frames.len();
        let ours = encode_frames(&frames).unwrap();
        let mut theirs = vec![kona::DERIVATION_VERSION_0];
        for f in &frames {
            theirs.extend(kona::Frame::new(f.id, f.number, f.data.clone(), f.is_last).encode());
        }
        assert_eq!(ours, theirs);
        let k = kona::Frame::parse_frames(&ours).unwrap();
        let o = decode_frames(&theirs).unwrap();
        assert_eq!(o, frames);
        assert_eq!(k.len(), o.len());
        for (kf, of) in k.iter().zip(&o) {
            assert_eq!((kf.id, kf.number, &kf.data, kf.is_last), (of.id, of.number, &of.data, of.is_last));
        }
    }
    assert!(frames_total > 10_000, "{frames_total}");
}

/// Mutations of valid batcher data: flipped bytes, truncations, insertions. Both parsers must agree.
#[test]
fn hostile_batcher_data_agrees_with_kona() {
    let mut rng = Rng(5);
    quiet_kona_panics();
    let (mut accepted, mut rejected, mut is_last_class) = (0, 0, 0);
    for _ in 0..CASES {
        let frames: Vec<Frame> = (0..1 + rng.below(3))
            .map(|i| Frame {
                id: [i as u8; 16],
                number: i as u16,
                data: {
                    let n = rng.below(60) as usize;
                    rng.bytes(n)
                },
                is_last: rng.bool(),
            })
            .collect();
        let mut data = encode_frames(&frames).unwrap();
        mutate(&mut rng, &mut data);
        let o = std::panic::catch_unwind(|| decode_frames(&data)).expect("our parser never panics");
        let k = kona::Frame::parse_frames(&data);
        match (&o, &k) {
            (Ok(o), Ok(k)) => {
                accepted += 1;
                assert_eq!(o.len(), k.len());
                for (of, kf) in o.iter().zip(k) {
                    assert_eq!((of.id, of.number, &of.data, of.is_last), (kf.id, kf.number, &kf.data, kf.is_last));
                }
            }
            (Err(_), Err(_)) => rejected += 1,
            (Err(FrameError::InvalidIsLast { offset, .. }), Ok(k)) => {
                // kona 0.4.5 reads a bad is_last byte as false; with it set to 0 we accept the same frames.
                let mut fixed = data.clone();
                fixed[*offset] = 0;
                let o = decode_frames(&fixed).unwrap_or_else(|e| panic!("only the is_last byte was wrong, got {e}"));
                assert_eq!(o.len(), k.len());
                is_last_class += 1;
            }
            _ => panic!("disagree on {}: ours {o:?}, kona {k:?}", alloy_primitives::hex::encode(&data)),
        }
    }
    assert_eq!(accepted + rejected + is_last_class, CASES);
    println!("batcher data: accepted {accepted}, rejected {rejected}, is_last class {is_last_class}");
    assert!(accepted > 1000 && rejected > 1000, "accepted {accepted}, rejected {rejected}");
}

/// Mutated span batches: both accept with the same blocks, or both reject, except the non-minimal-varint
/// class (checked to be exactly that: our minimal re-encoding is accepted by kona with the same blocks).
#[test]
fn hostile_span_batches_agree_with_kona() {
    quiet_kona_panics();
    let mut rng = Rng(6);
    let (mut both_ok, mut both_err, mut varint_class, mut short_bits_class) = (0, 0, 0, 0);
    for case in 0..CASES {
        let (blocks, first_seq) = rng.blocks(GENESIS_TIME, BLOCK_TIME, CHAIN_ID, 4);
        let mut data = ours_span_bytes(&blocks, first_seq);
        mutate(&mut rng, &mut data);
        let ours = std::panic::catch_unwind(|| {
            RawSpanBatch::decode(&mut data.as_slice())
                .and_then(|r| r.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).map(|d| (r, d)))
        })
        .expect("our decoder never panics");
        // kona 0.4.5 panics on an origin-number underflow in debug builds; treat a panic as a rejection.
        let theirs = std::panic::catch_unwind(|| {
            kona::RawSpanBatch::decode(&mut data.as_slice())
                .ok()
                .and_then(|mut r| r.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).ok())
        })
        .ok()
        .flatten();
        match (&ours, &theirs) {
            (Ok((_, o)), Some(k)) => {
                both_ok += 1;
                assert_eq!(o.blocks.len(), k.batches.len(), "case {case}");
                for (ob, kb) in o.blocks.iter().zip(&k.batches) {
                    assert_eq!(
                        (ob.epoch_num, ob.timestamp, &ob.transactions),
                        (kb.epoch_num, kb.timestamp, &kb.transactions)
                    );
                }
            }
            (Err(_), None) => both_err += 1,
            (Ok((raw, o)), None) => {
                let mut canonical = Vec::new();
                raw.encode(&mut canonical);
                assert_ne!(
                    canonical,
                    data[..canonical.len().min(data.len())],
                    "case {case}: kona rejects a canonical span batch we accept"
                );
                let mut k =
                    kona::RawSpanBatch::decode(&mut canonical.as_slice()).expect("kona accepts the minimal form");
                let k = k.derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).unwrap();
                assert_eq!(o.blocks.len(), k.batches.len());
                varint_class += 1;
            }
            (Err(BatchError::Truncated("protected_bits")), Some(k)) => {
                // kona 0.4.5 zero-pads a short bit list; with the missing bytes supplied as zeros we agree.
                let mut padded = data.clone();
                padded.extend_from_slice(&[0; 8]);
                let mut rest = padded.as_slice();
                let o = RawSpanBatch::decode(&mut rest).unwrap().derive(BLOCK_TIME, GENESIS_TIME, CHAIN_ID).unwrap();
                assert_eq!(o.blocks.len(), k.batches.len());
                short_bits_class += 1;
            }
            (Err(e), Some(_)) => {
                panic!("case {case}: kona accepts what we reject ({e}): {}", alloy_primitives::hex::encode(&data))
            }
        }
    }
    assert_eq!(both_ok + both_err + varint_class + short_bits_class, CASES);
    println!("span batches: both ok {both_ok}, both rejected {both_err}, varint class {varint_class}, short bits {short_bits_class}");
    assert!(both_ok > 500 && both_err > 1000);
}

/// Damaged zlib channels: where kona 0.4.5 reads the channel, we read the same batches; where it gives up, our
/// batches are a prefix of the undamaged channel's (op-node keeps what decompressed before the damage).
#[test]
fn damaged_channels_against_kona() {
    let mut rng = Rng(7);
    let cfg = kona_cfg();
    let (mut same, mut prefix_only) = (0, 0);
    for _ in 0..CASES / 4 {
        let mut items = Vec::new();
        let mut expected = Vec::new();
        for _ in 0..1 + rng.below(5) {
            let (blocks, _) = rng.blocks(GENESIS_TIME, BLOCK_TIME, CHAIN_ID, 1);
            let b = Batch::Single(blocks[0].clone());
            b.encode_channel_item(&mut items);
            expected.push(b);
        }
        let mut data = compress_zlib(&items, 6);
        let truncated = mutate(&mut rng, &mut data) == Mutation::Truncate;
        let ours: Vec<Batch> =
            match std::panic::catch_unwind(|| decompress_channel(&data, MAX_RLP_BYTES_PER_CHANNEL_FJORD, true))
                .expect("no panic")
            {
                Ok(d) => BatchReader::new(&d.data).map_while(Result::ok).collect(),
                Err(_) => Vec::new(),
            };
        let mut reader = kona::BatchReader::new(data.clone(), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        let theirs: Vec<Vec<u8>> = std::iter::from_fn(|| reader.next_batch(&cfg))
            .map(|k| {
                let mut v = Vec::new();
                k.encode(&mut v).unwrap();
                v
            })
            .collect();
        let ours_bytes: Vec<Vec<u8>> = ours.iter().map(Batch::encode_typed).collect();
        if ours_bytes == theirs {
            same += 1;
        } else {
            assert!(theirs.is_empty(), "kona read batches we did not");
            if truncated {
                assert!(
                    ours.len() <= expected.len() && ours[..] == expected[..ours.len()],
                    "our batches are the undamaged prefix"
                );
            }
            prefix_only += 1;
        }
    }
    assert_eq!(same + prefix_only, CASES / 4);
    println!("damaged channels: same {same}, kona nothing / ours partial {prefix_only}");
    assert!(same > 1000, "same {same}, prefix-only {prefix_only}");
}

#[derive(Debug, PartialEq, Eq)]
enum Mutation {
    Flip,
    Truncate,
    Insert,
    None,
}

fn mutate(rng: &mut Rng, data: &mut Vec<u8>) -> Mutation {
    match rng.below(4) {
        0 if !data.is_empty() => {
            let i = rng.below(data.len() as u64) as usize;
            data[i] ^= 1 << rng.below(8);
            Mutation::Flip
        }
        1 => {
            data.truncate(rng.below(data.len() as u64 + 1) as usize);
            Mutation::Truncate
        }
        2 => {
            let i = rng.below(data.len() as u64 + 1) as usize;
            data.insert(i, rng.next() as u8);
            Mutation::Insert
        }
        _ => Mutation::None,
    }
}

/// kona 0.4.5 panics on some truncated span batches (slice indexing in its transaction decoder); the tests
/// catch those panics as rejections. Keep their messages out of the output; other panics still print.
fn quiet_kona_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("kona-protocol")) {
                default(info);
            }
        }));
    });
}
