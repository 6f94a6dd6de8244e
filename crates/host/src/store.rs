//! Key-value stores of preimages, keyed by the 32-byte preimage key.

use rampart_preimage::{KeyType, PreimageKey};
use rampart_primitives::hex;
use rampart_primitives::kv::{KvEntry, KvError, KvReader};
use std::collections::BTreeMap;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Name of the marker file of a directory store.
pub const KV_FORMAT_FILE: &str = "kvformat";
/// Content of the marker file of a directory store.
pub const KV_FORMAT_DIRECTORY: &str = "directory";

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file system operation failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A stored value is not valid hex.
    #[error("{path}: stored value is not hex: {reason}")]
    BadValue {
        /// The value file.
        path: PathBuf,
        /// Decoder message.
        reason: String,
    },
    /// The directory's `kvformat` marker names another format.
    #[error("{path}: kvformat is {found:?}, only \"directory\" is supported")]
    WrongFormat {
        /// The marker file.
        path: PathBuf,
        /// Its content.
        found: String,
    },
    /// A fixture line is malformed.
    #[error("{path}:{line}: {reason}")]
    BadFixture {
        /// The fixture file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The store does not accept writes.
    #[error("{0} store is read-only")]
    ReadOnly(&'static str),
}

/// A store of preimages by key (kona's `KeyValueStore`).
pub trait KeyValueStore {
    /// The value of `key`, if present.
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError>;
    /// Stores `value` under `key`.
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError>;
}

impl<T: KeyValueStore + ?Sized> KeyValueStore for Box<T> {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(key)
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        (**self).set(key, value)
    }
}

/// An in-memory store (ordered, so iteration is deterministic).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryKeyValueStore {
    map: BTreeMap<PreimageKey, Vec<u8>>,
}

impl MemoryKeyValueStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&PreimageKey, &Vec<u8>)> {
        self.map.iter()
    }
}

impl KeyValueStore for MemoryKeyValueStore {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map.get(key).cloned())
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        self.map.insert(key, value);
        Ok(())
    }
}

/// op-program's `directory` store: `<dir>/<first 4 hex chars of key>/<remaining 60 hex chars>.txt` holding the
/// hex-encoded value, and a `kvformat` file containing `directory`. Writes go to a temporary file that is
/// renamed into place.
#[derive(Debug)]
pub struct DirectoryKeyValueStore {
    dir: PathBuf,
    sync: bool,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

fn io(op: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io { op, path, source }
}

impl DirectoryKeyValueStore {
    /// Opens the store at `dir`, creating the directory and its `kvformat` marker if missing; fails if the
    /// marker names another format.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(io("creating", &dir))?;
        let marker = dir.join(KV_FORMAT_FILE);
        match fs::read_to_string(&marker) {
            Ok(s) if s.trim() == KV_FORMAT_DIRECTORY => {}
            Ok(s) => return Err(StoreError::WrongFormat { path: marker, found: s.trim().to_string() }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::write(&marker, KV_FORMAT_DIRECTORY).map_err(io("writing", &marker))?;
            }
            Err(e) => return Err(StoreError::Io { op: "reading", path: marker, source: e }),
        }
        Ok(DirectoryKeyValueStore { dir, sync: true })
    }

    /// Whether each write is synced to disk before it is renamed into place (default true). Bulk writers
    /// (the devnet recorder, dataset unpacking) turn it off: a crash then may leave missing files, never
    /// half-written ones.
    pub fn set_sync(&mut self, sync: bool) {
        self.sync = sync;
    }

    /// The store's root directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file holding `key`'s value.
    pub fn path_of(&self, key: &PreimageKey) -> PathBuf {
        let h = hex::encode(key.as_bytes());
        self.dir.join(&h[..4]).join(format!("{}.txt", &h[4..]))
    }
}

impl KeyValueStore for DirectoryKeyValueStore {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_of(key);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io { op: "reading", path, source: e }),
        };
        let t = text.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        hex::decode(t).map(Some).map_err(|e| StoreError::BadValue { path, reason: e.to_string() })
    }

    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        let path = self.path_of(&key);
        let sub = path.parent().unwrap_or(&self.dir).to_path_buf();
        fs::create_dir_all(&sub).map_err(io("creating", &sub))?;
        let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = sub.join(format!(".{}.tmp.{}.{n}", hex::encode(&key.as_bytes()[2..]), std::process::id()));
        let write = || -> std::io::Result<()> {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(hex::encode(&value).as_bytes())?;
            if self.sync {
                f.sync_all()?;
            }
            Ok(())
        };
        if let Err(e) = write() {
            let _ = fs::remove_file(&tmp);
            return Err(StoreError::Io { op: "writing", path: tmp, source: e });
        }
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            StoreError::Io { op: "renaming into", path, source: e }
        })
    }
}

/// The preimages of a `block-N.kv.gz` fixture (gzip text, `0x<keccak256(value)> 0x<value>` per line), served
/// as keccak256-type keys (byte 0 := 2). Read-only.
#[derive(Debug, Clone, Default)]
pub struct FixtureStore {
    map: BTreeMap<PreimageKey, Vec<u8>>,
}

impl FixtureStore {
    /// Reads a fixture file (gzip when its name ends in `.gz`), one line at a time: a line or a file longer than any fixture
    /// can be ([`rampart_primitives::kv`]) is an error, so a gzip bomb fails early instead of filling memory.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        Self::from_entries(KvReader::open(path).map_err(io("opening", path))?, path)
    }

    /// Reads fixture text (gzip or plain); `path` is used in error messages.
    pub fn from_reader(r: impl Read, path: &Path) -> Result<Self, StoreError> {
        Self::from_entries(KvReader::new(r).map_err(io("reading", path))?, path)
    }

    fn from_entries(entries: impl Iterator<Item = Result<KvEntry, KvError>>, path: &Path) -> Result<Self, StoreError> {
        let mut map = BTreeMap::new();
        for entry in entries {
            match entry {
                Ok((k, v)) => {
                    map.insert(PreimageKey::keccak256(k), v);
                }
                Err(KvError::Line { line, reason }) => {
                    return Err(StoreError::BadFixture { path: path.to_path_buf(), line, reason: reason.to_string() })
                }
                Err(KvError::Io(e)) => {
                    return Err(StoreError::Io { op: "reading", path: path.to_path_buf(), source: e })
                }
            }
        }
        Ok(FixtureStore { map })
    }

    /// Number of preimages.
    pub fn len(&self) -> usize {
        self.map.len()
    }
    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
    /// Entries in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&PreimageKey, &Vec<u8>)> {
        self.map.iter()
    }
}

impl KeyValueStore for FixtureStore {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.map.get(key).cloned())
    }
    fn set(&mut self, _key: PreimageKey, _value: Vec<u8>) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly("fixture"))
    }
}

/// Routes local keys (type 1) to `local` and all other keys to `global`; writes always go to `global`.
#[derive(Debug, Clone)]
pub struct SplitStore<L, G> {
    /// Store of local keys.
    pub local: L,
    /// Store of every other key.
    pub global: G,
}

impl<L, G> SplitStore<L, G> {
    /// A split store.
    pub fn new(local: L, global: G) -> Self {
        SplitStore { local, global }
    }
}

impl<L: KeyValueStore, G: KeyValueStore> KeyValueStore for SplitStore<L, G> {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        if key.key_type() == KeyType::Local {
            self.local.get(key)
        } else {
            self.global.get(key)
        }
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        self.global.set(key, value)
    }
}

/// Looks keys up in `first`, then in `second`; writes go to `first`.
#[derive(Debug, Clone)]
pub struct FallbackStore<A, B> {
    /// Store consulted first (and written).
    pub first: A,
    /// Store consulted when `first` has no value.
    pub second: B,
}

impl<A, B> FallbackStore<A, B> {
    /// A fallback store.
    pub fn new(first: A, second: B) -> Self {
        FallbackStore { first, second }
    }
}

impl<A: KeyValueStore, B: KeyValueStore> KeyValueStore for FallbackStore<A, B> {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        match self.first.get(key)? {
            Some(v) => Ok(Some(v)),
            None => self.second.get(key),
        }
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        self.first.set(key, value)
    }
}
