//! Rampart executor: placeholder crate, filled in by its issue.
