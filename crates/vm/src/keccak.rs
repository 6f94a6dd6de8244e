//! Keccak-256 helpers and the zero-subtree hashes of the memory tree.
//!
//! Single hashes use `keccak-asm` (CRYPTOGAMS assembly, about 1.5x faster than portable Rust); the memory
//! root batches its node hashes through `keccak_batch` (AVX-512 / AVX2, `keccak-asm` fallback). The
//! stateless verifier deliberately uses another implementation (`tiny-keccak`).

use keccak_asm::{Digest, Keccak256};
use std::sync::OnceLock;

/// keccak256 of `data`.
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    Keccak256::digest(data).into()
}

/// keccak256(`a` ‖ `b`), the inner-node hash of every Merkle structure here.
#[inline]
pub fn hash_pair(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut k = Keccak256::new();
    k.update(a);
    k.update(b);
    k.finalize().into()
}

/// `Z[i]`: the root of an all-zero subtree of height `i` (i = 0..=59).
pub fn zero_hashes() -> &'static [[u8; 32]; 60] {
    static Z: OnceLock<[[u8; 32]; 60]> = OnceLock::new();
    Z.get_or_init(|| {
        let mut z = [[0u8; 32]; 60];
        for i in 1..60 {
            z[i] = hash_pair(&z[i - 1], &z[i - 1]);
        }
        z
    })
}
