//! Integration tests of rampart-protocol: real op-node data and round trips.

mod attributes_kona;
mod attributes_op_node;
mod fixtures;
mod fuzz_bounded;
mod gen;
mod kona_diff;
mod roundtrip;
mod super_root;
