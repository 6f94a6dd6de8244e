//! The real `OptimismPortal2` bytecode (3.10.0, npm `@eth-optimism/contracts-bedrock` 0.17.3 forge artifacts)
//! in revm, deployed behind proxies with the real SuperchainConfig, SystemConfig, DisputeGameFactory,
//! AnchorStateRegistry, DelayedWETH and FaultDisputeGame (`rampart_agent::portal_evm`), against Rampart's
//! withdrawal proofs of the recorded devnet: the 7 devnet withdrawals are proven by the bytecode; on 256
//! deterministic tamperings of proofs, output-root preimages, withdrawal fields and game indices the bytecode
//! accepts exactly when Rampart's model (`withdrawal::check_prove`) does, and refuses for the same reason; and
//! `finalizeWithdrawalTransaction` along two games' timelines agrees with `withdrawal::check_finalize` on the
//! game model at every checkpoint. On a synthetic storage trie whose leaves are inlined in their branch, the
//! bytecode needs the inline leaf as its own proof element (`withdrawal::portal_proof`), which alloy-trie alone
//! does not.
//!
//! The artifacts come from `scripts/install-nodes.sh` (CI: `.ci/install-deps`); without them these tests fail.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{HashBuilder, Nibbles};
use rampart_agent::portal_evm::{
    finalize_refusal_tag, locate_artifacts, prove_refusal_tag, IPortal, Outcome, PortalEvm, PortalSetup,
};
use rampart_agent::withdrawal::{
    check_finalize, check_prove, hash_withdrawal, portal_proof, proposals, proveWithdrawalTransactionCall, prove_block,
    storage_slot, OutputRootProof, PortalView, ProvableGame, WithdrawalProof, WithdrawalTransaction,
    PROOF_MATURITY_DELAY,
};
use rampart_agent::{DevnetData, MipsStepper};
use rampart_devnet::artifacts::Artifacts;
use rampart_devnet::dataset::Dataset;
use rampart_game::{AnchorStateRegistry, FaultDisputeGame, GameConfig, GameInit, GameStatus, GameType, Position};
use rampart_test_utils::SplitMix64;

const PROPOSER: Address = Address::new([0xee; 20]);
const PROVER: Address = Address::new([0x9e; 20]);
const CHALLENGER: Address = Address::new([0x11; 20]);
const T0: u64 = 1_700_000_000;

fn artifacts() -> Artifacts {
    locate_artifacts().unwrap_or_else(|e| panic!("{e}"))
}

fn dataset() -> Dataset {
    Dataset::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/devnet")).unwrap()
}

/// The deployed game parameters (`GameConfig::op_mainnet`, CANNON_KONA) with the devnet's chain id.
fn config(data: &DevnetData) -> GameConfig {
    let mut cfg = GameConfig::op_mainnet(GameType::CANNON_KONA, B256::repeat_byte(3));
    cfg.l2_chain_id = data.chain_id;
    cfg
}

fn registry(data: &DevnetData) -> AnchorStateRegistry {
    AnchorStateRegistry::new(data.output_at(0).unwrap(), 0, GameType::CANNON_KONA)
}

/// The portal deployed with the same parameters as the game model (7-day proof maturity, the registry's
/// finality delay, anchor = the devnet's block 0).
fn portal(data: &DevnetData, arts: &Artifacts) -> PortalEvm {
    let setup = PortalSetup {
        game: config(data),
        proof_maturity_delay: PROOF_MATURITY_DELAY,
        finality_delay: registry(data).finality_delay,
        anchor: (data.output_at(0).unwrap(), 0),
        start_time: T0 - 1_000,
        other_game_types: vec![GameType::CANNON.0],
    };
    let mut evm = PortalEvm::deploy(arts, setup).unwrap();
    assert_eq!(evm.portal_version().unwrap(), "3.10.0");
    evm
}

/// The model of a game proposing `root` for `block`, created at `now`.
fn model_game(data: &DevnetData, root: B256, block: u64, now: u64) -> FaultDisputeGame {
    let cfg = config(data);
    let init = GameInit {
        creator: PROPOSER,
        root_claim: root,
        l2_block_number: block,
        l1_head: B256::repeat_byte(0x1a),
        value: cfg.init_bond,
        now,
    };
    FaultDisputeGame::create(cfg, Arc::new(MipsStepper), registry(data), init).unwrap()
}

/// Resolves the model game bottom-up (its clocks must have run out).
fn resolve_model(game: &mut FaultDisputeGame) -> GameStatus {
    for i in (0..game.claim_data_len()).rev() {
        game.resolve_claim(i, 0).unwrap();
    }
    game.resolve().unwrap()
}

/// Every devnet withdrawal's proof against its block's output root.
fn devnet_proofs(ds: &Dataset, data: &DevnetData) -> Vec<WithdrawalProof> {
    let mut all = Vec::new();
    for (block, root) in proposals(data) {
        all.extend(prove_block(ds, block, root, U256::ZERO).unwrap());
    }
    let blocks: Vec<u64> = all.iter().map(|p| p.l2_block).collect();
    assert_eq!(blocks, [2, 5, 6, 7, 9, 17, 21]);
    all
}

/// The factory indices of the games made for one withdrawal.
#[derive(Clone, Copy)]
struct Games {
    main: u64,
    same_root_in_progress: u64,
    defended: u64,
    countered: u64,
    other_type: u64,
}

const KINDS: usize = 23;

/// Tampering `kind` applied to `call` (withdrawal `w` of `all`, its games `g[w]`).
#[allow(clippy::too_many_arguments)]
fn tamper(
    kind: usize,
    call: &mut proveWithdrawalTransactionCall,
    rng: &mut SplitMix64,
    w: usize,
    g: &[Games],
    all: &[WithdrawalProof],
    portal: Address,
    game_count: u64,
) -> &'static str {
    let proof = &mut call._withdrawalProof;
    let n = proof.len();
    match kind {
        0 => {
            let i = rng.index(n);
            let mut node = proof[i].to_vec();
            let b = rng.index(node.len());
            node[b] ^= 1 << rng.index(8);
            proof[i] = node.into();
            "flip a bit of a proof node"
        }
        1 => {
            proof.remove(rng.index(n));
            "drop a proof node"
        }
        2 => {
            proof.push(proof[n - 1].clone());
            "repeat the leaf after it"
        }
        3 => {
            let junk = rng.bytes(40);
            proof.push(junk.into());
            "append a junk node"
        }
        4 => {
            let junk = rng.bytes(40);
            proof.insert(0, junk.into());
            "prepend a junk node"
        }
        5 => {
            let i = rng.index(n - 1);
            proof.swap(i, i + 1);
            "swap two adjacent proof nodes"
        }
        6 => {
            let i = rng.index(n);
            let mut node = proof[i].to_vec();
            node.pop();
            proof[i] = node.into();
            "truncate a proof node"
        }
        7 => {
            let other = (w + 1 + rng.index(all.len() - 1)) % all.len();
            *proof = all[other].withdrawal_proof.clone();
            "another withdrawal's storage proof"
        }
        8 => {
            proof.clear();
            "empty storage proof"
        }
        9 => {
            let p = &mut call._outputRootProof;
            let word = match rng.index(4) {
                0 => &mut p.version,
                1 => &mut p.stateRoot,
                2 => &mut p.messagePasserStorageRoot,
                _ => &mut p.latestBlockhash,
            };
            word.0[rng.index(32)] ^= 1 << rng.index(8);
            "flip a bit of the output root preimage"
        }
        10 => {
            call._outputRootProof.version = B256::with_last_byte(1);
            "output root version 1"
        }
        11 => {
            call._tx.nonce += U256::from(1 + rng.index(3));
            "withdrawal nonce changed"
        }
        12 => {
            call._tx.sender = Address::from_word(B256::from(U256::from(rng.next_u64())));
            "withdrawal sender changed"
        }
        13 => {
            call._tx.target = portal;
            "withdrawal targets the portal"
        }
        14 => {
            call._tx.value += U256::from(1 + rng.index(1000));
            "withdrawal value changed"
        }
        15 => {
            call._tx.gasLimit += U256::from(1 + rng.index(1000));
            "withdrawal gas limit changed"
        }
        16 => {
            let mut d = call._tx.data.to_vec();
            d.push(rng.next_u64() as u8);
            call._tx.data = d.into();
            "withdrawal data extended"
        }
        17 => {
            let other = (w + 1 + rng.index(g.len() - 1)) % g.len();
            call._disputeGameIndex = U256::from(g[other].main);
            "another block's game"
        }
        18 => {
            call._disputeGameIndex = U256::from(game_count + rng.index(5) as u64);
            "no game at the index"
        }
        19 => {
            call._disputeGameIndex = U256::from(g[w].same_root_in_progress);
            "same root claimed for another block, in progress"
        }
        20 => {
            call._disputeGameIndex = U256::from(g[w].defended);
            "same root, game resolved DEFENDER_WINS"
        }
        21 => {
            call._disputeGameIndex = U256::from(g[w].countered);
            "same root, game resolved CHALLENGER_WINS"
        }
        _ => {
            call._disputeGameIndex = U256::from(g[w].other_type);
            "same root, game of another type (CANNON)"
        }
    }
}

fn tag(model: &Result<B256, String>) -> &str {
    match model {
        Ok(_) => "accepted",
        Err(e) => e.split(':').next().unwrap_or(e),
    }
}

fn evm_tag(o: &Outcome) -> String {
    match o {
        Outcome::Accepted { .. } => "accepted".into(),
        Outcome::Refused(r) => prove_refusal_tag(r).map_or_else(|| format!("unmapped revert `{r}`"), str::to_string),
    }
}

#[test]
fn real_portal_proves_the_devnet_withdrawals_and_agrees_with_rampart_on_tampered_proofs() {
    let (ds, data, arts) = (dataset(), common::data(), artifacts());
    let all = devnet_proofs(&ds, &data);
    let mut evm = portal(&data, &arts);
    let respected = GameType::CANNON_KONA.0;
    evm.now = T0;

    // For each withdrawal: its proposal, the same root claimed for another block (left in progress, one to be
    // defended, one the challenger wins), and the same proposal as a game of another type.
    let mut games = Vec::new();
    let mut view_games = Vec::new();
    let mut models = Vec::new();
    let mut addrs = Vec::new();
    let mut make = |evm: &mut PortalEvm, addrs: &mut Vec<Address>, ty: u32, root: B256, block: u64| {
        let (index, game) = evm.create_game(PROPOSER, ty, root, block).unwrap();
        assert_eq!(index, U256::from(view_games.len()));
        view_games.push(ProvableGame { game_type: ty, root_claim: root, status: GameStatus::InProgress });
        addrs.push(game);
        index.to::<u64>()
    };
    for p in &all {
        let (root, b) = (p.output_root, p.l2_block);
        let g = Games {
            main: make(&mut evm, &mut addrs, respected, root, b),
            same_root_in_progress: make(&mut evm, &mut addrs, respected, root, b + 100),
            defended: make(&mut evm, &mut addrs, respected, root, b + 200),
            countered: make(&mut evm, &mut addrs, respected, root, b + 300),
            other_type: make(&mut evm, &mut addrs, GameType::CANNON.0, root, b),
        };
        games.push(g);
        // The model plays the same two games: one left alone, one attacked by a lying challenger.
        let defended = model_game(&data, root, b + 200, T0);
        let mut countered = model_game(&data, root, b + 300, T0);
        let bond = countered.get_required_bond(Position::ROOT.attack()).unwrap();
        countered.attack(CHALLENGER, bond, root, 0, B256::repeat_byte(9)).unwrap();
        let out = evm.attack(addrs[g.countered as usize], CHALLENGER, bond, root, 0, B256::repeat_byte(9)).unwrap();
        assert!(out.accepted(), "the model's bond is the contract's: {out:?}");
        models.push((g.defended, 1u64, defended));
        models.push((g.countered, 2u64, countered));
    }
    assert_eq!(view_games.len(), 35);
    let max_clock = config(&data).max_clock_duration;
    evm.warp(max_clock + 1);
    for (index, claims, model) in &mut models {
        model.advance(max_clock + 1);
        let status = resolve_model(model);
        assert_eq!(evm.resolve(addrs[*index as usize], *claims).unwrap(), status);
        view_games[*index as usize].status = status;
    }
    let statuses: Vec<_> = models.iter().map(|(_, _, m)| m.status()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == GameStatus::DefenderWins).count(), 7);
    assert_eq!(statuses.iter().filter(|s| **s == GameStatus::ChallengerWins).count(), 7);

    let mut view =
        PortalView { portal: evm.addresses.portal, paused: false, respected_game_type: respected, games: view_games };
    let calls: Vec<proveWithdrawalTransactionCall> = all
        .iter()
        .zip(&games)
        .map(|(p, g)| {
            let mut c = proveWithdrawalTransactionCall::abi_decode(&p.calldata).unwrap();
            c._disputeGameIndex = U256::from(g.main);
            c
        })
        .collect();

    // The differential: 256 tamperings (kind i mod 23, withdrawal and details from the seed).
    let mut rng = SplitMix64(0x5eed_0016);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut disagreements = Vec::new();
    let game_count = view.games.len() as u64;
    for i in 0..256 {
        let w = rng.index(calls.len());
        let mut call = calls[w].clone();
        let what = tamper(i % KINDS, &mut call, &mut rng, w, &games, &all, view.portal, game_count);
        let cd = call.abi_encode();
        let model = check_prove(&cd, &view);
        let bytecode = evm.prove(PROVER, &cd, false).unwrap();
        let (m, e) = (tag(&model).to_string(), evm_tag(&bytecode));
        if m != e {
            disagreements.push(format!("case {i} ({what}, withdrawal {w}): model {model:?}, bytecode {bytecode:?}"));
        }
        *counts.entry(m).or_default() += 1;
    }
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
    let counts: Vec<(&str, usize)> = counts.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    println!("differential counts: {counts:?}");
    assert_eq!(
        counts,
        [
            ("BadTarget", 11),
            ("InvalidDisputeGame", 11),
            ("InvalidGameIndex", 11),
            ("InvalidGameType", 11),
            ("InvalidMerkleProof", 157),
            ("InvalidOutputRootProof", 33),
            ("accepted", 22),
        ]
    );

    // Paused: the 7 genuine proofs are refused by both.
    evm.pause().unwrap();
    view.paused = true;
    for c in &calls {
        let cd = c.abi_encode();
        assert_eq!(tag(&check_prove(&cd, &view)), "CallPaused");
        assert_eq!(evm_tag(&evm.prove(PROVER, &cd, false).unwrap()), "CallPaused");
    }
    evm = portal(&data, &arts);
    evm.now = T0;

    // The 7 genuine proofs, committed, on a fresh deployment with one game per withdrawal.
    view.paused = false;
    view.games.clear();
    let mut proven = 0;
    for (p, c) in all.iter().zip(&calls) {
        let (index, game) = evm.create_game(PROPOSER, respected, p.output_root, p.l2_block).unwrap();
        view.games.push(ProvableGame {
            game_type: respected,
            root_claim: p.output_root,
            status: GameStatus::InProgress,
        });
        let mut c = c.clone();
        c._disputeGameIndex = index;
        let cd = c.abi_encode();
        let hash = p.withdrawal.hash;
        assert_eq!(check_prove(&cd, &view), Ok(hash));
        evm.warp(12);
        let Outcome::Accepted { logs, .. } = evm.prove(PROVER, &cd, true).unwrap() else {
            panic!("the portal refused the withdrawal of block {}", p.l2_block)
        };
        let tx = &p.withdrawal.tx;
        let topics: Vec<Vec<B256>> = logs.iter().map(|l| l.topics().to_vec()).collect();
        assert!(logs.iter().all(|l| l.address == evm.addresses.portal));
        assert_eq!(
            topics,
            [
                vec![IPortal::WithdrawalProven::SIGNATURE_HASH, hash, tx.sender.into_word(), tx.target.into_word()],
                vec![IPortal::WithdrawalProvenExtension1::SIGNATURE_HASH, hash, PROVER.into_word()],
            ]
        );
        assert_eq!(evm.proven_withdrawal(hash, PROVER).unwrap(), (game, evm.now));
        let getter = evm.view(evm.addresses.portal, IPortal::provenWithdrawalsCall { _hash: hash, _submitter: PROVER });
        let getter = getter.unwrap();
        assert_eq!((getter.disputeGameProxy, getter.timestamp), (game, evm.now));
        let n = evm.view(evm.addresses.portal, IPortal::numProofSubmittersCall { _hash: hash }).unwrap();
        assert_eq!(n, U256::from(1));
        proven += 1;
    }
    assert_eq!(proven, 7);
}

/// `finalizeWithdrawalTransaction` along the timelines of two proposals (block 2's, defended by nobody
/// needing to; block 5's, attacked by a lying challenger who is never answered), against `check_finalize` on
/// the game model played identically.
#[test]
fn real_portal_finalizes_exactly_when_rampart_says_it_may() {
    let (ds, data, arts) = (dataset(), common::data(), artifacts());
    let all = devnet_proofs(&ds, &data);
    let (w2, w5) = (&all[0], &all[1]);
    assert_eq!((w2.l2_block, w5.l2_block), (2, 5));
    let mut evm = portal(&data, &arts);
    evm.donate(w2.withdrawal.tx.value + w5.withdrawal.tx.value).unwrap();
    evm.now = T0;
    let respected = GameType::CANNON_KONA.0;
    let (i2, g2) = evm.create_game(PROPOSER, respected, w2.output_root, 2).unwrap();
    let (i5, g5) = evm.create_game(PROPOSER, respected, w5.output_root, 5).unwrap();
    let mut m2 = model_game(&data, w2.output_root, 2, T0);
    let mut m5 = model_game(&data, w5.output_root, 5, T0);

    let warp = |evm: &mut PortalEvm, m2: &mut FaultDisputeGame, m5: &mut FaultDisputeGame, secs: u64| {
        evm.warp(secs);
        m2.advance(secs);
        m5.advance(secs);
        assert_eq!((m2.now(), m5.now()), (evm.now, evm.now));
    };
    warp(&mut evm, &mut m2, &mut m5, 12);
    for (p, index) in [(w2, i2), (w5, i5)] {
        let mut c = proveWithdrawalTransactionCall::abi_decode(&p.calldata).unwrap();
        c._disputeGameIndex = index;
        assert!(evm.prove(PROVER, &c.abi_encode(), true).unwrap().accepted());
    }
    let proven_at = evm.now;
    assert_eq!(evm.proven_withdrawal(w2.withdrawal.hash, PROVER).unwrap(), (g2, proven_at));
    assert_eq!(evm.proven_withdrawal(w5.withdrawal.hash, PROVER).unwrap(), (g5, proven_at));
    let bond = m5.get_required_bond(Position::ROOT.attack()).unwrap();
    m5.attack(CHALLENGER, bond, w5.output_root, 0, B256::repeat_byte(9)).unwrap();
    assert!(evm.attack(g5, CHALLENGER, bond, w5.output_root, 0, B256::repeat_byte(9)).unwrap().accepted());

    // One checkpoint: both withdrawals' finalization, by the model and by the bytecode (not committed).
    let mut log: Vec<(&str, &str, String)> = Vec::new();
    let mut check = |evm: &mut PortalEvm, at: &'static str, games: &[(&WithdrawalProof, &FaultDisputeGame)]| {
        for &(p, m) in games {
            let model = check_finalize(m, proven_at, PROOF_MATURITY_DELAY);
            let bytecode = evm.finalize(PROVER, &p.withdrawal.tx, false).unwrap();
            let m_tag = match &model {
                Ok(()) => "accepted",
                Err(e) if e.contains("finality delay") => "FinalityDelay",
                Err(e) => e.split(':').next().unwrap(),
            };
            let e_tag = match &bytecode {
                Outcome::Accepted { .. } => "accepted",
                Outcome::Refused(r) => finalize_refusal_tag(r).unwrap_or("unmapped"),
            };
            assert_eq!(m_tag, e_tag, "{at}, block {}: model {model:?}, bytecode {bytecode:?}", p.l2_block);
            log.push((at, if p.l2_block == 2 { "block 2" } else { "block 5" }, m_tag.to_string()));
        }
    };
    check(&mut evm, "just proven", &[(w2, &m2), (w5, &m5)]);
    warp(&mut evm, &mut m2, &mut m5, PROOF_MATURITY_DELAY + 1);
    check(&mut evm, "proof mature, games unresolved", &[(w2, &m2), (w5, &m5)]);
    let max_clock = config(&data).max_clock_duration;
    warp(&mut evm, &mut m2, &mut m5, max_clock + 1);
    assert_eq!(
        (resolve_model(&mut m2), resolve_model(&mut m5)),
        (GameStatus::DefenderWins, GameStatus::ChallengerWins)
    );
    assert_eq!(evm.resolve(g2, 1).unwrap(), GameStatus::DefenderWins);
    assert_eq!(evm.resolve(g5, 2).unwrap(), GameStatus::ChallengerWins);
    check(&mut evm, "resolved, in the finality delay", &[(w2, &m2), (w5, &m5)]);
    warp(&mut evm, &mut m2, &mut m5, registry(&data).finality_delay + 1);
    // Blacklisted by the guardian (on a copy of the chain): refused by both.
    let mut blacklisted = evm.clone();
    blacklisted.blacklist(g2).unwrap();
    let mut m2b = m2.clone();
    m2b.registry.blacklisted = true;
    check(&mut blacklisted, "blacklisted", &[(w2, &m2b), (w5, &m5)]);
    // The guardian pauses the system / changes the respected game type after the proofs.
    let mut paused = evm.clone();
    paused.pause().unwrap();
    let (mut m2p, mut m5p) = (m2.clone(), m5.clone());
    m2p.registry.paused = true;
    m5p.registry.paused = true;
    check(&mut paused, "paused", &[(w2, &m2p), (w5, &m5p)]);
    let mut retyped = evm.clone();
    retyped.set_respected_game_type(GameType::CANNON.0).unwrap();
    let (mut m2t, mut m5t) = (m2.clone(), m5.clone());
    m2t.registry.respected_game_type = GameType::CANNON;
    m5t.registry.respected_game_type = GameType::CANNON;
    check(&mut retyped, "respected game type changed", &[(w2, &m2t), (w5, &m5t)]);
    // The guardian re-sets the respected type: 3.10.0 then refuses games created before (`respectedGameTypeUpdatedAt`),
    // as 4.x's retirement timestamp makes them improper. (Block 5's CHALLENGER_WINS game is refused first for its
    // status by 3.10.0 and for its retirement by the model, so only block 2 is compared here.)
    let mut retired = evm.clone();
    retired.set_respected_game_type(GameType::CANNON_KONA.0).unwrap();
    let mut m2r = m2.clone();
    m2r.registry.retirement_timestamp = retired.now;
    check(&mut retired, "games retired", &[(w2, &m2r)]);
    check(&mut evm, "finalized", &[(w2, &m2), (w5, &m5)]);
    let log: Vec<(&str, &str, &str)> = log.iter().map(|(a, b, c)| (*a, *b, c.as_str())).collect();
    assert_eq!(
        log,
        [
            ("just proven", "block 2", "ProofNotOldEnough"),
            ("just proven", "block 5", "ProofNotOldEnough"),
            ("proof mature, games unresolved", "block 2", "InvalidDisputeGame"),
            ("proof mature, games unresolved", "block 5", "InvalidDisputeGame"),
            ("resolved, in the finality delay", "block 2", "FinalityDelay"),
            ("resolved, in the finality delay", "block 5", "InvalidDisputeGame"),
            ("blacklisted", "block 2", "ImproperDisputeGame"),
            ("blacklisted", "block 5", "InvalidDisputeGame"),
            ("paused", "block 2", "ImproperDisputeGame"),
            ("paused", "block 5", "ImproperDisputeGame"),
            ("respected game type changed", "block 2", "InvalidDisputeGame"),
            ("respected game type changed", "block 5", "InvalidDisputeGame"),
            ("games retired", "block 2", "ImproperDisputeGame"),
            ("finalized", "block 2", "accepted"),
            ("finalized", "block 5", "InvalidDisputeGame"),
        ]
    );

    // Finalize block 2's withdrawal for real: the event, the storage flag, the value paid to the target.
    let tx = &w2.withdrawal.tx;
    let before = evm.balance(tx.target);
    let Outcome::Accepted { logs, .. } = evm.finalize(PROVER, tx, true).unwrap() else { panic!("refused") };
    let fin: Vec<_> =
        logs.iter().filter(|l| l.topics().first() == Some(&IPortal::WithdrawalFinalized::SIGNATURE_HASH)).collect();
    assert_eq!(fin.len(), 1);
    assert_eq!(fin[0].topics()[1], w2.withdrawal.hash);
    assert_eq!(fin[0].data.data, Bytes::from(U256::from(1).to_be_bytes::<32>().to_vec()), "success = true");
    assert!(evm.finalized_withdrawal(w2.withdrawal.hash).unwrap());
    assert_eq!(evm.balance(tx.target) - before, tx.value);
    // Another address finalizing: it proved nothing (provenWithdrawals is per submitter), the model's proven_at = 0.
    let other = Address::new([0x0f; 20]);
    let model = check_finalize(&m5, 0, PROOF_MATURITY_DELAY).unwrap_err();
    assert!(model.starts_with("Unproven"), "{model}");
    let Outcome::Refused(r) = evm.finalize(other, &w5.withdrawal.tx, false).unwrap() else { panic!("accepted") };
    assert_eq!(finalize_refusal_tag(&r), Some("Unproven"));
    // A replay is refused by the bytecode (the model keeps no record of finalized withdrawals).
    assert_eq!(
        evm.finalize(PROVER, tx, false).unwrap(),
        Outcome::Refused("OptimismPortal: withdrawal has already been finalized".into())
    );
}

/// Two withdrawals whose `sentMessages` trie keys share their first 8 nibbles (the first such pair among nonces
/// 0, 1, 2, ..., by the birthday bound within about 2^17), with their keys.
fn inline_pair() -> [(WithdrawalTransaction, Nibbles); 2] {
    let tx = |nonce: u64| WithdrawalTransaction {
        nonce: U256::from(nonce),
        sender: Address::new([0xaa; 20]),
        target: Address::new([0xbb; 20]),
        value: U256::from(1_000u64),
        gasLimit: U256::from(100_000u64),
        data: Bytes::from_static(b"rampart"),
    };
    let key = |t: &WithdrawalTransaction| keccak256(storage_slot(hash_withdrawal(t)));
    let mut seen: BTreeMap<[u8; 4], u64> = BTreeMap::new();
    for n in 0.. {
        let k = key(&tx(n));
        if let Some(m) = seen.insert(k[..4].try_into().unwrap(), n) {
            let (a, b) = (tx(m), tx(n));
            let (ka, kb) = (Nibbles::unpack(key(&a)), Nibbles::unpack(key(&b)));
            return if ka < kb { [(a, ka), (b, kb)] } else { [(b, kb), (a, ka)] };
        }
    }
    unreachable!()
}

/// A storage trie holding only `sentMessages` of the pair: extension (the 8 shared nibbles or more) -> branch ->
/// two leaves of 31 bytes, inlined in the branch. Its root and the hashed nodes of each key's path (as a trie
/// read or `eth_getProof` gives them).
fn inline_trie(pair: &[(WithdrawalTransaction, Nibbles); 2]) -> (B256, [Vec<Bytes>; 2]) {
    let targets = vec![pair[0].1, pair[1].1];
    let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(targets));
    for (_, k) in pair {
        hb.add_leaf(*k, &[0x01]);
    }
    let root = hb.root();
    let nodes = hb.take_proof_nodes();
    let path = |k: &Nibbles| -> Vec<Bytes> {
        nodes.matching_nodes_sorted(k).into_iter().map(|(_, n)| n).filter(|n| n.len() >= 32).collect()
    };
    (root, [path(&pair[0].1), path(&pair[1].1)])
}

/// A leaf shorter than 32 bytes is inlined in its branch; alloy-trie reads it there, but the portal's
/// `MerkleTrie` wants it as its own proof element (the OP SDK's `maybeAddProofNode`). On a synthetic storage
/// trie with two such leaves, under a game proposing its output root: the bytecode refuses the hashed-nodes-only
/// proof that alloy-trie alone accepts, accepts the proof `portal_proof` builds, and `check_prove` agrees on
/// those and 6 tamperings; both withdrawals are then proven.
#[test]
fn inline_leaves_are_proven_as_the_portal_walks_them() {
    let (data, arts) = (common::data(), artifacts());
    let pair = inline_pair();
    assert_eq!(pair[0].1.slice(..8), pair[1].1.slice(..8));
    let (storage_root, paths) = inline_trie(&pair);
    let out = OutputRootProof {
        version: B256::ZERO,
        stateRoot: B256::repeat_byte(0x51),
        messagePasserStorageRoot: storage_root,
        latestBlockhash: B256::repeat_byte(0xb1),
    };
    let mut pre = Vec::new();
    for w in [out.version, out.stateRoot, out.messagePasserStorageRoot, out.latestBlockhash] {
        pre.extend_from_slice(w.as_slice());
    }
    let root_claim = keccak256(&pre);
    let mut evm = portal(&data, &arts);
    evm.now = T0;
    let respected = GameType::CANNON_KONA.0;
    let (index, game) = evm.create_game(PROPOSER, respected, root_claim, 1_000).unwrap();
    let view = PortalView {
        portal: evm.addresses.portal,
        paused: false,
        respected_game_type: respected,
        games: vec![ProvableGame { game_type: respected, root_claim, status: GameStatus::InProgress }],
    };
    let calldata = |tx: &WithdrawalTransaction, proof: Vec<Bytes>| {
        proveWithdrawalTransactionCall {
            _tx: tx.clone(),
            _disputeGameIndex: index,
            _outputRootProof: out.clone(),
            _withdrawalProof: proof,
        }
        .abi_encode()
    };
    let mut cases = Vec::new();
    for (i, (tx, key)) in pair.iter().enumerate() {
        let hashed = paths[i].clone();
        let full = portal_proof(&hashed, key).unwrap();
        // extension + branch, then the 31-byte leaf.
        assert_eq!(hashed.len(), 2);
        assert_eq!(full.len(), 3);
        assert_eq!(full[2].len(), 31);
        // alloy-trie alone (Rampart's check before this test) accepts the hashed nodes and refuses the full list.
        assert!(alloy_trie::proof::verify_proof(storage_root, *key, Some(vec![1]), hashed.iter()).is_ok());
        assert!(alloy_trie::proof::verify_proof(storage_root, *key, Some(vec![1]), full.iter()).is_err());
        let sibling = portal_proof(&paths[1 - i], &pair[1 - i].1).unwrap()[2].clone();
        let mut junk_after = full.clone();
        junk_after.push(full[2].clone());
        cases.push(("hashed nodes only", calldata(tx, hashed.clone()), "MerkleTrie: ran out of proof elements"));
        cases.push((
            "the sibling's leaf as the last element",
            calldata(tx, [hashed.clone(), vec![sibling]].concat()),
            "MerkleTrie: invalid internal node hash",
        ));
        cases.push((
            "the leaf twice",
            calldata(tx, junk_after),
            "MerkleTrie: value node must be last node in proof (leaf)",
        ));
        cases.push(("portal_proof", calldata(tx, full), "accepted"));
    }
    for (what, cd, expected) in &cases {
        let model = check_prove(cd, &view);
        let bytecode = evm.prove(PROVER, cd, false).unwrap();
        let reason = match &bytecode {
            Outcome::Accepted { .. } => "accepted".to_string(),
            Outcome::Refused(r) => r.clone(),
        };
        assert_eq!(reason, *expected, "{what}");
        assert_eq!(tag(&model), evm_tag(&bytecode), "{what}: model {model:?}");
    }
    assert_eq!(cases.len(), 8);
    evm.warp(12);
    for (what, cd, expected) in &cases {
        if *expected == "accepted" {
            assert!(evm.prove(PROVER, cd, true).unwrap().accepted(), "{what}");
        }
    }
    for (tx, _) in &pair {
        assert_eq!(evm.proven_withdrawal(hash_withdrawal(tx), PROVER).unwrap(), (game, evm.now));
    }
}
