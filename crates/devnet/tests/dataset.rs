//! The recorded devnet dataset in `testdata/devnet/` (made by `scripts/record-devnet-testdata.sh`: real geth and
//! op-geth; Holocene from genesis, Isthmus activating at L2 block 12, Jovian at 16, Karst at 20), checked without
//! any node: claims.json's structure, every output
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

    // The range crosses three activations: each block's fork (from rollup.json's times), the activation blocks
    // holding only deposits: the L1-info deposit, the epoch's user deposits and the upgrade transactions (8 Isthmus,
    // 5 Jovian, Karst's 31-transaction NUT bundle), Isthmus blocks the message passer's storage root, Jovian blocks
    // the version-1 extra data, and Karst's activation block the one-time upgrade gas in its gas limit.
    let time = |f: &str| ds.rollup[f].as_u64().unwrap();
    let (isthmus, jovian, karst) = (time("isthmus_time"), time("jovian_time"), time("karst_time"));
    assert!(!ds.rollup["keep_karst_upgrade_gas"].as_bool().unwrap_or(false));
    assert_eq!(ds.rollup["holocene_time"].as_u64(), Some(0));
    let mut forks: Vec<(u64, &str)> = Vec::new();
    let mut activations = Vec::new();
    for c in ds.claims.iter().filter(|c| c.valid) {
        let root = dataset::flag(&c.host_args, "--claimed-l2-output-root").unwrap().parse().unwrap();
        let out = ds.output(root).unwrap();
        let h = dataset::header(&*ds.store, out.block_hash).unwrap();
        let txs = dataset::ordered_list(&*ds.store, h.transactions_root).unwrap();
        let deposits = txs.iter().take_while(|t| t.first() == Some(&0x7e)).count();
        let fork = match h.timestamp {
            t if t >= karst => "karst",
            t if t >= jovian => "jovian",
            t if t >= isthmus => "isthmus",
            _ => "holocene",
        };
        // Activation blocks: only deposits (L1-info, the epoch's user deposits, the upgrade transactions).
        let upgrade = [(isthmus, 8), (jovian, 5), (karst, 31)].iter().find(|(t, _)| *t == h.timestamp).map(|u| u.1);
        if let Some(n) = upgrade {
            assert_eq!(deposits, txs.len(), "activation block {}", h.number);
            activations.push((h.number, n, txs.len()));
        }
        assert_eq!(h.withdrawals_root.is_some_and(|r| r == out.message_passer_storage_root), h.timestamp >= isthmus);
        assert_eq!(h.extra_data.len(), if h.timestamp >= jovian { 17 } else { 9 }, "block {}", h.number);
        let upgrade_gas = if h.timestamp == karst { 55_370_657 } else { 0 };
        assert_eq!(h.gas_limit, 30_000_000 + upgrade_gas, "block {}", h.number);
        forks.push((h.number, fork));
    }
    let blocks_of = |f: &str| forks.iter().filter(|(_, g)| *g == f).map(|(n, _)| *n).collect::<Vec<_>>();
    assert_eq!(blocks_of("holocene"), (1..=11).collect::<Vec<_>>());
    assert_eq!(blocks_of("isthmus"), (12..=15).collect::<Vec<_>>());
    assert_eq!(blocks_of("jovian"), (16..=19).collect::<Vec<_>>());
    assert_eq!(blocks_of("karst"), (20..=24).collect::<Vec<_>>());
    // (block, upgrade transactions, deposits).
    assert_eq!(activations, ACTIVATIONS);
}

/// L1 blocks 7 (the rollup's genesis L1 block) ..= 40 (the highest L1 head of the claims).
const L1_HEADERS: usize = 34;
/// Transactions (and receipts) of those blocks: deposits, config updates, calldata and blob batches.
const L1_TXS: usize = 19;
/// Distinct trie nodes, codes and headers the executor read for the 24 blocks.
const EXECUTOR_READS: usize = 891;

/// The fault-proof program natively on every recorded claim, over the store alone: each valid claim's run derives
/// and executes its block (exit 0), each wrong claim's fails on the output root (exit 1).
#[test]
fn program_gives_every_recorded_claim_its_verdict() {
    let ds = Dataset::open(testdata()).unwrap();
    let (mut valid, mut wrong) = (0, 0);
    for c in &ds.claims {
        let r = ds.run_program(c).unwrap();
        assert_eq!(
            rampart_program::exit_code(&r),
            i32::from(!c.valid),
            "block {} valid {}: {r:?}",
            c.l2_block,
            c.valid
        );
        if c.valid {
            valid += 1;
        } else {
            assert!(matches!(r, Err(rampart_program::ProgramError::InvalidClaim { .. })), "{r:?}");
            wrong += 1;
        }
    }
    assert_eq!((valid, wrong), (24, 24));
}

/// (activation block, upgrade transactions, deposits in it).
const ACTIVATIONS: [(u64, usize, usize); 3] = [(12, 8, 9), (16, 5, 7), (20, 31, 32)];
