//! gzip decompression bounded by what a format can legitimately hold: reading past the bound is an error, not
//! an allocation (a 14 MB gzip bomb inflates to gigabytes).

use std::boxed::Box;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::vec::Vec;

/// The two magic bytes that start a gzip stream.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The error a [`CappedReader`] returns once more than its limit has been read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitExceeded {
    /// What was being read (a format name, used in the message).
    pub what: &'static str,
    /// The limit in bytes.
    pub limit: u64,
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is larger than the {} a valid one can be", self.what, human(self.limit))
    }
}

impl std::error::Error for LimitExceeded {}

/// `n` bytes as `N MiB` / `N KiB` / `N bytes`.
pub fn human(n: u64) -> std::string::String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        std::format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        std::format!("{} KiB", n >> 10)
    } else {
        std::format!("{n} bytes")
    }
}

/// Whether `err` is (or wraps) a [`LimitExceeded`].
pub fn is_limit_exceeded(err: &io::Error) -> bool {
    err.get_ref().is_some_and(|e| e.is::<LimitExceeded>())
}

/// A reader that fails with [`LimitExceeded`] (kind `InvalidData`) as soon as more than `limit` bytes come
/// through it. Unlike `Read::take`, an over-long input is an error rather than a silent truncation.
#[derive(Debug)]
pub struct CappedReader<R> {
    inner: R,
    left: u64,
    limit: u64,
    what: &'static str,
}

impl<R: Read> CappedReader<R> {
    /// Caps `inner` at `limit` bytes; `what` names the format in the error.
    pub fn new(inner: R, limit: u64, what: &'static str) -> Self {
        CappedReader { inner, left: limit, limit, what }
    }

    /// Bytes read so far.
    pub fn consumed(&self) -> u64 {
        self.limit - self.left
    }

    fn exceeded(&self) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, LimitExceeded { what: self.what, limit: self.limit })
    }
}

impl<R: Read> Read for CappedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // At the limit: any further byte is one too many.
            let mut probe = [0u8; 1];
            return match self.inner.read(&mut probe)? {
                0 => Ok(0),
                _ => Err(self.exceeded()),
            };
        }
        let want = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A reader over the decompressed bytes of `r` if it starts with the gzip magic, else over `r` itself; either
/// way capped at `limit` bytes.
pub fn maybe_gunzip<'a, R: BufRead + 'a>(
    mut r: R,
    limit: u64,
    what: &'static str,
) -> io::Result<CappedReader<Box<dyn Read + 'a>>> {
    let gz = r.fill_buf()?.starts_with(&GZIP_MAGIC);
    let inner: Box<dyn Read + 'a> = if gz { Box::new(flate2::bufread::MultiGzDecoder::new(r)) } else { Box::new(r) };
    Ok(CappedReader::new(inner, limit, what))
}

/// A reader over the decompressed bytes of `r`, which must start with the gzip magic, capped at `limit` bytes.
pub fn gunzip<'a, R: BufRead + 'a>(
    mut r: R,
    limit: u64,
    what: &'static str,
) -> io::Result<CappedReader<Box<dyn Read + 'a>>> {
    if !r.fill_buf()?.starts_with(&GZIP_MAGIC) {
        return Err(io::Error::new(io::ErrorKind::InvalidData, std::format!("{what} is not gzip data")));
    }
    maybe_gunzip(r, limit, what)
}

/// Reads all of `r` (gzip or plain, detected by the magic bytes) into memory, failing once more than `limit`
/// decompressed bytes appear.
pub fn read_to_end_capped(r: impl Read, limit: u64, what: &'static str) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    maybe_gunzip(BufReader::new(r), limit, what)?.read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::string::ToString;
    use std::vec;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn limit_is_inclusive_and_errors_past_it() {
        let data = vec![7u8; 1000];
        assert_eq!(read_to_end_capped(&data[..], 1000, "test data").unwrap(), data);
        assert_eq!(read_to_end_capped(&gzip(&data)[..], 1000, "test data").unwrap(), data);
        for input in [data.clone(), gzip(&data)] {
            let e = read_to_end_capped(&input[..], 999, "test data").unwrap_err();
            assert!(is_limit_exceeded(&e), "{e}");
            assert_eq!(e.to_string(), "test data is larger than the 999 bytes a valid one can be");
        }
    }

    /// A bomb (64 MiB of zeros in about 64 KiB of gzip) stops at the limit: the reader never hands out more.
    #[test]
    fn bomb_stops_at_the_limit() {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            e.write_all(&zeros).unwrap();
        }
        let bomb = e.finish().unwrap();
        assert!(bomb.len() < 1 << 17);
        let mut r = maybe_gunzip(&bomb[..], 1 << 20, "bomb").unwrap();
        let mut sink = Vec::new();
        let err = r.read_to_end(&mut sink).unwrap_err();
        assert!(is_limit_exceeded(&err));
        assert_eq!(sink.len(), 1 << 20);
        assert_eq!(human(1 << 20), "1 MiB");
        assert_eq!(human(3 << 10), "3 KiB");
    }

    #[test]
    fn gunzip_requires_the_magic() {
        let e = gunzip(&b"plain"[..], 10, "a thing").err().unwrap();
        assert_eq!(e.to_string(), "a thing is not gzip data");
        let mut out = Vec::new();
        gunzip(&gzip(b"ok")[..], 10, "a thing").unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, b"ok");
    }

    #[test]
    fn concatenated_members_are_read() {
        let mut two = gzip(b"ab");
        two.extend(gzip(b"cd"));
        assert_eq!(read_to_end_capped(&two[..], 4, "x").unwrap(), b"abcd");
    }
}
