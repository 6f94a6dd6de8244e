//! A whole preimage store in one file: gzip text, one `0x<32-byte key> 0x<value>` line per preimage, in key order.
//! Unlike the `block-N.kv.gz` fixtures (keccak digests only), the key is the full preimage key with its type byte,
//! so sha256, blob and precompile preimages fit too. Used for datasets kept in the repository (a directory store of
//! tens of thousands of small files does not belong in git); [`unpack`] turns one into a `directory` store.

use crate::server::verify_preimage;
use crate::store::{DirectoryKeyValueStore, KeyValueStore, MemoryKeyValueStore, StoreError};
use rampart_preimage::PreimageKey;
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { op, path, source }
}

/// Writes `entries` (in the order given; pass them in key order for a deterministic file) to `path`.
pub fn write<'a>(
    path: &Path,
    entries: impl IntoIterator<Item = (&'a PreimageKey, &'a Vec<u8>)>,
) -> Result<usize, StoreError> {
    let f = fs::File::create(path).map_err(io("creating", path))?;
    let mut w = BufWriter::new(flate2::write::GzEncoder::new(f, flate2::Compression::best()));
    let mut n = 0;
    for (k, v) in entries {
        writeln!(w, "0x{} 0x{}", hex::encode(k.as_bytes()), hex::encode(v)).map_err(io("writing", path))?;
        n += 1;
    }
    let gz = w.into_inner().map_err(|e| StoreError::Io {
        op: "writing",
        path: path.to_path_buf(),
        source: e.into_error(),
    })?;
    gz.finish().map_err(io("finishing", path))?.sync_all().map_err(io("syncing", path))?;
    Ok(n)
}

/// Reads a dump into memory, checking every keccak256 and sha256 preimage against its key and refusing
/// duplicate keys and invalid key types.
pub fn read(path: &Path) -> Result<MemoryKeyValueStore, StoreError> {
    let f = fs::File::open(path).map_err(io("opening", path))?;
    let r = BufReader::new(flate2::read::MultiGzDecoder::new(f));
    let mut store = MemoryKeyValueStore::new();
    for (i, line) in r.lines().enumerate() {
        let line = line.map_err(io("reading", path))?;
        let bad = |reason: String| StoreError::BadFixture { path: path.to_path_buf(), line: i + 1, reason };
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (k, v) = line.split_once(' ').ok_or_else(|| bad("expected \"0x<key> 0x<value>\"".into()))?;
        let k = hex::decode(k.trim_start_matches("0x")).map_err(|e| bad(format!("key: {e}")))?;
        let k: [u8; 32] = k.try_into().map_err(|k: Vec<u8>| bad(format!("key has {} bytes, not 32", k.len())))?;
        let key = PreimageKey::try_from(k).map_err(|e| bad(format!("key: {e}")))?;
        let v = hex::decode(v.trim().trim_start_matches("0x")).map_err(|e| bad(format!("value: {e}")))?;
        if !verify_preimage(&key, &v) {
            return Err(bad(format!("value does not hash to its {} key", key.key_type())));
        }
        if store.get(&key)?.is_some() {
            return Err(bad("duplicate key".into()));
        }
        store.set(key, v)?;
    }
    Ok(store)
}

/// Writes every entry of a dump into the `directory` store at `dir`; returns the count.
pub fn unpack(path: &Path, dir: &Path) -> Result<usize, StoreError> {
    let mem = read(path)?;
    let mut d = DirectoryKeyValueStore::open(dir)?;
    d.set_sync(false);
    for (k, v) in mem.iter() {
        d.set(*k, v.clone())?;
    }
    Ok(mem.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dump_round_trips_all_key_types_and_rejects_bad_entries() {
        let dir = std::env::temp_dir().join(format!("rampart-dump-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        let mut m = MemoryKeyValueStore::new();
        let v = b"hello".to_vec();
        m.set(PreimageKey::keccak256(rampart_primitives::keccak256(&v)), v.clone()).unwrap();
        m.set(PreimageKey::sha256(rampart_primitives::sha256(&v)), v.clone()).unwrap();
        m.set(PreimageKey::blob([7; 32]), vec![1; 32]).unwrap();
        m.set(PreimageKey::precompile([8; 32]), vec![1, 2]).unwrap();
        let path = dir.join("s.kv.gz");
        assert_eq!(write(&path, m.iter()).unwrap(), 4);
        assert_eq!(read(&path).unwrap(), m);
        assert_eq!(unpack(&path, &dir.join("d")).unwrap(), 4);
        let d = DirectoryKeyValueStore::open(dir.join("d")).unwrap();
        for (k, v) in m.iter() {
            assert_eq!(d.get(k).unwrap().as_ref(), Some(v));
        }
        // A value that does not hash to its keccak key, a bad type byte, a duplicate: one error each, with the line.
        let k = hex::encode(PreimageKey::keccak256([1; 32]).as_bytes());
        for (text, want) in [
            (format!("0x{k} 0x00\n"), "does not hash"),
            (format!("0x{} 0x00\n", "09".repeat(32)), "key"),
            (format!("0x{} 0x01\n0x{} 0x01\n", "05".repeat(32), "05".repeat(32)), "duplicate"),
        ] {
            let p = dir.join("bad.kv.gz");
            let mut gz = flate2::write::GzEncoder::new(fs::File::create(&p).unwrap(), flate2::Compression::fast());
            gz.write_all(text.as_bytes()).unwrap();
            gz.finish().unwrap();
            let e = read(&p).unwrap_err().to_string();
            assert!(e.contains(want) && e.contains("bad.kv.gz:"), "{e}");
        }
        let _ = fs::remove_dir_all(&dir);
    }
}
