//! `rampart demo`: three disputes over the recorded devnet and the real fault-proof program.
//!
//! 1. The proposer posts a wrong output root; the honest challenger bisects the output roots to the first wrong
//!    block, then that block's execution trace (hundreds of millions of steps) to one instruction, and steps it.
//! 2. The proposer is right and a lying challenger disputes it, in a game of the deployed shape; the honest
//!    proposer's agent steps.
//! 3. The final step reads a keccak256 preimage longer than 24 bytes, which only its 32-byte part reaches the
//!    verifier (as on chain).

use std::io::Write;

use rampart_primitives::{LocalInputs, KECCAK256_KEY_TYPE};

use crate::dataset::DevnetData;
use crate::dispute::{flipped, play, program_prestate, render, runner, DisputeRun, Liar, Scenario, DEPLOYED_MAX_DEPTH};
use crate::errors::{AgentError, Result};
use crate::program::{LieAt, ProgramRunner};

/// The first dispute: the proposal for block 8 is wrong from block 5 on, whose trace is hundreds of millions of
/// steps. Max depth 72 (deployed: 73) puts the instruction-level leaves on the proposer's team, so the honest
/// challenger is the one that steps (at 73 the lying proposer would have to step and could not).
pub const MAIN: Scenario = Scenario {
    anchor_block: 0,
    proposal_block: 8,
    first_wrong_block: 5,
    liar: Liar::Proposer,
    lie_at: LieAt::Fraction(1, 2),
    max_depth: 72,
};

/// The second dispute: the correct proposal for block 3, disputed by a challenger whose roots are wrong from
/// block 2, in the deployed shape (max depth 73, split depth 30).
pub const LYING_CHALLENGER: Scenario = Scenario {
    anchor_block: 0,
    proposal_block: 3,
    first_wrong_block: 2,
    liar: Liar::Challenger,
    lie_at: LieAt::Fraction(1, 3),
    max_depth: DEPLOYED_MAX_DEPTH,
};

/// The third dispute's shape; its liar goes wrong at the first read of a keccak256 preimage longer than 24 bytes
/// at offset 32 or more ([`keccak_scenario`]).
pub const KECCAK_BASE: Scenario = Scenario {
    anchor_block: 0,
    proposal_block: 3,
    first_wrong_block: 3,
    liar: Liar::Proposer,
    lie_at: LieAt::Last,
    max_depth: 72,
};

/// The local inputs of the sub-game that disputes the liar's first wrong block in `s` (a lying proposer).
pub fn disputed_inputs(data: &DevnetData, s: &Scenario) -> Result<LocalInputs> {
    let w = s.first_wrong_block;
    let miss = |what: &str| AgentError::Dataset(format!("no {what} for block {w}"));
    Ok(LocalInputs {
        l1_head: data.l1_head_for(s.proposal_block).ok_or_else(|| miss("L1 head"))?.0,
        agreed_output_root: data.output_at(w - 1).ok_or_else(|| miss("agreed output"))?.0,
        claimed_output_root: flipped(data.output_at(w).ok_or_else(|| miss("output"))?).0,
        claimed_block_number: w,
        chain_id: data.chain_id,
        rollup_config: None,
        l1_config: None,
    })
}

/// [`KECCAK_BASE`] with the liar going wrong at the disputed block's first step that reads a keccak256
/// preimage longer than 24 bytes at an offset of 32 or more; also returns that step's trace index.
pub fn keccak_scenario(data: &DevnetData, runner: &ProgramRunner) -> Result<(Scenario, u64)> {
    let run = runner.run(&disputed_inputs(data, &KECCAK_BASE)?)?;
    let at =
        run.find_read(0, |key, len, offset| key[0] == KECCAK256_KEY_TYPE && len > 24 && offset >= 32)?.ok_or_else(
            || AgentError::Program("the program never reads a keccak256 preimage longer than 24 bytes".into()),
        )?;
    Ok((Scenario { lie_at: LieAt::Step(at), ..KECCAK_BASE }, at))
}

/// Plays the three disputes, writing the transcripts to `out`; fails if the honest side loses anything.
pub fn run_demo(data: &DevnetData, elf: &[u8], out: &mut dyn Write) -> Result<Vec<DisputeRun>> {
    let io = |e: std::io::Error| AgentError::Game(format!("writing the transcript: {e}"));
    let prestate = program_prestate(elf)?;
    let runner = runner(data, prestate);
    writeln!(out, "Rampart demo: fault disputes over a recorded OP Stack devnet and the real fault-proof program")
        .map_err(io)?;
    writeln!(
        out,
        "dataset            testdata/devnet (bundled): L2 chain {}, {} claims, output roots of blocks {}..={}, {} preimages",
        data.chain_id,
        data.claims.len(),
        data.blocks().next().unwrap_or(0),
        data.blocks().last().unwrap_or(0),
        data.preimages.len()
    )
    .map_err(io)?;
    writeln!(
        out,
        "program            guests/bin/rampart-program.elf (bundled), absolute prestate {}",
        runner.absolute_prestate()
    )
    .map_err(io)?;
    writeln!(
        out,
        "how to read        each move shows the new claim's depth, position (generalized index) and trace index at \
         the max depth; above the split depth (30) a claim is the output root of the L2 block shown (anchor + its trace \
         index at depth 30 + 1, clamped to the proposal), below it a VM state hash, with its trace index within the \
         execution sub-game. [true]/[FALSE]: whether the claim equals the honest trace at its position."
    )
    .map_err(io)?;
    let (keccak, at) = keccak_scenario(data, &runner)?;
    let disputes = [
        ("a wrong output root by the proposer; the honest challenger steps", MAIN),
        (
            "a correct proposal disputed by a lying challenger (deployed shape: max depth 73, split depth 30)",
            LYING_CHALLENGER,
        ),
        ("the final step reads a keccak256 preimage longer than 24 bytes", keccak),
    ];
    let mut runs = Vec::new();
    for (n, (title, s)) in disputes.into_iter().enumerate() {
        writeln!(out).map_err(io)?;
        writeln!(
            out,
            "=== dispute {}: {title} ===\nproposal for L2 block {} (anchor block {}), {} roots wrong from block {}, max depth {}, split depth 30{}",
            n + 1,
            s.proposal_block,
            s.anchor_block,
            if s.liar == Liar::Proposer { "the proposer's" } else { "the challenger's" },
            s.first_wrong_block,
            s.max_depth,
            if n == 2 { format!(", the liar's trace wrong from instruction {at}") } else { String::new() }
        )
        .map_err(io)?;
        let run = play(data, runner.clone(), s)?;
        for line in render(&run) {
            writeln!(out, "{line}").map_err(io)?;
        }
        let honest = run.honest();
        if run.outcome.status != run.expected_status() {
            return Err(AgentError::Game(format!(
                "dispute {}: the honest side lost ({:?})",
                n + 1,
                run.outcome.status
            )));
        }
        if run.outcome.net(honest) <= 0 || !run.honest_rejected.is_empty() || !run.honest_trace_failures.is_empty() {
            return Err(AgentError::Game(format!(
                "dispute {}: the honest side was not paid or had failures: {:?} {:?}",
                n + 1,
                run.honest_rejected,
                run.honest_trace_failures
            )));
        }
        writeln!(
            out,
            "verdict            {:?}: the honest side ({}) wins {:.4} ETH net",
            run.outcome.status,
            if honest == crate::dispute::CHALLENGER { "challenger" } else { "proposer" },
            run.outcome.net(honest) as f64 / 1e18
        )
        .map_err(io)?;
        runs.push(run);
    }
    Ok(runs)
}
