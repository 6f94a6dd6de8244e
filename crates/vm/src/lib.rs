//! Cannon MT64 compatible MIPS64 VM.
