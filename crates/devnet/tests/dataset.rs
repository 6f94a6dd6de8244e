//! The recorded devnet dataset in `testdata/devnet/` (made by `scripts/record-devnet-testdata.sh`: real geth and
//! op-geth, Isthmus activating at L2 block 12), checked without any node: claims.json's structure, every output
//! preimage, the L1 chain with its tries and blobs, and every L2 block re-executed by rampart-executor from the
//! store alone to op-geth's block hash and the claimed output root.

use rampart_devnet::dataset::{self, Dataset};
use std::path::PathBuf;

fn testdata() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/devnet")
}

#[test]
fn recorded_dataset_re_executes_from_the_store_alone() {
    let ds = Dataset::open(testdata()).unwrap();
    assert_eq!(ds.claims.len(), 48);
    let blocks: Vec<u64> = ds.claims.iter().filter(|c| c.valid).map(|c| c.l2_block).collect();
    assert_eq!(blocks, (1..=24).collect::<Vec<_>>());
    assert!(ds.claims.iter().all(|c| c.l2_chain_id == 901 && c.host_args.len() == 16));
    let r = ds.check().unwrap();
    println!("{r:?}");
    assert_eq!(r.mismatches, Vec::<(u64, String)>::new());
    assert_eq!((r.claims, r.valid, r.agreed_outputs, r.claimed_outputs), (48, 24, 24, 24));
    assert_eq!((r.executed, r.matched), (24, 24));
    assert_eq!(r.l2_headers, 25);
    assert_eq!((r.l1_headers, r.l1_transactions, r.l1_receipts, r.blobs), (L1_HEADERS, L1_TXS, L1_TXS, 5));
    assert_eq!(r.executor_reads, EXECUTOR_READS);

    // The range crosses Isthmus: blocks from its activation carry the message passer's storage root.
    let isthmus = ds.rollup["isthmus_time"].as_u64().unwrap();
    let mut after = 0;
    for c in ds.claims.iter().filter(|c| c.valid) {
        let root = dataset::flag(&c.host_args, "--claimed-l2-output-root").unwrap().parse().unwrap();
        let out = ds.output(root).unwrap();
        let h = dataset::header(&*ds.store, out.block_hash).unwrap();
        if h.timestamp >= isthmus {
            after += 1;
            assert_eq!(h.withdrawals_root, Some(out.message_passer_storage_root));
        }
    }
    assert_eq!(after, 13, "blocks 12..=24 are Isthmus blocks");
}

/// L1 blocks 7 (the rollup's genesis L1 block) ..= 27 (the highest L1 head of the claims).
const L1_HEADERS: usize = 21;
/// Transactions (and receipts) of those blocks: deposits, config updates, calldata and blob batches.
const L1_TXS: usize = 18;
/// Distinct trie nodes, codes and headers the executor read for the 24 blocks.
const EXECUTOR_READS: usize = 776;
