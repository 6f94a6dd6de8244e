//! Channel decompression and the batch reader on arbitrary compressed data: bounded output, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_protocol::{batch::BatchReader, decompress_channel};

const LIMIT: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = decompress_channel(data, LIMIT, true) {
        assert!(d.data.len() <= LIMIT);
        let mut reader = BatchReader::new(&d.data);
        for batch in reader.by_ref() {
            if batch.is_err() {
                break;
            }
        }
        assert!(reader.cursor() <= d.data.len());
    }
});
