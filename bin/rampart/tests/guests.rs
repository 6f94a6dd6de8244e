//! Every bundled guest (Rust, Go, assembly) through the `cannon`-compatible flow: load-elf, run with a proof and
//! progress lines, witness; output and exit code as expected; the same output as qemu-mips64 where the guest is
//! single-threaded Linux-compatible; the fast run loop equal to the reference step path on the whole run.

mod common;

use common::{load_elf, rampart};
use rampart_vm::elf::Elf;
use rampart_vm::Vm;
use std::path::PathBuf;
use std::process::Command;

struct Guest {
    name: String,
    kind: String,
    qemu: bool,
}

fn guests_dir() -> PathBuf {
    common::repo().join("guests")
}

fn manifest() -> Vec<Guest> {
    let text = std::fs::read_to_string(guests_dir().join("manifest.tsv")).expect("guests/manifest.tsv");
    let guests: Vec<Guest> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.starts_with("name"))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            assert!(f.len() >= 3, "bad manifest line {l:?}");
            Guest { name: f[0].to_string(), kind: f[1].to_string(), qemu: f[2] == "yes" }
        })
        .collect();
    assert!(guests.len() >= 10, "expected the full guest set, found {}", guests.len());
    guests
}

fn expected(name: &str) -> (Vec<u8>, String) {
    let d = guests_dir().join("expected");
    let stdout = std::fs::read(d.join(format!("{name}.stdout"))).unwrap_or_else(|e| panic!("{name}.stdout: {e}"));
    let exit = std::fs::read_to_string(d.join(format!("{name}.exit"))).unwrap_or_else(|e| panic!("{name}.exit: {e}"));
    (stdout, exit.trim().to_string())
}

fn elf_path(name: &str) -> PathBuf {
    guests_dir().join("bin").join(format!("{name}.elf"))
}

#[test]
fn every_guest_runs_through_the_cannon_flow() {
    let work = std::env::temp_dir().join(format!("rampart-guests-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    let mut count = 0;
    for g in manifest() {
        let (want_out, want_exit) = expected(&g.name);
        let elf = elf_path(&g.name);
        let state = work.join(format!("{}.bin.gz", g.name));
        let meta = work.join(format!("{}.meta.json", g.name));
        let out = work.join(format!("{}.out.bin.gz", g.name));
        load_elf(&elf, &state, Some(&meta), &work);
        let proof_fmt = work.join(format!("{}-proof-%d.json", g.name));
        let o = rampart(
            &[
                "run",
                "--input",
                state.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
                "--proof-at",
                "=1000",
                "--proof-fmt",
                proof_fmt.to_str().unwrap(),
                "--info-at",
                "%1000000",
                "--meta",
                meta.to_str().unwrap(),
            ],
            &work,
        );
        if want_exit == "panic" {
            assert_eq!(
                o.status.code(),
                Some(2),
                "{}: expected a VM panic: {}",
                g.name,
                String::from_utf8_lossy(&o.stderr)
            );
            // What the guest wrote before its fault is part of the expected behaviour too.
            assert_eq!(
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&want_out),
                "{}: guest stdout",
                g.name
            );
            count += 1;
            continue;
        }
        assert_eq!(o.status.code(), Some(0), "{}: run: {}", g.name, String::from_utf8_lossy(&o.stderr));
        assert_eq!(String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&want_out), "{}: guest stdout", g.name);
        let w = rampart(&["witness", "--input", out.to_str().unwrap()], &work);
        assert!(w.status.success());
        let wj: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
        assert_eq!(wj["exited"], true, "{}", g.name);
        assert_eq!(wj["exitCode"].to_string(), want_exit, "{}: exit code", g.name);
        let steps = wj["step"].as_u64().unwrap();
        if steps > 1000 {
            let p = std::fs::read_to_string(work.join(format!("{}-proof-1000.json", g.name))).expect("proof file");
            let pj: serde_json::Value = serde_json::from_str(&p).unwrap();
            assert_eq!(pj["step"], 1000);
            assert_eq!(pj["proof-data"].as_str().unwrap().len(), 2 + 2 * 6090);
        }
        count += 1;
        let _ = g.kind;
    }
    println!("guests: {count} ran through load-elf/run/witness with the expected results");
}

#[test]
fn qemu_gives_the_same_output_and_exit_code() {
    let qemu = Command::new("qemu-mips64-static").arg("--version").output();
    assert!(
        qemu.map(|o| o.status.success()).unwrap_or(false),
        "qemu-mips64-static is required (bash .ci/install-deps installs it)"
    );
    let mut count = 0;
    for g in manifest().into_iter().filter(|g| g.qemu) {
        let (want_out, want_exit) = expected(&g.name);
        let o = Command::new("qemu-mips64-static").arg(elf_path(&g.name)).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&want_out), "{}: qemu stdout", g.name);
        assert_eq!(o.status.code().map(|c| c.to_string()), Some(want_exit.clone()), "{}: qemu exit", g.name);
        count += 1;
    }
    println!("qemu: {count} guests match the VM's expected stdout and exit code");
    assert!(count >= 5);
}

#[test]
fn fast_loop_equals_reference_steps_on_whole_guests() {
    let mut total = 0u64;
    for g in manifest() {
        let (_, want_exit) = expected(&g.name);
        let data = std::fs::read(elf_path(&g.name)).unwrap();
        let state = Elf::parse(&data).unwrap().load().unwrap();
        let mut fast = Vm::new(state.clone());
        let fast_res = fast.run(u64::MAX);
        let mut reference = Vm::new(state);
        let mut ref_res = Ok(0);
        while !reference.state.exited {
            if let Err(e) = reference.step(false) {
                ref_res = Err(e);
                break;
            }
        }
        assert_eq!(fast_res.is_err(), ref_res.is_err(), "{}", g.name);
        assert_eq!(fast_res.is_err(), want_exit == "panic", "{}", g.name);
        assert_eq!(fast.state.step, reference.state.step, "{}", g.name);
        assert_eq!(fast.state.state_hash(), reference.state.state_hash(), "{}", g.name);
        total += reference.state.step;
    }
    println!("fast loop vs reference step path: {total} steps over all guests, identical final states");
}
