//! Integration tests of rampart-protocol: real op-node data and round trips.

mod fixtures;
mod fuzz_bounded;
mod gen;
mod kona_diff;
mod roundtrip;
