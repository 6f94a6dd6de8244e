//! The fast VM against the stateless verifier (written separately, as `MIPS64.sol`'s `step`): every proven step
//! of every bundled guest must give the VM's own next state; tampered witnesses must never be accepted.

use rampart_verifier::{step as verify_step, PreimageInput};
use rampart_vm::elf::Elf;
use rampart_vm::{StepWitness, Vm};
use std::path::Path;

#[path = "../../../crates/verifier/tests/support/faults.rs"]
mod faults;

fn guests() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests");
    let text = std::fs::read_to_string(dir.join("manifest.tsv")).expect("guests/manifest.tsv");
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("name"))
        .map(|l| {
            let name = l.split_whitespace().next().unwrap().to_string();
            let path = dir.join("bin").join(format!("{name}.elf")).to_string_lossy().into_owned();
            (name, path)
        })
        .collect()
}

fn expected_exit(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../guests/expected/{name}.exit"));
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())).trim().to_string()
}

fn preimage(w: &StepWitness) -> Option<PreimageInput> {
    w.preimage.as_ref().map(|(key, value, offset)| PreimageInput { key: *key, value: value.clone(), offset: *offset })
}

/// Faulting steps of the guests, checked: the verifier reverts on the same witness for the same reason.
static FAULTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Proves the next step with the VM and checks it with the verifier. Returns false when the VM faulted; then the
/// verifier, handed the faulting step's witness, must revert for the same reason (as `MIPS64.step` would).
fn prove_and_check(vm: &mut Vm, name: &str, samples: &mut Vec<(StepWitness, [u8; 32])>) -> bool {
    let step = vm.state.step;
    let w = match vm.step_with_witness() {
        (Ok(()), w) => w.expect("witness"),
        (Err(vm_err), w) => {
            let w = w.unwrap_or_else(|| panic!("{name} step {step}: fault {vm_err} without a witness"));
            match verify_step(&w.state, &w.proof_data, preimage(&w).as_ref(), [0u8; 32]) {
                Ok(_) => panic!("{name} step {step}: the VM faulted ({vm_err}) but the verifier accepted the step"),
                Err(v_err) => assert!(
                    faults::same_fault(&vm_err, &v_err),
                    "{name} step {step}: VM fault ({vm_err}) and verifier revert ({v_err}) differ"
                ),
            }
            FAULTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return false;
        }
    };
    let post = vm.state.state_hash();
    let out = verify_step(&w.state, &w.proof_data, preimage(&w).as_ref(), [0u8; 32])
        .unwrap_or_else(|e| panic!("{name} step {step}: verifier rejected a VM proof: {e}"));
    assert_eq!(out.post_hash, post, "{name} step {step}: post-state hash differs");
    assert_eq!(out.post_state, vm.state.encode_witness(), "{name} step {step}: post-state witness differs");
    if samples.len() < 64 && (step.is_multiple_of(97) || w.preimage.is_some()) {
        samples.push((w, post));
    }
    true
}

#[test]
fn verifier_agrees_with_vm_on_every_guest() {
    let mut compared = 0u64;
    let mut slow_steps = 0u64;
    let mut samples = Vec::new();
    for (name, path) in guests() {
        let data = std::fs::read(&path).unwrap();
        let state = Elf::parse(&data).unwrap().load().unwrap();
        // Total length of the run, to spread samples over it.
        let mut probe = Vm::new(state.clone());
        let _ = probe.run(u64::MAX);
        let total = probe.state.step;
        let mut vm = Vm::new(state);
        // 1. Every step at the start (runtime start-up: mmap, clone, futex, ...), and every step of small guests.
        let every = if total <= 60_000 { total } else { 3000 };
        let mut faulted = false;
        while vm.state.step < every && !vm.state.exited {
            if !prove_and_check(&mut vm, &name, &mut samples) {
                faulted = true;
                break;
            }
            compared += 1;
        }
        // 2. Up to 1500 slow-path steps (syscalls, LL/SC, preemptions, thread pops) spread over the run,
        //    and 1000 plain steps at uniform spacing.
        let stride = (total / 2500).max(1);
        let mut budget_slow = 1500;
        while !faulted && !vm.state.exited {
            let target = vm.state.step + stride;
            // run to the next slow step (or the stride), prove it
            let ran = vm.run_until_slow(stride).unwrap_or(0);
            if vm.state.exited {
                break;
            }
            let is_slow = ran < stride;
            if is_slow && budget_slow > 0 {
                budget_slow -= 1;
                slow_steps += 1;
            } else if !is_slow {
                // plain step at uniform spacing
            } else {
                // past the slow budget: execute it without a proof and move on
                if vm.step(false).is_err() {
                    break;
                }
                let _ = vm.run(target.saturating_sub(vm.state.step));
                continue;
            }
            if !prove_and_check(&mut vm, &name, &mut samples) {
                break;
            }
            compared += 1;
        }
    }
    // Exact: every step proven is deterministic for the committed guests (the README quotes this figure).
    let faults = FAULTS.load(std::sync::atomic::Ordering::Relaxed);
    println!(
        "differential: {compared} proven steps checked by the verifier ({slow_steps} slow-path), {faults} faulting \
         steps reverted for the VM's reason, 0 mismatches"
    );
    assert_eq!((compared, slow_steps), (68_212, 9_199), "steps proven (slow-path steps) of the committed guests");
    // One faulting step per guest whose expected exit is a VM panic (guests/expected/*.exit), each reverted.
    let panics = guests().iter().filter(|(n, _)| expected_exit(n) == "panic").count() as u64;
    assert_eq!(faults, panics, "faulting steps checked");

    // Tampering: flip bytes of real witnesses and proofs; the verifier must reject or compute another state.
    let mut tampered = 0u64;
    for (w, post) in &samples {
        let pre = preimage(w);
        // The active thread-stack root is always checked against the thread witness, and the memory root
        // against the instruction proof whenever an instruction executes: any change must be rejected.
        let exited = w.state[98] == 1;
        let traverse_right = w.state[115] == 1;
        let since = u64::from_be_bytes(w.state[107..115].try_into().unwrap());
        let executes = w.proof_data[9] == 0 && since < 100_000;
        let active_root = if traverse_right { 148..180 } else { 116..148 };
        let mem_root = if executes { 0..32 } else { 0..0 };
        for pos in active_root.chain(mem_root) {
            let mut s = w.state;
            s[pos] ^= 0x01;
            if !exited {
                assert!(
                    verify_step(&s, &w.proof_data, pre.as_ref(), [0u8; 32]).is_err(),
                    "state byte {pos} tampered, still accepted"
                );
            }
            tampered += 1;
        }
        for pos in (0..w.proof_data.len()).step_by(37) {
            let mut p = w.proof_data.clone();
            p[pos] ^= 0x80;
            if let Ok(out) = verify_step(&w.state, &p, pre.as_ref(), [0u8; 32]) {
                // Unused proof slots carry no meaning (Cannon does not zero them): changing them may still verify,
                // but never to a different post-state.
                assert_eq!(out.post_hash, *post, "tampered proof byte {pos} gave a different accepted post-state");
            }
            tampered += 1;
        }
    }
    println!("tampering: {tampered} mutated witnesses/proofs, none accepted with a wrong post-state");
}

/// Every step of the toy fault-proof program (reads its local inputs through the preimage oracle: fd 6 key
/// writes and fd 5 reads, with the preimage part in the witness) is proven and checked.
#[test]
fn verifier_agrees_with_vm_on_preimage_reads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin/rust-toy-program.elf");
    let state = Elf::parse(&std::fs::read(dir).unwrap()).unwrap().load().unwrap();
    let local = |i: u64| rampart_preimage::PreimageKey::local(i).to_bytes();
    let mut oracle = rampart_vm::MapOracle::default();
    oracle.preimages.insert(local(1), vec![0x11; 32]);
    oracle.preimages.insert(local(2), vec![0x22; 32]);
    oracle.preimages.insert(local(3), vec![0x33; 32]);
    oracle.preimages.insert(local(4), 7u64.to_be_bytes().to_vec());
    oracle.preimages.insert(local(5), 10u64.to_be_bytes().to_vec());
    let mut vm =
        Vm::new(state).with_oracle(Box::new(oracle)).with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
    let (mut compared, mut reads) = (0u64, 0u64);
    let mut samples = Vec::new();
    while !vm.state.exited && compared < 400_000 {
        if !prove_and_check(&mut vm, "rust-toy-program", &mut samples) {
            panic!("toy program faulted at step {}", vm.state.step);
        }
        compared += 1;
    }
    for (w, _) in &samples {
        reads += w.preimage.is_some() as u64;
    }
    assert!(vm.state.exited, "toy program did not finish within {compared} proven steps");
    assert_eq!((compared, reads), (3_708, 12), "proven steps of the toy program, sampled witnesses with a preimage");
    println!("({reads} of the sampled witnesses carry a preimage part)");
    println!(
        "differential (preimage reads): {compared} proven steps of rust-toy-program, every one checked, exit code {}",
        vm.state.exit_code
    );
}
