//! `rampart prestate`: the absolute prestate hash of a guest ELF (the state `load-elf` writes, hashed as Cannon's
//! `witness` does: keccak256 of the 188-byte witness with byte 0 replaced by the VM status).

use crate::CliError;
use rampart_vm::elf::Elf;
use rampart_vm::state::state_hash_from_witness;

/// The bundled fault-proof program.
pub const BUNDLED_PROGRAM: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../guests/bin/rampart-program.elf");

/// Flags of `prestate`.
#[derive(clap::Args, Debug)]
pub struct PrestateArgs {
    /// Guest ELF (default: the bundled guests/bin/rampart-program.elf).
    #[arg(long)]
    pub elf: Option<String>,
}

/// The absolute prestate hash of the ELF at `path`.
pub fn prestate_hash(path: &str) -> Result<[u8; 32], CliError> {
    let data = std::fs::read(path).map_err(|e| CliError::fail(format!("reading ELF {path}: {e}")))?;
    let elf = Elf::parse(&data).map_err(|e| CliError::fail(format!("{path}: {e}")))?;
    let mut state = elf.load().map_err(|e| CliError::fail(format!("{path}: {e}")))?;
    Ok(state_hash_from_witness(&state.encode_witness()))
}

/// Runs `prestate`: prints `0x<hash>`.
pub fn run(args: PrestateArgs) -> Result<(), CliError> {
    let path = args.elf.as_deref().unwrap_or(BUNDLED_PROGRAM);
    println!("0x{}", hex::encode(prestate_hash(path)?));
    Ok(())
}
