//! Typed batches on arbitrary bytes: an error, or a batch whose encoding decodes to the same batch; span
//! batches derive without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_protocol::batch::Batch;

fuzz_target!(|data: &[u8]| {
    if let Ok(batch) = Batch::decode_typed(data) {
        let again = Batch::decode_typed(&batch.encode_typed()).expect("re-encoded batch decodes");
        assert_eq!(again, batch);
        if let Batch::Span(raw) = &batch {
            let _ = raw.derive(2, 0, 10);
        }
    }
});
