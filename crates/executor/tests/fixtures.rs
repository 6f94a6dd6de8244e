//! Executes the six OP Sepolia fixture blocks statelessly and checks their hashes.

use rampart_executor::{build_block, fixture::load_fixture, Error};
use std::path::PathBuf;

const BLOCKS: [u64; 6] = [26207960, 26207961, 26207962, 26207963, 26208384, 26208858];

fn fixture_dir() -> PathBuf {
    if let Ok(d) = std::env::var("RAMPART_OP_FIXTURES") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/op-sepolia-blocks")
}

fn run(n: u64) {
    let f = load_fixture(&fixture_dir().join(format!("block-{n}.json"))).expect("fixture loads");
    let out = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages)
        .expect("block builds");
    assert_eq!(out.header.number, n);
    assert_eq!(
        out.block_hash, f.expected_block_hash,
        "block {n}: header {:#?}",
        out.header
    );
}

#[test]
fn block_26207960() {
    run(BLOCKS[0]);
}
#[test]
fn block_26207961() {
    run(BLOCKS[1]);
}
#[test]
fn block_26207962() {
    run(BLOCKS[2]);
}
#[test]
fn block_26207963() {
    run(BLOCKS[3]);
}
#[test]
fn block_26208384() {
    run(BLOCKS[4]);
}
#[test]
fn block_26208858() {
    run(BLOCKS[5]);
}
