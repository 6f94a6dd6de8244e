//! `rampart demo` (the README's first command): the dispute game over the bundled MIPS64 program ends with the
//! wrong claim defeated by a verified VM step; `--elf` runs a guest and verifies its last step.

use std::process::Command;

fn rampart(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("spawn rampart");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn demo_game_defeats_the_wrong_claim_with_a_verified_step() {
    let (code, out, err) = rampart(&["demo"]);
    assert_eq!(code, 0, "demo failed: {err}\n{out}");
    let lines: Vec<&str> = out.lines().collect();
    let moves = lines.iter().filter(|l| l.starts_with("move #")).count();
    assert!(moves >= 10, "expected bisection down through the execution trace, got {moves} moves:\n{out}");
    // Moves below the split depth carry VM state hashes (status byte 3 = unfinished, or 0/1/2 at the end).
    assert!(lines.iter().any(|l| l.starts_with("move #") && l.contains("claim 0x03")), "{out}");
    let step = lines.iter().find(|l| l.starts_with("step ")).unwrap_or_else(|| panic!("no step in:\n{out}"));
    assert!(step.contains("challenger"), "the honest challenger should make the step: {step}");
    assert!(out.contains("result   ChallengerWins"), "{out}");
    assert!(out.contains("resolve  claim #0 countered"), "{out}");
    assert!(lines.last().unwrap().contains("defeated"), "{out}");
    // Deterministic: a second run prints the same transcript.
    let (_, again, _) = rampart(&["demo"]);
    let strip = |s: &str| s.lines().filter(|l| !l.starts_with("--- end of transcript")).collect::<Vec<_>>().join("\n");
    assert_eq!(strip(&out), strip(&again));
}

#[test]
fn demo_with_a_guest_verifies_its_last_step() {
    let elf = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/go-hello.elf");
    let (code, out, err) = rampart(&["demo", "--elf", elf]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("checked by the stateless verifier: ok"), "{out}");
    let (code, _, err) = rampart(&["demo", "--elf", "/nonexistent.elf"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: reading guest") && !err.contains("panicked"), "{err}");
}
