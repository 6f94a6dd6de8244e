//! Rampart mpt: a `no_std` Ethereum Merkle-Patricia trie that resolves its nodes lazily through a
//! [`TrieProvider`] (for example a preimage oracle keyed by `keccak256(node)`).
//!
//! The trie is opened at a root hash, read with [`Trie::get`], changed with [`Trie::insert`] and
//! [`Trie::delete`] (deletes collapse branches into extensions and leaves exactly as Ethereum
//! clients do), and re-hashed with [`Trie::root`]. Child nodes whose RLP encoding is shorter than
//! 32 bytes are embedded in their parent rather than referenced by hash, as in Ethereum.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod node;
mod trie;

pub use alloy_primitives::{Bytes, B256};
pub use node::{decode_nibbles_compact, encode_nibbles_compact};
pub use trie::Trie;

use alloc::collections::BTreeMap;

/// Root hash of the empty trie: `keccak256(rlp(""))`.
pub const EMPTY_ROOT_HASH: B256 =
    alloy_primitives::b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");

/// Errors of trie access.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The provider does not know the preimage of a node hash.
    #[error("missing trie node preimage {0}")]
    MissingNode(B256),
    /// The provider returned bytes that do not hash to the requested key.
    #[error("preimage for {0} does not hash to it")]
    HashMismatch(B256),
    /// A node fetched by hash is not a valid trie node.
    #[error("invalid trie node {hash}: {reason}")]
    InvalidNode {
        /// Hash under which the node was fetched.
        hash: B256,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// Source of trie node preimages, keyed by `keccak256(node_rlp)`.
pub trait TrieProvider {
    /// Returns the RLP of the node whose keccak256 is `hash`, or [`Error::MissingNode`].
    fn node(&self, hash: B256) -> Result<Bytes, Error>;

    /// Whether every answer of [`TrieProvider::node`] is guaranteed to hash to its key, so that readers may skip
    /// re-hashing it. Only a fault-proof VM's preimage oracle gives that guarantee (its keccak256 preimages are
    /// checked when loaded into the on-chain PreimageOracle, so a step that reads a wrong one cannot be proven);
    /// a store filled from files or the network does not.
    fn hashes_verified(&self) -> bool {
        false
    }
}

impl<T: TrieProvider + ?Sized> TrieProvider for &T {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        (**self).node(hash)
    }
    fn hashes_verified(&self) -> bool {
        (**self).hashes_verified()
    }
}

impl TrieProvider for BTreeMap<B256, Bytes> {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        self.get(&hash).cloned().ok_or(Error::MissingNode(hash))
    }
}

#[cfg(feature = "std")]
impl<S: core::hash::BuildHasher> TrieProvider for std::collections::HashMap<B256, Bytes, S> {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        self.get(&hash).cloned().ok_or(Error::MissingNode(hash))
    }
}

/// A provider that knows no preimage (for tries built from scratch).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopProvider;

impl TrieProvider for NoopProvider {
    fn node(&self, hash: B256) -> Result<Bytes, Error> {
        Err(Error::MissingNode(hash))
    }
}
