//! Every claim recorded from the devnet (testdata/devnet: geth + op-geth, 24 L2 blocks, Holocene at genesis,
//! Isthmus from block 12, Jovian from block 16, span and singular batches in zlib/brotli
//! channels, calldata and blobs, batcher faults) runs natively through the whole client flow on the recorded store
//! and gets its recorded verdict: the valid claims carry op-geth's output roots, so every derived and executed
//! block (the activation blocks' upgrade transactions and each fork's L1-info format included) reproduces
//! op-geth's.

use alloy_primitives::B256;
use rampart_preimage::{LocalKey, PreimageKey};
use rampart_program::{exit_code, MemoryOracle, ProgramError, RunOutcome};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;

fn dataset() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

/// The recorded store (`rampart_host::dump` format: `0x<key> 0x<value>` per line, gzip).
fn store() -> MemoryOracle {
    let f = std::fs::File::open(dataset().join("preimages.kv.gz")).unwrap();
    let mut o = MemoryOracle::new();
    for line in BufReader::new(flate2::read::MultiGzDecoder::new(f)).lines() {
        let line = line.unwrap();
        let (k, v) = line.trim().split_once(' ').unwrap();
        let k: [u8; 32] = hex::decode(&k[2..]).unwrap().try_into().unwrap();
        o.insert(PreimageKey::try_from(k).unwrap(), hex::decode(&v[2..]).unwrap());
    }
    o
}

fn flag<'a>(args: &'a [serde_json::Value], name: &str) -> &'a str {
    let i = args.iter().position(|a| a == name).unwrap_or_else(|| panic!("{name}"));
    args[i + 1].as_str().unwrap()
}

fn b256(s: &str) -> B256 {
    s.parse().unwrap()
}

#[test]
fn every_recorded_devnet_claim_gets_its_verdict() {
    let base = store();
    let rollup = std::fs::read(dataset().join("rollup.json")).unwrap();
    let l1 = std::fs::read(dataset().join("l1-config.json")).unwrap();
    let claims: Vec<serde_json::Value> =
        serde_json::from_slice(&std::fs::read(dataset().join("claims.json")).unwrap()).unwrap();
    let (mut valid, mut invalid, mut blocks) = (0, 0, 0);
    for c in &claims {
        let args = c["host_args"].as_array().unwrap();
        let mut o = base.clone();
        o.insert_local(LocalKey::L1Head.index(), b256(flag(args, "--l1-head")).0);
        o.insert_local(LocalKey::L2OutputRoot.index(), b256(flag(args, "--agreed-l2-output-root")).0);
        o.insert_local(LocalKey::L2Claim.index(), b256(flag(args, "--claimed-l2-output-root")).0);
        let number: u64 = flag(args, "--claimed-l2-block-number").parse().unwrap();
        o.insert_local(LocalKey::L2ClaimBlockNumber.index(), number.to_be_bytes());
        o.insert_local(LocalKey::L2ChainId.index(), c["l2_chain_id"].as_u64().unwrap().to_be_bytes());
        o.insert_local(LocalKey::L2RollupConfig.index(), rollup.clone());
        o.insert_local(LocalKey::L1Config.index(), l1.clone());
        let r = rampart_program::run(o);
        if c["valid"].as_bool().unwrap() {
            match &r {
                Ok(RunOutcome::Derived(out)) => {
                    assert_eq!(out.tip.info.block_info.number, number);
                    assert!(!out.end_of_source);
                    blocks += out.blocks;
                }
                other => panic!("valid claim for block {number}: {other:?}"),
            }
            valid += 1;
        } else {
            assert!(matches!(r, Err(ProgramError::InvalidClaim { .. })), "wrong claim for block {number}: {r:?}");
            invalid += 1;
        }
        assert_eq!(exit_code(&r), if c["valid"].as_bool().unwrap() { 0 } else { 1 });
    }
    println!(
        "devnet: {valid} valid claims exit 0, {invalid} wrong claims exit 1, {blocks} blocks derived and executed"
    );
    assert_eq!((valid, invalid, blocks), (24, 24, 24));
}
