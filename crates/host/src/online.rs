//! The online host (kona-host with `--l1-node-address`, `--l1-beacon-address`, `--l2-node-address`): each hint is
//! routed through a [`HintRouter`] over an [`OnlineFetcher`] as it arrives, before it is acknowledged, and its
//! verified preimages are written to the store the server reads (the `--data-dir` directory store, so a later
//! offline run with the same flags needs no network, or memory). Nothing of a hint is kept once it is routed.

use crate::errors::FetchResult;
use crate::fetcher::{HintRouter, NodeUrls, OnlineFetcher};
use crate::rpc::RetryPolicy;
use crate::server::HintHandler;
use crate::store::{KeyValueStore, StoreError};
use alloy_primitives::B256;
use rampart_preimage::PreimageKey;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use tracing::{field::Empty, Instrument};

/// A store shared by the preimage server (reads) and the hint handler (writes).
#[derive(Debug)]
pub struct SharedStore<S>(pub Arc<Mutex<S>>);

impl<S> Clone for SharedStore<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S> SharedStore<S> {
    /// Shares `store`.
    pub fn new(store: S) -> Self {
        Self(Arc::new(Mutex::new(store)))
    }
}

impl<S: KeyValueStore> KeyValueStore for SharedStore<S> {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).get(key)
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).set(key, value)
    }
}

/// What an online run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OnlineSummary {
    /// Hints routed.
    pub hints: u64,
    /// Hints that failed (their preimages are then missing and the program's read fails).
    pub failed: u64,
    /// Preimages written (by hints and on misses).
    pub written: u64,
    /// Bytes written.
    pub bytes: u64,
    /// RPC calls, retries and answer bytes over the three nodes.
    pub rpc: (u64, u64, u64),
    /// Hints fetched again after an answer failed verification.
    pub refetches: u64,
    /// Keys the program read without a hint covering them, fetched on the miss (`l2-state-node` / `l2-code`).
    pub misses: u64,
    /// The last hint error, if any.
    pub last_error: Option<String>,
}

/// The online host's hint handling.
#[derive(Debug)]
pub struct OnlineHost {
    router: Arc<HintRouter<OnlineFetcher>>,
    runtime: Arc<tokio::runtime::Runtime>,
    last_error: Arc<Mutex<Option<String>>>,
    misses: Arc<std::sync::atomic::AtomicU64>,
}

impl OnlineHost {
    /// An online host of the three nodes; `agreed_l2_head` answers `starting-l2-output`.
    pub fn new(urls: &NodeUrls, policy: RetryPolicy, agreed_l2_head: Option<B256>) -> FetchResult<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| {
            crate::FetchError::Unsupported { kind: "host", reason: format!("cannot start the tokio runtime: {e}") }
        })?;
        Ok(Self {
            router: Arc::new(HintRouter::new(OnlineFetcher::new(urls, policy, agreed_l2_head)?)),
            runtime: Arc::new(runtime),
            last_error: Arc::default(),
            misses: Arc::default(),
        })
    }

    /// The router.
    pub fn router(&self) -> &HintRouter<OnlineFetcher> {
        &self.router
    }

    /// The [`HintHandler`] for [`crate::PreimageServer::with_hint_handler`]: routes each hint into `store` (which
    /// the server must read too) before the hint is acknowledged. A failed hint is logged and remembered; the
    /// program's next read of a key it would have provided then fails as missing.
    pub fn hint_handler<S: KeyValueStore + Send + 'static>(&self, store: SharedStore<S>) -> HintHandler {
        let (router, runtime, last_error) = (self.router.clone(), self.runtime.clone(), self.last_error.clone());
        Arc::new(move |hint| {
            let mut store = store.clone();
            let span = tracing::info_span!(
                target: "host::hint",
                "hint",
                kind = %hint.kind,
                calls = Empty,
                retries = Empty,
                rpc_bytes = Empty,
                written = Empty,
                bytes = Empty,
                us = Empty,
                error = Empty,
            );
            let fetcher = router.fetcher();
            let (started, before) = (std::time::Instant::now(), fetcher.call_stats());
            let result = runtime.block_on(router.route(hint, &mut store).instrument(span.clone()));
            let after = fetcher.call_stats();
            span.record("calls", after.0 - before.0);
            span.record("retries", after.1 - before.1);
            span.record("rpc_bytes", after.2 - before.2);
            span.record("us", started.elapsed().as_micros() as u64);
            let _in = span.enter();
            match result {
                Ok(r) => {
                    span.record("written", r.written as u64);
                    span.record("bytes", r.bytes as u64);
                    tracing::info!(target: "host::hint", kind = %hint.kind, written = r.written, calls = after.0 - before.0, rpc_bytes = after.2 - before.2, "hint");
                }
                Err(e) => {
                    span.record("error", tracing::field::display(&e));
                    tracing::error!(target: "host::hint", kind = %hint.kind, error = %e, "hint failed");
                    *last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{} hint: {e}", hint.kind));
                }
            }
            Vec::new()
        })
    }

    /// `store` (shared with [`OnlineHost::hint_handler`]) answering a keccak256 key it lacks by routing
    /// `l2-state-node` for it (then `l2-code`), as kona-host re-fetches on a miss: a program that reads trie nodes
    /// beyond the block's witness without hinting each still gets them, and they land in the data dir.
    pub fn fetch_on_miss<S: KeyValueStore>(&self, store: SharedStore<S>) -> FetchOnMiss<S> {
        FetchOnMiss {
            store,
            router: self.router.clone(),
            runtime: self.runtime.clone(),
            last_error: self.last_error.clone(),
            misses: self.misses.clone(),
        }
    }

    /// Counters so far.
    pub fn summary(&self) -> OnlineSummary {
        let s = self.router.stats();
        OnlineSummary {
            hints: s.hints.load(Ordering::Relaxed),
            failed: s.failed.load(Ordering::Relaxed),
            written: s.written.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            rpc: self.router.fetcher().call_stats(),
            refetches: self.router.fetcher().refetches(),
            misses: self.misses.load(Ordering::Relaxed),
            last_error: self.last_error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

impl OnlineHost {
    /// The summary at exit, also emitted as one `tracing` event (target `host::summary`): hints (and failed),
    /// RPC calls, retries, refetches, answer bytes, preimages written and their bytes, keys fetched on a miss.
    pub fn log_summary(&self) -> OnlineSummary {
        let s = self.summary();
        tracing::info!(
            target: "host::summary",
            hints = s.hints,
            failed = s.failed,
            calls = s.rpc.0,
            retries = s.rpc.1,
            rpc_bytes = s.rpc.2,
            refetches = s.refetches,
            written = s.written,
            bytes = s.bytes,
            misses = s.misses,
            "online host summary"
        );
        s
    }
}

/// See [`OnlineHost::fetch_on_miss`].
#[derive(Debug)]
pub struct FetchOnMiss<S> {
    store: SharedStore<S>,
    router: Arc<HintRouter<OnlineFetcher>>,
    runtime: Arc<tokio::runtime::Runtime>,
    last_error: Arc<Mutex<Option<String>>>,
    misses: Arc<std::sync::atomic::AtomicU64>,
}

impl<S: KeyValueStore> KeyValueStore for FetchOnMiss<S> {
    fn get(&self, key: &PreimageKey) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(v) = self.store.get(key)? {
            return Ok(Some(v));
        }
        if key.key_type() != rampart_preimage::KeyType::Keccak256 {
            return Ok(None);
        }
        // The key holds bytes 1..32 of the digest; byte 0 of the digest is unknown, so try each (the fetcher
        // checks every answer against the full digest).
        let mut store = self.store.clone();
        let span = tracing::info_span!(
            target: "host::hint",
            "miss",
            key = %hex::encode(key.as_bytes()),
            written = Empty,
            bytes = Empty
        );
        let _in = span.enter();
        for code in [false, true] {
            for b0 in 0..=255u8 {
                let mut d = key.to_bytes();
                d[0] = b0;
                let hash = B256::from(d);
                let hint = if code { crate::ParsedHint::L2Code(hash) } else { crate::ParsedHint::L2StateNode(hash) };
                match self.runtime.block_on(crate::Fetcher::fetch(self.router.fetcher(), &hint)) {
                    Ok(entries) => {
                        tracing::info!(target: "host::hint", key = %hash, code, "fetched on a miss");
                        self.misses.fetch_add(1, Ordering::Relaxed);
                        let (mut written, mut bytes) = (0u64, 0u64);
                        for (k, v) in entries {
                            if crate::verify_preimage(&k, &v) && store.get(&k)?.is_none() {
                                (written, bytes) = (written + 1, bytes + v.len() as u64);
                                store.set(k, v)?;
                            }
                        }
                        span.record("written", written);
                        span.record("bytes", bytes);
                        let stats = self.router.stats();
                        stats.written.fetch_add(written, Ordering::Relaxed);
                        stats.bytes.fetch_add(bytes, Ordering::Relaxed);
                        return self.store.get(key);
                    }
                    Err(e @ crate::FetchError::Rpc { .. }) if !crate::rpc::is_unreachable(&e) => {}
                    Err(e) => {
                        *self.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("on a miss: {e}"));
                        return Ok(None);
                    }
                }
            }
        }
        Ok(None)
    }
    fn set(&mut self, key: PreimageKey, value: Vec<u8>) -> Result<(), StoreError> {
        self.store.set(key, value)
    }
}
