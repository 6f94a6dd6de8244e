//! Batcher transaction data (version byte + frames) on arbitrary bytes: an error, or frames that re-encode to
//! exactly the input.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_protocol::{decode_frames, encode_frames};

fuzz_target!(|data: &[u8]| {
    if let Ok(frames) = decode_frames(data) {
        assert_eq!(encode_frames(&frames).expect("decoded frames encode"), data);
    }
});
