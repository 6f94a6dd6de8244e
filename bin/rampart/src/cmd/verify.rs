//! `rampart verify`: checks a step proof (as written by `run --proof-at`) with the stateless verifier.

use crate::CliError;
use rampart_verifier::{state_hash, step, PreimageInput};
use rampart_vm::proof::ProofJson;

/// Flags of `verify`.
#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// Proof JSON file (`run --proof-at` output; `.json` or `.json.gz`).
    #[arg(long)]
    pub proof: String,
    /// Local context of the game's sub-game (32-byte hex): with `--caller`, the step's local key is loaded and
    /// read under `PreimageKeyLib.localize(key, caller, local context)`, as in that game.
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000000000000000000000000000")]
    pub local_context: String,
    /// Address of the dispute game calling `MIPS64.step` (20-byte hex).
    #[arg(long, default_value = "0x0000000000000000000000000000000000000000")]
    pub caller: String,
}

fn parse_b32(s: &str, what: &str) -> Result<[u8; 32], CliError> {
    let h = s.strip_prefix("0x").unwrap_or(s);
    let v = hex::decode(h).map_err(|e| CliError::usage(format!("{what}: invalid hex: {e}")))?;
    v.try_into().map_err(|_| CliError::usage(format!("{what}: expected 32 bytes")))
}

/// Largest proof JSON a valid proof can be: the hex of the longest preimage the oracle accepts (its
/// `oracle-value`), plus 64 KiB for the state, the proof data and the other fields. A `.json.gz` is never
/// decompressed past it.
pub const MAX_PROOF_JSON_LEN: u64 = 2 * rampart_primitives::kv::MAX_KECCAK_PREIMAGE_LEN as u64 + (64 << 10);

/// Reads and parses a proof JSON (gzip recognised by its magic bytes), reading at most [`MAX_PROOF_JSON_LEN`]
/// decompressed bytes.
fn read_proof(path: &str) -> Result<ProofJson, CliError> {
    let file = std::fs::File::open(path).map_err(|e| CliError::fail(format!("reading proof {path}: {e}")))?;
    let text = rampart_primitives::gz::read_to_end_capped(file, MAX_PROOF_JSON_LEN, "a proof JSON")
        .map_err(|e| CliError::fail(format!("reading proof {path}: {e}")))?;
    serde_json::from_slice(&text).map_err(|e| CliError::fail(format!("{path}: not a proof JSON: {e}")))
}

/// Runs `verify`: prints `ok 0x<post hash>` or fails with the rejected check (exit 1).
pub fn run(args: VerifyArgs) -> Result<(), CliError> {
    let local_context = parse_b32(&args.local_context, "--local-context")?;
    let p = read_proof(&args.proof)?;
    let state: [u8; 188] = p
        .state_data
        .as_slice()
        .try_into()
        .map_err(|_| CliError::fail(format!("state-data is {} bytes, expected 188", p.state_data.len())))?;
    let pre = state_hash(&state);
    if p.pre != pre {
        return Err(CliError::fail(format!(
            "pre-state hash 0x{} does not match the hash of state-data 0x{}",
            hex::encode(&p.pre),
            hex::encode(pre)
        )));
    }
    let preimage = if p.oracle_key.is_empty() {
        None
    } else {
        let key: [u8; 32] = p
            .oracle_key
            .as_slice()
            .try_into()
            .map_err(|_| CliError::fail(format!("oracle-key is {} bytes, expected 32", p.oracle_key.len())))?;
        Some(PreimageInput { key, value: p.oracle_value.clone(), offset: p.oracle_offset })
    };
    let out = step(&state, &p.proof_data, preimage.as_ref(), local_context)
        .map_err(|e| CliError::fail(format!("step {} rejected: {e}", p.step)))?;
    if out.post_hash.as_slice() != p.post.as_slice() {
        return Err(CliError::fail(format!(
            "step {}: verifier computes post-state 0x{}, proof claims 0x{}",
            p.step,
            hex::encode(out.post_hash),
            hex::encode(&p.post)
        )));
    }
    // The same step as the game at --caller with --local-context runs it: the preimage loaded with the game's
    // loader (local keys under their localized key), MIPS64.step reading only the part.
    let caller: [u8; 20] = {
        let h = args.caller.strip_prefix("0x").unwrap_or(&args.caller);
        let v = hex::decode(h).map_err(|e| CliError::usage(format!("--caller: invalid hex: {e}")))?;
        v.try_into().map_err(|_| CliError::usage("--caller: expected 20 bytes"))?
    };
    let raw = preimage.as_ref().map(|p| (p.key, p.value.clone(), p.offset));
    let (post, read) =
        rampart_agent::verify_as_game(&state, &p.proof_data, raw.as_ref(), local_context.into(), caller.into())
            .map_err(|e| CliError::fail(format!("step {} rejected through the contract's interface: {e}", p.step)))?;
    if post.0 != out.post_hash {
        return Err(CliError::fail(format!(
            "step {}: the contract's interface computes another post-state {post}",
            p.step
        )));
    }
    println!("ok 0x{}", hex::encode(out.post_hash));
    if let Some(k) = read {
        println!(
            "read oracle key {k} (caller 0x{}, local context 0x{})",
            hex::encode(caller),
            hex::encode(local_context)
        );
    }
    Ok(())
}
