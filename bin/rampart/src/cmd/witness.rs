//! `rampart witness`: prints the witness JSON of a state (and optionally writes the raw 188 bytes).

use crate::CliError;
use rampart_vm::proof::WitnessJson;
use rampart_vm::state::state_hash_from_witness;
use rampart_vm::state_file;
use std::path::Path;

/// Flags of `witness`.
#[derive(clap::Args, Debug)]
pub struct WitnessArgs {
    /// Binary state to read.
    #[arg(long)]
    pub input: String,
    /// Optional path for the raw 188-byte witness.
    #[arg(long, default_value = "")]
    pub output: String,
}

/// Runs `witness`.
pub fn run(args: WitnessArgs) -> Result<(), CliError> {
    let mut state = state_file::read_state(Path::new(&args.input)).map_err(|e| CliError::fail(e.to_string()))?;
    let witness = state.encode_witness();
    let hash = state_hash_from_witness(&witness);
    if !args.output.is_empty() {
        state_file::write_atomic(Path::new(&args.output), &witness).map_err(|e| CliError::fail(e.to_string()))?;
    }
    let out = WitnessJson {
        state_version: state.version(),
        witness_hash: hash.to_vec(),
        witness: witness.to_vec(),
        step: state.step,
        exited: state.exited,
        exit_code: state.exit_code,
    };
    println!("{}", serde_json::to_string_pretty(&out).expect("serializable"));
    Ok(())
}
