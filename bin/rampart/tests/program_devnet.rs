//! The fault-proof program on the recorded devnet (`testdata/devnet`: real geth + op-geth, Holocene at genesis,
//! Isthmus from L2 block 12, Jovian from 16, Karst from 20) through the command line, from the dataset's
//! preimages unpacked into a `directory` store:
//! * natively, `rampart host --native <claim's host flags>` on the valid and wrong claims of the blocks below
//!   (every one of the 48 claims runs natively in `crates/program/tests/it/devnet.rs` and
//!   `crates/devnet/tests/dataset.rs`): exit 0 for each valid one, exit 1 for each wrong one;
//! * in the VM, `guests/bin/rampart-program.elf` under `rampart run ... -- rampart host --server <flags>` on the
//!   valid and wrong claims of the first block, each activation block (Isthmus, Jovian, Karst), the block after
//!   Karst's (derived from the system config read back from the activation block, upgrade gas left out) and the
//!   last block:
//!   the guest's exit code is the verdict, and its step count (deterministic) is asserted.

mod common;

use common::{load_elf, rampart, rampart_bin, repo, workdir};
use std::path::{Path, PathBuf};

struct Claim {
    block: u64,
    valid: bool,
    /// kona-host flags with the dataset's relative paths resolved.
    flags: Vec<String>,
}

/// The dataset's claims, their `--data-dir preimages` pointing at `store` and the configs at the dataset's files.
fn claims(store: &Path) -> Vec<Claim> {
    let data = repo().join("testdata/devnet");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(data.join("claims.json")).unwrap()).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|c| Claim {
            block: c["l2_block"].as_u64().unwrap(),
            valid: c["valid"].as_bool().unwrap(),
            flags: c["host_args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| match a.as_str().unwrap() {
                    "preimages" => store.to_str().unwrap().to_string(),
                    f @ ("rollup.json" | "l1-config.json") => data.join(f).to_str().unwrap().to_string(),
                    other => other.to_string(),
                })
                .collect(),
        })
        .collect()
}

fn unpacked(work: &Path) -> PathBuf {
    let dir = work.join("preimages");
    rampart_host::dump::unpack(&repo().join("testdata/devnet/preimages.kv.gz"), &dir).unwrap();
    dir
}

#[test]
fn host_native_gives_the_recorded_verdicts_across_the_forks() {
    let work = workdir("program-devnet", "native");
    let store = unpacked(&work);
    let claims = claims(&store);
    let (mut valid, mut wrong) = (0, 0);
    for c in claims.iter().filter(|c| VM_RUNS.iter().any(|r| r.0 == c.block)) {
        let mut args = vec!["host", "--native"];
        args.extend(c.flags.iter().map(String::as_str));
        let o = rampart(&args, &work);
        let code = o.status.code();
        assert_eq!(
            code,
            Some(if c.valid { 0 } else { 1 }),
            "block {} valid {}: {}",
            c.block,
            c.valid,
            String::from_utf8_lossy(&o.stderr)
        );
        if c.valid {
            valid += 1;
        } else {
            wrong += 1;
        }
    }
    println!("host --native: {valid} valid claims exit 0, {wrong} wrong claims exit 1");
    assert_eq!((valid, wrong), (6, 6));
    let _ = std::fs::remove_dir_all(&work);
}

/// (L2 block, VM steps of the valid claim's run, of the wrong claim's run): the first block, the Isthmus,
/// Jovian and Karst activation blocks, the block after Karst's, and the last block.
const VM_RUNS: [(u64, u64, u64); 6] = [
    (1, 18_448_196, 18_449_108),
    (12, 212_678_833, 212_679_745),
    (16, 214_122_593, 214_123_507),
    (20, 426_951_266, 426_952_178),
    (21, 460_141_232, 460_142_144),
    (24, 452_825_951, 452_826_863),
];

/// Runs the program guest against `rampart host --server` with `flags`; returns (exit code, steps).
fn run_vm(work: &Path, state: &Path, flags: &[String], name: &str) -> (u64, u64) {
    let (out, debug) = (work.join(format!("{name}.bin.gz")), work.join(format!("{name}.json")));
    let mut args: Vec<&str> = vec![
        "run",
        "--input",
        state.to_str().unwrap(),
        "--output",
        out.to_str().unwrap(),
        "--meta",
        "",
        "--info-at",
        "never",
        "--debug-info",
        debug.to_str().unwrap(),
        "--",
        rampart_bin(),
        "host",
        "--server",
    ];
    args.extend(flags.iter().map(String::as_str));
    let o = rampart(&args, work);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "rampart run {name}: {stderr}");
    let w = rampart(&["witness", "--input", out.to_str().unwrap()], work);
    assert!(w.status.success(), "witness: {}", String::from_utf8_lossy(&w.stderr));
    let w: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
    assert_eq!(w["exited"], true, "{name}: guest did not exit: {stderr}");
    let d: serde_json::Value = serde_json::from_slice(&std::fs::read(&debug).unwrap()).unwrap();
    (w["exitCode"].as_u64().unwrap(), d["total_steps"].as_u64().unwrap())
}

#[test]
fn program_guest_in_the_vm_gives_the_verdicts_across_the_forks() {
    let work = workdir("program-devnet", "vm");
    let store = unpacked(&work);
    let claims = claims(&store);
    let state = work.join("state.bin.gz");
    load_elf(&repo().join("guests/bin/rampart-program.elf"), &state, None, &work);
    let mut measured = Vec::new();
    for (block, _, _) in VM_RUNS {
        let mut steps = [0u64; 2];
        for (i, valid) in [true, false].into_iter().enumerate() {
            let c = claims.iter().find(|c| c.block == block && c.valid == valid).unwrap();
            let (exit, n) = run_vm(&work, &state, &c.flags, &format!("b{block}-{valid}"));
            assert_eq!(exit, if valid { 0 } else { 1 }, "block {block} valid {valid}");
            println!("VM: block {block} valid {valid}: exit {exit}, {n} steps");
            steps[i] = n;
        }
        measured.push((block, steps[0], steps[1]));
    }
    assert_eq!(measured, VM_RUNS);
    let _ = std::fs::remove_dir_all(&work);
}
