//! `rampart devnet up` as a process: refuses an existing directory and a used port without touching anything,
//! and on SIGTERM stops both nodes (no process left behind) after writing endpoints.json and claims.json.

use std::{
    net::TcpListener,
    path::Path,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

fn rampart() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rampart"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("rampart-devnet-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// Processes whose command line mentions `needle`.
fn processes_mentioning(needle: &str) -> Vec<u32> {
    let mut pids = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        if let Ok(cmd) = std::fs::read(e.path().join("cmdline")) {
            if String::from_utf8_lossy(&cmd).contains(needle) {
                pids.push(pid);
            }
        }
    }
    pids
}

#[test]
fn existing_dir_without_force_is_refused_and_left_alone() {
    let d = scratch("exists");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::write(d.join("keep.txt"), b"mine").unwrap();
    let out = rampart().args(["devnet", "up", "--dir"]).arg(&d).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("already exists (pass --force to replace it)"), "{err}");
    assert_eq!(std::fs::read(d.join("keep.txt")).unwrap(), b"mine");
    assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn used_port_is_refused_before_anything_is_written() {
    let d = scratch("port");
    let busy = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let out =
        rampart().args(["devnet", "up", "--dir"]).arg(&d).args(["--l2-rpc-port", &port.to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("port {port} (L2 RPC) is already in use")), "{err}");
    assert!(!d.exists(), "nothing written");
}

fn wait_for(path: &Path, pred: impl Fn(&str) -> bool, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if let Ok(t) = std::fs::read_to_string(path) {
            if pred(&t) {
                return true;
            }
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    false
}

#[test]
fn sigterm_stops_both_nodes_and_exits_cleanly() {
    let d = scratch("sigterm");
    let mut child = rampart()
        .args(["devnet", "up", "--dir"])
        .arg(&d)
        .args(["--block-interval-ms", "400"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let dir = d.display().to_string();
    let up = wait_for(&d.join("claims.json"), |t| t.contains("\"valid\": true"), Duration::from_secs(150));
    let endpoints = std::fs::read_to_string(d.join("endpoints.json")).unwrap_or_default();
    // The nodes' command lines name the dir (datadir, logs); `rampart` itself (our child) is not counted.
    let nodes_running = processes_mentioning(&dir).into_iter().filter(|p| *p != child.id()).count();
    // While the nodes run: `rampart batch-decode` in RPC mode over them (nothing here may panic before the
    // signal below, or the devnet would outlive the test).
    let decoded = if up { batch_decode_over_rpc(&d, &endpoints) } else { Err("devnet not up".into()) };
    // SAFETY: signalling our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let status = child.wait().unwrap();
    let left = processes_mentioning(&dir);
    let _ = std::fs::remove_dir_all(&d);
    assert!(up, "claims.json got a claim");
    let e: serde_json::Value = serde_json::from_str(&endpoints).unwrap();
    for k in ["l1_rpc", "l1_beacon", "l2_rpc"] {
        assert!(e[k].as_str().unwrap().starts_with("http://127.0.0.1:"), "{k}");
    }
    assert_eq!(nodes_running, 2, "geth and op-geth were running");
    assert!(status.success(), "exit status {status}");
    assert_eq!(left, Vec::<u32>::new(), "no node left running");
    let (l1_blocks, range, blocks) = decoded.unwrap();
    assert_eq!(l1_blocks, range.1 - range.0 + 1);
    assert!(blocks >= 1, "the first safe block's batch is on L1");
    println!("batch-decode over RPC: {l1_blocks} L1 blocks {range:?}, {blocks} blocks, each op-geth's");
}

/// `rampart batch-decode --rollup-config-path <dir>/rollup.json --l1-rpc .. --l1-beacon .. --start <genesis L1>
/// --end <head>` against the running devnet; every block the batches give must be op-geth's block at its
/// timestamp (user transaction hashes). Returns (L1 blocks fetched, the range, blocks decoded).
fn batch_decode_over_rpc(d: &Path, endpoints: &str) -> Result<(u64, (u64, u64), usize), String> {
    use serde_json::{json, Value};
    let e: Value = serde_json::from_str(endpoints).map_err(|e| e.to_string())?;
    let url = |k: &str| e[k].as_str().map(str::to_string).ok_or(format!("no {k}"));
    let cfg = d.join("rollup.json");
    let rollup: Value =
        serde_json::from_slice(&std::fs::read(&cfg).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    let start = rollup["genesis"]["l1"]["number"].as_u64().ok_or("genesis.l1.number")?;
    let (genesis_time, block_time) = (rollup["genesis"]["l2_time"].as_u64(), rollup["block_time"].as_u64());
    let (Some(genesis_time), Some(block_time)) = (genesis_time, block_time) else { return Err("times".into()) };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let policy = rampart_host::rpc::RetryPolicy::default();
    let l1 = rampart_host::rpc::RpcClient::new("l1", &url("l1_rpc")?, policy).map_err(|e| e.to_string())?;
    let l2 = rampart_host::rpc::RpcClient::new("l2", &url("l2_rpc")?, policy).map_err(|e| e.to_string())?;
    let hex_u64 = |v: &Value| v.as_str().and_then(|s| u64::from_str_radix(s.trim_start_matches("0x"), 16).ok());
    let head = rt.block_on(l1.call("eth_blockNumber", json!([]), "head")).map_err(|e| e.to_string())?;
    let end = hex_u64(&head).ok_or("eth_blockNumber")?;
    let (s, t) = (start.to_string(), end.to_string());
    let out = rampart()
        .args(["batch-decode", "--rollup-config-path", cfg.to_str().unwrap()])
        .args(["--l1-rpc", &url("l1_rpc")?, "--l1-beacon", &url("l1_beacon")?, "--start", &s, "--end", &t])
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    let blocks = rampart_batch_decode::blocks(&report);
    for (_, _, b) in &blocks {
        let ts = b["timestamp"].as_u64().ok_or("timestamp")?;
        let n = (ts - genesis_time) / block_time;
        let l2b: Value = rt
            .block_on(l2.call("eth_getBlockByNumber", json!([format!("0x{n:x}"), true]), n))
            .map_err(|e| e.to_string())?;
        let users: Vec<Value> = l2b["transactions"]
            .as_array()
            .ok_or(format!("L2 block {n}"))?
            .iter()
            .filter(|t| t["type"] != "0x7e")
            .map(|t| t["hash"].clone())
            .collect();
        if hex_u64(&l2b["timestamp"]) != Some(ts) || Value::Array(users) != b["tx_hashes"] {
            return Err(format!("decoded block at {ts} is not op-geth's block {n}: {b}"));
        }
    }
    Ok((report["l1_blocks"].as_u64().ok_or("l1_blocks")?, (start, end), blocks.len()))
}
