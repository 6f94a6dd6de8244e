//! Rampart mpt: placeholder crate, filled in by its issue.
