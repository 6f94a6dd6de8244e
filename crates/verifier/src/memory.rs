//! Memory proofs: a 32-byte leaf and 59 siblings from the bottom of the depth-59 tree up to the root's child.

use crate::error::StepError;
use rampart_primitives::keccak256_pair as keccak_pair;

/// Size of one memory proof.
pub const MEMORY_PROOF_SIZE: usize = 60 * 32;
/// Depth of the memory tree (2^59 leaves of 32 bytes).
const DEPTH: usize = 59;

/// One memory proof, borrowed from the proof bytes.
#[derive(Clone, Copy, Debug)]
pub struct MemoryProof<'a> {
    bytes: &'a [u8],
}

impl<'a> MemoryProof<'a> {
    /// Wraps exactly 1920 bytes.
    pub fn new(bytes: &'a [u8]) -> Option<Self> {
        (bytes.len() == MEMORY_PROOF_SIZE).then_some(Self { bytes })
    }

    fn leaf(&self) -> [u8; 32] {
        let mut l = [0u8; 32];
        l.copy_from_slice(&self.bytes[..32]);
        l
    }

    fn sibling(&self, i: usize) -> [u8; 32] {
        let mut s = [0u8; 32];
        s.copy_from_slice(&self.bytes[32 + 32 * i..64 + 32 * i]);
        s
    }

    /// Root of the tree with `leaf` at the leaf index of `addr`.
    fn root_with(&self, addr: u64, leaf: [u8; 32]) -> [u8; 32] {
        let mut node = leaf;
        let mut path = addr >> 5;
        for i in 0..DEPTH {
            let sib = self.sibling(i);
            node = if path & 1 == 0 { keccak_pair(&node, &sib) } else { keccak_pair(&sib, &node) };
            path >>= 1;
        }
        node
    }

    /// Whether the proof's leaf sits at `addr` under `root`.
    pub fn verifies(&self, addr: u64, root: &[u8; 32]) -> bool {
        self.root_with(addr, self.leaf()) == *root
    }

    /// The 8-byte word at aligned `addr` (only meaningful after [`Self::verifies`]).
    pub fn word(&self, addr: u64) -> u64 {
        let at = (addr & 31) as usize;
        let mut w = [0u8; 8];
        w.copy_from_slice(&self.bytes[at..at + 8]);
        u64::from_be_bytes(w)
    }

    /// The new root after writing `value` at aligned `addr` through the same siblings.
    pub fn root_after_write(&self, addr: u64, value: u64) -> [u8; 32] {
        let mut leaf = self.leaf();
        let at = (addr & 31) as usize;
        leaf[at..at + 8].copy_from_slice(&value.to_be_bytes());
        self.root_with(addr, leaf)
    }
}

/// Reads the word at `addr & !7` from proof `proof`, checking it against `root`.
pub fn read_checked(proof: MemoryProof<'_>, addr: u64, root: &[u8; 32], second: bool) -> Result<u64, StepError> {
    let aligned = addr & !7;
    if !proof.verifies(aligned, root) {
        return Err(if second {
            StepError::InvalidSecondMemoryProof { addr: aligned }
        } else {
            StepError::InvalidMemoryProof { addr: aligned }
        });
    }
    Ok(proof.word(aligned))
}
