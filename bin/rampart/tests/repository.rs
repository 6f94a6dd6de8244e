//! Repository checks that run with the test suite (CI runs exactly the README's `cargo test --workspace --release`):
//! * every workspace package is `cargo fmt` clean (rustfmt.toml at the root);
//! * `cargo clippy --workspace --all-targets -- -D warnings` passes;
//! * `cargo doc --workspace --no-deps` passes with `RUSTDOCFLAGS=-D warnings`;
//! * the VM crate's tests pass once more with debug assertions and overflow checks on;
//! * every bundled guest ELF rebuilds byte-identically from source (`guests/check-reproducible.sh`).
//!
//! They share one test binary so that the test harness runs the two long ones (the clippy/rustdoc build and the
//! guest rebuild) at the same time, each filling the other's single-threaded phases (link-time optimisation of the
//! guests, the last big crates of the check build).
//!
//! `.ci/install-deps` installs rustfmt and clippy. The clippy, doc and debug-assertion runs build into their own
//! target directory (`target/lints`), so they never wait on the lock of the build running this test. The guest
//! workspaces under `guests/` are not checked yet: their own sources are formatted with the next rebuild of the
//! small guests.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace's packages, all checked.
const CHECKED: [&str; 17] = [
    "rampart",
    "rampart-agent",
    "rampart-batch-decode",
    "rampart-derive",
    "rampart-devnet",
    "rampart-executor",
    "rampart-game",
    "rampart-genesis",
    "rampart-host",
    "rampart-mpt",
    "rampart-preimage",
    "rampart-primitives",
    "rampart-program",
    "rampart-protocol",
    "rampart-test-utils",
    "rampart-verifier",
    "rampart-vm",
];

#[test]
fn workspace_packages_are_rustfmt_clean() {
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Every workspace package is in exactly one of the two lists.
    let meta = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(&root)
        .output()
        .expect("cargo metadata");
    assert!(meta.status.success(), "{}", String::from_utf8_lossy(&meta.stderr));
    let v: serde_json::Value = serde_json::from_slice(&meta.stdout).unwrap();
    let mut names: Vec<String> =
        v["packages"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    let mut listed: Vec<String> = CHECKED.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(names, listed, "a workspace package is missing from the lint lists");

    let mut args = vec!["fmt".to_string()];
    for p in CHECKED {
        args.extend(["-p".to_string(), p.to_string()]);
    }
    args.extend(["--".to_string(), "--check".to_string(), "-l".to_string()]);
    let o = Command::new(&cargo)
        .args(&args)
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("cannot run `{cargo} fmt`: {e} (install rustfmt: bash .ci/install-deps)"));
    let listed = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "files not rustfmt-clean (run `cargo fmt -p <package>`):\n{listed}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(listed.trim().is_empty(), "{listed}");
}

/// Runs `cargo <args>` at the repository root in the lint target directory with `env`; panics with its output
/// when it fails.
fn cargo_in_lint_dir(args: &[&str], env: &[(&str, &str)]) -> String {
    let root = root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(&cargo);
    cmd.args(args).current_dir(&root).env("CARGO_TARGET_DIR", root.join("target/lints"));
    // The outer `cargo test`'s settings must not leak into the nested build.
    for var in ["RUSTFLAGS", "RUSTDOCFLAGS", "CARGO_ENCODED_RUSTFLAGS", "CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS"] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    let o = cmd.output().unwrap_or_else(|e| panic!("cannot run `{cargo} {}`: {e}", args.join(" ")));
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "`cargo {}` failed:\n{text}", args.join(" "));
    text
}

#[test]
fn clippy_and_rustdoc_deny_warnings() {
    // Release profile: the dependencies' check artifacts are shared by clippy and rustdoc.
    let clippy = cargo_in_lint_dir(
        &["clippy", "--release", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"],
        &[],
    );
    assert!(!clippy.contains("warning:"), "{clippy}");
    let doc = cargo_in_lint_dir(
        &["doc", "--release", "--workspace", "--no-deps", "--locked"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    );
    assert!(!doc.contains("warning:"), "{doc}");
}

#[test]
fn vm_tests_pass_with_debug_assertions_and_overflow_checks() {
    let out = cargo_in_lint_dir(
        &["test", "--release", "-p", "rampart-vm", "--locked"],
        &[("CARGO_PROFILE_RELEASE_DEBUG_ASSERTIONS", "true"), ("CARGO_PROFILE_RELEASE_OVERFLOW_CHECKS", "true")],
    );
    let passed: usize = out
        .lines()
        .filter_map(|l| l.strip_prefix("test result: ok. "))
        .map(|l| l.split(' ').next().unwrap().parse::<usize>().unwrap())
        .sum();
    println!("rampart-vm with debug assertions and overflow checks: {passed} tests passed");
    assert!(!out.contains("test result: FAILED"), "{out}");
    // Every test of the VM crate (unit, integration and doc tests).
    assert_eq!(passed, 45, "{out}");
}

/// The repository root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn guest_elfs_rebuild_byte_identically() {
    let script = root().join("guests/check-reproducible.sh");
    let o = Command::new("bash").arg(&script).output().expect("run guests/check-reproducible.sh");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "guest rebuild is not byte-identical to guests/bin:\n{stdout}\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Every committed ELF, the executor guest's two builds (accelerated and unaccelerated) and the fault-proof program included.
    let committed = std::fs::read_dir(root().join("guests/bin"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "elf"))
        .count();
    assert!(root().join("guests/bin/rust-executor-unaccelerated.elf").is_file());
    assert!(root().join("guests/bin/rampart-program.elf").is_file());
    assert_eq!(committed, 24);
    assert!(stdout.contains(&format!("reproducible: {committed} guest ELFs rebuilt byte-identically")), "{stdout}");
    println!("{}", stdout.trim());
}
