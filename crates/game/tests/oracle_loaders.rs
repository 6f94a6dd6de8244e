//! The PreimageOracle model's loaders check what they store as the contract does: sha256 and keccak256 keys
//! are computed from the data, blob parts need a KZG proof the point-evaluation precompile accepts, precompile
//! parts are the model's own run of the precompile, and large keccak256 preimages go through a proposal that can
//! only be squeezed after its challenge period.

use std::sync::Arc;

use alloy_primitives::{keccak256, Address, B256, U256};
use rampart_game::oracle::{LPP_BLOCK, LPP_MIN_BOND, LPP_MIN_PROPOSAL_SIZE};
use rampart_game::{
    AlphabetVm, AnchorStateRegistry, FaultDisputeGame, GameConfig, GameInit, GameType, HonestChallenger, OracleError,
    PreimageData, PreimageOracle, SplitTraceAccessor, ALPHABET_ABSOLUTE_PRESTATE,
};

fn typed(mut h: [u8; 32], t: u8) -> B256 {
    h[0] = t;
    B256::from(h)
}

#[test]
fn sha256_parts_are_keyed_by_their_hash() {
    let mut o = PreimageOracle::new();
    let data: Vec<u8> = (0..100u8).collect();
    let key = o.load_sha256_preimage_part(40, &data).unwrap();
    assert_eq!(key, typed(rampart_primitives::sha256(&data), 4));
    let (part, len) = o.read_preimage(key, 40).unwrap();
    assert_eq!((len, &part[..]), (100, &data[32..64]));
    assert_eq!(o.load_sha256_preimage_part(108, &data), Err(OracleError::PartOffsetOob));
    assert_eq!(o.read_preimage(key, 8), Err(OracleError::PreimageNotFound));
}

#[test]
fn blob_parts_need_a_valid_point_evaluation() {
    let kzg = c_kzg::ethereum_kzg_settings(0);
    let mut blob = vec![0u8; c_kzg::BYTES_PER_BLOB];
    for (i, fe) in blob.chunks_mut(32).enumerate() {
        fe[24..].copy_from_slice(&(i as u64 * 7919 + 1).to_be_bytes());
    }
    let b = c_kzg::Blob::from_bytes(&blob).unwrap();
    let commitment = kzg.blob_to_kzg_commitment(&b).unwrap().to_bytes().into_inner();
    let z = B256::from(U256::from(123_456_789u64));
    let (proof, y) = kzg.compute_kzg_proof(&b, &c_kzg::Bytes32::new(z.0)).unwrap();
    let (proof, y) = (proof.to_bytes().into_inner(), B256::from(y.as_slice().try_into().map(|a: [u8; 32]| a).unwrap()));
    let mut o = PreimageOracle::new();
    let key = o.load_blob_preimage_part(z, y, &commitment, &proof, 8).unwrap();
    assert_eq!(key, typed(keccak256([&commitment[..], z.as_slice()].concat()).0, 5));
    assert_eq!(o.read_preimage(key, 8).unwrap(), (y, 32));
    // A wrong value, or a proof for another point, is refused before anything is stored.
    let mut wrong_y = y;
    wrong_y.0[31] ^= 1;
    assert!(matches!(
        o.load_blob_preimage_part(z, wrong_y, &commitment, &proof, 8),
        Err(OracleError::InvalidBlobProof(_))
    ));
    let other = B256::from(U256::from(5u8));
    assert!(matches!(
        o.load_blob_preimage_part(other, y, &commitment, &proof, 0),
        Err(OracleError::InvalidBlobProof(_))
    ));
    assert_eq!(o.load_blob_preimage_part(z, y, &commitment, &proof, 40), Err(OracleError::PartOffsetOob));
    assert!(!o.has_part(key, 0));
}

#[test]
fn precompile_parts_are_the_models_own_result() {
    let mut o = PreimageOracle::new();
    let identity = Address::with_last_byte(4);
    assert!(matches!(o.load_precompile_preimage_part(0, identity, 100, b"abc"), Err(OracleError::NoPrecompile(_))));
    o.set_precompiles(Arc::new(move |a, _gas, input: &[u8]| (a == identity).then(|| (true, input.to_vec()))));
    let key = o.load_precompile_preimage_part(8, identity, 15, b"hello").unwrap();
    let mut pre = identity.to_vec();
    pre.extend_from_slice(&15u64.to_be_bytes());
    pre.extend_from_slice(b"hello");
    assert_eq!(key, typed(keccak256(&pre).0, 6));
    let (part, len) = o.read_preimage(key, 8).unwrap();
    assert_eq!((len, &part[..6]), (6, &b"\x01hello"[..]));
    assert!(matches!(
        o.load_precompile_preimage_part(0, Address::with_last_byte(9), 1, b""),
        Err(OracleError::NoPrecompile(_))
    ));
}

#[test]
fn large_preimage_proposals_follow_the_contract_rules() {
    let mut o = PreimageOracle::new();
    o.challenge_period = 86_400;
    let who = Address::repeat_byte(3);
    let uuid = B256::repeat_byte(9);
    let data: Vec<u8> = (0..130_000u32).map(|i| (i % 251) as u8).collect();
    let size = data.len() as u64;
    assert_eq!(o.init_lpp(who, uuid, 0, size, LPP_MIN_BOND - 1), Err(OracleError::Lpp("InsufficientBond")));
    assert!(o.init_lpp(who, uuid, 0, LPP_MIN_PROPOSAL_SIZE - 1, LPP_MIN_BOND).is_err());
    assert_eq!(o.init_lpp(who, uuid, size + 8, size, LPP_MIN_BOND), Err(OracleError::PartOffsetOob));
    o.init_lpp(who, uuid, 1000, size, LPP_MIN_BOND).unwrap();
    assert_eq!(o.init_lpp(who, uuid, 1000, size, LPP_MIN_BOND), Err(OracleError::Lpp("AlreadyInitialized")));
    let whole = data.len() / LPP_BLOCK * LPP_BLOCK;
    assert_eq!(
        o.add_leaves_lpp(who, uuid, 0, &data[..100], false, 10),
        Err(OracleError::Lpp("InvalidInputSize (not whole blocks)"))
    );
    assert_eq!(
        o.add_leaves_lpp(who, uuid, 5, &data[..LPP_BLOCK], false, 10),
        Err(OracleError::Lpp("WrongStartingBlock"))
    );
    let mut blocks = 0;
    for c in data[..whole].chunks(300 * LPP_BLOCK) {
        o.add_leaves_lpp(who, uuid, blocks, c, false, 10).unwrap();
        blocks += (c.len() / LPP_BLOCK) as u64;
    }
    assert_eq!(o.squeeze_lpp(who, uuid, 10), Err(OracleError::Lpp("ActiveProposal (not finalized)")));
    o.add_leaves_lpp(who, uuid, blocks, &data[whole..], true, 100).unwrap();
    assert_eq!(o.proposal(who, uuid).unwrap().leaves, 956, "955 full blocks + the padded last one");
    assert_eq!(
        o.squeeze_lpp(who, uuid, 100 + 86_400),
        Err(OracleError::Lpp("ActiveProposal (challenge period not over)"))
    );
    let key = o.squeeze_lpp(who, uuid, 100 + 86_401).unwrap();
    assert_eq!(key, typed(keccak256(&data).0, 2));
    let (part, len) = o.read_preimage(key, 1000).unwrap();
    assert_eq!((len, &part[..]), (size, &data[992..1024]));
    // A proposal whose data is not the claimed size is refused at finalization.
    let u2 = B256::repeat_byte(10);
    o.init_lpp(who, u2, 0, size + 1, LPP_MIN_BOND).unwrap();
    assert!(o.add_leaves_lpp(who, u2, 0, &data, true, 5).is_err());
}

/// The honest challenger uploads a large preimage through a proposal and steps only after its challenge period.
#[test]
fn challenger_defers_large_keccak_uploads_until_the_proposal_can_be_squeezed() {
    let cfg = GameConfig::small(GameType::ALPHABET, ALPHABET_ABSOLUTE_PRESTATE, 8, 4);
    let registry = AnchorStateRegistry::new(B256::repeat_byte(1), 0, cfg.game_type);
    let init = GameInit {
        creator: Address::repeat_byte(0xee),
        root_claim: B256::repeat_byte(2),
        l2_block_number: 10,
        l1_head: B256::ZERO,
        value: cfg.init_bond,
        now: 1_000,
    };
    let period = cfg.oracle_challenge_period;
    let mut game = FaultDisputeGame::create(
        cfg,
        Arc::new(AlphabetVm { absolute_prestate: ALPHABET_ABSOLUTE_PRESTATE }),
        registry,
        init,
    )
    .unwrap();
    let acc = SplitTraceAccessor::for_game(
        &game,
        rampart_game::FnOutputs(|_| B256::ZERO),
        rampart_game::AlphabetBottom { mode: rampart_game::AlphabetMode::Upstream },
        u64::MAX,
    );
    let c = HonestChallenger::new(Address::repeat_byte(0x11), acc);
    let big: Vec<u8> = (0..LPP_MIN_PROPOSAL_SIZE as usize + 5).map(|i| (i % 13) as u8).collect();
    let p = PreimageData::Keccak { preimage: big.clone(), offset: 64 };
    assert_eq!(c.upload_preimage(&mut game, 0, &p), Ok(false));
    assert_eq!(c.upload_preimage(&mut game, 0, &p), Ok(false), "still in its challenge period");
    game.advance(period + 1);
    assert_eq!(c.upload_preimage(&mut game, 0, &p), Ok(true));
    let key = B256::from(rampart_primitives::keccak256_preimage_key(&big));
    assert!(game.oracle_mut().has_part(key, 64));
    // Short preimages are loaded directly.
    let small = PreimageData::Keccak { preimage: vec![7; 100], offset: 8 };
    assert_eq!(c.upload_preimage(&mut game, 0, &small), Ok(true));
    let sha = PreimageData::Sha256 { preimage: vec![1; 33], offset: 0 };
    assert_eq!(c.upload_preimage(&mut game, 0, &sha), Ok(true));
}
