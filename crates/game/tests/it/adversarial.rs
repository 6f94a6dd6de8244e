//! Property-based games: dishonest actors with random, greedy and freeloader strategies against the
//! honest challenger, on the alphabet VM and on the toy VM. The honest side must always win and never
//! lose a bond; an honest proposer of a correct root survives every attack.
//!
//! Alphabet games are limited to what the alphabet VM can express (see `honest::alphabet_cannot_*`):
//! wrong roots only, liars wrong from the first block that propose but do not play, and no adversary posts a correct value at the
//! split depth (countering it would need a VALID exec root) or at the exec root (every alphabet exec
//! root is INVALID, so a correct one can be neither defended nor attacked).

use std::cell::Cell;
use std::collections::BTreeSet;

use alloy_primitives::{Address, B256};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rampart_game::{run_game, FaultDisputeGame, GameStatus, HonestChallenger, Player, PreimageData, RunConfig};
use rampart_test_utils::SplitMix64;

use crate::common::*;

/// Strategies of dishonest actors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Play {
    /// Random moves and steps anywhere, with junk, correct or copied values.
    Random,
    /// Counters every correct claim with junk, steps against every correct leaf.
    Greedy,
    /// Copies the honest side: posts correct values next to honest counters to steal their bonds.
    Freeloader,
}

struct Adversary {
    who: Address,
    strategy: Play,
    rng: SplitMix64,
    view: Accessor,
    vm: Vm,
    budget: usize,
    per_round: usize,
    honest: BTreeSet<Address>,
    done: BTreeSet<(usize, bool)>,
}

impl Adversary {
    fn new(who: Address, strategy: Play, seed: u64, view: Accessor, vm: Vm) -> Self {
        Self {
            who,
            strategy,
            rng: SplitMix64(seed),
            view,
            vm,
            budget: 14,
            per_round: 3,
            honest: [honest(), honest_proposer()].into_iter().collect(),
            done: BTreeSet::new(),
        }
    }

    /// A junk value; at and below the execution root the status byte is one of the VM's.
    fn junk(&mut self, game: &FaultDisputeGame, depth: u8) -> B256 {
        let mut v = B256::from(self.rng.word());
        if depth > game.split_depth() {
            v.0[0] = (self.rng.index(4)) as u8;
        }
        v
    }

    /// The correct value at the new position, unless the alphabet rule forbids posting it.
    fn correct(&self, game: &FaultDisputeGame, parent: usize, is_attack: bool) -> Option<B256> {
        let pos = game.claims()[parent].position.make_move(is_attack);
        if self.vm == Vm::Alphabet && (pos.depth() == game.split_depth() || pos.depth() == game.split_depth() + 1) {
            return None;
        }
        self.view.get(game, parent, pos).ok()
    }

    fn try_move(&mut self, game: &mut FaultDisputeGame, parent: usize, is_attack: bool, mut value: B256) -> bool {
        self.budget = self.budget.saturating_sub(1);
        let pos = game.claims()[parent].position.make_move(is_attack);
        let near_split = pos.depth() == game.split_depth() || pos.depth() == game.split_depth() + 1;
        if self.vm == Vm::Alphabet && near_split && self.view.get(game, parent, pos).is_ok_and(|v| v == value) {
            value = self.junk(game, pos.depth());
        }
        let Ok(bond) = game.get_required_bond(pos) else { return false };
        let disputed = game.claims()[parent].claim;
        game.make_move(self.who, bond, disputed, parent, value, is_attack).is_ok()
    }

    fn try_step(&mut self, game: &mut FaultDisputeGame, leaf: usize, is_attack: bool, junk: bool) -> bool {
        self.budget = self.budget.saturating_sub(1);
        let c = &game.claims()[leaf];
        let pos = if is_attack { c.position } else { c.position.move_right() };
        let Ok(mut data) = self.view.step_data(game, leaf, pos) else { return false };
        if junk {
            let n = self.rng.index(data.pre_state.len());
            data.pre_state[n] ^= 0x5a;
        }
        if let Some(PreimageData::Local { ident, offset }) = data.preimage {
            let _ = game.add_local_data(ident, leaf, offset);
        }
        game.step(self.who, leaf, is_attack, &data.pre_state, &data.proof).is_ok()
    }

    fn agrees(&self, game: &FaultDisputeGame, i: usize) -> bool {
        let c = &game.claims()[i];
        self.view.get(game, i, c.position).is_ok_and(|v| v == c.claim)
    }

    fn random_action(&mut self, game: &mut FaultDisputeGame) -> bool {
        let i = self.rng.index(game.claim_data_len());
        let c = game.claims()[i].clone();
        let is_attack = self.rng.chance(60);
        if c.position.depth() == game.max_game_depth() {
            let junk = self.rng.chance(30);
            return self.try_step(game, i, is_attack, junk);
        }
        let depth = c.position.depth() + 1;
        let value = match self.rng.index(20) {
            0..=9 => self.junk(game, depth),
            10..=16 => match self.correct(game, i, is_attack) {
                Some(v) => v,
                None => self.junk(game, depth),
            },
            _ => c.claim,
        };
        self.try_move(game, i, is_attack, value)
    }

    fn greedy_action(&mut self, game: &mut FaultDisputeGame) -> Option<bool> {
        for i in 0..game.claim_data_len() {
            let c = game.claims()[i].clone();
            if c.claimant == self.who || !self.agrees(game, i) {
                continue;
            }
            for is_attack in [true, false] {
                if self.done.contains(&(i, is_attack)) {
                    continue;
                }
                self.done.insert((i, is_attack));
                if c.position.depth() == game.max_game_depth() {
                    return Some(self.try_step(game, i, is_attack, false));
                }
                let v = self.junk(game, c.position.depth() + 1);
                return Some(self.try_move(game, i, is_attack, v));
            }
        }
        None
    }

    fn freeloader_action(&mut self, game: &mut FaultDisputeGame) -> Option<bool> {
        for i in 0..game.claim_data_len() {
            let c = game.claims()[i].clone();
            let Some(parent) = c.parent() else { continue };
            if !self.honest.contains(&c.claimant) || self.honest.contains(&game.claims()[parent].claimant) {
                continue;
            }
            // The honest side countered `parent`: take the other direction, and the same one again.
            let honest_attacked = c.position == game.claims()[parent].position.attack();
            for is_attack in [!honest_attacked, honest_attacked] {
                if self.done.contains(&(parent, is_attack)) {
                    continue;
                }
                self.done.insert((parent, is_attack));
                let depth = c.position.depth();
                let v = if self.rng.chance(75) { self.correct(game, parent, is_attack) } else { None };
                let v = v.unwrap_or_else(|| self.junk(game, depth));
                return Some(self.try_move(game, parent, is_attack, v));
            }
        }
        None
    }
}

impl Player for Adversary {
    fn address(&self) -> Address {
        self.who
    }

    fn act(&mut self, game: &mut FaultDisputeGame) -> usize {
        let mut n = 0;
        for _ in 0..self.per_round {
            if self.budget == 0 || game.status() != GameStatus::InProgress {
                break;
            }
            let ok = match self.strategy {
                Play::Random => Some(self.random_action(game)),
                Play::Greedy => self.greedy_action(game),
                Play::Freeloader => self.freeloader_action(game),
            };
            match ok {
                Some(true) => n += 1,
                Some(false) => {}
                None => break,
            }
        }
        n
    }
}

/// One adversarial game's parameters.
#[derive(Clone, Debug)]
struct Case {
    vm: Vm,
    correct_root: bool,
    liar_from: u64,
    liar_round: u32,
    liar_plays: bool,
    strategies: Vec<Play>,
    seed: u64,
}

fn strategy_of(mix: &[Play]) -> impl proptest::strategy::Strategy<Value = Vec<Play>> {
    prop::collection::vec(prop::sample::select(mix.to_vec()), 1..=3)
}

fn cases(mix: &[Play]) -> impl proptest::strategy::Strategy<Value = Case> {
    (any::<bool>(), any::<bool>(), 1u64..=12, 0u32..12, any::<bool>(), strategy_of(mix), any::<u64>()).prop_map(
        |(alphabet, correct_root, from, round, liar_plays, strategies, seed)| {
            let vm = if alphabet { Vm::Alphabet } else { Vm::Toy };
            Case {
                vm,
                // Alphabet games cannot defend a correct root (honest::alphabet_cannot_defend_a_correct_output).
                correct_root: correct_root && vm == Vm::Toy,
                liar_from: ANCHOR_BLOCK + if vm == Vm::Alphabet { 1 } else { from },
                liar_round: round,
                // An alphabet liar would attack honest split-depth claims with the (outputs-independent,
                // always INVALID) correct exec root, which nobody can counter: alphabet liars only propose.
                liar_plays: liar_plays && vm == Vm::Toy,
                strategies,
                seed,
            }
        },
    )
}

/// Plays one game and checks the honest side's guarantees.
fn play(case: &Case) -> Result<usize, TestCaseError> {
    let setup = if case.vm == Vm::Alphabet { Setup::alphabet() } else { Setup::toy() };
    let (creator, root) = if case.correct_root {
        (honest_proposer(), setup.honest_output(setup.proposal_block))
    } else {
        (liar(), setup.liar_root(case.liar_from, case.liar_round))
    };
    let mut game = setup.create(creator, root);
    let mut h: HonestChallenger<Accessor> = challenger(honest(), setup.honest_accessor(&game));
    let mut l = challenger(liar(), setup.liar_accessor(&game, case.liar_from, case.liar_round));
    let mut advs: Vec<Adversary> = case
        .strategies
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let who = addr(0xa1 + k as u8);
            Adversary::new(who, *s, case.seed.wrapping_add(k as u64), setup.honest_accessor(&game), case.vm)
        })
        .collect();
    let mut players: Vec<&mut dyn Player> = vec![&mut h];
    if case.liar_plays {
        players.push(&mut l);
    }
    for a in advs.iter_mut() {
        players.push(a);
    }
    let out = run_game(&mut game, &mut players, RunConfig::default());
    drop(players);
    if std::env::var_os("GAME_DEBUG").is_some() {
        let names = [
            (honest(), "honest".to_string()),
            (liar(), "liar".to_string()),
            (honest_proposer(), "proposer".to_string()),
        ]
        .into_iter()
        .chain((0..3u8).map(|k| (addr(0xa1 + k), format!("adv{k}"))))
        .collect();
        for e in rampart_game::transcript(&game, &names) {
            eprintln!("{e}");
        }
        eprintln!("honest failures: {:?} {:?}", h.failures, h.trace_failures);
    }

    let want = if case.correct_root { GameStatus::DefenderWins } else { GameStatus::ChallengerWins };
    prop_assert_eq!(out.status, want, "claims: {}", out.claims);
    prop_assert!(h.failures.is_empty(), "honest actions rejected: {:?}", h.failures);
    prop_assert!(h.trace_failures.is_empty(), "honest trace failures: {:?}", h.trace_failures);
    for who in [honest(), honest_proposer()] {
        prop_assert!(game.paid(who) >= game.deposited(who), "{who} lost bonds: {:?}", out.balances.get(&who));
    }
    // Every bond is paid out exactly once.
    let (dep, paid) = out
        .balances
        .values()
        .fold((alloy_primitives::U256::ZERO, alloy_primitives::U256::ZERO), |a, b| (a.0 + b.0, a.1 + b.1));
    prop_assert_eq!(dep, paid);
    prop_assert!(game.weth_balance().is_zero());
    prop_assert!(out.rounds < RunConfig::default().max_rounds);
    Ok(out.claims)
}

/// A seed for fuzzing runs, from the process's randomized hasher state (no wall clock).
fn rand_seed() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    for (i, c) in out.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        c.copy_from_slice(&h.finish().to_be_bytes());
    }
    eprintln!("fuzz seed: {}", out.iter().map(|b| format!("{b:02x}")).collect::<String>());
    out
}

fn run_suite(name: &str, mix: &[Play], n: u32) {
    // Deterministic by default; `RAMPART_GAME_FUZZ=k` plays k times as many games from a random seed.
    let fuzz: Option<u32> = std::env::var("RAMPART_GAME_FUZZ").ok().and_then(|v| v.parse().ok());
    let n = n * fuzz.unwrap_or(1);
    let config = Config { cases: n, failure_persistence: None, max_shrink_iters: 200, ..Config::default() };
    let rng = match fuzz {
        Some(_) => TestRng::from_seed(RngAlgorithm::ChaCha, &rand_seed()),
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    };
    let mut runner = TestRunner::new_with_rng(config, rng);
    let games = Cell::new(0usize);
    let claims = Cell::new(0usize);
    let by_vm = Cell::new((0usize, 0usize, 0usize));
    let result = runner.run(&cases(mix), |case| {
        let c = play(&case)?;
        games.set(games.get() + 1);
        claims.set(claims.get() + c);
        let (a, t, ok) = by_vm.get();
        by_vm.set(match (case.vm, case.correct_root) {
            (Vm::Alphabet, _) => (a + 1, t, ok),
            (Vm::Toy, false) => (a, t + 1, ok),
            (Vm::Toy, true) => (a, t, ok + 1),
        });
        Ok(())
    });
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
    let (a, t, ok) = by_vm.get();
    eprintln!(
        "{name}: {} games ({a} alphabet, {t} toy wrong-root, {ok} toy correct-root), {} claims, 0 honest losses",
        games.get(),
        claims.get()
    );
    assert_eq!(games.get(), n as usize, "every case played exactly one game");
}

#[test]
fn random_adversaries() {
    run_suite("random", &[Play::Random], 800);
}

#[test]
fn greedy_adversaries() {
    run_suite("greedy", &[Play::Greedy], 400);
}

#[test]
fn freeloader_adversaries() {
    run_suite("freeloader", &[Play::Freeloader], 800);
}

#[test]
fn mixed_adversaries() {
    run_suite("mixed", &[Play::Random, Play::Greedy, Play::Freeloader], 800);
}

/// Replays one case: `GAME_CASE=vm,correct_root,liar_from,liar_round,liar_plays,strategies,seed`,
/// e.g. `toy,0,1003,0,1,rrf,42` (strategies: r random, g greedy, f freeloader); `GAME_DEBUG=1` prints it.
/// Without `GAME_CASE` it plays one fixed case, so the replay path itself stays tested in CI.
#[test]
fn replay_case() {
    let spec = std::env::var("GAME_CASE").unwrap_or_else(|_| "toy,0,1003,0,1,rrr,1".into());
    let f: Vec<&str> = spec.split(',').collect();
    let case = Case {
        vm: if f[0] == "alphabet" { Vm::Alphabet } else { Vm::Toy },
        correct_root: f[1] == "1",
        liar_from: f[2].parse().unwrap(),
        liar_round: f[3].parse().unwrap(),
        liar_plays: f[4] == "1",
        strategies: f[5]
            .chars()
            .map(|c| match c {
                'g' => Play::Greedy,
                'f' => Play::Freeloader,
                _ => Play::Random,
            })
            .collect(),
        seed: f[6].parse().unwrap(),
    };
    play(&case).unwrap();
}
