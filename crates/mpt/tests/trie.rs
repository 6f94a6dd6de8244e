//! Trie roots against `alloy_trie::HashBuilder`, deletes with collapse, lazy resolution and missing
//! nodes, and reads from a real OP Sepolia state trie.

use alloy_primitives::{keccak256, Bytes, B256};
use alloy_trie::{HashBuilder, Nibbles};
use proptest::prelude::*;
use rampart_mpt::{Error, NoopProvider, Trie, TrieProvider, EMPTY_ROOT_HASH};
use std::collections::BTreeMap;

/// Reference root of a key/value set computed by alloy-trie's HashBuilder.
fn reference_root(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> B256 {
    let mut hb = HashBuilder::default();
    for (k, v) in entries {
        hb.add_leaf(Nibbles::unpack(k), v);
    }
    hb.root()
}

fn build(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> Trie {
    let mut t = Trie::new();
    for (k, v) in entries {
        t.insert(k, Bytes::from(v.clone()), &NoopProvider).unwrap();
    }
    t
}

/// Provider over a node map that counts lookups.
#[derive(Default)]
struct CountingProvider {
    map: BTreeMap<B256, Bytes>,
    hits: std::cell::Cell<usize>,
}

impl TrieProvider for CountingProvider {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        self.hits.set(self.hits.get() + 1);
        self.map.get(&hash).cloned().ok_or(Error::MissingNode(hash))
    }
}

#[test]
fn empty_trie_root() {
    assert_eq!(Trie::new().root(), EMPTY_ROOT_HASH);
    assert_eq!(Trie::open(EMPTY_ROOT_HASH).root(), EMPTY_ROOT_HASH);
    assert_eq!(reference_root(&BTreeMap::new()), EMPTY_ROOT_HASH);
}

#[test]
fn small_values_make_inline_nodes() {
    // Short keys and values make nodes below 32 bytes, which must be embedded, not hashed.
    let mut entries = BTreeMap::new();
    for i in 0u8..6 {
        entries.insert(vec![0x12, i], vec![i + 1]);
    }
    entries.insert(vec![0x13], vec![7]);
    let t = build(&entries);
    assert_eq!(t.root(), reference_root(&entries));
}

#[test]
fn ethereum_known_root_dogs() {
    // Classic vector from the Ethereum trie tests ("branching" / "dogs").
    let mut t = Trie::new();
    for (k, v) in [("doe", "reindeer"), ("dog", "puppy"), ("dogglesworth", "cat")] {
        t.insert(k.as_bytes(), Bytes::from(v.as_bytes().to_vec()), &NoopProvider).unwrap();
    }
    assert_eq!(t.root(), "0x8aad789dff2f538bca5d8ea56e8abe10f4c7ba3a5dea95fea4cd6e7c3a1168d3".parse::<B256>().unwrap());
    // "dog" is a prefix of "dogglesworth": its value lives in a branch. Deleting it collapses.
    assert!(t.delete(b"dog", &NoopProvider).unwrap());
    let mut only = Trie::new();
    for (k, v) in [("doe", "reindeer"), ("dogglesworth", "cat")] {
        only.insert(k.as_bytes(), Bytes::from(v.as_bytes().to_vec()), &NoopProvider).unwrap();
    }
    assert_eq!(t.root(), only.root());
    assert_eq!(t.get(b"dogglesworth", &NoopProvider).unwrap().map(|b| b.to_vec()).as_deref(), Some(&b"cat"[..]));
    assert_eq!(t.get(b"dog", &NoopProvider).unwrap(), None);
}

#[test]
fn ordered_trie_matches_alloy() {
    // Transaction-trie style keys rlp(i): variable length but prefix-free.
    let items: Vec<Vec<u8>> =
        (0..300u32).map(|i| keccak256(i.to_be_bytes()).to_vec()[..(i as usize % 32) + 1].to_vec()).collect();
    let mut t = Trie::new();
    for (i, item) in items.iter().enumerate() {
        t.insert(&alloy_rlp::encode(i), Bytes::from(item.clone()), &NoopProvider).unwrap();
    }
    let expected = alloy_trie::root::ordered_trie_root_with_encoder(&items, |item, buf| buf.extend_from_slice(item));
    assert_eq!(t.root(), expected);
}

#[test]
fn insert_empty_value_deletes() {
    let mut t = Trie::new();
    t.insert(&[1; 32], Bytes::from_static(b"a"), &NoopProvider).unwrap();
    t.insert(&[2; 32], Bytes::from_static(b"b"), &NoopProvider).unwrap();
    t.insert(&[1; 32], Bytes::new(), &NoopProvider).unwrap();
    let mut only = Trie::new();
    only.insert(&[2; 32], Bytes::from_static(b"b"), &NoopProvider).unwrap();
    assert_eq!(t.root(), only.root());
    assert!(!t.delete(&[9; 32], &NoopProvider).unwrap());
}

/// Root and all node preimages (`keccak(rlp) -> rlp`) of a set, from alloy-trie's proof retainer.
fn hash_builder_nodes(entries: &BTreeMap<Vec<u8>, Vec<u8>>) -> (B256, BTreeMap<B256, Bytes>) {
    let targets: Vec<Nibbles> = entries.keys().map(|k| Nibbles::unpack(k)).collect();
    let mut hb = HashBuilder::default().with_proof_retainer(alloy_trie::proof::ProofRetainer::new(targets));
    for (k, v) in entries {
        hb.add_leaf(Nibbles::unpack(k), v);
    }
    let root = hb.root();
    let nodes = hb.take_proof_nodes();
    let mut map = BTreeMap::new();
    for (_, node) in nodes.into_inner() {
        map.insert(keccak256(&node), node);
    }
    (root, map)
}

#[test]
fn lazy_open_get_insert_delete_against_reference() {
    let mut entries = BTreeMap::new();
    for i in 0u32..500 {
        entries.insert(keccak256(i.to_be_bytes()).to_vec(), alloy_rlp::encode(u64::from(i) * 1_000_003));
    }
    let (root, nodes) = hash_builder_nodes(&entries);
    let provider = CountingProvider { map: nodes, hits: Default::default() };
    let mut t = Trie::open(root);
    assert_eq!(t.root(), root);
    // Reads resolve lazily.
    for (k, v) in entries.iter().take(50) {
        assert_eq!(t.get(k, &provider).unwrap().map(|b| b.to_vec()).as_deref(), Some(v.as_slice()));
    }
    assert!(provider.hits.get() > 0);
    // Delete a quarter, insert new keys, and compare with the reference root of the result.
    let keys: Vec<Vec<u8>> = entries.keys().cloned().collect();
    for k in keys.iter().step_by(4) {
        assert!(t.delete(k, &provider).unwrap());
        entries.remove(k);
    }
    for i in 1000u32..1100 {
        let k = keccak256(i.to_be_bytes()).to_vec();
        let v = alloy_rlp::encode(u64::from(i));
        t.insert(&k, Bytes::from(v.clone()), &provider).unwrap();
        entries.insert(k, v);
    }
    assert_eq!(t.root(), reference_root(&entries));
}

#[test]
fn missing_node_is_an_error_naming_the_hash() {
    let mut entries = BTreeMap::new();
    for i in 0u32..64 {
        entries.insert(keccak256(i.to_be_bytes()).to_vec(), vec![0xaa; 40]);
    }
    let (root, mut nodes) = hash_builder_nodes(&entries);
    let victim = *nodes.keys().find(|h| **h != root).unwrap();
    nodes.remove(&victim);
    let t = Trie::open(root);
    let mut saw = false;
    for k in entries.keys() {
        match t.get(k, &nodes) {
            Ok(v) => assert_eq!(v.map(|b| b.to_vec()).as_deref(), Some(&[0xaa; 40][..])),
            Err(e) => {
                assert_eq!(e, Error::MissingNode(victim));
                assert!(e.to_string().contains(&format!("{victim}")));
                saw = true;
            }
        }
    }
    assert!(saw, "some key must pass through the removed node");
}

#[test]
fn corrupt_preimage_is_rejected() {
    let mut entries = BTreeMap::new();
    for i in 0u32..16 {
        entries.insert(keccak256(i.to_be_bytes()).to_vec(), vec![1; 40]);
    }
    let (root, mut nodes) = hash_builder_nodes(&entries);
    nodes.insert(root, Bytes::from_static(b"\xc0"));
    assert_eq!(Trie::open(root).get(&[0; 32], &nodes), Err(Error::HashMismatch(root)));
    // A well-hashed but malformed node is an InvalidNode error, not a panic.
    let junk = Bytes::from_static(&[0xc3, 0x80, 0x80, 0x80]);
    let h = keccak256(&junk);
    let map = BTreeMap::from([(h, junk)]);
    assert!(matches!(Trie::open(h).get(&[0; 32], &map), Err(Error::InvalidNode { .. })));
}

/// A provider that vouches for its hashes (a fault-proof VM's oracle): nodes are not re-hashed, so a wrong
/// node is decoded as is instead of being a hash mismatch.
struct Vouching(BTreeMap<B256, Bytes>);

impl rampart_mpt::TrieProvider for Vouching {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        self.0.node(hash)
    }
    fn hashes_verified(&self) -> bool {
        true
    }
}

#[test]
fn vouching_providers_skip_the_hash_check_and_give_the_same_answers() {
    let mut entries = BTreeMap::new();
    for i in 0u32..64 {
        entries.insert(keccak256(i.to_be_bytes()).to_vec(), vec![i as u8 + 1; 40]);
    }
    let (root, nodes) = hash_builder_nodes(&entries);
    let vouching = Vouching(nodes.clone());
    for (k, v) in &entries {
        assert_eq!(Trie::open(root).get(k, &vouching).unwrap().map(|b| b.to_vec()), Some(v.clone()));
    }
    let mut bad = nodes;
    bad.insert(root, Bytes::from_static(&[0xc3, 0x80, 0x80, 0x80]));
    assert!(matches!(Trie::open(root).get(&[0; 32], &Vouching(bad)), Err(Error::InvalidNode { .. })));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_sets_match_hash_builder(
        raw in prop::collection::btree_map(prop::collection::vec(any::<u8>(), 32), prop::collection::vec(any::<u8>(), 1..70), 0..120),
        delete_mask in prop::collection::vec(any::<bool>(), 120),
    ) {
        let mut entries = raw.clone();
        let mut t = build(&entries);
        prop_assert_eq!(t.root(), reference_root(&entries));
        for ((k, _), del) in raw.iter().zip(delete_mask.iter()) {
            if *del {
                prop_assert!(t.delete(k, &NoopProvider).unwrap());
                entries.remove(k);
            }
        }
        prop_assert_eq!(t.root(), reference_root(&entries));
        for (k, v) in &entries {
            let got = t.get(k, &NoopProvider).unwrap().map(|b| b.to_vec());
            prop_assert_eq!(got.as_ref(), Some(v));
        }
    }

    #[test]
    fn short_keys_with_shared_prefixes(
        raw in prop::collection::btree_map(prop::collection::vec(0u8..4, 3), prop::collection::vec(any::<u8>(), 1..4), 0..40),
        order in prop::collection::vec(any::<u8>(), 40),
    ) {
        // Same-length short keys over a tiny alphabet: deep shared prefixes and inline nodes.
        let mut entries = raw.clone();
        let mut t = build(&entries);
        prop_assert_eq!(t.root(), reference_root(&entries));
        let keys: Vec<_> = raw.keys().cloned().collect();
        for (i, k) in keys.iter().enumerate() {
            if order[i] % 3 == 0 {
                t.delete(k, &NoopProvider).unwrap();
                entries.remove(k);
                prop_assert_eq!(t.root(), reference_root(&entries));
            }
        }
    }
}

#[test]
fn preimages_reopen_the_same_trie() {
    let mut entries = BTreeMap::new();
    for i in 0u32..200 {
        entries.insert(keccak256(i.to_be_bytes()).to_vec(), alloy_rlp::encode(u64::from(i)));
    }
    // Include tiny entries so that some nodes are inline and must not be listed separately.
    entries.insert(vec![0xff; 32], vec![1]);
    let t = build(&entries);
    let map: BTreeMap<B256, Bytes> = t.preimages().into_iter().map(|n| (keccak256(&n), n)).collect();
    assert!(map.contains_key(&t.root()));
    let reopened = Trie::open(t.root());
    for (k, v) in &entries {
        assert_eq!(reopened.get(k, &map).unwrap().map(|b| b.to_vec()).as_ref(), Some(v));
    }
    assert_eq!(reopened.get(&[0x00; 32], &map).unwrap(), None);
}
