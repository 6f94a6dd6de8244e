//! Encoders against decoders on small hand-built inputs.

use alloy_primitives::{Bytes, B256};
use rampart_protocol::batch::{Batch, BatchReader, SingleBatch, SpanBatch};

#[test]
fn singular_batches_through_a_channel_item_stream() {
    let batches: Vec<Batch> = (0..5u64)
        .map(|i| {
            Batch::Single(SingleBatch {
                parent_hash: B256::repeat_byte(i as u8),
                epoch_num: 100 + i / 2,
                epoch_hash: B256::repeat_byte(0xee),
                timestamp: 1000 + 2 * i,
                transactions: vec![Bytes::from(vec![2u8; i as usize + 1])],
            })
        })
        .collect();
    let mut stream = Vec::new();
    for b in &batches {
        b.encode_channel_item(&mut stream);
    }
    let read: Vec<Batch> = BatchReader::new(&stream).collect::<Result<_, _>>().unwrap();
    assert_eq!(read, batches);
    // A cut stream yields the whole batches before the cut and then one error.
    let mut reader = BatchReader::new(&stream[..stream.len() - 3]);
    assert_eq!(reader.by_ref().take_while(Result::is_ok).count(), 4);
    assert!(reader.next().is_none());
}

#[test]
fn empty_span_batch_is_rejected_both_ways() {
    assert!(SpanBatch::from_singles(&[], 0).is_err());
}
