//! Differential test against kona-executor 0.4.0 (crates.io; revm 27 / op-revm 8 / alloy-op-evm 0.14 / alloy 1.x,
//! inputs converted through RLP and JSON): generated chains of random blocks across the Holocene → Isthmus
//! activation (kona-executor 0.4.0 does not know Jovian or Karst: it has no Jovian extra data, DA footprint or
//! min base fee, and op-revm 8 has no such spec), each block built by both; the header hash, state root,
//! receipts root and output root must agree for every block.

mod chain;

use chain::Chain;
use rampart_executor::{BuildOptions, ForkTimes, PreimageStore};
use std::cell::RefCell;
use std::rc::Rc;

use kona_alloy_consensus as kc;
use kona_revm_precompile as _;

/// kona's view of the same preimages.
#[derive(Debug, Clone)]
struct KonaProvider(Rc<RefCell<PreimageStore>>);

impl kona_mpt::TrieProvider for KonaProvider {
    type Error = String;
    fn trie_node_by_hash(&self, key: alloy_primitives::B256) -> Result<kona_mpt::TrieNode, String> {
        let store = self.0.borrow();
        let raw = store.get(&key).map_err(|e| e.to_string())?;
        <kona_mpt::TrieNode as alloy_rlp::Decodable>::decode(&mut raw.as_ref()).map_err(|e| e.to_string())
    }
}

impl kona_executor::TrieDBProvider for KonaProvider {
    fn bytecode_by_hash(&self, hash: alloy_primitives::B256) -> Result<alloy_primitives::Bytes, String> {
        self.0.borrow().get(&hash).cloned().map_err(|e| e.to_string())
    }
    fn header_by_hash(&self, hash: alloy_primitives::B256) -> Result<kc::Header, String> {
        let store = self.0.borrow();
        let raw = store.get(&hash).map_err(|e| e.to_string())?;
        <kc::Header as alloy_rlp::Decodable>::decode(&mut raw.as_ref()).map_err(|e| e.to_string())
    }
}

fn kona_config(c: &rampart_executor::ChainConfig) -> kona_genesis::RollupConfig {
    let f = &c.forks;
    kona_genesis::RollupConfig {
        l2_chain_id: c.chain_id.into(),
        block_time: 2,
        hardforks: kona_genesis::HardForkConfig {
            regolith_time: f.regolith,
            canyon_time: f.canyon,
            delta_time: f.delta,
            ecotone_time: f.ecotone,
            fjord_time: f.fjord,
            granite_time: f.granite,
            holocene_time: f.holocene,
            isthmus_time: f.isthmus,
            ..Default::default()
        },
        chain_op_config: kona_genesis::BaseFeeConfig {
            eip1559_elasticity: c.eip1559_elasticity,
            eip1559_denominator: c.eip1559_denominator,
            eip1559_denominator_canyon: c.eip1559_denominator_canyon,
        },
        ..Default::default()
    }
}

fn to_kona_header(h: &rampart_executor::Header) -> kc::Sealed<kc::Header> {
    let raw = alloy_rlp::encode(h);
    let kh = <kc::Header as alloy_rlp::Decodable>::decode(&mut raw.as_slice()).unwrap();
    kc::Sealed::new_unchecked(kh, h.hash_slow())
}

struct Counts {
    blocks: usize,
    isthmus_blocks: usize,
    txs: usize,
    activations: usize,
}

/// Runs one chain of `blocks` blocks with Isthmus at block `isthmus_at` (None: never).
fn run_chain(seed: u64, blocks: u64, isthmus_at: Option<u64>, counts: &mut Counts) {
    let t0 = chain::GENESIS_TIME;
    let forks = ForkTimes {
        regolith: Some(0),
        canyon: Some(0),
        delta: Some(0),
        ecotone: Some(0),
        fjord: Some(0),
        granite: Some(0),
        holocene: Some(0),
        isthmus: isthmus_at.map(|n| t0 + 2 * n),
        ..Default::default()
    };
    let mut c = Chain::new(seed, forks);
    let kcfg = kona_config(&c.config);
    let shared = Rc::new(RefCell::new(c.store.clone()));
    let mut kona = kona_executor::StatelessL2Builder::new(
        &kcfg,
        kona_alloy_op_evm::OpEvmFactory::default(),
        KonaProvider(shared.clone()),
        kona_mpt::NoopTrieHinter,
        to_kona_header(&c.head),
    );
    for n in 1..=blocks {
        let user_txs = c.rng.below(14) as usize;
        let attrs = c.next_attributes(user_txs, false);
        let ts = attrs.payload_attributes.timestamp;
        let ours = c.build(&attrs, &BuildOptions::default()).unwrap_or_else(|e| panic!("seed {seed} block {n}: {e}"));
        let (mp_root, ours_output) = ours.output_root.clone().unwrap();
        let json = serde_json::to_value(&attrs).unwrap();
        let kattrs: kona_op_alloy_rpc_types_engine::OpPayloadAttributes = serde_json::from_value(json).unwrap();
        let k = kona.build_block(kattrs).unwrap_or_else(|e| panic!("kona, seed {seed} block {n}: {e}"));
        let kona_output = kona.compute_output_root().unwrap();
        let kh = &k.header;
        assert_eq!(
            ours.block_hash,
            kh.seal(),
            "seed {seed} block {n}: header hash\nours {:#?}\nkona {:#?}",
            ours.header,
            kh.inner()
        );
        assert_eq!(ours.state_root, kh.state_root, "seed {seed} block {n}: state root");
        assert_eq!(ours.header.receipts_root, kh.receipts_root, "seed {seed} block {n}: receipts root");
        assert_eq!(ours_output, kona_output, "seed {seed} block {n}: output root");
        if c.config.forks.is_isthmus(ts) {
            assert_eq!(ours.header.withdrawals_root, Some(mp_root), "Isthmus withdrawals root = message passer root");
            assert_eq!(ours.header.requests_hash, Some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH));
            counts.isthmus_blocks += 1;
            if !c.config.forks.is_isthmus(ts - 2) {
                counts.activations += 1;
            }
        }
        counts.blocks += 1;
        counts.txs += ours.tx_count;
        // kona reads the new header (BLOCKHASH) and nodes from the same store.
        let mut store = shared.borrow_mut();
        for p in &ours.preimages {
            store.insert(p.clone());
        }
    }
}

#[test]
fn rampart_and_kona_executor_agree_on_generated_chains_across_isthmus() {
    let mut counts = Counts { blocks: 0, isthmus_blocks: 0, txs: 0, activations: 0 };
    // Eight chains: Isthmus activating at different heights, one never, one from genesis.
    let plans: [(u64, Option<u64>); 8] = [
        (1, Some(60)),
        (2, Some(100)),
        (3, Some(1)),
        (4, None),
        (5, Some(150)),
        (6, Some(30)),
        (7, Some(200)),
        (8, Some(0)),
    ];
    for (seed, at) in plans {
        run_chain(seed, 250, at, &mut counts);
    }
    assert_eq!(counts.blocks, 2000);
    assert_eq!(counts.activations, 6, "six chains cross the Isthmus activation");
    assert!(counts.isthmus_blocks > 1000, "{} Isthmus blocks", counts.isthmus_blocks);
    assert!(counts.txs > 14_000, "{} transactions", counts.txs);
    println!(
        "kona differential: {} blocks ({} Isthmus, {} activation blocks), {} transactions, 0 mismatches",
        counts.blocks, counts.isthmus_blocks, counts.activations, counts.txs
    );
}
