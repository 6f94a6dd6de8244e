//! The online fetcher's failure behaviour against small HTTP servers in the test (the real-node tests are in
//! crates/devnet): bounded retries with backoff survive a node that drops the first requests, a node that stays
//! down or never answers ends the call within the policy's bound with an error naming node, method and key, and
//! a node answering wrong data is rejected with nothing stored.

use alloy_primitives::{keccak256, B256};
use rampart_host::{
    rpc::{RetryPolicy, RpcClient},
    FetchError, HintRouter, KeyValueStore, MemoryKeyValueStore, NodeUrls, OnlineFetcher, ParsedHint,
};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the test server does with request number `n` (0-based) and its JSON body.
type Behaviour = dyn Fn(usize, &serde_json::Value) -> Reply + Send + Sync;

enum Reply {
    /// Close the connection without answering.
    Drop,
    /// Never answer (hold the connection).
    Hang,
    /// Answer HTTP 200 with this JSON-RPC result.
    Result(serde_json::Value),
}

fn read_request(stream: &mut TcpStream) -> Option<serde_json::Value> {
    let mut r = BufReader::new(stream.try_clone().ok()?);
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().ok()?;
        }
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// Serves on a free port; returns the URL and the request counter.
fn serve(behaviour: Arc<Behaviour>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (b, c) = (behaviour.clone(), c.clone());
            std::thread::spawn(move || {
                while let Some(req) = read_request(&mut stream) {
                    let n = c.fetch_add(1, Ordering::SeqCst);
                    match b(n, &req) {
                        Reply::Drop => return,
                        Reply::Hang => {
                            std::thread::sleep(Duration::from_secs(30));
                            return;
                        }
                        Reply::Result(v) => {
                            let body = serde_json::json!({"jsonrpc": "2.0", "id": req["id"], "result": v}).to_string();
                            let resp = format!(
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if stream.write_all(resp.as_bytes()).is_err() {
                                return;
                            }
                        }
                    }
                }
            });
        }
    });
    (url, count)
}

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        timeout: Duration::from_millis(400),
        attempts: 4,
        backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(80),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

#[test]
fn a_node_that_drops_the_first_requests_is_retried_with_backoff() {
    let (url, count) = serve(Arc::new(
        |n, _req: &serde_json::Value| {
            if n < 2 {
                Reply::Drop
            } else {
                Reply::Result(serde_json::json!("0x2a"))
            }
        },
    ));
    let rpc = RpcClient::new("test node", &url, fast_policy()).unwrap();
    let v = runtime().block_on(rpc.call("eth_blockNumber", serde_json::json!([]), "head")).unwrap();
    assert_eq!(v, serde_json::json!("0x2a"));
    assert_eq!(count.load(Ordering::SeqCst), 3);
    assert_eq!(rpc.stats().snapshot().0, 1, "one call");
    assert_eq!(rpc.stats().snapshot().1, 2, "two retries");
}

#[test]
fn a_node_that_stays_down_or_hangs_fails_within_the_bound_naming_node_method_and_key() {
    let policy = fast_policy();
    // Nothing listens on a port we bound and released.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let down = RpcClient::new("L1 node", &format!("http://127.0.0.1:{port}"), policy).unwrap();
    let (hang_url, hang_count) = serve(Arc::new(|_, _req: &serde_json::Value| Reply::Hang));
    let hang = RpcClient::new("L2 node", &hang_url, policy).unwrap();
    let rt = runtime();
    for (rpc, what) in [(&down, "connection"), (&hang, "timed out")] {
        let started = Instant::now();
        let e = rt.block_on(rpc.call("debug_getRawHeader", serde_json::json!(["0x01"]), "0xabc")).unwrap_err();
        let took = started.elapsed();
        assert!(took <= policy.max_wait() + Duration::from_millis(500), "{took:?} > {:?}", policy.max_wait());
        let msg = e.to_string();
        assert!(matches!(e, FetchError::Rpc { .. }), "{msg}");
        for part in [rpc.node().as_str(), "debug_getRawHeader", "0xabc", "4 attempts", what] {
            assert!(msg.contains(part), "{msg:?} lacks {part:?}");
        }
        assert_eq!(rpc.stats().snapshot().1, 3);
    }
    assert_eq!(hang_count.load(Ordering::SeqCst), 4, "every attempt reached the hanging node");
}

#[test]
fn a_header_that_does_not_hash_to_its_key_is_rejected_and_nothing_is_stored() {
    let header = alloy_consensus::Header { number: 7, gas_limit: 30_000_000, ..Default::default() };
    let raw = alloy_rlp::encode(&header);
    let hash = keccak256(&raw);
    let mut flipped = raw.clone();
    let last = flipped.len() - 1;
    flipped[last] ^= 1;
    let answers = [raw.clone(), flipped];
    for (i, answer) in answers.into_iter().enumerate() {
        let hex_answer = format!("0x{}", hex::encode(&answer));
        let (url, _) = serve(Arc::new(move |_, req: &serde_json::Value| {
            assert_eq!(req["method"], "debug_getRawHeader");
            Reply::Result(serde_json::json!(hex_answer))
        }));
        let urls = NodeUrls { l1: url.clone(), beacon: url.clone(), l2: url };
        let router = HintRouter::new(OnlineFetcher::new(&urls, fast_policy(), None).unwrap());
        let mut store = MemoryKeyValueStore::new();
        let r = runtime().block_on(router.route_parsed(&ParsedHint::L1BlockHeader(hash), &mut store));
        if i == 0 {
            assert_eq!(r.unwrap().written, 1);
            assert_eq!(store.get(&rampart_host::preimage::PreimageKey::keccak256(hash.0)).unwrap(), Some(raw.clone()));
        } else {
            let e = r.unwrap_err();
            let msg = e.to_string();
            assert!(matches!(e, FetchError::WrongAnswer { .. }), "{msg}");
            for part in
                ["L1 node", "debug_getRawHeader", &hash.to_string(), "hashes to", "(wrong on each of 4 fetches)"]
            {
                assert!(msg.contains(part), "{msg:?} lacks {part:?}");
            }
            assert!(store.is_empty());
            assert_eq!(router.stats().failed.load(Ordering::Relaxed), 1);
            assert_eq!(router.fetcher().refetches(), 3, "fetched 4 times in all (the policy's attempts)");
        }
    }
}

#[test]
fn a_wrong_answer_once_is_fetched_again_and_the_right_one_stored() {
    let header = alloy_consensus::Header { number: 9, gas_limit: 30_000_000, ..Default::default() };
    let raw = alloy_rlp::encode(&header);
    let hash = keccak256(&raw);
    let mut flipped = raw.clone();
    flipped[3] ^= 0x10;
    let (good, bad) = (format!("0x{}", hex::encode(&raw)), format!("0x{}", hex::encode(&flipped)));
    let (url, count) = serve(Arc::new(move |n, _req: &serde_json::Value| {
        Reply::Result(serde_json::json!(if n == 0 { bad.clone() } else { good.clone() }))
    }));
    let urls = NodeUrls { l1: url.clone(), beacon: url.clone(), l2: url };
    let router = HintRouter::new(OnlineFetcher::new(&urls, fast_policy(), None).unwrap());
    let mut store = MemoryKeyValueStore::new();
    let r = runtime().block_on(router.route_parsed(&ParsedHint::L1BlockHeader(hash), &mut store)).unwrap();
    assert_eq!((r.fetched, r.written), (1, 1));
    assert_eq!(store.get(&rampart_host::preimage::PreimageKey::keccak256(hash.0)).unwrap(), Some(raw));
    assert_eq!((count.load(Ordering::SeqCst), router.fetcher().refetches()), (2, 1));
    let (calls, retries, _) = router.fetcher().call_stats();
    assert_eq!((calls, retries), (2, 0), "2 calls, no transport retry");
}

#[test]
fn starting_output_is_checked_against_the_agreed_root() {
    // L2 node: the header of the agreed head and an eth_getProof of the message passer.
    let state_root_node = alloy_primitives::Bytes::from(vec![0xc2, 0x80, 0x80]);
    let header = alloy_consensus::Header { number: 3, state_root: keccak256(&state_root_node), ..Default::default() };
    let raw = alloy_rlp::encode(&header);
    let head = keccak256(&raw);
    let storage_root = B256::repeat_byte(0x11);
    let (hex_raw, node_hex) = (format!("0x{}", hex::encode(&raw)), state_root_node.to_string());
    let (url, _) = serve(Arc::new(move |_, req: &serde_json::Value| match req["method"].as_str().unwrap() {
        "debug_getRawHeader" => Reply::Result(serde_json::json!(hex_raw)),
        "eth_getProof" => {
            assert_eq!(req["params"][2], "0x3");
            Reply::Result(serde_json::json!({"accountProof": [node_hex], "storageHash": storage_root}))
        }
        m => panic!("unexpected {m}"),
    }));
    let urls = NodeUrls { l1: url.clone(), beacon: url.clone(), l2: url };
    let router = HintRouter::new(OnlineFetcher::new(&urls, fast_policy(), Some(head)).unwrap());
    let right = rampart_program::OutputRoot::new(header.state_root, storage_root, head).hash();
    let rt = runtime();
    let mut store = MemoryKeyValueStore::new();
    let r = rt.block_on(router.route_parsed(&ParsedHint::StartingL2Output(right), &mut store)).unwrap();
    assert_eq!((r.fetched, r.written), (3, 3), "output preimage, proof node, header");
    let pre = store.get(&rampart_host::preimage::PreimageKey::keccak256(right.0)).unwrap().unwrap();
    assert_eq!(rampart_program::OutputRoot::decode(&pre).unwrap().block_hash, head);
    let mut other = MemoryKeyValueStore::new();
    let e = rt.block_on(router.route_parsed(&ParsedHint::StartingL2Output(B256::ZERO), &mut other)).unwrap_err();
    assert!(matches!(e, FetchError::WrongAnswer { .. }) && e.to_string().contains("eth_getProof"), "{e}");
    assert!(other.is_empty());
}
