//! One module per subcommand.

pub mod bench;
pub mod demo;
pub mod load_elf;
pub mod run;
pub mod witness;
