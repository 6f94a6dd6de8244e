//! The honest challenger against consistent liars, on both VMs; the transcript; the verifier adapter.

use std::collections::BTreeMap;
use std::sync::Arc;

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_game::toy::toy_verify;
use rampart_game::{
    run_game, run_transcript, AlphabetTraceProvider, AlphabetVm, BigStepper, GameError, GameEvent, GameStatus, Player,
    Position, PreimageOracle, RunConfig, TraceProvider, TranscriptEvent, VerifierStepper, ALPHABET_ABSOLUTE_PRESTATE,
};

use crate::common::*;

fn net(g: &rampart_game::FaultDisputeGame, a: Address) -> i128 {
    i128::try_from(g.paid(a)).unwrap() - i128::try_from(g.deposited(a)).unwrap()
}

/// A liar proposes a wrong root and defends it with its own (wrong) trace; the honest challenger wins.
fn liar_vs_honest(setup: &Setup, from: u64, round: u32) -> rampart_game::FaultDisputeGame {
    let mut game = setup.create(liar(), setup.liar_root(from, round));
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, from, round));
    let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
    assert_eq!(out.status, GameStatus::ChallengerWins, "{setup:?}");
    assert!(h.failures.is_empty(), "honest failures: {:?}", h.failures);
    assert!(h.trace_failures.is_empty(), "honest trace failures: {:?}", h.trace_failures);
    assert!(net(&game, honest()) > 0, "honest earns the liar's bonds");
    assert!(net(&game, liar()) < 0);
    // Every bond was paid out: nothing is left in DelayedWETH.
    assert_eq!(game.weth_balance(), U256::ZERO);
    assert_eq!(game.paid(honest()) + game.paid(liar()), game.deposited(honest()) + game.deposited(liar()));
    game
}

#[test]
fn toy_liar_is_defeated_by_one_step_at_the_bug() {
    let setup = Setup::toy();
    for (from, round) in [(ANCHOR_BLOCK + 1, 0), (ANCHOR_BLOCK + 5, 7), (setup.proposal_block, 11)] {
        let game = liar_vs_honest(&setup, from, round);
        // The game reached a step by the honest challenger at the buggy instruction (3 reads, then work rounds).
        let steps: Vec<_> = game
            .events()
            .iter()
            .filter_map(|e| match e {
                GameEvent::Step { claim_index, by, .. } => Some((*claim_index, *by)),
                _ => None,
            })
            .collect();
        assert!(!steps.is_empty(), "a step happened");
        assert!(steps.iter().all(|(_, by)| *by == honest()));
        let max = game.max_game_depth();
        let exec_depth = max - game.split_depth() - 1;
        let bug_step = 3 + round as u128;
        let stepped: Vec<u128> =
            steps.iter().map(|(i, _)| game.claims()[*i].position.trace_index(max) & ((1 << exec_depth) - 1)).collect();
        // Attack steps execute the leaf's own index; defends the next one.
        assert!(
            stepped.iter().any(|t| *t == bug_step || *t + 1 == bug_step),
            "steps at {stepped:?}, bug at {bug_step}"
        );
    }
}

/// Alphabet games: the liar's outputs are all wrong, so the honest side never needs a VALID exec root
/// (which the alphabet VM cannot produce, see `alphabet_cannot_claim_a_valid_transition`).
#[test]
fn alphabet_liar_is_defeated() {
    liar_vs_honest(&Setup::alphabet(), ANCHOR_BLOCK + 1, 0);
}

/// `dispute-game.md` §1.7: every alphabet exec-root claim has status INVALID, so when the honest side must
/// defend an agreed output whose successor is its own claim (a VALID exec root), the move reverts and the
/// honest side loses. Rampart's toy VM, whose status reflects the program's verdict, wins the same game.
#[test]
fn alphabet_cannot_claim_a_valid_transition() {
    let setup = Setup::alphabet();
    let from = ANCHOR_BLOCK + 6;
    let mut game = setup.create(liar(), setup.liar_root(from, 0));
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, from, 0));
    let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
    assert_eq!(out.status, GameStatus::DefenderWins);
    assert_eq!(h.failures.len(), 1);
    let (rampart_game::Action::Move { position, .. }, GameError::UnexpectedRootClaim(c)) = &h.failures[0] else {
        panic!("unexpected failure {:?}", h.failures[0]);
    };
    assert_eq!(position.depth(), game.split_depth() + 1);
    assert_eq!(c.0[0], 1, "the alphabet trace only has INVALID states");
    // The same liar on the toy VM loses.
    liar_vs_honest(&Setup::toy(), from, 0);
}

#[test]
fn honest_proposer_survives_a_liar() {
    let setup = Setup::toy();
    for from in [ANCHOR_BLOCK + 1, ANCHOR_BLOCK + 3, setup.proposal_block] {
        let root = setup.honest_output(setup.proposal_block);
        let mut game = setup.create(honest_proposer(), root);
        let mut h = challenger(honest(), setup.honest_accessor(&game));
        let mut l = challenger(liar(), setup.liar_accessor(&game, from, 4));
        let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
        assert_eq!(out.status, GameStatus::DefenderWins);
        assert!(h.failures.is_empty(), "{:?}", h.failures);
        assert!(out.claims > 1, "the liar did attack");
        assert!(net(&game, honest_proposer()) >= 0);
        assert!(net(&game, honest()) > 0);
        assert!(net(&game, liar()) < 0);
        // A correct, unchallenged root becomes the new anchor on close.
        assert_eq!(game.registry.anchor_block, setup.proposal_block);
        assert_eq!(game.registry.anchor_root, root);
    }
}

/// The alphabet VM cannot express "this transition is valid": once a liar attacks a correct output with
/// an (INVALID) exec root, the honest trace agrees with it and an exec root cannot be defended, so a
/// correct alphabet proposal loses. This is why the adversarial suite only runs correct-root games on
/// the toy VM.
#[test]
fn alphabet_cannot_defend_a_correct_output() {
    let setup = Setup::alphabet();
    let root = setup.honest_output(setup.proposal_block);
    let mut game = setup.create(honest_proposer(), root);
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, ANCHOR_BLOCK + 1, 0));
    let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
    assert_eq!(out.status, GameStatus::ChallengerWins);
    assert!(!h.failures.is_empty());
    assert!(h.failures.iter().all(|(_, e)| *e == GameError::CannotDefendRootClaim), "{:?}", h.failures);
}

#[test]
fn unchallenged_honest_proposal() {
    let setup = Setup::toy();
    let root = setup.honest_output(setup.proposal_block);
    let mut game = setup.create(honest_proposer(), root);
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let out = run_game(&mut game, &mut [&mut h], RunConfig::default());
    assert_eq!(out.status, GameStatus::DefenderWins);
    assert_eq!(out.claims, 1);
    assert_eq!(h.sent, 0, "the challenger agrees with the root and sends nothing");
    assert_eq!(game.paid(honest_proposer()), game.config().init_bond);
}

#[test]
fn verifier_callback_path() {
    // The game's VM is a stateless verifier callback (as the MIPS64 verifier will be plugged in).
    let setup = Setup::toy();
    let vm: Arc<dyn BigStepper + Send + Sync> = Arc::new(VerifierStepper::new(toy_verify));
    let mut game = setup.create_with(vm, liar(), setup.liar_root(ANCHOR_BLOCK + 2, 5));
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, ANCHOR_BLOCK + 2, 5));
    let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
    assert_eq!(out.status, GameStatus::ChallengerWins);
    assert!(h.failures.is_empty(), "{:?}", h.failures);
    // The liar's own steps were rejected by the verifier's result.
    assert!(l.failures.iter().all(|(_, e)| matches!(e, GameError::ValidStep)), "{:?}", l.failures);
}

#[test]
fn transcript_of_a_wrong_proposal() {
    let setup = Setup::toy();
    let mut game = setup.create(liar(), setup.liar_root(ANCHOR_BLOCK + 4, 2));
    let mut h = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, ANCHOR_BLOCK + 4, 2));
    let names: BTreeMap<Address, String> =
        [(honest(), "honest".to_string()), (liar(), "proposer".to_string())].into_iter().collect();
    let (out, events) = run_transcript(&mut game, &mut l, &mut h, &names, RunConfig::default());
    assert_eq!(out.status, GameStatus::ChallengerWins);
    let lines: Vec<String> = events.iter().map(|e| e.to_string()).collect();
    for l in &lines {
        eprintln!("{l}");
    }
    assert!(matches!(events[0], TranscriptEvent::Created { .. }));
    let moves = events.iter().filter(|e| matches!(e, TranscriptEvent::Move { .. })).count();
    assert_eq!(moves, game.claim_data_len() - 1);
    assert!(events.iter().any(|e| matches!(e, TranscriptEvent::Step { who, .. } if who == "honest")));
    assert!(events.iter().any(|e| matches!(e, TranscriptEvent::Resolved { status: GameStatus::ChallengerWins })));
    // Moves carry depth, position and trace index; output claims carry their L2 block.
    let first_move = events.iter().find_map(|e| match e {
        TranscriptEvent::Move { depth, position, trace_index, l2_block, who, .. } => {
            Some((*depth, *position, *trace_index, *l2_block, who.clone()))
        }
        _ => None,
    });
    assert_eq!(first_move, Some((1, 2, (1u128 << 9) - 1, Some(ANCHOR_BLOCK + 8), "honest".into())));
    assert!(lines.iter().any(|l| l.starts_with("balance  proposer")));
    assert!(lines.last().is_some_and(|l| l.starts_with("balance")));
}

/// `dispute-game.md` §1.7 / Appendix B: op-challenger's alphabet provider and the on-chain AlphabetVM
/// disagree at trace index 0 (and only there).
#[test]
fn upstream_alphabet_trace_index_0_discrepancy() {
    let vm = AlphabetVm { absolute_prestate: ALPHABET_ABSOLUTE_PRESTATE };
    let caller = addr(0xfd);
    let ctx = B256::repeat_byte(3);
    let mut oracle = PreimageOracle::new();
    let disputed_block = 1005u64;
    let mut w = [0u8; 32];
    w[..8].copy_from_slice(&disputed_block.to_be_bytes());
    oracle.load_local_data(caller, 4, ctx, B256::from(w), 8, 0).unwrap();
    let upstream = AlphabetTraceProvider::upstream(disputed_block - 1, 3);
    let consistent = AlphabetTraceProvider::vm_consistent(disputed_block, 3);
    for i in 0..8u128 {
        let pos = Position::new(3, i);
        let d = upstream.step_data(pos).unwrap();
        let out = vm.step(&d.pre_state, &d.proof, ctx, &oracle, caller).unwrap();
        if i == 0 {
            assert_ne!(out, upstream.get(pos).unwrap(), "upstream value at 0 differs from the VM");
        } else {
            assert_eq!(out, upstream.get(pos).unwrap(), "index {i}");
        }
        let d = consistent.step_data(pos).unwrap();
        assert_eq!(vm.step(&d.pre_state, &d.proof, ctx, &oracle, caller).unwrap(), consistent.get(pos).unwrap());
    }
    // The prestate preimage is uint256(0x60).
    assert_eq!(keccak256(AlphabetTraceProvider::absolute_prestate()).0[1..], ALPHABET_ABSOLUTE_PRESTATE.0[1..]);
}

#[test]
fn honest_challenger_never_counters_its_own_claims() {
    // Two honest challengers with different addresses cooperate: identity is by value/position/parent.
    let setup = Setup::toy();
    let mut game = setup.create(liar(), setup.liar_root(ANCHOR_BLOCK + 7, 3));
    let mut h1 = challenger(honest(), setup.honest_accessor(&game));
    let mut h2 = challenger(addr(0x13), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, ANCHOR_BLOCK + 7, 3));
    let players: &mut [&mut dyn Player] = &mut [&mut h1, &mut l, &mut h2];
    let out = run_game(&mut game, players, RunConfig::default());
    assert_eq!(out.status, GameStatus::ChallengerWins);
    let honest_addrs = [honest(), addr(0x13)];
    for (i, c) in game.claims().iter().enumerate() {
        if let Some(p) = c.parent() {
            let parent = &game.claims()[p];
            assert!(
                !(honest_addrs.contains(&c.claimant) && honest_addrs.contains(&parent.claimant)),
                "claim {i} by an honest actor counters an honest claim"
            );
        }
    }
    assert!(h1.failures.is_empty() && h2.failures.is_empty());
    assert!(net(&game, honest()) >= 0 && net(&game, addr(0x13)) >= 0);
}
