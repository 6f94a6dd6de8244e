//! `rampart withdrawal prove|finalize`: withdrawals of a recorded devnet dataset against its output roots
//! (`rampart_agent::withdrawal`).

use crate::CliError;
use alloy_primitives::{Address, U256};
use rampart_agent::withdrawal::{
    check_finalize, proposal_game, proposals, prove_block, resolve_when_expired, verify_proof_calldata,
    PROOF_MATURITY_DELAY,
};
use rampart_agent::DevnetData;
use rampart_devnet::dataset::Dataset;

/// Flags of `withdrawal`.
#[derive(clap::Args, Debug)]
pub struct WithdrawalArgs {
    #[command(subcommand)]
    command: WithdrawalCommand,
}

#[derive(clap::Subcommand, Debug)]
enum WithdrawalCommand {
    /// Build `proveWithdrawalTransaction` calldata for every withdrawal a block initiated, against its output root.
    Prove(ProveArgs),
    /// Check `finalizeWithdrawalTransaction`'s conditions on the game model along a proposal's timeline.
    Finalize(ProveArgs),
}

#[derive(clap::Args, Debug)]
struct ProveArgs {
    /// The recorded dataset (claims.json, rollup.json, preimages.kv.gz).
    #[arg(long, default_value = "testdata/devnet")]
    data_dir: String,
    /// Only this L2 block (default: every block of the dataset).
    #[arg(long)]
    block: Option<u64>,
    /// `_disputeGameIndex` of the proposal game in the factory.
    #[arg(long, default_value_t = 0)]
    game_index: u64,
    /// Also submit each proof to the real `OptimismPortal2` bytecode (contracts-bedrock 0.17.3 forge artifacts,
    /// from `scripts/install-nodes.sh`) in revm, against a game proposing the block's output root (prove only).
    #[arg(long)]
    portal_evm: bool,
}

fn fail(e: impl std::fmt::Display) -> CliError {
    CliError::fail(e.to_string())
}

/// Runs `withdrawal`.
pub fn run(args: WithdrawalArgs) -> Result<(), CliError> {
    let (WithdrawalCommand::Prove(a) | WithdrawalCommand::Finalize(a)) = &args.command;
    let ds = Dataset::open(&a.data_dir).map_err(|e| fail(format!("{}: {e}", a.data_dir)))?;
    let data = DevnetData::open(std::path::Path::new(&a.data_dir)).map_err(fail)?;
    let blocks: Vec<_> = proposals(&data).into_iter().filter(|(b, _)| a.block.is_none_or(|x| x == *b)).collect();
    if blocks.is_empty() {
        return Err(fail(format!("the dataset has no output root for block {:?}", a.block)));
    }
    let mut portal = match (&args.command, a.portal_evm) {
        (WithdrawalCommand::Prove(_), true) => {
            let artifacts = rampart_agent::portal_evm::locate_artifacts().map_err(fail)?;
            Some(rampart_agent::portal_evm::PortalProver::new(&artifacts, &data).map_err(fail)?)
        }
        _ => None,
    };
    let mut found = 0;
    for (block, root) in blocks {
        for p in prove_block(&ds, block, root, U256::from(a.game_index)).map_err(fail)? {
            found += 1;
            let hash = verify_proof_calldata(&p.calldata, root).map_err(fail)?;
            let tx = &p.withdrawal.tx;
            println!(
                "L2 block {block}: withdrawal {hash} (nonce {:#x}, {} -> {}, value {} wei, gas limit {})",
                tx.nonce, tx.sender, tx.target, tx.value, tx.gasLimit
            );
            println!(
                "  output root {root}, storage proof of sentMessages slot {} ({} nodes), verified",
                p.storage_slot,
                p.withdrawal_proof.len()
            );
            match &args.command {
                WithdrawalCommand::Prove(_) => {
                    println!("  calldata 0x{}", hex::encode(&p.calldata));
                    if let Some(portal) = portal.as_mut() {
                        portal_check(portal, &p)?;
                    }
                }
                WithdrawalCommand::Finalize(_) => finalize_timeline(&data, block, root)?,
            }
        }
    }
    if found == 0 {
        return Err(fail("no withdrawal was initiated in the selected blocks"));
    }
    Ok(())
}

/// `p` through the real portal: one line, an error if the bytecode refuses it.
fn portal_check(
    portal: &mut rampart_agent::portal_evm::PortalProver,
    p: &rampart_agent::withdrawal::WithdrawalProof,
) -> Result<(), CliError> {
    let version = portal.version().map_err(fail)?;
    let r = portal.prove(p).map_err(fail)?;
    match &r.outcome {
        rampart_agent::portal_evm::Outcome::Accepted { .. } => {
            println!(
                "  OptimismPortal2 {version} bytecode (revm): proven against game {} ({}), provenWithdrawals timestamp {}",
                r.game_index, r.game, r.proven.1
            );
            Ok(())
        }
        rampart_agent::portal_evm::Outcome::Refused(reason) => Err(fail(format!(
            "OptimismPortal2 {version} bytecode refused the proof of {}: {reason}",
            p.withdrawal.hash
        ))),
    }
}

/// A proposal of the block's output root, unchallenged: the withdrawal proven 12 s after creation, then the
/// portal's conditions checked as time passes.
fn finalize_timeline(data: &DevnetData, block: u64, root: alloy_primitives::B256) -> Result<(), CliError> {
    let t0 = 1_700_000_000;
    let prestate = rampart_agent::dispute::program_prestate(crate::cmd::demo::program_elf()?).map_err(fail)?;
    let mut p = prestate;
    let absolute = alloy_primitives::B256::from(p.state_hash());
    let mut game = proposal_game(data, block, root, absolute, Address::repeat_byte(0xee), t0).map_err(fail)?;
    let proven_at = t0 + 12;
    game.advance(12);
    let show =
        |game: &rampart_game::FaultDisputeGame, when: &str| match check_finalize(game, proven_at, PROOF_MATURITY_DELAY)
        {
            Ok(()) => println!("  {when}: finalizeWithdrawalTransaction would succeed"),
            Err(e) => println!("  {when}: refused: {e}"),
        };
    show(&game, "proven, +12 s");
    game.advance(PROOF_MATURITY_DELAY + 1);
    show(&game, "proof matured");
    let status = resolve_when_expired(&mut game).map_err(fail)?;
    show(&game, &format!("resolved {status:?}"));
    game.advance(game.registry.finality_delay + 1);
    show(&game, "finality delay over");
    check_finalize(&game, proven_at, PROOF_MATURITY_DELAY).map_err(fail)
}
