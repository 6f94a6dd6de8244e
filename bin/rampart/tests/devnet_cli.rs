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
}
