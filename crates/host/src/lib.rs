//! Rampart host: placeholder crate, filled in by its issue.
