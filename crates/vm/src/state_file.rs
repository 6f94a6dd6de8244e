//! The binary state file (`.bin`, `.bin.gz`) of Cannon MT64, byte-for-byte (§1.5 of the spec).

use crate::arch::STATE_VERSION;
use crate::error::StateFileError;
use crate::memory::{PageData, PAGE_SIZE};
use crate::state::{State, ThreadState, THREAD_WITNESS_SIZE};
use std::io::{Read, Write};
use std::path::Path;

/// Largest decompressed state we read (guards against gzip bombs).
pub const MAX_STATE_BYTES: u64 = 16 << 30;

/// Serializes a state to the uncompressed binary layout.
pub fn encode(state: &State) -> Vec<u8> {
    let pages = state.memory.pages_sorted();
    let mut out = Vec::with_capacity(1 + 8 + pages.len() * (8 + PAGE_SIZE) + 512);
    out.push(STATE_VERSION);
    out.extend_from_slice(&(pages.len() as u64).to_be_bytes());
    for (idx, data) in pages {
        out.extend_from_slice(&idx.to_be_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(&state.preimage_key);
    out.extend_from_slice(&state.preimage_offset.to_be_bytes());
    out.extend_from_slice(&state.heap.to_be_bytes());
    out.push(state.ll_reservation_status);
    out.extend_from_slice(&state.ll_address.to_be_bytes());
    out.extend_from_slice(&state.ll_owner_thread.to_be_bytes());
    out.push(state.exit_code);
    out.push(state.exited as u8);
    out.extend_from_slice(&state.step.to_be_bytes());
    out.extend_from_slice(&state.steps_since_last_context_switch.to_be_bytes());
    out.push(state.traverse_right as u8);
    out.extend_from_slice(&state.next_thread_id.to_be_bytes());
    for stack in [&state.left_thread_stack, &state.right_thread_stack] {
        out.extend_from_slice(&(stack.len() as u64).to_be_bytes());
        for t in stack.iter() {
            out.extend_from_slice(&t.encode());
        }
    }
    out.extend_from_slice(&(state.last_hint.len() as u32).to_be_bytes());
    out.extend_from_slice(&state.last_hint);
    out
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], StateFileError> {
        if self.data.len() - self.pos < n {
            return Err(StateFileError::Invalid(format!(
                "truncated at byte {} while reading {what} ({n} bytes needed, {} left)",
                self.pos,
                self.data.len() - self.pos
            )));
        }
        let s = &self.data[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self, what: &str) -> Result<u8, StateFileError> {
        Ok(self.take(1, what)?[0])
    }
    fn bool(&mut self, what: &str) -> Result<bool, StateFileError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(StateFileError::Invalid(format!("{what} must be 0 or 1, found {v}"))),
        }
    }
    fn u32(&mut self, what: &str) -> Result<u32, StateFileError> {
        Ok(u32::from_be_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    fn u64(&mut self, what: &str) -> Result<u64, StateFileError> {
        Ok(u64::from_be_bytes(self.take(8, what)?.try_into().unwrap()))
    }
    fn left(&self) -> usize {
        self.data.len() - self.pos
    }
}

/// Parses the uncompressed binary layout.
pub fn decode(data: &[u8]) -> Result<State, StateFileError> {
    let mut r = Reader { data, pos: 0 };
    let version = r.u8("state version")?;
    if version != STATE_VERSION {
        return Err(StateFileError::UnsupportedVersion(version));
    }
    let mut state = State::new(0);
    state.left_thread_stack.clear();
    let page_count = r.u64("page count")?;
    if page_count > (r.left() / (8 + PAGE_SIZE)) as u64 {
        return Err(StateFileError::Invalid(format!("page count {page_count} exceeds the file size")));
    }
    for _ in 0..page_count {
        let idx = r.u64("page index")?;
        if idx >> 52 != 0 {
            return Err(StateFileError::Invalid(format!("page index {idx:#x} out of the 64-bit address space")));
        }
        let page: &PageData = r.take(PAGE_SIZE, "page data")?.try_into().unwrap();
        if state.memory.has_page(idx) {
            return Err(StateFileError::Invalid(format!("duplicate page {idx:#x}")));
        }
        state.memory.insert_page(idx, page);
    }
    state.preimage_key = r.take(32, "preimage key")?.try_into().unwrap();
    state.preimage_offset = r.u64("preimage offset")?;
    state.heap = r.u64("heap")?;
    state.ll_reservation_status = r.u8("LL reservation status")?;
    if state.ll_reservation_status > 2 {
        return Err(StateFileError::Invalid(format!(
            "LL reservation status {} (must be 0, 1 or 2)",
            state.ll_reservation_status
        )));
    }
    state.ll_address = r.u64("LL address")?;
    state.ll_owner_thread = r.u64("LL owner thread")?;
    state.exit_code = r.u8("exit code")?;
    state.exited = r.bool("exited")?;
    state.step = r.u64("step")?;
    state.steps_since_last_context_switch = r.u64("steps since last context switch")?;
    state.traverse_right = r.bool("traverse right")?;
    state.next_thread_id = r.u64("next thread id")?;
    for right in [false, true] {
        let n = r.u64("thread stack length")?;
        if n > (r.left() / THREAD_WITNESS_SIZE) as u64 {
            return Err(StateFileError::Invalid(format!("thread stack length {n} exceeds the file size")));
        }
        let mut stack = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let enc: &[u8; THREAD_WITNESS_SIZE] = r.take(THREAD_WITNESS_SIZE, "thread")?.try_into().unwrap();
            stack.push(
                ThreadState::decode(enc)
                    .ok_or_else(|| StateFileError::Invalid("thread exited flag must be 0 or 1".into()))?,
            );
        }
        if right {
            state.right_thread_stack = stack;
        } else {
            state.left_thread_stack = stack;
        }
    }
    let hint_len = r.u32("last hint length")? as usize;
    state.last_hint = r.take(hint_len, "last hint")?.to_vec();
    if r.left() != 0 {
        return Err(StateFileError::Invalid(format!("{} trailing bytes after the state", r.left())));
    }
    if state.active_stack().is_empty() && !state.exited {
        return Err(StateFileError::Invalid("active thread stack is empty".into()));
    }
    Ok(state)
}

fn io_err(path: &Path, source: std::io::Error) -> StateFileError {
    StateFileError::Io { path: path.display().to_string(), source }
}

/// Whether a path names a binary state (`.bin` or `.bin.gz`).
pub fn is_binary_path(path: &str) -> bool {
    path.ends_with(".bin") || path.ends_with(".bin.gz")
}

/// Reads a state from `.bin` or `.bin.gz` (`-` reads stdin).
pub fn read_state(path: &Path) -> Result<State, StateFileError> {
    let name = path.to_string_lossy();
    let raw = if name == "-" {
        let mut v = Vec::new();
        std::io::stdin().read_to_end(&mut v).map_err(|e| io_err(path, e))?;
        v
    } else {
        if !is_binary_path(&name) {
            return Err(StateFileError::Format(format!(
                "{name}: state files must be binary (.bin or .bin.gz); JSON states are version 0 and unsupported"
            )));
        }
        std::fs::read(path).map_err(|e| io_err(path, e))?
    };
    let data = if raw.starts_with(&[0x1f, 0x8b]) {
        let mut v = Vec::new();
        flate2::read::GzDecoder::new(&raw[..])
            .take(MAX_STATE_BYTES)
            .read_to_end(&mut v)
            .map_err(|e| StateFileError::Invalid(format!("{name}: bad gzip stream: {e}")))?;
        v
    } else {
        raw
    };
    decode(&data).map_err(|e| match e {
        StateFileError::Invalid(m) => StateFileError::Invalid(format!("{name}: {m}")),
        other => other,
    })
}

/// Writes a state (`.gz` suffix: gzip; `-`: stdout), atomically via a temporary file.
pub fn write_state(path: &Path, state: &State) -> Result<(), StateFileError> {
    let name = path.to_string_lossy();
    if name != "-" && !is_binary_path(&name) {
        return Err(StateFileError::Format(format!("{name}: json not supported (use .bin or .bin.gz)")));
    }
    let raw = encode(state);
    let bytes = if name.ends_with(".gz") { gzip(&raw) } else { raw };
    write_atomic(path, &bytes)
}

/// gzip at the fastest level (state files are written often: snapshots), no name and no timestamp.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().mtime(0).write(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// Writes bytes to `path` atomically (temp file + rename); `-` writes to stdout.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), StateFileError> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes).and_then(|_| out.flush()).map_err(|e| io_err(path, e))?;
        return Ok(());
    }
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes).map_err(|e| io_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The empty state of upstream `8.bin.gz`: 419 bytes with known non-zero offsets.
    #[test]
    fn empty_state_fixture_layout() {
        let mut s = State::new(0);
        s.heap = 0;
        let b = encode(&s);
        assert_eq!(b.len(), 419);
        let nonzero: Vec<(usize, u8)> = b.iter().enumerate().filter(|(_, &v)| v != 0).map(|(i, &v)| (i, v)).collect();
        assert_eq!(nonzero, vec![(0, 8), (100, 1), (108, 1), (134, 4)]);
        let back = decode(&b).unwrap();
        assert_eq!(encode(&back), b);
    }

    #[test]
    fn corrupt_inputs_are_errors() {
        let mut s = State::new(0x1000);
        s.memory.write_word(0x1000, 42);
        s.last_hint = vec![1, 2, 3];
        let b = encode(&s);
        for cut in 0..b.len() {
            assert!(decode(&b[..cut]).is_err(), "truncation at {cut} accepted");
        }
        let mut bad = b.clone();
        bad[0] = 7;
        assert!(matches!(decode(&bad), Err(StateFileError::UnsupportedVersion(7))));
        let mut bad = b.clone();
        bad.push(0);
        assert!(decode(&bad).is_err());
        let mut bad = b;
        bad[1..9].copy_from_slice(&u64::MAX.to_be_bytes());
        assert!(decode(&bad).is_err());
    }
}
