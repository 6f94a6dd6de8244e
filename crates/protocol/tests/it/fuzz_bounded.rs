//! Bounded mutation fuzzing on stable Rust (CI runs this; `fuzz/` holds the cargo-fuzz targets `frames`,
//! `channel` and `batch` for long runs): valid batcher data, channels and batches, mutated byte-wise, truncated
//! and extended, plus random bytes, must decode or give a typed error, never panic, and what decodes must
//! re-encode consistently.

use crate::gen::Rng;
use rampart_protocol::{
    batch::{Batch, BatchReader, SpanBatch},
    compression::{compress_brotli, compress_zlib},
    decode_blob, decode_frames, decompress_channel, encode_blob, encode_frames, split_frames,
};

const ROUNDS: u64 = 20_000;

fn mutate(r: &mut Rng, data: &mut Vec<u8>) {
    for _ in 0..1 + r.below(3) {
        match r.below(5) {
            0 if !data.is_empty() => {
                let at = r.below(data.len() as u64) as usize;
                data[at] ^= 1 << r.below(8);
            }
            1 => data.truncate(r.below(data.len() as u64 + 1) as usize),
            2 => {
                let n = r.below(8) as usize;
                data.extend(r.bytes(n));
            }
            3 if !data.is_empty() => {
                let at = r.below(data.len() as u64) as usize;
                data[at] = r.next() as u8;
            }
            _ => {}
        }
    }
}

#[test]
fn mutated_frames_channels_batches_and_blobs_never_panic() {
    let mut r = Rng(0xf022);
    let (mut frames_ok, mut batches_ok, mut channels_ok, mut blobs_ok) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..ROUNDS {
        let (blocks, seq) = r.blocks(0, 2, 10, 4);
        let batch = if i % 2 == 0 {
            Batch::Single(blocks[0].clone())
        } else {
            Batch::Span(SpanBatch::from_singles(&blocks, seq).unwrap().to_raw(0, 10).unwrap())
        };
        // Batches.
        let mut typed = batch.encode_typed();
        mutate(&mut r, &mut typed);
        if let Ok(b) = Batch::decode_typed(&typed) {
            assert_eq!(Batch::decode_typed(&b.encode_typed()).unwrap(), b);
            if let Batch::Span(raw) = &b {
                let _ = raw.derive(2, 0, 10);
            }
            batches_ok += 1;
        }
        // Channels.
        let mut items = Vec::new();
        batch.encode_channel_item(&mut items);
        let mut compressed = if i % 3 == 0 { compress_brotli(&items, 4, 22) } else { compress_zlib(&items, 6) };
        mutate(&mut r, &mut compressed);
        if let Ok(d) = decompress_channel(&compressed, 1 << 20, true) {
            assert!(d.data.len() <= 1 << 20);
            let read: Vec<_> = BatchReader::new(&d.data).collect();
            assert!(read.iter().filter(|b| b.is_err()).count() <= 1);
            channels_ok += 1;
        }
        // Frames.
        let frames = split_frames([i as u8; 16], &compressed, 30 + r.below(200) as usize).unwrap();
        let mut data = encode_frames(&frames).unwrap();
        mutate(&mut r, &mut data);
        if let Ok(f) = decode_frames(&data) {
            assert_eq!(encode_frames(&f).unwrap(), data);
            frames_ok += 1;
        }
        // Random bytes through every decoder.
        let n = r.below(300) as usize;
        let noise = r.bytes(n);
        let _ = decode_frames(&noise);
        let _ = Batch::decode_typed(&noise);
        let _ = decompress_channel(&noise, 1 << 16, true);
        // Blobs (fewer: each is 128 KiB).
        if i % 20 == 0 {
            let mut blob = encode_blob(&items[..items.len().min(130_044)]).unwrap().to_vec();
            for _ in 0..1 + r.below(3) {
                let at = r.below(blob.len() as u64) as usize;
                blob[at] ^= 1 << r.below(8);
            }
            if decode_blob(&blob).is_ok() {
                blobs_ok += 1;
            }
        }
    }
    println!(
        "decoded after mutation: frames {frames_ok}, batches {batches_ok}, channels {channels_ok}, blobs {blobs_ok}"
    );
    // Mutations that miss (or are absorbed) leave valid inputs: the decoders must have accepted some and rejected
    // others; the exact split is a property of the seed.
    for n in [frames_ok, batches_ok, channels_ok] {
        assert!(n > ROUNDS / 20 && n < ROUNDS, "{n}");
    }
    assert!(blobs_ok < ROUNDS / 20);
}
