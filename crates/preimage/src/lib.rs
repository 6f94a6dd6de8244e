//! Rampart preimage oracle ABI (fault-proof-program spec §3, Cannon spec §7).
//!
//! * [`PreimageKey`] / [`KeyType`]: the 32-byte key (byte 0 = type) and its constructors.
//! * [`Hint`]: `"<type> 0x<hex>"` hints, framed as `u32` BE length ‖ bytes and acked with one `0x00` byte.
//! * Preimage framing: a 32-byte key is answered with `u64` BE length ‖ data.
//! * [`Channel`], [`OracleReader`], [`HintWriter`]: the client halves over any byte channel.
//! * [`LocalKey`] (from `rampart-primitives`): the single-chain local key indices.
//! * `selftest` (feature `test-utils`): the oracle end-to-end check program shared by the MIPS64 guest and
//!   native tests.
//!
//! `no_std` with `alloc` and only `rampart-primitives` as a dependency, so the MIPS64 guests can use it; the `std` feature adds in-memory
//! pipes and `std::io` adapters ([`native`]).
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod channel;
mod hint;
mod key;
#[cfg(feature = "std")]
pub mod native;
#[cfg(feature = "test-utils")]
pub mod selftest;

pub use channel::{
    frame_preimage, Channel, ChannelError, HintWriter, OracleError, OracleReader, DEFAULT_MAX_PREIMAGE_LEN, HINT_ACK,
};
pub use hint::{Hint, HintError, MAX_HINT_LEN};
pub use key::{KeyError, KeyType, PreimageKey};
pub use rampart_primitives::{hex, LocalKey};
