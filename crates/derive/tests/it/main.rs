//! Integration tests of rampart-derive: generated L2 chains posted by a batcher, derived back.

mod attributes_kona;
mod harness;
mod l1gen;
mod kona_diff;
mod pipeline;
mod scenario;
mod traversal_kona;
