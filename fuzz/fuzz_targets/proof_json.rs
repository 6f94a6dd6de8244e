//! Proof JSON parsing followed by verification: arbitrary text must give a parse error or a verdict.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rampart_verifier::{step, PreimageInput};
use rampart_vm::proof::ProofJson;

fuzz_target!(|data: &[u8]| {
    let Ok(p) = serde_json::from_slice::<ProofJson>(data) else { return };
    let pre = (!p.oracle_key.is_empty()).then(|| PreimageInput {
        key: p.oracle_key.as_slice().try_into().unwrap_or([0; 32]),
        value: p.oracle_value.clone(),
        offset: p.oracle_offset,
    });
    let _ = step(&p.state_data, &p.proof_data, pre.as_ref(), [0; 32]);
});
