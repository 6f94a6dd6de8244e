//! `rampart bench`: VM speed on bundled guests with the interpreter and with translation to host code, measured
//! against upstream Cannon (when `scripts/build-cannon.sh` has built it) and `qemu-mips64-static` in the same
//! run, plus the cost of the memory root and of a proof replayed from a snapshot.

use crate::host_process::HostProcess;
use crate::CliError;
use rampart_vm::elf::Elf;
use rampart_vm::{PreimageOracle, State, Vm};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Flags of `bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Guest names (ELFs `<dir>/<name>.elf`); `rust-executor` runs OP Sepolia block 26207960 (a kona-style long
    /// no_std Rust program: stateless block execution over the preimage oracle, host included); `rampart-program`
    /// runs the fault-proof program on the recorded devnet's valid claim for L2 block 1 (derivation from L1
    /// genesis, then execution of block 1; host serving the dataset's preimages).
    #[arg(long = "guest", default_values_t = ["rust-compute".to_string(), "go-gc".to_string(), "rust-alloc".to_string(), "rust-executor".to_string(), "rampart-program".to_string()])]
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
    /// Upstream Cannon binary (default: `${RAMPART_CACHE:-$HOME/.cache/rampart}/bin/cannon` when present).
    #[arg(long)]
    pub cannon: Option<PathBuf>,
    /// Skip the Cannon comparison.
    #[arg(long, default_value_t = false)]
    pub no_cannon: bool,
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// The fixture block the `rust-executor` workload executes.
const EXECUTOR_BLOCK: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/op-sepolia-blocks/block-26207960.json");

/// The recorded devnet dataset the `rampart-program` workload runs on (claims, configs, preimage dump).
const DEVNET_DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/devnet");

/// The host command of the `rampart-program` workload: the dataset's first claim (valid, L2 block 1), its
/// preimages unpacked into `scratch`.
fn program_host(exe: &Path, scratch: &Path) -> Result<Vec<String>, CliError> {
    let data = Path::new(DEVNET_DATA);
    let kv = scratch.join("program-kv");
    rampart_host::dump::unpack(&data.join("preimages.kv.gz"), &kv)
        .map_err(|e| CliError::fail(format!("{}: {e}", data.join("preimages.kv.gz").display())))?;
    let claims_path = data.join("claims.json");
    let text = std::fs::read(&claims_path).map_err(|e| CliError::fail(format!("{}: {e}", claims_path.display())))?;
    let claims: serde_json::Value =
        serde_json::from_slice(&text).map_err(|e| CliError::fail(format!("{}: {e}", claims_path.display())))?;
    let args = claims[0]["host_args"]
        .as_array()
        .ok_or_else(|| CliError::fail(format!("{}: no host_args in the first claim", claims_path.display())))?;
    let mut host = vec![exe.display().to_string(), "host".into(), "--server".into()];
    for a in args {
        let a = a
            .as_str()
            .ok_or_else(|| CliError::fail(format!("{}: a host arg is not a string", claims_path.display())))?;
        host.push(match a {
            "preimages" => kv.display().to_string(),
            f @ ("rollup.json" | "l1-config.json") => data.join(f).display().to_string(),
            other => other.to_string(),
        });
    }
    Ok(host)
}

/// A guest and the preimage host its runs need (empty: none).
struct Workload {
    name: String,
    elf: PathBuf,
    host: Vec<String>,
    /// Scratch directory (exported preimages, state file for Cannon).
    scratch: PathBuf,
}

impl Workload {
    fn new(name: &str, dir: &Path) -> Result<Self, CliError> {
        let elf = dir.join(format!("{name}.elf"));
        if !elf.is_file() {
            return Err(CliError::fail(format!("{}: no such guest ELF", elf.display())));
        }
        let scratch = std::env::temp_dir().join(format!("rampart-bench-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&scratch).map_err(|e| CliError::fail(format!("{}: {e}", scratch.display())))?;
        let mut host = Vec::new();
        if name == "rust-executor" {
            let f = rampart_executor::fixture::load_fixture(Path::new(EXECUTOR_BLOCK))
                .map_err(|e| CliError::fail(format!("{EXECUTOR_BLOCK}: {e}")))?;
            let kv = scratch.join("kv");
            let x = super::execute_block::export(&f, &kv)?;
            let exe = std::env::current_exe().map_err(|e| CliError::fail(e.to_string()))?;
            host = [
                exe.display().to_string(),
                "host".into(),
                "--server".into(),
                "--data-dir".into(),
                kv.display().to_string(),
                "--l1-head".into(),
                format!("0x{}", hex::encode(x.parent_hash)),
                "--l2-output-root".into(),
                format!("0x{}", hex::encode(x.attributes_hash)),
                "--l2-claim".into(),
                format!("0x{}", hex::encode(x.claimed_hash)),
                "--l2-block-number".into(),
                x.block_number.to_string(),
                "--l2-chain-id".into(),
                x.chain_id.to_string(),
            ]
            .to_vec();
        } else if name == "rampart-program" {
            let exe = std::env::current_exe().map_err(|e| CliError::fail(e.to_string()))?;
            host = program_host(&exe, &scratch)?;
        }
        Ok(Workload { name: name.to_string(), elf, host, scratch })
    }

    /// A VM over `state` with this workload's host (a fresh host process per VM).
    fn vm(&self, state: State) -> Result<(Vm, Option<crate::host_process::HostChild>), CliError> {
        let vm = Vm::new(state);
        if self.host.is_empty() {
            return Ok((vm, None));
        }
        let (mut pipes, child) = HostProcess::spawn(&self.host, None).map_err(CliError::fail)?;
        // Wait until the host serves (local key 1, the L1 head), so timed runs exclude its start-up as Cannon's
        // figures exclude Cannon's (the VM asks for that key again itself; the host's count includes this one).
        let l1_head_key = rampart_primitives::local_key(rampart_primitives::LocalKey::L1Head.index());
        pipes.get_preimage(l1_head_key).map_err(|e| CliError::fail(format!("{}: host not serving: {e}", self.name)))?;
        let oracle: Box<dyn PreimageOracle> = Box::new(pipes);
        Ok((vm.with_oracle(oracle), Some(child)))
    }
}

impl Drop for Workload {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.scratch);
    }
}

/// Runs `initial` to the end with translation `on`; returns (steps, seconds, final VM).
fn timed_run(w: &Workload, initial: &State, on: bool) -> Result<(u64, f64, Vm), CliError> {
    let (mut vm, child) = w.vm(initial.clone())?;
    vm.set_translation(on);
    let t = Instant::now();
    let steps = vm.run(u64::MAX).map_err(|e| CliError::fail(format!("{}: VM error {e}", w.name)))?;
    let secs = t.elapsed().as_secs_f64();
    if let Some(c) = child {
        c.shutdown();
    }
    Ok((steps, secs, vm))
}

/// Cannon's `run` on the same initial state: wall seconds of the run minus those of a run that stops at step 0
/// (its start-up: it decodes 128 MiB of instruction cache eagerly), and that start-up; an error if its final
/// state differs from Rampart's.
fn cannon_run(cannon: &Path, w: &Workload, initial: &State, want: [u8; 32]) -> Result<(f64, f64), CliError> {
    let input = w.scratch.join("cannon-in.bin.gz");
    let output = w.scratch.join("cannon-out.bin.gz");
    rampart_vm::state_file::write_state(&input, initial).map_err(|e| CliError::fail(e.to_string()))?;
    let run = |extra: &[&str], out: &str| -> Result<f64, CliError> {
        let mut cmd = Command::new(cannon);
        cmd.args(["run", "--input", input.to_str().unwrap_or_default(), "--output", out, "--meta", ""]);
        cmd.args(["--info-at", "never"]).args(extra);
        if !w.host.is_empty() {
            cmd.arg("--").args(&w.host);
        }
        let t = Instant::now();
        let st = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status();
        let st = st.map_err(|e| CliError::fail(format!("{}: {e}", cannon.display())))?;
        if !st.success() {
            return Err(CliError::fail(format!("cannon failed on {}: {st}", w.name)));
        }
        Ok(t.elapsed().as_secs_f64())
    };
    let startup = run(&["--stop-at", "=0"], "")?;
    let total = run(&[], output.to_str().unwrap_or_default())?;
    let mut fin = rampart_vm::state_file::read_state(&output).map_err(|e| CliError::fail(e.to_string()))?;
    if fin.state_hash() != want {
        return Err(CliError::fail(format!("{}: Cannon's final state differs from Rampart's", w.name)));
    }
    Ok((total - startup, startup))
}

fn default_cannon() -> PathBuf {
    let cache = std::env::var_os("RAMPART_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/rampart"));
    cache.join("bin/cannon")
}

/// Runs the benchmark and prints one table row per guest.
pub fn run(args: BenchArgs) -> Result<(), CliError> {
    let cannon = if args.no_cannon {
        None
    } else {
        Some(args.cannon.clone().unwrap_or_else(default_cannon)).filter(|p| p.is_file())
    };
    println!(
        "{:<14} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8} {:>8} {:>9}",
        "guest",
        "steps",
        "interp/s",
        "jit/s",
        "cannon/s",
        "jit/cann",
        "int/cann",
        "jit/qemu",
        "int/qemu",
        "mem MiB",
        "root ms",
        "proof ms"
    );
    let mut startup = None;
    for name in &args.guests {
        let w = Workload::new(name, &args.dir)?;
        let data = std::fs::read(&w.elf).map_err(|e| CliError::fail(format!("{}: {e}", w.elf.display())))?;
        let elf = Elf::parse(&data).map_err(|e| CliError::fail(format!("{}: {e}", w.elf.display())))?;
        let initial = elf.load().map_err(|e| CliError::fail(e.to_string()))?;

        // 1. Plain runs: interpreter, then translation.
        let (steps, int_secs, mut int_vm) = timed_run(&w, &initial, false)?;
        let (jit_steps, jit_secs, mut vm) = timed_run(&w, &initial, true)?;
        let final_hash = vm.state.state_hash();
        if jit_steps != steps || int_vm.state.state_hash() != final_hash {
            return Err(CliError::fail(format!("{name}: translated and interpreted runs disagree")));
        }
        drop(int_vm);

        // 2. Memory root after the run (every page touched since load is dirty), on a fresh run's memory.
        let (_, _, mut fresh) = timed_run(&w, &initial, true)?;
        let t = Instant::now();
        let _ = fresh.state.memory.merkle_root();
        let root_ms = ms(t.elapsed());
        let mem_mib = fresh.state.memory.usage_bytes() as f64 / (1 << 20) as f64;
        drop(fresh);

        // 3. Proof of the last step from a snapshot `snapshot_distance` steps earlier (through the state file).
        let snap_step = steps.saturating_sub(args.snapshot_distance);
        let (mut snap_vm, child) = w.vm(initial.clone())?;
        snap_vm.run(snap_step).map_err(|e| CliError::fail(e.to_string()))?;
        let snapshot_bytes = rampart_vm::state_file::encode(&snap_vm.state);
        drop(snap_vm);
        if let Some(c) = child {
            c.shutdown();
        }
        let t = Instant::now();
        let snapshot = rampart_vm::state_file::decode(&snapshot_bytes).map_err(|e| CliError::fail(e.to_string()))?;
        let (mut replay, child) = w.vm(snapshot)?;
        replay.run(steps - 1 - snap_step).map_err(|e| CliError::fail(e.to_string()))?;
        let wit = replay.step(true).map_err(|e| CliError::fail(e.to_string()))?;
        let post = replay.state.state_hash();
        let proof_ms = ms(t.elapsed());
        drop(replay);
        if let Some(c) = child {
            c.shutdown();
        }
        if wit.is_none() || post != final_hash {
            return Err(CliError::fail(format!("{name}: replayed proof does not reach the final state")));
        }
        drop(vm);

        // 4. Cannon and qemu on the same program.
        let cannon_secs = match &cannon {
            Some(c) => {
                let (secs, up) = cannon_run(c, &w, &initial, final_hash)?;
                startup = Some(up);
                // A run within the noise of Cannon's start-up has no meaningful rate.
                Some(secs).filter(|&s| s > 0.05)
            }
            None => None,
        };
        let qemu_secs = if args.no_qemu || !w.host.is_empty() {
            None // hosted guests talk to the preimage oracle over fds 3-6, which qemu does not provide
        } else {
            let t = Instant::now();
            let st = Command::new("qemu-mips64-static")
                .arg(&w.elf)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map_err(|e| {
                    CliError::fail(format!("qemu-mips64-static: {e} (install qemu-user-static or pass --no-qemu)"))
                })?;
            let secs = t.elapsed().as_secs_f64();
            if st.code().is_none() {
                return Err(CliError::fail(format!("qemu died on {name}: {st}")));
            }
            Some(secs)
        };
        let rate = |secs: f64| format!("{:.1}M", steps as f64 / secs / 1e6);
        let ratio = |other: Option<f64>, ours: f64| other.map_or("-".to_string(), |o| format!("{:.1}x", o / ours));
        println!(
            "{:<14} {:>11} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>8.1} {:>8.2} {:>9.1}",
            name,
            steps,
            rate(int_secs),
            rate(jit_secs),
            cannon_secs.map_or("-".to_string(), rate),
            ratio(cannon_secs, jit_secs),
            ratio(cannon_secs, int_secs),
            ratio(qemu_secs, jit_secs),
            ratio(qemu_secs, int_secs),
            mem_mib,
            root_ms,
            proof_ms
        );
    }
    println!("(steps/s of a run to the end with the interpreter and with translation to host code; x/cann and x/qemu:");
    println!(
        " speed relative to upstream Cannon (its start-up excluded) and to qemu-mips64-static, from wall times of"
    );
    println!(" the same run; proof ms: replay from a snapshot at most --snapshot-distance steps before the last step,");
    println!(" then the proof of the last step)");
    match (startup, &cannon) {
        (Some(up), _) => println!("cannon start-up (run stopped at step 0): {:.0} ms", up * 1e3),
        (None, None) if !args.no_cannon => {
            println!("cannon: not built (bash scripts/build-cannon.sh builds it), columns left empty")
        }
        _ => {}
    }
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
