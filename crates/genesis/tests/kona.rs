//! Differential test against kona-genesis 0.4.5 (dev-dependency only): the bundled OP Mainnet and OP Sepolia
//! rollup configs, written as JSON by us and read by kona (and back), agree on every fork predicate and
//! fork-dependent parameter at each fork boundary and at generated timestamps.

use rampart_genesis::{registry, RollupConfig};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn fork_times(c: &RollupConfig) -> Vec<u64> {
    let h = &c.hardforks;
    [
        h.regolith_time,
        h.canyon_time,
        h.delta_time,
        h.ecotone_time,
        h.fjord_time,
        h.granite_time,
        h.holocene_time,
        h.isthmus_time,
        h.jovian_time,
        h.pectra_blob_schedule_time,
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Compares one timestamp; returns how many predicates/values were compared.
fn compare(ours: &RollupConfig, kona: &kona_genesis::RollupConfig, t: u64) -> usize {
    let pairs = [
        ("regolith", ours.is_regolith_active(t), kona.is_regolith_active(t)),
        ("canyon", ours.is_canyon_active(t), kona.is_canyon_active(t)),
        ("delta", ours.is_delta_active(t), kona.is_delta_active(t)),
        ("ecotone", ours.is_ecotone_active(t), kona.is_ecotone_active(t)),
        ("fjord", ours.is_fjord_active(t), kona.is_fjord_active(t)),
        ("granite", ours.is_granite_active(t), kona.is_granite_active(t)),
        ("holocene", ours.is_holocene_active(t), kona.is_holocene_active(t)),
        ("isthmus", ours.is_isthmus_active(t), kona.is_isthmus_active(t)),
        ("jovian", ours.is_jovian_active(t), kona.is_jovian_active(t)),
        ("pectra blob schedule", ours.is_pectra_blob_schedule_active(t), kona.is_pectra_blob_schedule_active(t)),
        ("first regolith", ours.is_regolith_activation_block(t), kona.is_first_regolith_block(t)),
        ("first canyon", ours.is_canyon_activation_block(t), kona.is_first_canyon_block(t)),
        ("first delta", ours.is_delta_activation_block(t), kona.is_first_delta_block(t)),
        ("first ecotone", ours.is_ecotone_activation_block(t), kona.is_first_ecotone_block(t)),
        ("first fjord", ours.is_fjord_activation_block(t), kona.is_first_fjord_block(t)),
        ("first granite", ours.is_granite_activation_block(t), kona.is_first_granite_block(t)),
        ("first holocene", ours.is_holocene_activation_block(t), kona.is_first_holocene_block(t)),
        ("first isthmus", ours.is_isthmus_activation_block(t), kona.is_first_isthmus_block(t)),
        ("first jovian", ours.is_jovian_activation_block(t), kona.is_first_jovian_block(t)),
    ];
    for (name, a, b) in pairs {
        assert_eq!(a, b, "chain {} {name} at {t}", ours.l2_chain_id);
    }
    let values = [
        ("max sequencer drift", ours.max_sequencer_drift(t), kona.max_sequencer_drift(t)),
        ("max rlp bytes per channel", ours.max_rlp_bytes_per_channel(t), kona.max_rlp_bytes_per_channel(t)),
        ("channel timeout", ours.channel_timeout(t), kona.channel_timeout(t)),
    ];
    for (name, a, b) in values {
        assert_eq!(a, b, "chain {} {name} at {t}", ours.l2_chain_id);
    }
    pairs.len() + values.len()
}

#[test]
fn bundled_configs_agree_with_kona_genesis() {
    let mut rng = Rng(0x6e6e);
    let mut compared = 0;
    let mut timestamps = 0;
    for chain in registry::BUNDLED_L2_CHAINS {
        let ours = registry::rollup_config(chain).expect("bundled");
        let mut json: serde_json::Value = serde_json::from_slice(&ours.to_json()).unwrap();
        // kona-genesis 0.4.5 still requires `protocol_versions_address` (later kona and op-node do not; we
        // omit it when absent): give it the zero address.
        json.as_object_mut()
            .unwrap()
            .entry("protocol_versions_address")
            .or_insert(serde_json::json!("0x0000000000000000000000000000000000000000"));
        // Forks after Jovian are unknown to kona-genesis 0.4.5 (it rejects unknown fork keys): not compared.
        for later in ["karst_time", "lagoon_time", "interop_time", "keep_karst_upgrade_gas"] {
            json.as_object_mut().unwrap().remove(later);
        }
        let kona: kona_genesis::RollupConfig = serde_json::from_value(json).expect("kona reads our JSON");
        assert_eq!(kona.l2_chain_id.id(), chain);
        assert_eq!(kona.l1_chain_id, ours.l1_chain_id);
        assert_eq!(kona.block_time, ours.block_time);
        assert_eq!(kona.seq_window_size, ours.seq_window_size);
        assert_eq!(kona.genesis.l2_time, ours.genesis.l2_time);
        assert_eq!(kona.genesis.l1.hash.0, ours.genesis.l1.hash.0);
        assert_eq!(kona.genesis.l2.hash.0, ours.genesis.l2.hash.0);
        assert_eq!(kona.batch_inbox_address.0 .0, ours.batch_inbox_address.0 .0);
        assert_eq!(kona.deposit_contract_address.0 .0, ours.deposit_contract_address.0 .0);
        assert_eq!(kona.l1_system_config_address.0 .0, ours.l1_system_config_address.0 .0);
        // And back: kona's JSON of the config reads into the same config.
        let back =
            RollupConfig::from_json(serde_json::to_string(&kona).unwrap().as_bytes()).expect("we read kona's JSON");
        let mut known = ours.hardforks;
        (known.karst_time, known.keep_karst_upgrade_gas, known.lagoon_time) = (None, false, None);
        assert_eq!(back.hardforks, known, "chain {chain}");
        assert_eq!(back.genesis, ours.genesis, "chain {chain}");
        let forks = fork_times(&ours);
        assert!(forks.len() >= 9, "chain {chain}: {} forks scheduled", forks.len());
        let mut ts: Vec<u64> = vec![0, u64::MAX];
        for f in forks {
            for d in [0, 1, 2, 3] {
                ts.push(f.saturating_sub(d));
                ts.push(f.saturating_add(d));
            }
        }
        let last = fork_times(&ours).into_iter().max().unwrap();
        for _ in 0..10_000 {
            ts.push(ours.genesis.l2_time + rng.next() % (last + 1_000_000 - ours.genesis.l2_time));
        }
        for t in ts {
            compared += compare(&ours, &kona, t);
            timestamps += 1;
        }
    }
    println!("kona-genesis agreement: {timestamps} timestamps, {compared} predicates/values compared");
    assert!(timestamps >= 2 * (10_002 + 8 * 9), "{timestamps} timestamps");
    assert_eq!(compared, 22 * timestamps, "every predicate compared at every timestamp");
}
