use crate::Rng;
use alloy_primitives::B256;
use rampart_genesis::registry;
use rampart_preimage::LocalKey;
use rampart_program::{BootInfo, MemoryOracle, ProgramError};

fn store(chain_id: u64) -> MemoryOracle {
    let mut o = MemoryOracle::new();
    o.insert_local(LocalKey::L1Head.index(), [0x11; 32]);
    o.insert_local(LocalKey::L2OutputRoot.index(), [0x22; 32]);
    o.insert_local(LocalKey::L2Claim.index(), [0x33; 32]);
    o.insert_local(LocalKey::L2ClaimBlockNumber.index(), 26_207_961u64.to_be_bytes());
    o.insert_local(LocalKey::L2ChainId.index(), chain_id.to_be_bytes());
    o
}

#[test]
fn bundled_chains_read_five_keys() {
    for (chain_id, cfg, l1) in [
        (11_155_420u64, registry::op_sepolia(), registry::sepolia_l1()),
        (10, registry::op_mainnet(), registry::mainnet_l1()),
    ] {
        let mut o = store(chain_id);
        let boot = BootInfo::load(&mut o).unwrap();
        assert_eq!(boot.l1_head, B256::repeat_byte(0x11));
        assert_eq!(boot.agreed_l2_output_root, B256::repeat_byte(0x22));
        assert_eq!(boot.claimed_l2_output_root, B256::repeat_byte(0x33));
        assert_eq!(boot.claimed_l2_block_number, 26_207_961);
        assert_eq!(boot.chain_id, chain_id);
        assert_eq!(boot.rollup_config, cfg);
        assert_eq!(boot.rollup_config.l2_chain_id, chain_id);
        assert_eq!(boot.l1_config, l1);
        assert!(!boot.rollup_config_from_key && !boot.l1_config_from_key);
        // Keys 6 and 7 are not read for bundled chains, and local keys are never hinted.
        assert_eq!(o.reads(), 5);
        assert!(o.hints().is_empty());
    }
}

#[test]
fn unbundled_chain_reads_keys_6_and_7() {
    let mut cfg = registry::op_sepolia();
    cfg.l2_chain_id = 901;
    cfg.l1_chain_id = 900;
    let mut l1 = registry::sepolia_l1();
    l1.chain_id = 900;
    let mut o = store(901);
    o.insert_local(LocalKey::L2RollupConfig.index(), cfg.to_json());
    o.insert_local(LocalKey::L1Config.index(), l1.to_json());
    let boot = BootInfo::load(&mut o).unwrap();
    assert_eq!(boot.rollup_config, cfg);
    assert_eq!(boot.l1_config, l1);
    assert!(boot.rollup_config_from_key && boot.l1_config_from_key);
    assert_eq!(o.reads(), 7);

    // An unbundled L2 on a bundled L1 reads key 6 only.
    cfg.l1_chain_id = 11_155_111;
    let mut o = store(901);
    o.insert_local(LocalKey::L2RollupConfig.index(), cfg.to_json());
    let boot = BootInfo::load(&mut o).unwrap();
    assert_eq!(boot.l1_config, registry::sepolia_l1());
    assert!(boot.rollup_config_from_key && !boot.l1_config_from_key);
    assert_eq!(o.reads(), 6);
}

#[test]
fn wrong_lengths_and_missing_keys_are_errors() {
    let mut cases = 0;
    for (index, good) in [(1u64, 32usize), (2, 32), (3, 32), (4, 8), (5, 8)] {
        for len in [0, good - 1, good + 1, 1000] {
            let mut o = store(10);
            o.insert_local(index, vec![7u8; len]);
            match BootInfo::load(&mut o) {
                Err(ProgramError::LocalKeyLength { index: i, expected, got }) => {
                    assert_eq!((i, expected, got), (index, good, len));
                }
                other => panic!("key {index} len {len}: {other:?}"),
            }
            cases += 1;
        }
    }
    // Missing key 6 for an unbundled chain, missing key 7 for an unbundled L1.
    assert!(
        matches!(BootInfo::load(&mut store(901)), Err(ProgramError::MissingPreimage(k)) if k.local_index() == Some(6))
    );
    let mut cfg = registry::op_sepolia();
    cfg.l1_chain_id = 900;
    let mut o = store(901);
    o.insert_local(LocalKey::L2RollupConfig.index(), cfg.to_json());
    assert!(matches!(BootInfo::load(&mut o), Err(ProgramError::MissingPreimage(k)) if k.local_index() == Some(7)));
    assert_eq!(cases, 20);
}

#[test]
fn hostile_config_json_is_an_error() {
    let good = registry::op_sepolia().to_json();
    let good_l1 = registry::sepolia_l1().to_json();
    let mut rng = Rng(6);
    let mut inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"{}".to_vec(),
        b"[]".to_vec(),
        vec![b'['; 200_000],
        vec![0xff; 64],
        br#"{"genesis": 5}"#.to_vec(),
    ];
    // Every 97th prefix of the real config, and the config with random bytes flipped.
    let prefixes: Vec<Vec<u8>> = (1..good.len()).step_by(97).map(|n| good[..n].to_vec()).collect();
    let n_prefixes = prefixes.len();
    assert_eq!(n_prefixes, (good.len() - 1).div_ceil(97));
    inputs.extend(prefixes);
    for _ in 0..200 {
        let mut g = good.clone();
        let i = rng.below(g.len() as u64) as usize;
        g[i] = b"{}[]\",:x0"[rng.below(9) as usize];
        inputs.push(g);
    }
    let (mut rejected, mut accepted) = (0, 0);
    for input in &inputs {
        for key in [LocalKey::L2RollupConfig.index(), LocalKey::L1Config.index()] {
            let mut o = store(901);
            let mut cfg = registry::op_sepolia();
            cfg.l1_chain_id = 900;
            if key == LocalKey::L2RollupConfig.index() {
                o.insert_local(key, input.clone());
                o.insert_local(LocalKey::L1Config.index(), good_l1.clone());
            } else {
                o.insert_local(LocalKey::L2RollupConfig.index(), cfg.to_json());
                o.insert_local(key, input.clone());
            }
            match BootInfo::load(&mut o) {
                Err(ProgramError::Config { index, .. }) => {
                    assert_eq!(index, key);
                    rejected += 1;
                }
                Ok(_) => accepted += 1,
                Err(e) => panic!("unexpected error {e}"),
            }
        }
    }
    assert_eq!(inputs.len(), 7 + n_prefixes + 200);
    // Truncations and structural damage never parse; a flipped byte inside a string value may still be valid.
    assert_eq!(rejected + accepted, 2 * inputs.len());
    assert!(rejected >= 2 * (7 + n_prefixes), "rejected {rejected}");
    // With this seed: 222 inputs, 406 of the 444 loads rejected, 38 byte flips still valid JSON configs.
    assert_eq!((inputs.len(), rejected, accepted), (222, 406, 38));
}
