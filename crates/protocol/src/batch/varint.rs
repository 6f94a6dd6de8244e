//! Base-128 unsigned varints as Go's `binary.ReadUvarint` reads them: at most 10 bytes, the tenth at most 1,
//! non-minimal encodings (`0x80 0x00`) accepted.

use crate::errors::BatchError;
use alloc::vec::Vec;

/// Reads one varint from the front of `buf`.
pub(crate) fn read_uvarint(buf: &mut &[u8], field: &'static str) -> Result<u64, BatchError> {
    let mut value = 0u64;
    for (i, &byte) in buf.iter().enumerate().take(10) {
        if byte < 0x80 {
            if i == 9 && byte > 1 {
                return Err(BatchError::VarintOverflow(field));
            }
            *buf = &buf[i + 1..];
            return Ok(value | u64::from(byte) << (7 * i));
        }
        value |= u64::from(byte & 0x7f) << (7 * i);
    }
    if buf.len() >= 10 {
        Err(BatchError::VarintOverflow(field))
    } else {
        Err(BatchError::Truncated(field))
    }
}

/// Appends the minimal varint encoding of `value`.
pub(crate) fn write_uvarint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<u64, BatchError> {
        let mut b = bytes;
        read_uvarint(&mut b, "v")
    }

    #[test]
    fn go_accept_set() {
        assert_eq!(read(&[0]), Ok(0));
        assert_eq!(read(&[0x80, 0x00]), Ok(0));
        assert_eq!(read(&[0x81, 0x00]), Ok(1));
        assert_eq!(read(&[0xac, 0x02]), Ok(300));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(read(&max), Ok(u64::MAX));
        let mut over = max;
        over[9] = 2;
        assert_eq!(read(&over), Err(BatchError::VarintOverflow("v")));
        assert_eq!(read(&[0xff; 11]), Err(BatchError::VarintOverflow("v")));
        assert_eq!(read(&[0x80]), Err(BatchError::Truncated("v")));
        assert_eq!(read(&[]), Err(BatchError::Truncated("v")));
        for v in [0, 1, 127, 128, 300, u64::MAX / 3, u64::MAX] {
            let mut out = Vec::new();
            write_uvarint(&mut out, v);
            assert_eq!(read(&out), Ok(v));
        }
    }
}
