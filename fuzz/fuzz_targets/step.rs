//! The stateless verifier on arbitrary bytes: byte 0 selects whether a preimage is supplied, then 188 bytes of
//! state, then the proof. It must return Ok or a StepError, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_verifier::{step, PreimageInput};

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let (state, rest) = rest.split_at(rest.len().min(188));
    let (preimage, proof) = if flags & 1 == 1 && rest.len() >= 48 {
        let key: [u8; 32] = rest[..32].try_into().unwrap();
        let offset = u64::from_be_bytes(rest[32..40].try_into().unwrap());
        let len = (u64::from_be_bytes(rest[40..48].try_into().unwrap()) % 256) as usize;
        let len = len.min(rest.len() - 48);
        let value = rest[48..48 + len].to_vec();
        (Some(PreimageInput { key, value, offset }), &rest[48 + len..])
    } else {
        (None, rest)
    };
    let _ = step(state, proof, preimage.as_ref(), [0; 32]);
});
