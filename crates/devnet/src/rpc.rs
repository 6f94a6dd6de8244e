//! JSON-RPC over HTTP to the nodes, with the Engine API's JWT (HS256) authentication.

use crate::{DevnetError, Result};
use hmac::{Hmac, Mac};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use sha2::Sha256;
use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

/// How long one call may take before the node counts as not answering.
pub const RPC_TIMEOUT: Duration = Duration::from_secs(20);

/// A JSON-RPC endpoint of one node.
#[derive(Debug)]
pub struct RpcClient {
    node: &'static str,
    url: String,
    http: reqwest::Client,
    jwt_secret: Option<[u8; 32]>,
    next_id: AtomicU64,
}

impl RpcClient {
    /// A client for `url`, named `node` in errors; with `jwt_secret` every request carries a fresh JWT.
    pub fn new(node: &'static str, url: impl Into<String>, jwt_secret: Option<[u8; 32]>) -> Self {
        let http = reqwest::Client::builder().timeout(RPC_TIMEOUT).build().expect("reqwest client without TLS builds");
        Self { node, url: url.into(), http, jwt_secret, next_id: AtomicU64::new(1) }
    }

    /// The endpoint URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The node's name.
    pub const fn node(&self) -> &'static str {
        self.node
    }

    fn err(&self, method: &str, reason: impl Into<String>) -> DevnetError {
        DevnetError::Rpc { node: self.node, method: method.to_string(), reason: reason.into() }
    }

    /// Calls `method` and returns the raw `result` value.
    pub async fn call_raw(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let mut req = self.http.post(&self.url).json(&body);
        if let Some(secret) = &self.jwt_secret {
            req = req.bearer_auth(engine_jwt(secret, unix_now()));
        }
        let resp = req.send().await.map_err(|e| self.err(method, format!("no answer: {e}")))?;
        let status = resp.status();
        let text = resp.text().await.map_err(|e| self.err(method, format!("reading the answer: {e}")))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|_| self.err(method, format!("HTTP {status}: not JSON: {}", truncate(&text, 200))))?;
        if let Some(e) = v.get("error") {
            return Err(self.err(method, format!("error answer: {}", truncate(&e.to_string(), 400))));
        }
        v.get("result").cloned().ok_or_else(|| self.err(method, "answer without `result`"))
    }

    /// Calls `method` and decodes its result as `T`.
    pub async fn call<T: DeserializeOwned>(&self, method: &str, params: Value) -> Result<T> {
        let v = self.call_raw(method, params).await?;
        serde_json::from_value(v.clone())
            .map_err(|e| self.err(method, format!("cannot decode the result ({e}): {}", truncate(&v.to_string(), 300))))
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.len() <= n {
        s.to_string()
    } else {
        let mut end = n;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &s[..end])
    }
}

/// Seconds since the Unix epoch.
pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

fn base64url(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// The Engine API token: an HS256 JWT whose only claim is `iat` (the execution-apis authentication spec).
pub fn engine_jwt(secret: &[u8; 32], iat: u64) -> String {
    let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
    let claims = base64url(format!(r#"{{"iat":{iat}}}"#).as_bytes());
    let signing_input = format!("{header}.{claims}");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(signing_input.as_bytes());
    format!("{signing_input}.{}", base64url(&mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_matches_rfc4648_vectors() {
        for (input, want) in
            [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE")]
        {
            assert_eq!(base64url(input.as_bytes()), want);
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }

    #[test]
    fn jwt_has_three_parts_and_a_fixed_header() {
        let t = engine_jwt(&[7; 32], 1_700_000_000);
        let parts: Vec<_> = t.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
        assert_eq!(parts[1], base64url(br#"{"iat":1700000000}"#));
        assert_eq!(parts[2].len(), 43);
    }
}
