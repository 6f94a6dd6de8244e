//! Helpers shared by the CLI integration tests: the built binary, scratch directories, repo paths, the fixtures.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The six vendored OP Sepolia fixture blocks and their expected block hashes.
pub const BLOCKS: [(u64, &str); 6] = [
    (26207960, "0xdb32d9ddfa5fd26c9fb0260bbfa53da88326aa2a465e34d75180564aa31b851e"),
    (26207961, "0x163f974efd18250b43c4eb16c9d4f638cf25e4fe7d8b444db58916d62404d4a5"),
    (26207962, "0xdcacc3f9f5d921a6c9640fb35bdb675d54107e4b7f788f6d5d4e40dc2d722943"),
    (26207963, "0xc19e417cd6c2c9edaf2093b4701514635b5cfd414fb00d0e4d00450f90d55ce5"),
    (26208384, "0x26733c902943d6075a7a97b3617cca3df816f64acd733aa1989d1648cef739e4"),
    (26208858, "0xe2c67d38e2f82ccc48e57a7b82f46365071a96f1caf95ed9eb8c103d826c2ae1"),
];

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The fixture directory (`RAMPART_OP_FIXTURES` overrides the vendored `testdata/op-sepolia-blocks`).
pub fn fixture_dir() -> PathBuf {
    match std::env::var("RAMPART_OP_FIXTURES") {
        Ok(d) => PathBuf::from(d),
        Err(_) => repo().join("testdata/op-sepolia-blocks"),
    }
}

/// The `rampart` binary under test.
pub fn rampart_bin() -> &'static str {
    env!("CARGO_BIN_EXE_rampart")
}

/// Runs `rampart args...` in `dir`.
pub fn rampart(args: &[&str], dir: &Path) -> Output {
    Command::new(rampart_bin()).args(args).current_dir(dir).output().expect("spawn rampart")
}

/// A fresh scratch directory `rampart-<prefix>-<name>-<pid>` in the temp dir.
pub fn workdir(prefix: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-{prefix}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `rampart load-elf --type multithreaded64-5` of `elf` into the state file `out` (with a meta file when given),
/// asserting success.
pub fn load_elf(elf: &Path, out: &Path, meta: Option<&Path>, dir: &Path) {
    let meta = meta.map(|m| m.to_str().unwrap()).unwrap_or("");
    let o = rampart(
        &[
            "load-elf",
            "--type",
            "multithreaded64-5",
            "--path",
            elf.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--meta",
            meta,
        ],
        dir,
    );
    assert!(o.status.success(), "load-elf {}: {}", elf.display(), String::from_utf8_lossy(&o.stderr));
}
