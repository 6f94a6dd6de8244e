//! `rampart execute-block`: builds one OP L2 block statelessly from a fixture's preimages and checks
//! its hash against the fixture's expected block hash.

use crate::CliError;
use rampart_executor::{build_block, fixture};
use std::path::{Path, PathBuf};

/// Flags of `execute-block`.
#[derive(clap::Args, Debug)]
pub struct ExecuteBlockArgs {
    /// Fixture json (`block-N.json`); its preimages are read from the sibling `block-N.kv.gz`.
    #[arg(long)]
    pub fixture: PathBuf,
}

/// Runs `execute-block`: exit 0 iff the built block's hash equals `expected_block_hash`.
pub fn run(args: ExecuteBlockArgs) -> Result<(), CliError> {
    let path: &Path = &args.fixture;
    let f = fixture::load_fixture(path).map_err(|e| CliError::fail(format!("cannot load fixture: {e}")))?;
    let out = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages)
        .map_err(|e| CliError::fail(format!("block {} failed: {e}", f.parent_header.number + 1)))?;
    println!("block number:        {}", out.header.number);
    println!("transactions:        {}", out.tx_count);
    println!("gas used:            {}", out.gas_used);
    println!("state root:          {}", out.state_root);
    match &out.output_root {
        Ok((mp_root, output_root)) => {
            println!("message passer root: {mp_root}");
            println!("output root:         {output_root}");
        }
        Err(e) => println!("output root:         unavailable ({e}: L2ToL1MessagePasser proof not in the preimages)"),
    }
    println!("block hash:          {}", out.block_hash);
    println!("expected block hash: {}", f.expected_block_hash);
    if out.block_hash == f.expected_block_hash {
        println!("result:              match");
        Ok(())
    } else {
        Err(CliError::fail(format!(
            "block hash mismatch: computed {}, expected {}",
            out.block_hash, f.expected_block_hash
        )))
    }
}
