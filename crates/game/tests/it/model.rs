//! The model's checks, in the contract's order, with the contract's errors.

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_game::toy::ToyState;
use rampart_game::{
    AnchorStateRegistry, BondDistributionMode, Clock, FaultDisputeGame, GameConfig, GameError, GameInit, GameStatus,
    GameType, OutputRootProof, Position,
};

use crate::common::*;

fn a() -> Address {
    addr(0xa1)
}
fn b() -> Address {
    addr(0xb2)
}

fn junk(tag: u8, status: u8) -> B256 {
    let mut v = keccak256([tag]);
    v.0[0] = status;
    v
}

/// Makes a move with the right bond.
fn mv(g: &mut FaultDisputeGame, who: Address, parent: usize, attack: bool, value: B256) -> Result<usize, GameError> {
    let pos = g.claims()[parent].position.make_move(attack);
    let bond = g.get_required_bond(pos).unwrap_or_default();
    let disputed = g.claims()[parent].claim;
    g.make_move(who, bond, disputed, parent, value, attack)
}

fn toy_game() -> (Setup, FaultDisputeGame) {
    let s = Setup::toy();
    let g = s.create(liar(), junk(0, 0));
    (s, g)
}

/// Attacks straight down from the root to `depth`; the exec root gets status INVALID. Returns indices.
fn attack_chain(g: &mut FaultDisputeGame, depth: u8) -> Vec<usize> {
    let mut idx = vec![0];
    for d in 1..=depth {
        let status = if d == g.split_depth() + 1 { 1 } else { 0 };
        let who = if d % 2 == 1 { a() } else { b() };
        let i = mv(g, who, *idx.last().unwrap(), true, junk(d, status)).unwrap();
        idx.push(i);
    }
    idx
}

#[test]
fn create_checks() {
    let s = Setup::toy();
    let cfg = s.config();
    let reg = AnchorStateRegistry::new(s.anchor_root, ANCHOR_BLOCK, cfg.game_type);
    let init = GameInit {
        creator: liar(),
        root_claim: junk(1, 0),
        l2_block_number: s.proposal_block,
        l1_head: B256::ZERO,
        value: cfg.init_bond,
        now: T0,
    };
    let g = FaultDisputeGame::create(cfg.clone(), s.stepper(), reg.clone(), init.clone()).unwrap();
    let root = &g.claims()[0];
    assert_eq!(root.parent_index, u32::MAX);
    assert_eq!(root.position, Position::ROOT);
    assert_eq!(root.clock, Clock::new(0, T0));
    assert_eq!(root.bond, cfg.init_bond);
    assert_eq!(g.refund_mode_credit(liar()), cfg.init_bond);
    assert!(g.was_respected_game_type_when_created());
    assert_eq!(g.starting_output(), (s.anchor_root, ANCHOR_BLOCK));

    let err = |c: GameConfig, r: AnchorStateRegistry, i: GameInit| {
        FaultDisputeGame::create(c, s.stepper(), r, i).unwrap_err()
    };
    assert_eq!(
        err(cfg.clone(), reg.clone(), GameInit { value: U256::from(1u8), ..init.clone() }),
        GameError::IncorrectBondAmount
    );
    let mut zero = reg.clone();
    zero.anchor_root = B256::ZERO;
    assert_eq!(err(cfg.clone(), zero, init.clone()), GameError::AnchorRootNotFound);
    assert_eq!(
        err(cfg.clone(), reg.clone(), GameInit { l2_block_number: ANCHOR_BLOCK, ..init.clone() }),
        GameError::UnexpectedRootClaim(init.root_claim)
    );
    let mut bad = cfg.clone();
    bad.split_depth = bad.max_game_depth - 1;
    assert_eq!(err(bad, reg.clone(), init.clone()), GameError::InvalidSplitDepth);
    let mut other = reg;
    other.respected_game_type = GameType::PERMISSIONED_CANNON;
    let g = FaultDisputeGame::create(cfg, s.stepper(), other, init).unwrap();
    assert!(!g.was_respected_game_type_when_created());
}

#[test]
fn move_checks_in_contract_order() {
    let (_, mut g) = toy_game();
    let root = g.root_claim();
    let bond1 = g.get_required_bond(Position::from_gindex(2)).unwrap();
    // Out of bounds parent.
    assert_eq!(g.make_move(a(), bond1, root, 9, junk(1, 0), true), Err(GameError::InvalidClaimIndex(9)));
    // Wrong disputed beats a wrong bond.
    assert_eq!(
        g.make_move(a(), U256::ZERO, junk(9, 9), 0, junk(1, 0), true),
        Err(GameError::InvalidDisputedClaimIndex)
    );
    // Defending the root beats a wrong bond.
    assert_eq!(g.make_move(a(), U256::ZERO, root, 0, junk(1, 0), false), Err(GameError::CannotDefendRootClaim));
    assert_eq!(
        g.make_move(a(), bond1 + U256::from(1u8), root, 0, junk(1, 0), true),
        Err(GameError::IncorrectBondAmount)
    );
    let c1 = g.make_move(a(), bond1, root, 0, junk(1, 0), true).unwrap();
    assert_eq!(g.make_move(b(), bond1, root, 0, junk(1, 0), true), Err(GameError::ClaimAlreadyExists));
    // A different value at the same position under the same parent is fine.
    let c1b = g.make_move(b(), bond1, root, 0, junk(2, 0), true).unwrap();
    // The same value at the same position under another parent is fine too (dedupe includes the parent).
    let v = junk(3, 0);
    mv(&mut g, b(), c1, true, v).unwrap();
    mv(&mut g, b(), c1b, true, v).unwrap();
    assert_eq!(g.subgame(0), &[c1, c1b]);
    let h = FaultDisputeGame::claim_hash(v, Position::from_gindex(4), c1);
    assert!(g.is_duplicate(v, Position::from_gindex(4), c1));
    assert_ne!(h, FaultDisputeGame::claim_hash(v, Position::from_gindex(4), c1b));
}

#[test]
fn exec_root_status_byte_rule() {
    let (s, mut g) = toy_game();
    let chain = attack_chain(&mut g, s.split); // positions 1, 2, 4, 8, 16
    let split_claim = chain[s.split as usize];
    assert_eq!(g.claims()[split_claim].position.gindex(), 16);
    // Attack at the split depth: INVALID or PANIC only.
    assert_eq!(mv(&mut g, a(), split_claim, true, junk(50, 0)), Err(GameError::UnexpectedRootClaim(junk(50, 0))));
    assert_eq!(mv(&mut g, a(), split_claim, true, junk(50, 3)), Err(GameError::UnexpectedRootClaim(junk(50, 3))));
    mv(&mut g, a(), split_claim, true, junk(50, 1)).unwrap();
    mv(&mut g, a(), split_claim, true, junk(51, 2)).unwrap();
    // Defend 16: the disputed output is the trace ancestor of 17, i.e. 8 (depth 3, other team): VALID only.
    assert_eq!(mv(&mut g, a(), split_claim, false, junk(52, 1)), Err(GameError::UnexpectedRootClaim(junk(52, 1))));
    let exec_root = mv(&mut g, a(), split_claim, false, junk(52, 0)).unwrap();
    // An exec root cannot be defended (even with a wrong bond); it can be attacked.
    let pos = g.claims()[exec_root].position;
    assert_eq!(pos.depth(), s.split + 1);
    let d = g.claims()[exec_root].claim;
    assert_eq!(g.make_move(b(), U256::ZERO, d, exec_root, junk(53, 3), false), Err(GameError::CannotDefendRootClaim));
    mv(&mut g, b(), exec_root, true, junk(53, 3)).unwrap();
    // Split-depth claim 18 = defend of 8: 19's trace ancestor is 4 (depth 2, same team as 18): INVALID even when defending.
    let c18 = mv(&mut g, b(), chain[3], false, junk(54, 0)).unwrap();
    assert_eq!(g.claims()[c18].position.gindex(), 18);
    assert_eq!(mv(&mut g, a(), c18, false, junk(55, 0)), Err(GameError::UnexpectedRootClaim(junk(55, 0))));
    mv(&mut g, a(), c18, false, junk(55, 1)).unwrap();
}

#[test]
fn depth_limit_and_clock_extensions() {
    let (s, mut g) = toy_game();
    let root = g.root_claim();
    // Late first move: the challenger team used 297 400 s; clamped to MAX − EXT.
    g.warp(T0 + 302_400 - 5_000).unwrap();
    assert_eq!(g.get_challenger_duration(0), Ok(297_400));
    let c1 = mv(&mut g, a(), 0, true, junk(1, 0)).unwrap();
    assert_eq!(g.claims()[c1].clock, Clock::new(291_600, T0 + 297_400));
    // The next move against c1 is the root team's clock: 0 + elapsed.
    g.advance(100);
    assert_eq!(g.get_challenger_duration(c1), Ok(100));
    let c2 = mv(&mut g, b(), c1, true, junk(2, 0)).unwrap();
    assert_eq!(g.claims()[c2].clock.duration, 100);
    // Against c2 the challenger team's clock continues from 291 600: depth 3 = SPLIT − 1 gets 2·EXT.
    g.advance(50);
    assert_eq!(g.get_challenger_duration(c2), Ok(291_650));
    let c3 = mv(&mut g, a(), c2, true, junk(3, 0)).unwrap();
    assert_eq!(g.claims()[c3].clock.duration, 302_400 - 21_600);
    assert_eq!(g.clock_extension_at(3), 21_600);
    assert_eq!(g.clock_extension_at(s.max - 1), 10_800 + 86_400);
    assert_eq!(g.clock_extension_at(5), 10_800);
    // Run the challenger team's clock out: countering c1's opponent is no longer possible.
    let later = g.claims()[c2].clock.timestamp + (302_400 - 291_600);
    g.warp(later).unwrap();
    assert_eq!(g.get_challenger_duration(c2), Ok(302_400));
    assert_eq!(mv(&mut g, a(), c2, false, junk(4, 0)), Err(GameError::ClockTimeExceeded));
    assert_eq!(g.warp(later - 1), Err(GameError::TimeWentBackwards { now: later - 1, current: later }));
    let _ = root;

    // Depth limit: a max-depth leaf can only be stepped.
    let (_, mut g) = toy_game();
    let chain = attack_chain(&mut g, s.max);
    let leaf = *chain.last().unwrap();
    let d = g.claims()[leaf].claim;
    assert_eq!(g.make_move(a(), U256::ZERO, d, leaf, junk(1, 1), true), Err(GameError::GameDepthExceeded));
    assert_eq!(g.get_required_bond(Position::new(s.max + 1, 0)), Err(GameError::GameDepthExceeded));
}

#[test]
fn mainnet_extensions() {
    let cfg = GameConfig::op_mainnet(GameType::CANNON, B256::repeat_byte(3));
    let reg = AnchorStateRegistry::new(B256::repeat_byte(1), 10, cfg.game_type);
    let init = GameInit {
        creator: a(),
        root_claim: B256::ZERO,
        l2_block_number: 20,
        l1_head: B256::ZERO,
        value: cfg.init_bond,
        now: T0,
    };
    let g = FaultDisputeGame::create(cfg, Setup::toy().stepper(), reg, init).unwrap();
    // vectors.md §3.3.
    assert_eq!(g.clock_extension_at(5), 10_800);
    assert_eq!(g.clock_extension_at(29), 21_600);
    assert_eq!(g.clock_extension_at(72), 97_200);
    assert_eq!(g.get_required_bond(Position::ROOT).unwrap(), U256::from(80_000_000_000_000_000u64));
    // Output mapping: root → proposal block; left-most split leaf → anchor + 1.
    assert_eq!(g.output_block_number(Position::ROOT), 20);
    assert_eq!(g.output_block_number(Position::new(30, 0)), 11);
}

#[test]
fn step_prestate_selection_and_checks() {
    let (s, mut g) = toy_game();
    let chain = attack_chain(&mut g, s.max); // 1, 2, ..., 512, 1024
    let leaf = *chain.last().unwrap();
    let parent9 = chain[chain.len() - 2];
    assert_eq!(g.claims()[leaf].position.gindex(), 1024);
    // Attack on the first instruction of the sub-game: the absolute prestate; post is the leaf.
    assert_eq!(g.step_states(leaf, true), Ok((s.prestate(), leaf)));
    // Defend: pre is the leaf, post is the bounded trace ancestor of 1025, i.e. 512.
    assert_eq!(g.step_states(leaf, false), Ok((g.claims()[leaf].claim, parent9)));
    // A leaf at 1026 (defend of 512): attack pre = bounded ancestor of 1025 = 512.
    let l2 = mv(&mut g, a(), parent9, false, junk(77, 3)).unwrap();
    assert_eq!(g.claims()[l2].position.gindex(), 1026);
    assert_eq!(g.step_states(l2, true), Ok((g.claims()[parent9].claim, l2)));
    assert_eq!(g.step_states(parent9, true), Err(GameError::InvalidParent));

    let pre = ToyState::prestate(s.work).encode();
    assert_eq!(g.step(b(), leaf, true, &[1, 2, 3], &[]), Err(GameError::InvalidPrestate));
    assert_eq!(g.step(b(), parent9, true, &pre, &[]), Err(GameError::InvalidParent));
    // The first instruction reads local key 2: without it the VM reverts.
    assert!(matches!(g.step(b(), leaf, true, &pre, &[]), Err(GameError::VmStep(_))));
    assert_eq!(g.add_local_data(2, chain[s.split as usize], 8), Err(GameError::ClaimAboveSplit));
    assert_eq!(g.add_local_data(6, leaf, 8), Err(GameError::InvalidLocalIdent));
    g.add_local_data(2, leaf, 8).unwrap();
    // The leaf claims junk, so the attack step counters it.
    g.step(b(), leaf, true, &pre, &[]).unwrap();
    assert_eq!(g.claims()[leaf].countered_by, b());
    assert_eq!(g.step(a(), leaf, true, &pre, &[]), Err(GameError::DuplicateStep));
    // A sibling leaf claiming the true post-state cannot be attacked: ValidStep.
    let mut post = ToyState::prestate(s.work);
    post.starting = s.anchor_root;
    post.acc = s.anchor_root;
    post.step = 1;
    let good = mv(&mut g, a(), parent9, true, post.hash()).unwrap();
    assert_eq!(g.step(b(), good, true, &pre, &[]), Err(GameError::ValidStep));
}

#[test]
fn local_data_and_context() {
    let (s, mut g) = toy_game();
    let chain = attack_chain(&mut g, s.split + 2);
    let leaf = *chain.last().unwrap();
    let out = &g.claims()[chain[s.split as usize]];
    // Attack on the left-most output: starting is the anchor with position 0.
    let (st, sp, d, dp) = g.find_starting_and_disputed_outputs(leaf).unwrap();
    assert_eq!((st, sp.gindex(), d, dp), (s.anchor_root, 0, out.claim, out.position));
    let mut enc = [0u8; 64];
    enc[..32].copy_from_slice(out.claim.as_slice());
    enc[48..].copy_from_slice(&out.position.gindex().to_be_bytes());
    let uuid = keccak256(enc);
    assert_eq!(g.find_local_context(leaf), Ok(uuid));
    let key = g.add_local_data(4, leaf, 8).unwrap();
    assert_eq!(key.0, rampart_primitives::localize_ident(4, &g.config().address.0 .0, &uuid.0));
    let (part, len) = g.oracle().read_preimage(key, 8).unwrap();
    assert_eq!(len, 8);
    assert_eq!(u64::from_be_bytes(part.0[..8].try_into().unwrap()), ANCHOR_BLOCK + 1);
    let key = g.add_local_data(5, leaf, 0).unwrap();
    let (part, _) = g.oracle().read_preimage(key, 0).unwrap();
    assert_eq!(u64::from_be_bytes(part.0[8..16].try_into().unwrap()), g.config().l2_chain_id);
}

#[test]
fn resolution_left_most_uncountered_child_wins() {
    let (s, mut g) = toy_game();
    let c1 = mv(&mut g, a(), 0, true, junk(1, 0)).unwrap();
    let atk = mv(&mut g, b(), c1, true, junk(2, 0)).unwrap(); // position 4
    let def = mv(&mut g, addr(0xc3), c1, false, junk(3, 0)).unwrap(); // position 6
    let sub = mv(&mut g, a(), atk, true, junk(4, 0)).unwrap(); // counters `atk`
    assert_eq!(g.resolve_claim(sub, 0), Err(GameError::ClockNotExpired));
    g.advance(302_400);
    assert_eq!(g.resolve(), Err(GameError::OutOfOrderResolution));
    assert_eq!(g.resolve_claim(c1, 0), Err(GameError::OutOfOrderResolution));
    g.resolve_claim(sub, 0).unwrap();
    assert_eq!(g.resolve_claim(sub, 0), Err(GameError::ClaimAlreadyResolved));
    g.resolve_claim(atk, 0).unwrap();
    g.resolve_claim(def, 0).unwrap();
    // Paginated: one child at a time; the left-most uncountered child (def, since atk is countered) wins.
    g.resolve_claim(c1, 1).unwrap();
    assert!(!g.is_resolved(c1));
    g.resolve_claim(c1, 0).unwrap(); // 0 after the first call resolves nothing more
    assert!(!g.is_resolved(c1));
    g.resolve_claim(c1, 1).unwrap();
    assert!(g.is_resolved(c1));
    assert_eq!(g.claims()[c1].countered_by, addr(0xc3));
    assert_eq!(g.claims()[atk].countered_by, a());
    g.resolve_claim(0, 0).unwrap();
    assert_eq!(g.resolve(), Ok(GameStatus::DefenderWins));
    assert_eq!(g.resolve(), Err(GameError::GameNotInProgress));
    assert_eq!(mv(&mut g, a(), 0, true, junk(9, 0)), Err(GameError::GameNotInProgress));
    // Credits: root bond back to its creator, c1's to 0xc3, atk's to a (sub's claimant), sub and def to themselves.
    let bond = |i: usize| g.claims()[i].bond;
    assert_eq!(g.normal_mode_credit(liar()), bond(0));
    assert_eq!(g.normal_mode_credit(addr(0xc3)), bond(c1) + bond(def));
    assert_eq!(g.normal_mode_credit(a()), bond(atk) + bond(sub));
    assert_eq!(g.normal_mode_credit(b()), U256::ZERO);
    let _ = s;
}

#[test]
fn credits_two_phase_and_refund_mode() {
    for blacklisted in [false, true] {
        let (_, mut g) = toy_game();
        let c1 = mv(&mut g, a(), 0, true, junk(1, 0)).unwrap();
        assert_eq!(g.claim_credit(a()), Err(GameError::GameNotResolved));
        g.advance(302_400);
        g.resolve_claim(c1, 0).unwrap();
        g.resolve_claim(0, 0).unwrap();
        assert_eq!(g.resolve(), Ok(GameStatus::ChallengerWins));
        assert_eq!(g.claim_credit(a()), Err(GameError::GameNotFinalized));
        g.advance(302_401);
        g.registry.paused = true;
        assert_eq!(g.claim_credit(a()), Err(GameError::GamePaused));
        g.registry.paused = false;
        g.registry.blacklisted = blacklisted;
        let unlocked = g.claim_credit(a()).unwrap();
        let mode = g.bond_distribution_mode();
        let (bond0, bond1) = (g.claims()[0].bond, g.claims()[c1].bond);
        if blacklisted {
            assert_eq!(mode, BondDistributionMode::Refund);
            assert_eq!(unlocked, bond1, "refund: the mover gets its own deposit back");
        } else {
            assert_eq!(mode, BondDistributionMode::Normal);
            assert_eq!(unlocked, bond0 + bond1, "the challenger wins the root bond");
        }
        assert_eq!(g.claim_credit(a()), Err(GameError::DelayedWeth("withdrawal delay not met")));
        g.advance(g.config().weth_delay);
        assert_eq!(g.claim_credit(a()), Ok(unlocked));
        assert_eq!(g.paid(a()), unlocked);
        assert_eq!(g.claim_credit(a()), Err(GameError::NoCreditToClaim));
        // The liar: nothing in normal mode (first call still succeeds), its root bond in refund mode.
        assert_eq!(g.claim_credit(liar()), Ok(if blacklisted { bond0 } else { U256::ZERO }));
        // The anchor never moves for a CHALLENGER_WINS game.
        assert_eq!(g.registry.anchor_block, ANCHOR_BLOCK);
    }
}

#[test]
fn l2_block_number_challenge() {
    let s = Setup::toy();
    let header_for = |n: u64| {
        let mut items: Vec<Vec<u8>> = (0..15u8).map(|i| alloy_rlp::encode(&[i + 0x80; 3][..])).collect();
        let be = n.to_be_bytes();
        let skip = be.iter().take_while(|x| **x == 0).count();
        items[8] = alloy_rlp::encode(&be[skip..]);
        let payload = items.concat();
        let mut out = Vec::new();
        alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend_from_slice(&payload);
        out
    };
    let proof_for = |h: &[u8]| OutputRootProof {
        version: B256::ZERO,
        state_root: B256::repeat_byte(1),
        message_passer_storage_root: B256::repeat_byte(2),
        latest_blockhash: keccak256(h),
    };
    let wrong = header_for(s.proposal_block - 1);
    let mut g = s.create(liar(), proof_for(&wrong).hash());
    let right = header_for(s.proposal_block);
    assert_eq!(g.challenge_root_l2_block(a(), &proof_for(&right), &right), Err(GameError::InvalidOutputRootProof));
    assert_eq!(g.challenge_root_l2_block(a(), &proof_for(&wrong), &right), Err(GameError::InvalidHeaderRlp));
    g.challenge_root_l2_block(a(), &proof_for(&wrong), &wrong).unwrap();
    assert_eq!(g.l2_block_number_challenge(), Some(a()));
    assert_eq!(g.challenge_root_l2_block(b(), &proof_for(&wrong), &wrong), Err(GameError::L2BlockNumberChallenged));
    assert_eq!(mv(&mut g, b(), 0, true, junk(1, 0)), Err(GameError::L2BlockNumberChallenged));
    g.advance(302_400);
    g.resolve_claim(0, 0).unwrap();
    assert_eq!(g.claims()[0].countered_by, a());
    assert_eq!(g.resolve(), Ok(GameStatus::ChallengerWins));
    assert_eq!(g.normal_mode_credit(a()), g.claims()[0].bond);

    let mut g = s.create(liar(), proof_for(&right).hash());
    assert_eq!(g.challenge_root_l2_block(a(), &proof_for(&right), &right), Err(GameError::BlockNumberMatches));
}

/// `challengeRootL2Block` on headers the contract's `RLPReader` reverts on: the block number in non-canonical
/// forms (a one-byte string in long form, a long-form string of length <= 55), a long-form list header for a short
/// header, trailing bytes and more than 32 fields. Each is rejected as `InvalidHeaderRLP`, even though the header
/// hashes to the proof's block hash; the same header in canonical form is accepted.
#[test]
fn l2_block_number_challenge_rejects_non_canonical_rlp() {
    let s = Setup::toy();
    let proof_for = |h: &[u8]| OutputRootProof {
        version: B256::ZERO,
        state_root: B256::repeat_byte(1),
        message_passer_storage_root: B256::repeat_byte(2),
        latest_blockhash: keccak256(h),
    };
    let list = |items: &[Vec<u8>], long_form: bool| {
        let payload = items.concat();
        let mut out = if long_form { vec![0xf8, payload.len() as u8] } else { Vec::new() };
        if !long_form {
            alloy_rlp::Header { list: true, payload_length: payload.len() }.encode(&mut out);
        }
        out.extend_from_slice(&payload);
        out
    };
    let fields = |number: Vec<u8>, n: usize| {
        let mut items: Vec<Vec<u8>> = (0..n as u8).map(|i| alloy_rlp::encode(&[i + 0x80; 3][..])).collect();
        items[8] = number;
        items
    };
    // The proposal's block number is far above 0x7f, so block 5 is a wrong number worth challenging.
    assert!(s.proposal_block > 5);
    let canonical = list(&fields(vec![0x05], 15), false);
    let bad_headers = [
        list(&fields(vec![0x81, 0x05], 15), false),
        list(&fields(vec![0xb8, 0x01, 0x05], 15), false),
        list(&(0..9u8).map(|i| vec![i + 1]).collect::<Vec<_>>(), true),
        [canonical.clone(), vec![0x00]].concat(),
        list(&fields(vec![0x05], 33), false),
    ];
    for h in &bad_headers {
        let mut g = s.create(liar(), proof_for(h).hash());
        assert_eq!(g.challenge_root_l2_block(a(), &proof_for(h), h), Err(GameError::InvalidHeaderRlp), "{h:02x?}");
        assert_eq!(g.l2_block_number_challenge(), None);
    }
    let mut g = s.create(liar(), proof_for(&canonical).hash());
    g.challenge_root_l2_block(a(), &proof_for(&canonical), &canonical).unwrap();
    assert_eq!(g.l2_block_number_challenge(), Some(a()));
}
