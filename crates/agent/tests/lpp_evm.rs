//! The LPP model (`rampart_game::lpp`) against the real `PreimageOracle` bytecode of contracts-bedrock 0.17.3
//! (deployed by `PortalEvm` with minProposalSize 126 000 and the deployed 86 400 s challenge period): every call's
//! success or revert reason, and the part `readPreimage` returns after the squeeze.

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_agent::portal_evm::{locate_artifacts, Outcome, PortalEvm, PortalSetup};
use rampart_game::lpp::{self, CallEnv, IPreimageOracle, LppCall, LppOracle, LppRevert};
use rampart_game::{GameConfig, GameType};
use revm::primitives::TxKind;

fn reason(e: LppRevert) -> String {
    let s = e.to_string();
    if s.ends_with("()") {
        format!("custom error 0x{}", alloy_primitives::hex::encode(&keccak256(s.as_bytes())[..4]))
    } else {
        s
    }
}

#[test]
fn model_and_bytecode_agree_on_valid_and_corrupted_proposals() {
    let artifacts = locate_artifacts().unwrap_or_else(|e| panic!("{e}"));
    let game = GameConfig::op_mainnet(GameType::CANNON_KONA, B256::repeat_byte(3));
    let period = game.oracle_challenge_period;
    let setup = PortalSetup {
        game,
        proof_maturity_delay: 604_800,
        finality_delay: 302_400,
        anchor: (B256::repeat_byte(1), 0),
        other_game_types: vec![],
        start_time: 1_700_000_000,
    };
    let mut evm = PortalEvm::deploy(&artifacts, setup).unwrap();
    let oracle = evm.addresses.preimage_oracle;
    let mut model = LppOracle::new(lpp::DEPLOYED_MIN_PROPOSAL_SIZE, period);
    let claimant = Address::repeat_byte(0xc1);
    let challenger = Address::repeat_byte(0xc2);
    evm.fund(claimant);
    evm.fund(challenger);
    let (mut calls, mut agreed, mut accepted) = (0, 0, 0);
    let mut send = |evm: &mut PortalEvm, model: &mut LppOracle, who: Address, value: U256, c: &LppCall| {
        let env = CallEnv::eoa(who, value, evm.now, evm.number);
        let m = model.call(&env, c);
        let e = evm.exec(who, TxKind::Call(oracle), value, c.calldata(), true).unwrap();
        let got = match &e {
            Outcome::Accepted { .. } => Ok(()),
            Outcome::Refused(r) => Err(r.clone()),
        };
        calls += 1;
        let want = m.map(|_| ()).map_err(reason);
        assert_eq!(got, want, "{} by {who}", c.name());
        agreed += 1;
        accepted += usize::from(got.is_ok());
        got.is_ok()
    };
    let bond = U256::from(lpp::MIN_BOND_SIZE);
    // Sizes around block boundaries above minProposalSize; corruption at none / first / middle / last leaf.
    let base = lpp::DEPLOYED_MIN_PROPOSAL_SIZE as usize;
    let mut squeezed = 0;
    for (n, size) in [base, base + 135 - base % 136, base + 136 - base % 136, base + 137].into_iter().enumerate() {
        for corrupt in [None, Some(0usize), Some(1), Some(2)] {
            let data: Vec<u8> = (0..size).map(|i| (i * 31 + n) as u8).collect();
            let uuid = U256::from(n * 10 + corrupt.map_or(0, |c| c + 1));
            let offset = 8 + (size as u32 / 2);
            let mut honest = lpp::LppLeaves::of(&data);
            let last = honest.leaves.len() - 1;
            let bad = corrupt.map(|c| [0, last / 2, last][c]);
            let mut plan = lpp::proposal_calls(&data, offset, uuid, lpp::CHUNK_BLOCKS);
            if let Some(b) = bad {
                honest.leaves[b].stateCommitment = B256::repeat_byte(0xee);
                for c in plan.iter_mut() {
                    if let LppCall::AddLeaves(a) = c {
                        let start = a._inputStartBlock.to::<usize>();
                        if (start..start + a._stateCommitments.len()).contains(&b) {
                            a._stateCommitments[b - start] = B256::repeat_byte(0xee);
                        }
                    }
                }
            }
            assert!(send(&mut evm, &mut model, claimant, bond, &plan[0]));
            for c in &plan[1..] {
                assert!(send(&mut evm, &mut model, claimant, U256::ZERO, c));
            }
            let posted: Vec<_> = plan
                .iter()
                .filter_map(|c| if let LppCall::AddLeaves(a) = c { Some(a.clone()) } else { None })
                .collect();
            let leaves = lpp::posted_leaves(&posted);
            assert_eq!(leaves, honest.leaves);
            let squeeze = lpp::squeeze_call(claimant, uuid, &honest).unwrap();
            // Too early for everyone.
            assert!(!send(&mut evm, &mut model, claimant, U256::ZERO, &squeeze));
            match lpp::challenge_call(claimant, uuid, &leaves) {
                Some(ch) => {
                    assert!(bad.is_some());
                    assert!(send(&mut evm, &mut model, challenger, U256::ZERO, &ch));
                }
                None => assert!(bad.is_none()),
            }
            evm.warp(period + 1);
            let ok = send(&mut evm, &mut model, claimant, U256::ZERO, &squeeze);
            assert_eq!(ok, bad.is_none());
            if ok {
                squeezed += 1;
                let mut key = keccak256(&data);
                key.0[0] = 2;
                let read = IPreimageOracle::readPreimageCall { _key: key, _offset: U256::from(offset) };
                let r = evm.view(oracle, read).unwrap();
                let (part, len) = model.read_preimage(key, U256::from(offset)).unwrap();
                assert_eq!((r.dat_, r.datLen_), (part, len));
                let o = offset as usize - 8;
                assert_eq!(&part[..], &data[o..o + 32]);
            }
        }
    }
    println!("calls {calls}, agreed {agreed}, accepted {accepted}, squeezed {squeezed}");
    // 16 proposals: init + 4 addLeaves + early squeeze + squeeze each (8 calls), + 12 challenges = 140;
    // refused: 16 early squeezes and 12 squeezes of countered proposals.
    assert_eq!((calls, agreed, accepted, squeezed), (140, 140, 112, 4));
}
