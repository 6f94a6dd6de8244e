//! Native channels (feature `std`): in-memory pipes and an adapter from `std::io` streams to [`Channel`].

use crate::channel::{Channel, ChannelError};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::string::ToString;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

#[derive(Debug, Default)]
struct PipeState {
    buf: VecDeque<u8>,
    writer_closed: bool,
    reader_closed: bool,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<PipeState>,
    cond: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        // A poisoned lock only means another thread panicked mid-operation; the byte queue is still valid.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Reading end of an in-memory pipe: blocks until data arrives; end of stream once the writer is dropped.
#[derive(Debug)]
pub struct PipeReader {
    shared: Arc<Shared>,
}

/// Writing end of an in-memory pipe: `BrokenPipe` once the reader is dropped.
#[derive(Debug)]
pub struct PipeWriter {
    shared: Arc<Shared>,
}

/// A unidirectional in-memory pipe (unbounded buffer).
pub fn pipe() -> (PipeWriter, PipeReader) {
    let shared = Arc::new(Shared::default());
    (PipeWriter { shared: shared.clone() }, PipeReader { shared })
}

impl Read for PipeReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut st = self.shared.lock();
        loop {
            if !st.buf.is_empty() {
                let n = out.len().min(st.buf.len());
                for (o, b) in out.iter_mut().zip(st.buf.drain(..n)) {
                    *o = b;
                }
                return Ok(n);
            }
            if st.writer_closed {
                return Ok(0);
            }
            st = self.shared.cond.wait(st).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        self.shared.lock().reader_closed = true;
        self.shared.cond.notify_all();
    }
}

impl Write for PipeWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut st = self.shared.lock();
        if st.reader_closed {
            return Err(io::Error::new(io::ErrorKind::BrokenPipe, "pipe reader closed"));
        }
        st.buf.extend(data);
        drop(st);
        self.shared.cond.notify_all();
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.shared.lock().writer_closed = true;
        self.shared.cond.notify_all();
    }
}

/// A [`Channel`] over a `std::io` reader and writer (e.g. pipe ends or files on fds 3-6).
#[derive(Debug)]
pub struct IoChannel<R, W> {
    /// The read side.
    pub reader: R,
    /// The write side.
    pub writer: W,
}

impl<R: Read, W: Write> IoChannel<R, W> {
    /// A channel reading from `reader` and writing to `writer`.
    pub fn new(reader: R, writer: W) -> Self {
        IoChannel { reader, writer }
    }
}

fn io_err(e: io::Error) -> ChannelError {
    match e.kind() {
        io::ErrorKind::UnexpectedEof | io::ErrorKind::BrokenPipe | io::ErrorKind::WriteZero => ChannelError::Closed,
        _ => ChannelError::Io(e.to_string()),
    }
}

impl<R: Read, W: Write> Channel for IoChannel<R, W> {
    fn read_exact(&mut self, buf: &mut [u8]) -> Result<(), ChannelError> {
        self.reader.read_exact(buf).map_err(io_err)
    }
    fn write_all(&mut self, buf: &[u8]) -> Result<(), ChannelError> {
        self.writer.write_all(buf).and_then(|()| self.writer.flush()).map_err(io_err)
    }
}

/// The client's two channels of an in-memory oracle connection.
#[derive(Debug)]
pub struct ClientEnds {
    /// Hint channel: reads acks, writes hints.
    pub hint: IoChannel<PipeReader, PipeWriter>,
    /// Preimage channel: reads length ‖ data, writes keys.
    pub preimage: IoChannel<PipeReader, PipeWriter>,
}

/// The server's four stream ends of an in-memory oracle connection (the host's fds 3, 4, 5, 6).
#[derive(Debug)]
pub struct ServerEnds {
    /// Reads hints (fd 3).
    pub hint_rx: PipeReader,
    /// Writes hint acks (fd 4).
    pub hint_tx: PipeWriter,
    /// Reads preimage keys (fd 5).
    pub key_rx: PipeReader,
    /// Writes preimage responses (fd 6).
    pub data_tx: PipeWriter,
}

/// A connected in-memory client/server pair of oracle channels.
pub fn oracle_pipes() -> (ClientEnds, ServerEnds) {
    let (hint_w, hint_rx) = pipe();
    let (hint_tx, ack_r) = pipe();
    let (key_w, key_rx) = pipe();
    let (data_tx, data_r) = pipe();
    (
        ClientEnds { hint: IoChannel::new(ack_r, hint_w), preimage: IoChannel::new(data_r, key_w) },
        ServerEnds { hint_rx, hint_tx, key_rx, data_tx },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn pipe_transfers_across_threads_and_signals_eof() {
        let (mut w, mut r) = pipe();
        let t = std::thread::spawn(move || {
            for i in 0..100u8 {
                w.write_all(&[i; 10]).unwrap();
            }
        });
        let mut all = Vec::new();
        r.read_to_end(&mut all).unwrap();
        t.join().unwrap();
        assert_eq!(all.len(), 1000);
        assert_eq!(all[999], 99);
    }

    #[test]
    fn writer_sees_broken_pipe_and_channel_reports_closed() {
        let (mut w, r) = pipe();
        drop(r);
        assert_eq!(w.write(b"x").unwrap_err().kind(), io::ErrorKind::BrokenPipe);
        let (w, r) = pipe();
        drop(w);
        let (w2, _r2) = pipe();
        let mut ch = IoChannel::new(r, w2);
        let mut b = [0u8; 1];
        assert_eq!(ch.read_exact(&mut b), Err(ChannelError::Closed));
    }
}
