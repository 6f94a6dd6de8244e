//! `rampart bench`: VM speed on bundled guests, measured against `qemu-mips64-static` in the same run, plus the
//! cost of the memory root and of a proof replayed from a snapshot.

use crate::CliError;
use rampart_vm::elf::Elf;
use rampart_vm::Vm;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

/// Flags of `bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Guest names (ELFs `<dir>/<name>.elf`).
    #[arg(long = "guest", default_values_t = ["rust-compute".to_string(), "go-gc".to_string(), "rust-alloc".to_string()])]
    pub guests: Vec<String>,
    /// Directory of guest ELFs.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin"))]
    pub dir: PathBuf,
    /// Steps between the snapshot and the proven last step.
    #[arg(long, default_value_t = 100_000_000)]
    pub snapshot_distance: u64,
    /// Skip the qemu comparison.
    #[arg(long, default_value_t = false)]
    pub no_qemu: bool,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs the benchmark and prints one table row per guest.
pub fn run(args: BenchArgs) -> Result<(), CliError> {
    println!(
        "{:<14} {:>13} {:>10} {:>11} {:>10} {:>11} {:>9} {:>10} {:>12}",
        "guest", "steps", "VM s", "M steps/s", "qemu s", "VM/qemu", "mem MiB", "root ms", "proof ms"
    );
    for name in &args.guests {
        let path = args.dir.join(format!("{name}.elf"));
        let data = std::fs::read(&path).map_err(|e| CliError::fail(format!("{}: {e}", path.display())))?;
        let elf = Elf::parse(&data).map_err(|e| CliError::fail(format!("{}: {e}", path.display())))?;
        let initial = elf.load().map_err(|e| CliError::fail(e.to_string()))?;

        // 1. Plain run.
        let mut vm = Vm::new(initial.clone());
        let t = Instant::now();
        let steps = vm.run(u64::MAX).map_err(|e| CliError::fail(format!("{name}: VM error {e}")))?;
        let vm_secs = t.elapsed().as_secs_f64();

        // 2. Memory root after the run (all pages touched since load are dirty).
        let t = Instant::now();
        let _ = vm.state.memory.merkle_root();
        let root_ms = ms(t.elapsed());
        let mem_mib = vm.state.memory.usage_bytes() as f64 / (1 << 20) as f64;

        // 3. Proof of the last step from a snapshot `snapshot_distance` steps earlier.
        let snap_step = steps.saturating_sub(args.snapshot_distance);
        let mut snap_vm = Vm::new(initial.clone());
        snap_vm.run(snap_step).map_err(|e| CliError::fail(e.to_string()))?;
        // Round-trip the snapshot through the state file format, as op-challenger's snapshots are files.
        let snapshot_bytes = rampart_vm::state_file::encode(&snap_vm.state);
        drop(snap_vm);
        let t = Instant::now();
        let snapshot = rampart_vm::state_file::decode(&snapshot_bytes).map_err(|e| CliError::fail(e.to_string()))?;
        let mut replay = Vm::new(snapshot);
        replay.run(steps - 1 - snap_step).map_err(|e| CliError::fail(e.to_string()))?;
        let w = replay.step(true).map_err(|e| CliError::fail(e.to_string()))?;
        let post = replay.state.state_hash();
        let proof_ms = ms(t.elapsed());
        if w.is_none() || post != vm.state.state_hash() {
            return Err(CliError::fail(format!("{name}: replayed proof does not reach the final state")));
        }

        // 4. qemu on the same ELF.
        let qemu_secs = if args.no_qemu {
            None
        } else {
            let t = Instant::now();
            let st = Command::new("qemu-mips64-static")
                .arg(&path)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| CliError::fail(format!("qemu-mips64-static: {e} (install qemu-user-static or pass --no-qemu)")))?;
            let secs = t.elapsed().as_secs_f64();
            if st.code().is_none() {
                return Err(CliError::fail(format!("qemu died on {name}: {st}")));
            }
            Some(secs)
        };
        let (q, ratio) = match qemu_secs {
            Some(q) => (format!("{q:.3}"), format!("{:.1}x", vm_secs / q)),
            None => ("-".into(), "-".into()),
        };
        println!(
            "{:<14} {:>13} {:>10.3} {:>11.1} {:>10} {:>11} {:>9.1} {:>10.2} {:>12.1}",
            name,
            steps,
            vm_secs,
            steps as f64 / vm_secs / 1e6,
            q,
            ratio,
            mem_mib,
            root_ms,
            proof_ms
        );
    }
    println!("(VM/qemu: our wall time divided by qemu-mips64-static's on the same ELF; proof ms: replay from a snapshot");
    println!(" at most --snapshot-distance steps before the last step, then the proof of the last step)");
    synthetic_roots();
    Ok(())
}

/// Memory root of 64 MiB written outside any guest: one word per page, every word, and a re-root after
/// rewriting 1 000 pages of it (the incremental case of a snapshot or proof in the middle of a trace).
fn synthetic_roots() {
    const BASE: u64 = 0x1000_0000;
    const SIZE: u64 = 64 << 20;
    let time_root = |mem: &mut rampart_vm::Memory| {
        let t = Instant::now();
        let root = mem.merkle_root();
        (ms(t.elapsed()), root)
    };
    let mut sparse = rampart_vm::Memory::new();
    for addr in (0..SIZE).step_by(4096) {
        sparse.write_word(BASE + addr, addr | 1);
    }
    let (sparse_ms, _) = time_root(&mut sparse);
    let mut dense = rampart_vm::Memory::new();
    for addr in (0..SIZE).step_by(8) {
        dense.write_word(BASE + addr, addr.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    }
    let (dense_ms, _) = time_root(&mut dense);
    for page in 0..1000u64 {
        dense.write_word(BASE + page * 61 * 4096 % SIZE, page);
    }
    let (rewrite_ms, _) = time_root(&mut dense);
    println!(
        "memory root of 64 MiB: one word per page {sparse_ms:.2} ms, every word written {dense_ms:.2} ms, \
         after rewriting 1000 of its pages {rewrite_ms:.2} ms (keccak backend: {:?})",
        rampart_vm::keccak_backend()
    );
}
