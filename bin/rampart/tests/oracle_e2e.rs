//! The preimage oracle end to end: the `rust-oracle-e2e` MIPS64 guest in the VM (`rampart run`) talking to
//! `rampart host --server` over fds 3-6, with preimages from an op-program directory store written here; a
//! missing preimage fails fast with the key named; `rampart host` driven directly over its fds (fixture store,
//! rollup config, local keys) and its flag errors.

mod common;

use common::{load_elf, rampart, rampart_bin, repo};
use rampart_host::preimage::selftest::Fixture;
use rampart_host::preimage::PreimageKey;
use rampart_host::{DirectoryKeyValueStore, KeyValueStore};
use rampart_primitives::keccak256;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn hex32(b: &[u8; 32]) -> String {
    format!("0x{}", hex::encode(b))
}

/// Loads the guest, writes the fixture preimages (all but `skip`) into a directory store, and runs the VM with
/// `rampart host --server` as its preimage server. Returns the run's output and the witness JSON (if any).
fn run_guest(work: &Path, f: &Fixture, skip: Option<usize>) -> (Output, Option<serde_json::Value>) {
    let kv = work.join("kv");
    let mut store = DirectoryKeyValueStore::open(&kv).unwrap();
    for (i, (k, v)) in f.preimages.iter().enumerate() {
        if Some(i) != skip {
            store.set(*k, v.clone()).unwrap();
        }
    }
    let elf = repo().join("guests/bin/rust-oracle-e2e.elf");
    let state = work.join("state.bin.gz");
    load_elf(&elf, &state, None, work);
    let out = work.join("out.bin.gz");
    let (l1, agreed, claim) = (hex32(&f.l1_head), hex32(&f.agreed_output_root), hex32(&f.claim));
    let (block, chain) = (f.block_number.to_string(), f.chain_id.to_string());
    let o = rampart(
        &[
            "run",
            "--input",
            state.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--meta",
            "",
            "--info-at",
            "never",
            "--",
            rampart_bin(),
            "host",
            "--server",
            "--data-dir",
            kv.to_str().unwrap(),
            "--l1-head",
            &l1,
            "--l2-output-root",
            &agreed,
            "--l2-claim",
            &claim,
            "--l2-block-number",
            &block,
            "--l2-chain-id",
            &chain,
        ],
        work,
    );
    if !o.status.success() {
        return (o, None);
    }
    let w = rampart(&["witness", "--input", out.to_str().unwrap()], work);
    assert!(w.status.success(), "witness: {}", String::from_utf8_lossy(&w.stderr));
    (o, Some(serde_json::from_slice(&w.stdout).unwrap()))
}

#[test]
fn oracle_guest_in_the_vm_against_rampart_host_server() {
    let work = common::workdir("oracle", "ok");
    let f = Fixture::standard();
    let t = Instant::now();
    let (o, witness) = run_guest(&work, &f, None);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "run: {stderr}");
    let want = std::fs::read_to_string(repo().join("guests/expected/rust-oracle-e2e.stdout")).unwrap();
    assert_eq!(String::from_utf8_lossy(&o.stdout), want);
    let w = witness.unwrap();
    assert_eq!(w["exited"], true);
    let want_exit = std::fs::read_to_string(repo().join("guests/expected/rust-oracle-e2e.exit")).unwrap();
    assert_eq!(w["exitCode"].to_string(), want_exit.trim());
    // The host reports what it served: 5 local + 6 keccak preimages, 4 hints.
    assert!(stderr.contains("host: served 11 preimages (100821 bytes), 4 hints acknowledged"), "{stderr}");
    println!("oracle e2e in the VM: {} steps, {:?}", w["step"], t.elapsed());
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn missing_preimage_fails_within_seconds_naming_the_key() {
    let work = common::workdir("oracle", "missing");
    let f = Fixture::standard();
    let missing = f.preimages[3].0;
    let t = Instant::now();
    let (o, _) = run_guest(&work, &f, Some(3));
    let elapsed = t.elapsed();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "the run must fail: {stderr}");
    // A liveness bound, not a speed claim: without the host's close the VM would wait forever.
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}: the run waited for an answer that never came");
    let keyhex = hex::encode(missing.as_bytes());
    // The host names the key and its type; the VM side names the key it got no answer for.
    assert!(stderr.contains(&format!("missing preimage for key 0x{keyhex} (type keccak256)")), "{stderr}");
    assert!(stderr.contains(&format!("preimage request 0x{keyhex} (keccak256) failed")), "{stderr}");
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn wrong_claim_makes_the_guest_exit_1() {
    let work = common::workdir("oracle", "claim");
    let mut f = Fixture::standard();
    f.claim[31] ^= 0xff;
    let (o, witness) = run_guest(&work, &f, None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "oracle-e2e: FAILED: the chain does not reach the claim\n");
    assert_eq!(witness.unwrap()["exitCode"], 1);
    let _ = std::fs::remove_dir_all(&work);
}

fn pipe() -> (RawFd, RawFd) {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds points to two writable c_ints.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    (fds[0], fds[1])
}

/// `rampart host <args>` with the oracle pipes on its fds 3-6, driven by the test as the VM would.
struct DirectHost {
    child: std::process::Child,
    hint_w: File,
    ack_r: File,
    key_w: File,
    data_r: File,
}

impl DirectHost {
    fn spawn(args: &[&str]) -> Self {
        let (hint_r, hint_w) = pipe();
        let (ack_r, ack_w) = pipe();
        let (key_r, key_w) = pipe();
        let (data_r, data_w) = pipe();
        let ends = [hint_r, ack_w, key_r, data_w];
        let mut cmd = Command::new(rampart_bin());
        cmd.arg("host").args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        // SAFETY: only dup2/fcntl between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let mut high = [0; 4];
                for (i, fd) in ends.iter().enumerate() {
                    high[i] = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 16);
                }
                for (i, h) in high.iter().enumerate() {
                    if libc::dup2(*h, 3 + i as libc::c_int) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let child = cmd.spawn().unwrap();
        for fd in ends {
            // SAFETY: the child's ends are no longer needed here.
            unsafe { libc::close(fd) };
        }
        // SAFETY: each fd comes from pipe2 above and is owned once.
        unsafe {
            DirectHost {
                child,
                hint_w: File::from_raw_fd(hint_w),
                ack_r: File::from_raw_fd(ack_r),
                key_w: File::from_raw_fd(key_w),
                data_r: File::from_raw_fd(data_r),
            }
        }
    }

    fn get(&mut self, key: PreimageKey) -> Option<Vec<u8>> {
        self.key_w.write_all(key.as_bytes()).ok()?;
        let mut len = [0u8; 8];
        self.data_r.read_exact(&mut len).ok()?;
        let mut v = vec![0u8; u64::from_be_bytes(len) as usize];
        self.data_r.read_exact(&mut v).ok()?;
        Some(v)
    }

    fn hint(&mut self, text: &str) -> u8 {
        self.hint_w.write_all(&(text.len() as u32).to_be_bytes()).unwrap();
        self.hint_w.write_all(text.as_bytes()).unwrap();
        let mut ack = [9u8];
        self.ack_r.read_exact(&mut ack).unwrap();
        ack[0]
    }

    fn finish(self) -> Output {
        drop((self.hint_w, self.ack_r, self.key_w, self.data_r));
        self.child.wait_with_output().unwrap()
    }
}

const LOCAL_FLAGS: [&str; 10] = [
    "--l1-head",
    "0x1111111111111111111111111111111111111111111111111111111111111111",
    "--agreed-l2-output-root",
    "0x2222222222222222222222222222222222222222222222222222222222222222",
    "--claimed-l2-output-root",
    "0x3333333333333333333333333333333333333333333333333333333333333333",
    "--claimed-l2-block-number",
    "26207960",
    "--server",
    "--fixture",
];

#[test]
fn host_serves_fixture_preimages_local_keys_and_rollup_config() {
    let work = common::workdir("oracle", "direct");
    let fixture = concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/op-sepolia-blocks/block-26207960.kv.gz");
    let fixture = if Path::new(fixture).exists() { fixture.to_string() } else { panic!("fixture {fixture} missing") };
    let cfg = work.join("rollup.json");
    std::fs::write(&cfg, br#"{ "l2_chain_id": 11155420, "block_time": 2 }"#).unwrap();
    let mut args: Vec<&str> = LOCAL_FLAGS.to_vec();
    args.push(&fixture);
    args.extend(["--rollup-config-path", cfg.to_str().unwrap()]);
    let mut h = DirectHost::spawn(&args);
    assert_eq!(h.get(PreimageKey::local(1)).unwrap(), [0x11; 32]);
    assert_eq!(h.get(PreimageKey::local(3)).unwrap(), [0x33; 32]);
    assert_eq!(h.get(PreimageKey::local(4)).unwrap(), 26207960u64.to_be_bytes());
    assert_eq!(h.get(PreimageKey::local(5)).unwrap(), 0u64.to_be_bytes(), "chain id 0 without --l2-chain-id");
    assert_eq!(h.get(PreimageKey::local(6)).unwrap(), br#"{"block_time":2,"l2_chain_id":11155420}"#);
    assert_eq!(h.hint("l2-state-node 0xabcd"), 0);
    // The first fixture line: raw keccak key 0x00005ec1..., served as a type-2 key.
    let raw = hex::decode("00005ec1d74daad7a1a31d3df74b50a86bf46e9eaf742578892f7af83c2bbb35").unwrap();
    let key = PreimageKey::keccak256(raw.clone().try_into().unwrap());
    let v = h.get(key).unwrap();
    assert_eq!(keccak256(&v).to_vec(), raw);
    let o = h.finish();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("served 6 preimages"));
    let _ = std::fs::remove_dir_all(&work);
}

#[test]
fn host_exits_nonzero_on_a_missing_local_key_and_an_invalid_key() {
    let mut args: Vec<&str> = LOCAL_FLAGS[..9].to_vec();
    args.extend(["--l2-chain-id", "10"]);
    let mut h = DirectHost::spawn(&args);
    assert_eq!(h.get(PreimageKey::local(5)).unwrap(), 10u64.to_be_bytes());
    assert_eq!(h.get(PreimageKey::local(6)), None, "no rollup config given: missing");
    let o = h.finish();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "missing preimage for key 0x0100000000000000000000000000000000000000000000000000000000000006 (type local)"
        ),
        "{err}"
    );

    let mut h = DirectHost::spawn(&args);
    h.key_w.write_all(&[0u8; 32]).unwrap();
    let o = h.finish();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("illegal preimage key type 0"));
}

#[test]
fn host_flag_errors() {
    let dir = std::env::temp_dir();
    // Run by hand: fds 3-6 are not open.
    let mut cmd = Command::new(rampart_bin());
    cmd.arg("host").args(&LOCAL_FLAGS[..9]);
    // SAFETY: close only runs between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for fd in 3..=6 {
                libc::close(fd);
            }
            Ok(())
        });
    }
    let o = cmd.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("fd 3 is not open"), "{}", String::from_utf8_lossy(&o.stderr));

    let mut native: Vec<&str> = vec!["host"];
    native.extend(&LOCAL_FLAGS[..8]);
    native.push("--native");
    let o = rampart(&native, &dir);
    assert_eq!(o.status.code(), Some(1));
    // --native runs rampart-program in-process: without --l2-chain-id or --rollup-config-path local key 6 (the
    // rollup config) is missing, and the run ends with exit 1 naming that key.
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("missing preimage for key 0x0100000000000000000000000000000000000000000000000000000000000006"),
        "{err}"
    );

    // Neither or both modes.
    let o = rampart(&[&["host"], &LOCAL_FLAGS[..8]].concat(), &dir);
    assert_eq!(o.status.code(), Some(1));
    let o = rampart(&[&["host", "--native"], &LOCAL_FLAGS[..9]].concat(), &dir);
    assert_eq!(o.status.code(), Some(1));
    // Bad hash, chain id together with a rollup config, missing data-dir format.
    let mut bad: Vec<&str> = vec!["host"];
    bad.extend(&LOCAL_FLAGS[..9]);
    bad[2] = "0x12";
    let o = rampart(&bad, &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected 32 bytes"));
    let o = rampart(
        &[&["host"], &LOCAL_FLAGS[..9], &["--l2-chain-id", "1", "--rollup-config-path", "x.json"]].concat(),
        &dir,
    );
    assert_eq!(o.status.code(), Some(1));
    let o = rampart(&[&["host"], &LOCAL_FLAGS[..9], &["--l1", "http://localhost:8545"]].concat(), &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("online mode"));
    let work = common::workdir("oracle", "flags");
    std::fs::write(work.join("kvformat"), "pebble").unwrap();
    let o = rampart(&[&["host"], &LOCAL_FLAGS[..9], &["--data-dir", work.to_str().unwrap()]].concat(), &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("kvformat is \"pebble\""));
    let _ = std::fs::remove_dir_all(&work);
}
