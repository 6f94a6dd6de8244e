//! `rampart execute-block`: builds one OP L2 block statelessly from a fixture's preimages and checks
//! its hash against the fixture's expected block hash; or, with `--export <dir>`, writes everything the MIPS64
//! executor guest (`guests/rust-executor`) needs into an op-program directory store and prints the local inputs
//! to give `rampart host --server`.

use crate::CliError;
use rampart_executor::{
    build_block, build_block_with, fixture, input, precompiles::RecordingPrecompiles, BuildOptions,
};
use rampart_host::preimage::PreimageKey;
use rampart_host::{DirectoryKeyValueStore, KeyValueStore};
use std::path::{Path, PathBuf};

/// Flags of `execute-block`.
#[derive(clap::Args, Debug)]
pub struct ExecuteBlockArgs {
    /// Fixture json (`block-N.json`); its preimages are read from the sibling `block-N.kv.gz`.
    #[arg(long)]
    pub fixture: PathBuf,
    /// Instead of executing natively, write an op-program directory store to this directory holding every
    /// preimage the executor guest reads (keccak256 keys): the fixture's preimages, the parent header, the
    /// attributes blob and the chain config blob; then print the local inputs for `rampart host --server`.
    #[arg(long)]
    pub export: Option<PathBuf>,
}

/// What `--export` wrote: the values of local keys 1-5 for the executor guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedInputs {
    /// Local key 1 (`--l1-head`): parent block hash.
    pub parent_hash: [u8; 32],
    /// Local key 2 (`--l2-output-root`): keccak256 of the attributes blob.
    pub attributes_hash: [u8; 32],
    /// Local key 3 (`--l2-claim`): expected (claimed) block hash.
    pub claimed_hash: [u8; 32],
    /// Local key 4 (`--l2-block-number`): number of the block to build.
    pub block_number: u64,
    /// Local key 5 (`--l2-chain-id`): L2 chain id.
    pub chain_id: u64,
    /// Number of distinct preimages written.
    pub preimages: usize,
    /// Of those, precompile answers (type-6 keys) for the accelerated guest.
    pub precompile_answers: usize,
}

/// Writes the executor guest's preimages for fixture `f` into a directory store at `dir`.
pub fn export(f: &fixture::Fixture, dir: &Path) -> Result<ExportedInputs, CliError> {
    let store_err = |e: rampart_host::StoreError| CliError::fail(format!("export to {}: {e}", dir.display()));
    let mut store = DirectoryKeyValueStore::open(dir).map_err(store_err)?;
    let put = |store: &mut DirectoryKeyValueStore, value: Vec<u8>| -> Result<[u8; 32], CliError> {
        let hash = rampart_primitives::keccak256(&value);
        store.set(PreimageKey::keccak256(hash), value).map_err(store_err)?;
        Ok(hash)
    };
    let mut count = 0;
    for key in f.preimages.keys() {
        let value = f.preimages.get(key).map_err(|e| CliError::fail(e.to_string()))?;
        put(&mut store, value.to_vec())?;
        count += 1;
    }
    let parent_hash = put(&mut store, input::encode_header(&f.parent_header))?;
    let config_hash = put(&mut store, input::encode_chain_config(&f.config))?;
    let attributes_hash = put(&mut store, input::encode_attributes(&f.attributes, config_hash.into()))?;
    count +=
        [parent_hash, config_hash, attributes_hash].iter().filter(|h| !f.preimages.contains(&(**h).into())).count();
    let block_number =
        f.parent_header.number.checked_add(1).ok_or_else(|| {
            CliError::fail(format!("parent block number {} has no successor", f.parent_header.number))
        })?;
    // The accelerated guest asks the precompile oracle: build the block natively once, recording every call, and
    // store each answer under its type-6 key (and the call itself under its keccak256 key, as kona-host does).
    let recorder = std::sync::Arc::new(RecordingPrecompiles::default());
    let options = BuildOptions { precompiles: Some(recorder.clone()), ..Default::default() };
    build_block_with(&f.config, &f.parent_header, &f.attributes, &f.preimages, &options)
        .map_err(|e| CliError::fail(format!("block {} failed: {e}", block_number)))?;
    let calls = recorder.take();
    for (hash, (payload, answer)) in &calls {
        store.set(PreimageKey::precompile(hash.0), answer.clone()).map_err(store_err)?;
        let stored = store.get(&PreimageKey::keccak256(hash.0)).map_err(store_err)?.is_some();
        store.set(PreimageKey::keccak256(hash.0), payload.clone()).map_err(store_err)?;
        count += 1 + usize::from(!stored);
    }
    Ok(ExportedInputs {
        parent_hash,
        attributes_hash,
        claimed_hash: f.expected_block_hash.0,
        block_number,
        chain_id: f.config.chain_id,
        preimages: count,
        precompile_answers: calls.len(),
    })
}

/// Runs `execute-block`: exit 0 iff the built block's hash equals `expected_block_hash`.
pub fn run(args: ExecuteBlockArgs) -> Result<(), CliError> {
    let path: &Path = &args.fixture;
    let f = fixture::load_fixture(path).map_err(|e| CliError::fail(format!("cannot load fixture: {e}")))?;
    if let Some(dir) = &args.export {
        let x = export(&f, dir)?;
        println!(
            "exported {} preimages ({} precompile answers) to {}",
            x.preimages,
            x.precompile_answers,
            dir.display()
        );
        println!(
            "host args: --l1-head 0x{} --l2-output-root 0x{} --l2-claim 0x{} --l2-block-number {} --l2-chain-id {}",
            rampart_primitives::hex::Hex(&x.parent_hash),
            rampart_primitives::hex::Hex(&x.attributes_hash),
            rampart_primitives::hex::Hex(&x.claimed_hash),
            x.block_number,
            x.chain_id
        );
        return Ok(());
    }
    let out = build_block(&f.config, &f.parent_header, &f.attributes, &f.preimages)
        .map_err(|e| CliError::fail(format!("building the child of block {} failed: {e}", f.parent_header.number)))?;
    println!("block number:        {}", out.header.number);
    println!("transactions:        {}", out.tx_count);
    println!("gas used:            {}", out.gas_used);
    println!("state root:          {}", out.state_root);
    match &out.output_root {
        Ok((mp_root, output_root)) => {
            println!("message passer root: {mp_root}");
            println!("output root:         {output_root}");
        }
        // Not an error: the fixture's preimages need not include the L2ToL1MessagePasser account proof (they
        // hold what building the block reads); the block hash below decides the result.
        Err(_) => println!("output root:         not computed (the L2ToL1MessagePasser proof is not in the preimages)"),
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
