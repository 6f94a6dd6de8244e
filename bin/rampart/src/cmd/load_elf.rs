//! `rampart load-elf`: an ELF to an initial state file (and `meta.json`), as `cannon load-elf`.

use crate::CliError;
use rampart_vm::arch::STATE_TYPE_NAME;
use rampart_vm::elf::{Elf, Metadata};
use rampart_vm::state_file;
use std::path::Path;

/// Flags of `load-elf`.
#[derive(clap::Args, Debug)]
pub struct LoadElfArgs {
    /// VM type; only `multithreaded64-5` (state version 8) is supported.
    #[arg(long = "type")]
    pub vm_type: String,
    /// Path of the ELF to load.
    #[arg(long)]
    pub path: String,
    /// Output state (.bin / .bin.gz; `-` = stdout; empty = none).
    #[arg(long, default_value = "state.bin.gz")]
    pub out: String,
    /// Output symbols file; empty = none.
    #[arg(long, default_value = "meta.json")]
    pub meta: String,
}

/// Runs `load-elf`.
pub fn run(args: LoadElfArgs) -> Result<(), CliError> {
    if args.vm_type != STATE_TYPE_NAME {
        return Err(CliError::usage(format!("unsupported --type {:?} (supported: {STATE_TYPE_NAME})", args.vm_type)));
    }
    if !args.out.is_empty() && args.out != "-" && !state_file::is_binary_path(&args.out) {
        return Err(CliError::usage(format!("--out {:?}: json not supported (use .bin or .bin.gz)", args.out)));
    }
    let data = rampart_vm::elf::read_elf_file(Path::new(&args.path))
        .map_err(|e| CliError::fail(format!("reading ELF {}: {e}", args.path)))?;
    let elf = Elf::parse(&data).map_err(|e| CliError::fail(format!("{}: {e}", args.path)))?;
    let state = elf.load().map_err(|e| CliError::fail(format!("{}: {e}", args.path)))?;
    if !args.meta.is_empty() {
        let meta = Metadata { symbols: elf.symbols().map_err(|e| CliError::fail(format!("{}: {e}", args.path)))? };
        let mut json = serde_json::to_string(&meta).expect("serializable");
        json.push('\n');
        state_file::write_atomic(Path::new(&args.meta), json.as_bytes()).map_err(|e| CliError::fail(e.to_string()))?;
    }
    if !args.out.is_empty() {
        state_file::write_state(Path::new(&args.out), &state).map_err(|e| CliError::fail(e.to_string()))?;
    }
    Ok(())
}
