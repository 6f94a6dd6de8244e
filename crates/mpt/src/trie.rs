//! The lazily resolved Merkle-Patricia trie.

use crate::node::{to_nibbles, Node};
use crate::{Error, TrieProvider, B256, EMPTY_ROOT_HASH};
use alloc::{boxed::Box, vec::Vec};
use alloy_primitives::{keccak256, Bytes};

/// A Merkle-Patricia trie opened at a root; nodes are fetched from a [`TrieProvider`] on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trie {
    root: Node,
}

impl Default for Trie {
    fn default() -> Self {
        Self::new()
    }
}

/// Fetches and decodes the node behind `hash`, checking that the preimage hashes to it (unless the provider
/// guarantees it).
fn resolve<P: TrieProvider + ?Sized>(hash: B256, provider: &P) -> Result<Node, Error> {
    let raw = provider.node(hash)?;
    if !provider.hashes_verified() && keccak256(&raw) != hash {
        return Err(Error::HashMismatch(hash));
    }
    Node::decode(&raw).map_err(|reason| Error::InvalidNode { hash, reason })
}

fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn concat(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    v
}

/// Places `value` at `rest` (relative to a fresh branch) inside `branch`.
fn place_in_branch(branch: &mut Node, rest: &[u8], value: Bytes) {
    if let Node::Branch { children, value: bv } = branch {
        if rest.is_empty() {
            *bv = Some(value);
        } else {
            children[rest[0] as usize] = Node::Leaf { path: rest[1..].to_vec(), value };
        }
    }
}

impl Trie {
    /// An empty trie.
    pub fn new() -> Self {
        Self { root: Node::Empty }
    }

    /// Opens the trie whose root hash is `root` (nothing is fetched until accessed).
    pub fn open(root: B256) -> Self {
        if root == EMPTY_ROOT_HASH {
            Self::new()
        } else {
            Self { root: Node::Hash(root) }
        }
    }

    /// Looks up `key`; fetches the nodes on its path without caching them.
    pub fn get<P: TrieProvider + ?Sized>(&self, key: &[u8], provider: &P) -> Result<Option<Bytes>, Error> {
        let path = to_nibbles(key);
        get_in(&self.root, &path, provider)
    }

    /// Looks up `key`, keeping the resolved nodes in memory for later accesses.
    pub fn get_cached<P: TrieProvider + ?Sized>(&mut self, key: &[u8], provider: &P) -> Result<Option<Bytes>, Error> {
        let path = to_nibbles(key);
        get_mut_in(&mut self.root, &path, provider)
    }

    /// Sets `key` to `value`; an empty value deletes the key (Ethereum semantics).
    pub fn insert<P: TrieProvider + ?Sized>(&mut self, key: &[u8], value: Bytes, provider: &P) -> Result<(), Error> {
        if value.is_empty() {
            self.delete(key, provider)?;
            return Ok(());
        }
        let path = to_nibbles(key);
        insert_at(&mut self.root, &path, value, provider)
    }

    /// Removes `key`, collapsing branches left with a single child; returns whether it existed.
    pub fn delete<P: TrieProvider + ?Sized>(&mut self, key: &[u8], provider: &P) -> Result<bool, Error> {
        let path = to_nibbles(key);
        delete_at(&mut self.root, &path, provider)
    }

    /// Root hash of the trie in its current state.
    pub fn root(&self) -> B256 {
        self.root.root_hash()
    }

    /// RLP of every in-memory node that is referenced by hash (including the root), i.e. the
    /// preimages a provider needs to reopen this trie at [`Trie::root`] and walk the loaded paths.
    pub fn preimages(&self) -> Vec<Bytes> {
        let mut out = Vec::new();
        self.root.collect_hashed(true, &mut out);
        out
    }

    /// Whether the trie has no entries.
    pub fn is_empty(&self) -> bool {
        matches!(self.root, Node::Empty)
    }
}

fn get_in<P: TrieProvider + ?Sized>(node: &Node, path: &[u8], provider: &P) -> Result<Option<Bytes>, Error> {
    match node {
        Node::Empty => Ok(None),
        Node::Hash(h) => {
            let n = resolve(*h, provider)?;
            get_in(&n, path, provider)
        }
        Node::Leaf { path: lp, value } => Ok((lp.as_slice() == path).then(|| value.clone())),
        Node::Extension { path: ep, child } => {
            if path.starts_with(ep) {
                get_in(child, &path[ep.len()..], provider)
            } else {
                Ok(None)
            }
        }
        Node::Branch { children, value } => match path.split_first() {
            None => Ok(value.clone()),
            Some((&i, rest)) => get_in(&children[i as usize], rest, provider),
        },
    }
}

fn get_mut_in<P: TrieProvider + ?Sized>(node: &mut Node, path: &[u8], provider: &P) -> Result<Option<Bytes>, Error> {
    if let Node::Hash(h) = node {
        *node = resolve(*h, provider)?;
    }
    match node {
        Node::Empty | Node::Hash(_) => Ok(None),
        Node::Leaf { path: lp, value } => Ok((lp.as_slice() == path).then(|| value.clone())),
        Node::Extension { path: ep, child } => {
            if path.starts_with(ep) {
                get_mut_in(child, &path[ep.len()..], provider)
            } else {
                Ok(None)
            }
        }
        Node::Branch { children, value } => match path.split_first() {
            None => Ok(value.clone()),
            Some((&i, rest)) => get_mut_in(&mut children[i as usize], rest, provider),
        },
    }
}

fn insert_at<P: TrieProvider + ?Sized>(node: &mut Node, path: &[u8], value: Bytes, provider: &P) -> Result<(), Error> {
    if let Node::Hash(h) = node {
        *node = resolve(*h, provider)?;
    }
    match node {
        Node::Empty | Node::Hash(_) => {
            *node = Node::Leaf { path: path.to_vec(), value };
        }
        Node::Leaf { path: lp, value: lv } => {
            if lp.as_slice() == path {
                *lv = value;
                return Ok(());
            }
            let common = common_prefix(lp, path);
            let mut branch = Node::empty_branch();
            place_in_branch(&mut branch, &lp[common..], lv.clone());
            place_in_branch(&mut branch, &path[common..], value);
            *node = if common > 0 {
                Node::Extension { path: path[..common].to_vec(), child: Box::new(branch) }
            } else {
                branch
            };
        }
        Node::Extension { path: ep, child } => {
            let common = common_prefix(ep, path);
            if common == ep.len() {
                return insert_at(child, &path[common..], value, provider);
            }
            let mut branch = Node::empty_branch();
            let idx = ep[common] as usize;
            let rest = &ep[common + 1..];
            let old_child = core::mem::replace(child.as_mut(), Node::Empty);
            let moved = if rest.is_empty() {
                old_child
            } else {
                Node::Extension { path: rest.to_vec(), child: Box::new(old_child) }
            };
            if let Node::Branch { children, .. } = &mut branch {
                children[idx] = moved;
            }
            place_in_branch(&mut branch, &path[common..], value);
            *node = if common > 0 {
                Node::Extension { path: ep[..common].to_vec(), child: Box::new(branch) }
            } else {
                branch
            };
        }
        Node::Branch { children, value: bv } => match path.split_first() {
            None => *bv = Some(value),
            Some((&i, rest)) => insert_at(&mut children[i as usize], rest, value, provider)?,
        },
    }
    Ok(())
}

fn delete_at<P: TrieProvider + ?Sized>(node: &mut Node, path: &[u8], provider: &P) -> Result<bool, Error> {
    if let Node::Hash(h) = node {
        *node = resolve(*h, provider)?;
    }
    match node {
        Node::Empty | Node::Hash(_) => Ok(false),
        Node::Leaf { path: lp, .. } => {
            if lp.as_slice() == path {
                *node = Node::Empty;
                Ok(true)
            } else {
                Ok(false)
            }
        }
        Node::Extension { path: ep, child } => {
            if !path.starts_with(ep) {
                return Ok(false);
            }
            let n = ep.len();
            if !delete_at(child, &path[n..], provider)? {
                return Ok(false);
            }
            let c = core::mem::replace(child.as_mut(), Node::Empty);
            *node = match c {
                Node::Empty => Node::Empty,
                Node::Leaf { path: cp, value } => Node::Leaf { path: concat(ep, &cp), value },
                Node::Extension { path: cp, child: cc } => Node::Extension { path: concat(ep, &cp), child: cc },
                other => Node::Extension { path: core::mem::take(ep), child: Box::new(other) },
            };
            Ok(true)
        }
        Node::Branch { children, value } => {
            let deleted = match path.split_first() {
                None => value.take().is_some(),
                Some((&i, rest)) => delete_at(&mut children[i as usize], rest, provider)?,
            };
            if !deleted {
                return Ok(false);
            }
            let mut live = children.iter().enumerate().filter(|(_, c)| !matches!(c, Node::Empty)).map(|(i, _)| i);
            let first = live.next();
            let more = live.next().is_some();
            match (first, more, value.is_some()) {
                (_, true, _) | (Some(_), false, true) => {}
                (None, _, _) => {
                    *node = match value.take() {
                        Some(v) => Node::Leaf { path: Vec::new(), value: v },
                        None => Node::Empty,
                    };
                }
                (Some(i), false, false) => {
                    let mut only = core::mem::replace(&mut children[i], Node::Empty);
                    if let Node::Hash(h) = only {
                        only = resolve(h, provider)?;
                    }
                    let nib = [i as u8];
                    *node = match only {
                        Node::Leaf { path: cp, value } => Node::Leaf { path: concat(&nib, &cp), value },
                        Node::Extension { path: cp, child } => Node::Extension { path: concat(&nib, &cp), child },
                        other => Node::Extension { path: nib.to_vec(), child: Box::new(other) },
                    };
                }
            }
            Ok(true)
        }
    }
}
