//! `rampart demo`: fault disputes over the recorded devnet (`testdata/devnet`) and the real fault-proof program
//! (`guests/bin/rampart-program.elf`), both compiled into the binary: a wrong output root defeated by the honest
//! challenger's verified step, a lying challenger, and a final step reading a keccak256 preimage longer than 24
//! bytes (`rampart_agent::demo`). With `--elf`, runs that guest instead and checks the proof of its last step.

use crate::CliError;
use rampart_agent::DevnetData;
use rampart_verifier::PreimageInput;
use rampart_vm::elf::Elf;
use rampart_vm::proof::ProofJson;
use rampart_vm::{State, Vm};
use std::time::Instant;

/// Flags of `demo`.
#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Run this guest ELF and verify its last step instead of playing the disputes.
    #[arg(long)]
    pub elf: Option<String>,
    /// With `--elf`: stop with an error if the guest has not exited after this many steps.
    #[arg(long, default_value_t = 10_000_000_000)]
    pub max_steps: u64,
    /// With `--elf`: print a progress line to stderr every this many steps.
    #[arg(long, default_value_t = 100_000_000)]
    pub progress_every: u64,
}

/// The fault-proof program the disputes run, built into the binary.
const BUNDLED_PROGRAM: &str = "guests/bin/rampart-program.elf";

/// The bundled fault-proof program's bytes.
pub fn program_elf() -> Result<&'static [u8], CliError> {
    Ok(crate::bundle::get(BUNDLED_PROGRAM)
        .ok_or_else(|| CliError::fail("the fault-proof program is not bundled"))?
        .bytes)
}

fn load(path: &str) -> Result<State, CliError> {
    let data = rampart_vm::elf::read_elf_file(std::path::Path::new(path))
        .map_err(|e| CliError::fail(format!("reading guest {path}: {e}")))?;
    parse(path, &data)
}

fn parse(path: &str, data: &[u8]) -> Result<State, CliError> {
    let elf = Elf::parse(data).map_err(|e| CliError::fail(format!("{path}: {e}")))?;
    elf.load().map_err(|e| CliError::fail(format!("{path}: {e}")))
}

/// Runs the demo.
pub fn run(args: DemoArgs) -> Result<(), CliError> {
    match args.elf {
        Some(path) => {
            if args.max_steps == 0 || args.progress_every == 0 {
                return Err(CliError::usage("--max-steps and --progress-every must be at least 1"));
            }
            run_guest(&path, args.max_steps, args.progress_every)
        }
        None => run_disputes(),
    }
}

fn run_disputes() -> Result<(), CliError> {
    let start = Instant::now();
    let data = DevnetData::bundled().map_err(|e| CliError::fail(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    let runs =
        rampart_agent::demo::run_demo(&data, program_elf()?, &mut out).map_err(|e| CliError::fail(e.to_string()))?;
    println!();
    println!(
        "--- {} disputes, {} claims, {} verified steps, honest side won every one ({:.1} s) ---",
        runs.len(),
        runs.iter().map(|r| r.outcome.claims).sum::<usize>(),
        runs.iter().map(|r| r.honest_steps.len()).sum::<usize>(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}

fn run_guest(path: &str, max_steps: u64, progress_every: u64) -> Result<(), CliError> {
    let initial = load(path)?;
    let mut prestate = initial.clone();
    println!("guest:            {path}");
    println!("absolute prestate 0x{}", rampart_primitives::hex::Hex(&prestate.state_hash()));
    println!("--- guest output ---");
    let mut vm = Vm::new(initial.clone()).with_output(Box::new(std::io::stdout()), Box::new(std::io::stderr()));
    let start = Instant::now();
    let panic = |e: rampart_vm::VmError| CliError { code: 2, message: format!("VM panic: {e}") };
    let mut steps = 0u64;
    while !vm.state.exited {
        if steps >= max_steps {
            let _ = vm.flush_output();
            return Err(CliError::fail(format!(
                "{path}: the guest did not exit within {max_steps} steps (raise --max-steps)"
            )));
        }
        let chunk = progress_every.min(max_steps - steps);
        steps += vm.run(chunk).map_err(panic)?;
        if !vm.state.exited && steps.is_multiple_of(progress_every) {
            let secs = start.elapsed().as_secs_f64();
            eprintln!("demo: {steps} steps, still running ({:.1} M steps/s)", steps as f64 / secs.max(1e-9) / 1e6);
        }
    }
    let secs = start.elapsed().as_secs_f64();
    vm.flush_output().map_err(|e| CliError::fail(e.to_string()))?;
    println!("--- end of guest output ---");
    let final_hash = vm.state.state_hash();
    println!("steps:            {steps} ({:.1} M steps/s)", steps as f64 / secs.max(1e-9) / 1e6);
    println!("exit code:        {} (status byte {})", vm.state.exit_code, final_hash[0]);
    println!("final state hash: 0x{}", rampart_primitives::hex::Hex(&final_hash));
    if steps == 0 {
        return Ok(());
    }
    // Prove the last step: replay to the step before it, record the witness, check it with the verifier.
    let mut replay = Vm::new(initial).with_output(Box::new(std::io::sink()), Box::new(std::io::sink()));
    replay.run(steps - 1).map_err(|e| CliError { code: 2, message: format!("VM panic: {e}") })?;
    let witness = replay
        .step(true)
        .map_err(|e| CliError { code: 2, message: e.to_string() })?
        .ok_or_else(|| CliError::fail("no witness for the last step"))?;
    let post = replay.state.state_hash();
    if post != final_hash {
        return Err(CliError::fail("replay diverged from the first run"));
    }
    let proof = ProofJson::new(steps - 1, &witness, post);
    let preimage = witness.preimage.as_ref().map(|(k, v, o)| PreimageInput { key: *k, value: v.clone(), offset: *o });
    let checked = rampart_verifier::step(&witness.state, &witness.proof_data, preimage.as_ref(), [0; 32])
        .map_err(|e| CliError::fail(format!("the verifier rejected the last step: {e}")))?;
    if checked.post_hash != post {
        return Err(CliError::fail("the verifier computed a different post-state"));
    }
    println!(
        "proof of step {}: pre 0x{} post 0x{} ({} bytes of proof data), checked by the stateless verifier: ok",
        proof.step,
        rampart_primitives::hex::Hex(&proof.pre),
        rampart_primitives::hex::Hex(&proof.post),
        proof.proof_data.len()
    );
    Ok(())
}
