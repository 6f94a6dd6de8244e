//! The preimage server: hint channel (read hints, write 1-byte acks) and preimage channel (read 32-byte keys,
//! write `u64` BE length ‖ data), as `kona-host --server` on fds 3-6.

use crate::store::{KeyValueStore, StoreError};
use rampart_preimage::{Hint, KeyError, KeyType, PreimageKey, HINT_ACK, MAX_HINT_LEN};
use std::io::{ErrorKind, Read, Write};
use std::sync::{Arc, Mutex};

/// Why the server stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The requested key is in no store.
    #[error("missing preimage for key 0x{} (type {key_type})", rampart_primitives::hex::encode(key.as_bytes()))]
    Missing {
        /// The key.
        key: PreimageKey,
        /// Its type.
        key_type: KeyType,
    },
    /// A stored value does not hash to its key.
    #[error("stored preimage for key 0x{} does not match its {key_type} hash", rampart_primitives::hex::encode(key.as_bytes()))]
    BadPreimage {
        /// The key.
        key: PreimageKey,
        /// Its type.
        key_type: KeyType,
    },
    /// The client sent a key with an invalid type byte.
    #[error("invalid preimage key 0x{}: {source}", rampart_primitives::hex::encode(raw))]
    InvalidKey {
        /// The raw key bytes.
        raw: [u8; 32],
        /// Why it is invalid.
        source: KeyError,
    },
    /// The preimage channel closed in the middle of a key.
    #[error("preimage channel closed after {0} of 32 key bytes")]
    TruncatedKey(usize),
    /// A store failed.
    #[error("preimage store: {0}")]
    Store(#[from] StoreError),
    /// Reading or writing a channel failed.
    #[error("{what}: {source}")]
    Io {
        /// Which operation.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The hint channel sent an over-long length prefix.
    #[error("hint of {0} bytes exceeds the {MAX_HINT_LEN}-byte limit")]
    HintTooLong(u32),
    /// The hint handler made more preimage bytes than [`MAX_DERIVED_BYTES`] (a hint flood).
    #[error("hints made {bytes} bytes of preimages, over the host's bound of {max}")]
    DerivedTooLarge {
        /// Bytes held.
        bytes: usize,
        /// The bound.
        max: usize,
    },
}

/// What a server run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServeReport {
    /// Preimages served.
    pub preimages: u64,
    /// Preimage bytes served (without length prefixes).
    pub bytes: u64,
    /// Hints received, decoded and acknowledged, in arrival order: the first [`REPORTED_HINTS`] of them (a client
    /// may send any number; the report stays bounded).
    pub hints: Vec<Hint>,
    /// Hints acknowledged but not decodable, with the reason: the first [`REPORTED_HINTS`].
    pub bad_hints: Vec<String>,
    /// Every hint acknowledged, decodable or not (also those past the report's bound).
    pub hints_received: u64,
    /// Set when the hint channel failed (other than closing); the preimage channel still ended cleanly.
    pub hint_error: Option<String>,
}

/// Checks `value` against `key`: keccak256 and sha256 keys must match the value's hash (bytes 1..32); other
/// types cannot be checked from the value alone and pass.
pub fn verify_preimage(key: &PreimageKey, value: &[u8]) -> bool {
    match key.key_type() {
        KeyType::Keccak256 => key.matches_digest(&rampart_primitives::keccak256(value)),
        KeyType::Sha256 => key.matches_digest(&rampart_primitives::sha256(value)),
        KeyType::Local | KeyType::GlobalGeneric | KeyType::Blob | KeyType::Precompile => true,
    }
}

/// Reads as much of `buf` as the stream gives; returns how many bytes were read (short only at end of stream).
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        match r.read(&mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// How many decoded (and, separately, undecodable) hints a [`ServeReport`] keeps; the rest are only counted.
pub const REPORTED_HINTS: usize = 4096;

/// Default bound on the bytes of preimages a [`HintHandler`] may make over one run (they are kept until served): a hint
/// flood cannot grow the host without limit; past it the hint channel fails with an error naming the bound.
pub const MAX_DERIVED_BYTES: usize = 1 << 30;

#[derive(Debug, Default)]
struct HintLog {
    hints: Vec<Hint>,
    bad: Vec<String>,
    received: u64,
    error: Option<String>,
}

/// Makes preimages from a hint before it is acknowledged (as kona-host answers `l1-precompile` hints by running
/// the precompile): the `(key, value)` pairs the hint makes available. Hints it does not know give none.
pub type HintHandler = Arc<dyn Fn(&Hint) -> Vec<(PreimageKey, Vec<u8>)> + Send + Sync>;

/// Preimages made by the [`HintHandler`], by raw key, and their total size.
#[derive(Debug, Default)]
struct DerivedStore {
    map: std::collections::BTreeMap<[u8; 32], Vec<u8>>,
    bytes: usize,
}
type Derived = Mutex<DerivedStore>;

/// Hint loop: read `u32` BE length ‖ text, record it, let the handler (if any) derive preimages from it, ack with
/// 0x00 (also for undecodable hints). Ends cleanly at end of stream or when the ack cannot be delivered because
/// the client is gone.
fn hint_loop(
    mut rx: impl Read,
    mut tx: impl Write,
    log: &Mutex<HintLog>,
    handler: Option<&HintHandler>,
    derived: &Derived,
    derived_limit: usize,
) -> Result<(), ServerError> {
    let io = |what| move |source| ServerError::Io { what, source };
    loop {
        let mut len = [0u8; 4];
        match read_full(&mut rx, &mut len).map_err(io("reading a hint length"))? {
            0 => return Ok(()),
            4 => {}
            n => {
                return Err(ServerError::Io {
                    what: "reading a hint length",
                    source: std::io::Error::new(ErrorKind::UnexpectedEof, format!("closed after {n} of 4 bytes")),
                })
            }
        }
        let len = u32::from_be_bytes(len);
        if len as usize > MAX_HINT_LEN {
            return Err(ServerError::HintTooLong(len));
        }
        let mut text = vec![0u8; len as usize];
        rx.read_exact(&mut text).map_err(io("reading a hint"))?;
        {
            let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
            l.received += 1;
            match Hint::decode(&text) {
                Ok(h) => {
                    if let Some(handler) = handler {
                        let made = handler(&h);
                        let mut d = derived.lock().unwrap_or_else(|p| p.into_inner());
                        for (key, value) in made {
                            let len = value.len();
                            if let Some(old) = d.map.insert(key.to_bytes(), value) {
                                d.bytes -= old.len();
                            }
                            d.bytes += len;
                        }
                        if d.bytes > derived_limit {
                            return Err(ServerError::DerivedTooLarge { bytes: d.bytes, max: derived_limit });
                        }
                    }
                    if l.hints.len() < REPORTED_HINTS {
                        l.hints.push(h)
                    }
                }
                Err(e) => {
                    if l.bad.len() < REPORTED_HINTS {
                        l.bad.push(format!("{e}: {:?}", String::from_utf8_lossy(&text)))
                    }
                }
            }
        }
        match tx.write_all(&[HINT_ACK]).and_then(|()| tx.flush()) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::BrokenPipe => return Ok(()),
            Err(e) => return Err(ServerError::Io { what: "writing a hint ack", source: e }),
        }
    }
}

/// Serves preimages from a [`KeyValueStore`] (offline: hints are acknowledged and recorded, and passed to the
/// [`HintHandler`] if there is one).
pub struct PreimageServer<S> {
    store: S,
    handler: Option<HintHandler>,
    derived: Arc<Derived>,
    derived_limit: usize,
}

impl<S: core::fmt::Debug> core::fmt::Debug for PreimageServer<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PreimageServer")
            .field("store", &self.store)
            .field("hint_handler", &self.handler.is_some())
            .finish_non_exhaustive()
    }
}

impl<S: KeyValueStore> PreimageServer<S> {
    /// A server over `store`.
    pub fn new(store: S) -> Self {
        PreimageServer { store, handler: None, derived: Arc::default(), derived_limit: MAX_DERIVED_BYTES }
    }

    /// Bounds the bytes of hint-made preimages held at once (default [`MAX_DERIVED_BYTES`]).
    pub fn with_derived_limit(mut self, bytes: usize) -> Self {
        self.derived_limit = bytes;
        self
    }

    /// Lets `handler` derive preimages from each hint before it is acknowledged; they are served when the store
    /// lacks the key.
    pub fn with_hint_handler(mut self, handler: HintHandler) -> Self {
        self.handler = Some(handler);
        self
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Looks `key` up and verifies the value against the key.
    pub fn fetch(&self, key: &PreimageKey) -> Result<Vec<u8>, ServerError> {
        let value = match self.store.get(key)? {
            Some(v) => v,
            None => self
                .derived
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .map
                .get(key.as_bytes())
                .cloned()
                .ok_or(ServerError::Missing { key: *key, key_type: key.key_type() })?,
        };
        if !verify_preimage(key, &value) {
            return Err(ServerError::BadPreimage { key: *key, key_type: key.key_type() });
        }
        Ok(value)
    }

    /// Runs the server until the preimage channel (`key_rx`) reaches end of stream, which ends it cleanly.
    /// Hints are handled on a separate thread so they may interleave freely with preimage requests. A missing or
    /// invalid preimage, an invalid key or a channel failure ends the run with an error (dropping the channels,
    /// so the client sees them close instead of waiting).
    pub fn serve<HR, HW, KR, DW>(
        &mut self,
        hint_rx: HR,
        hint_tx: HW,
        mut key_rx: KR,
        mut data_tx: DW,
    ) -> Result<ServeReport, ServerError>
    where
        HR: Read + Send + 'static,
        HW: Write + Send + 'static,
        KR: Read,
        DW: Write,
    {
        let log = Arc::new(Mutex::new(HintLog::default()));
        let thread_log = log.clone();
        let (handler, derived, derived_limit) = (self.handler.clone(), self.derived.clone(), self.derived_limit);
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let hints = std::thread::Builder::new()
            .name("hint-server".into())
            .spawn(move || {
                if let Err(e) = hint_loop(hint_rx, hint_tx, &thread_log, handler.as_ref(), &derived, derived_limit) {
                    thread_log.lock().unwrap_or_else(|p| p.into_inner()).error = Some(e.to_string());
                }
                let _ = done_tx.send(());
            })
            .map_err(|e| ServerError::Io { what: "starting the hint thread", source: e })?;
        let mut report = ServeReport::default();
        loop {
            let mut raw = [0u8; 32];
            match read_full(&mut key_rx, &mut raw)
                .map_err(|source| ServerError::Io { what: "reading a key", source })?
            {
                0 => break,
                32 => {}
                n => return Err(ServerError::TruncatedKey(n)),
            }
            let key = PreimageKey::try_from(raw).map_err(|source| ServerError::InvalidKey { raw, source })?;
            let value = self.fetch(&key)?;
            let mut msg = Vec::with_capacity(8 + value.len());
            msg.extend_from_slice(&(value.len() as u64).to_be_bytes());
            msg.extend_from_slice(&value);
            data_tx
                .write_all(&msg)
                .and_then(|()| data_tx.flush())
                .map_err(|source| ServerError::Io { what: "writing a preimage", source })?;
            report.preimages += 1;
            report.bytes += value.len() as u64;
        }
        // The hint thread ends when its channel closes; if the client keeps it open, leave the thread blocked
        // (it owns only the hint streams) rather than hang here.
        // (The thread signals its end; a panic in it drops the sender, which also ends the wait.)
        if done_rx.recv_timeout(std::time::Duration::from_millis(200))
            != Err(std::sync::mpsc::RecvTimeoutError::Timeout)
        {
            let _ = hints.join();
        }
        let mut l = log.lock().unwrap_or_else(|p| p.into_inner());
        report.hints = std::mem::take(&mut l.hints);
        report.bad_hints = std::mem::take(&mut l.bad);
        report.hints_received = l.received;
        report.hint_error = l.error.take();
        Ok(report)
    }
}
