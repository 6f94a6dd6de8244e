//! Blob data encoding version 0 (OP derivation spec, "Blob Encoding"): up to [`BLOB_MAX_DATA_SIZE`] bytes in the
//! 4096 field elements of one EIP-4844 blob.
//!
//! Each of the 1024 rounds packs 127 bytes into 4 field elements: 4 × 31 bytes go into bytes 1..32 of each
//! element and 3 bytes are split into four 6-bit chunks that fill byte 0 of each element below its top two bits
//! (which stay zero so every element is below the BLS12-381 modulus). Round 0 starts with the version byte and the
//! 3-byte big-endian length in the first element's 31 data bytes.

use crate::errors::BlobError;
use alloc::{boxed::Box, vec, vec::Vec};

/// Bytes in a blob (4096 field elements of 32 bytes).
pub const BYTES_PER_BLOB: usize = 4096 * 32;

/// Largest payload one blob holds: (4 × 31 + 3) × 1024 − 4 = 130 044 bytes.
pub const BLOB_MAX_DATA_SIZE: usize = (4 * 31 + 3) * 1024 - 4;

/// Encoding version byte (at offset [`VERSION_OFFSET`]).
pub const BLOB_ENCODING_VERSION: u8 = 0;

/// Offset of the version byte within the blob.
pub const VERSION_OFFSET: usize = 1;

/// Encode/decode rounds per blob.
pub const BLOB_ENCODING_ROUNDS: usize = 1024;

/// Encodes `data` into one blob.
pub fn encode_blob(data: &[u8]) -> Result<Box<[u8; BYTES_PER_BLOB]>, BlobError> {
    if data.len() > BLOB_MAX_DATA_SIZE {
        return Err(BlobError::TooLarge(data.len()));
    }
    // The payload as the encoder reads it: version, 3-byte length, then the data, zero padded.
    let mut input = Vec::with_capacity(BLOB_MAX_DATA_SIZE + 4);
    input.push(BLOB_ENCODING_VERSION);
    input.extend_from_slice(&(data.len() as u32).to_be_bytes()[1..]);
    input.extend_from_slice(data);
    input.resize(BLOB_MAX_DATA_SIZE + 4, 0);
    let mut blob: Box<[u8; BYTES_PER_BLOB]> = vec![0u8; BYTES_PER_BLOB].into_boxed_slice().try_into().expect("size");
    // Rounds past the data stay all-zero, as op-node leaves them.
    let rounds = (data.len() + 4).div_ceil(127).max(1);
    for round in 0..rounds {
        let src = &input[round * 127..round * 127 + 127];
        let fe = &mut blob[round * 128..round * 128 + 128];
        // Source layout per round: 31 bytes, x, 31 bytes, y, 31 bytes, z, 31 bytes.
        let (x, y, z) = (src[31], src[63], src[95]);
        fe[1..32].copy_from_slice(&src[0..31]);
        fe[33..64].copy_from_slice(&src[32..63]);
        fe[65..96].copy_from_slice(&src[64..95]);
        fe[97..128].copy_from_slice(&src[96..127]);
        fe[0] = x & 0b0011_1111;
        fe[32] = (y & 0b0000_1111) | ((x & 0b1100_0000) >> 2);
        fe[64] = z & 0b0011_1111;
        fe[96] = ((z & 0b1100_0000) >> 2) | ((y & 0b1111_0000) >> 4);
    }
    Ok(blob)
}

/// Decodes one blob's payload with op-node's checks (`Blob.ToData`): version byte, length bound, top bits of
/// every field element read after the first (op-node masks the first element's byte 0 instead of checking it),
/// no data past the length in the decoded rounds, and only zeros in the blob after them.
pub fn decode_blob(blob: &[u8]) -> Result<Vec<u8>, BlobError> {
    if blob.len() != BYTES_PER_BLOB {
        return Err(BlobError::WrongSize(blob.len()));
    }
    if blob[VERSION_OFFSET] != BLOB_ENCODING_VERSION {
        return Err(BlobError::Version(blob[VERSION_OFFSET]));
    }
    let len = u32::from_be_bytes([0, blob[2], blob[3], blob[4]]) as usize;
    if len > BLOB_MAX_DATA_SIZE {
        return Err(BlobError::Length(len));
    }
    // Decode into the full 127-byte-per-round layout, then drop the 4-byte header.
    let mut out = vec![0u8; BLOB_ENCODING_ROUNDS * 127];
    let mut round = 0;
    loop {
        let fe = &blob[round * 128..round * 128 + 128];
        for (k, &b) in [fe[0], fe[32], fe[64], fe[96]].iter().enumerate() {
            if b & 0b1100_0000 != 0 && !(round == 0 && k == 0) {
                return Err(BlobError::FieldElement(round * 4 + k));
            }
        }
        let dst = &mut out[round * 127..round * 127 + 127];
        dst[0..31].copy_from_slice(&fe[1..32]);
        dst[32..63].copy_from_slice(&fe[33..64]);
        dst[64..95].copy_from_slice(&fe[65..96]);
        dst[96..127].copy_from_slice(&fe[97..128]);
        let (a, b, c, d) = (fe[0], fe[32], fe[64], fe[96]);
        dst[31] = (a & 0b0011_1111) | ((b & 0b0011_0000) << 2);
        dst[63] = (b & 0b0000_1111) | ((d & 0b0000_1111) << 4);
        dst[95] = (c & 0b0011_1111) | ((d & 0b0011_0000) << 2);
        round += 1;
        // op-node decodes round 0 and then further rounds while the output (counted from after the header,
        // less the 128th byte not emitted per round) is short of the length.
        if round == BLOB_ENCODING_ROUNDS || round * 127 - 4 >= len {
            break;
        }
    }
    let data = &out[4..];
    if let Some(pos) = data[len..].iter().position(|&b| b != 0) {
        return Err(BlobError::TrailingData(len + pos));
    }
    if let Some(pos) = blob[round * 128..].iter().position(|&b| b != 0) {
        return Err(BlobError::TrailingBlob(round * 128 + pos));
    }
    Ok(data[..len].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_sizes() {
        for len in [0, 1, 27, 28, 123, 124, 127, 128, 1000, BLOB_MAX_DATA_SIZE - 1, BLOB_MAX_DATA_SIZE] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            let blob = encode_blob(&data).unwrap();
            assert!(blob.chunks(32).all(|fe| fe[0] & 0xc0 == 0), "len {len}");
            assert_eq!(decode_blob(&blob[..]).unwrap(), data, "len {len}");
        }
        assert_eq!(BLOB_MAX_DATA_SIZE, 130_044);
        assert_eq!(encode_blob(&vec![0; 130_045]).unwrap_err(), BlobError::TooLarge(130_045));
    }

    #[test]
    fn validity_checks() {
        let blob = encode_blob(b"hello blob").unwrap();
        let mut v = blob.clone();
        v[VERSION_OFFSET] = 1;
        assert_eq!(decode_blob(&v[..]), Err(BlobError::Version(1)));
        let mut l = blob.clone();
        l[2] = 0xff;
        assert!(matches!(decode_blob(&l[..]), Err(BlobError::Length(_))));
        let mut fe = blob.clone();
        fe[32] |= 0x80;
        assert_eq!(decode_blob(&fe[..]), Err(BlobError::FieldElement(1)));
        // The first element's byte 0 is masked, not checked (op-node and kona agree).
        let mut first = blob.clone();
        first[0] |= 0x40;
        assert!(decode_blob(&first[..]).is_ok());
        let mut trailing = blob.clone();
        trailing[20] = 1; // payload byte 15: past "hello blob", within round 0
        assert_eq!(decode_blob(&trailing[..]), Err(BlobError::TrailingData(15)));
        let mut tail = blob.clone();
        tail[BYTES_PER_BLOB - 1] = 1;
        assert_eq!(decode_blob(&tail[..]), Err(BlobError::TrailingBlob(BYTES_PER_BLOB - 1)));
        assert_eq!(decode_blob(&blob[..100]), Err(BlobError::WrongSize(100)));
    }
}
