//! `rampart demo`: runs a bundled guest in the VM and proves its last step.

use crate::CliError;
use rampart_vm::elf::Elf;
use rampart_vm::proof::ProofJson;
use rampart_vm::Vm;
use std::time::Instant;

/// Flags of `demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Guest ELF to run instead of the bundled one.
    #[arg(long)]
    pub elf: Option<String>,
}

/// The bundled default guest.
const BUNDLED_GUEST: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/rust-compute.elf");

/// Runs the demo.
pub fn run(args: DemoArgs) -> Result<(), CliError> {
    let path = args.elf.unwrap_or_else(|| BUNDLED_GUEST.to_string());
    let data = std::fs::read(&path).map_err(|e| CliError::fail(format!("reading guest {path}: {e}")))?;
    let elf = Elf::parse(&data).map_err(|e| CliError::fail(format!("{path}: {e}")))?;
    let initial = elf.load().map_err(|e| CliError::fail(format!("{path}: {e}")))?;
    let mut prestate = initial.clone();
    println!("guest:            {path}");
    println!("absolute prestate 0x{}", hex::encode(prestate.state_hash()));
    println!("--- guest output ---");
    let mut vm = Vm::new(initial.clone()).with_output(Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    let start = Instant::now();
    let steps = vm.run(u64::MAX).map_err(|e| CliError { code: 2, message: format!("VM panic: {e}") })?;
    let secs = start.elapsed().as_secs_f64();
    vm.flush_output().map_err(|e| CliError::fail(e.to_string()))?;
    println!("--- end of guest output ---");
    let final_hash = vm.state.state_hash();
    println!("steps:            {steps} ({:.1} M steps/s)", steps as f64 / secs.max(1e-9) / 1e6);
    println!("exit code:        {} (status byte {})", vm.state.exit_code, final_hash[0]);
    println!("final state hash: 0x{}", hex::encode(final_hash));
    // Prove the last step: replay to the step before it and record the witness.
    let mut replay = Vm::new(initial);
    replay.run(steps - 1).map_err(|e| CliError { code: 2, message: format!("VM panic: {e}") })?;
    let witness = replay.step(true).map_err(|e| CliError { code: 2, message: e.to_string() })?.expect("proof");
    let post = replay.state.state_hash();
    if post != final_hash {
        return Err(CliError::fail("replay diverged from the first run"));
    }
    let proof = ProofJson::new(steps - 1, &witness, post);
    println!(
        "proof of step {}: pre 0x{} post 0x{} ({} bytes of proof data)",
        proof.step,
        hex::encode(&proof.pre),
        hex::encode(&proof.post),
        proof.proof_data.len()
    );
    Ok(())
}
