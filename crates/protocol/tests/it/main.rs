//! Integration tests of rampart-protocol: real op-node data and round trips.

mod fixtures;
mod roundtrip;
