//! The binary state file (`.bin`, `.bin.gz`) of Cannon MT64, byte-for-byte (§1.5 of the spec).

use crate::arch::STATE_VERSION;
use crate::error::StateFileError;
use crate::memory::{PageData, PAGE_SIZE};
use crate::state::{State, ThreadState, THREAD_WITNESS_SIZE};
use std::io::{BufReader, Read, Write};
use std::path::Path;

/// Most memory pages a state file may declare: 2^22 pages of 4 KiB, 16 GiB of guest memory (a fault-proof
/// program that needed more could not be run by this VM on the 24 GiB machines it targets anyway).
pub const MAX_STATE_PAGES: u64 = 1 << 22;
/// Most threads a state file may declare in each of its two stacks (Go programs run a few dozen).
pub const MAX_STATE_THREADS: u64 = 1 << 16;
/// The largest state a file can legitimately hold: [`MAX_STATE_PAGES`] pages, two stacks of
/// [`MAX_STATE_THREADS`] threads and a last hint of up to `u32::MAX` bytes, plus the fixed fields. A gzip'd
/// state is never decompressed past it; anything malformed stops earlier, at its first malformed field.
pub const MAX_STATE_BYTES: u64 = 1
    + 8
    + MAX_STATE_PAGES * (8 + PAGE_SIZE as u64)
    + FIXED_FIELDS_LEN
    + 2 * (8 + MAX_STATE_THREADS * THREAD_WITNESS_SIZE as u64)
    + 4
    + u32::MAX as u64;
/// Bytes between the pages and the thread stacks: preimage key and offset, heap, LL fields, exit, step counters,
/// traverse-right and next thread id.
const FIXED_FIELDS_LEN: u64 = 32 + 8 + 8 + 1 + 8 + 8 + 1 + 1 + 8 + 8 + 1 + 8;

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

/// A streaming reader of the state layout: every field is read as it is needed, so memory never holds more
/// than the state decoded so far.
struct Reader<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Reader<R> {
    fn fill(&mut self, buf: &mut [u8], what: &str) -> Result<(), StateFileError> {
        let mut done = 0;
        while done < buf.len() {
            match self.inner.read(&mut buf[done..]) {
                Ok(0) => {
                    return Err(StateFileError::Invalid(format!(
                        "truncated at byte {} while reading {what} ({} bytes needed, {done} left)",
                        self.pos,
                        buf.len()
                    )))
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StateFileError::Invalid(format!("at byte {} reading {what}: {e}", self.pos))),
            }
        }
        self.pos += buf.len() as u64;
        Ok(())
    }
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], StateFileError> {
        let mut b = [0u8; N];
        self.fill(&mut b, what)?;
        Ok(b)
    }
    fn u8(&mut self, what: &str) -> Result<u8, StateFileError> {
        Ok(self.array::<1>(what)?[0])
    }
    fn bool(&mut self, what: &str) -> Result<bool, StateFileError> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(StateFileError::Invalid(format!("{what} must be 0 or 1, found {v}"))),
        }
    }
    fn u32(&mut self, what: &str) -> Result<u32, StateFileError> {
        Ok(u32::from_be_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, StateFileError> {
        Ok(u64::from_be_bytes(self.array(what)?))
    }
    /// `n` bytes, read in chunks so a large declared length costs memory only as its bytes arrive.
    fn bytes(&mut self, n: usize, what: &str) -> Result<Vec<u8>, StateFileError> {
        let mut out = Vec::new();
        let mut chunk = [0u8; 64 << 10];
        while out.len() < n {
            let k = (n - out.len()).min(chunk.len());
            self.fill(&mut chunk[..k], what)?;
            out.extend_from_slice(&chunk[..k]);
        }
        Ok(out)
    }
    /// Whether any byte follows.
    fn at_end(&mut self) -> Result<bool, StateFileError> {
        let mut b = [0u8; 1];
        loop {
            match self.inner.read(&mut b) {
                Ok(0) => return Ok(true),
                Ok(_) => return Ok(false),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(StateFileError::Invalid(format!("at byte {}: {e}", self.pos))),
            }
        }
    }
}

/// Parses the uncompressed binary layout.
pub fn decode(data: &[u8]) -> Result<State, StateFileError> {
    decode_from(data)
}

/// Parses the uncompressed binary layout from a stream, field by field: a malformed input fails at its first bad
/// field having read nothing past it, and counts are checked against [`MAX_STATE_PAGES`] / [`MAX_STATE_THREADS`]
/// before anything is allocated for them.
pub fn decode_from(input: impl Read) -> Result<State, StateFileError> {
    let mut r = Reader { inner: input, pos: 0 };
    let version = r.u8("state version")?;
    if version != STATE_VERSION {
        return Err(StateFileError::UnsupportedVersion(version));
    }
    let mut state = State::new(0);
    state.left_thread_stack.clear();
    let page_count = r.u64("page count")?;
    if page_count > MAX_STATE_PAGES {
        return Err(StateFileError::Invalid(format!(
            "page count {page_count} exceeds the {MAX_STATE_PAGES}-page limit (16 GiB of memory)"
        )));
    }
    let mut page: PageData = [0u8; PAGE_SIZE];
    for _ in 0..page_count {
        let idx = r.u64("page index")?;
        if idx >> 52 != 0 {
            return Err(StateFileError::Invalid(format!("page index {idx:#x} out of the 64-bit address space")));
        }
        r.fill(&mut page, "page data")?;
        if state.memory.has_page(idx) {
            return Err(StateFileError::Invalid(format!("duplicate page {idx:#x}")));
        }
        state.memory.insert_page(idx, &page);
    }
    state.preimage_key = r.array("preimage key")?;
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
        if n > MAX_STATE_THREADS {
            return Err(StateFileError::Invalid(format!(
                "thread stack length {n} exceeds the {MAX_STATE_THREADS}-thread limit"
            )));
        }
        let mut stack = Vec::new();
        for _ in 0..n {
            let enc: [u8; THREAD_WITNESS_SIZE] = r.array("thread")?;
            stack.push(
                ThreadState::decode(&enc)
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
    state.last_hint = r.bytes(hint_len, "last hint")?;
    if !r.at_end()? {
        return Err(StateFileError::Invalid(format!("trailing bytes after the state (which ends at byte {})", r.pos)));
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

/// Reads a state from `.bin` or `.bin.gz` (`-` reads stdin; gzip is recognised by its magic bytes), streaming:
/// neither the file nor its decompressed bytes are ever held whole, and a gzip stream is never inflated past
/// [`MAX_STATE_BYTES`].
pub fn read_state(path: &Path) -> Result<State, StateFileError> {
    let name = path.to_string_lossy();
    let input: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        if !is_binary_path(&name) {
            return Err(StateFileError::Format(format!(
                "{name}: state files must be binary (.bin or .bin.gz); JSON states are version 0 and unsupported"
            )));
        }
        Box::new(std::fs::File::open(path).map_err(|e| io_err(path, e))?)
    };
    let data = rampart_primitives::gz::maybe_gunzip(
        BufReader::with_capacity(64 << 10, input),
        MAX_STATE_BYTES,
        "a state file",
    )
    .map_err(|e| io_err(path, e))?;
    decode_from(data).map_err(|e| match e {
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
