//! The VM status byte of a state hash (Cannon `mipsevm.VmStatus*`, `MIPS64.sol` `outputState`).

/// VM status byte that replaces byte 0 of the keccak256 of a state witness.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum VmStatus {
    /// Exited with code 0.
    Valid = 0,
    /// Exited with code 1.
    Invalid = 1,
    /// Exited with any other code.
    Panic = 2,
    /// Still running.
    Unfinished = 3,
}

impl VmStatus {
    /// The status of an (exited, exit code) pair.
    pub const fn from_exit(exited: bool, exit_code: u8) -> Self {
        match (exited, exit_code) {
            (false, _) => VmStatus::Unfinished,
            (true, 0) => VmStatus::Valid,
            (true, 1) => VmStatus::Invalid,
            (true, _) => VmStatus::Panic,
        }
    }

    /// The status of a status byte, if it is one of the four defined values.
    pub const fn from_byte(b: u8) -> Option<Self> {
        match b {
            0 => Some(VmStatus::Valid),
            1 => Some(VmStatus::Invalid),
            2 => Some(VmStatus::Panic),
            3 => Some(VmStatus::Unfinished),
            _ => None,
        }
    }

    /// The status carried in byte 0 of a state hash (a claim), if defined.
    pub const fn of(hash: &[u8; 32]) -> Option<Self> {
        Self::from_byte(hash[0])
    }

    /// `hash` with byte 0 replaced by this status.
    pub const fn apply(self, mut hash: [u8; 32]) -> [u8; 32] {
        hash[0] = self as u8;
        hash
    }

    /// The status byte.
    pub const fn byte(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for VmStatus {
    type Error = u8;
    fn try_from(b: u8) -> Result<Self, u8> {
        Self::from_byte(b).ok_or(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_and_bytes() {
        assert_eq!(VmStatus::from_exit(false, 0), VmStatus::Unfinished);
        assert_eq!(VmStatus::from_exit(false, 7), VmStatus::Unfinished);
        assert_eq!(VmStatus::from_exit(true, 0), VmStatus::Valid);
        assert_eq!(VmStatus::from_exit(true, 1), VmStatus::Invalid);
        for code in 2..=255u8 {
            assert_eq!(VmStatus::from_exit(true, code), VmStatus::Panic);
        }
        for b in 0..=255u8 {
            assert_eq!(VmStatus::from_byte(b).map(VmStatus::byte), (b < 4).then_some(b));
            assert_eq!(VmStatus::try_from(b).is_ok(), b < 4);
        }
        let h = VmStatus::Panic.apply([0xff; 32]);
        assert_eq!(h[0], 2);
        assert_eq!(h[1..], [0xff; 31]);
        assert_eq!(VmStatus::of(&h), Some(VmStatus::Panic));
        assert_eq!(VmStatus::of(&[9; 32]), None);
    }
}
