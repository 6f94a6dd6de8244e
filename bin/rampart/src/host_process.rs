//! A preimage server subprocess wired to fds 3-6 exactly as `cannon run -- <host cmd>` does.
//!
//! The host reads hints on fd 3, acks them on fd 4, reads preimage keys on fd 5 and answers on fd 6. The framing
//! on those pipes is `rampart-preimage`'s client half ([`HintWriter`], [`OracleReader`]); this module only
//! spawns the process and, with `--preimage-timeout`, bounds how long the VM waits for an answer.

use rampart_preimage::native::IoChannel;
use rampart_preimage::{HintWriter, OracleReader, PreimageKey};
use rampart_vm::PreimageOracle;
use std::fs::File;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The read end of a pipe from the host: with a timeout, a read that sees no byte within it fails with
/// `TimedOut` instead of blocking forever (a host that takes a key and never answers).
#[derive(Debug)]
struct HostReader {
    file: File,
    timeout: Option<Duration>,
}

impl Read for HostReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(timeout) = self.timeout {
            let deadline = Instant::now() + timeout;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                let ms = libc::c_int::try_from(left.as_millis().max(1)).unwrap_or(libc::c_int::MAX);
                let mut pfd = libc::pollfd { fd: self.file.as_raw_fd(), events: libc::POLLIN, revents: 0 };
                // SAFETY: pfd is one valid pollfd for the duration of the call.
                let n = unsafe { libc::poll(&mut pfd, 1, ms) };
                if n > 0 {
                    break;
                }
                if n < 0 {
                    let e = std::io::Error::last_os_error();
                    if e.kind() == std::io::ErrorKind::Interrupted {
                        continue;
                    }
                    return Err(e);
                }
                if Instant::now() >= deadline {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        format!("no answer within {}", crate::cmd::fmt_duration(timeout)),
                    ));
                }
            }
        }
        self.file.read(buf)
    }
}

/// The VM's side of a running host process.
#[derive(Debug)]
pub struct HostProcess {
    hints: HintWriter<IoChannel<HostReader, File>>,
    oracle: OracleReader<IoChannel<HostReader, File>>,
    program: String,
}

/// The host child process; shut it down after the VM (and with it the pipes) is dropped.
#[derive(Debug)]
pub struct HostChild {
    child: Child,
}

impl HostChild {
    /// Waits briefly for the host to exit after its pipes closed, killing it otherwise.
    pub fn shutdown(mut self) {
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }
}

fn pipe() -> std::io::Result<(RawFd, RawFd)> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: fds points to two writable c_ints as pipe2 requires.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok((fds[0], fds[1]))
}

impl HostProcess {
    /// Starts `argv[0] argv[1..]` with the four pipes on fds 3, 4, 5, 6 and `NO_COLOR=1` in its environment.
    /// With `timeout`, every answer (hint ack, preimage) must start arriving within it.
    pub fn spawn(argv: &[String], timeout: Option<Duration>) -> Result<(Self, HostChild), String> {
        let (program, args) = argv.split_first().ok_or("empty host command")?;
        let (hint_r, hint_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
        let (ack_r, ack_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
        let (key_r, key_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
        let (data_r, data_w) = pipe().map_err(|e| format!("pipe: {e}"))?;
        let child_ends = [hint_r, ack_w, key_r, data_w];
        let mut cmd = Command::new(program);
        cmd.args(args).env("NO_COLOR", "1").stdin(Stdio::null()).stdout(Stdio::from(std::io::stderr()));
        // SAFETY: only async-signal-safe libc calls (fcntl, dup2, close) run between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                let mut high = [0; 4];
                for (i, fd) in child_ends.iter().enumerate() {
                    let h = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 16);
                    if h < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    high[i] = h;
                }
                for (i, h) in high.iter().enumerate() {
                    if libc::dup2(*h, 3 + i as libc::c_int) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let spawned = cmd.spawn();
        // SAFETY: the child ends are ours and no longer needed in the parent.
        for fd in child_ends {
            unsafe { libc::close(fd) };
        }
        let child = spawned.map_err(|e| format!("starting host {program:?}: {e}"))?;
        // SAFETY: each fd comes from pipe2 above and is owned by exactly one File.
        let (hint_w, ack_r, key_w, data_r) = unsafe {
            (File::from_raw_fd(hint_w), File::from_raw_fd(ack_r), File::from_raw_fd(key_w), File::from_raw_fd(data_r))
        };
        let hints = HintWriter::new(IoChannel::new(HostReader { file: ack_r, timeout }, hint_w));
        let oracle = OracleReader::new(IoChannel::new(HostReader { file: data_r, timeout }, key_w))
            .with_max_len(rampart_vm::vm::MAX_GUEST_WRITE * 4);
        Ok((Self { hints, oracle, program: program.clone() }, HostChild { child }))
    }
}

impl PreimageOracle for HostProcess {
    fn hint(&mut self, hint: &[u8]) -> Result<(), String> {
        self.hints.hint_bytes(hint).map_err(|e| format!("host {:?}: {e}", self.program))
    }

    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String> {
        let key = PreimageKey::try_from(key)
            .map_err(|e| format!("the guest requested preimage key 0x{}: {e}", rampart_primitives::hex::Hex(&key)))?;
        self.oracle.get(key).map_err(|e| format!("host {:?}: {e}", self.program))
    }
}
