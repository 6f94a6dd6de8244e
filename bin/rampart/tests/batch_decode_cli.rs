//! `rampart batch-decode` on the real op-node batcher transaction and channel, and on damaged copies: JSON on
//! stdout and exit 0, or exit 1 with one error line naming the input and the offset.

mod common;

use common::{rampart, repo, workdir};

const INBOX: &str = "0xff00000000000000000000000000000000000010";
const BATCHER: &str = "0x6887246668a3b87F54DeB3b94Ba47a6f63F32985";

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [&["batch-decode", "--inbox", INBOX, "--batcher", BATCHER], extra].concat()
}

#[test]
fn batch_decode_real_and_damaged_data() {
    let dir = workdir("batch-decode", "cli");
    let tx = repo().join("crates/protocol/testdata/batcher-tx.bin");
    let channel = repo().join("crates/protocol/testdata/channel-zlib.hex");
    let o = rampart(&args(&["--tx", tx.to_str().unwrap(), "--channel", channel.to_str().unwrap()]), &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["frames"], 1);
    let channels = report["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 2);
    assert_eq!(
        (channels[0]["batches"][0]["block_count"].as_u64(), channels[1]["batches"][0]["block_count"].as_u64()),
        (Some(27), Some(143))
    );

    // The transaction cut inside its frame: the envelope no longer decodes; the calldata as a blob's content,
    // cut: the frame is named with its offset.
    let bytes = std::fs::read(&tx).unwrap();
    let cut = dir.join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = rampart(&args(&["--tx", cut.to_str().unwrap()]), &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cut.bin") && err.contains("not a signed transaction"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let text = std::fs::read_to_string(&channel).unwrap();
    let damaged = dir.join("damaged.hex");
    std::fs::write(&damaged, &text[..200_001 * 2]).unwrap();
    let o = rampart(&args(&["--channel", damaged.to_str().unwrap()]), &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("damaged.hex") && err.contains("batch 0 at offset 0"), "{err}");

    let o = rampart(&["batch-decode", "--inbox", INBOX, "--batcher", BATCHER], &dir);
    assert_eq!(o.status.code(), Some(1));
}

/// `--rollup-config-path`: OP Mainnet's config (the fixtures are OP Mainnet's) gives the inbox and the batcher
/// and expands the batcher transaction's span batch into its 27 singular batches (209 transactions, first at
/// 1 710 338 157, as crates/batch-decode's test finds kona-protocol's expansion). A range without blocks and a
/// config that is not one: one error line, exit 1.
#[test]
fn batch_decode_expands_span_batches_with_the_rollup_config() {
    let dir = workdir("batch-decode", "span");
    let cfg = dir.join("op-mainnet.json");
    std::fs::write(&cfg, rampart_genesis::registry::op_mainnet().to_json()).unwrap();
    let tx = repo().join("crates/protocol/testdata/batcher-tx.bin");
    let o =
        rampart(&["batch-decode", "--rollup-config-path", cfg.to_str().unwrap(), "--tx", tx.to_str().unwrap()], &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["transactions"][0]["valid_sender"], true, "the config's genesis batcher");
    let span = &report["channels"][0]["batches"][0];
    let blocks = span["singular_batches"].as_array().unwrap();
    let txs: u64 = blocks.iter().map(|b| b["transactions"].as_u64().unwrap()).sum();
    assert_eq!((blocks.len(), txs, blocks[0]["timestamp"].as_u64()), (27, 209, Some(1_710_338_157)));
    assert!(blocks.iter().all(|b| b["epoch_hash"].is_null()), "no L1 blocks known offline");

    for (args, want) in [
        (vec!["--l1-rpc", "http://127.0.0.1:9", "--start", "5", "--end", "3"], "give --start <= --end"),
        (vec!["--rollup-config-path", tx.to_str().unwrap(), "--tx", tx.to_str().unwrap()], "rollup config"),
    ] {
        let o = rampart(&[&["batch-decode", "--inbox", INBOX, "--batcher", BATCHER], &args[..]].concat(), &dir);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(err.contains(want) && err.trim().lines().count() == 1, "{err}");
    }
}

/// A real blob transaction of the recorded devnet (L1 block 35, mined by geth) with its blob as a beacon API
/// sidecar file (rebuilt from the dataset's field elements and commitment): the blob's KZG commitment is checked
/// against the sidecar's and its versioned hash against the transaction's, and its channel's two singular
/// batches are decoded. Another blob in its place: one error line naming the blob, both hashes and the
/// transaction, exit 1.
#[test]
fn batch_decode_checks_blob_kzg_commitments() {
    use alloy_consensus::Transaction as _;
    use alloy_eips::eip2718::Decodable2718 as _;
    use rampart_devnet::dataset::{self, Dataset};
    use rampart_preimage::PreimageKey;

    let dir = workdir("batch-decode", "kzg");
    let data = repo().join("testdata/devnet");
    let ds = Dataset::open(&data).unwrap();
    let store = &*ds.store;
    // The L1 blocks with a blob transaction: (number, raw tx, versioned hash, commitment, blob).
    let mut head = ds
        .claims
        .iter()
        .map(|c| dataset::header(store, dataset::flag(&c.host_args, "--l1-head").unwrap().parse().unwrap()).unwrap())
        .max_by_key(|h| h.number)
        .unwrap();
    let mut found = Vec::new();
    while head.number > 7 {
        for raw in dataset::ordered_list(store, head.transactions_root).unwrap() {
            let tx = alloy_consensus::TxEnvelope::decode_2718(&mut raw.as_ref()).unwrap();
            if let Some([vh]) = tx.blob_versioned_hashes() {
                let c = store.get(&PreimageKey::sha256(vh.0)).unwrap().unwrap();
                let mut blob = vec![0u8; 131_072];
                let mut pre = c.clone();
                pre.resize(80, 0);
                for (k, z) in rampart_program::roots_of_unity().iter().enumerate() {
                    pre[48..].copy_from_slice(&z.to_be_bytes::<32>());
                    let key = PreimageKey::blob(alloy_primitives::keccak256(&pre).0);
                    blob[32 * k..32 * k + 32].copy_from_slice(&store.get(&key).unwrap().unwrap());
                }
                found.push((head.number, raw.to_vec(), *vh, c, blob));
            }
        }
        head = dataset::header(store, head.parent_hash).unwrap();
    }
    found.reverse();
    assert_eq!(found.iter().map(|f| f.0).collect::<Vec<_>>(), [35, 37, 39], "the single-blob transactions");
    let (_, raw, vh, c, blob) = &found[0];
    let tx_file = dir.join("blob-tx.bin");
    std::fs::write(&tx_file, raw).unwrap();
    let sidecars = dir.join("sidecars.json");
    let sidecar = serde_json::json!({"data": [{
        "index": "0",
        "blob": format!("0x{}", alloy_primitives::hex::encode(blob)),
        "kzg_commitment": format!("0x{}", alloy_primitives::hex::encode(c)),
        "kzg_proof": format!("0x{}", "00".repeat(48)),
    }]});
    std::fs::write(&sidecars, sidecar.to_string()).unwrap();
    let cfg = data.join("rollup.json");
    let base = ["batch-decode", "--rollup-config-path", cfg.to_str().unwrap(), "--tx", tx_file.to_str().unwrap()];
    let o = rampart(&[&base[..], &["--sidecars", sidecars.to_str().unwrap()]].concat(), &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let b = &report["blobs"][0];
    assert_eq!(b["versioned_hash"], vh.to_string());
    assert_eq!(b["sidecar_commitment_checked"], true);
    assert_eq!(b["checked_against"], format!("{} (its blob 0)", tx_file.display()));
    let batches = report["channels"][0]["batches"].as_array().unwrap();
    assert_eq!((batches.len(), batches[0]["type"].as_str()), (2, Some("singular")));

    let other = dir.join("other.blob");
    std::fs::write(&other, &found[1].4).unwrap();
    let o = rampart(&[&base[..], &["--blob", other.to_str().unwrap()]].concat(), &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let want = format!("{}: KZG commitment 0x", other.display());
    assert!(
        err.contains(&want) && err.contains(&format!("but {} (its blob 0) gives {vh}", tx_file.display())),
        "{err}"
    );
}
