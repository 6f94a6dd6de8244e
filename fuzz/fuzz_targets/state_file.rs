//! The binary state-file decoder on arbitrary bytes: an error or a state whose re-encoding decodes again.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_vm::state_file::{decode, encode};

fuzz_target!(|data: &[u8]| {
    if let Ok(state) = decode(data) {
        let again = decode(&encode(&state)).expect("re-encoded state decodes");
        assert_eq!(encode(&again), encode(&state));
    }
});
