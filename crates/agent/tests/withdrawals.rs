//! Withdrawals of the recorded devnet: every withdrawal any block initiated is proven against that block's
//! output root (output-root proof + storage proof of `sentMessages[hash]`, as `proveWithdrawalTransaction`
//! calldata) and verifies with alloy-trie's independent proof verifier; a tampered proof, a wrong block and an
//! unresolved or lost game are refused with their reason.

mod common;

use alloy_primitives::{Address, B256, U256};
use rampart_agent::withdrawal::{check_finalize, proposals, prove_block, verify_proof_calldata, PROOF_MATURITY_DELAY};
use rampart_devnet::dataset::Dataset;

fn dataset() -> Dataset {
    Dataset::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/devnet")).unwrap()
}

#[test]
fn every_devnet_withdrawal_is_proven_and_verifies() {
    let ds = dataset();
    let data = common::data();
    let mut counts = Vec::new();
    let mut all = Vec::new();
    for (block, root) in proposals(&data) {
        let proofs = prove_block(&ds, block, root, U256::from(block)).unwrap();
        for p in &proofs {
            assert_eq!(verify_proof_calldata(&p.calldata, root), Ok(p.withdrawal.hash), "block {block}");
            assert_eq!(p.withdrawal.tx.data.as_ref(), b"rampart");
        }
        if !proofs.is_empty() {
            counts.push((block, proofs.len()));
        }
        all.extend(proofs);
    }
    // The devnet initiated one withdrawal in each of 7 blocks.
    assert_eq!(counts, [(2, 1), (5, 1), (6, 1), (7, 1), (9, 1), (17, 1), (21, 1)]);
    assert_eq!(all.len(), 7);
    let p = &all[0];
    // A wrong block: the same calldata against another block's output root.
    let other = data.output_at(p.l2_block + 1).unwrap();
    assert!(verify_proof_calldata(&p.calldata, other).unwrap_err().starts_with("InvalidOutputRootProof"));
    // A tampered storage proof: one byte of its last node flipped.
    let mut tampered = p.calldata.clone();
    let n = tampered.len() - 40;
    tampered[n] ^= 1;
    let e = verify_proof_calldata(&tampered, p.output_root).unwrap_err();
    assert!(e.starts_with("InvalidMerkleProof") || e.starts_with("calldata"), "{e}");
}

/// `finalizeWithdrawalTransaction`'s conditions on the game model: refused while the game is in progress,
/// before the proof matures, before the finality delay, for a game the challenger won, for a blacklisted game;
/// accepted once all hold.
#[test]
fn finalization_needs_a_finalized_defender_win_and_a_mature_proof() {
    use rampart_agent::withdrawal::{proposal_game, resolve_when_expired};
    use rampart_game::GameStatus;
    let ds = dataset();
    let data = common::data();
    let (block, root) = (2, data.output_at(2).unwrap());
    let proof = prove_block(&ds, block, root, U256::ZERO).unwrap().remove(0);
    assert_eq!(verify_proof_calldata(&proof.calldata, root), Ok(proof.withdrawal.hash));
    let t0 = 1_700_000_000;
    let prestate = B256::repeat_byte(3);
    let mut game = proposal_game(&data, block, root, prestate, Address::repeat_byte(0xee), t0).unwrap();
    let proven_at = t0 + 12;
    game.advance(12);
    let e = check_finalize(&game, proven_at, PROOF_MATURITY_DELAY).unwrap_err();
    assert!(e.starts_with("ProofNotOldEnough"), "{e}");
    assert_eq!(
        check_finalize(&game, t0, PROOF_MATURITY_DELAY).unwrap_err(),
        "InvalidProofTimestamp: proven before the game was created"
    );
    game.advance(PROOF_MATURITY_DELAY + 1);
    assert!(check_finalize(&game, proven_at, PROOF_MATURITY_DELAY).unwrap_err().contains("InProgress"));
    assert_eq!(resolve_when_expired(&mut game).unwrap(), GameStatus::DefenderWins);
    let e = check_finalize(&game, proven_at, PROOF_MATURITY_DELAY).unwrap_err();
    assert!(e.contains("finality delay"), "{e}");
    game.advance(game.registry.finality_delay + 1);
    assert_eq!(check_finalize(&game, proven_at, PROOF_MATURITY_DELAY), Ok(()));
    let mut blacklisted = game.clone();
    blacklisted.registry.blacklisted = true;
    assert!(check_finalize(&blacklisted, proven_at, PROOF_MATURITY_DELAY)
        .unwrap_err()
        .starts_with("ImproperDisputeGame"));

    // A wrong root proposed for the block, attacked and never defended: CHALLENGER_WINS, no finalization.
    let mut lost = proposal_game(&data, block, B256::repeat_byte(9), prestate, Address::repeat_byte(0xee), t0).unwrap();
    let pos = rampart_game::Position::ROOT.attack();
    let bond = lost.get_required_bond(pos).unwrap();
    lost.attack(Address::repeat_byte(0x11), bond, B256::repeat_byte(9), 0, root).unwrap();
    assert_eq!(resolve_when_expired(&mut lost).unwrap(), GameStatus::ChallengerWins);
    lost.advance(PROOF_MATURITY_DELAY + lost.registry.finality_delay);
    assert!(check_finalize(&lost, t0 + 1, PROOF_MATURITY_DELAY).unwrap_err().contains("ChallengerWins"));
}
