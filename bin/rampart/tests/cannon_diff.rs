//! Upstream Cannon (the Go VM of optimism v1.19.6, built by `scripts/build-cannon.sh`) as a test oracle: every
//! bundled guest goes through `load-elf`, `run` and `witness` in both, and the test asserts identical
//! decompressed state files after `load-elf`, identical snapshots and final states, identical `witness` JSON,
//! identical guest stdout/stderr, identical `--debug-info` counters, the same VM panic for the fault guests, and
//! identical proof JSON (every field) for every step of `--proof-at always` windows spread over each run.
//!
//! Differences on purpose, asserted precisely rather than skipped:
//! - `meta.json`: Cannon writes it indented and sorts symbols with an unstable sort; the symbol multiset and
//!   their start order are compared.
//! - Cannon refuses an ELF without a symbol table ("no symbol section") even with `--meta ""`; Rampart loads it
//!   (symbols are debug-only). Checked on a stripped copy of a guest, whose state Rampart loads like any other.
//! - Guest output: Cannon logs each guest write as a `module=guest stream=stdout|stderr text=...` log line on
//!   its stderr; Rampart copies the bytes to its stdout/stderr. The decoded texts are compared byte for byte.
//! - Gzip: the compressed bytes differ (other deflate implementation); the decompressed bytes are compared.

mod common;

use common::{rampart_bin, repo};
use rampart_host::preimage::selftest::Fixture;
use rampart_host::{DirectoryKeyValueStore, KeyValueStore};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Mutex;

/// Steps proven per `--proof-at always` window.
const WINDOW: u64 = 100;
/// Guests of at most this many steps are proven at every step of the whole run.
const PROVE_ALL_UP_TO: u64 = 20_000;

/// The Cannon binary: built (or found already built) by the repository's script.
fn cannon() -> PathBuf {
    static CANNON: Mutex<Option<PathBuf>> = Mutex::new(None);
    let mut c = CANNON.lock().unwrap();
    if let Some(p) = c.as_ref() {
        return p.clone();
    }
    let o = Command::new("bash").arg(repo().join("scripts/build-cannon.sh")).output().expect("run build-cannon.sh");
    assert!(
        o.status.success(),
        "scripts/build-cannon.sh failed (CI installs it through .ci/install-deps): {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let path = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim().lines().last().unwrap_or_default());
    assert!(path.is_file(), "build-cannon.sh printed {path:?}, not a file");
    *c = Some(path.clone());
    path
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Vm {
    Rampart,
    Cannon,
}

impl Vm {
    fn bin(self) -> PathBuf {
        match self {
            Vm::Rampart => PathBuf::from(rampart_bin()),
            Vm::Cannon => cannon(),
        }
    }
    fn tag(self) -> &'static str {
        match self {
            Vm::Rampart => "r",
            Vm::Cannon => "c",
        }
    }
}

fn exec(vm: Vm, args: &[String], dir: &Path) -> Output {
    Command::new(vm.bin()).args(args).current_dir(dir).output().expect("spawn VM")
}

fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

fn gunzip(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut out).unwrap();
    out
}

/// Decodes a Go-quoted (`strconv.Quote`) string body starting after the opening quote; returns the bytes.
fn go_unquote(q: &str) -> Vec<u8> {
    let b = q.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => break,
            b'\\' => {
                i += 1;
                let c = b[i];
                let hex = |n: usize, i: usize| u32::from_str_radix(&q[i + 1..i + 1 + n], 16).unwrap();
                match c {
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'r' => out.push(b'\r'),
                    b'a' => out.push(7),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'v' => out.push(11),
                    b'\\' | b'"' | b'\'' => out.push(c),
                    b'x' => {
                        out.push(hex(2, i) as u8);
                        i += 2;
                    }
                    b'u' | b'U' => {
                        let n = if c == b'u' { 4 } else { 8 };
                        let ch = char::from_u32(hex(n, i)).unwrap();
                        out.extend_from_slice(ch.to_string().as_bytes());
                        i += n;
                    }
                    b'0'..=b'7' => {
                        out.push(u8::from_str_radix(&q[i..i + 3], 8).unwrap());
                        i += 2;
                    }
                    other => panic!("unknown escape \\{}", other as char),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    out
}

/// The guest bytes Cannon logged for `stream` (stdout or stderr).
fn cannon_guest_stream(stderr: &str, stream: &str) -> Vec<u8> {
    let marker = format!("module=guest stream={stream} text=");
    let mut out = Vec::new();
    for line in stderr.lines() {
        if let Some(i) = line.find(&marker) {
            let v = &line[i + marker.len()..];
            match v.strip_prefix('"') {
                Some(q) => out.extend(go_unquote(q)),
                None => out.extend_from_slice(v.split(' ').next().unwrap().as_bytes()),
            }
        }
    }
    out
}

/// Rampart's guest stderr: its stderr without its own closing line (and without the preimage host's lines).
fn rampart_guest_stderr(stderr: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(stderr);
    let mut end = text.len();
    for marker in ["Execution stopped exited=", "error: VM step "] {
        if let Some(i) = text.rfind(marker) {
            if i == 0 || text.as_bytes()[i - 1] == b'\n' {
                end = end.min(i);
            }
        }
    }
    strip_host_lines(&text[..end]).into_bytes()
}

fn strip_host_lines(text: &str) -> String {
    // Rampart's own progress lines (`INFO ...`) and the preimage host's (`host: ...`) are not guest output.
    text.split_inclusive('\n').filter(|l| !l.starts_with("host: ") && !l.starts_with("INFO ")).collect()
}

/// The VM panic message: Cannon's `panic: <msg>` line, Rampart's `error: VM step N at pc P failed: <msg>`.
fn panic_message(vm: Vm, stderr: &str) -> String {
    match vm {
        Vm::Cannon => stderr
            .lines()
            .find_map(|l| l.strip_prefix("panic: "))
            .unwrap_or_else(|| panic!("no panic line in Cannon's stderr: {stderr}"))
            .trim_end_matches(" [recovered]")
            .to_string(),
        Vm::Rampart => {
            let l = stderr.lines().find(|l| l.starts_with("error: VM step ")).expect("error line");
            l[l.find(" failed: ").unwrap() + 9..].to_string()
        }
    }
}

fn json_file(path: &Path) -> serde_json::Value {
    let bytes = if path.extension().is_some_and(|e| e == "gz") { gunzip(path) } else { std::fs::read(path).unwrap() };
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Proof files `<prefix>-<step>.json` in `dir`, by step.
fn proofs(dir: &Path, prefix: &str) -> BTreeMap<u64, PathBuf> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        if let Some(step) = name.strip_prefix(prefix).and_then(|r| r.strip_suffix(".json")) {
            out.insert(step.parse().unwrap(), p);
        }
    }
    out
}

/// One guest and the preimage host its runs need (empty: none).
struct Case {
    name: String,
    host: Vec<String>,
}

/// What one `run` of both VMs gave; everything compared is asserted equal here.
struct RunPair {
    exit: Option<i32>,
    panic: Option<String>,
}

/// Counts of what was compared, for the summary and the final asserts.
#[derive(Default, Debug)]
struct Tally {
    guests: u64,
    states: u64,
    proofs: u64,
    steps: u64,
    panics: u64,
}

/// Runs `run <args>` in both VMs (with the case's host) and asserts the same exit status, guest output, panic
/// message and debug info (when asked for); the caller compares the files they wrote.
fn run_both(case: &Case, work: &Path, args: &dyn Fn(Vm) -> Vec<String>, debug: bool) -> RunPair {
    let mut outs = Vec::new();
    for vm in [Vm::Rampart, Vm::Cannon] {
        let mut a = vec!["run".to_string(), "--meta".into(), String::new(), "--info-at".into(), "never".into()];
        a.extend(args(vm));
        if debug {
            a.extend(["--debug-info".to_string(), s(&work.join(format!("{}-debug.json", vm.tag())))]);
        }
        if !case.host.is_empty() {
            a.push("--".into());
            a.extend(case.host.iter().cloned());
        }
        outs.push(exec(vm, &a, work));
    }
    let (r, c) = (&outs[0], &outs[1]);
    let (r_err, c_err) = (String::from_utf8_lossy(&r.stderr), String::from_utf8_lossy(&c.stderr));
    let name = &case.name;
    assert_eq!(r.status.code(), c.status.code(), "{name}: exit status\nrampart: {r_err}\ncannon: {c_err}");
    assert!(matches!(r.status.code(), Some(0 | 2)), "{name}: run failed: {r_err}");
    assert_eq!(
        String::from_utf8_lossy(&r.stdout),
        String::from_utf8_lossy(&cannon_guest_stream(&c_err, "stdout")),
        "{name}: guest stdout"
    );
    assert_eq!(
        String::from_utf8_lossy(&rampart_guest_stderr(&r.stderr)),
        String::from_utf8_lossy(&cannon_guest_stream(&c_err, "stderr")),
        "{name}: guest stderr"
    );
    let panic = if r.status.code() == Some(2) {
        let (pr, pc) = (panic_message(Vm::Rampart, &r_err), panic_message(Vm::Cannon, &c_err));
        assert_eq!(pr, pc, "{name}: VM panic message");
        Some(pr)
    } else {
        None
    };
    if debug && panic.is_none() {
        let (dr, dc) = (json_file(&work.join("r-debug.json")), json_file(&work.join("c-debug.json")));
        assert_eq!(dr, dc, "{name}: --debug-info");
    }
    RunPair { exit: r.status.code(), panic }
}

/// Asserts that both VMs wrote the same proof files (set of steps, every JSON field) under `prefix`.
fn compare_proofs(case: &Case, work: &Path, tally: &mut Tally) -> Vec<u64> {
    let (pr, pc) = (proofs(work, "r-proof-"), proofs(work, "c-proof-"));
    assert_eq!(pr.keys().collect::<Vec<_>>(), pc.keys().collect::<Vec<_>>(), "{}: proven steps", case.name);
    for (step, p) in &pr {
        assert_eq!(json_file(p), json_file(&pc[step]), "{}: proof JSON at step {step}", case.name);
        tally.proofs += 1;
    }
    for p in pr.values().chain(pc.values()) {
        std::fs::remove_file(p).unwrap();
    }
    pr.keys().copied().collect()
}

fn compare_states(case: &Case, r: &Path, c: &Path, what: &str, tally: &mut Tally) {
    assert!(gunzip(r) == gunzip(c), "{}: {what}: decompressed state files differ", case.name);
    tally.states += 1;
}

fn witness_json(vm: Vm, state: &Path, work: &Path) -> serde_json::Value {
    let o = exec(vm, &["witness".to_string(), "--input".into(), s(state)], work);
    assert!(o.status.success(), "{vm:?} witness: {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn load_both(case: &Case, elf: &Path, work: &Path, tally: &mut Tally) -> PathBuf {
    for vm in [Vm::Rampart, Vm::Cannon] {
        let t = vm.tag();
        let args = [
            "load-elf",
            "--type",
            "multithreaded64-5",
            "--path",
            elf.to_str().unwrap(),
            "--out",
            &s(&work.join(format!("{t}-state.bin.gz"))),
            "--meta",
            &s(&work.join(format!("{t}-meta.json"))),
        ]
        .map(String::from);
        let o = exec(vm, &args, work);
        assert!(o.status.success(), "{} {vm:?} load-elf: {}", case.name, String::from_utf8_lossy(&o.stderr));
    }
    compare_states(case, &work.join("r-state.bin.gz"), &work.join("c-state.bin.gz"), "load-elf", tally);
    // meta.json: the same symbols in the same start order (Cannon's sort is unstable among equal starts).
    let syms = |p: &Path| {
        let v = json_file(p);
        let mut list: Vec<(u64, String, u64)> = v["symbols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (s["start"].as_u64().unwrap(), s["name"].as_str().unwrap().to_string(), s["size"].as_u64().unwrap())
            })
            .collect();
        let starts: Vec<u64> = list.iter().map(|s| s.0).collect();
        list.sort();
        (starts, list)
    };
    assert_eq!(syms(&work.join("r-meta.json")), syms(&work.join("c-meta.json")), "{}: meta.json symbols", case.name);
    work.join("r-state.bin.gz")
}

/// The whole comparison for one guest.
fn compare_guest(case: &Case, tally: &mut Tally) {
    let work = common::workdir("cannon", &case.name);
    let elf = repo().join("guests/bin").join(format!("{}.elf", case.name));
    let state = load_both(case, &elf, &work, tally);

    // The step count, from the library (no proofs): decides the windows.
    let mut probe = rampart_vm::Vm::new(rampart_vm::state_file::read_state(&state).unwrap());
    let faulted = if case.host.is_empty() { probe.run(u64::MAX).is_err() } else { false };
    let total = if case.host.is_empty() { probe.state.step } else { u64::MAX };
    drop(probe);

    let proof_fmt = |vm: Vm| s(&work.join(format!("{}-proof-%d.json", vm.tag())));
    let out = |vm: Vm, n: &str| s(&work.join(format!("{}-{n}.bin.gz", vm.tag())));
    if faulted || total <= PROVE_ALL_UP_TO {
        // Every step proven, through the exit or the fault.
        let pair = run_both(
            case,
            &work,
            &|vm| {
                vec![
                    "--input".into(),
                    s(&state),
                    "--output".into(),
                    out(vm, "final"),
                    "--proof-at".into(),
                    "always".into(),
                    "--proof-fmt".into(),
                    proof_fmt(vm),
                ]
            },
            true,
        );
        let proven = compare_proofs(case, &work, tally);
        assert_eq!(proven.first(), Some(&0), "{}: proofs start at step 0", case.name);
        tally.steps += proven.len() as u64;
        if let Some(msg) = pair.panic {
            assert!(faulted, "{}: only the library run faulted or only the CLI", case.name);
            // The faulting step writes no proof: the last proof is of the step before it.
            println!("{:<18} panics like Cannon after {} proven steps: {msg}", case.name, proven.len());
            tally.panics += 1;
        } else {
            assert_eq!(pair.exit, Some(0));
            compare_final(case, &work, tally);
        }
    } else {
        // Long runs: one run to the end with snapshots at each third of the run, the last `WINDOW` steps proven
        // from the state `WINDOW` steps before the end, and a proof window after each snapshot.
        let total = if total == u64::MAX { host_run_steps(case, &work, &state) } else { total };
        let every = total.div_ceil(3).max(1);
        let tail = total - WINDOW;
        run_both(
            case,
            &work,
            &|vm| {
                vec![
                    "--input".into(),
                    s(&state),
                    "--output".into(),
                    out(vm, "tail"),
                    "--stop-at".into(),
                    format!("={tail}"),
                    "--snapshot-at".into(),
                    format!("%{every}"),
                    "--snapshot-fmt".into(),
                    s(&work.join(format!("{}-snap-%d.bin.gz", vm.tag()))),
                ]
            },
            true,
        );
        compare_states(case, &work.join("r-tail.bin.gz"), &work.join("c-tail.bin.gz"), "state before the tail", tally);
        let pair = run_both(
            case,
            &work,
            &|vm| {
                vec![
                    "--input".into(),
                    s(&work.join("r-tail.bin.gz")),
                    "--output".into(),
                    out(vm, "final"),
                    "--proof-at".into(),
                    "always".into(),
                    "--proof-fmt".into(),
                    proof_fmt(vm),
                ]
            },
            true,
        );
        assert_eq!(pair.exit, Some(0));
        let proven = compare_proofs(case, &work, tally);
        assert_eq!(proven, (tail..total).collect::<Vec<_>>(), "{}: tail proofs", case.name);
        tally.steps += proven.len() as u64;
        compare_final(case, &work, tally);
        let mut snaps = 0;
        for k in 0.. {
            let at = k * every;
            if at >= tail {
                break;
            }
            let (r, c) = (work.join(format!("r-snap-{at}.bin.gz")), work.join(format!("c-snap-{at}.bin.gz")));
            compare_states(case, &r, &c, &format!("snapshot at {at}"), tally);
            snaps += 1;
            let stop = (at + WINDOW).min(tail);
            run_both(
                case,
                &work,
                &|vm| {
                    vec![
                        "--input".into(),
                        s(&r),
                        "--output".into(),
                        String::new(),
                        "--proof-at".into(),
                        "always".into(),
                        "--proof-fmt".into(),
                        proof_fmt(vm),
                        "--stop-at".into(),
                        format!("={stop}"),
                    ]
                },
                false,
            );
            let proven = compare_proofs(case, &work, tally);
            assert_eq!(proven, (at..stop).collect::<Vec<_>>(), "{}: proofs after snapshot {at}", case.name);
            tally.steps += proven.len() as u64;
        }
        assert_eq!(snaps, 3, "{}: snapshots compared", case.name);
        println!("{:<18} {total} steps: {snaps} snapshots and the final state equal, proofs equal", case.name);
    }
    tally.guests += 1;
    let _ = std::fs::remove_dir_all(&work);
}

/// Final states and `witness` JSON of both VMs equal.
fn compare_final(case: &Case, work: &Path, tally: &mut Tally) {
    let (r, c) = (work.join("r-final.bin.gz"), work.join("c-final.bin.gz"));
    compare_states(case, &r, &c, "final state", tally);
    let (wr, wc) = (witness_json(Vm::Rampart, &r, work), witness_json(Vm::Cannon, &c, work));
    assert_eq!(wr, wc, "{}: witness JSON", case.name);
    assert_eq!(wr["exited"], true, "{}: guest did not exit", case.name);
}

/// The step count of a hosted guest (a plain Rampart run to the end with its host).
fn host_run_steps(case: &Case, work: &Path, state: &Path) -> u64 {
    let mut a = vec!["run".to_string(), "--input".into(), s(state), "--output".into(), s(&work.join("probe.bin.gz"))];
    a.extend(["--meta".to_string(), String::new(), "--info-at".into(), "never".into(), "--".into()]);
    a.extend(case.host.iter().cloned());
    let o = exec(Vm::Rampart, &a, work);
    assert!(o.status.success(), "{}: {}", case.name, String::from_utf8_lossy(&o.stderr));
    let w = witness_json(Vm::Rampart, &work.join("probe.bin.gz"), work);
    w["step"].as_u64().unwrap()
}

/// The guests of `guests/bin`, with the host command of the three that need one.
fn cases() -> Vec<Case> {
    // One directory per call: tests of this file run in parallel in one process, each with its own hosts' data.
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let shared = std::env::temp_dir().join(format!("rampart-cannon-hosts-{}-{call}", std::process::id()));
    let _ = std::fs::remove_dir_all(&shared);
    std::fs::create_dir_all(&shared).unwrap();
    let hex32 = |b: &[u8; 32]| format!("0x{}", hex::encode(b));
    let mut out = Vec::new();
    let mut names: Vec<String> = std::fs::read_dir(repo().join("guests/bin"))
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().to_str().unwrap().strip_suffix(".elf").map(str::to_string))
        .collect();
    names.sort();
    for name in names {
        let host: Vec<String> = match name.as_str() {
            "rust-toy-program" => {
                // The local inputs of the demo's toy chain: block 7 of chain 10.
                let dir = shared.join("toy");
                std::fs::create_dir_all(&dir).unwrap();
                let mut h = vec![rampart_bin().to_string(), "host".into(), "--server".into()];
                h.extend(["--data-dir".into(), s(&dir)]);
                h.extend(["--l1-head".into(), format!("0x{}", "11".repeat(32))]);
                h.extend(["--l2-output-root".into(), format!("0x{}", "22".repeat(32))]);
                h.extend(["--l2-claim".into(), format!("0x{}", "33".repeat(32))]);
                h.extend(["--l2-block-number".into(), "7".into(), "--l2-chain-id".into(), "10".into()]);
                h
            }
            "rust-oracle-e2e" => {
                let f = Fixture::standard();
                let kv = shared.join("oracle-kv");
                let mut store = DirectoryKeyValueStore::open(&kv).unwrap();
                for (k, v) in &f.preimages {
                    store.set(*k, v.clone()).unwrap();
                }
                let mut h =
                    vec![rampart_bin().to_string(), "host".into(), "--server".into(), "--data-dir".into(), s(&kv)];
                h.extend([
                    "--l1-head".into(),
                    hex32(&f.l1_head),
                    "--l2-output-root".into(),
                    hex32(&f.agreed_output_root),
                ]);
                h.extend([
                    "--l2-claim".into(),
                    hex32(&f.claim),
                    "--l2-block-number".into(),
                    f.block_number.to_string(),
                ]);
                h.extend(["--l2-chain-id".into(), f.chain_id.to_string()]);
                h
            }
            "rust-executor" | "rust-executor-unaccelerated" => {
                // The smallest fixture block (both builds of the guest).
                let json = common::fixture_dir().join("block-26207960.json");
                let kv = shared.join("executor-kv");
                let o = common::rampart(
                    &["execute-block", "--fixture", json.to_str().unwrap(), "--export", kv.to_str().unwrap()],
                    &shared,
                );
                let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
                assert!(o.status.success(), "export: {stdout}");
                let line = stdout.lines().find_map(|l| l.strip_prefix("host args: ")).expect("host args line");
                let mut h =
                    vec![rampart_bin().to_string(), "host".into(), "--server".into(), "--data-dir".into(), s(&kv)];
                h.extend(line.split_whitespace().map(str::to_string));
                h
            }
            "rampart-program" => {
                // The fault-proof program on the recorded devnet's valid claim for L2 block 1 (derivation from
                // L1 genesis, then execution of block 1), its preimages unpacked from the dataset's dump.
                let data = repo().join("testdata/devnet");
                let dir = shared.join("program-kv");
                rampart_host::dump::unpack(&data.join("preimages.kv.gz"), &dir).unwrap();
                let claims: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(data.join("claims.json")).unwrap()).unwrap();
                let claim = &claims[0];
                assert_eq!((claim["l2_block"].as_u64(), claim["valid"].as_bool()), (Some(1), Some(true)));
                let mut h = vec![rampart_bin().to_string(), "host".into(), "--server".into()];
                for a in claim["host_args"].as_array().unwrap() {
                    h.push(match a.as_str().unwrap() {
                        "preimages" => s(&dir),
                        f @ ("rollup.json" | "l1-config.json") => s(&data.join(f)),
                        other => other.to_string(),
                    });
                }
                h
            }
            _ => Vec::new(),
        };
        out.push(Case { name, host });
    }
    out
}

#[test]
fn every_bundled_guest_matches_upstream_cannon() {
    cannon();
    let cases = cases();
    assert!(cases.len() >= 22, "expected every bundled guest, found {}", cases.len());
    let queue = Mutex::new(cases.iter().collect::<Vec<_>>());
    let total = Mutex::new(Tally::default());
    // Two at a time (the machine has two cores; Cannon's start-up, ~1.5 s of eager decoding, dominates).
    std::thread::scope(|sc| {
        for _ in 0..2 {
            sc.spawn(|| loop {
                let Some(case) = queue.lock().unwrap().pop() else { break };
                let mut t = Tally::default();
                compare_guest(case, &mut t);
                let mut all = total.lock().unwrap();
                all.guests += t.guests;
                all.states += t.states;
                all.proofs += t.proofs;
                all.steps += t.steps;
                all.panics += t.panics;
            });
        }
    });
    let t = total.into_inner().unwrap();
    println!(
        "cannon differential: {} guests, {} state files equal, {} proof JSON files equal, {} VM panics alike",
        t.guests, t.states, t.proofs, t.panics
    );
    assert_eq!(t.guests, cases.len() as u64);
    assert_eq!(t.panics, 6, "the six fault-* guests");
    assert!(t.proofs >= 20_000, "{} proofs compared", t.proofs);
}

/// Cannon refuses an ELF without `.symtab`; Rampart loads it (meta.json gets no symbols) to the same state as
/// Cannon loads from the unstripped file when the segments are the same.
#[test]
fn stripped_elf_cannon_refuses_rampart_loads() {
    let work = common::workdir("cannon", "stripped");
    let elf = repo().join("guests/bin/rust-hello.elf");
    let stripped = work.join("stripped.elf");
    let o = Command::new("mips64-linux-gnuabi64-strip").arg("-o").arg(&stripped).arg(&elf).output().unwrap();
    assert!(o.status.success(), "strip: {}", String::from_utf8_lossy(&o.stderr));
    let args = |out: &str| {
        ["load-elf", "--type", "multithreaded64-5", "--path", stripped.to_str().unwrap(), "--out", out, "--meta", ""]
            .map(String::from)
    };
    let c = exec(Vm::Cannon, &args("c.bin.gz"), &work);
    assert!(!c.status.success(), "Cannon accepted a stripped ELF");
    assert!(String::from_utf8_lossy(&c.stderr).contains("no symbol section"), "{}", String::from_utf8_lossy(&c.stderr));
    let r = exec(Vm::Rampart, &args("r.bin.gz"), &work);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    // The stripped file's segments give a state Rampart runs to the same output as the unstripped guest.
    let run = exec(
        Vm::Rampart,
        &["run", "--input", "r.bin.gz", "--output", "", "--meta", "", "--info-at", "never"].map(String::from),
        &work,
    );
    let want = std::fs::read(repo().join("guests/expected/rust-hello.stdout")).unwrap();
    assert_eq!(run.stdout, want);
    let _ = std::fs::remove_dir_all(&work);
}

/// The preimage matchers (`--stop-at-preimage-type`, `--stop-at-preimage-larger-than`) stop both VMs at the same
/// step with the same state, on the hosted oracle guest (Rampart checks them per step, outside translated code).
#[test]
fn preimage_stops_match_upstream_cannon() {
    cannon();
    let case = cases().into_iter().find(|c| c.name == "rust-oracle-e2e").expect("rust-oracle-e2e is bundled");
    let work = common::workdir("cannon", "preimage-stops");
    let mut tally = Tally::default();
    let state = load_both(&case, &repo().join("guests/bin/rust-oracle-e2e.elf"), &work, &mut tally);
    let matchers: [&[&str]; 3] = [
        &["--stop-at-preimage-type", "local"],
        &["--stop-at-preimage-type", "keccak"],
        &["--stop-at-preimage-larger-than", "100"],
    ];
    let mut steps = Vec::new();
    for (k, m) in matchers.iter().enumerate() {
        let out = |vm: Vm| s(&work.join(format!("{}-stop-{k}.bin.gz", vm.tag())));
        let pair = run_both(
            &case,
            &work,
            &|vm| {
                let mut a = vec!["--input".to_string(), s(&state), "--output".into(), out(vm)];
                a.extend(m.iter().map(|x| x.to_string()));
                a
            },
            true,
        );
        assert_eq!(pair.exit, Some(0), "{m:?}");
        let (r, c) = (work.join(format!("r-stop-{k}.bin.gz")), work.join(format!("c-stop-{k}.bin.gz")));
        compare_states(&case, &r, &c, &format!("state at {m:?}"), &mut tally);
        let w = witness_json(Vm::Rampart, &r, &work);
        assert_eq!(w["exited"], false, "{m:?}: stopped before the end");
        steps.push(w["step"].as_u64().unwrap_or_else(|| w["step"].to_string().trim_matches('"').parse().unwrap()));
    }
    println!("preimage stops equal to Cannon's at steps {steps:?}");
    assert!(steps.iter().all(|&s| s > 0), "{steps:?}");
    assert_eq!(tally.states, 4, "loaded state and three stops");
    let _ = std::fs::remove_dir_all(&work);
}
