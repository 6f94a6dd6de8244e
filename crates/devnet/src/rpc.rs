//! The devnet's JSON-RPC: rampart-host's client ([`rampart_host::rpc::RpcClient`]: timeouts, bounded retries
//! with backoff, errors naming node, method and key), with the Engine API's JWT (HS256) authentication added
//! here as a bearer token made fresh for every request.

use crate::Result;
use hmac::{Hmac, Mac};
pub use rampart_host::rpc::{RetryPolicy, RpcClient};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The devnet's calls: 20 s per attempt, 3 attempts 200 ms and 400 ms apart (a dropped keep-alive connection
/// or a node busy with a block is survived; one that is down fails the role within 61 s).
pub const DEVNET_POLICY: RetryPolicy = RetryPolicy {
    timeout: Duration::from_secs(20),
    attempts: 3,
    backoff: Duration::from_millis(200),
    max_backoff: Duration::from_secs(1),
};

/// One attempt of 2 s: probing a starting node, whose caller loops.
pub const PROBE_POLICY: RetryPolicy =
    RetryPolicy { timeout: Duration::from_secs(2), attempts: 1, backoff: Duration::ZERO, max_backoff: Duration::ZERO };

/// A client of `url` named `node` in errors, with [`DEVNET_POLICY`]; with `jwt_secret` every request carries a
/// fresh Engine API JWT.
pub fn client(node: &str, url: &str, jwt_secret: Option<[u8; 32]>) -> Result<RpcClient> {
    client_with(node, url, jwt_secret, DEVNET_POLICY)
}

/// [`client`] with another policy.
pub fn client_with(node: &str, url: &str, jwt_secret: Option<[u8; 32]>, policy: RetryPolicy) -> Result<RpcClient> {
    let c = RpcClient::new(node, url, policy)?;
    Ok(match jwt_secret {
        Some(secret) => c.with_bearer(move || engine_jwt(&secret, unix_now())),
        None => c,
    })
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
