//! Key-value stores: op-program directory layout (round trip, a directory written by hand, bad content),
//! fixture files, split/fallback routing and local inputs.

use rampart_host::preimage::{LocalKey, PreimageKey};
use rampart_host::{
    normalize_json, verify_preimage, DirectoryKeyValueStore, FallbackStore, FixtureStore, KeyValueStore, LocalInputs,
    MemoryKeyValueStore, SplitStore, StoreError,
};
use rampart_primitives::keccak256;
use std::path::{Path, PathBuf};

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-host-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

#[test]
fn directory_store_round_trip_and_layout() {
    let dir = tmp("roundtrip");
    let mut s = DirectoryKeyValueStore::open(&dir).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("kvformat")).unwrap(), "directory");
    let values: Vec<Vec<u8>> = vec![vec![], b"a".to_vec(), (0..=255u8).collect(), vec![0x5a; 70_000]];
    let mut keys = Vec::new();
    for v in &values {
        let k = PreimageKey::keccak256(keccak256(v));
        s.set(k, v.clone()).unwrap();
        keys.push(k);
    }
    let local = PreimageKey::local(7);
    s.set(local, b"{}".to_vec()).unwrap();
    // Reopen: the marker is accepted and every value reads back.
    let s = DirectoryKeyValueStore::open(&dir).unwrap();
    for (k, v) in keys.iter().zip(&values) {
        assert_eq!(s.get(k).unwrap().as_ref(), Some(v));
        // op-program layout: <dir>/<hex[0..4]>/<hex[4..64]>.txt with the hex value.
        let h = hex::encode(k.as_bytes());
        let file = dir.join(&h[..4]).join(format!("{}.txt", &h[4..]));
        assert_eq!(s.path_of(k), file);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), hex::encode(v));
    }
    assert_eq!(s.get(&local).unwrap(), Some(b"{}".to_vec()));
    assert_eq!(s.get(&PreimageKey::keccak256([1; 32])).unwrap(), None);
    // Overwrite replaces atomically; no temporary files are left behind.
    let mut s = s;
    s.set(keys[1], b"b".to_vec()).unwrap();
    assert_eq!(s.get(&keys[1]).unwrap(), Some(b"b".to_vec()));
    let mut leftovers = Vec::new();
    for sub in std::fs::read_dir(&dir).unwrap() {
        let sub = sub.unwrap().path();
        if sub.is_dir() {
            for f in std::fs::read_dir(&sub).unwrap() {
                let name = f.unwrap().file_name().into_string().unwrap();
                if !name.ends_with(".txt") {
                    leftovers.push(name);
                }
            }
        }
    }
    assert!(leftovers.is_empty(), "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn directory_written_by_hand_in_the_op_program_layout() {
    let dir = tmp("byhand");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kvformat"), "directory\n").unwrap();
    let value = b"hand written preimage";
    let h = hex::encode(PreimageKey::keccak256(keccak256(value)).as_bytes());
    assert!(h.starts_with("02"));
    std::fs::create_dir_all(dir.join(&h[..4])).unwrap();
    std::fs::write(dir.join(&h[..4]).join(format!("{}.txt", &h[4..])), format!("{}\n", hex::encode(value))).unwrap();
    // Upper-case hex and a local key written the same way.
    let lh = "0100000000000000000000000000000000000000000000000000000000000005";
    std::fs::create_dir_all(dir.join(&lh[..4])).unwrap();
    std::fs::write(dir.join(&lh[..4]).join(format!("{}.txt", &lh[4..])), "0000000000AA36A7").unwrap();
    let s = DirectoryKeyValueStore::open(&dir).unwrap();
    let k = PreimageKey::keccak256(keccak256(value));
    assert_eq!(s.get(&k).unwrap(), Some(value.to_vec()));
    assert!(verify_preimage(&k, value));
    assert_eq!(
        s.get(&PreimageKey::local_input(LocalKey::L2ChainId)).unwrap(),
        Some(11_155_111u64.to_be_bytes().to_vec())
    );
    // A corrupt value is an error naming the file, not a panic or a silent miss.
    let bad = PreimageKey::keccak256([3; 32]);
    let p = s.path_of(&bad);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, "xyz").unwrap();
    match s.get(&bad) {
        Err(StoreError::BadValue { path, .. }) => assert_eq!(path, p),
        other => panic!("expected BadValue, got {other:?}"),
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn directory_with_another_kvformat_is_refused() {
    let dir = tmp("pebble");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("kvformat"), "pebble").unwrap();
    let e = DirectoryKeyValueStore::open(&dir).unwrap_err();
    assert!(e.to_string().contains("\"pebble\""), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
    // A path that is a file cannot become a store.
    let f = tmp("afile");
    std::fs::write(&f, "x").unwrap();
    assert!(matches!(DirectoryKeyValueStore::open(&f), Err(StoreError::Io { .. })));
    std::fs::remove_file(&f).unwrap();
}

#[test]
fn fixture_store_serves_every_line_as_a_verified_keccak_key() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/op-sepolia-blocks/block-26207960.kv.gz"));
    let s = FixtureStore::open(path).unwrap();
    assert!(s.len() > 100, "{} preimages", s.len());
    for (k, v) in s.iter() {
        assert_eq!(k.as_bytes()[0], 2);
        assert!(verify_preimage(k, v), "{k}");
    }
    let mut s = s;
    assert!(matches!(s.set(PreimageKey::local(1), vec![]), Err(StoreError::ReadOnly(_))));
}

#[test]
fn fixture_parse_errors_name_the_line() {
    let p = Path::new("t.kv");
    let ok = format!("0x{} 0x{}\n\n", hex::encode(keccak256(b"v")), hex::encode(b"v"));
    let s = FixtureStore::from_reader(ok.as_bytes(), p).unwrap();
    assert_eq!(s.get(&PreimageKey::keccak256(keccak256(b"v"))).unwrap(), Some(b"v".to_vec()));
    for (text, want) in [
        (format!("{ok}0x00\n"), "t.kv:3: expected"),
        (format!("{ok}0x00 0x00\n"), "t.kv:3: key: expected 32 bytes, got 1"),
        (format!("0x{} 0xzz\n", hex::encode([0u8; 32])), "t.kv:1: value"),
        ("0xq 0x00\n".to_string(), "t.kv:1: key"),
    ] {
        let e = FixtureStore::from_reader(text.as_bytes(), p).unwrap_err().to_string();
        assert!(e.contains(want), "{e} should contain {want}");
    }
    assert!(FixtureStore::open("/nonexistent/block.kv.gz").is_err());
}

#[test]
fn split_store_routes_local_keys_and_fallback_layers() {
    let locals = LocalInputs {
        l1_head: [1; 32],
        agreed_output_root: [2; 32],
        claimed_output_root: [3; 32],
        claimed_block_number: 42,
        chain_id: 10,
        rollup_config: Some(b"{\"a\":1}".to_vec()),
        l1_config: None,
    };
    let mut first = MemoryKeyValueStore::new();
    let mut second = MemoryKeyValueStore::new();
    let k1 = PreimageKey::keccak256([1; 32]);
    let k2 = PreimageKey::keccak256([2; 32]);
    first.set(k1, b"first".to_vec()).unwrap();
    second.set(k1, b"second".to_vec()).unwrap();
    second.set(k2, b"only second".to_vec()).unwrap();
    // A global store that also holds a (wrong) local key: split routing must not consult it for locals.
    first.set(PreimageKey::local(1), b"not me".to_vec()).unwrap();
    let mut s = SplitStore::new(locals, FallbackStore::new(first, second));
    assert_eq!(s.get(&PreimageKey::local(1)).unwrap(), Some(vec![1; 32]));
    assert_eq!(s.get(&PreimageKey::local(4)).unwrap(), Some(42u64.to_be_bytes().to_vec()));
    assert_eq!(s.get(&PreimageKey::local(5)).unwrap(), Some(10u64.to_be_bytes().to_vec()));
    assert_eq!(s.get(&PreimageKey::local(6)).unwrap(), Some(b"{\"a\":1}".to_vec()));
    assert_eq!(s.get(&PreimageKey::local(7)).unwrap(), None);
    assert_eq!(s.get(&PreimageKey::local(8)).unwrap(), None);
    assert_eq!(s.get(&k1).unwrap(), Some(b"first".to_vec()));
    assert_eq!(s.get(&k2).unwrap(), Some(b"only second".to_vec()));
    // Writes go to the global side (its first layer), even for local keys.
    s.set(PreimageKey::local(9), b"w".to_vec()).unwrap();
    assert_eq!(s.global.first.get(&PreimageKey::local(9)).unwrap(), Some(b"w".to_vec()));
    assert!(matches!(s.local.set(PreimageKey::local(1), vec![]), Err(StoreError::ReadOnly(_))));
}

#[test]
fn local_inputs_normalize_json() {
    assert_eq!(normalize_json(b" { \"b\": [1, 2], \"a\": null } ").unwrap(), br#"{"a":null,"b":[1,2]}"#);
    assert!(normalize_json(b"{nope").is_err());
}
