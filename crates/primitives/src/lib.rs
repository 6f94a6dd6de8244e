#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(not(test), warn(unused_crate_dependencies))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "std")]
pub mod gz;
mod hash;
pub mod hex;
pub mod kv;
mod local;
mod status;

pub use hash::{keccak256, keccak256_pair, sha256};
pub use local::{
    keccak256_preimage_key, local_key, localize, localize_ident, LocalInputs, LocalKey, KECCAK256_KEY_TYPE,
    LOCAL_KEY_TYPE,
};
pub use status::VmStatus;
