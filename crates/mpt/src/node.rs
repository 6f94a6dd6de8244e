//! Trie node representation and its RLP encoding / decoding.

use alloc::{boxed::Box, vec::Vec};
use alloy_primitives::{keccak256, Bytes, B256};
use alloy_rlp::Header;

/// In-memory trie node. Paths are nibble vectors (one nibble per byte).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// No node.
    Empty,
    /// A node known only by its hash, not resolved yet.
    Hash(B256),
    /// A leaf: remaining key nibbles and value.
    Leaf { path: Vec<u8>, value: Bytes },
    /// An extension: shared nibbles (non-empty) and the child.
    Extension { path: Vec<u8>, child: Box<Node> },
    /// A branch: 16 children and an optional value.
    Branch { children: Box<[Node; 16]>, value: Option<Bytes> },
}

impl Node {
    /// A branch without children or value.
    pub(crate) fn empty_branch() -> Self {
        Node::Branch { children: Box::new(core::array::from_fn(|_| Node::Empty)), value: None }
    }

    /// Full RLP encoding of this node (not meaningful for `Hash`, which encodes as its hash).
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Node::Empty => out.push(alloy_rlp::EMPTY_STRING_CODE),
            Node::Hash(h) => encode_bytes(h.as_slice(), out),
            Node::Leaf { path, value } => {
                let mut payload = Vec::with_capacity(value.len() + path.len() / 2 + 8);
                encode_bytes(&encode_nibbles_compact(path, true), &mut payload);
                encode_bytes(value, &mut payload);
                wrap_list(&payload, out);
            }
            Node::Extension { path, child } => {
                let mut payload = Vec::with_capacity(64);
                encode_bytes(&encode_nibbles_compact(path, false), &mut payload);
                child.encode_ref(&mut payload);
                wrap_list(&payload, out);
            }
            Node::Branch { children, value } => {
                let mut payload = Vec::with_capacity(17 * 33);
                for c in children.iter() {
                    c.encode_ref(&mut payload);
                }
                match value {
                    Some(v) => encode_bytes(v, &mut payload),
                    None => payload.push(alloy_rlp::EMPTY_STRING_CODE),
                }
                wrap_list(&payload, out);
            }
        }
    }

    /// Encoding of this node as a child reference: inline if its RLP is shorter than 32 bytes,
    /// else the RLP of its keccak256 hash.
    pub(crate) fn encode_ref(&self, out: &mut Vec<u8>) {
        match self {
            Node::Empty => out.push(alloy_rlp::EMPTY_STRING_CODE),
            Node::Hash(h) => encode_bytes(h.as_slice(), out),
            _ => {
                let mut enc = Vec::with_capacity(64);
                self.encode(&mut enc);
                if enc.len() < 32 {
                    out.extend_from_slice(&enc);
                } else {
                    encode_bytes(keccak256(&enc).as_slice(), out);
                }
            }
        }
    }

    /// Appends the RLP of every node of this subtree that is referenced by hash (encoding of 32
    /// bytes or more, or the root itself when `is_root`); unresolved `Hash` nodes are skipped.
    pub(crate) fn collect_hashed(&self, is_root: bool, out: &mut Vec<Bytes>) {
        match self {
            Node::Empty | Node::Hash(_) => return,
            Node::Leaf { .. } => {}
            Node::Extension { child, .. } => child.collect_hashed(false, out),
            Node::Branch { children, .. } => {
                for c in children.iter() {
                    c.collect_hashed(false, out);
                }
            }
        }
        let mut enc = Vec::with_capacity(64);
        self.encode(&mut enc);
        if is_root || enc.len() >= 32 {
            out.push(Bytes::from(enc));
        }
    }

    /// Hash of this node as a trie root (always hashed, even when short).
    pub(crate) fn root_hash(&self) -> B256 {
        match self {
            Node::Empty => crate::EMPTY_ROOT_HASH,
            Node::Hash(h) => *h,
            _ => {
                let mut enc = Vec::with_capacity(600);
                self.encode(&mut enc);
                keccak256(&enc)
            }
        }
    }

    /// Decodes a full node RLP (a list of 2 or 17 items).
    pub(crate) fn decode(buf: &[u8]) -> Result<Self, &'static str> {
        let mut rest = buf;
        let header = Header::decode(&mut rest).map_err(|_| "bad rlp header")?;
        if !header.list {
            return Err("node is not an rlp list");
        }
        if rest.len() != header.payload_length {
            return Err("node rlp length mismatch");
        }
        let mut items: Vec<&[u8]> = Vec::with_capacity(17);
        let mut payload = rest;
        while !payload.is_empty() {
            if items.len() == 17 {
                return Err("too many items in node");
            }
            let mut probe = payload;
            let h = Header::decode(&mut probe).map_err(|_| "bad rlp item")?;
            let header_len = payload.len() - probe.len();
            let total = header_len.checked_add(h.payload_length).ok_or("rlp item overflow")?;
            if total > payload.len() {
                return Err("rlp item exceeds node");
            }
            items.push(&payload[..total]);
            payload = &payload[total..];
        }
        match items.len() {
            2 => {
                let encoded_path = string_payload(items[0])?;
                let (path, is_leaf) = decode_nibbles_compact(encoded_path).ok_or("bad compact path")?;
                if is_leaf {
                    let value = string_payload(items[1])?;
                    Ok(Node::Leaf { path, value: Bytes::copy_from_slice(value) })
                } else {
                    if path.is_empty() {
                        return Err("extension with empty path");
                    }
                    let child = decode_ref(items[1])?;
                    if matches!(child, Node::Empty) {
                        return Err("extension with empty child");
                    }
                    Ok(Node::Extension { path, child: Box::new(child) })
                }
            }
            17 => {
                let mut children: [Node; 16] = core::array::from_fn(|_| Node::Empty);
                for (i, item) in items[..16].iter().enumerate() {
                    children[i] = decode_ref(item)?;
                }
                let v = string_payload(items[16])?;
                let value = if v.is_empty() { None } else { Some(Bytes::copy_from_slice(v)) };
                Ok(Node::Branch { children: Box::new(children), value })
            }
            _ => Err("node must have 2 or 17 items"),
        }
    }
}

/// Decodes a child reference: empty string, 32-byte hash, or inline node (list shorter than 32 bytes).
fn decode_ref(item: &[u8]) -> Result<Node, &'static str> {
    let mut rest = item;
    let h = Header::decode(&mut rest).map_err(|_| "bad child rlp")?;
    if h.list {
        if item.len() >= 32 {
            return Err("inline node of 32 bytes or more");
        }
        Node::decode(item)
    } else {
        match h.payload_length {
            0 => Ok(Node::Empty),
            32 => Ok(Node::Hash(B256::from_slice(&rest[..32]))),
            _ => Err("child reference is neither empty, a hash nor an inline node"),
        }
    }
}

/// Payload of an RLP string item.
fn string_payload(item: &[u8]) -> Result<&[u8], &'static str> {
    let mut rest = item;
    let h = Header::decode(&mut rest).map_err(|_| "bad rlp string")?;
    if h.list {
        return Err("expected rlp string, found list");
    }
    Ok(&rest[..h.payload_length])
}

/// Appends the RLP encoding of a byte string.
pub(crate) fn encode_bytes(bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.len() == 1 && bytes[0] < alloy_rlp::EMPTY_STRING_CODE {
        out.push(bytes[0]);
    } else {
        Header { list: false, payload_length: bytes.len() }.encode(out);
        out.extend_from_slice(bytes);
    }
}

fn wrap_list(payload: &[u8], out: &mut Vec<u8>) {
    Header { list: true, payload_length: payload.len() }.encode(out);
    out.extend_from_slice(payload);
}

/// Hex-prefix ("compact") encoding of a nibble path with the leaf flag.
pub fn encode_nibbles_compact(nibbles: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 2u8 } else { 0u8 };
    let mut out = Vec::with_capacity(nibbles.len() / 2 + 1);
    let rest = if nibbles.len() % 2 == 1 {
        out.push(((flag + 1) << 4) | (nibbles[0] & 0x0f));
        &nibbles[1..]
    } else {
        out.push(flag << 4);
        nibbles
    };
    for pair in rest.chunks_exact(2) {
        out.push((pair[0] << 4) | (pair[1] & 0x0f));
    }
    out
}

/// Decodes a hex-prefix path into (nibbles, is_leaf); `None` if malformed.
pub fn decode_nibbles_compact(encoded: &[u8]) -> Option<(Vec<u8>, bool)> {
    let first = *encoded.first()?;
    let flag = first >> 4;
    if flag > 3 {
        return None;
    }
    let leaf = flag & 2 != 0;
    let odd = flag & 1 != 0;
    let mut nibbles = Vec::with_capacity(encoded.len() * 2);
    if odd {
        nibbles.push(first & 0x0f);
    } else if first & 0x0f != 0 {
        return None;
    }
    for b in &encoded[1..] {
        nibbles.push(b >> 4);
        nibbles.push(b & 0x0f);
    }
    Some((nibbles, leaf))
}

/// Splits bytes into nibbles.
pub(crate) fn to_nibbles(key: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(key.len() * 2);
    for b in key {
        out.push(b >> 4);
        out.push(b & 0x0f);
    }
    out
}
