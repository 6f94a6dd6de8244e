//! Repository lints that run with the test suite (CI runs exactly the README's `cargo test --workspace --release`):
//! the workspace packages are `cargo fmt` clean (rustfmt.toml at the root; `.ci/install-deps` installs rustfmt).
//!
//! Every package of the root workspace is checked, the 8 compiled into the guest ELFs included (formatted with
//! the guest rebuild that moved their panic locations). The guest workspaces under `guests/` are not checked yet:
//! their own sources are formatted with the next rebuild of the small guests.

use std::path::Path;
use std::process::Command;

/// The workspace's packages, all checked.
const CHECKED: [&str; 16] = [
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
    "rampart-verifier",
    "rampart-vm",
];

#[test]
fn workspace_packages_are_rustfmt_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
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
