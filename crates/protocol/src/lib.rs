#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod block;
pub mod errors;
mod frame;

pub use block::{BlockInfo, L2BlockInfo};
pub use errors::FrameError;
pub use frame::{decode_frames, encode_frames, ChannelId, Frame, DERIVATION_VERSION_0, FRAME_OVERHEAD, MAX_FRAME_LEN};
