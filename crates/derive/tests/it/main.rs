//! Integration tests of rampart-derive: generated L2 chains posted by a batcher, derived back.

mod attributes_kona;
mod harness;
mod kona_diff;
mod l1gen;
mod pipeline;
mod scenario;
mod traversal_kona;
