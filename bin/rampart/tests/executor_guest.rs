//! The OP block executor as a MIPS64 guest (`guests/bin/rust-executor.elf`) in Rampart's VM, with
//! `rampart host --server` serving the store that `rampart execute-block --export` writes: every OP Sepolia
//! fixture block reaches its expected hash (guest exit 0, status byte VALID); a wrong claimed hash, a wrong
//! chain id and a withheld attributes preimage do not.
//!
//! Each run prints its VM steps, guest memory and wall time (`cargo test --release -p rampart --test
//! executor_guest -- --nocapture` shows them).

mod common;

use common::{fixture_dir, load_elf, rampart, rampart_bin, repo, BLOCKS};
use std::path::Path;
use std::time::Instant;

/// The host flags `execute-block --export` printed.
struct Exported {
    flags: Vec<String>,
}

impl Exported {
    fn flag(&self, name: &str) -> &str {
        let i = self.flags.iter().position(|f| f == name).unwrap_or_else(|| panic!("{name} not exported"));
        &self.flags[i + 1]
    }

    fn with(&self, name: &str, value: &str) -> Exported {
        let mut flags = self.flags.clone();
        let i = flags.iter().position(|f| f == name).unwrap();
        flags[i + 1] = value.to_string();
        Exported { flags }
    }
}

fn export(block: u64, work: &Path) -> Exported {
    let json = fixture_dir().join(format!("block-{block}.json"));
    let kv = work.join("kv");
    let o = rampart(&["execute-block", "--fixture", json.to_str().unwrap(), "--export", kv.to_str().unwrap()], work);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "export: {stdout}{}", String::from_utf8_lossy(&o.stderr));
    let line = stdout.lines().find_map(|l| l.strip_prefix("host args: ")).expect("host args line");
    Exported { flags: line.split_whitespace().map(str::to_string).collect() }
}

/// Result of one VM run of the executor guest.
struct Run {
    exit_code: u64,
    status_byte: u8,
    steps: u64,
    memory: u64,
    stdout: String,
    stderr: String,
    secs: f64,
}

/// Loads the guest ELF, runs it against `rampart host --server` on the exported store, and reads the final
/// witness and the VM's debug info.
fn run_guest(work: &Path, x: &Exported) -> Result<Run, String> {
    run_elf(work, x, "rust-executor.elf")
}

/// [`run_guest`] with another build of the guest (`rust-executor-unaccelerated.elf`).
fn run_elf(work: &Path, x: &Exported, elf_name: &str) -> Result<Run, String> {
    let elf = repo().join("guests/bin").join(elf_name);
    let state = work.join("state.bin.gz");
    load_elf(&elf, &state, None, work);
    let (out, debug) = (work.join("out.bin.gz"), work.join("debug.json"));
    let kv = work.join("kv");
    let mut args: Vec<&str> = vec![
        "run",
        "--input",
        state.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--meta",
        "",
        "--info-at",
        "%100000000",
        "--debug-info",
        debug.to_str().unwrap(),
        "--",
        rampart_bin(),
        "host",
        "--server",
        "--data-dir",
        kv.to_str().unwrap(),
    ];
    args.extend(x.flags.iter().map(String::as_str));
    let t = Instant::now();
    let o = rampart(&args, work);
    let secs = t.elapsed().as_secs_f64();
    let (stdout, stderr) =
        (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned());
    if !o.status.success() {
        return Err(format!("rampart run failed: {stdout}{stderr}"));
    }
    let w = rampart(&["witness", "--input", out.to_str().unwrap()], work);
    assert!(w.status.success(), "witness: {}", String::from_utf8_lossy(&w.stderr));
    let w: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
    assert_eq!(w["exited"], true, "guest did not exit: {stderr}");
    let hash = w["witnessHash"].as_str().unwrap();
    let status_byte = u8::from_str_radix(&hash[2..4], 16).unwrap();
    let d: serde_json::Value = serde_json::from_slice(&std::fs::read(&debug).unwrap()).unwrap();
    let memory = u64::from_str_radix(d["memory_used"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    Ok(Run {
        exit_code: w["exitCode"].as_u64().unwrap(),
        status_byte,
        steps: d["total_steps"].as_u64().unwrap(),
        memory,
        stdout,
        stderr,
        secs,
    })
}

fn report(label: &str, r: &Run) {
    println!(
        "{label}: exit {} steps {} ({:.2} G) guest memory {} bytes ({:.1} MiB) wall {:.1} s",
        r.exit_code,
        r.steps,
        r.steps as f64 / 1e9,
        r.memory,
        r.memory as f64 / (1 << 20) as f64,
        r.secs
    );
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines().find_map(|l| l.strip_prefix(name).map(|r| r.trim_start_matches(':').trim())).unwrap_or("")
}

/// VM steps of each fixture block with accelerated precompiles (`rust-executor.elf`) and without
/// (`rust-executor-unaccelerated.elf`). The guests are reproducible builds and the VM is deterministic, so the
/// counts are exact; the README table quotes them.
const STEPS_ACCELERATED: [u64; 6] = [27_696_370, 199_042_435, 159_718_203, 65_879_269, 540_140_753, 423_706_123];
const STEPS_UNACCELERATED: [u64; 6] = [94_556_018, 406_861_697, 510_655_074, 266_864_883, 1_706_759_618, 1_367_137_431];

fn block_valid(i: usize) {
    let (block, expected) = BLOCKS[i];
    let work = common::workdir("exec-guest", &block.to_string());
    let x = export(block, &work);
    assert_eq!(x.flag("--l2-claim"), expected);
    assert_eq!(x.flag("--l2-block-number"), block.to_string());
    assert_eq!(x.flag("--l2-chain-id"), "11155420");
    let mut steps = [0u64; 2];
    for (k, elf) in ["rust-executor.elf", "rust-executor-unaccelerated.elf"].into_iter().enumerate() {
        let r = run_elf(&work, &x, elf).unwrap();
        report(&format!("block {block} {elf}"), &r);
        assert_eq!(r.exit_code, 0, "block {block} {elf}: {}{}", r.stdout, r.stderr);
        assert_eq!(r.status_byte, 0, "VALID status byte");
        assert_eq!(field(&r.stdout, "block hash"), expected);
        assert_eq!(field(&r.stdout, "result"), "valid");
        steps[k] = r.steps;
    }
    println!(
        "block {block}: {} steps accelerated, {} unaccelerated ({:.1} % fewer)",
        steps[0],
        steps[1],
        100.0 * (1.0 - steps[0] as f64 / steps[1] as f64)
    );
    assert_eq!(steps, [STEPS_ACCELERATED[i], STEPS_UNACCELERATED[i]], "block {block}: VM steps");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn block_26207960_in_the_vm() {
    block_valid(0);
}
#[test]
fn block_26207961_in_the_vm() {
    block_valid(1);
}
#[test]
fn block_26207962_in_the_vm() {
    block_valid(2);
}
#[test]
fn block_26207963_in_the_vm() {
    block_valid(3);
}
#[test]
fn block_26208384_in_the_vm() {
    block_valid(4);
}
#[test]
fn block_26208858_in_the_vm() {
    block_valid(5);
}

#[test]
fn wrong_claimed_hash_is_invalid() {
    let (block, expected) = BLOCKS[0];
    let work = common::workdir("exec-guest", "wrong-claim");
    let x = export(block, &work);
    let mut wrong = expected.to_string();
    wrong.replace_range(65.., if expected.ends_with('0') { "1" } else { "0" });
    let r = run_guest(&work, &x.with("--l2-claim", &wrong)).unwrap();
    report("wrong claim", &r);
    assert_eq!(r.exit_code, 1, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.status_byte, 1, "INVALID status byte");
    assert_eq!(field(&r.stdout, "block hash"), expected, "the guest still computes the real hash");
    assert_eq!(field(&r.stdout, "claimed hash"), wrong);
    assert!(field(&r.stdout, "result").starts_with("invalid"));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn wrong_chain_id_is_rejected_before_execution() {
    let (block, _) = BLOCKS[0];
    let work = common::workdir("exec-guest", "wrong-chain");
    let x = export(block, &work);
    let r = run_guest(&work, &x.with("--l2-chain-id", "10")).unwrap();
    assert_eq!(r.exit_code, 1);
    assert_eq!(r.status_byte, 1);
    assert!(r.stderr.contains("chain config is for chain 11155420, local input says 10"), "{}", r.stderr);
    assert!(!r.stdout.contains("block hash"), "no block was built: {}", r.stdout);
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn withheld_attributes_preimage_fails_the_run() {
    let (block, _) = BLOCKS[0];
    let work = common::workdir("exec-guest", "withheld");
    let x = export(block, &work);
    // The directory store keeps the attributes blob under its type-2 key: <dir>/<4 hex>/<60 hex>.txt.
    let h = x.flag("--l2-output-root").trim_start_matches("0x").to_string();
    let key = format!("02{}", &h[2..]);
    let path = work.join("kv").join(&key[..4]).join(format!("{}.txt", &key[4..]));
    std::fs::remove_file(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let err = run_guest(&work, &x).err().expect("the run cannot finish without the attributes");
    assert!(err.contains(&format!("0x{key}")), "missing key named: {err}");
    let _ = std::fs::remove_dir_all(&work);
}

/// Removes every type-6 file (precompile answer) from the exported directory store and returns how many there were.
fn remove_precompile_answers(kv: &Path) -> usize {
    let mut removed = 0;
    for dir in std::fs::read_dir(kv).unwrap() {
        let dir = dir.unwrap().path();
        if dir.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.len() == 4 && n.starts_with("06")) {
            removed += std::fs::read_dir(&dir).unwrap().count();
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }
    removed
}

/// The host answers the accelerated guest's `l1-precompile` hints by running the precompile natively (as
/// kona-host does): with every exported precompile answer removed from the store, the guest still rebuilds the
/// real OP Sepolia block (sender recovery of its 9 signed transactions goes through the oracle), so each answer the host
/// computed equals what native execution gives.
#[test]
fn host_computes_precompile_answers_from_hints() {
    let (block, expected) = BLOCKS[0];
    let work = common::workdir("exec-guest", "host-precompiles");
    let x = export(block, &work);
    let removed = remove_precompile_answers(&work.join("kv"));
    // One sender recovery per signed transaction: 9 of the block's 10 (the first is the L1-info deposit).
    assert_eq!(removed, 9, "block {block}: precompile answers exported");
    let r = run_guest(&work, &x).unwrap();
    report("host-computed precompiles", &r);
    assert_eq!(r.exit_code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.status_byte, 0);
    assert_eq!(field(&r.stdout, "block hash"), expected);
    let hints: usize = r
        .stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix("host: served ")?.split(", ").nth(1)?.strip_suffix(" hints acknowledged")?.parse().ok()
        })
        .unwrap_or_else(|| panic!("no host report: {}", r.stderr));
    assert!(hints >= removed, "{hints} hints for {removed} precompile answers");
    let _ = std::fs::remove_dir_all(&work);
}
