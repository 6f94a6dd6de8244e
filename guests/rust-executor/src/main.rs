//! The OP block executor as a MIPS64 fault-proof guest: builds one OP Stack L2 block with `rampart-executor`
//! (`no_std`), reading everything through the preimage oracle, and exits 0 iff the built block's hash equals the
//! claimed one (1 if it differs or the block cannot be built; 2 on a panic).
//!
//! Local inputs (key type 1, written by `rampart host` from its flags):
//! 1 = parent block hash, 2 = keccak256 of the attributes blob (`rampart_executor::input`), 3 = claimed block
//! hash, 4 = block number (u64 BE), 5 = L2 chain id (u64 BE). Everything else is a keccak256 preimage (key type 2):
//! the parent header RLP, the attributes blob, the chain config blob (its hash is inside the attributes blob),
//! state and storage trie nodes, contract bytecode and older headers.
//!
//! Accelerated precompiles (built with the default `accelerated` feature, `rust-executor.elf`): kona-client's
//! set for the fork, plus transaction sender recovery, go through the precompile oracle: an `l1-precompile` hint
//! with `address ‖ gas ‖ input`, then the type-6 key of its keccak256 (value: status byte ‖ output). Without the
//! feature (`rust-executor-unaccelerated.elf`) everything runs in the guest.
#![no_std]
#![no_main]

extern crate alloc;

use alloc::string::{String, ToString};
use alloy_primitives::{keccak256, Bytes, B256};
use alloy_rlp::Decodable;
use guest_rt::{entry, eprintln, local_key, preimage, println, Args};
use rampart_executor::{build_block_with, input, BuildOptions, Header};
use rampart_mpt::TrieProvider;

/// Trie nodes, bytecode and headers from the preimage oracle, keyed by keccak256 (key type 2).
struct OracleProvider;

fn keccak_key(hash: B256) -> [u8; 32] {
    let mut k = hash.0;
    k[0] = 2;
    k
}

impl TrieProvider for OracleProvider {
    fn node(&self, hash: B256) -> Result<Bytes, rampart_mpt::Error> {
        preimage(keccak_key(hash)).map(Bytes::from).ok_or(rampart_mpt::Error::MissingNode(hash))
    }

    /// The VM's preimage oracle only proves keccak256 preimages that hash to their key.
    #[cfg(feature = "accelerated")]
    fn hashes_verified(&self) -> bool {
        true
    }
}

/// Precompile answers from the oracle: hint `l1-precompile 0x<address ‖ gas ‖ input>`, then key type 6.
#[cfg(feature = "accelerated")]
struct OraclePrecompiles;

#[cfg(feature = "accelerated")]
impl rampart_executor::PrecompileOracle for OraclePrecompiles {
    fn call(
        &self,
        call: &rampart_executor::PrecompileCall<'_>,
    ) -> Result<Option<alloc::vec::Vec<u8>>, rampart_executor::Error> {
        let payload = call.preimage();
        let hint = rampart_preimage::Hint::new("l1-precompile", payload).frame();
        let mut ack = [0u8; 1];
        if !guest_rt::write_all(guest_rt::fd::HINT_WRITE, &hint)
            || guest_rt::read(guest_rt::fd::HINT_READ, &mut ack) != Ok(1)
        {
            return Err(rampart_executor::Error::Precompile("hint channel failed".into()));
        }
        let mut key = call.key_hash().0;
        key[0] = 6;
        let value = preimage(key).ok_or_else(|| {
            rampart_executor::Error::Precompile(alloc::format!("precompile answer {} unavailable", B256::from(key)))
        })?;
        rampart_executor::precompiles::decode_answer(&value)
    }
}

fn options() -> BuildOptions {
    // Only the block hash is checked: do not ask the oracle for the message passer's proof unless the header
    // itself needs it (Isthmus), since a host cannot answer a key it does not have.
    #[cfg(feature = "accelerated")]
    let precompiles =
        Some(alloc::sync::Arc::new(OraclePrecompiles) as alloc::sync::Arc<dyn rampart_executor::PrecompileOracle>);
    #[cfg(not(feature = "accelerated"))]
    let precompiles = None;
    BuildOptions { precompiles, ..Default::default() }
}

fn local32(ident: u64) -> Result<B256, String> {
    let v = preimage(local_key(ident)).ok_or_else(|| alloc::format!("local input {ident} unavailable"))?;
    <[u8; 32]>::try_from(v.as_slice())
        .map(B256::from)
        .map_err(|_| alloc::format!("local input {ident} has {} bytes, not 32", v.len()))
}

fn local_u64(ident: u64) -> Result<u64, String> {
    let v = preimage(local_key(ident)).ok_or_else(|| alloc::format!("local input {ident} unavailable"))?;
    <[u8; 8]>::try_from(v.as_slice())
        .map(u64::from_be_bytes)
        .map_err(|_| alloc::format!("local input {ident} has {} bytes, not 8", v.len()))
}

/// Fetches the keccak256 preimage of `hash` and checks it hashes back to `hash`.
fn keccak_preimage(hash: B256, what: &str) -> Result<alloc::vec::Vec<u8>, String> {
    let v = preimage(keccak_key(hash)).ok_or_else(|| alloc::format!("{what} {hash} not available from the oracle"))?;
    if keccak256(&v) != hash {
        return Err(alloc::format!("{what}: oracle returned bytes that do not hash to {hash}"));
    }
    Ok(v)
}

/// Builds the block; `Ok(true)` iff its hash equals the claim.
fn run() -> Result<bool, String> {
    let parent_hash = local32(1)?;
    let attrs_hash = local32(2)?;
    let claim = local32(3)?;
    let number = local_u64(4)?;
    let chain_id = local_u64(5)?;

    let parent_rlp = keccak_preimage(parent_hash, "parent header")?;
    let parent = Header::decode(&mut parent_rlp.as_slice()).map_err(|e| alloc::format!("parent header: {e}"))?;
    if parent.number.checked_add(1) != Some(number) {
        return Err(alloc::format!("block number {number} is not parent {} + 1", parent.number));
    }
    let attrs_blob = keccak_preimage(attrs_hash, "attributes blob")?;
    let (config_hash, attrs) = input::decode_attributes(&attrs_blob).map_err(|e| e.to_string())?;
    let config_blob = keccak_preimage(config_hash, "chain config blob")?;
    let config = input::decode_chain_config(&config_blob).map_err(|e| e.to_string())?;
    if config.chain_id != chain_id {
        return Err(alloc::format!("chain config is for chain {}, local input says {chain_id}", config.chain_id));
    }
    println!(
        "executor guest: block {number} on parent {parent_hash}, {} transactions",
        attrs.transactions.as_ref().map_or(0, |t| t.len())
    );
    let out =
        build_block_with(&config, &parent, &attrs, OracleProvider, &options()).map_err(|e| alloc::format!("{e}"))?;
    println!("gas used:       {}", out.gas_used);
    println!("state root:     {}", out.state_root);
    println!("block hash:     {}", out.block_hash);
    println!("claimed hash:   {claim}");
    Ok(out.block_hash == claim)
}

fn main(_args: &Args) -> i32 {
    match run() {
        Ok(true) => {
            println!("result:         valid");
            0
        }
        Ok(false) => {
            println!("result:         invalid (block hash differs from the claim)");
            1
        }
        Err(e) => {
            eprintln!("executor guest: {e}");
            println!("result:         invalid (cannot build the block)");
            1
        }
    }
}

entry!(main);
