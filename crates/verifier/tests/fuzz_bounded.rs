//! Bounded mutation fuzzing on stable Rust (CI runs this; `fuzz/` holds the cargo-fuzz targets for long runs):
//! real step witnesses of a Go guest, mutated byte-wise, truncated and extended, must give a verdict or a
//! `StepError`, never a panic; random bytes likewise. A witness whose proof (not state) was mutated may only be
//! accepted when the mutation hit bytes the step does not read, and then it must give the original post-state.

use rampart_verifier::{step, PreimageInput};
use rampart_vm::elf::Elf;
use rampart_vm::Vm;

mod common;
use common::Rng;

#[test]
fn mutated_witnesses_never_panic_and_never_forge_a_post_state() {
    let elf = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/go-goroutines.elf")).unwrap();
    let mut vm = Vm::new(Elf::parse(&elf).unwrap().load().unwrap())
        .with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
    let mut corpus = Vec::new();
    while corpus.len() < 400 {
        let _ = vm.run(97);
        let w = vm.step(true).unwrap().unwrap();
        let post = vm.state.state_hash();
        corpus.push((w, post));
    }
    let mut r = Rng(0x5eed);
    let (mut accepted_same, mut accepted_other, mut rejected) = (0u64, 0u64, 0u64);
    for i in 0..60_000 {
        let (w, post) = &corpus[r.index(corpus.len())];
        let mut state = w.state.to_vec();
        let mut proof = w.proof_data.clone();
        let mut pre = w.preimage.as_ref().map(|(k, v, o)| PreimageInput { key: *k, value: v.clone(), offset: *o });
        for _ in 0..1 + r.index(3) {
            match r.index(8) {
                0 if !state.is_empty() => {
                    let at = r.index(state.len());
                    state[at] ^= 1 << r.index(8);
                }
                1..=3 if !proof.is_empty() => {
                    let at = r.index(proof.len());
                    proof[at] ^= 1 << r.index(8);
                }
                4 => proof.truncate(r.index(proof.len() + 1)),
                5 => state.truncate(r.index(state.len() + 1)),
                6 => proof.extend((0..r.index(64)).map(|_| r.next() as u8)),
                7 if !state.is_empty() => {
                    let at = r.index(state.len());
                    state[at] = r.next() as u8;
                }
                _ => {}
            }
        }
        if i % 10 == 0 {
            pre = Some(PreimageInput { key: [r.next() as u8; 32], value: vec![0; r.index(40)], offset: r.next() % 64 });
        }
        match step(&state, &proof, pre.as_ref(), [0; 32]) {
            Ok(out) if state == w.state && pre.is_none() == w.preimage.is_none() => {
                // Same pre-state, altered proof: only bytes the step does not read may have changed.
                assert_eq!(out.post_hash, *post, "mutation {i} of the proof forged a different post-state");
                accepted_same += 1;
            }
            // A mutated pre-state is another state: any verdict is legitimate, it just must not panic.
            Ok(_) => accepted_other += 1,
            Err(_) => rejected += 1,
        }
    }
    // Pure noise.
    for _ in 0..20_000 {
        let state: Vec<u8> = (0..if r.index(10) == 0 { r.index(300) } else { 188 }).map(|_| r.next() as u8).collect();
        let proof: Vec<u8> = (0..r.index(7000)).map(|_| r.next() as u8).collect();
        let _ = step(&state, &proof, None, [0; 32]);
    }
    println!(
        "fuzz (bounded): 60000 mutated witnesses ({rejected} rejected, {accepted_same} proof mutations accepted with \
         the original post-state, {accepted_other} mutated pre-states stepped) and 20000 random inputs, no panic"
    );
}
