#![doc = include_str!("../README.md")]
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod attributes;
pub mod errors;
pub mod signal;
pub mod sources;
pub mod stages;
pub mod system_config;
pub mod traits;
pub mod validity;

pub use attributes::StatefulAttributesBuilder;
pub use errors::{PipelineError, PipelineErrorKind, PipelineResult, ResetError};
pub use signal::{ActivationSignal, ResetSignal, Signal};
pub use traits::{
    BlobProvider, ChainProvider, DataAvailabilityProvider, IndexedBlobHash, L2ChainProvider, OriginAdvancer,
    OriginProvider, SignalReceiver,
};
