//! Rampart devnet: a local OP Stack chain on real nodes — geth `--dev` as L1 and op-geth as the L2 execution
//! engine — with Rampart as the sequencer (Engine API), the batcher (calldata and blob channels), the blob
//! archiver (beacon API) and the recorder of fault-proof datasets.

pub mod archiver;
pub mod artifacts;
pub mod batcher;
pub mod blobs;
pub mod chain;
pub mod checks;
pub mod claims;
pub mod dataset;
pub mod devnet;
mod errors;
pub mod genesis;
pub mod l1;
pub mod nodes;
pub mod record;
pub mod rpc;
pub mod sequencer;
pub mod txgen;
pub mod wallet;

pub use devnet::{up, up_with_record, Devnet, Endpoints, Node, Ports, RunSummary, UpOptions};
pub use errors::{DevnetError, Result};
