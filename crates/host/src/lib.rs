//! Rampart preimage host (fault-proof-program spec §5): key-value stores and the preimage server.
//!
//! * [`KeyValueStore`] with [`MemoryKeyValueStore`], [`DirectoryKeyValueStore`] (op-program's `directory`
//!   layout), [`FixtureStore`] (the `block-N.kv.gz` fixtures), [`LocalInputs`] (local keys from the command
//!   line), [`SplitStore`] (local keys to one store, the rest to another) and [`FallbackStore`].
//! * [`PreimageServer`]: serves hints and preimages over four byte streams (the host's fds 3-6 or in-memory
//!   pipes), verifying keccak256 and sha256 preimages against their keys; offline: hints are acknowledged and
//!   recorded but not acted on.
//! * [`HintRouter`] over a [`Fetcher`]: decodes kona-client's hints ([`ParsedHint`]), fetches what they announce
//!   ([`OnlineFetcher`]: L1 / beacon / L2 nodes over JSON-RPC and the beacon API, with timeouts and bounded
//!   retries; [`NativeFetcher`]: precompiles only), verifies every item against the hash that asked for it
//!   ([`verify`]) and writes the preimages to a [`KeyValueStore`].

pub mod dump;
mod errors;
mod fetcher;
mod hints;
mod local;
mod online;
pub mod rpc;
mod server;
mod store;
pub mod verify;

pub use errors::{FetchError, FetchResult};
pub use fetcher::{
    FetchFuture, Fetcher, HintRouter, NativeFetcher, NodeUrls, OnlineFetcher, RouteReport, RouterStats,
    L2_TO_L1_MESSAGE_PASSER,
};
pub use hints::{hint_type, BlockId, HintType, ParsedHint};
pub use online::{FetchOnMiss, OnlineHost, OnlineSummary, SharedStore};

pub use local::{normalize_json, LocalInputs};
pub use server::{
    verify_preimage, HintHandler, PreimageServer, ServeReport, ServerError, MAX_DERIVED_BYTES, REPORTED_HINTS,
};
pub use store::{
    DirectoryKeyValueStore, FallbackStore, FixtureStore, KeyValueStore, MemoryKeyValueStore, SplitStore, StoreError,
    KV_FORMAT_DIRECTORY, KV_FORMAT_FILE,
};

pub use rampart_preimage as preimage;
