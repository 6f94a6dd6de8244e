//! Rampart preimage oracle ABI (fault-proof-program spec §3, Cannon spec §7).
//!
//! * [`PreimageKey`] / [`KeyType`]: the 32-byte key (byte 0 = type) and its constructors.
//! * [`Hint`]: `"<type> 0x<hex>"` hints, framed as `u32` BE length ‖ bytes and acked with one `0x00` byte.
//! * Preimage framing: a 32-byte key is answered with `u64` BE length ‖ data.
//! * [`Channel`], [`OracleReader`], [`HintWriter`]: the client halves over any byte channel.
//! * [`local`]: the single-chain local key indices.
//! * [`selftest`]: the oracle end-to-end check program shared by the MIPS64 guest and native tests.
//!
//! `no_std` with `alloc` and no dependencies, so the MIPS64 guests can use it; the `std` feature adds in-memory
//! pipes and `std::io` adapters ([`native`]).
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod channel;
pub mod hex;
mod hint;
mod key;
#[cfg(feature = "std")]
pub mod native;
pub mod selftest;

pub use channel::{
    frame_preimage, Channel, ChannelError, HintWriter, OracleError, OracleReader, DEFAULT_MAX_PREIMAGE_LEN, HINT_ACK,
};
pub use hint::{Hint, HintError, MAX_HINT_LEN};
pub use key::{KeyError, KeyType, PreimageKey};

/// Local key indices of the single-chain program (fault-proof-program spec §3.2, kona numbering).
pub mod local {
    /// L1 head block hash (32 bytes).
    pub const L1_HEAD: u64 = 1;
    /// Agreed L2 output root (32 bytes).
    pub const L2_OUTPUT_ROOT: u64 = 2;
    /// Disputed L2 output root claim (32 bytes).
    pub const L2_CLAIM: u64 = 3;
    /// L2 claim block number (u64 big-endian).
    pub const L2_CLAIM_BLOCK_NUMBER: u64 = 4;
    /// L2 chain id (u64 big-endian).
    pub const L2_CHAIN_ID: u64 = 5;
    /// Rollup config JSON (fallback when the chain is not embedded).
    pub const L2_ROLLUP_CONFIG: u64 = 6;
    /// L1 chain config JSON (fallback when the chain is not embedded).
    pub const L1_CONFIG: u64 = 7;
}
