//! Games over the fault-proof program's real traces on the devnet dataset: the honest agent against liars that
//! diverge from the program's execution at its first, a middle and its last step, on both sides, at different
//! blocks and in both leaf parities (max depth 72: the challenger's team owns the leaves' parents; 73, the
//! deployed depth), and against random and greedy adversaries playing over the same traces. The honest side wins
//! every game, never loses a bond, and all bonds are paid out.

mod common;

use std::collections::BTreeSet;
use std::rc::Rc;

use alloy_primitives::{Address, B256, U256};
use rampart_agent::dispute::{flipped, play, Agent, DatasetOutputs, DisputeRun, Liar, Scenario, CHALLENGER, PROPOSER};
use rampart_agent::{LieAt, MipsStepper, ProgramRunner, ProgramTraceFactory};
use rampart_game::{
    run_game, AnchorStateRegistry, FaultDisputeGame, GameConfig, GameInit, GameStatus, GameType, OutputSource, Player,
    RunConfig, SplitTraceAccessor, TraceAccessor, VmBottom,
};
use rampart_test_utils::SplitMix64;

fn check(run: &DisputeRun) {
    let s = run.scenario;
    assert_eq!(run.outcome.status, run.expected_status(), "{s:?}");
    assert!(run.honest_rejected.is_empty() && run.honest_trace_failures.is_empty(), "{s:?}: {:?}", run.honest_rejected);
    let (dep, paid) = run.outcome.balances.values().fold((U256::ZERO, U256::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(dep, paid, "{s:?}: bonds not conserved");
    assert!(run.outcome.net(run.honest()) > 0, "{s:?}: the honest side lost money");
}

/// Liars that play op-challenger's solver over a wrong trace: 3 divergence points × 2 sides × 2 depths × 3
/// first-wrong blocks (the first one disputes the transition from the anchor itself).
#[test]
fn honest_side_wins_against_trace_liars_at_first_middle_and_last_step() {
    let data = common::data();
    let runner = common::program_runner(&data);
    let (mut games, mut claims, mut honest_steps, mut failed_liar_steps) = (0, 0, 0, 0);
    for (first_wrong_block, liar, lie_at, max_depth) in [
        (1, Liar::Proposer, LieAt::Step(0), 72),
        (2, Liar::Proposer, LieAt::Fraction(1, 2), 72),
        (3, Liar::Proposer, LieAt::Last, 72),
        (1, Liar::Challenger, LieAt::Last, 73),
        (2, Liar::Challenger, LieAt::Step(0), 73),
        (3, Liar::Challenger, LieAt::Fraction(1, 2), 73),
        (2, Liar::Proposer, LieAt::Step(0), 73),
        (3, Liar::Proposer, LieAt::Last, 73),
        (1, Liar::Challenger, LieAt::Fraction(1, 2), 72),
        (3, Liar::Challenger, LieAt::Last, 72),
    ] {
        let s = Scenario { anchor_block: 0, proposal_block: 3, first_wrong_block, liar, lie_at, max_depth };
        let run = play(&data, runner.clone(), s).unwrap();
        check(&run);
        let (_, _, block) = run.disputed_run.expect("bisected into the execution trace");
        assert_eq!(block, first_wrong_block, "{s:?}: the exec sub-game disputes the first wrong block");
        // Whose team owns depth-max leaves decides who steps: odd depths are the challenger's.
        let honest_owns_leaves = (max_depth % 2 == 1) == (liar == Liar::Proposer);
        assert_eq!(run.honest_steps.len(), usize::from(!honest_owns_leaves), "{s:?}");
        games += 1;
        claims += run.outcome.claims;
        honest_steps += run.honest_steps.len();
        failed_liar_steps += run.liar_rejected;
    }
    assert_eq!((games, claims, honest_steps, failed_liar_steps, runner.runs()), (10, 735, 6, 6, 6));
}

type Accessor = SplitTraceAccessor<DatasetOutputs, VmBottom<ProgramTraceFactory>>;

/// An adversary that plays a lying trace with op-challenger's solver (so the game reaches the execution trace)
/// and on top of that either makes random moves anywhere (correct, flipped or junk values) and steps with
/// possibly corrupted witnesses, or greedily counters every claim that is correct and steps against every correct
/// leaf.
struct Adversary {
    liar: Agent<Accessor>,
    who: Address,
    greedy: bool,
    rng: SplitMix64,
    view: Accessor,
    budget: usize,
    done: BTreeSet<(usize, bool)>,
    sent: usize,
}

impl Adversary {
    fn value(&mut self, game: &FaultDisputeGame, parent: usize, is_attack: bool) -> Option<B256> {
        let pos = game.claims()[parent].position.make_move(is_attack);
        let correct = self.view.get(game, parent, pos).ok()?;
        Some(match (pos.depth() <= game.split_depth(), self.rng.index(3)) {
            (true, 0) => correct,
            (true, _) => flipped(correct),
            (false, 0) => correct,
            (false, 1) => game.claims()[parent].claim,
            (false, _) => {
                let mut v = B256::from(U256::from(self.rng.next_u64()));
                v.0[0] = [0u8, 1, 3][self.rng.index(3)];
                v
            }
        })
    }

    fn try_move(&mut self, game: &mut FaultDisputeGame, parent: usize, is_attack: bool) -> bool {
        let Some(value) = self.value(game, parent, is_attack) else { return false };
        let pos = game.claims()[parent].position.make_move(is_attack);
        let Ok(bond) = game.get_required_bond(pos) else { return false };
        let disputed = game.claims()[parent].claim;
        game.make_move(self.who, bond, disputed, parent, value, is_attack).is_ok()
    }

    fn try_step(&mut self, game: &mut FaultDisputeGame, leaf: usize, is_attack: bool) -> bool {
        let c = &game.claims()[leaf];
        let pos = if is_attack { c.position } else { c.position.move_right() };
        let Ok(mut data) = self.view.step_data(game, leaf, pos) else { return false };
        if !self.greedy && self.rng.index(3) == 0 {
            let n = self.rng.index(data.proof.len());
            data.proof[n] ^= 0x5a;
        }
        if let Some(p) = &data.preimage {
            let _ = self.liar.solver.upload_preimage(game, leaf, p);
        }
        game.step(self.who, leaf, is_attack, &data.pre_state, &data.proof).is_ok()
    }
}

impl Player for Adversary {
    fn address(&self) -> Address {
        self.who
    }

    fn act(&mut self, game: &mut FaultDisputeGame) -> usize {
        let mut n = self.liar.act(game);
        for _ in 0..2 {
            if self.budget == 0 || game.status() != GameStatus::InProgress {
                break;
            }
            self.budget -= 1;
            let (i, is_attack) = if self.greedy {
                let pick = (0..game.claim_data_len()).flat_map(|i| [(i, true), (i, false)]).find(|(i, a)| {
                    let c = &game.claims()[*i];
                    !self.done.contains(&(*i, *a))
                        && c.claimant != self.who
                        && self.view.get(game, *i, c.position).is_ok_and(|v| v == c.claim)
                });
                let Some(p) = pick else { break };
                self.done.insert(p);
                p
            } else {
                (self.rng.index(game.claim_data_len()), self.rng.index(5) < 3)
            };
            let ok = if game.claims()[i].position.depth() == game.max_game_depth() {
                self.try_step(game, i, is_attack)
            } else {
                self.try_move(game, i, is_attack)
            };
            n += usize::from(ok);
        }
        self.sent += n;
        n
    }
}

struct Played {
    status: GameStatus,
    claims: usize,
    adversary_moves: usize,
    honest_net: i128,
}

fn adversarial_game(
    data: &rampart_agent::DevnetData,
    runner: &Rc<ProgramRunner>,
    greedy: bool,
    seed: u64,
    honest_proposer: bool,
) -> Played {
    let honest_out = DatasetOutputs::honest(data);
    let proposal = 3;
    let root = honest_out.output_at(proposal).unwrap();
    let mut cfg = GameConfig::op_mainnet(GameType::CANNON_KONA, runner.absolute_prestate());
    cfg.l2_chain_id = data.chain_id;
    let registry = AnchorStateRegistry::new(data.output_at(0).unwrap(), 0, cfg.game_type);
    let init = GameInit {
        creator: PROPOSER,
        root_claim: if honest_proposer { root } else { flipped(root) },
        l2_block_number: proposal,
        l1_head: data.l1_head_for(proposal).unwrap(),
        value: cfg.init_bond,
        now: 1_700_000_000,
    };
    let mut game = FaultDisputeGame::create(cfg, std::sync::Arc::new(MipsStepper), registry, init).unwrap();
    let acc = || {
        SplitTraceAccessor::for_game(
            &game,
            honest_out.clone(),
            VmBottom(ProgramTraceFactory::honest(runner.clone())),
            u64::MAX,
        )
    };
    let (honest_addr, adv_addr) = if honest_proposer { (PROPOSER, CHALLENGER) } else { (CHALLENGER, PROPOSER) };
    let mut honest = Agent::new(honest_addr, acc());
    let lie_at = [LieAt::Step(0), LieAt::Fraction(1, 2), LieAt::Last][(seed % 3) as usize];
    let wrong = DatasetOutputs::wrong_from(data, 1 + seed % 3);
    let bottom = ProgramTraceFactory::lying(runner.clone(), lie_at, Rc::new(wrong.clone()));
    let liar = Agent::new(adv_addr, SplitTraceAccessor::for_game(&game, wrong, VmBottom(bottom), u64::MAX));
    let mut adv = Adversary {
        liar,
        who: adv_addr,
        greedy,
        rng: SplitMix64(seed),
        view: acc(),
        budget: 30,
        done: BTreeSet::new(),
        sent: 0,
    };
    let outcome = run_game(&mut game, &mut [&mut adv, &mut honest], RunConfig::default());
    assert!(honest.rejected.is_empty(), "honest action rejected: {:?}", honest.rejected);
    assert!(honest.trace_failures.is_empty(), "honest trace failed: {:?}", honest.trace_failures);
    let (dep, paid) = outcome.balances.values().fold((U256::ZERO, U256::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
    assert_eq!(dep, paid, "bonds not conserved");
    Played {
        status: outcome.status,
        claims: outcome.claims,
        adversary_moves: adv.sent,
        honest_net: outcome.net(honest_addr),
    }
}

/// Random and greedy adversaries over the program's real traces, against an honest proposer and against an
/// honest challenger of a wrong proposal, in the deployed shape.
#[test]
fn honest_side_wins_against_random_and_greedy_adversaries() {
    let data = common::data();
    let runner = common::program_runner(&data);
    let (mut games, mut claims, mut adversary_moves) = (0, 0, 0);
    for (greedy, seeds) in [(false, 0..4u64), (true, 0..1)] {
        for seed in seeds {
            for honest_proposer in [true, false] {
                let p = adversarial_game(&data, &runner, greedy, seed, honest_proposer);
                let want = if honest_proposer { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
                assert_eq!(p.status, want, "greedy {greedy} seed {seed} honest proposer {honest_proposer}");
                assert!(p.honest_net >= 0, "greedy {greedy} seed {seed}: honest side lost {}", p.honest_net);
                games += 1;
                claims += p.claims;
                adversary_moves += p.adversary_moves;
            }
        }
    }
    assert_eq!((games, claims, adversary_moves, runner.runs()), (10, 5400, 2800, 6));
}
