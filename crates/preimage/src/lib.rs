//! Rampart preimage: placeholder crate, filled in by its issue.
