//! A short devnet on the real nodes from `scripts/install-nodes.sh` (geth v1.17.10, op-geth v1.101702.3,
//! contracts-bedrock 0.17.3), checked for faithfulness while the nodes still run. Forks as in the recorded
//! dataset: Holocene at genesis, Isthmus at L2 block 12, Jovian at 16.

use rampart_devnet::{
    batcher::{BatcherConfig, Fault, Planner},
    chain::ChainParams,
    checks,
    claims::Claim,
    nodes::NodeBinaries,
    txgen::TxGen,
    Devnet, UpOptions,
};
use std::time::Duration;

mod batch_decode;
mod faults;
mod online_host;

/// One devnet at a time in this binary (each runs geth and op-geth on a shared, small machine).
static DEVNETS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SEED: u64 = 7;
const BLOCKS: u64 = 24;

fn options(dir: std::path::PathBuf) -> UpOptions {
    UpOptions {
        dir,
        seed: SEED,
        block_interval: Duration::from_millis(400),
        l1_block_time: 2,
        max_l2_blocks: Some(BLOCKS),
        batcher: BatcherConfig {
            max_blocks_per_channel: 5,
            faults: vec![Fault::DuplicateFrame, Fault::DropFrame, Fault::InvalidBatch, Fault::ReorderFrames],
            ..Default::default()
        },
        deposit_every: 2,
        fork_offsets: [Some(24), Some(32), None],
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_devnet_on_geth_and_op_geth_is_faithful() {
    let _one = DEVNETS.lock().await;
    if let Err(e) = NodeBinaries::locate() {
        panic!("{e}");
    }
    let tmp = std::env::temp_dir().join(format!("rampart-devnet-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let opts = options(tmp.join("d"));
    let mut devnet = Devnet::start(&opts).await.expect("devnet starts");
    // A panic below drops `devnet`, whose node processes are killed on drop.
    let summary = devnet.run(&opts, std::future::pending()).await.expect("devnet runs");
    {
        assert_eq!(summary.blocks.len() as u64, BLOCKS);
        assert_eq!(summary.safe.expect("a safe head").l2.number, BLOCKS, "every block became safe");

        // op-geth's blocks, rebuilt by rampart-executor from op-geth's pre-state.
        let (exec, mismatches) =
            checks::executor_differential(&devnet.l2, &devnet.params, &summary.blocks).await.unwrap();
        assert_eq!(mismatches, Vec::<(u64, String)>::new());
        assert_eq!((exec.checked, exec.matched), (BLOCKS as usize, BLOCKS as usize));

        // Every L1 block decodes with alloy and its roots match.
        let head = devnet.l1.head_number().await.unwrap();
        let (h, t, r) = checks::l1_decode_and_roots(&devnet.l1, 0, head).await.unwrap();
        assert_eq!(h.checked, head as usize + 1);
        assert_eq!((h.matched, t.matched, r.matched), (h.checked, t.checked, r.checked));
        assert!(t.checked > 20, "the L1 carried the deployment, deposits and batches ({} txs)", t.checked);

        // Every blob verifies against its commitment and the versioned hash of its transaction.
        let blobs = checks::blobs_verify(&devnet.l1, &devnet.archive).await.unwrap();
        assert_eq!(blobs.checked, summary.blobs_posted);
        assert_eq!(blobs.matched, blobs.checked);
        assert!(summary.blobs_posted > 0 && summary.channels.iter().any(|c| c.data == "calldata"));

        // batch-decode's RPC mode over geth and the blob archiver: the batches are op-geth's blocks.
        let started = std::time::Instant::now();
        let counts = batch_decode::rpc_mode_matches_op_geth(&devnet, &summary).await;
        println!(
            "batch-decode over RPC (L1 blocks, inbox txs, blobs, channels, ready, blocks): {counts:?} in {:?}",
            started.elapsed()
        );
        assert_eq!(counts.2 as usize, summary.blobs_posted);

        // Two claims (valid, wrong) per safe block, the file equal to what the run produced.
        assert_eq!(summary.claims.len() as u64, 2 * BLOCKS);
        let on_disk: Vec<Claim> =
            serde_json::from_slice(&std::fs::read(devnet.dir.join("claims.json")).unwrap()).unwrap();
        assert_eq!(on_disk, summary.claims);
        assert_eq!(summary.claims.iter().filter(|c| c.valid).count() as u64, BLOCKS);

        // The batcher followed the seed's plans, one per channel, faults in order from the second channel.
        let mut planner = Planner::new(SEED, 5);
        for (i, c) in summary.channels.iter().enumerate() {
            let p = planner.next_plan();
            assert_eq!(c.id, p.id, "channel {i}");
            assert_eq!(
                (c.batch_type == "span", c.compression == "brotli", c.data == "blob"),
                (p.span, p.brotli, p.blobs)
            );
            assert!(c.blocks.1 - c.blocks.0 < p.size as u64);
        }
        let faults: Vec<_> = summary.channels.iter().filter_map(|c| c.fault).collect();
        assert_eq!(faults, opts.batcher.faults);

        // The same seed gives the same user transactions.
        let mut txgen = TxGen::new(SEED, devnet.params.l2_chain_id).unwrap();
        let p = &devnet.params;
        let forks = [p.forks.isthmus, p.forks.jovian, p.forks.karst];
        for b in &summary.blocks {
            let ts = b.block.timestamp;
            let activation = forks.iter().any(|f| p.activation_block(*f, ts));
            let again: Vec<_> = if activation {
                Vec::new()
            } else {
                let (isthmus, karst) =
                    (ChainParams::active(p.forks.isthmus, ts), ChainParams::active(p.forks.karst, ts));
                txgen.next_block(isthmus, karst, opts.max_txs_per_block).into_iter().map(|t| t.raw).collect()
            };
            assert_eq!(b.batch_transactions(), again, "user transactions of block {}", b.block.number);
        }
        assert!(summary.deposits_sent > 0);
        let deposits: usize =
            summary.blocks.iter().map(|b| b.transactions.iter().filter(|t| t[0] == 0x7e).count() - 1).sum();
        assert!(deposits > 0, "user deposits reached L2");

        // The dataset: configs, claims with the data dir, and the preimage store filled by routing the program's
        // hints through rampart-host's online fetcher; then checked offline from the store alone.
        let out = tmp.join("data");
        let m = rampart_devnet::record::record(&devnet.dir, &out).await.unwrap();
        assert_eq!(m.claims as u64, 2 * BLOCKS);
        assert_eq!(m.l2_range, Some((1, BLOCKS)));
        let (l1_from, l1_to) = m.l1_range.unwrap();
        assert_eq!(l1_from, devnet.params.genesis_l1.number);
        assert_eq!(m.hints["l1-block-header"], l1_to - l1_from + 1);
        assert_eq!(m.hints["l2-block-header"], BLOCKS + 1);
        assert_eq!(m.hints["l2-payload-witness"], BLOCKS);
        assert_eq!(m.hints["starting-l2-output"], BLOCKS + 1);
        assert!(m.blobs > 0 && m.blobs <= summary.blobs_posted, "{} of {} blobs", m.blobs, summary.blobs_posted);
        assert_eq!(m.hints.get("l1-blob").copied().unwrap_or(0), m.blobs as u64);
        assert_eq!(m.executed_matched as u64, BLOCKS, "record re-executed every block from the store");
        let recorded: Vec<Claim> = serde_json::from_slice(&std::fs::read(out.join("claims.json")).unwrap()).unwrap();
        assert!(recorded.iter().all(|c| c.host_args.ends_with(&["--data-dir".to_string(), "preimages".to_string()])));
        for f in ["rollup.json", "l1-config.json", "manifest.json", "preimages.kv.gz", "preimages/kvformat"] {
            assert!(out.join(f).is_file(), "{f}");
        }
        let ds = rampart_devnet::dataset::Dataset::open(&out).unwrap();
        let rep = ds.check().unwrap();
        assert_eq!(rep.mismatches, Vec::<(u64, String)>::new());
        assert_eq!((rep.claims, rep.valid), (2 * BLOCKS as usize, BLOCKS as usize));
        assert_eq!((rep.agreed_outputs, rep.claimed_outputs), (BLOCKS as usize, BLOCKS as usize));
        assert_eq!((rep.executed, rep.matched), (BLOCKS as usize, BLOCKS as usize));
        assert_eq!(rep.l2_headers as u64, BLOCKS + 1);
        assert_eq!(rep.blobs, m.blobs);
        // The fault-proof program on every claim of the fresh recording: 24 valid exit 0, 24 wrong exit 1.
        let verdicts: Vec<(u64, bool, i32)> = ds
            .claims
            .iter()
            .map(|c| (c.l2_block, c.valid, rampart_program::exit_code(&ds.run_program(c).unwrap())))
            .collect();
        assert_eq!(verdicts.iter().filter(|v| v.1 && v.2 == 0).count() as u64, BLOCKS, "{verdicts:?}");
        assert_eq!(verdicts.iter().filter(|v| !v.1 && v.2 == 1).count() as u64, BLOCKS, "{verdicts:?}");
        assert!(rep.l1_headers >= 2 && rep.l1_headers as u64 <= l1_to - l1_from + 1);
        // The directory store holds exactly the dump's preimages.
        let dump = rampart_host::dump::read(&out.join("preimages.kv.gz")).unwrap();
        assert_eq!(dump.len(), m.preimages);
        let dir_store = rampart_host::DirectoryKeyValueStore::open(out.join("preimages")).unwrap();
        for (k, v) in dump.iter() {
            assert_eq!(rampart_host::KeyValueStore::get(&dir_store, k).unwrap().as_ref(), Some(v));
        }
        println!("dataset: {m:?}\ncheck: {rep:?}");

        // The online host against the live nodes, serving the program's steps (boot info, agreed output, L1 walk
        // to genesis with the head's txs and receipts, a blob, the claimed block from its witness) for the valid
        // and wrong claims of three blocks; each online run's data dir then serves an offline rerun alone.
        let urls = rampart_host::NodeUrls {
            l1: devnet.endpoints.l1_rpc.clone(),
            beacon: devnet.endpoints.l1_beacon.clone(),
            l2: devnet.endpoints.l2_rpc.clone(),
        };
        let archived = devnet.archive.blocks().await;
        let first_blob = archived.first().and_then(|b| {
            b.blobs
                .first()
                .map(|x| (b.number, rampart_derive::IndexedBlobHash { index: x.index, hash: x.versioned_hash() }))
        });
        let mut online_runs = 0;
        for n in [1, 12, 16, BLOCKS] {
            for c in recorded.iter().filter(|c| c.l2_block == n) {
                let d = tmp.join(format!("online-{n}-{}", c.valid));
                let attrs = &summary.blocks[n as usize - 1].attributes;
                // The online host runs its own runtime on the server's hint thread: leave the async context.
                let (on, off, s) = tokio::task::block_in_place(|| {
                    online_host::online_then_offline(&urls, c, &out, &d, attrs, first_blob)
                });
                assert_eq!(on.verdict.is_ok(), c.valid, "online block {n} valid {}: {:?}", c.valid, on.verdict);
                if let Err(e) = &on.verdict {
                    assert!(e.to_lowercase().contains("claim"), "the wrong claim fails on its output root: {e}");
                }
                assert_eq!(on.verdict, off.verdict, "offline rerun of block {n} gives the online verdict");
                assert_eq!((s.failed, s.last_error.clone()), (0, None));
                assert!(s.hints >= 6 && s.written > 0 && s.rpc.0 > 0, "{s:?}");
                assert_eq!(
                    on.served.preimages, off.served.preimages,
                    "the offline rerun read what the online run served"
                );
                assert_eq!(on.served.hints.len(), off.served.hints.len());
                if c.valid {
                    assert_eq!(on.l1_walked, off.l1_walked);
                    assert!(on.l1_walked >= 2);
                }
                online_runs += 1;
                println!(
                    "online block {n} valid {}: {s:?}, {} preimages served, {} hints",
                    c.valid,
                    on.served.preimages,
                    on.served.hints.len()
                );
            }
        }
        assert_eq!(online_runs, 8);
        println!(
            "devnet: {} L2 blocks in {:?}, {} channels, {} blobs, {} deposits; executor {}/{} ({} preimages by debug_dbGet); L1 {} headers {} txs {} receipts",
            summary.blocks.len(),
            summary.elapsed,
            summary.channels.len(),
            summary.blobs_posted,
            summary.deposits_sent,
            exec.matched,
            exec.checked,
            exec.extra_preimages,
            h.matched,
            t.matched,
            r.matched
        );
    }
    devnet.shutdown().await;
    let _ = std::fs::remove_dir_all(&tmp);
}
