//! The `cannon`-compatible command line: formats, exit codes and error handling on bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

fn run(args: &[&str], dir: &Path) -> Output {
    rampart().args(args).current_dir(dir).output().expect("spawn rampart")
}

fn tmpdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn i(op: u32, rs: u32, rt: u32, imm: u16) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | u32::from(imm)
}

/// A minimal static big-endian MIPS64 ELF: write(1, msg), exit_group(code).
fn tiny_elf(msg: &[u8], code: u16) -> Vec<u8> {
    let base = 0x10000u64;
    let code_off = 120u64;
    let insns_len = 9 * 4;
    let msg_addr = base + code_off + insns_len;
    let insns = [
        i(0x09, 0, 2, 5001),
        i(0x09, 0, 4, 1),
        i(0x0F, 0, 5, (msg_addr >> 16) as u16),
        i(0x0D, 5, 5, msg_addr as u16),
        i(0x09, 0, 6, msg.len() as u16),
        0xC,
        i(0x09, 0, 2, 5205),
        i(0x09, 0, 4, code),
        0xC,
    ];
    let mut f = Vec::new();
    f.extend_from_slice(b"\x7fELF\x02\x02\x01\x00");
    f.extend_from_slice(&[0; 8]);
    f.extend_from_slice(&2u16.to_be_bytes());
    f.extend_from_slice(&8u16.to_be_bytes());
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&(base + code_off).to_be_bytes());
    f.extend_from_slice(&64u64.to_be_bytes());
    f.extend_from_slice(&0u64.to_be_bytes());
    f.extend_from_slice(&0u32.to_be_bytes());
    for v in [64u16, 56, 1, 64, 0, 0] {
        f.extend_from_slice(&v.to_be_bytes());
    }
    let total = code_off + insns_len + msg.len() as u64;
    f.extend_from_slice(&1u32.to_be_bytes());
    f.extend_from_slice(&5u32.to_be_bytes());
    f.extend_from_slice(&0u64.to_be_bytes());
    f.extend_from_slice(&base.to_be_bytes());
    f.extend_from_slice(&base.to_be_bytes());
    f.extend_from_slice(&total.to_be_bytes());
    f.extend_from_slice(&(total + 100).to_be_bytes()); // bss tail
    f.extend_from_slice(&8u64.to_be_bytes());
    assert_eq!(f.len(), code_off as usize);
    for w in insns {
        f.extend_from_slice(&w.to_be_bytes());
    }
    f.extend_from_slice(msg);
    f
}

fn one_error_line(out: &Output) {
    assert_eq!(out.status.code(), Some(1), "stderr: {}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn load_run_witness_and_proofs() {
    let d = tmpdir("flow");
    std::fs::write(d.join("hello.elf"), tiny_elf(b"hi there\n", 3)).unwrap();
    let o = run(
        &["load-elf", "--type", "multithreaded64-5", "--path", "hello.elf", "--out", "s.bin.gz", "--meta", "m.json"],
        &d,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run(
        &[
            "run",
            "--input",
            "s.bin.gz",
            "--output",
            "o.bin.gz",
            "--proof-at",
            "=5",
            "--proof-fmt",
            "p-%d.json",
            "--snapshot-at",
            "%4",
            "--snapshot-fmt",
            "snap-%d.bin",
            "--info-at",
            "%1000000",
            "--meta",
            "m.json",
        ],
        &d,
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(o.stdout, b"hi there\n");
    // proof JSON: the transition 5 -> 6 (the write syscall), oracle fields omitted
    let p: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(d.join("p-5.json")).unwrap()).unwrap();
    assert_eq!(p["step"], 5);
    assert_eq!(p["state-data"].as_str().unwrap().len(), 2 + 2 * 188);
    assert_eq!(p["proof-data"].as_str().unwrap().len(), 2 + 2 * 6090);
    assert!(p.get("oracle-key").is_none() && p.get("oracle-offset").is_none());
    assert!(d.join("snap-4.bin").exists() && d.join("snap-8.bin").exists());
    let o = run(&["witness", "--input", "o.bin.gz", "--output", "w.bin"], &d);
    assert!(o.status.success());
    let w: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(w["stateVersion"], 8);
    assert_eq!(w["exited"], true);
    assert_eq!(w["exitCode"], 3);
    assert_eq!(w["step"], 9);
    assert!(w["witnessHash"].as_str().unwrap().starts_with("0x02"), "status byte 2 for exit code 3");
    assert_eq!(std::fs::read(d.join("w.bin")).unwrap().len(), 188);
    // A snapshot resumes to the same final state.
    let o = run(&["run", "--input", "snap-4.bin", "--output", "o2.bin.gz", "--meta", ""], &d);
    assert!(o.status.success());
    let w2 = run(&["witness", "--input", "o2.bin.gz"], &d);
    assert_eq!(w2.stdout, run(&["witness", "--input", "o.bin.gz"], &d).stdout);
    // --stop-at stops before executing the step
    let o = run(&["run", "--input", "s.bin.gz", "--output", "stop.bin", "--stop-at", "=3", "--meta", ""], &d);
    assert!(o.status.success());
    let w3: serde_json::Value = serde_json::from_slice(&run(&["witness", "--input", "stop.bin"], &d).stdout).unwrap();
    assert_eq!(w3["step"], 3);
    assert_eq!(w3["exited"], false);
}

#[test]
fn state_files_round_trip_byte_for_byte() {
    let d = tmpdir("roundtrip");
    std::fs::write(d.join("hello.elf"), tiny_elf(b"x", 0)).unwrap();
    assert!(run(
        &["load-elf", "--type", "multithreaded64-5", "--path", "hello.elf", "--out", "a.bin", "--meta", ""],
        &d
    )
    .status
    .success());
    // run 0 steps: reading and writing back must give identical bytes
    assert!(run(&["run", "--input", "a.bin", "--output", "b.bin", "--stop-at", "=0", "--meta", ""], &d)
        .status
        .success());
    assert_eq!(std::fs::read(d.join("a.bin")).unwrap(), std::fs::read(d.join("b.bin")).unwrap());
    // gzip and raw hold the same state
    assert!(run(&["run", "--input", "a.bin", "--output", "c.bin.gz", "--stop-at", "=0", "--meta", ""], &d)
        .status
        .success());
    assert!(run(&["run", "--input", "c.bin.gz", "--output", "d.bin", "--stop-at", "=0", "--meta", ""], &d)
        .status
        .success());
    assert_eq!(std::fs::read(d.join("a.bin")).unwrap(), std::fs::read(d.join("d.bin")).unwrap());
}

#[test]
fn bad_input_gives_one_error_line_and_exit_1() {
    let d = tmpdir("bad");
    std::fs::write(d.join("junk.elf"), b"not an elf at all").unwrap();
    let mut le = tiny_elf(b"x", 0);
    le[5] = 1; // little-endian
    std::fs::write(d.join("le.elf"), &le).unwrap();
    let mut e32 = tiny_elf(b"x", 0);
    e32[4] = 1; // 32-bit class
    std::fs::write(d.join("e32.elf"), &e32).unwrap();
    let mut huge = tiny_elf(b"x", 0);
    huge[64 + 40..64 + 48].copy_from_slice(&(1u64 << 40).to_be_bytes()); // memsz 1 TiB
    std::fs::write(d.join("huge.elf"), &huge).unwrap();
    for elf in ["junk.elf", "le.elf", "e32.elf", "huge.elf", "missing.elf"] {
        one_error_line(&run(
            &["load-elf", "--type", "multithreaded64-5", "--path", elf, "--out", "x.bin", "--meta", ""],
            &d,
        ));
    }
    one_error_line(&run(&["load-elf", "--type", "multithreaded64-4", "--path", "junk.elf"], &d));
    // state files: truncated, corrupt gzip, wrong version, json name
    std::fs::write(d.join("hello.elf"), tiny_elf(b"x", 0)).unwrap();
    assert!(run(
        &["load-elf", "--type", "multithreaded64-5", "--path", "hello.elf", "--out", "ok.bin", "--meta", ""],
        &d
    )
    .status
    .success());
    let ok = std::fs::read(d.join("ok.bin")).unwrap();
    std::fs::write(d.join("trunc.bin"), &ok[..ok.len() / 2]).unwrap();
    std::fs::write(d.join("badgz.bin.gz"), b"\x1f\x8b\x08garbage").unwrap();
    let mut v7 = ok.clone();
    v7[0] = 7;
    std::fs::write(d.join("v7.bin"), &v7).unwrap();
    std::fs::write(d.join("state.json"), b"{}").unwrap();
    for input in ["trunc.bin", "badgz.bin.gz", "v7.bin", "state.json", "nope.bin"] {
        one_error_line(&run(&["run", "--input", input, "--output", "", "--meta", ""], &d));
        one_error_line(&run(&["witness", "--input", input], &d));
    }
    // bad flags and matchers
    one_error_line(&run(&["run", "--input", "ok.bin", "--proof-at", "banana", "--meta", ""], &d));
    one_error_line(&run(&["run", "--input", "ok.bin", "--info-at", "%0", "--meta", ""], &d));
    one_error_line(&run(&["run", "--input", "ok.bin", "--output", "out.json", "--meta", ""], &d));
    one_error_line(&run(&["run", "--no-such-flag"], &d));
    // missing default meta.json is an error, as in cannon
    one_error_line(&run(&["run", "--input", "ok.bin", "--output", ""], &d));
}

#[test]
fn vm_panic_exits_2() {
    let d = tmpdir("panic");
    let mut elf = tiny_elf(b"x", 0);
    // replace the first instruction with an FPU op (COP1), which Cannon rejects
    elf[120..124].copy_from_slice(&0x4600_0000u32.to_be_bytes());
    std::fs::write(d.join("fpu.elf"), &elf).unwrap();
    assert!(run(&["load-elf", "--type", "multithreaded64-5", "--path", "fpu.elf", "--out", "s.bin", "--meta", ""], &d)
        .status
        .success());
    let o = run(&["run", "--input", "s.bin", "--output", "o.bin", "--meta", ""], &d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("invalid instruction"));
}

/// `rampart bench` runs end to end (small guest, no qemu): one row whose replayed proof reached the final state
/// (the command fails otherwise), plus the synthetic 64 MiB root line.
#[test]
fn bench_prints_a_row_and_the_synthetic_roots() {
    let dir = tmpdir("bench");
    let o = run(&["bench", "--guest", "rust-hello", "--no-qemu", "--no-cannon", "--snapshot-distance", "1000"], &dir);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}{}", String::from_utf8_lossy(&o.stderr));
    let row = stdout.lines().find(|l| l.starts_with("rust-hello")).expect("guest row");
    let cols: Vec<&str> = row.split_whitespace().collect();
    assert_eq!(cols.len(), 12, "{row}");
    assert!(cols[1].parse::<u64>().unwrap() > 100, "{row}");
    // Steps per second with the interpreter and with translation.
    assert!(cols[2].trim_end_matches('M').parse::<f64>().unwrap() > 0.0, "{row}");
    assert!(cols[3].trim_end_matches('M').parse::<f64>().unwrap() > 0.0, "{row}");
    assert!(stdout.contains("memory root of 64 MiB: one word per page"), "{stdout}");
    let missing = run(&["bench", "--guest", "no-such-guest", "--no-qemu"], &dir);
    assert_eq!(missing.status.code(), Some(1));
    one_error_line(&missing);
}
