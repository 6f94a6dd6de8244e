//! Portable keccak256 and sha256.

use tiny_keccak::{Hasher, Keccak};

/// keccak256 of `data`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    let mut k = Keccak::v256();
    k.update(data);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// keccak256(`a` ‖ `b`): the inner-node hash of the memory and thread-stack Merkle structures.
pub fn keccak256_pair(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut k = Keccak::v256();
    k.update(a);
    k.update(b);
    let mut out = [0u8; 32];
    k.finalize(&mut out);
    out
}

/// sha256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    #[test]
    fn known_digests() {
        assert_eq!(hex::encode(&keccak256(b"")), "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
        assert_eq!(hex::encode(&sha256(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        // keccak256(0^64): the root of an empty thread stack.
        assert_eq!(
            hex::encode(&keccak256_pair(&[0; 32], &[0; 32])),
            "ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"
        );
        let mut cat = [0u8; 64];
        cat[..32].copy_from_slice(&[1; 32]);
        cat[32..].copy_from_slice(&[2; 32]);
        assert_eq!(keccak256_pair(&[1; 32], &[2; 32]), keccak256(&cat));
    }
}
