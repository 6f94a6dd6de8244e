//! A preimage server subprocess wired to fds 3-6 exactly as `cannon run -- <host cmd>` does.
//!
//! The host reads hints on fd 3, acks them on fd 4, reads preimage keys on fd 5 and answers on fd 6.

use rampart_vm::PreimageOracle;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The VM's side of a running host process.
#[derive(Debug)]
pub struct HostProcess {
    hint_w: File,
    ack_r: File,
    key_w: File,
    data_r: File,
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
    pub fn spawn(argv: &[String]) -> Result<(Self, HostChild), String> {
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
        Ok((Self { hint_w, ack_r, key_w, data_r, program: program.clone() }, HostChild { child }))
    }

    fn host_gone(&self, what: &str, e: std::io::Error) -> String {
        format!("host {:?} {what}: {e}", self.program)
    }
}

impl PreimageOracle for HostProcess {
    fn hint(&mut self, hint: &[u8]) -> Result<(), String> {
        let mut msg = Vec::with_capacity(4 + hint.len());
        msg.extend_from_slice(&(hint.len() as u32).to_be_bytes());
        msg.extend_from_slice(hint);
        if let Err(e) = self.hint_w.write_all(&msg) {
            return Err(self.host_gone("did not take a hint", e));
        }
        let mut ack = [0u8; 1];
        if let Err(e) = self.ack_r.read_exact(&mut ack) {
            return Err(self.host_gone("did not ack a hint", e));
        }
        Ok(())
    }

    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String> {
        let keyhex = hex::encode(key);
        if let Err(e) = self.key_w.write_all(&key) {
            return Err(self.host_gone(&format!("did not take preimage request 0x{keyhex}"), e));
        }
        let mut len = [0u8; 8];
        if let Err(e) = self.data_r.read_exact(&mut len) {
            return Err(self.host_gone(&format!("did not answer preimage request 0x{keyhex}"), e));
        }
        let n = u64::from_be_bytes(len);
        if n > rampart_vm::vm::MAX_GUEST_WRITE * 4 {
            return Err(format!("host sent a {n}-byte preimage for 0x{keyhex}, over the limit"));
        }
        let mut data = vec![0u8; n as usize];
        if let Err(e) = self.data_r.read_exact(&mut data) {
            return Err(self.host_gone(&format!("sent a truncated preimage for 0x{keyhex}"), e));
        }
        Ok(data)
    }
}
