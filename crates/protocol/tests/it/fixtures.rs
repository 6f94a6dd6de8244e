//! The real op-node data in `testdata/` (from `../shared/fixtures/derivation`, see its README).

use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{address, hex};
use rampart_protocol::{
    batch::{Batch, BatchReader, RawSpanBatch},
    decode_frames, decompress_channel, CompressionAlgo, MAX_RLP_BYTES_PER_CHANNEL_BEDROCK,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

fn channel_zlib() -> Vec<u8> {
    let text = include_str!("../../testdata/channel-zlib.hex");
    hex::decode(text.trim_end()).unwrap()
}

#[test]
fn zlib_channel_reads_to_its_end_under_both_limits() {
    let compressed = channel_zlib();
    assert_eq!(compressed.len(), 615_361);
    for (limit, fjord) in [(MAX_RLP_BYTES_PER_CHANNEL_BEDROCK, false), (MAX_RLP_BYTES_PER_CHANNEL_FJORD, true)] {
        let d = decompress_channel(&compressed, limit, fjord).unwrap();
        assert_eq!(d.algo, CompressionAlgo::Zlib);
        assert!(!d.truncated);
        let mut reader = BatchReader::new(&d.data);
        let batches: Vec<Batch> = reader.by_ref().collect::<Result<_, _>>().unwrap();
        assert!(!batches.is_empty());
        assert_eq!(reader.cursor(), d.data.len(), "batch reader ends exactly at the decompressed length");
    }
}

#[test]
fn batcher_tx_calldata_is_frames_for_the_inbox() {
    let raw = include_bytes!("../../testdata/batcher-tx.bin");
    let tx = TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap();
    assert!(matches!(tx, TxEnvelope::Eip1559(_)));
    assert_eq!(tx.to(), Some(address!("ff00000000000000000000000000000000000010")));
    assert_eq!(tx.recover_signer().unwrap(), address!("6887246668a3b87F54DeB3b94Ba47a6f63F32985"));
    let calldata = tx.input();
    assert_eq!(calldata.len(), 119_823);
    let frames = decode_frames(calldata).unwrap();
    let framed: usize = frames.iter().map(|f| f.encoded_len()).sum();
    assert_eq!(1 + framed, 119_823, "version byte and frames cover the calldata exactly");
}

#[test]
fn span_batch_decodes_and_reencodes_identically() {
    let raw = include_bytes!("../../testdata/span-batch.bin");
    assert_eq!(raw.len(), 23_886);
    let mut rest = raw.as_slice();
    let span = RawSpanBatch::decode(&mut rest).unwrap();
    assert!(rest.is_empty(), "the whole fixture is one span batch");
    let mut encoded = Vec::new();
    span.encode(&mut encoded);
    assert!(encoded == raw, "re-encodes to exactly the same bytes");
    // As a typed channel item it is the same bytes after the type byte.
    let typed = Batch::Span(span.clone()).encode_typed();
    assert_eq!((typed[0], &typed[1..]), (1, raw.as_slice()));
    // Its blocks derive for OP Mainnet-like parameters and survive the derived -> raw -> derived trip.
    let derived = span.derive(2, 0, 10).unwrap();
    assert_eq!(derived.blocks.len() as u64, span.block_count);
    let again = derived.to_raw(0, 10).unwrap();
    assert_eq!(again.derive(2, 0, 10).unwrap(), derived);
}
