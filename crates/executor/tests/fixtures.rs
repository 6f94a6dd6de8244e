//! Executes the six OP Sepolia fixture blocks statelessly and checks their hashes.

use rampart_executor::{build_block, fixture::load_fixture, Error};
use std::path::PathBuf;

const BLOCKS: [u64; 6] = [26207960, 26207961, 26207962, 26207963, 26208384, 26208858];

fn fixture_dir() -> PathBuf {
    if let Ok(d) = std::env::var("RAMPART_OP_FIXTURES") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/op-sepolia-blocks")
}

fn run(n: u64) {
    let f = load_fixture(&fixture_dir().join(format!("block-{n}.json"))).expect("fixture loads");
    let out = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages).expect("block builds");
    assert_eq!(out.header.number, n);
    assert_eq!(out.block_hash, f.expected_block_hash, "block {n}: header {:#?}", out.header);
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

#[test]
fn missing_parent_state_root_is_named() {
    let mut f = load_fixture(&fixture_dir().join("block-26207960.json")).unwrap();
    let root = f.parent_header.state_root;
    assert!(f.preimages.remove(&root));
    let err = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages).unwrap_err();
    assert!(matches!(err, Error::Trie(rampart_mpt::Error::MissingNode(h)) if h == root), "{err}");
    assert!(err.to_string().contains(&root.to_string()), "{err}");
}

#[test]
fn removing_any_needed_preimage_fails_naming_it_never_a_wrong_hash() {
    // Deterministic sample of preimages: removing one either leaves the block hash unchanged (the
    // preimage was not needed) or fails with an error that names exactly that hash.
    let f = load_fixture(&fixture_dir().join("block-26207960.json")).unwrap();
    let keys: Vec<_> = f.preimages.keys().copied().collect();
    let mut failed = 0;
    for key in keys.iter().step_by(keys.len() / 24 + 1) {
        let mut store = f.preimages.clone();
        store.remove(key);
        match build_block(&f.config, &f.parent_header, &f.attributes, &store) {
            Ok(out) => assert_eq!(out.block_hash, f.expected_block_hash, "removing {key} changed the block"),
            Err(e) => {
                failed += 1;
                assert!(e.to_string().contains(&key.to_string()), "removing {key} gave unrelated error {e}");
            }
        }
    }
    assert!(failed > 0, "at least one sampled preimage must be needed");
}

#[test]
fn wrong_expected_hash_is_detected_and_output_fields_are_consistent() {
    let f = load_fixture(&fixture_dir().join("block-26207961.json")).unwrap();
    let out = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages).unwrap();
    assert_eq!(out.header.state_root, out.state_root);
    assert_eq!(out.header.gas_used, out.gas_used);
    assert_eq!(out.header.hash_slow(), out.block_hash);
    assert_eq!(out.tx_count, f.attributes.transactions.as_ref().unwrap().len());
    // Holocene header fields.
    assert_eq!(out.header.extra_data.as_ref(), &[0, 0, 0, 0, 0xfa, 0, 0, 0, 6]);
    assert_eq!(out.header.withdrawals_root, Some(rampart_mpt::EMPTY_ROOT_HASH));
    assert_eq!((out.header.blob_gas_used, out.header.excess_blob_gas), (Some(0), Some(0)));
    assert_eq!(out.header.requests_hash, None);
    // Tampering with one attribute changes the block.
    let mut attrs = f.attributes.clone();
    attrs.payload_attributes.prev_randao = alloy_primitives::B256::repeat_byte(7);
    let other = build_block(&f.config, &f.parent_header, &attrs, &f.preimages).unwrap();
    assert_ne!(other.block_hash, f.expected_block_hash);
}

#[test]
fn bad_attributes_are_errors_not_panics() {
    let f = load_fixture(&fixture_dir().join("block-26207960.json")).unwrap();
    let mut attrs = f.attributes.clone();
    attrs.gas_limit = None;
    assert!(matches!(build_block(&f.config, &f.parent_header, &attrs, &f.preimages), Err(Error::Attributes(_))));
    let mut attrs = f.attributes.clone();
    attrs.transactions.as_mut().unwrap().push(alloy_primitives::Bytes::from_static(&[0x02, 0xc0]));
    assert!(matches!(build_block(&f.config, &f.parent_header, &attrs, &f.preimages), Err(Error::Attributes(_))));
    let mut attrs = f.attributes.clone();
    attrs.payload_attributes.timestamp = f.parent_header.timestamp;
    assert!(build_block(&f.config, &f.parent_header, &attrs, &f.preimages).is_err());
    let mut parent = f.parent_header.clone();
    parent.extra_data = alloy_primitives::Bytes::from_static(&[0, 0, 0, 0, 0, 0, 0, 0, 6]);
    assert!(build_block(&f.config, &parent, &f.attributes, &f.preimages).is_err(), "zero denominator");
}

/// A provider that records every key asked for that the store does not hold (an oracle host could not answer
/// those: the fault-proof guest must never ask for them).
struct Recording<'a> {
    store: &'a rampart_executor::PreimageStore,
    misses: std::cell::RefCell<Vec<rampart_executor::B256>>,
}

impl rampart_mpt::TrieProvider for Recording<'_> {
    fn node(&self, hash: rampart_executor::B256) -> Result<rampart_executor::Bytes, rampart_mpt::Error> {
        let r = self.store.node(hash);
        if r.is_err() {
            self.misses.borrow_mut().push(hash);
        }
        r
    }
}

#[test]
fn hash_only_builds_never_ask_for_missing_preimages() {
    for n in BLOCKS {
        let f = load_fixture(&fixture_dir().join(format!("block-{n}.json"))).unwrap();
        let rec = Recording { store: &f.preimages, misses: Default::default() };
        let opts = rampart_executor::BuildOptions::default();
        let out = rampart_executor::build_block_with(&f.config, &f.parent_header, &f.attributes, &rec, &opts).unwrap();
        assert_eq!(out.block_hash, f.expected_block_hash, "block {n}");
        assert!(rec.misses.borrow().is_empty(), "block {n} asked for missing keys {:?}", rec.misses.borrow());
        if !f.config.forks.is_isthmus(f.attributes.payload_attributes.timestamp) {
            assert!(matches!(out.output_root, Err(Error::OutputRootNotRequested)), "block {n}");
        }
        // With the output root requested, the same block hash.
        let full = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages).unwrap();
        assert_eq!(full.block_hash, out.block_hash);
        assert_eq!(full.state_root, out.state_root);
    }
}

#[test]
fn accelerated_precompiles_give_the_same_blocks_and_record_their_calls() {
    use rampart_executor::precompiles::{decode_answer, PrecompileCall, RecordingPrecompiles, ECRECOVER};
    use std::sync::Arc;
    let mut total_calls = 0;
    for n in BLOCKS {
        let f = load_fixture(&fixture_dir().join(format!("block-{n}.json"))).unwrap();
        let rec = Arc::new(RecordingPrecompiles::default());
        let opts = rampart_executor::BuildOptions { precompiles: Some(rec.clone()), ..Default::default() };
        let out = rampart_executor::build_block_with(&f.config, &f.parent_header, &f.attributes, &f.preimages, &opts)
            .unwrap();
        assert_eq!(out.block_hash, f.expected_block_hash, "block {n} accelerated");
        let calls = rec.take();
        for (key, (payload, value)) in &calls {
            let call = PrecompileCall::parse(payload).unwrap();
            assert_eq!(call.key_hash(), *key);
            assert_eq!(call.preimage(), *payload);
            // Holocene: only ecrecover, bn254 pairing and KZG are accelerated; ecrecover is charged 3000.
            assert!(
                [
                    ECRECOVER,
                    rampart_executor::precompiles::BN254_PAIRING,
                    rampart_executor::precompiles::KZG_POINT_EVALUATION
                ]
                .contains(&call.address),
                "{}",
                call.address
            );
            if call.address == ECRECOVER {
                assert_eq!(call.gas, 3000);
                assert!(call.input.len() <= 128);
            }
            assert!(decode_answer(value).is_ok());
        }
        total_calls += calls.len();
    }
    assert!(total_calls > 0, "the fixture blocks call accelerated precompiles");
}
