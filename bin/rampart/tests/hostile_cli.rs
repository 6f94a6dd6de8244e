//! Hostile inputs fed to the `rampart` binary: gzip bombs as state files, proofs and fixtures, `/dev/zero` as
//! every file-reading flag and as stdin, a parent block number of 2^64-1, a guest that does not exit within
//! `demo --elf --max-steps`, a preimage host that never answers. Each case checks the exit code, that stderr
//! holds exactly one error line (naming the problem), and the child's peak memory (`ru_maxrss` from `wait4`);
//! a kernel CPU-time limit (`RLIMIT_CPU`) turns a hang into a failed case instead of a stuck test.

mod common;

use common::{fixture_dir, rampart_bin, repo, workdir, BLOCKS};
use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Peak resident memory any hostile case may reach.
const MEMORY_BOUND_MIB: u64 = 128;
/// CPU seconds after which the kernel kills a case (a hang).
const CPU_LIMIT_SECS: u64 = 60;

/// What one hostile run did.
struct Outcome {
    code: i32,
    stderr: String,
    max_rss_mib: u64,
}

/// Runs `rampart args...` with stdin from `stdin` (or none), measuring its peak memory.
fn run(args: &[&str], stdin: Option<&Path>, dir: &Path) -> Outcome {
    let out = dir.join("stdout");
    let err = dir.join("stderr");
    let mut cmd = Command::new(rampart_bin());
    cmd.args(args)
        .current_dir(dir)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .stdin(match stdin {
            Some(p) => Stdio::from(std::fs::File::open(p).unwrap()),
            None => Stdio::null(),
        });
    // SAFETY: setrlimit is async-signal-safe and only touches the child.
    unsafe {
        cmd.pre_exec(|| {
            let lim = libc::rlimit { rlim_cur: CPU_LIMIT_SECS, rlim_max: CPU_LIMIT_SECS };
            if libc::setrlimit(libc::RLIMIT_CPU, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    #[allow(clippy::zombie_processes, reason = "reaped by the wait4 below, which also reads its rusage")]
    let child = cmd.spawn().expect("spawn rampart");
    let mut status = 0i32;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals.
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4: {}", std::io::Error::last_os_error());
    assert!(libc::WIFEXITED(status), "rampart {args:?} did not exit normally (signal {})", libc::WTERMSIG(status));
    Outcome {
        code: libc::WEXITSTATUS(status),
        stderr: std::fs::read_to_string(&err).unwrap(),
        max_rss_mib: usage.ru_maxrss as u64 / 1024,
    }
}

/// Asserts a hostile run failed with exit code 1, one stderr line containing `needle`, within the memory bound.
fn assert_rejected(what: &str, o: &Outcome, needle: &str) {
    let lines: Vec<&str> = o.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(o.code, 1, "{what}: exit code (stderr {:?})", o.stderr);
    assert_eq!(lines.len(), 1, "{what}: one error line expected, got {:?}", o.stderr);
    assert!(lines[0].contains(needle), "{what}: {:?} does not name {needle:?}", lines[0]);
    assert!(o.max_rss_mib < MEMORY_BOUND_MIB, "{what}: peak memory {} MiB", o.max_rss_mib);
}

/// A gzip bomb of about 14 MB that inflates to 13.4 GiB of zeros: 215 gzip members of 64 MiB each (readers of
/// multi-member gzip, as ours, see one 13.4 GiB stream).
fn bomb(dir: &Path) -> PathBuf {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let member = enc.finish().unwrap();
    let path = dir.join("bomb.gz");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    for _ in 0..215 {
        f.write_all(&member).unwrap();
    }
    f.flush().unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    assert!((13_000_000..16_000_000).contains(&len), "bomb is {len} bytes");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn gzip_bombs_fail_early_with_one_line_and_bounded_memory() {
    let dir = workdir("hostile", "bombs");
    let bomb = bomb(&dir);
    let state = dir.join("state.bin.gz");
    let proof = dir.join("proof.json.gz");
    let kv = dir.join("bomb.kv.gz");
    for p in [&state, &proof, &kv] {
        std::fs::copy(&bomb, p).unwrap();
    }
    // A fixture json next to a bombed .kv.gz.
    let (block, _) = BLOCKS[0];
    let json = dir.join("block-1.json");
    std::fs::copy(fixture_dir().join(format!("block-{block}.json")), &json).unwrap();
    std::fs::copy(&bomb, dir.join("block-1.kv.gz")).unwrap();
    let zero32 = format!("0x{}", "00".repeat(32));

    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("witness of a bombed state", vec!["witness", "--input", s(&state)], "state version"),
        ("run of a bombed state", vec!["run", "--input", s(&state), "--output", "", "--meta", ""], "state version"),
        ("verify of a bombed proof", vec!["verify", "--proof", s(&proof)], "larger than"),
        ("execute-block over a bombed .kv.gz", vec!["execute-block", "--fixture", s(&json)], "longer than"),
        (
            "host --fixture of a bomb",
            vec![
                "host",
                "--server",
                "--fixture",
                s(&kv),
                "--l1-head",
                &zero32,
                "--l2-output-root",
                &zero32,
                "--l2-claim",
                &zero32,
                "--l2-block-number",
                "1",
            ],
            "longer than",
        ),
    ];
    for (what, args, needle) in &cases {
        let o = run(args, None, &dir);
        assert_rejected(what, &o, needle);
    }
    assert_eq!(cases.len(), 5);
}

#[test]
fn dev_zero_fails_at_once_everywhere() {
    let dir = workdir("hostile", "zero");
    let zero = Path::new("/dev/zero");
    let z = s(zero);
    let zero32 = format!("0x{}", "00".repeat(32));
    let state = dir.join("hello.bin.gz");
    let out = dir.join("x.bin");
    common::load_elf(&repo().join("guests/bin/rust-hello.elf"), &state, None, &dir);

    let cases: Vec<(&str, Vec<&str>, bool, &str)> = vec![
        ("witness --input - from /dev/zero", vec!["witness", "--input", "-"], true, "version"),
        ("witness --input /dev/zero", vec!["witness", "--input", z], false, "version"),
        ("run --input /dev/zero", vec!["run", "--input", z, "--output", "", "--meta", ""], false, "version"),
        ("run --meta /dev/zero", vec!["run", "--input", s(&state), "--output", "", "--meta", z], false, "metadata"),
        (
            "load-elf --path /dev/zero",
            vec!["load-elf", "--type", "multithreaded64-5", "--path", z, "--out", s(&out)],
            false,
            "ELF",
        ),
        ("demo --elf /dev/zero", vec!["demo", "--elf", z], false, "ELF"),
        ("verify --proof /dev/zero", vec!["verify", "--proof", z], false, "larger than"),
        ("execute-block --fixture /dev/zero", vec!["execute-block", "--fixture", z], false, "larger than"),
        (
            "host --rollup-config-path /dev/zero",
            vec![
                "host",
                "--server",
                "--rollup-config-path",
                z,
                "--l1-head",
                &zero32,
                "--l2-output-root",
                &zero32,
                "--l2-claim",
                &zero32,
                "--l2-block-number",
                "1",
            ],
            false,
            "larger than",
        ),
    ];
    for (what, args, stdin, needle) in &cases {
        let o = run(args, stdin.then_some(zero), &dir);
        assert_rejected(what, &o, needle);
    }
    assert_eq!(cases.len(), 9);
}

#[test]
fn parent_block_number_u64_max_is_rejected() {
    let dir = workdir("hostile", "u64max");
    let (block, _) = BLOCKS[0];
    let src = fixture_dir().join(format!("block-{block}.json"));
    let mut v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&src).unwrap()).unwrap();
    v["parent_header"]["number"] = serde_json::json!("0xffffffffffffffff");
    let json = dir.join("block-max.json");
    std::fs::write(&json, serde_json::to_string(&v).unwrap()).unwrap();
    std::fs::copy(fixture_dir().join(format!("block-{block}.kv.gz")), dir.join("block-max.kv.gz")).unwrap();

    let o = run(&["execute-block", "--fixture", s(&json)], None, &dir);
    assert_rejected("execute-block", &o, "18446744073709551615 has no successor");
    let export = dir.join("export");
    let o = run(&["execute-block", "--fixture", s(&json), "--export", s(&export)], None, &dir);
    assert_rejected("execute-block --export", &o, "18446744073709551615 has no successor");
}

#[test]
fn demo_elf_stops_at_the_step_cap_with_progress_lines() {
    let dir = workdir("hostile", "demo-cap");
    let elf = repo().join("guests/bin/rust-compute.elf");
    let o = run(&["demo", "--elf", s(&elf), "--max-steps", "1000", "--progress-every", "400"], None, &dir);
    assert_eq!(o.code, 1, "{}", o.stderr);
    let lines: Vec<&str> = o.stderr.lines().collect();
    // Progress at 400 and 800 steps, then the cap at 1000.
    assert_eq!(lines.len(), 3, "{:?}", o.stderr);
    assert!(lines[0].starts_with("demo: 400 steps, still running"), "{}", lines[0]);
    assert!(lines[1].starts_with("demo: 800 steps, still running"), "{}", lines[1]);
    assert!(lines[2].contains("did not exit within 1000 steps"), "{}", lines[2]);
    assert!(o.max_rss_mib < MEMORY_BOUND_MIB, "peak memory {} MiB", o.max_rss_mib);
}

#[test]
fn preimage_host_that_never_answers_times_out() {
    let dir = workdir("hostile", "timeout");
    let state = dir.join("oracle.bin.gz");
    common::load_elf(&repo().join("guests/bin/rust-oracle-e2e.elf"), &state, None, &dir);
    // A host that holds fds 3-6 open and never reads or answers.
    let o = run(
        &[
            "run",
            "--input",
            s(&state),
            "--output",
            "",
            "--meta",
            "",
            "--info-at",
            "never",
            "--preimage-timeout",
            "1s",
            "--",
            "sleep",
            "30",
        ],
        None,
        &dir,
    );
    assert_rejected("run with a silent host", &o, "no answer within 1s");
}
