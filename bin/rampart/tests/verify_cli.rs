//! `rampart verify` on proofs written by `rampart run --proof-at`: every proof is accepted with its own post hash,
//! tampered and malformed proofs are rejected with exit 1 and a message (never a panic).

mod common;

use common::{load_elf, rampart, repo, workdir};
use std::path::{Path, PathBuf};

fn guest(name: &str) -> String {
    repo().join("guests/bin").join(format!("{name}.elf")).to_string_lossy().into_owned()
}

#[test]
fn verify_accepts_every_proof_of_a_run_and_rejects_tampering() {
    let dir = workdir("verify", "run");
    load_elf(Path::new(&guest("go-goroutines")), &dir.join("state.bin.gz"), None, &dir);
    let o = rampart(
        &[
            "run",
            "--input",
            "state.bin.gz",
            "--output",
            "",
            "--meta",
            "",
            "--proof-at",
            "%1013",
            "--stop-at",
            "=400000",
            "--proof-fmt",
            "p-%d.json",
        ],
        &dir,
    );
    assert!(o.status.success(), "run: {}", String::from_utf8_lossy(&o.stderr));
    let mut proofs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("p-"))
        .collect();
    proofs.sort();
    assert!(proofs.len() > 300, "only {} proofs written", proofs.len());
    for p in &proofs {
        let o = rampart(&["verify", "--proof", p.to_str().unwrap()], &dir);
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}: {}", p.display(), String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
        assert_eq!(out.trim(), format!("ok {}", json["post"].as_str().unwrap()));
    }
    println!("verify: {} proofs of go-goroutines accepted", proofs.len());

    // Tampered: a wrong claimed post hash, a flipped register in the thread witness, a flipped memory root.
    let text = std::fs::read_to_string(&proofs[proofs.len() / 2]).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let flip = |field: &str, at: usize| {
        let mut j = json.clone();
        let s = j[field].as_str().unwrap().to_string();
        let mut bytes = hex::decode(&s[2..]).unwrap();
        bytes[at] ^= 1;
        j[field] = serde_json::Value::String(format!("0x{}", hex::encode(bytes)));
        j
    };
    for (name, j) in
        [("post", flip("post", 5)), ("proof-data", flip("proof-data", 100)), ("state-data-root", flip("state-data", 3))]
    {
        let path = dir.join(format!("tampered-{name}.json"));
        std::fs::write(&path, serde_json::to_string(&j).unwrap()).unwrap();
        let o = rampart(&["verify", "--proof", path.to_str().unwrap()], &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "tampered {name} accepted: {}", String::from_utf8_lossy(&o.stdout));
        assert!(err.starts_with("error: ") && !err.contains("panicked"), "{name}: {err}");
    }

    // Malformed inputs: missing file, not JSON, short state data.
    std::fs::write(dir.join("garbage.json"), b"\x00\x01not json").unwrap();
    let mut short = json.clone();
    short["state-data"] = serde_json::Value::String("0x00".into());
    std::fs::write(dir.join("short.json"), serde_json::to_string(&short).unwrap()).unwrap();
    for f in ["missing.json", "garbage.json", "short.json"] {
        let o = rampart(&["verify", "--proof", f], &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{f}");
        assert!(!err.contains("panicked") && err.starts_with("error: "), "{f}: {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
