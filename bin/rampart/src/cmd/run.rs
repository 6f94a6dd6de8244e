//! `rampart run`: Cannon's `run` (step matchers, proofs, snapshots, host process, debug info).

use crate::host_process::{HostChild, HostProcess};
use crate::matcher::StepMatcher;
use crate::CliError;
use rampart_vm::elf::Metadata;
use rampart_vm::proof::ProofJson;
use rampart_vm::state_file::{self, is_binary_path, write_atomic};
use rampart_vm::{PreimageOracle, State, Vm};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Flags of `run`, with Cannon's names and defaults.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Path of the input state (.bin / .bin.gz).
    #[arg(long, default_value = "state.bin.gz")]
    pub input: String,
    /// Path of the output state; empty: not written; `-`: stdout.
    #[arg(long, default_value = "out.bin.gz")]
    pub output: String,
    /// Step matcher for proof output (never, always, =N, %N).
    #[arg(long = "proof-at", default_value = "never")]
    pub proof_at: String,
    /// printf-style path of proof files (%d = step); `-`: stdout; `.gz`: gzipped.
    #[arg(long = "proof-fmt", default_value = "proof-%d.json")]
    pub proof_fmt: String,
    /// Step matcher for state snapshots.
    #[arg(long = "snapshot-at", default_value = "never")]
    pub snapshot_at: String,
    /// printf-style path of snapshots (%d = step); must be .bin or .bin.gz.
    #[arg(long = "snapshot-fmt", default_value = "state-%d.bin.gz")]
    pub snapshot_fmt: String,
    /// Step matcher: stop before executing the matching step.
    #[arg(long = "stop-at", default_value = "never")]
    pub stop_at: String,
    /// Stop after a step that reads this preimage: `<key prefix hex>[@offset]`.
    #[arg(long = "stop-at-preimage", default_value = "")]
    pub stop_at_preimage: String,
    /// Stop after a step that reads a preimage of this type (local|keccak|sha256|blob|precompile|any).
    #[arg(long = "stop-at-preimage-type", default_value = "")]
    pub stop_at_preimage_type: String,
    /// Stop after a step that reads a preimage larger than this many bytes (0 = off).
    #[arg(long = "stop-at-preimage-larger-than", default_value_t = 0)]
    pub stop_at_preimage_larger_than: u64,
    /// Symbols file (meta.json); empty: none.
    #[arg(long, default_value = "meta.json")]
    pub meta: String,
    /// Step matcher for progress lines.
    #[arg(long = "info-at", default_value = "%1000000000")]
    pub info_at: String,
    /// Accepted for compatibility; CPU profiles are not written.
    #[arg(long = "pprof.cpu", default_value_t = false)]
    pub pprof_cpu: bool,
    /// Print the guest symbol with VM panics (needs --meta).
    #[arg(long, default_value_t = false)]
    pub debug: bool,
    /// Write debug counters as JSON to this path.
    #[arg(long = "debug-info", default_value = "")]
    pub debug_info: String,
    /// Fail the run when the preimage host has not started answering a hint or a preimage request within this
    /// long (`30s`, `500ms`, `2m`; a bare number is seconds). Off by default, as in Cannon.
    #[arg(long = "preimage-timeout", value_name = "DURATION", value_parser = crate::cmd::parse_duration)]
    pub preimage_timeout: Option<std::time::Duration>,
    /// Preimage server command, started with fds 3-6 wired to the VM.
    #[arg(last = true)]
    pub host: Vec<String>,
}

fn format_step(fmt: &str, step: u64) -> String {
    fmt.replacen("%d", &step.to_string(), 1)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PreimageStop {
    Off,
    Key { prefix_len: usize, prefix: [u8; 32], offset: Option<u64> },
}

fn parse_preimage_type(s: &str) -> Result<Option<u8>, CliError> {
    Ok(match s {
        "" => None,
        "any" => Some(0),
        "local" => Some(1),
        "keccak" => Some(2),
        "sha256" => Some(4),
        "blob" => Some(5),
        "precompile" => Some(6),
        other => return Err(CliError::usage(format!("invalid --stop-at-preimage-type {other:?}"))),
    })
}

fn parse_preimage_stop(s: &str) -> Result<PreimageStop, CliError> {
    if s.is_empty() {
        return Ok(PreimageStop::Off);
    }
    let mut parts = s.split('@');
    let key = parts.next().unwrap_or_default().trim_start_matches("0x");
    let bytes = rampart_primitives::hex::decode(key)
        .map_err(|e| CliError::usage(format!("invalid --stop-at-preimage key {key:?}: {e}")))?;
    if bytes.is_empty() || bytes.len() > 32 {
        return Err(CliError::usage("invalid --stop-at-preimage: key prefix must be 1..32 bytes"));
    }
    let mut prefix = [0u8; 32];
    prefix[..bytes.len()].copy_from_slice(&bytes);
    let offset = match parts.next() {
        Some(o) => Some(
            crate::matcher::parse_uint_base0(o)
                .ok_or_else(|| CliError::usage(format!("invalid --stop-at-preimage offset {o:?}")))?,
        ),
        None => None,
    };
    Ok(PreimageStop::Key { prefix_len: bytes.len(), prefix, offset })
}

/// Counters written by `--debug-info`, with Cannon's field names.
#[derive(Serialize, Debug)]
struct DebugInfo {
    pages: usize,
    memory_used: String,
    num_preimage_requests: u64,
    total_preimage_size: u64,
    total_steps: u64,
    instruction_cache_miss_count: u64,
    highest_icache_miss_pc: String,
    rmw_success_count: u64,
    rmw_fail_count: u64,
    max_steps_between_ll_and_sc: u64,
    reservation_invalidation_count: u64,
    forced_preemption_count: u64,
    idle_step_count_thread_0: u64,
}

/// Writes a JSON document like Cannon's jsonutil (gzip when the path ends in .gz; `-` = stdout).
fn write_json_file(path: &str, json: &str) -> Result<(), CliError> {
    let bytes = if path.ends_with(".gz") { state_file::gzip(json.as_bytes()) } else { json.as_bytes().to_vec() };
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::fail(format!("creating {}: {e}", dir.display())))?;
    }
    write_atomic(Path::new(path), &bytes).map_err(|e| CliError::fail(e.to_string()))
}

fn write_state_file(path: &str, state: &State) -> Result<(), CliError> {
    if let Some(dir) = Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| CliError::fail(format!("creating {}: {e}", dir.display())))?;
    }
    state_file::write_state(&PathBuf::from(path), state).map_err(|e| CliError::fail(e.to_string()))
}

/// Runs `rampart run`.
pub fn run(args: RunArgs) -> Result<(), CliError> {
    let proof_at = StepMatcher::parse(&args.proof_at).map_err(|e| CliError::usage(format!("--proof-at: {e}")))?;
    let snapshot_at =
        StepMatcher::parse(&args.snapshot_at).map_err(|e| CliError::usage(format!("--snapshot-at: {e}")))?;
    let stop_at = StepMatcher::parse(&args.stop_at).map_err(|e| CliError::usage(format!("--stop-at: {e}")))?;
    let info_at = StepMatcher::parse(&args.info_at).map_err(|e| CliError::usage(format!("--info-at: {e}")))?;
    let preimage_stop = parse_preimage_stop(&args.stop_at_preimage)?;
    let preimage_type = parse_preimage_type(&args.stop_at_preimage_type)?;
    if !args.output.is_empty() && args.output != "-" && !is_binary_path(&args.output) {
        return Err(CliError::usage(format!("--output {:?}: json not supported (use .bin or .bin.gz)", args.output)));
    }
    if !is_binary_path(&args.snapshot_fmt) {
        return Err(CliError::usage(format!("--snapshot-fmt {:?}: must be .bin or .bin.gz", args.snapshot_fmt)));
    }
    if args.debug && args.meta.is_empty() {
        return Err(CliError::usage("--debug requires --meta"));
    }
    crate::cmd::check_writable("--output", &args.output)?;
    crate::cmd::check_writable("--debug-info", &args.debug_info)?;
    let state = state_file::read_state(Path::new(&args.input)).map_err(|e| CliError::fail(e.to_string()))?;
    let meta: Option<Metadata> = if args.meta.is_empty() {
        None
    } else {
        Some(
            rampart_vm::elf::read_meta_file(Path::new(&args.meta))
                .map_err(|e| CliError::fail(format!("failed to load metadata {}: {e}", args.meta)))?,
        )
    };

    let mut host_child: Option<HostChild> = None;
    let oracle: Box<dyn PreimageOracle> = if args.host.is_empty() {
        Box::new(rampart_vm::NoOracle)
    } else {
        let (pipes, child) = HostProcess::spawn(&args.host, args.preimage_timeout).map_err(CliError::fail)?;
        host_child = Some(child);
        Box::new(pipes)
    };
    let stdout_taken = args.output == "-" || args.proof_fmt == "-";
    let guest_out: Box<dyn std::io::Write> =
        if stdout_taken { Box::new(std::io::stderr()) } else { Box::new(std::io::stdout()) };
    let mut vm = Vm::new(state).with_oracle(oracle).with_output(guest_out, Box::new(std::io::stderr()));

    let result =
        run_loop(&mut vm, &args, meta.as_ref(), proof_at, snapshot_at, stop_at, info_at, preimage_stop, preimage_type);
    let flushed = vm.flush_output();
    let state_out = std::mem::replace(&mut vm.state, State::new(0));
    let stats = vm.stats.clone();
    drop(vm);
    if let Some(child) = host_child {
        child.shutdown();
    }
    result?;
    flushed.map_err(|e| CliError::fail(e.to_string()))?;
    eprintln!("Execution stopped exited={} code={} step={}", state_out.exited, state_out.exit_code, state_out.step);
    if !args.output.is_empty() {
        write_state_file(&args.output, &state_out)?;
    }
    if !args.debug_info.is_empty() {
        let info = DebugInfo {
            pages: state_out.memory.page_count(),
            memory_used: format!("{:#x}", state_out.memory.usage_bytes()),
            num_preimage_requests: stats.num_preimage_requests,
            total_preimage_size: stats.total_preimage_size,
            total_steps: state_out.step,
            instruction_cache_miss_count: stats.instruction_cache_miss_count,
            highest_icache_miss_pc: format!("{:#x}", stats.highest_icache_miss_pc),
            rmw_success_count: stats.rmw_success_count,
            rmw_fail_count: stats.rmw_fail_count,
            max_steps_between_ll_and_sc: stats.max_steps_between_ll_and_sc,
            reservation_invalidation_count: stats.reservation_invalidation_count,
            forced_preemption_count: stats.forced_preemption_count,
            idle_step_count_thread_0: stats.idle_step_count_thread_0,
        };
        let mut json = serde_json::to_string_pretty(&info).expect("serializable");
        json.push('\n');
        write_json_file(&args.debug_info, &json)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn run_loop(
    vm: &mut Vm,
    args: &RunArgs,
    meta: Option<&Metadata>,
    proof_at: StepMatcher,
    snapshot_at: StepMatcher,
    stop_at: StepMatcher,
    info_at: StepMatcher,
    preimage_stop: PreimageStop,
    preimage_type: Option<u8>,
) -> Result<(), CliError> {
    let start = Instant::now();
    let start_step = vm.state.step;
    let per_step_checks =
        preimage_stop != PreimageStop::Off || preimage_type.is_some() || args.stop_at_preimage_larger_than > 0;
    while !vm.state.exited {
        let step = vm.state.step;
        if !per_step_checks {
            // Fast path: run in bulk up to the next step where any matcher fires.
            let next = [proof_at, snapshot_at, stop_at, info_at]
                .iter()
                .map(|m| m.next_at_or_after(step))
                .min()
                .unwrap_or(u64::MAX);
            if next > step {
                vm.run(next - step).map_err(|e| vm_error(vm, meta, e))?;
                continue;
            }
        }
        if info_at.matches(step) {
            let secs = start.elapsed().as_secs_f64();
            let ips = if secs > 0.0 { (step - start_step) as f64 / secs } else { 0.0 };
            let t = vm.state.current_thread();
            let pc = t.map(|t| t.pc).unwrap_or(0);
            let insn = vm.state.memory.peek_word(pc & !7);
            let insn = if pc & 4 == 0 { insn >> 32 } else { insn & 0xFFFF_FFFF };
            let name = meta.map(|m| m.lookup(pc).to_string()).unwrap_or_default();
            eprintln!(
                "INFO processing step={step} pc={pc:#010x} insn={insn:#010x} ips={ips:.0} pages={} mem={} name={name}",
                vm.state.memory.page_count(),
                human_bytes(vm.state.memory.usage_bytes()),
            );
        }
        if stop_at.matches(step) {
            eprintln!("INFO Reached stop step step={step}");
            break;
        }
        if snapshot_at.matches(step) {
            write_state_file(&format_step(&args.snapshot_fmt, step), &vm.state)?;
        }
        if proof_at.matches(step) {
            let witness = vm.step(true).map_err(|e| vm_error(vm, meta, e))?.expect("proof requested");
            let post = vm.state.state_hash();
            let proof = ProofJson::new(step, &witness, post);
            write_json_file(&format_step(&args.proof_fmt, step), &proof.to_json())?;
        } else {
            vm.step(false).map_err(|e| vm_error(vm, meta, e))?;
        }
        if per_step_checks {
            if let Some((key, len, offset)) = vm.last_preimage_read() {
                let key_hit = match preimage_stop {
                    PreimageStop::Off => false,
                    PreimageStop::Key { prefix_len, prefix, offset: want } => {
                        key[..prefix_len] == prefix[..prefix_len] && want.is_none_or(|o| o == offset)
                    }
                };
                let type_ok = preimage_type.is_none_or(|t| t == 0 || key[0] == t);
                let size_ok = args.stop_at_preimage_larger_than == 0 || len > args.stop_at_preimage_larger_than;
                let by_kind = (preimage_type.is_some() || args.stop_at_preimage_larger_than > 0) && type_ok && size_ok;
                if key_hit || by_kind {
                    eprintln!(
                        "INFO Stopping at preimage read key=0x{} offset={offset} step={}",
                        rampart_primitives::hex::Hex(&key),
                        vm.state.step
                    );
                    break;
                }
            }
        }
    }
    Ok(())
}

fn vm_error(vm: &Vm, meta: Option<&Metadata>, e: rampart_vm::VmError) -> CliError {
    let pc = vm.state.current_thread().map(|t| t.pc).unwrap_or(0);
    // Rust symbols are demangled (without the hash suffix); Go and assembly names are unchanged by it.
    let sym = meta.map(|m| format!(" in {:#}", rustc_demangle::demangle(m.lookup(pc)))).unwrap_or_default();
    let msg = format!("VM step {} at pc {pc:#x}{sym} failed: {e}", vm.state.step);
    if e.is_vm_panic() {
        CliError { code: 2, message: msg }
    } else {
        CliError::fail(msg)
    }
}

fn human_bytes(b: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i + 1 < UNITS.len() {
        v /= 1024.0;
        i += 1;
    }
    format!("{v:.1} {}", UNITS[i])
}
