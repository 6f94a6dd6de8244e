//! Rampart verifier: placeholder crate, filled in by its issue.
