//! The 32-byte preimage key: byte 0 is the key type, bytes 1..32 identify the preimage.

use core::fmt;

/// Preimage key types (byte 0 of the key).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum KeyType {
    /// Local input of the program (index in the last 8 bytes).
    Local = 1,
    /// keccak256 of the preimage, byte 0 replaced.
    Keccak256 = 2,
    /// Reserved global generic key.
    GlobalGeneric = 3,
    /// sha256 of the preimage, byte 0 replaced.
    Sha256 = 4,
    /// Blob field element: keccak256(commitment ‖ z), byte 0 replaced.
    Blob = 5,
    /// Precompile result: keccak256(address ‖ gas ‖ input), byte 0 replaced.
    Precompile = 6,
}

impl KeyType {
    /// The type byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }

    /// Lower-case name of the type (as in error messages and logs).
    pub const fn name(self) -> &'static str {
        match self {
            KeyType::Local => "local",
            KeyType::Keccak256 => "keccak256",
            KeyType::GlobalGeneric => "global-generic",
            KeyType::Sha256 => "sha256",
            KeyType::Blob => "blob",
            KeyType::Precompile => "precompile",
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl TryFrom<u8> for KeyType {
    type Error = KeyError;
    fn try_from(b: u8) -> Result<Self, KeyError> {
        Ok(match b {
            1 => KeyType::Local,
            2 => KeyType::Keccak256,
            3 => KeyType::GlobalGeneric,
            4 => KeyType::Sha256,
            5 => KeyType::Blob,
            6 => KeyType::Precompile,
            0 => return Err(KeyError::IllegalType),
            other => return Err(KeyError::UnknownType(other)),
        })
    }
}

/// Why bytes are not a valid preimage key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyError {
    /// Key type 0 is illegal.
    IllegalType,
    /// A type byte this implementation does not serve (7..=255).
    UnknownType(u8),
    /// The key is not 32 bytes long.
    BadLength(usize),
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::IllegalType => f.write_str("illegal preimage key type 0"),
            KeyError::UnknownType(b) => write!(f, "unknown preimage key type {b}"),
            KeyError::BadLength(n) => write!(f, "preimage key must be 32 bytes, got {n}"),
        }
    }
}

impl core::error::Error for KeyError {}

/// A 32-byte preimage key whose type byte is known to be valid.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PreimageKey([u8; 32]);

impl PreimageKey {
    /// A key of type `ty` whose bytes 1..32 are `ident[1..]` (byte 0 of `ident` is replaced by the type).
    pub const fn new(ty: KeyType, ident: [u8; 32]) -> Self {
        let mut k = ident;
        k[0] = ty as u8;
        PreimageKey(k)
    }

    /// Local key `index`: `0x01 ‖ 0^23 ‖ index (u64 BE)`.
    pub const fn local(index: u64) -> Self {
        PreimageKey(rampart_primitives::local_key(index))
    }

    /// The key of a named local input ([`PreimageKey::local`] of its index).
    pub const fn local_input(key: rampart_primitives::LocalKey) -> Self {
        Self::local(key.index())
    }

    /// Global keccak256 key from the full keccak256 digest of the preimage (byte 0 := 2).
    pub const fn keccak256(digest: [u8; 32]) -> Self {
        Self::new(KeyType::Keccak256, digest)
    }

    /// Global sha256 key from the full sha256 digest of the preimage (byte 0 := 4).
    pub const fn sha256(digest: [u8; 32]) -> Self {
        Self::new(KeyType::Sha256, digest)
    }

    /// Blob field element key from keccak256(commitment ‖ z) (byte 0 := 5).
    pub const fn blob(digest: [u8; 32]) -> Self {
        Self::new(KeyType::Blob, digest)
    }

    /// Precompile result key from keccak256(address ‖ gas ‖ input) (byte 0 := 6).
    pub const fn precompile(digest: [u8; 32]) -> Self {
        Self::new(KeyType::Precompile, digest)
    }

    /// The key type.
    pub fn key_type(&self) -> KeyType {
        // The constructors and TryFrom only ever build keys with a valid type byte.
        match KeyType::try_from(self.0[0]) {
            Ok(t) => t,
            Err(_) => KeyType::GlobalGeneric,
        }
    }

    /// The raw 32 bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The raw 32 bytes, by value.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.0
    }

    /// The local index if this is a local key whose bytes 1..24 are zero.
    pub fn local_index(&self) -> Option<u64> {
        if self.0[0] != KeyType::Local as u8 || self.0[1..24].iter().any(|b| *b != 0) {
            return None;
        }
        let mut be = [0u8; 8];
        be.copy_from_slice(&self.0[24..]);
        Some(u64::from_be_bytes(be))
    }

    /// True if `digest` (a full 32-byte hash) identifies this key: bytes 1..32 agree.
    pub fn matches_digest(&self, digest: &[u8; 32]) -> bool {
        self.0[1..] == digest[1..]
    }
}

impl TryFrom<[u8; 32]> for PreimageKey {
    type Error = KeyError;
    fn try_from(b: [u8; 32]) -> Result<Self, KeyError> {
        KeyType::try_from(b[0])?;
        Ok(PreimageKey(b))
    }
}

impl TryFrom<&[u8]> for PreimageKey {
    type Error = KeyError;
    fn try_from(b: &[u8]) -> Result<Self, KeyError> {
        let arr: [u8; 32] = b.try_into().map_err(|_| KeyError::BadLength(b.len()))?;
        PreimageKey::try_from(arr)
    }
}

impl From<PreimageKey> for [u8; 32] {
    fn from(k: PreimageKey) -> [u8; 32] {
        k.0
    }
}

impl fmt::Display for PreimageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", crate::hex::Hex(&self.0))
    }
}

impl fmt::Debug for PreimageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PreimageKey({} 0x{})", self.key_type(), crate::hex::Hex(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_key_layout() {
        let k = PreimageKey::local(0x0102_0304_0506_0708);
        let b = k.to_bytes();
        assert_eq!(b[0], 1);
        assert!(b[1..24].iter().all(|x| *x == 0));
        assert_eq!(&b[24..], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(k.key_type(), KeyType::Local);
        assert_eq!(k.local_index(), Some(0x0102_0304_0506_0708));
    }

    #[test]
    fn global_constructors_replace_byte0_only() {
        let d = [0xabu8; 32];
        for (k, t) in [
            (PreimageKey::keccak256(d), 2u8),
            (PreimageKey::sha256(d), 4),
            (PreimageKey::blob(d), 5),
            (PreimageKey::precompile(d), 6),
        ] {
            assert_eq!(k.as_bytes()[0], t);
            assert_eq!(&k.as_bytes()[1..], &d[1..]);
            assert!(k.matches_digest(&d));
            assert_eq!(k.local_index(), None);
        }
    }

    #[test]
    fn try_from_rejects_type_zero_and_unknown() {
        let mut b = [7u8; 32];
        b[0] = 0;
        assert_eq!(PreimageKey::try_from(b), Err(KeyError::IllegalType));
        for t in [7u8, 128, 129, 255] {
            b[0] = t;
            assert_eq!(PreimageKey::try_from(b), Err(KeyError::UnknownType(t)));
        }
        for t in 1u8..=6 {
            b[0] = t;
            assert_eq!(PreimageKey::try_from(b).map(|k| k.key_type().byte()), Ok(t));
        }
        assert_eq!(PreimageKey::try_from(&b[..31]), Err(KeyError::BadLength(31)));
    }

    #[test]
    fn local_index_rejects_nonzero_middle() {
        let mut b = PreimageKey::local(3).to_bytes();
        b[5] = 1;
        assert_eq!(PreimageKey::try_from(b).unwrap().local_index(), None);
    }

    #[test]
    fn display_is_0x_hex() {
        let k = PreimageKey::local(1);
        assert_eq!(alloc::format!("{k}"), "0x0100000000000000000000000000000000000000000000000000000000000001");
    }
}
