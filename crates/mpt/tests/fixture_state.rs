//! Opens real OP Sepolia parent state roots from the vendored fixtures (testdata/) and reads accounts.

use alloy_primitives::{address, keccak256, Bytes, B256, U256};
use rampart_mpt::{Error, Trie, TrieProvider};
use std::{collections::BTreeMap, io::Read, path::PathBuf};

fn fixture_dir() -> PathBuf {
    if let Ok(d) = std::env::var("RAMPART_OP_FIXTURES") {
        return PathBuf::from(d);
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/op-sepolia-blocks")
}

fn load(n: u64) -> (B256, BTreeMap<B256, Bytes>) {
    let dir = fixture_dir();
    let json: serde_json_lite::Value =
        serde_json_lite::parse(&std::fs::read_to_string(dir.join(format!("block-{n}.json"))).unwrap());
    let root: B256 = json.state_root.parse().unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join(format!("block-{n}.kv.gz"))).unwrap())
        .read_to_string(&mut text)
        .unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines() {
        let (k, v) = line.split_once(' ').unwrap();
        let k: B256 = k.parse().unwrap();
        let v = Bytes::from(hex::decode(v.trim_start_matches("0x")).unwrap());
        assert_eq!(keccak256(&v), k);
        map.insert(k, v);
    }
    (root, map)
}

/// Tiny extraction of `parent_header.stateRoot` without a JSON dependency.
mod serde_json_lite {
    pub(super) struct Value {
        pub(super) state_root: String,
    }
    pub(super) fn parse(text: &str) -> Value {
        let at = text.find("\"parent_header\"").expect("parent_header");
        let rest = &text[at..];
        let k = rest.find("\"stateRoot\"").expect("stateRoot");
        let rest = &rest[k + "\"stateRoot\"".len()..];
        let q1 = rest.find('"').unwrap();
        let rest = &rest[q1 + 1..];
        let q2 = rest.find('"').unwrap();
        Value { state_root: rest[..q2].to_string() }
    }
}

fn decode_account(raw: &[u8]) -> (u64, U256, B256, B256) {
    use alloy_rlp::Decodable;
    let mut buf = raw;
    let h = alloy_rlp::Header::decode(&mut buf).unwrap();
    assert!(h.list);
    let nonce = u64::decode(&mut buf).unwrap();
    let balance = U256::decode(&mut buf).unwrap();
    let storage_root = B256::decode(&mut buf).unwrap();
    let code_hash = B256::decode(&mut buf).unwrap();
    (nonce, balance, storage_root, code_hash)
}

#[test]
fn parent_state_of_26207960_reads_predeploys() {
    let (root, nodes) = load(26207960);
    let mut t = Trie::open(root);
    // L1Block predeploy (written by the L1-info deposit of every block): present, has code and storage.
    let l1_block = address!("4200000000000000000000000000000000000015");
    let raw = t.get_cached(keccak256(l1_block).as_slice(), &nodes).unwrap().expect("L1Block exists");
    let (_, _, storage_root, code_hash) = decode_account(&raw);
    assert_ne!(storage_root, rampart_mpt::EMPTY_ROOT_HASH);
    assert_ne!(code_hash, alloy_primitives::KECCAK256_EMPTY);
    // Its storage trie opens from the same preimages: slot 0 packs number and timestamp (non-zero).
    let st = Trie::open(storage_root);
    let slot0 = st.get(keccak256(B256::ZERO).as_slice(), &nodes).unwrap().expect("slot 0 set");
    assert!(!slot0.is_empty());
    // The fee vaults (paid every block) exist too.
    for a in
        [address!("4200000000000000000000000000000000000011"), address!("4200000000000000000000000000000000000019")]
    {
        assert!(t.get(keccak256(a).as_slice(), &nodes).unwrap().is_some(), "{a}");
    }
    // Nothing changed: the root is still the fixture root after cached reads.
    assert_eq!(t.root(), root);
}

#[test]
fn all_fixture_roots_open_and_unwitnessed_paths_fail_cleanly() {
    for n in [26207960u64, 26207961, 26207962, 26207963, 26208384, 26208858] {
        let (root, nodes) = load(n);
        assert!(nodes.contains_key(&root), "block {n}: root node present");
        let t = Trie::open(root);
        let l1_block = address!("4200000000000000000000000000000000000015");
        assert!(t.get(keccak256(l1_block).as_slice(), &nodes).unwrap().is_some());
        // Look up many random keys: each either resolves (present or proven absent) or names the
        // exact missing node, which must indeed be absent from the preimages.
        for i in 0u32..200 {
            let key = keccak256(i.to_le_bytes());
            match t.get(key.as_slice(), &nodes) {
                Ok(_) => {}
                Err(Error::MissingNode(h)) => assert!(nodes.node(h).is_err()),
                Err(e) => panic!("block {n}: unexpected {e}"),
            }
        }
    }
}
