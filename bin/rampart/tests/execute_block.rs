//! `rampart execute-block` on the six OP Sepolia fixtures, a wrong expected hash, a removed
//! preimage, and bad or missing files.

mod common;

use common::{fixture_dir, BLOCKS};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

fn rampart(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(env!("CARGO_BIN_EXE_rampart")).args(args).output().expect("spawn rampart");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn execute(json: &Path) -> (i32, String, String) {
    rampart(&["execute-block", "--fixture", json.to_str().unwrap()])
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-exec-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn read_kv(n: u64) -> String {
    let mut s = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(fixture_dir().join(format!("block-{n}.kv.gz"))).unwrap())
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn write_kv(path: &Path, text: &str) {
    let mut enc = flate2::write::GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
}

fn field<'a>(out: &'a str, name: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(name).map(|r| r.trim_start_matches(':').trim()))
        .unwrap_or_else(|| panic!("no `{name}` in:\n{out}"))
}

#[test]
fn all_six_fixtures_reach_their_expected_block_hash() {
    for (n, hash) in BLOCKS {
        let (code, out, err) = execute(&fixture_dir().join(format!("block-{n}.json")));
        assert_eq!(code, 0, "block {n}: {err}\n{out}");
        assert_eq!(field(&out, "block hash"), hash, "block {n}");
        assert_eq!(field(&out, "block number"), n.to_string());
        assert!(field(&out, "state root").starts_with("0x") && field(&out, "state root").len() == 66);
        assert!(field(&out, "gas used").parse::<u64>().unwrap() > 0);
        assert!(!field(&out, "output root").is_empty());
        assert_eq!(field(&out, "result"), "match");
    }
}

#[test]
fn wrong_expected_hash_exits_1_printing_both() {
    let d = scratch("wrong");
    let src = fixture_dir().join("block-26207960.json");
    let wrong = "0x1111111111111111111111111111111111111111111111111111111111111111";
    let text = std::fs::read_to_string(&src).unwrap().replace(BLOCKS[0].1, wrong);
    std::fs::write(d.join("block-26207960.json"), text).unwrap();
    std::fs::copy(fixture_dir().join("block-26207960.kv.gz"), d.join("block-26207960.kv.gz")).unwrap();
    let (code, out, err) = execute(&d.join("block-26207960.json"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(BLOCKS[0].1) && err.contains(wrong), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn removed_preimage_is_named_in_the_error() {
    let d = scratch("missing");
    let json = std::fs::read_to_string(fixture_dir().join("block-26207960.json")).unwrap();
    std::fs::write(d.join("block-26207960.json"), &json).unwrap();
    // Remove the parent state root node.
    let root = "0x3eca587529d13f62e6e9f9eaab218a6380a435e94a0315aece34e4ea7bd0964f";
    assert!(json.contains(root));
    let kv: String = read_kv(26207960).lines().filter(|l| !l.starts_with(root)).map(|l| format!("{l}\n")).collect();
    write_kv(&d.join("block-26207960.kv.gz"), &kv);
    let (code, out, err) = execute(&d.join("block-26207960.json"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains(root) && err.contains("missing"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn bad_or_missing_files_are_clear_errors() {
    let d = scratch("bad");
    // Missing fixture.
    let (code, _, err) = execute(&d.join("block-1.json"));
    assert_eq!(code, 1);
    assert!(err.contains("block-1.json"), "{err}");
    // Json present, preimage file missing.
    std::fs::copy(fixture_dir().join("block-26207960.json"), d.join("block-26207960.json")).unwrap();
    let (code, _, err) = execute(&d.join("block-26207960.json"));
    assert_eq!(code, 1);
    assert!(err.contains("block-26207960.kv.gz"), "{err}");
    // Preimage file not gzip.
    std::fs::write(d.join("block-26207960.kv.gz"), b"not gzip").unwrap();
    let (code, _, err) = execute(&d.join("block-26207960.json"));
    assert_eq!(code, 1);
    assert!(err.contains("gzip"), "{err}");
    // Corrupted preimage (value does not hash to key).
    let kv = read_kv(26207960);
    let first = kv.lines().next().unwrap();
    let (k, v) = first.split_once(' ').unwrap();
    let flipped = match v.strip_suffix('0') {
        Some(head) => format!("{head}1"),
        None => format!("{}0", &v[..v.len() - 1]),
    };
    write_kv(&d.join("block-26207960.kv.gz"), &kv.replacen(first, &format!("{k} {flipped}"), 1));
    let (code, _, err) = execute(&d.join("block-26207960.json"));
    assert_eq!(code, 1);
    assert!(err.contains(k), "{err}");
    // Garbage json and json missing fields.
    std::fs::write(d.join("x.json"), b"{ nope").unwrap();
    let (code, _, err) = execute(&d.join("x.json"));
    assert_eq!(code, 1);
    assert!(err.contains("json"), "{err}");
    std::fs::write(d.join("y.json"), b"{}").unwrap();
    let (code, _, err) = execute(&d.join("y.json"));
    assert_eq!(code, 1);
    assert!(err.contains("rollup_config"), "{err}");
    let _ = std::fs::remove_dir_all(&d);
}

fn hex32(s: &str) -> [u8; 32] {
    hex::decode(s.trim_start_matches("0x")).unwrap().try_into().unwrap()
}

#[test]
fn export_writes_a_directory_store_with_every_guest_input() {
    use rampart_executor::{fixture::load_fixture, input};
    use rampart_host::preimage::PreimageKey;
    use rampart_host::{DirectoryKeyValueStore, KeyValueStore};
    use rampart_primitives::keccak256;
    let (n, expected) = BLOCKS[0];
    let json = fixture_dir().join(format!("block-{n}.json"));
    let dir = scratch("export").join("kv");
    let (code, out, err) =
        rampart(&["execute-block", "--fixture", json.to_str().unwrap(), "--export", dir.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    let flags: Vec<&str> = out.lines().find_map(|l| l.strip_prefix("host args: ")).unwrap().split(' ').collect();
    let flag = |name: &str| flags[flags.iter().position(|f| *f == name).unwrap() + 1];
    assert_eq!(flag("--l2-claim"), expected);
    assert_eq!(flag("--l2-block-number"), (n).to_string());
    assert_eq!(flag("--l2-chain-id"), "11155420");

    let f = load_fixture(&json).unwrap();
    let store = DirectoryKeyValueStore::open(&dir).unwrap();
    let get = |h: [u8; 32]| store.get(&PreimageKey::keccak256(h)).unwrap().expect("exported");
    // Every fixture preimage, under its type-2 key, with the value intact.
    for k in f.preimages.keys() {
        assert_eq!(get(k.0), f.preimages.get(k).unwrap().to_vec());
    }
    // Parent header (local key 1), attributes blob (local key 2) and the chain config blob it names.
    let parent = get(hex32(flag("--l1-head")));
    assert_eq!(keccak256(&parent), hex32(flag("--l1-head")));
    assert_eq!(f.parent_header.hash_slow().0, hex32(flag("--l1-head")));
    let attrs_blob = get(hex32(flag("--l2-output-root")));
    let (config_hash, attrs) = input::decode_attributes(&attrs_blob).unwrap();
    assert_eq!(attrs, f.attributes);
    assert_eq!(input::decode_chain_config(&get(config_hash.0)).unwrap(), f.config);
    let files = walk_txt(&dir);
    assert!(files >= f.preimages.len() + 2, "{files} files");
    let first = out.lines().next().unwrap();
    let answers: usize = first
        .strip_prefix(&format!("exported {files} preimages ("))
        .and_then(|r| r.strip_suffix(&format!(" precompile answers) to {}", dir.display())))
        .unwrap_or_else(|| panic!("{first}"))
        .parse()
        .unwrap();
    assert!(answers > 0, "the block calls accelerated precompiles (sender recovery at least)");
    assert_eq!(walk_prefix(&dir, "06"), answers, "one type-6 key per answer");

    // Exporting into a file (not a directory) is an error, not a panic.
    let file = scratch("export-file").join("not-a-dir");
    std::fs::write(&file, b"x").unwrap();
    let (code, _, err) =
        rampart(&["execute-block", "--fixture", json.to_str().unwrap(), "--export", file.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("export to"), "{err}");
}

/// Number of directory-store files whose key starts with `prefix` (the key type byte).
fn walk_prefix(dir: &Path, prefix: &str) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
        .map(|e| walk_txt(&e.path()))
        .sum()
}

fn walk_txt(dir: &Path) -> usize {
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            n += walk_txt(&p);
        } else if p.extension().is_some_and(|x| x == "txt") {
            n += 1;
        }
    }
    n
}
