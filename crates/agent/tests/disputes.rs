//! The demo's three disputes over the devnet dataset and the real program: who wins, how many claims, which
//! block and instruction were disputed, what the step uploaded, and that every bond is paid out.

mod common;

use alloy_primitives::U256;
use rampart_agent::demo::{run_demo, MAIN};
use rampart_agent::dispute::{DisputeRun, Liar, CHALLENGER, PROPOSER};
use rampart_game::{GameStatus, PreimageData};

fn conserved(run: &DisputeRun) {
    let liar = if run.honest() == CHALLENGER { PROPOSER } else { CHALLENGER };
    let (dep, paid) = run.outcome.balances.values().fold((U256::ZERO, U256::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(dep, paid, "every bond deposited is paid out");
    assert_eq!(run.outcome.balances[&liar].1, U256::ZERO, "the liar gets nothing back");
    assert_eq!(run.outcome.net(run.honest()), i128::try_from(run.outcome.balances[&liar].0).unwrap());
    assert!(run.honest_rejected.is_empty() && run.honest_trace_failures.is_empty(), "{:?}", run.honest_rejected);
    // Every claim the honest side made is the honest trace's value at its position.
    let honest_claims: Vec<bool> = (0..run.truth.len())
        .filter(|i| {
            run.events.iter().any(|e| {
                matches!(e,
        rampart_game::TranscriptEvent::Move { index, who, .. } if index == i && who.contains("honest"))
            })
        })
        .map(|i| run.truth[i])
        .collect();
    assert!(honest_claims.iter().all(|t| *t), "an honest claim is not the honest trace's");
}

#[test]
fn demo_disputes_are_won_by_the_honest_side() {
    let data = common::data();
    let mut out = Vec::new();
    let runs = run_demo(&data, &common::elf(), &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(runs.len(), 3);
    // (status, claims, disputed block's honest run: steps, exit code, block, honest steps, step kind)
    let want = [
        (GameStatus::ChallengerWins, 73, (253_114_789, 1, 5)),
        (GameStatus::DefenderWins, 74, (101_263_908, 1, 2)),
        (GameStatus::ChallengerWins, 73, (33_405_989, 1, 3)),
    ];
    for (run, (status, claims, disputed)) in runs.iter().zip(want) {
        assert_eq!(run.outcome.status, status, "{:?}", run.scenario);
        assert_eq!(run.outcome.status, run.expected_status());
        assert_eq!(run.outcome.claims, claims, "{:?}", run.scenario);
        assert_eq!(run.disputed_run, Some(disputed), "{:?}", run.scenario);
        assert_eq!(run.honest_steps.len(), 1, "one verified step by the honest side");
        assert!(run.liar_steps.is_empty());
        conserved(run);
    }
    assert_eq!(runs[0].scenario, MAIN);
    assert_eq!(runs[0].honest(), CHALLENGER);
    assert_eq!(runs[1].scenario.liar, Liar::Challenger);
    assert_eq!(runs[1].depths, (73, 30));
    match &runs[2].honest_steps[0].data.preimage {
        Some(PreimageData::Keccak { preimage, offset }) => assert_eq!((preimage.len(), *offset), (128, 32)),
        other => panic!("the third dispute's step should read a keccak preimage: {other:?}"),
    }
    assert_eq!(runs[0].honest_steps[0].data.preimage, None);
    // Program runs: blocks 5, 3 (keccak dispute, found before playing) and 2.
    assert_eq!(runs[2].program_runs, 3);
    assert_eq!(text.matches("verifier accepted the step").count(), 3);
    assert_eq!(text.matches("the execution trace begins").count(), 3);
    assert_eq!(text.matches("=== dispute").count(), 3);
    assert!(text.contains("reads the 128-byte keccak256 preimage"));
}

/// Disputes whose final step reads a sha256 preimage (a blob's commitment by its versioned hash) and a blob field
/// element: the honest challenger uploads them with `loadSha256PreimagePart` and `loadBlobPreimagePart` (a KZG
/// proof it computes from the whole blob in the store, checked by the oracle model), and the verifier accepts.
#[test]
fn final_steps_reading_sha256_and_blob_preimages_are_uploaded_and_verified() {
    use rampart_agent::demo::disputed_inputs;
    use rampart_agent::dispute::{play, Scenario};
    use rampart_agent::LieAt;
    let data = common::data();
    let runner = common::program_runner(&data);
    let base = Scenario {
        anchor_block: 0,
        proposal_block: 4,
        first_wrong_block: 4,
        liar: Liar::Proposer,
        lie_at: LieAt::Last,
        max_depth: 72,
    };
    let run = runner.run(&disputed_inputs(&data, &base).unwrap()).unwrap();
    assert_eq!((run.steps(), run.exit_code()), (159_401_581, 1));
    let sha = run.find_read(0, |k, _, _| k[0] == 4).unwrap().unwrap();
    let blob = run.find_read(0, |k, _, _| k[0] == 5).unwrap().unwrap();
    assert_eq!((sha, blob), (20_495_906, 20_598_201));
    for at in [sha, blob] {
        let d = play(&data, runner.clone(), Scenario { lie_at: LieAt::Step(at), ..base }).unwrap();
        assert_eq!(d.outcome.status, GameStatus::ChallengerWins);
        assert_eq!(d.honest_steps.len(), 1);
        conserved(&d);
        match (&d.honest_steps[0].data.preimage, at == sha) {
            (Some(PreimageData::Sha256 { preimage, .. }), true) => assert_eq!(preimage.len(), 48, "a KZG commitment"),
            (Some(PreimageData::Blob { offset, .. }), false) => assert!(*offset < 40, "a part of the 32-byte element"),
            (other, _) => panic!("step at {at} uploaded {other:?}"),
        }
    }
    assert_eq!(runner.runs(), 1);
}
