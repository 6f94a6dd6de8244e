//! One module per subcommand.

pub mod bench;
pub mod demo;
pub mod devnet;
pub mod execute_block;
pub mod host;
pub mod load_elf;
pub mod prestate;
pub mod run;
pub mod verify;
pub mod witness;
