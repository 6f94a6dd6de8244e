//! Batched keccak256 of 64-byte messages (the inner-node hash of every Merkle tree here).
//!
//! A 64-byte message is a single keccak block: absorb 8 little-endian lanes, pad (lane 8 ^= 0x01,
//! lane 16 ^= 0x80 << 56), permute once, squeeze lanes 0..4. [`hash_pairs`] runs keccak-f[1600] on 8
//! messages at a time with AVX-512 (one message per 64-bit vector lane), 4 at a time with AVX2, or one at a
//! time with a portable scalar permutation, picked once at run time from the CPU's features.

use std::sync::atomic::{AtomicU8, Ordering};
use thiserror::Error;

/// Round constants of keccak-f[1600].
const RC: [u64; 24] = [
    0x0000_0000_0000_0001,
    0x0000_0000_0000_8082,
    0x8000_0000_0000_808A,
    0x8000_0000_8000_8000,
    0x0000_0000_0000_808B,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8009,
    0x0000_0000_0000_008A,
    0x0000_0000_0000_0088,
    0x0000_0000_8000_8009,
    0x0000_0000_8000_000A,
    0x0000_0000_8000_808B,
    0x8000_0000_0000_008B,
    0x8000_0000_0000_8089,
    0x8000_0000_0000_8003,
    0x8000_0000_0000_8002,
    0x8000_0000_0000_0080,
    0x0000_0000_0000_800A,
    0x8000_0000_8000_000A,
    0x8000_0000_8000_8081,
    0x8000_0000_0000_8080,
    0x0000_0000_8000_0001,
    0x8000_0000_8000_8008,
];

/// Which implementation of the batched permutation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Backend {
    /// Portable scalar keccak-f[1600], one message at a time.
    Scalar,
    /// AVX2, 4 messages per permutation (x86_64 only).
    Avx2,
    /// AVX-512F, 8 messages per permutation (x86_64 only).
    Avx512,
}

/// Errors of the explicit-backend entry point [`hash_pairs_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum KeccakBatchError {
    /// `inputs` and `out` differ in length.
    #[error("hash_pairs: {inputs} inputs but {outputs} output slots")]
    LengthMismatch {
        /// Number of inputs.
        inputs: usize,
        /// Number of output slots.
        outputs: usize,
    },
    /// The CPU (or target architecture) lacks the instructions of this backend.
    #[error("keccak backend {0:?} is not supported on this CPU")]
    Unsupported(Backend),
}

impl Backend {
    /// Whether this backend can run on the current CPU.
    pub fn is_supported(self) -> bool {
        match self {
            Backend::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Backend::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Backend::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Backend::Avx2 | Backend::Avx512 => false,
        }
    }

    /// Messages hashed per permutation call.
    pub fn width(self) -> usize {
        match self {
            Backend::Scalar => 1,
            Backend::Avx2 => 4,
            Backend::Avx512 => 8,
        }
    }
}

/// The cached backend: 0 = not yet detected, otherwise 1 + the `Backend` discriminant.
static DETECTED: AtomicU8 = AtomicU8::new(0);

/// The fastest backend the CPU supports (detected once, then cached).
pub fn backend() -> Backend {
    match DETECTED.load(Ordering::Relaxed) {
        1 => Backend::Scalar,
        2 => Backend::Avx2,
        3 => Backend::Avx512,
        _ => {
            let b = [Backend::Avx512, Backend::Avx2]
                .into_iter()
                .find(|b| b.is_supported())
                .unwrap_or(Backend::Scalar);
            let code = match b {
                Backend::Scalar => 1,
                Backend::Avx2 => 2,
                Backend::Avx512 => 3,
            };
            DETECTED.store(code, Ordering::Relaxed);
            b
        }
    }
}

/// A source of 64-byte messages: a slice of arrays or a slice of references into other buffers.
trait Messages {
    fn count(&self) -> usize;
    fn get(&self, i: usize) -> &[u8; 64];
}

impl Messages for [[u8; 64]] {
    #[inline(always)]
    fn count(&self) -> usize {
        self.len()
    }
    #[inline(always)]
    fn get(&self, i: usize) -> &[u8; 64] {
        &self[i]
    }
}

impl Messages for [&[u8; 64]] {
    #[inline(always)]
    fn count(&self) -> usize {
        self.len()
    }
    #[inline(always)]
    fn get(&self, i: usize) -> &[u8; 64] {
        self[i]
    }
}

/// `out[i] = keccak256(inputs[i])` for every i, with the fastest backend of this CPU.
///
/// # Panics
/// If `inputs.len() != out.len()` (a caller bug, never a function of untrusted data).
pub fn hash_pairs(inputs: &[[u8; 64]], out: &mut [[u8; 32]]) {
    assert_eq!(inputs.len(), out.len(), "hash_pairs: inputs and outputs differ in length");
    run(backend(), inputs, out);
}

/// Like [`hash_pairs`], with the messages given by reference (gathered from pages or other buffers).
///
/// # Panics
/// If `inputs.len() != out.len()`.
pub fn hash_pairs_ref(inputs: &[&[u8; 64]], out: &mut [[u8; 32]]) {
    assert_eq!(inputs.len(), out.len(), "hash_pairs_ref: inputs and outputs differ in length");
    run(backend(), inputs, out);
}

/// [`hash_pairs`] with an explicit backend (tests, benchmarks); errors instead of panicking.
pub fn hash_pairs_with(
    backend: Backend,
    inputs: &[[u8; 64]],
    out: &mut [[u8; 32]],
) -> Result<(), KeccakBatchError> {
    if inputs.len() != out.len() {
        return Err(KeccakBatchError::LengthMismatch { inputs: inputs.len(), outputs: out.len() });
    }
    if !backend.is_supported() {
        return Err(KeccakBatchError::Unsupported(backend));
    }
    run(backend, inputs, out);
    Ok(())
}

/// Dispatches to a backend the caller has checked is supported; `inputs.count() == out.len()`.
fn run<M: Messages + ?Sized>(backend: Backend, inputs: &M, out: &mut [[u8; 32]]) {
    debug_assert_eq!(inputs.count(), out.len());
    match backend {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `backend` is only Avx512 when `Backend::is_supported` saw avx512f on this CPU
        // (`backend()` and `hash_pairs_with` both check it).
        Backend::Avx512 => unsafe { x86::hash_avx512(inputs, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above, for avx2.
        Backend::Avx2 => unsafe { x86::hash_avx2(inputs, out) },
        _ => {
            for (i, o) in out.iter_mut().enumerate() {
                *o = hash_one(inputs.get(i));
            }
        }
    }
}

/// keccak256 of one 64-byte message with the portable permutation.
pub fn hash_one(msg: &[u8; 64]) -> [u8; 32] {
    let mut a = [0u64; 25];
    for (lane, chunk) in a.iter_mut().zip(msg.chunks_exact(8)) {
        *lane = u64::from_le_bytes(chunk.try_into().expect("8-byte chunk"));
    }
    a[8] ^= 0x01;
    a[16] ^= 0x8000_0000_0000_0000;
    keccak_f1600(&mut a);
    let mut out = [0u8; 32];
    for (chunk, lane) in out.chunks_exact_mut(8).zip(a) {
        chunk.copy_from_slice(&lane.to_le_bytes());
    }
    out
}

/// The keccak-f[1600] permutation on a scalar state (lane index x + 5y).
pub fn keccak_f1600(a: &mut [u64; 25]) {
    for rc in RC {
        // theta
        let mut c = [0u64; 5];
        for x in 0..5 {
            c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
        }
        for x in 0..5 {
            let d = c[(x + 4) % 5] ^ c[(x + 1) % 5].rotate_left(1);
            for y in 0..5 {
                a[x + 5 * y] ^= d;
            }
        }
        // rho + pi
        let mut b = [0u64; 25];
        for x in 0..5 {
            for y in 0..5 {
                b[y + 5 * ((2 * x + 3 * y) % 5)] = a[x + 5 * y].rotate_left(RHO[x + 5 * y]);
            }
        }
        // chi
        for y in 0..5 {
            for x in 0..5 {
                a[x + 5 * y] = b[x + 5 * y] ^ (!b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y]);
            }
        }
        // iota
        a[0] ^= rc;
    }
}

/// Rotation offsets of rho, by lane index x + 5y.
const RHO: [u32; 25] = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::Messages;

    /// AVX-512 path (filled in below).
    ///
    /// # Safety
    /// The CPU must support avx512f.
    pub(super) unsafe fn hash_avx512<M: Messages + ?Sized>(inputs: &M, out: &mut [[u8; 32]]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = super::hash_one(inputs.get(i));
        }
    }

    /// AVX2 path (filled in below).
    ///
    /// # Safety
    /// The CPU must support avx2.
    pub(super) unsafe fn hash_avx2<M: Messages + ?Sized>(inputs: &M, out: &mut [[u8; 32]]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = super::hash_one(inputs.get(i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keccak::keccak256;

    #[test]
    fn zero_block_vector() {
        let want = hex::decode("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5").unwrap();
        assert_eq!(hash_one(&[0u8; 64]).as_slice(), want.as_slice());
        assert_eq!(keccak256(&[0u8; 64]).as_slice(), want.as_slice());
    }
}
