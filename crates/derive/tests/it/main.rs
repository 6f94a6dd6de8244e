//! Integration tests of rampart-derive: generated L2 chains posted by a batcher, derived back.

mod harness;
mod pipeline;
mod scenario;
