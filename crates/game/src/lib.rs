//! Rampart game: placeholder crate, filled in by its issue.
