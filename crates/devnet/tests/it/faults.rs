//! The online host against the devnet's real nodes under faults, on a short devnet of its own:
//! - every node behind a pass-through proxy that counts requests and bytes: the host's summary (hints, calls,
//!   retries, preimages written, bytes) and its per-hint `tracing` spans agree exactly with what crossed the wire
//!   and what the data dir holds;
//! - a proxy in front of op-geth that flips one byte of one `debug_getRawHeader` answer: rejected naming node,
//!   method and key, fetched again, the run completes; flipped on every fetch of that key: the run fails with that
//!   error after exactly the policy's attempts; either way no stored entry mismatches its hash;
//! - op-geth killed (SIGKILL) during the `l2-payload-witness` hint and restarted on its data dir and ports once
//!   the host has seen it down: the host retries and the claim gets its verdict; killed for good: the run ends
//!   with an error naming node, method and key after exactly the policy's attempts, within its bound;
//! - geth (L1) stopped (SIGTERM) during the `l1-receipts` hint and restarted on its data dir: the host's retries
//!   are all on the L1 node, of that hint's calls for the hinted block, and the claim gets its verdict.

use crate::online_host;
use alloy_primitives::{keccak256, B256};
use http_body_util::{BodyExt, Full};
use hyper::{body::Bytes, Request, Response};
use rampart_devnet::{claims::Claim, dataset::flag, nodes::NodeBinaries, Devnet, Node, UpOptions};
use rampart_host::{rpc::RetryPolicy, HintHandler, NodeUrls, OnlineSummary};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ----- a proxy that counts, and corrupts one chosen answer -----

/// Which answers to corrupt: those of `method` for the first key it is asked for, `times` of them.
#[derive(Debug, Clone)]
struct Corrupt {
    method: &'static str,
    times: usize,
}

/// What crossed a proxy.
#[derive(Debug, Default)]
struct ProxyLog {
    requests: u64,
    bytes: u64,
    by_method: BTreeMap<String, u64>,
    /// `(method, key)` of each corrupted answer.
    corrupted: Vec<(String, String)>,
    rule: Option<Corrupt>,
}

struct Proxy {
    url: String,
    log: Arc<Mutex<ProxyLog>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Proxy {
    async fn start(upstream: &str, rule: Option<Corrupt>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(ProxyLog { rule, ..Default::default() }));
        let (client, upstream, l) = (reqwest::Client::new(), upstream.trim_end_matches('/').to_string(), log.clone());
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (client, upstream, log) = (client.clone(), upstream.clone(), l.clone());
                tokio::spawn(async move {
                    let svc = hyper::service::service_fn(move |req| {
                        forward(req, client.clone(), upstream.clone(), log.clone())
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                        .await;
                });
            }
        });
        Self { url, log, task }
    }

    fn log(&self) -> std::sync::MutexGuard<'_, ProxyLog> {
        self.log.lock().unwrap()
    }
}

fn key_of(params: &serde_json::Value) -> String {
    match &params[0] {
        serde_json::Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// Flips one hex digit (bit 0 of the last byte but one) of a JSON-RPC answer's hex-string `result`, keeping its
/// length; false if the answer has none.
fn flip_result_byte(body: &mut [u8]) -> bool {
    let pat = b"\"result\":\"0x";
    let Some(i) = body.windows(pat.len()).position(|w| w == pat) else { return false };
    let start = i + pat.len();
    let Some(len) = body[start..].iter().position(|&b| b == b'"') else { return false };
    if len < 4 {
        return false;
    }
    let pos = start + len - 1;
    let Some(v) = (body[pos] as char).to_digit(16) else { return false };
    body[pos] = char::from_digit(v ^ 1, 16).unwrap() as u8;
    true
}

async fn forward(
    req: Request<hyper::body::Incoming>,
    client: reqwest::Client,
    upstream: String,
    log: Arc<Mutex<ProxyLog>>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let method = req.method().clone();
    let path = req.uri().path_and_query().map_or("/".to_string(), |p| p.as_str().to_string());
    let body = req.into_body().collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let call = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| Some((v["method"].as_str()?.to_string(), key_of(&v["params"]))));
    let mut r = client.request(method, format!("{upstream}{path}"));
    if !body.is_empty() {
        r = r.header("content-type", "application/json").body(body.to_vec());
    }
    let (status, mut answer) = match r.send().await {
        Ok(resp) => {
            let status = resp.status();
            (status, resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default())
        }
        Err(e) => (reqwest::StatusCode::BAD_GATEWAY, format!("upstream: {e}").into_bytes()),
    };
    {
        let mut l = log.lock().unwrap();
        l.requests += 1;
        let name = call.as_ref().map_or_else(|| format!("GET {path}"), |c| c.0.clone());
        *l.by_method.entry(name).or_default() += 1;
        if let (Some(rule), Some((m, k))) = (l.rule.clone(), &call) {
            let same_key = l.corrupted.first().is_none_or(|(_, first)| first == k);
            if m == rule.method && same_key && l.corrupted.len() < rule.times && flip_result_byte(&mut answer) {
                l.corrupted.push((m.clone(), k.clone()));
            }
        }
        l.bytes += answer.len() as u64;
    }
    let mut resp = Response::new(Full::new(Bytes::from(answer)));
    *resp.status_mut() = status;
    resp.headers_mut().insert(hyper::header::CONTENT_TYPE, hyper::header::HeaderValue::from_static("application/json"));
    Ok(resp)
}

// ----- the host's tracing, captured -----

mod capture {
    use std::collections::BTreeMap;
    use std::sync::{mpsc, Mutex, OnceLock};
    use tracing::{field::Field, span, subscriber::Interest, Event, Metadata, Subscriber};
    use tracing_subscriber::{layer::Context, prelude::*, registry::LookupSpan, Layer};

    /// Fields by name, values as text.
    #[derive(Debug, Default, Clone, PartialEq, Eq)]
    pub(super) struct Fields(pub(super) BTreeMap<String, String>);

    impl Fields {
        pub(super) fn u64(&self, name: &str) -> u64 {
            self.0.get(name).and_then(|v| v.parse().ok()).unwrap_or_else(|| panic!("no u64 field {name} in {self:?}"))
        }
        pub(super) fn str(&self, name: &str) -> &str {
            self.0.get(name).map_or("", String::as_str)
        }
    }

    impl tracing::field::Visit for Fields {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().to_string(), format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_string(), value.to_string());
        }
        fn record_u64(&mut self, field: &Field, value: u64) {
            self.0.insert(field.name().to_string(), value.to_string());
        }
    }

    /// What the host logged.
    #[derive(Debug, Default)]
    pub(super) struct Captured {
        /// Closed `hint` and `miss` spans: name and fields.
        pub(super) spans: Vec<(String, Fields)>,
        /// `rpc` events (one per call): the enclosing span's name and the fields.
        pub(super) rpc: Vec<(Option<String>, Fields)>,
        /// `retrying` events.
        pub(super) retrying: Vec<Fields>,
        /// `wrong answer; fetching again` events.
        pub(super) refetched: Vec<Fields>,
        /// `host::summary` events.
        pub(super) summaries: Vec<Fields>,
    }

    static CAPTURED: Mutex<Option<Captured>> = Mutex::new(None);
    static ON_RETRY: Mutex<Option<mpsc::Sender<()>>> = Mutex::new(None);

    struct Capture;

    impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
        fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
            if meta.target().starts_with("host::") {
                Interest::always()
            } else {
                Interest::never()
            }
        }
        fn on_new_span(&self, attrs: &span::Attributes<'_>, id: &span::Id, ctx: Context<'_, S>) {
            let mut f = Fields::default();
            attrs.record(&mut f);
            if let Some(s) = ctx.span(id) {
                s.extensions_mut().insert(f);
            }
        }
        fn on_record(&self, id: &span::Id, values: &span::Record<'_>, ctx: Context<'_, S>) {
            if let Some(s) = ctx.span(id) {
                if let Some(f) = s.extensions_mut().get_mut::<Fields>() {
                    values.record(f);
                }
            }
        }
        fn on_close(&self, id: span::Id, ctx: Context<'_, S>) {
            if let Some(s) = ctx.span(&id) {
                let f = s.extensions().get::<Fields>().cloned().unwrap_or_default();
                if let Some(c) = CAPTURED.lock().unwrap().as_mut() {
                    c.spans.push((s.name().to_string(), f));
                }
            }
        }
        fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
            let mut f = Fields::default();
            event.record(&mut f);
            let target = event.metadata().target();
            let mut guard = CAPTURED.lock().unwrap();
            let Some(c) = guard.as_mut() else { return };
            match (target, f.str("message")) {
                ("host::rpc", "rpc") => c.rpc.push((ctx.event_span(event).map(|s| s.name().to_string()), f)),
                ("host::rpc", "retrying") => {
                    c.retrying.push(f);
                    if let Some(tx) = ON_RETRY.lock().unwrap().take() {
                        let _ = tx.send(());
                    }
                }
                ("host::hint", "wrong answer; fetching again") => c.refetched.push(f),
                ("host::summary", _) => c.summaries.push(f),
                _ => {}
            }
        }
    }

    /// Installs the capture as the process's subscriber (once) and starts an empty capture.
    pub(super) fn start() {
        static INSTALLED: OnceLock<()> = OnceLock::new();
        INSTALLED.get_or_init(|| {
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Capture))
                .expect("no other global subscriber in this test binary");
        });
        *CAPTURED.lock().unwrap() = Some(Captured::default());
    }

    /// Ends the capture, returning what it holds.
    pub(super) fn take() -> Captured {
        CAPTURED.lock().unwrap().take().unwrap_or_default()
    }

    /// A channel told once at the host's next `retrying` event.
    pub(super) fn on_next_retry() -> mpsc::Receiver<()> {
        let (tx, rx) = mpsc::channel();
        *ON_RETRY.lock().unwrap() = Some(tx);
        rx
    }
}

// ----- the store a run leaves -----

/// Every entry of a directory store: `(keccak256/sha256 entries whose value hashes to the key, other types,
/// entries whose value does not hash to its key)`, and the bytes of all values.
fn audit_store(dir: &Path) -> (u64, u64, Vec<String>, u64) {
    let (mut verified, mut other, mut bad, mut bytes) = (0, 0, Vec::new(), 0);
    for sub in std::fs::read_dir(dir).unwrap() {
        let sub = sub.unwrap().path();
        if !sub.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&sub).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let Some(rest) = name.strip_suffix(".txt") else { continue };
            let key_hex = format!("{}{rest}", sub.file_name().unwrap().to_string_lossy());
            let key: [u8; 32] = hex::decode(&key_hex).unwrap().try_into().unwrap();
            let value = hex::decode(std::fs::read_to_string(&f).unwrap().trim()).unwrap();
            bytes += value.len() as u64;
            let digest: Option<[u8; 32]> = match key[0] {
                2 => Some(keccak256(&value).0),
                4 => Some(<sha2::Sha256 as sha2::Digest>::digest(&value).into()),
                _ => None,
            };
            match digest {
                Some(d) if d[1..] == key[1..] => verified += 1,
                Some(_) => bad.push(key_hex),
                None => other += 1,
            }
        }
    }
    (verified, other, bad, bytes)
}

fn keccak_key_path(dir: &Path, hash: B256) -> std::path::PathBuf {
    let mut k = hash.0;
    k[0] = 2;
    let h = hex::encode(k);
    dir.join(&h[..4]).join(format!("{}.txt", &h[4..]))
}

fn sum(s: &OnlineSummary) -> String {
    format!(
        "{} hints ({} failed, {} refetched), {} calls ({} retries, {} bytes), {} written ({} bytes), {} misses",
        s.hints, s.failed, s.refetches, s.rpc.0, s.rpc.1, s.rpc.2, s.written, s.bytes, s.misses
    )
}

// ----- the test -----

const BLOCKS: u64 = 2;

fn options(dir: std::path::PathBuf) -> UpOptions {
    UpOptions {
        dir,
        seed: crate::SEED,
        block_interval: Duration::from_millis(400),
        l1_block_time: 2,
        max_l2_blocks: Some(BLOCKS),
        deposit_every: 2,
        ..Default::default()
    }
}

/// Retries fast enough for a test: 4 attempts, 2 s each, 50/100/200 ms apart (bound 8.35 s).
const FAST: RetryPolicy = RetryPolicy {
    timeout: Duration::from_secs(2),
    attempts: 4,
    backoff: Duration::from_millis(50),
    max_backoff: Duration::from_millis(200),
};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_host_under_node_faults() {
    let _one = crate::DEVNETS.lock().await;
    if let Err(e) = NodeBinaries::locate() {
        panic!("{e}");
    }
    let tmp = std::env::temp_dir().join(format!("rampart-devnet-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let opts = options(tmp.join("d"));
    let mut devnet = Devnet::start(&opts).await.expect("devnet starts");
    let summary = devnet.run(&opts, std::future::pending()).await.expect("devnet runs");
    let out = tmp.join("data");
    rampart_devnet::record::record(&devnet.dir, &out).await.unwrap();
    let recorded: Vec<Claim> = serde_json::from_slice(&std::fs::read(out.join("claims.json")).unwrap()).unwrap();
    let valid = recorded.iter().find(|c| c.l2_block == 1 && c.valid).unwrap().clone();
    let attrs = summary.blocks[0].attributes.clone();
    let e = devnet.endpoints.clone();
    let direct = NodeUrls { l1: e.l1_rpc.clone(), beacon: e.l1_beacon.clone(), l2: e.l2_rpc.clone() };
    let archived = devnet.archive.blocks().await;
    let blob = archived.first().and_then(|b| {
        b.blobs
            .first()
            .map(|x| (b.number, rampart_derive::IndexedBlobHash { index: x.index, hash: x.versioned_hash() }))
    });
    let handle = tokio::runtime::Handle::current();
    let devnet = Arc::new(tokio::sync::Mutex::new(devnet));

    // 1. Every node behind a counting proxy: the summary, the spans and the wire agree exactly.
    let proxies = [
        Proxy::start(&e.l1_rpc, None).await,
        Proxy::start(&e.l1_beacon, None).await,
        Proxy::start(&e.l2_rpc, None).await,
    ];
    let urls = NodeUrls { l1: proxies[0].url.clone(), beacon: proxies[1].url.clone(), l2: proxies[2].url.clone() };
    let d = tmp.join("counted");
    capture::start();
    // The host (and its runtime) ends inside the blocking section, as `rampart host` ends: with its summary.
    let (run, s) = tokio::task::block_in_place(|| {
        let (run, host) = online_host::online(&urls, RetryPolicy::default(), &valid, &out, &d, &attrs, blob, |h| h);
        (run, host.log_summary())
    });
    let cap = capture::take();
    println!("counted run: {}", sum(&s));
    for (name, p) in ["L1", "beacon", "L2"].iter().zip(&proxies) {
        let l = p.log();
        println!("  {name} proxy: {} requests, {} bytes, {:?}", l.requests, l.bytes, l.by_method);
    }
    assert_eq!(run.verdict, Ok(()));
    assert_eq!(run.server_error, None);
    assert_eq!((s.failed, s.refetches, s.rpc.1, s.last_error.clone()), (0, 0, 0, None));
    let (requests, bytes) = proxies.iter().fold((0, 0), |(r, b), p| {
        let l = p.log();
        (r + l.requests, b + l.bytes)
    });
    assert_eq!(s.rpc.0, requests, "one request per call (no retries)");
    assert_eq!(s.rpc.2, bytes, "the answer bytes the host counted are those that crossed the proxies");
    assert_eq!(s.hints, run.served.hints_received, "every hint the server acknowledged was routed");
    let (verified, other, bad, stored_bytes) = audit_store(&d);
    assert_eq!(bad, Vec::<String>::new());
    assert_eq!(s.written, verified + other, "every preimage written is a file of the data dir");
    assert_eq!(s.bytes, stored_bytes);
    // One `hint` span per hint with its calls; every call an `rpc` event inside a hint or miss span.
    let hint_spans: Vec<_> = cap.spans.iter().filter(|(n, _)| n == "hint").map(|(_, f)| f).collect();
    assert_eq!(hint_spans.len() as u64, s.hints);
    assert_eq!(cap.rpc.len() as u64, s.rpc.0);
    assert!(cap.rpc.iter().all(|(parent, _)| matches!(parent.as_deref(), Some("hint" | "miss"))), "{:?}", cap.rpc);
    let in_hints = cap.rpc.iter().filter(|(p, _)| p.as_deref() == Some("hint")).count() as u64;
    assert_eq!(hint_spans.iter().map(|f| f.u64("calls")).sum::<u64>(), in_hints);
    let bytes_in_hints: u64 =
        cap.rpc.iter().filter(|(p, _)| p.as_deref() == Some("hint")).map(|(_, f)| f.u64("bytes")).sum();
    assert_eq!(hint_spans.iter().map(|f| f.u64("rpc_bytes")).sum::<u64>(), bytes_in_hints);
    assert_eq!(cap.rpc.iter().map(|(_, f)| f.u64("bytes")).sum::<u64>(), s.rpc.2);
    let miss_spans: Vec<_> = cap.spans.iter().filter(|(n, _)| n == "miss").map(|(_, f)| f).collect();
    let written_on_misses: u64 = miss_spans.iter().filter_map(|f| f.0.get("written")?.parse::<u64>().ok()).sum();
    assert_eq!(hint_spans.iter().map(|f| f.u64("written")).sum::<u64>() + written_on_misses, s.written);
    let by_kind = hint_spans.iter().fold(BTreeMap::<String, u64>::new(), |mut m, f| {
        *m.entry(f.str("kind").to_string()).or_default() += 1;
        m
    });
    println!("  hints by kind: {by_kind:?}");
    let served_by_kind = run.served.hints.iter().fold(BTreeMap::<String, u64>::new(), |mut m, h| {
        *m.entry(h.kind.to_string()).or_default() += 1;
        m
    });
    assert_eq!(by_kind, served_by_kind, "one span per hint the server acknowledged, by type");
    assert_eq!((by_kind["starting-l2-output"], by_kind["l2-payload-witness"]), (1, 1));
    assert!(by_kind["l1-block-header"] >= run.l1_walked, "{by_kind:?}, {} L1 blocks walked", run.l1_walked);
    assert_eq!(cap.summaries.len(), 1);
    let f = &cap.summaries[0];
    assert_eq!(
        [f.u64("hints"), f.u64("calls"), f.u64("retries"), f.u64("written"), f.u64("bytes"), f.u64("rpc_bytes")],
        [s.hints, s.rpc.0, s.rpc.1, s.written, s.bytes, s.rpc.2]
    );
    assert_eq!(online_host::offline(&valid, &out, &d, &attrs, blob).verdict, Ok(()));
    drop(proxies);

    // 2. One byte flipped in the first debug_getRawHeader answer of op-geth: rejected, fetched again, completes.
    let corrupt = |times| Some(Corrupt { method: "debug_getRawHeader", times });
    let proxy = Proxy::start(&e.l2_rpc, corrupt(1)).await;
    let urls = NodeUrls { l2: proxy.url.clone(), ..direct.clone() };
    let d = tmp.join("flipped-once");
    capture::start();
    let (run, s) = tokio::task::block_in_place(|| {
        let (run, host) = online_host::online(&urls, FAST, &valid, &out, &d, &attrs, blob, |h| h);
        (run, host.summary())
    });
    let cap = capture::take();
    println!("flipped once: {}; corrupted {:?}", sum(&s), proxy.log().corrupted);
    let corrupted = proxy.log().corrupted.clone();
    assert_eq!(corrupted.len(), 1);
    let key = corrupted[0].1.clone();
    assert_eq!((run.verdict.clone(), run.server_error.clone()), (Ok(()), None));
    assert_eq!((s.failed, s.refetches, s.last_error.clone()), (0, 1, None));
    assert_eq!(cap.refetched.len(), 1);
    let w = &cap.refetched[0];
    assert_eq!(
        (w.str("node"), w.str("method"), w.str("key")),
        (format!("L2 node ({})", proxy.url).as_str(), "debug_getRawHeader", key.as_str())
    );
    assert!(w.str("reason").starts_with("header hashes to 0x"), "{w:?}");
    let (_, _, bad, _) = audit_store(&d);
    assert_eq!(bad, Vec::<String>::new());
    let hash: B256 = key.parse().unwrap();
    let stored = hex::decode(std::fs::read_to_string(keccak_key_path(&d, hash)).unwrap()).unwrap();
    assert_eq!(keccak256(&stored), hash, "the header stored is the one fetched again, not the flipped one");
    assert_eq!(online_host::offline(&valid, &out, &d, &attrs, blob).verdict, Ok(()));
    drop(proxy);

    // 3. Flipped on every fetch of that key: the hint fails after the policy's 4 fetches, nothing wrong stored.
    let proxy = Proxy::start(&e.l2_rpc, corrupt(usize::MAX)).await;
    let urls = NodeUrls { l2: proxy.url.clone(), ..direct.clone() };
    let d = tmp.join("flipped-always");
    capture::start();
    let (run, s) = tokio::task::block_in_place(|| {
        let (run, host) = online_host::online(&urls, FAST, &valid, &out, &d, &attrs, blob, |h| h);
        (run, host.summary())
    });
    let cap = capture::take();
    println!("flipped always: {}; verdict {:?}; server {:?}", sum(&s), run.verdict, run.server_error);
    let corrupted = proxy.log().corrupted.clone();
    assert_eq!(corrupted.iter().map(|c| c.1.as_str()).collect::<Vec<_>>(), vec![key.as_str(); 4]);
    assert_eq!((s.failed, s.refetches), (1, 3));
    assert_eq!(cap.refetched.len(), 3);
    let err = s.last_error.clone().unwrap();
    let want =
        format!("L2 node ({}): debug_getRawHeader for {key} returned wrong data: header hashes to 0x", proxy.url);
    assert!(err.contains(&want), "{err}");
    assert!(err.ends_with("(wrong on each of 4 fetches)"), "{err}");
    assert!(run.verdict.is_err());
    assert!(run.server_error.clone().unwrap().starts_with("missing preimage for key 0x"), "{:?}", run.server_error);
    let (_, _, bad, _) = audit_store(&d);
    assert_eq!(bad, Vec::<String>::new());
    assert!(!keccak_key_path(&d, hash).exists(), "nothing stored for the key that was always answered wrong");
    drop(proxy);

    // 4. op-geth killed during the l2-payload-witness hint, restarted once the host has seen it down.
    let d = tmp.join("restarted");
    capture::start();
    let (kill_dev, kill_handle) = (devnet.clone(), handle.clone());
    let (restarted_tx, restarted_rx) = std::sync::mpsc::channel();
    let (run, s) = tokio::task::block_in_place(|| {
        let policy = RetryPolicy {
            timeout: Duration::from_secs(10),
            attempts: 10,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        };
        let (run, host) = online_host::online(&direct, policy, &valid, &out, &d, &attrs, blob, move |inner| {
            let done = std::sync::atomic::AtomicBool::new(false);
            Arc::new(move |hint: &rampart_host::preimage::Hint| {
                if hint.kind == "l2-payload-witness" && !done.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    kill_handle.block_on(async { kill_dev.lock().await.kill_node(Node::L2).await });
                    let retried = capture::on_next_retry();
                    let (dev, h, tx) = (kill_dev.clone(), kill_handle.clone(), restarted_tx.clone());
                    std::thread::spawn(move || {
                        let r = retried.recv().map_err(|e| e.to_string()).and_then(|()| {
                            h.block_on(async { dev.lock().await.restart_node(Node::L2).await })
                                .map_err(|e| e.to_string())
                        });
                        tx.send(r).unwrap();
                    });
                }
                inner(hint)
            }) as HintHandler
        });
        (run, host.summary())
    });
    let cap = capture::take();
    println!("restarted: {}; {} retrying events", sum(&s), cap.retrying.len());
    assert_eq!(restarted_rx.recv().unwrap(), Ok(()), "op-geth restarted after the host's first retry");
    assert_eq!((run.verdict.clone(), run.server_error.clone()), (Ok(()), None));
    assert_eq!((s.failed, s.last_error.clone()), (0, None));
    let host_retries: Vec<_> = cap.retrying.iter().filter(|f| f.str("node") == "L2 node").collect();
    assert!(s.rpc.1 >= 1 && s.rpc.1 == host_retries.len() as u64, "{} retries: {host_retries:?}", s.rpc.1);
    assert!(host_retries.iter().all(|f| f.str("method") == "debug_executePayload"), "{host_retries:?}");
    assert_eq!(online_host::offline(&valid, &out, &d, &attrs, blob).verdict, Ok(()));

    // 5. geth (L1) stopped during the l1-receipts hint (SIGTERM: a SIGKILLed geth --dev loses its unflushed blocks,
    // the claim's L1 head among them), restarted on its data dir once the host has seen it down.
    let d = tmp.join("l1-restarted");
    capture::start();
    let (kill_dev, kill_handle) = (devnet.clone(), handle.clone());
    let (restarted_tx, restarted_rx) = std::sync::mpsc::channel();
    let (run, s) = tokio::task::block_in_place(|| {
        let policy = RetryPolicy {
            timeout: Duration::from_secs(10),
            attempts: 10,
            backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        };
        let (run, host) = online_host::online(&direct, policy, &valid, &out, &d, &attrs, blob, move |inner| {
            let done = std::sync::atomic::AtomicBool::new(false);
            Arc::new(move |hint: &rampart_host::preimage::Hint| {
                if hint.kind == "l1-receipts" && !done.swap(true, std::sync::atomic::Ordering::SeqCst) {
                    kill_handle.block_on(async { kill_dev.lock().await.stop_node(Node::L1).await });
                    let retried = capture::on_next_retry();
                    let (dev, h, tx) = (kill_dev.clone(), kill_handle.clone(), restarted_tx.clone());
                    std::thread::spawn(move || {
                        let r = retried.recv().map_err(|e| e.to_string()).and_then(|()| {
                            h.block_on(async { dev.lock().await.restart_node(Node::L1).await })
                                .map_err(|e| e.to_string())
                        });
                        tx.send(r).unwrap();
                    });
                }
                inner(hint)
            }) as HintHandler
        });
        (run, host.summary())
    });
    let cap = capture::take();
    println!("L1 restarted: {}; {} retrying events; last error {:?}", sum(&s), cap.retrying.len(), s.last_error);
    assert_eq!(restarted_rx.recv().unwrap(), Ok(()), "geth (L1) restarted after the host's first retry");
    assert_eq!((run.verdict.clone(), run.server_error.clone()), (Ok(()), None));
    assert_eq!((s.failed, s.last_error.clone()), (0, None));
    let host_retries: Vec<_> = cap.retrying.iter().filter(|f| f.str("node") == "L1 node").collect();
    assert!(s.rpc.1 >= 1 && s.rpc.1 == host_retries.len() as u64, "{} retries: {:?}", s.rpc.1, cap.retrying);
    // The l1-receipts handler reads the block's header (for its receipts root) and then its receipts: every retry
    // is one of those two calls, for the hinted block.
    let l1_head = flag(&valid.host_args, "--l1-head").unwrap().to_string();
    assert!(
        host_retries
            .iter()
            .all(|f| ["debug_getRawHeader", "debug_getRawReceipts"].contains(&f.str("method"))
                && f.str("key") == l1_head),
        "{host_retries:?}"
    );
    let (_, _, bad, _) = audit_store(&d);
    assert_eq!(bad, Vec::<String>::new());
    assert_eq!(online_host::offline(&valid, &out, &d, &attrs, blob).verdict, Ok(()));

    // 6. op-geth killed for good during that hint: the run ends with a clear error within the policy's bound.
    let d = tmp.join("killed");
    capture::start();
    let (kill_dev, kill_handle) = (devnet.clone(), handle.clone());
    let at_kill: Arc<Mutex<Option<(Instant, Duration)>>> = Arc::default();
    let (run, s) = tokio::task::block_in_place(|| {
        let at = at_kill.clone();
        let (run, host) = online_host::online(&direct, FAST, &valid, &out, &d, &attrs, blob, move |inner| {
            Arc::new(move |hint: &rampart_host::preimage::Hint| {
                if hint.kind != "l2-payload-witness" {
                    return inner(hint);
                }
                kill_handle.block_on(async { kill_dev.lock().await.kill_node(Node::L2).await });
                let started = Instant::now();
                let made = inner(hint);
                *at.lock().unwrap() = Some((started, started.elapsed()));
                made
            }) as HintHandler
        });
        (run, host.summary())
    });
    let ended = Instant::now();
    let cap = capture::take();
    let (started, hint_took) = at_kill.lock().unwrap().expect("the witness hint came");
    println!("killed: {}; hint took {hint_took:?}, run after the kill {:?}", sum(&s), ended - started);
    println!("  error: {:?}; server: {:?}", s.last_error, run.server_error);
    // The witness hint: one call of 4 attempts; then the program's first miss: one probe of 4 attempts, and no
    // more probes of a node that does not answer.
    let host_retries = cap.retrying.iter().filter(|f| f.str("node") == "L2 node").count();
    assert_eq!((s.failed, s.rpc.1, host_retries), (1, 6, 6));
    assert!(hint_took <= FAST.max_wait(), "{hint_took:?} > {:?}", FAST.max_wait());
    assert!(ended - started <= FAST.max_wait() * 2, "{:?} > 2 x {:?}", ended - started, FAST.max_wait());
    let hint_span = cap.spans.iter().find(|(n, f)| n == "hint" && f.str("kind") == "l2-payload-witness").unwrap();
    let hint_err = hint_span.1.str("error");
    let node = format!("L2 node ({})", e.l2_rpc);
    for part in [node.as_str(), "debug_executePayload", "no answer after 4 attempts", "connection failed"] {
        assert!(hint_err.contains(part), "{hint_err:?} lacks {part:?}");
    }
    assert_eq!(hint_span.1.u64("calls"), 1);
    assert_eq!(hint_span.1.u64("retries"), 3);
    let err = s.last_error.clone().unwrap();
    for part in [node.as_str(), "debug_dbGet", "no answer after 4 attempts"] {
        assert!(err.contains(part), "{err:?} lacks {part:?}");
    }
    assert!(run.verdict.is_err());
    assert!(run.server_error.clone().unwrap().starts_with("missing preimage for key 0x"));
    let (_, _, bad, _) = audit_store(&d);
    assert_eq!(bad, Vec::<String>::new());

    devnet.lock().await.shutdown().await;
    let _ = std::fs::remove_dir_all(&tmp);
}
