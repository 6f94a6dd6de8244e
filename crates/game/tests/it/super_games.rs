//! Super-root games (`SuperFaultDisputeGame`, type 9) over the toy interop program: the honest side wins
//! against buggy programs diverging at the first, a middle and the last transition step of a timestamp,
//! at the consolidation into the next super root, at different timestamps, and against a proposer who
//! claims data the L1 head cannot derive; on both sides, bonds conserved. Plus creation rules, local data
//! and the permissioned super game.

use std::sync::Arc;

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_game::super_toy::{
    super_toy_absolute_prestate, toy_l1_head, ProgramStates, SuperToyBug, SuperToyTraceFactory, SuperToyVm,
    ToySuperchain,
};
use rampart_game::{
    run_game, super_game_uuid, AnchorStateRegistry, ChainStates, FaultDisputeGame, GameConfig, GameError, GameEvent,
    GameStatus, GameType, HonestChallenger, OutputRootProof, RunConfig, SuperGameInit, SuperPermissionedDisputeGame,
    SuperSplitTraceAccessor, SuperStates, SuperTraceProvider, TraceAccessor, VmBottom,
};
use rampart_protocol::{ChainOutputRoot, SuperRoot, SuperTracePoint, INVALID_TRANSITION_HASH, STEPS_PER_TIMESTAMP};

use crate::common::{honest, liar, T0};

const ANCHOR_TS: u64 = 1_700_000_000;
const SECONDS: u64 = 3;
const WORK: u32 = 6;
const MAX: u8 = 16;
const SPLIT: u8 = 9;

fn anchor(n: u64) -> SuperRoot {
    SuperRoot::new(ANCHOR_TS, (0..n).map(|i| ChainOutputRoot::new(10 + 10 * i, keccak256([i as u8; 7]))).collect())
}

fn config() -> GameConfig {
    let mut c = GameConfig::small(GameType::SUPER_CANNON_KONA, super_toy_absolute_prestate(WORK), MAX, SPLIT);
    c.l2_chain_id = 0;
    c
}

struct World {
    n: u64,
    chain: ToySuperchain,
    post: u64,
}

impl World {
    fn new(n: u64, safe_until: u64) -> Self {
        Self { n, chain: ToySuperchain::new(anchor(n), SECONDS + 1, WORK, safe_until), post: ANCHOR_TS + SECONDS }
    }

    fn honest_states(&self) -> ChainStates<ToySuperchain> {
        ChainStates(self.chain.clone())
    }

    fn liar_states(&self, bug: Option<SuperToyBug>, derivable_until: u64) -> ProgramStates {
        ProgramStates::new(&self.chain.anchor, self.post, derivable_until, WORK, bug)
    }

    fn create(&self, creator: Address, proposal: Vec<u8>) -> FaultDisputeGame {
        self.create_with(config(), creator, proposal)
    }

    fn create_with(&self, cfg: GameConfig, creator: Address, proposal: Vec<u8>) -> FaultDisputeGame {
        let registry = AnchorStateRegistry::new(self.chain.anchor.hash(), ANCHOR_TS, cfg.game_type);
        let init = SuperGameInit {
            creator,
            root_claim: keccak256(&proposal),
            extra_data: proposal,
            l1_head: toy_l1_head(self.chain.safe_until),
            value: cfg.init_bond,
            now: T0,
        };
        FaultDisputeGame::create_super(cfg, Arc::new(SuperToyVm), registry, init).expect("super game creation")
    }

    fn accessor<S: SuperStates + 'static>(
        &self,
        game: &FaultDisputeGame,
        states: S,
        bug: Option<SuperToyBug>,
    ) -> Box<dyn TraceAccessor> {
        Box::new(SuperSplitTraceAccessor::for_game(game, states, VmBottom(SuperToyTraceFactory { work: WORK, bug })))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// The honest proposer's root, a lying challenger.
    HonestDefends,
    /// A lying proposer, the honest challenger.
    HonestChallenges,
}

struct Played {
    game: FaultDisputeGame,
    /// Top-half point of the disputed claim of every execution sub-game opened.
    stepped_points: Vec<SuperTracePoint>,
    honest_moves: usize,
    honest_steps: usize,
    liar_step_refusals: usize,
}

/// Plays one game; `liar` is the dishonest actor's states and program bug.
fn play(world: &World, side: Side, liar_states: ProgramStates, bug: Option<SuperToyBug>) -> Played {
    play_with(world, config(), side, liar_states, bug)
}

fn play_with(
    world: &World,
    cfg: GameConfig,
    side: Side,
    liar_states: ProgramStates,
    bug: Option<SuperToyBug>,
) -> Played {
    let honest_root = world.honest_states().state_bytes_at(SuperTracePoint { timestamp: world.post, step: 0 }).unwrap();
    let liar_root = liar_states.state_bytes_at(SuperTracePoint { timestamp: world.post, step: 0 }).unwrap();
    assert_ne!(keccak256(&honest_root), keccak256(&liar_root), "the liar's proposal differs");
    let (proposer, root) = match side {
        Side::HonestDefends => (honest(), honest_root),
        Side::HonestChallenges => (liar(), liar_root),
    };
    let mut game = world.create_with(cfg, proposer, root);
    let honest_acc = world.accessor(&game, world.honest_states(), None);
    let liar_acc = world.accessor(&game, liar_states, bug);
    let mut h = HonestChallenger::new(honest(), honest_acc);
    let mut l = HonestChallenger::new(liar(), liar_acc);
    let out = run_game(&mut game, &mut [&mut h, &mut l], RunConfig::default());
    let want = match side {
        Side::HonestDefends => GameStatus::DefenderWins,
        Side::HonestChallenges => GameStatus::ChallengerWins,
    };
    assert_eq!(out.status, want, "{side:?}, bug {bug:?}");
    assert!(h.failures.is_empty(), "honest failures: {:?}", h.failures);
    assert!(h.trace_failures.is_empty(), "honest trace failures: {:?}", h.trace_failures);
    // Bonds are conserved and all paid out; the honest side never loses money, the liar always does.
    assert_eq!(game.weth_balance(), U256::ZERO);
    assert_eq!(game.paid(honest()) + game.paid(liar()), game.deposited(honest()) + game.deposited(liar()));
    assert!(game.paid(honest()) >= game.deposited(honest()));
    assert!(game.paid(liar()) < game.deposited(liar()));
    let split = game.split_depth();
    let top = SuperTraceProvider {
        states: world.honest_states(),
        prestate_ts: ANCHOR_TS,
        poststate_ts: world.post,
        split_depth: split,
    };
    // Where the game was decided: the top-half point disputed by every execution sub-game that was opened.
    let stepped_points = game
        .claims()
        .iter()
        .enumerate()
        .filter(|(_, c)| c.position.depth() == split + 1)
        .map(|(i, _)| {
            let (_, _, _, disputed_pos) = game.find_starting_and_disputed_outputs(i).unwrap();
            top.point(disputed_pos)
        })
        .collect();
    let honest_steps = game
        .events()
        .iter()
        .filter(|e| match e {
            GameEvent::Step { by, .. } => {
                assert_eq!(*by, honest(), "only the honest side steps successfully");
                true
            }
            _ => false,
        })
        .count();
    // With a buggy program the liar's last word in the bottom half is either countered by an honest step or
    // is a step of its own that the VM refuses.
    let liar_step_refusals = l.failures.iter().filter(|(_, e)| *e == GameError::ValidStep).count();
    assert!(
        bug.is_none() || honest_steps + liar_step_refusals > 0,
        "{side:?}, bug {bug:?}: neither an honest step nor a refused liar step"
    );
    Played { stepped_points, honest_moves: h.sent, honest_steps, liar_step_refusals, game }
}

fn point(k: u64, step: u64) -> SuperTracePoint {
    SuperTracePoint { timestamp: ANCHOR_TS + k, step }
}

/// Divergence points: first (1), middle chain (2 of 3) or middle padding (64), last (127) transition step of
/// a timestamp, and the consolidation into the next super root (step 0 of the next second).
fn divergences(n: u64) -> Vec<SuperTracePoint> {
    let mut v = Vec::new();
    for k in 0..SECONDS {
        let mut steps = vec![1, 64, 127];
        if n == 3 {
            steps.insert(1, 2);
        }
        for s in steps {
            v.push(point(k, s));
        }
        v.push(point(k + 1, 0));
    }
    v
}

#[test]
fn honest_side_wins_against_buggy_programs() {
    let mut games = 0;
    let mut steps = 0;
    let mut moves = 0;
    let mut refusals = 0;
    for n in [1u64, 3] {
        let world = World::new(n, u64::MAX);
        for at in divergences(n) {
            let bug = Some(SuperToyBug { at });
            for side in [Side::HonestDefends, Side::HonestChallenges] {
                let p = play(&world, side, world.liar_states(bug, u64::MAX), bug);
                // The game is decided by a step in the sub-game disputing exactly the first wrong state.
                // The game is decided in the execution sub-game disputing exactly the first wrong state.
                assert!(!p.stepped_points.is_empty(), "n {n}, {at:?}, {side:?}: no execution sub-game");
                assert!(
                    p.stepped_points.iter().all(|q| *q == at),
                    "n {n}, {at:?}, {side:?}: sub-games under {:?}",
                    p.stepped_points
                );
                assert!(p.game.claim_data_len() > SPLIT as usize);
                games += 1;
                steps += p.honest_steps;
                refusals += p.liar_step_refusals;
                moves += p.honest_moves;
            }
        }
        let _ = world.n;
    }
    println!("super games vs buggy programs: {games} games, {steps} honest steps, {refusals} refused liar steps, {moves} honest actions");
    // 3 seconds × (4 points for one chain, 5 for three chains) × 2 sides.
    assert_eq!(games, 2 * SECONDS as usize * (4 + 5));
    assert!(steps > 0 && refusals > 0 && steps + refusals >= games);
}

#[test]
fn honest_challenger_defeats_claims_past_the_l1_head() {
    // The proposer claims the chains' real states up to the proposal, but the game's L1 head only lets one
    // derive them up to `safe_until`: the honest trace is `invalid` from the first step needing a block past
    // it, and the program proves that the claimed state does not follow.
    let mut games = 0;
    let mut exec_games = 0;
    for n in [1u64, 3] {
        for safe in [ANCHOR_TS, ANCHOR_TS + 1, ANCHOR_TS + SECONDS - 1] {
            let world = World::new(n, safe);
            let optimist = world.liar_states(None, u64::MAX);
            // Honest claims: valid up to SR(safe), invalid from (safe, 1) on.
            let hs = world.honest_states();
            assert_ne!(
                keccak256(hs.state_bytes_at(SuperTracePoint { timestamp: safe, step: 0 }).unwrap()),
                INVALID_TRANSITION_HASH
            );
            assert_eq!(
                keccak256(hs.state_bytes_at(SuperTracePoint { timestamp: safe, step: 1 }).unwrap()),
                INVALID_TRANSITION_HASH
            );
            // The optimist runs the real program too, so it cannot contest the bottom half: no step is needed.
            // Its own VM agrees with the honest side's, so the bottom half is never contested by a step; where it
            // would have to open the execution sub-game, its VALID/INVALID status byte is refused.
            let p = play(&world, Side::HonestChallenges, optimist, None);
            assert_eq!(p.honest_steps + p.liar_step_refusals, 0);
            let first_wrong = SuperTracePoint { timestamp: safe, step: 1 };
            assert!(p.stepped_points.iter().all(|q| *q == first_wrong), "{:?}", p.stepped_points);
            // The top half converged on the first invalid state: its split-depth claims are that state or the one before.
            let top = SuperTraceProvider {
                states: world.honest_states(),
                prestate_ts: ANCHOR_TS,
                poststate_ts: world.post,
                split_depth: SPLIT,
            };
            let leaves: Vec<_> =
                p.game.claims().iter().filter(|c| c.position.depth() == SPLIT).map(|c| top.point(c.position)).collect();
            assert!(!leaves.is_empty());
            assert!(
                leaves.iter().all(|q| *q == first_wrong || *q == SuperTracePoint { timestamp: safe, step: 0 }),
                "{leaves:?}"
            );
            exec_games += usize::from(!p.stepped_points.is_empty());
            games += 1;
        }
    }
    println!("claims past the L1 head: {games} games, {exec_games} with an execution sub-game");
    assert_eq!(games, 6);
    // The split depth (9) is odd, so the split-depth leaf is the honest challenger's: the optimist would have
    // to open the execution sub-game with an INVALID status, but its VM (the real program) says VALID.
    assert_eq!(exec_games, 0);
}

#[test]
fn program_states_match_chain_states() {
    // The honest top half computed from per-chain data equals the program stepped 128 times a second from
    // the anchor, at every trace index, valid or invalid.
    let mut checked = 0;
    let mut invalid = 0;
    for n in [1u64, 2, 3] {
        for safe in [u64::MAX, ANCHOR_TS + 1] {
            let world = World::new(n, safe);
            let chain = world.honest_states();
            let program = world.liar_states(None, safe);
            let total = (world.post - ANCHOR_TS) * STEPS_PER_TIMESTAMP;
            for i in 0..total as u128 + 3 {
                let p = SuperTracePoint::at(i, ANCHOR_TS, world.post);
                let a = chain.state_bytes_at(p).unwrap();
                assert_eq!(a, program.state_bytes_at(p).unwrap(), "n {n}, index {i}");
                invalid += usize::from(keccak256(&a) == INVALID_TRANSITION_HASH);
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 3 * 2 * (3 * 128 + 3));
    // With safe = T+1 the states from (T+1, 1) on are invalid: 127 + 1 (SR(T+2)) + 128 (T+2 .. SR(T+3)) + 2 extension.
    assert_eq!(invalid, 3 * (127 + 128 + 1 + 3));
}

#[test]
fn super_game_creation_rules() {
    let world = World::new(2, u64::MAX);
    let cfg = config();
    let registry = AnchorStateRegistry::new(world.chain.anchor.hash(), ANCHOR_TS, cfg.game_type);
    let proposal = world.honest_states().state_bytes_at(point(SECONDS, 0)).unwrap();
    let base = SuperGameInit {
        creator: honest(),
        root_claim: keccak256(&proposal),
        extra_data: proposal.clone(),
        l1_head: toy_l1_head(u64::MAX),
        value: cfg.init_bond,
        now: T0,
    };
    let create = |cfg: GameConfig, reg: AnchorStateRegistry, init: SuperGameInit| {
        FaultDisputeGame::create_super(cfg, Arc::new(SuperToyVm), reg, init).map(|_| ())
    };
    let with = |f: &dyn Fn(&mut SuperGameInit)| {
        let mut i = base.clone();
        f(&mut i);
        create(cfg.clone(), registry.clone(), i)
    };
    assert_eq!(with(&|_| {}), Ok(()));
    assert_eq!(with(&|i| i.value += U256::from(1)), Err(GameError::IncorrectBondAmount));
    assert_eq!(with(&|i| i.extra_data.truncate(9)), Err(GameError::BadExtraData));
    assert_eq!(with(&|i| i.extra_data.push(0)), Err(GameError::BadExtraData));
    assert_eq!(with(&|i| i.extra_data.clear()), Err(GameError::BadExtraData));
    assert_eq!(with(&|i| i.root_claim = INVALID_TRANSITION_HASH), Err(GameError::InvalidRootClaim));
    assert_eq!(
        with(&|i| {
            i.extra_data[0] = 2;
            i.root_claim = keccak256(&i.extra_data);
        }),
        Err(GameError::InvalidSuperRootVersion)
    );
    assert_eq!(with(&|i| i.root_claim = B256::repeat_byte(7)), Err(GameError::SuperRootMismatch));
    let mut zero = registry.clone();
    zero.anchor_root = B256::ZERO;
    assert_eq!(create(cfg.clone(), zero, base.clone()), Err(GameError::AnchorRootNotFound));
    let mut with_chain = cfg.clone();
    with_chain.l2_chain_id = 10;
    assert_eq!(create(with_chain, registry.clone(), base.clone()), Err(GameError::NoChainIdNeeded));
    // The proposal's timestamp must exceed the anchor's.
    let stale = world.chain.anchor.encode();
    let stale_init = SuperGameInit { root_claim: keccak256(&stale), extra_data: stale, ..base.clone() };
    assert_eq!(
        create(cfg.clone(), registry.clone(), stale_init),
        Err(GameError::UnexpectedRootClaim(world.chain.anchor.hash()))
    );

    // Getters; no block-number challenge; local key 4 is the game timestamp, key 5 does not exist.
    let game = world.create(honest(), proposal.clone());
    assert!(game.is_super_game());
    assert_eq!(game.l2_sequence_number(), ANCHOR_TS + SECONDS);
    assert_eq!((game.starting_root_hash(), game.starting_sequence_number()), (world.chain.anchor.hash(), ANCHOR_TS));
    assert_eq!(game.super_root_bytes(), Some(proposal.as_slice()));
    let sr = SuperRoot::decode(&proposal).unwrap();
    for e in &sr.output_roots {
        assert_eq!(game.root_claim_by_chain_id(U256::from(e.chain_id)), Ok(e.output_root));
    }
    assert_eq!(game.root_claim_by_chain_id(U256::from(99u64)), Err(GameError::UnknownChainId));
    let mut g2 = game.clone();
    assert_eq!(
        g2.challenge_root_l2_block(liar(), &OutputRootProof::default(), &[]),
        Err(GameError::NoSuchFunction("challengeRootL2Block"))
    );
    assert_ne!(
        super_game_uuid(GameType::SUPER_CANNON_KONA, game.root_claim(), &proposal),
        super_game_uuid(GameType::SUPER_PERMISSIONED, game.root_claim(), &proposal)
    );
    assert!(
        GameType::SUPER_CANNON_KONA.is_super_game()
            && GameType::SUPER_PERMISSIONED.is_super_game()
            && !GameType::CANNON.is_super_game()
    );
}

#[test]
fn local_data_of_a_super_sub_game() {
    // Play down to the first execution root and check what addLocalData loads for its sub-game.
    let world = World::new(2, u64::MAX);
    let bug = Some(SuperToyBug { at: point(1, 2) });
    let mut g = play_until_exec(&world, bug);
    let exec = g.claims().iter().position(|c| c.position.depth() == SPLIT + 1).expect("exec root");
    let (starting, sp, disputed, dp) = g.find_starting_and_disputed_outputs(exec).unwrap();
    // Key 4: 8 bytes of the game's timestamp, not the disputed claim's (FDG: min(start + t + 1, l2BlockNumber)).
    let key = g.add_local_data(4, exec, 0).unwrap();
    let (part, len) = g.oracle().read_preimage(key, 0).unwrap();
    assert_eq!(len, 8);
    assert_eq!(&part[..8], &8u64.to_be_bytes());
    assert_eq!(&part[8..16], &(ANCHOR_TS + SECONDS).to_be_bytes());
    let disputed_point = SuperTracePoint::at(dp.trace_index(SPLIT), ANCHOR_TS, world.post);
    assert!(disputed_point.timestamp < world.post || disputed_point.step == 0);
    // Key 5 does not exist in a super game; keys 2 and 3 are the starting and disputed claims.
    assert_eq!(g.add_local_data(5, exec, 0), Err(GameError::InvalidLocalIdent));
    let k2 = g.add_local_data(2, exec, 8).unwrap();
    assert_eq!(g.oracle().read_preimage(k2, 8).unwrap().0, starting);
    let k3 = g.add_local_data(3, exec, 8).unwrap();
    assert_eq!(g.oracle().read_preimage(k3, 8).unwrap().0, disputed);
    assert_eq!(
        k2,
        B256::from(rampart_primitives::localize_ident(
            2,
            &g.config().address.0 .0,
            &FaultDisputeGame::compute_local_context(starting, sp, disputed, dp).0
        ))
    );
    // The starting claim is a super root, a transition-state hash or the anchor.
    if sp.gindex() == 0 {
        assert_eq!(starting, world.chain.anchor.hash());
    } else {
        let honest_top = SuperTraceProvider {
            states: world.honest_states(),
            prestate_ts: ANCHOR_TS,
            poststate_ts: world.post,
            split_depth: SPLIT,
        };
        assert_eq!(starting, keccak256(honest_top.state_bytes(sp).unwrap()));
    }
}

/// Plays the honest challenger and the liar until the first execution root exists (no resolution).
fn play_until_exec(world: &World, bug: Option<SuperToyBug>) -> FaultDisputeGame {
    let states = world.liar_states(bug, u64::MAX);
    let root = states.state_bytes_at(point(SECONDS, 0)).unwrap();
    let mut game = world.create(liar(), root);
    let mut h = HonestChallenger::new(honest(), world.accessor(&game, world.honest_states(), None));
    let mut l = HonestChallenger::new(liar(), world.accessor(&game, states, bug));
    use rampart_game::Player;
    for _ in 0..64 {
        h.act(&mut game);
        l.act(&mut game);
        game.advance(60);
        if game.claims().iter().any(|c| c.position.depth() == SPLIT + 1) {
            return game;
        }
    }
    panic!("no execution root reached");
}

#[test]
fn permissioned_super_game() {
    let world = World::new(1, u64::MAX);
    let proposer = Address::repeat_byte(0x77);
    let mut registry = AnchorStateRegistry::new(world.chain.anchor.hash(), ANCHOR_TS, GameType::SUPER_PERMISSIONED);
    let proposal = world.honest_states().state_bytes_at(point(2, 0)).unwrap();
    let init = SuperGameInit {
        creator: proposer,
        root_claim: keccak256(&proposal),
        extra_data: proposal.clone(),
        l1_head: B256::ZERO,
        value: U256::ZERO,
        now: T0,
    };
    let mk = |reg: &AnchorStateRegistry, origin: Address, i: SuperGameInit| {
        SuperPermissionedDisputeGame::create(reg.clone(), proposer, origin, i)
    };
    assert_eq!(
        mk(&registry, proposer, SuperGameInit { value: U256::from(1), ..init.clone() }).err(),
        Some(GameError::IncorrectBondAmount)
    );
    assert_eq!(
        mk(&registry, proposer, SuperGameInit { extra_data: vec![1; 40], ..init.clone() }).err(),
        Some(GameError::BadExtraData)
    );
    assert_eq!(
        mk(&registry, proposer, SuperGameInit { root_claim: B256::ZERO, ..init.clone() }).err(),
        Some(GameError::SuperRootMismatch)
    );
    assert_eq!(mk(&registry, liar(), init.clone()).err(), Some(GameError::BadAuth));
    let anchor_bytes = world.chain.anchor.encode();
    let stale = SuperGameInit { root_claim: keccak256(&anchor_bytes), extra_data: anchor_bytes, ..init.clone() };
    assert!(matches!(mk(&registry, proposer, stale), Err(GameError::UnexpectedRootClaim(_))));

    // Resolved DEFENDER_WINS at creation; the anchor moves once the finality delay has passed.
    let mut g = mk(&registry, proposer, init.clone()).unwrap();
    assert_eq!(g.status(), GameStatus::DefenderWins);
    assert_eq!((g.created_at(), g.resolved_at()), (T0, T0));
    assert_eq!(
        g.root_claim_by_chain_id(U256::from(10u64)),
        Ok(SuperRoot::decode(&proposal).unwrap().output_roots[0].output_root)
    );
    assert!(!g.update_anchor(), "not finalized yet");
    g.advance(g.registry.finality_delay + 1);
    assert!(g.update_anchor());
    assert_eq!((g.registry.anchor_root, g.registry.anchor_block), (keccak256(&proposal), ANCHOR_TS + 2));
    assert!(!g.update_anchor(), "the anchor only moves forward");
    // A blacklisted game never becomes the anchor.
    let b_init = || init.clone();
    let mut b = mk(&registry, proposer, b_init()).unwrap();
    b.registry.blacklisted = true;
    b.advance(b.registry.finality_delay + 1);
    assert!(!b.update_anchor());
    assert_eq!(b.registry.anchor_block, ANCHOR_TS);
    // Nor does a game created while type 5 was not the respected type.
    registry.respected_game_type = GameType::SUPER_CANNON_KONA;
    let mut r = mk(&registry, proposer, SuperGameInit { ..b_init() }).unwrap();
    r.advance(r.registry.finality_delay + 1);
    assert!(!r.is_game_claim_valid() && !r.update_anchor());
}

#[test]
fn standard_depths_game() {
    // The deployed shape: MAX_GAME_DEPTH 73, SPLIT_DEPTH 30 (2^30 top-half leaves for 3 seconds of 128
    // states: the root and every index past 384 map to the proposal), 0.08 ETH init bond, mainnet bonds.
    let world = World::new(3, u64::MAX);
    let cfg = GameConfig::super_cannon_kona(super_toy_absolute_prestate(WORK));
    assert_eq!((cfg.max_game_depth, cfg.split_depth, cfg.l2_chain_id), (73, 30, 0));
    assert_eq!(cfg.init_bond, U256::from(80_000_000_000_000_000u64));
    for (at, side) in [(point(1, 64), Side::HonestChallenges), (point(2, 1), Side::HonestDefends)] {
        let bug = Some(SuperToyBug { at });
        let p = play_with(&world, cfg.clone(), side, world.liar_states(bug, u64::MAX), bug);
        assert!(
            !p.stepped_points.is_empty() && p.stepped_points.iter().all(|q| *q == at),
            "{at:?} {side:?}: {:?}",
            p.stepped_points
        );
        // The top half bisects all 30 levels, the bottom half down to the leaves at depth 73.
        assert!(p.game.claims().iter().any(|c| c.position.depth() == 30));
        assert!(p.game.claims().iter().any(|c| c.position.depth() == 73));
        assert!(p.honest_steps + p.liar_step_refusals > 0);
    }
}

#[test]
fn prestate_validation() {
    // op-challenger checks startingRootHash() against the super root its source gives at the anchor.
    let world = World::new(2, u64::MAX);
    let game = world.create(honest(), world.honest_states().state_bytes_at(point(SECONDS, 0)).unwrap());
    let bottom = VmBottom(SuperToyTraceFactory { work: WORK, bug: None });
    assert_eq!(
        SuperSplitTraceAccessor::for_game(&game, world.honest_states(), bottom.clone()).prestate_matches(),
        Ok(true)
    );
    let other = World::new(3, u64::MAX);
    assert_eq!(SuperSplitTraceAccessor::for_game(&game, other.honest_states(), bottom).prestate_matches(), Ok(false));
}
