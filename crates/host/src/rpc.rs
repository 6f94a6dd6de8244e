//! JSON-RPC (execution nodes) and beacon API (consensus node or blob archiver) clients over HTTP (`reqwest` on
//! tokio), with a per-call timeout and bounded retries with exponential backoff: a node that restarts is
//! survived, one that stays down ends the call with a clear error within [`RetryPolicy::max_wait`]. Every error
//! names the node (name and URL), the method and what was asked for.
//!
//! This is Rampart's one JSON-RPC client: the online host's fetchers use it, and so does the devnet
//! (`rampart-devnet` drives geth and op-geth through it, the Engine API with a bearer token from
//! [`RpcClient::with_bearer`]).

use crate::errors::{FetchError, FetchResult};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Timeouts and retries of every call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Timeout of one attempt (connect + answer).
    pub timeout: Duration,
    /// Attempts in total (at least 1).
    pub attempts: u32,
    /// Pause before the first retry; doubled before each further one.
    pub backoff: Duration,
    /// Longest pause between attempts.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            attempts: 6,
            backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// Pause before retry `n` (1-based).
    pub fn pause(&self, n: u32) -> Duration {
        let mut d = self.backoff;
        for _ in 1..n {
            d = (d * 2).min(self.max_backoff);
        }
        d.min(self.max_backoff)
    }

    /// Upper bound of the time one call can take: every attempt timing out plus every pause.
    pub fn max_wait(&self) -> Duration {
        let attempts = self.attempts.max(1);
        self.timeout * attempts + (1..attempts).map(|n| self.pause(n)).sum::<Duration>()
    }
}

/// Call counters of one client.
#[derive(Debug, Default)]
pub struct CallStats {
    /// Calls made (each counted once however many attempts it took).
    pub calls: AtomicU64,
    /// Attempts repeated after a transport failure or timeout.
    pub retries: AtomicU64,
    /// Answer bytes received.
    pub bytes: AtomicU64,
}

impl CallStats {
    /// `(calls, retries, bytes)`.
    pub fn snapshot(&self) -> (u64, u64, u64) {
        (self.calls.load(Ordering::Relaxed), self.retries.load(Ordering::Relaxed), self.bytes.load(Ordering::Relaxed))
    }
}

/// What one attempt gave.
enum Attempt {
    /// A body (any status): final.
    Done(u16, String),
    /// The node did not answer: retry.
    Transient(String),
}

/// A bearer token made fresh for every request (the Engine API's JWT carries its issue time).
#[derive(Clone)]
pub struct Bearer(std::sync::Arc<dyn Fn() -> String + Send + Sync>);

impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Bearer(..)")
    }
}

/// HTTP plumbing shared by both clients.
#[derive(Debug)]
struct Http {
    name: String,
    url: String,
    client: reqwest::Client,
    policy: RetryPolicy,
    stats: CallStats,
    bearer: Option<Bearer>,
}

impl Http {
    fn new(name: &str, url: &str, policy: RetryPolicy) -> FetchResult<Self> {
        let url = url.trim_end_matches('/').to_string();
        let client = reqwest::Client::builder().timeout(policy.timeout).build().map_err(|e| FetchError::Rpc {
            node: format!("{name} ({url})"),
            method: "-".into(),
            key: "-".into(),
            reason: format!("cannot build an HTTP client: {e}"),
        })?;
        Ok(Self { name: name.to_string(), url, client, policy, stats: CallStats::default(), bearer: None })
    }

    fn node(&self) -> String {
        format!("{} ({})", self.name, self.url)
    }

    fn err(&self, method: &str, key: &str, reason: impl Into<String>) -> FetchError {
        FetchError::Rpc { node: self.node(), method: method.into(), key: key.into(), reason: reason.into() }
    }

    /// Runs `attempt` with the retry policy; 5xx answers count as transient.
    async fn with_retries<F, Fut>(&self, method: &str, key: &str, mut attempt: F) -> FetchResult<(u16, String)>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Attempt>,
    {
        self.stats.calls.fetch_add(1, Ordering::Relaxed);
        let started = Instant::now();
        let attempts = self.policy.attempts.max(1);
        let mut last = String::new();
        for n in 0..attempts {
            if n > 0 {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                tokio::time::sleep(self.policy.pause(n)).await;
            }
            match attempt().await {
                Attempt::Done(status, body) if status < 500 => {
                    self.stats.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
                    tracing::debug!(
                        target: "host::rpc",
                        node = %self.name,
                        method,
                        key,
                        attempts = n + 1,
                        bytes = body.len() as u64,
                        us = started.elapsed().as_micros() as u64,
                        "rpc"
                    );
                    return Ok((status, body));
                }
                Attempt::Done(status, body) => last = format!("HTTP {status}: {}", truncate(&body, 200)),
                Attempt::Transient(e) => last = e,
            }
            if n + 1 < attempts {
                tracing::debug!(target: "host::rpc", node = %self.name, method, key, attempt = n + 1, error = %last, "retrying");
            }
        }
        Err(self.err(
            method,
            key,
            format!("{NO_ANSWER} {attempts} attempts in {:.1} s: {last}", started.elapsed().as_secs_f64()),
        ))
    }
}

fn transport(e: reqwest::Error) -> Attempt {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    };
    Attempt::Transient(format!("{what}: {e}"))
}

async fn finish(r: Result<reqwest::Response, reqwest::Error>) -> Attempt {
    match r {
        Ok(resp) => {
            let status = resp.status().as_u16();
            match resp.text().await {
                Ok(t) => Attempt::Done(status, t),
                Err(e) => transport(e),
            }
        }
        Err(e) => transport(e),
    }
}

pub(crate) fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        return s.to_string();
    }
    let mut end = n;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

/// A JSON-RPC endpoint of an execution node (geth, op-geth, reth ...).
#[derive(Debug)]
pub struct RpcClient {
    http: Http,
    next_id: AtomicU64,
}

/// Whether a JSON-RPC error answer says the method does not exist (so a fallback applies).
pub fn is_method_missing(e: &FetchError) -> bool {
    match e {
        FetchError::Rpc { reason, .. } => {
            reason.contains("-32601") || reason.contains("does not exist") || reason.contains("not available")
        }
        _ => false,
    }
}

/// Whether the error is a node that gave no answer within the retry policy (down, or hanging), as opposed to
/// one that answered with an error: probing such a node for more keys only multiplies the wait.
pub fn is_unreachable(e: &FetchError) -> bool {
    matches!(e, FetchError::Rpc { reason, .. } if reason.starts_with(NO_ANSWER))
}

const NO_ANSWER: &str = "no answer after";

impl RpcClient {
    /// A client of `url`, named `name` in errors.
    pub fn new(name: &str, url: &str, policy: RetryPolicy) -> FetchResult<Self> {
        Ok(Self { http: Http::new(name, url, policy)?, next_id: AtomicU64::new(1) })
    }

    /// Every request of this client carries `Authorization: Bearer <token()>` (made anew for each attempt).
    pub fn with_bearer(mut self, token: impl Fn() -> String + Send + Sync + 'static) -> Self {
        self.http.bearer = Some(Bearer(std::sync::Arc::new(token)));
        self
    }

    /// `name (url)`.
    pub fn node(&self) -> String {
        self.http.node()
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.http.url
    }

    /// The retry policy.
    pub const fn policy(&self) -> &RetryPolicy {
        &self.http.policy
    }

    /// Call counters.
    pub fn stats(&self) -> &CallStats {
        &self.http.stats
    }

    /// A [`FetchError::WrongAnswer`] naming this node.
    pub fn wrong(&self, method: &str, key: impl std::fmt::Display, reason: impl Into<String>) -> FetchError {
        FetchError::WrongAnswer {
            node: self.node(),
            method: method.into(),
            key: key.to_string(),
            reason: reason.into(),
        }
    }

    /// Calls `method` with `params`; `key` names what is asked for in errors. Returns the `result` value (which
    /// may be `null`).
    pub async fn call(&self, method: &str, params: Value, key: impl std::fmt::Display) -> FetchResult<Value> {
        let key = key.to_string();
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let (status, text) = self.http.with_retries(method, &key, || finish_post(&self.http, &body)).await?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|_| self.http.err(method, &key, format!("HTTP {status}: not JSON: {}", truncate(&text, 200))))?;
        if let Some(e) = v.get("error") {
            return Err(self.http.err(method, &key, format!("error answer: {}", truncate(&e.to_string(), 300))));
        }
        v.get("result").cloned().ok_or_else(|| self.http.err(method, &key, "answer without `result`"))
    }

    /// [`RpcClient::call`], decoding a non-null result as `T`.
    pub async fn call_as<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
        key: impl std::fmt::Display,
    ) -> FetchResult<T> {
        let key = key.to_string();
        let v = self.call(method, params, &key).await?;
        if v.is_null() {
            return Err(self.http.err(method, &key, "null result (not found)"));
        }
        self.decode(method, &key, v)
    }

    /// [`RpcClient::call`], a `null` result as `None` (a block or receipt the node does not have yet), any other
    /// decoded as `T`.
    pub async fn call_opt<T: serde::de::DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
        key: impl std::fmt::Display,
    ) -> FetchResult<Option<T>> {
        let key = key.to_string();
        let v = self.call(method, params, &key).await?;
        if v.is_null() {
            return Ok(None);
        }
        self.decode(method, &key, v).map(Some)
    }

    fn decode<T: serde::de::DeserializeOwned>(&self, method: &str, key: &str, v: Value) -> FetchResult<T> {
        serde_json::from_value(v.clone()).map_err(|e| {
            self.wrong(method, key, format!("cannot decode the result ({e}): {}", truncate(&v.to_string(), 200)))
        })
    }
}

async fn finish_post(http: &Http, body: &Value) -> Attempt {
    let mut req = http.client.post(&http.url).json(body);
    if let Some(Bearer(token)) = &http.bearer {
        req = req.bearer_auth(token());
    }
    finish(req.send().await).await
}

/// A beacon API endpoint (beacon node or blob archiver).
#[derive(Debug)]
pub struct BeaconClient {
    http: Http,
    /// `(genesis_time, seconds_per_slot)`, read once.
    timing: tokio::sync::OnceCell<(u64, u64)>,
}

/// One blob sidecar as the beacon API returns it (the fields the host uses).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct BlobSidecar {
    /// Index of the blob in its block.
    #[serde(with = "quoted_u64")]
    pub index: u64,
    /// The 131 072 blob bytes.
    pub blob: alloy_primitives::Bytes,
    /// KZG commitment.
    pub kzg_commitment: alloy_primitives::FixedBytes<48>,
    /// KZG blob proof.
    pub kzg_proof: alloy_primitives::FixedBytes<48>,
}

mod quoted_u64 {
    use serde::Deserialize;
    pub(super) fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match &v {
            serde_json::Value::String(s) => s.parse().map_err(serde::de::Error::custom),
            serde_json::Value::Number(n) => n.as_u64().ok_or_else(|| serde::de::Error::custom("not a u64")),
            _ => Err(serde::de::Error::custom("expected a quoted integer")),
        }
    }
}

fn quoted(v: &Value, field: &str) -> Option<u64> {
    match v.get(field)? {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

impl BeaconClient {
    /// A client of `url`, named `name` in errors.
    pub fn new(name: &str, url: &str, policy: RetryPolicy) -> FetchResult<Self> {
        Ok(Self { http: Http::new(name, url, policy)?, timing: tokio::sync::OnceCell::new() })
    }

    /// `name (url)`.
    pub fn node(&self) -> String {
        self.http.node()
    }

    /// Call counters.
    pub fn stats(&self) -> &CallStats {
        &self.http.stats
    }

    /// A [`FetchError::WrongAnswer`] naming this node.
    pub fn wrong(&self, path: &str, key: impl std::fmt::Display, reason: impl Into<String>) -> FetchError {
        FetchError::WrongAnswer { node: self.node(), method: path.into(), key: key.to_string(), reason: reason.into() }
    }

    /// `GET path`, decoded as JSON; `key` names what is asked for in errors.
    pub async fn get(&self, path: &str, key: &str) -> FetchResult<Value> {
        let url = format!("{}{path}", self.http.url);
        let (status, text) = self
            .http
            .with_retries(path, key, || async { finish(self.http.client.get(&url).send().await).await })
            .await?;
        if status != 200 {
            return Err(self.http.err(path, key, format!("HTTP {status}: {}", truncate(&text, 200))));
        }
        serde_json::from_str(&text).map_err(|_| self.wrong(path, key, format!("not JSON: {}", truncate(&text, 200))))
    }

    /// `(genesis_time, seconds_per_slot)` from `/eth/v1/beacon/genesis` and `/eth/v1/config/spec`.
    pub async fn timing(&self) -> FetchResult<(u64, u64)> {
        self.timing
            .get_or_try_init(|| async {
                let g = self.get("/eth/v1/beacon/genesis", "genesis").await?;
                let genesis = quoted(&g["data"], "genesis_time")
                    .ok_or_else(|| self.wrong("/eth/v1/beacon/genesis", "genesis", "no data.genesis_time"))?;
                let s = self.get("/eth/v1/config/spec", "SECONDS_PER_SLOT").await?;
                let per_slot = quoted(&s["data"], "SECONDS_PER_SLOT").filter(|s| *s > 0).ok_or_else(|| {
                    self.wrong("/eth/v1/config/spec", "SECONDS_PER_SLOT", "no positive SECONDS_PER_SLOT")
                })?;
                Ok((genesis, per_slot))
            })
            .await
            .copied()
    }

    /// The slot of an L1 block timestamp.
    pub async fn slot(&self, timestamp: u64) -> FetchResult<u64> {
        let (genesis, per_slot) = self.timing().await?;
        if timestamp < genesis {
            return Err(FetchError::Unsupported {
                kind: "l1-blob",
                reason: format!("L1 timestamp {timestamp} is before the beacon genesis {genesis}"),
            });
        }
        Ok((timestamp - genesis) / per_slot)
    }

    /// The blob sidecars of the L1 block at `timestamp`.
    pub async fn blob_sidecars(&self, timestamp: u64, key: &str) -> FetchResult<(String, Vec<BlobSidecar>)> {
        let slot = self.slot(timestamp).await?;
        let path = format!("/eth/v1/beacon/blob_sidecars/{slot}");
        let v = self.get(&path, key).await?;
        let list: Vec<BlobSidecar> = serde_json::from_value(v["data"].clone())
            .map_err(|e| self.wrong(&path, key, format!("cannot decode the sidecars: {e}")))?;
        Ok((path, list))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_its_cap_and_bounds_the_wait() {
        let p = RetryPolicy {
            timeout: Duration::from_secs(2),
            attempts: 5,
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(300),
        };
        let pauses: Vec<u128> = (1..=5).map(|n| p.pause(n).as_millis()).collect();
        assert_eq!(pauses, [100, 200, 300, 300, 300]);
        assert_eq!(p.max_wait(), Duration::from_millis(5 * 2000 + 100 + 200 + 300 + 300));
    }
}
