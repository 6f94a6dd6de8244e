//! The node processes: where the binaries are (the install script's cache), free ports, starting geth and
//! op-geth with their logs in the devnet directory, noticing when one exits, and stopping them.

use crate::{DevnetError, Result};
use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{ExitStatus, Stdio},
    time::Duration,
};
use tokio::process::{Child, Command};

/// Where `scripts/install-nodes.sh` puts its builds: `$RAMPART_CACHE`, else `$HOME/.cache/rampart`.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("RAMPART_CACHE") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cache").join("rampart")
}

/// Paths of the node binaries and the contract artifacts.
#[derive(Debug, Clone)]
pub struct NodeBinaries {
    /// go-ethereum v1.17.10.
    pub geth: PathBuf,
    /// op-geth v1.101702.3.
    pub op_geth: PathBuf,
    /// `forge-artifacts/` of `@eth-optimism/contracts-bedrock` 0.17.3.
    pub artifacts: PathBuf,
}

impl NodeBinaries {
    /// Finds the binaries (`RAMPART_GETH`, `RAMPART_OP_GETH`, `RAMPART_CONTRACTS_BEDROCK` override the cache).
    pub fn locate() -> Result<Self> {
        let cache = cache_dir();
        let pick = |env: &'static str, default: PathBuf| std::env::var_os(env).map_or(default, PathBuf::from);
        let geth = pick("RAMPART_GETH", cache.join("bin/geth"));
        let op_geth = pick("RAMPART_OP_GETH", cache.join("bin/op-geth"));
        let bedrock = pick("RAMPART_CONTRACTS_BEDROCK", cache.join("contracts-bedrock/package"));
        let artifacts = bedrock.join("forge-artifacts");
        for (node, path, env) in [("geth", &geth, "RAMPART_GETH"), ("op-geth", &op_geth, "RAMPART_OP_GETH")] {
            if !path.is_file() {
                return Err(DevnetError::MissingBinary { node, path: path.clone(), env });
            }
        }
        if !artifacts.is_dir() {
            return Err(DevnetError::MissingBinary {
                node: "contracts-bedrock artifacts",
                path: artifacts,
                env: "RAMPART_CONTRACTS_BEDROCK",
            });
        }
        Ok(Self { geth, op_geth, artifacts })
    }
}

/// A port for `what`: the requested one if it is free (else an error), or a free one chosen by the OS.
pub fn port(requested: Option<u16>, what: &'static str, taken: &mut Vec<u16>) -> Result<u16> {
    if let Some(port) = requested {
        if taken.contains(&port) || TcpListener::bind(("127.0.0.1", port)).is_err() {
            return Err(DevnetError::PortInUse { port, what });
        }
        taken.push(port);
        return Ok(port);
    }
    for _ in 0..64 {
        let l = TcpListener::bind(("127.0.0.1", 0)).map_err(|e| DevnetError::io("127.0.0.1:0", e))?;
        let p = l.local_addr().map_err(|e| DevnetError::io("127.0.0.1:0", e))?.port();
        if !taken.contains(&p) {
            taken.push(p);
            return Ok(p);
        }
    }
    Err(DevnetError::Dir(format!("no free port found for {what}")))
}

/// Runs a one-shot node command (`geth init`) to completion, its output appended to `log`.
pub async fn run_to_completion(node: &'static str, bin: &Path, args: &[String], log: &Path) -> Result<()> {
    let (out, err) = log_files(log)?;
    let status =
        Command::new(bin).args(args).stdin(Stdio::null()).stdout(out).stderr(err).status().await.map_err(|e| {
            DevnetError::Node { node, reason: format!("cannot run {}: {e}", bin.display()), log: log.into() }
        })?;
    if !status.success() {
        return Err(DevnetError::Node {
            node,
            reason: format!("`{} {}` failed: {status}", bin.display(), args.join(" ")),
            log: log.into(),
        });
    }
    Ok(())
}

fn log_files(log: &Path) -> Result<(std::fs::File, std::fs::File)> {
    let f = std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(|e| DevnetError::io(log, e))?;
    let g = f.try_clone().map_err(|e| DevnetError::io(log, e))?;
    Ok((f, g))
}

/// A running node process. Dropping it kills the process.
#[derive(Debug)]
pub struct NodeProcess {
    /// Node name (used in errors).
    pub name: &'static str,
    /// Its log file.
    pub log: PathBuf,
    bin: PathBuf,
    args: Vec<String>,
    child: Child,
}

impl NodeProcess {
    /// Starts `bin args...` in its own process group (a terminal's Ctrl-C reaches only `rampart`, which then
    /// stops the node in order), stdout and stderr appended to `log`.
    pub fn spawn(name: &'static str, bin: &Path, args: &[String], log: &Path) -> Result<Self> {
        let child = Self::start(name, bin, args, log)?;
        Ok(Self { name, log: log.into(), bin: bin.into(), args: args.to_vec(), child })
    }

    fn start(name: &'static str, bin: &Path, args: &[String], log: &Path) -> Result<Child> {
        let (out, err) = log_files(log)?;
        Command::new(bin)
            .args(args)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| DevnetError::Node {
                node: name,
                reason: format!("cannot start {}: {e}", bin.display()),
                log: log.into(),
            })
    }

    /// Starts the node again with the same binary, arguments (data dir, ports) and log, once it has exited.
    pub fn respawn(&mut self) -> Result<()> {
        if self.exited().is_none() {
            return Err(self.error("respawn while still running"));
        }
        self.child = Self::start(self.name, &self.bin, &self.args, &self.log)?;
        Ok(())
    }

    /// Kills the node (SIGKILL, no shutdown) and waits until it has exited.
    pub async fn kill(&mut self) {
        let _ = self.child.kill().await;
    }

    /// The error for this node having failed in some way.
    pub fn error(&self, reason: impl Into<String>) -> DevnetError {
        DevnetError::Node { node: self.name, reason: reason.into(), log: self.log.clone() }
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits until the process exits.
    pub async fn wait(&mut self) -> Option<ExitStatus> {
        self.child.wait().await.ok()
    }

    /// Stops the node: SIGTERM, then SIGKILL if it has not exited within `grace`.
    pub async fn stop(&mut self, grace: Duration) {
        if self.exited().is_some() {
            return;
        }
        if let Some(pid) = self.child.id() {
            // SAFETY: `kill` with a pid we own (our child, not yet reaped) and a valid signal number.
            unsafe {
                libc::kill(pid as libc::pid_t, libc::SIGTERM);
            }
        }
        if tokio::time::timeout(grace, self.child.wait()).await.is_err() {
            let _ = self.child.kill().await;
        }
    }
}
