//! `rampart withdrawal prove|finalize` on the recorded devnet dataset.

mod common;

use common::{rampart, repo};

#[test]
fn withdrawal_prove_and_finalize_on_the_devnet_dataset() {
    let data = repo().join("testdata/devnet");
    let d = data.to_str().unwrap();
    let o = rampart(&["withdrawal", "prove", "--data-dir", d], &repo());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let blocks: Vec<&str> =
        out.lines().filter(|l| l.starts_with("L2 block ")).map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        blocks,
        ["L2 block 2", "L2 block 5", "L2 block 6", "L2 block 7", "L2 block 9", "L2 block 17", "L2 block 21"]
    );
    assert_eq!(out.matches(" nodes), verified").count(), 7);
    // proveWithdrawalTransaction((uint256,address,address,uint256,uint256,bytes),uint256,(bytes32,bytes32,bytes32,bytes32),bytes[])
    assert_eq!(out.lines().filter(|l| l.starts_with("  calldata 0x4870496f")).count(), 7);

    let o = rampart(&["withdrawal", "finalize", "--data-dir", d, "--block", "2"], &repo());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let steps: Vec<&str> = out.lines().filter(|l| l.starts_with("  ") && l.contains(": ")).collect();
    assert!(steps[0].contains("refused: ProofNotOldEnough"), "{out}");
    assert!(steps[1].contains("refused: InvalidDisputeGame: the game is InProgress"), "{out}");
    assert!(steps[2].contains("refused: the game resolved 0 s ago"), "{out}");
    assert!(steps[3].contains("would succeed"), "{out}");

    // No withdrawal in block 3; a missing dataset: one clear error each.
    let o = rampart(&["withdrawal", "prove", "--data-dir", d, "--block", "3"], &repo());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no withdrawal was initiated"));
    let o = rampart(&["withdrawal", "prove", "--data-dir", "/nonexistent"], &repo());
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("error: /nonexistent"));
}

/// `withdrawal prove --portal-evm`: each of the 7 devnet proofs also submitted to the real `OptimismPortal2`
/// 3.10.0 bytecode in revm (contracts-bedrock 0.17.3 artifacts from `scripts/install-nodes.sh`; this test fails
/// without them), each against its own proposal game; without the artifacts, one clear error.
#[test]
fn withdrawal_prove_through_the_real_portal_bytecode() {
    let data = repo().join("testdata/devnet");
    let d = data.to_str().unwrap();
    let o = rampart(&["withdrawal", "prove", "--data-dir", d, "--portal-evm"], &repo());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let games: Vec<&str> = out
        .lines()
        .filter_map(|l| l.strip_prefix("  OptimismPortal2 3.10.0 bytecode (revm): proven against game "))
        .map(|l| l.split(' ').next().unwrap())
        .collect();
    assert_eq!(games, ["0", "1", "2", "3", "4", "5", "6"], "{out}");

    let o = std::process::Command::new(common::rampart_bin())
        .args(["withdrawal", "prove", "--data-dir", d, "--block", "2", "--portal-evm"])
        .env("RAMPART_CONTRACTS_BEDROCK", "/nonexistent")
        .current_dir(repo())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("error: portal EVM: no contracts-bedrock forge artifacts at /nonexistent"), "{err}");
    assert!(err.contains("scripts/install-nodes.sh"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
