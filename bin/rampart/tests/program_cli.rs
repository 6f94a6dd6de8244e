//! The fault-proof program from the command line: `rampart host --native` runs rampart-program in-process on the
//! host's inputs and store (exit code = verdict), with local keys 6/7 from `--rollup-config-path` /
//! `--l1-config-path` and the `--agreed-l2-head-hash` check.

mod common;

use alloy_primitives::{keccak256, B256};
use common::{rampart, workdir};
use rampart_host::{DirectoryKeyValueStore, KeyValueStore};
use rampart_preimage::PreimageKey;
use std::path::Path;

/// A store with an agreed safe head (block 100) and its output root; returns (store dir, agreed root, head hash).
fn store(dir: &Path) -> (String, B256, B256) {
    let data = dir.join("data");
    let mut kv = DirectoryKeyValueStore::open(&data).unwrap();
    let header = alloy_consensus::Header {
        number: 100,
        timestamp: 1_700_000_200,
        state_root: B256::repeat_byte(4),
        ..Default::default()
    };
    let rlp = alloy_rlp::encode(&header);
    let hash = keccak256(&rlp);
    kv.set(PreimageKey::keccak256(hash.0), rlp).unwrap();
    let mut output = vec![0u8; 128];
    output[32..64].fill(4);
    output[64..96].fill(5);
    output[96..].copy_from_slice(hash.as_slice());
    let agreed = keccak256(&output);
    kv.set(PreimageKey::keccak256(agreed.0), output).unwrap();
    (data.to_str().unwrap().to_string(), agreed, hash)
}

/// A rollup config for an unbundled chain (901) on an unbundled L1 (900), and that L1's config.
fn configs(dir: &Path) -> (String, String) {
    let mut cfg = rampart_genesis::registry::rollup_config(11_155_420).unwrap();
    cfg.l2_chain_id = 901;
    cfg.l1_chain_id = 900;
    let rollup = dir.join("rollup.json");
    std::fs::write(&rollup, cfg.to_json()).unwrap();
    let l1 = dir.join("l1.json");
    std::fs::write(&l1, rampart_genesis::L1ChainConfig { chain_id: 900, ..Default::default() }.to_json()).unwrap();
    (rollup.to_str().unwrap().to_string(), l1.to_str().unwrap().to_string())
}

fn host_native(dir: &Path, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["host", "--native"];
    args.extend_from_slice(extra);
    let o = rampart(&args, dir);
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

#[test]
fn host_native_runs_the_program_with_config_files_and_head_hash() {
    let dir = workdir("program-cli", "native");
    let (data, agreed, head) = store(&dir);
    let (rollup, l1) = configs(&dir);
    let agreed_hex = format!("{agreed}");
    let head_hex = format!("{head}");
    let l1_head = format!("{}", B256::repeat_byte(1));
    let wrong = format!("{}", B256::repeat_byte(9));
    let base = |claim: &str, block: &str| -> Vec<String> {
        [
            "--l1-head",
            &l1_head,
            "--agreed-l2-output-root",
            &agreed_hex,
            "--claimed-l2-output-root",
            claim,
            "--claimed-l2-block-number",
            block,
            "--data-dir",
            &data,
            "--rollup-config-path",
            &rollup,
            "--l1-config-path",
            &l1,
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    };
    let run = |args: Vec<String>, more: &[&str]| {
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        a.extend_from_slice(more);
        host_native(&dir, &a)
    };
    // Trace extension (claimed block = the agreed safe head): valid iff claimed == agreed; keys 6 and 7 are read
    // from the files because neither chain is bundled.
    let (code, err) = run(base(&agreed_hex, "100"), &["--agreed-l2-head-hash", &head_hex]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("program: valid claim"), "{err}");
    let (code, err) = run(base(&wrong, "100"), &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("invalid claim"), "{err}");
    // A claimed block below the agreed safe head.
    let (code, err) = run(base(&agreed_hex, "99"), &[]);
    assert_eq!(code, 1);
    assert!(err.contains("below the agreed safe head"), "{err}");
    // The agreed head hash must be the output root's block hash.
    let (code, err) = run(base(&agreed_hex, "100"), &["--agreed-l2-head-hash", &wrong]);
    assert_eq!(code, 1);
    assert!(err.contains("is not the agreed output root's block hash"), "{err}");
    // Without --l1-config-path the unbundled L1's config (key 7) is missing: an error, not a verdict.
    let mut no_l1 = base(&agreed_hex, "100");
    no_l1.truncate(no_l1.len() - 2);
    let (code, err) = run(no_l1, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("program:"), "{err}");
    // A rollup config file that is not a rollup config: key 6 is rejected by the program.
    let bad = dir.join("bad.json");
    std::fs::write(&bad, br#"{"genesis": 5}"#).unwrap();
    let mut bad_cfg = base(&agreed_hex, "100");
    let i = bad_cfg.iter().position(|a| a == "--rollup-config-path").unwrap();
    bad_cfg[i + 1] = bad.to_str().unwrap().to_string();
    let (code, err) = run(bad_cfg, &[]);
    assert_eq!(code, 1);
    assert!(err.contains("local key 6 config JSON"), "{err}");
}

#[test]
fn host_native_online_names_why_the_host_gave_up() {
    // Nodes that refuse every connection: the program's first read misses, the host gives up on the key after its
    // retries, and the one error line says so rather than only that the channel closed.
    let dir = workdir("program-cli", "online-down");
    let (rollup, l1) = configs(&dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = format!("http://127.0.0.1:{port}");
    let data = dir.join("data");
    let root = format!("{}", B256::repeat_byte(7));
    let args = [
        "--l1-head",
        &root,
        "--agreed-l2-output-root",
        &root,
        "--claimed-l2-output-root",
        &root,
        "--claimed-l2-block-number",
        "100",
        "--data-dir",
        data.to_str().unwrap(),
        "--rollup-config-path",
        &rollup,
        "--l1-config-path",
        &l1,
        "--l1-node-address",
        &down,
        "--l1-beacon-address",
        &down,
        "--l2-node-address",
        &down,
    ];
    let (code, err) = host_native(&dir, &args);
    assert_eq!(code, 1, "{err}");
    let last = err.lines().last().unwrap_or_default();
    for part in ["program: ", "the host stopped serving: missing preimage for key 0x", "the host's last hint error: "] {
        assert!(last.contains(part), "{last:?} lacks {part:?}\n{err}");
    }
    assert!(last.contains(&format!("({down})")), "the node that failed is named: {last:?}");
}
