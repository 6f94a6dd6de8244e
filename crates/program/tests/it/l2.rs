//! OracleL2ChainProvider over generated L2 chains (headers, L1-info deposits of every format across Holocene,
//! Isthmus and Jovian, user transactions), checked against kona-protocol 0.4.5 (`L2BlockInfo::
//! from_block_and_genesis`, `to_system_config`) through bytes.

use crate::Rng;
use alloy_consensus::{Header, SignableTransaction, TxEip1559};
use alloy_eips::{eip2718::Encodable2718, BlockNumHash};
use alloy_primitives::{Address, Bytes, Sealed, Signature, TxKind, B256, U256};
use alloy_rlp::Decodable;
use op_alloy_consensus::OpTxEnvelope;
use rampart_derive::{system_config::upgrade_gas_to_strip, L2ChainProvider};
use rampart_genesis::{ChainGenesis, HardForkConfig, RollupConfig, SystemConfig};
use rampart_mpt::{NoopProvider, Trie};
use rampart_program::{MemoryOracle, OracleL2ChainProvider, ProgramError};
use rampart_protocol::{L1BlockInfo, L1InfoFormat};
use std::sync::Arc;

pub(crate) const GENESIS_TIME: u64 = 1_700_000_000;

/// Holocene at block 10, Isthmus at 20, Jovian at 30 (2 s blocks).
fn config() -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash { number: 5, hash: B256::repeat_byte(0x11) },
            l2: BlockNumHash { number: 0, hash: B256::ZERO },
            l2_time: GENESIS_TIME,
            system_config: Some(SystemConfig {
                batcher_address: Address::repeat_byte(0xba),
                gas_limit: 30_000_000,
                ..Default::default()
            }),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 3600,
        channel_timeout: 300,
        l1_chain_id: 900,
        l2_chain_id: 901,
        protocol_versions_address: Some(Address::ZERO),
        superchain_config_address: Some(Address::ZERO),
        hardforks: HardForkConfig {
            regolith_time: Some(0),
            canyon_time: Some(0),
            delta_time: Some(0),
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(GENESIS_TIME + 20),
            isthmus_time: Some(GENESIS_TIME + 40),
            jovian_time: Some(GENESIS_TIME + 60),
            ..Default::default()
        },
        ..Default::default()
    }
}

pub(crate) struct GenBlock {
    pub(crate) hash: B256,
    pub(crate) header: Header,
    pub(crate) txs: Vec<Bytes>,
    pub(crate) info: Option<L1BlockInfo>,
}

/// Stores the ordered list `items` as trie nodes; returns its root.
pub(crate) fn store_list(o: &mut MemoryOracle, items: &[Bytes]) -> B256 {
    let mut t = Trie::new();
    for (i, item) in items.iter().enumerate() {
        t.insert(&alloy_rlp::encode(i), item.clone(), &NoopProvider).unwrap();
    }
    for node in t.preimages() {
        o.insert_keccak(node.to_vec());
    }
    t.root()
}

fn user_tx(rng: &mut Rng) -> Bytes {
    let len = rng.below(60) as usize;
    let tx = TxEip1559 {
        chain_id: 901,
        nonce: rng.below(100),
        gas_limit: 21_000,
        max_fee_per_gas: 1 << 30,
        max_priority_fee_per_gas: 1,
        to: TxKind::Call(Address::from_word(rng.b256())),
        value: U256::from(rng.next()),
        access_list: Default::default(),
        input: rng.bytes(len).into(),
    };
    let sig = Signature::new(U256::from(rng.next() | 1), U256::from(rng.next() | 1), rng.below(2) == 1);
    tx.into_signed(sig).encoded_2718().into()
}

/// A chain of `n + 1` blocks (genesis first) in the store; the config's genesis hash is set to block 0's.
fn gen_chain(rng: &mut Rng, cfg: &mut RollupConfig, n: u64, o: &mut MemoryOracle) -> Vec<GenBlock> {
    let genesis = Header {
        number: 0,
        timestamp: GENESIS_TIME,
        gas_limit: 30_000_000,
        transactions_root: store_list(o, &[]),
        ..Default::default()
    };
    let hash = o.insert_keccak(alloy_rlp::encode(&genesis));
    cfg.genesis.l2.hash = hash;
    let mut blocks = vec![GenBlock { hash, header: genesis, txs: Vec::new(), info: None }];
    let (mut epoch, mut seq) = (cfg.genesis.l1.number, 0u64);
    for number in 1..=n {
        let ts = GENESIS_TIME + 2 * number;
        if rng.below(4) == 0 {
            epoch += 1;
            seq = 0;
        } else {
            seq += 1;
        }
        let format = L1InfoFormat::select(
            (cfg.is_ecotone_active(ts), cfg.is_ecotone_activation_block(ts)),
            (cfg.is_isthmus_active(ts), cfg.is_isthmus_activation_block(ts)),
            (cfg.is_jovian_active(ts), cfg.is_jovian_activation_block(ts)),
        );
        let info = L1BlockInfo {
            number: epoch,
            time: GENESIS_TIME + 12 * epoch,
            base_fee: U256::from(rng.below(1 << 40)),
            block_hash: rng.b256(),
            sequence_number: seq,
            batcher_address: Address::from_word(rng.b256()),
            l1_fee_overhead: if format == L1InfoFormat::Bedrock { rng.b256() } else { B256::ZERO },
            l1_fee_scalar: if format == L1InfoFormat::Bedrock { rng.b256() } else { B256::ZERO },
            blob_base_fee: U256::from(1 + rng.below(1 << 20)),
            base_fee_scalar: rng.next() as u32,
            blob_base_fee_scalar: rng.next() as u32,
            operator_fee_scalar: if format >= L1InfoFormat::Isthmus { rng.next() as u32 } else { 0 },
            operator_fee_constant: if format >= L1InfoFormat::Isthmus { rng.next() } else { 0 },
            da_footprint_gas_scalar: if format >= L1InfoFormat::Jovian { rng.next() as u16 } else { 0 },
        };
        let deposit = info.deposit(format, true);
        let mut txs: Vec<Bytes> = vec![OpTxEnvelope::Deposit(Sealed::new(deposit)).encoded_2718().into()];
        txs.extend((0..rng.below(5)).map(|_| user_tx(rng)));
        let mut extra = Vec::new();
        if cfg.is_holocene_active(ts) {
            extra.push(u8::from(cfg.is_jovian_active(ts)));
            extra.extend_from_slice(&(rng.next() as u32).to_be_bytes());
            extra.extend_from_slice(&(rng.next() as u32).to_be_bytes());
            if cfg.is_jovian_active(ts) {
                extra.extend_from_slice(&rng.next().to_be_bytes());
            }
        }
        let parent = blocks.last().unwrap();
        let header = Header {
            number,
            parent_hash: parent.hash,
            timestamp: ts,
            // Karst's activation block carries the one-time upgrade gas (op-node adds it to the attributes).
            gas_limit: 30_000_000 + rng.below(1 << 20) + upgrade_gas_to_strip(cfg, ts),
            extra_data: extra.into(),
            transactions_root: store_list(o, &txs),
            state_root: rng.b256(),
            ..Default::default()
        };
        let hash = o.insert_keccak(alloy_rlp::encode(&header));
        blocks.push(GenBlock { hash, header, txs, info: Some(info) });
    }
    blocks
}

fn kona_block(b: &GenBlock) -> kona_protocol_block::OpBlock {
    let header = alloy_consensus_v1::Header::decode(&mut alloy_rlp::encode(&b.header).as_slice()).unwrap();
    let transactions = b
        .txs
        .iter()
        .map(|t| {
            <op_alloy_consensus_v018::OpTxEnvelope as alloy_eips_v1::eip2718::Decodable2718>::decode_2718(
                &mut t.as_ref(),
            )
            .unwrap()
        })
        .collect();
    kona_protocol_block::OpBlock { header, body: alloy_consensus_v1::BlockBody { transactions, ..Default::default() } }
}

mod kona_protocol_block {
    pub(crate) type OpBlock = alloy_consensus_v1::Block<op_alloy_consensus_v018::OpTxEnvelope>;
}

fn kona_config(cfg: &RollupConfig) -> kona_genesis::RollupConfig {
    serde_json::from_slice(&cfg.to_json()).unwrap()
}

fn kona_system_config(sc: &kona_genesis::SystemConfig) -> SystemConfig {
    let json = serde_json::to_vec(sc).unwrap();
    serde_json::from_slice(&json).unwrap()
}

#[test]
fn generated_chains_match_kona_protocol() {
    let mut rng = Rng(0x12);
    let (mut infos, mut kona_infos, mut configs, mut txs_read) = (0, 0, 0, 0);
    for case in 0..6 {
        let mut o = MemoryOracle::new();
        let mut cfg = config();
        let n = 40;
        let blocks = gen_chain(&mut rng, &mut cfg, n, &mut o);
        let kcfg = kona_config(&cfg);
        let tip = blocks.last().unwrap();
        let mut p = OracleL2ChainProvider::new(o, Arc::new(cfg.clone()), tip.hash, tip.header.clone());
        // Random order: lookups below the lowest known block walk back, others hit the cache.
        let mut order: Vec<u64> = (0..=n).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for number in order {
            let b = &blocks[number as usize];
            let info = p.l2_block_info_by_number(number).unwrap();
            assert_eq!((info.block_info.hash, info.block_info.number), (b.hash, number));
            match b.info {
                Some(l1) => assert_eq!(
                    (info.l1_origin.number, info.l1_origin.hash, info.seq_num),
                    (l1.number, l1.block_hash, l1.sequence_number)
                ),
                None => assert_eq!((info.l1_origin, info.seq_num), (cfg.genesis.l1, 0)),
            }
            let kb = kona_block(b);
            // kona-protocol 0.4.5 predates Jovian (its L1-info selector and extra data): compared before Jovian.
            let pre_jovian = !cfg.is_jovian_active(b.header.timestamp);
            if pre_jovian {
                let kinfo = kona_protocol::L2BlockInfo::from_block_and_genesis(&kb, &kcfg.genesis).unwrap();
                assert_eq!(info.block_info.hash.0, kinfo.block_info.hash.0, "case {case} block {number}");
                assert_eq!(
                    (info.block_info.number, info.block_info.timestamp, info.l1_origin.number, info.seq_num),
                    (kinfo.block_info.number, kinfo.block_info.timestamp, kinfo.l1_origin.number, kinfo.seq_num)
                );
                assert_eq!(info.l1_origin.hash.0, kinfo.l1_origin.hash.0);
                kona_infos += 1;
            }
            infos += 1;
            let block = p.block_by_number(number).unwrap();
            assert_eq!(block.header, b.header);
            assert_eq!(block.body.transactions.len(), b.txs.len());
            txs_read += b.txs.len();
            let sc = p.system_config_by_number(number, &cfg).unwrap();
            // kona-protocol 0.4.5 predates Jovian: compare up to Jovian, check Jovian's fields against the generator.
            if pre_jovian {
                let ksc = kona_protocol::to_system_config(&kb, &kcfg).unwrap();
                assert_eq!(sc, kona_system_config(&ksc), "case {case} block {number}");
                configs += 1;
            } else {
                let extra = &b.header.extra_data;
                assert_eq!(sc.min_base_fee, Some(u64::from_be_bytes(extra[9..17].try_into().unwrap())));
                assert_eq!(sc.da_footprint_gas_scalar, Some(b.info.unwrap().da_footprint_gas_scalar));
                assert_eq!(sc.eip1559_denominator, Some(u32::from_be_bytes(extra[1..5].try_into().unwrap())));
            }
        }
    }
    println!(
        "{infos} block infos ({kona_infos} equal to kona-protocol's), {configs} system configs equal to kona-protocol's, {txs_read} transactions read"
    );
    assert_eq!((infos, kona_infos), (6 * 41, 6 * 30));
    assert_eq!(configs, 6 * 30);
}

#[test]
fn walks_back_with_exact_hints_and_learns_derived_blocks() {
    let mut rng = Rng(7);
    let mut o = MemoryOracle::new();
    let mut cfg = config();
    let blocks = gen_chain(&mut rng, &mut cfg, 12, &mut o);
    let tip = &blocks[12];
    let mut p = OracleL2ChainProvider::new(o, Arc::new(cfg.clone()), tip.hash, tip.header.clone());
    let hex = |h: B256| alloy_primitives::hex::encode(h);
    assert_eq!(p.header_by_number(9).unwrap().0, blocks[9].hash);
    assert_eq!(p.l2_block_info_by_number(9).unwrap().block_info.hash, blocks[9].hash);
    // Cached: no further hints for blocks 9..=12's headers or block 9's transactions.
    p.l2_block_info_by_number(9).unwrap();
    p.header_by_number(11).unwrap();
    let hints = p_hints(&mut p);
    let mut expected: Vec<String> =
        [11, 10, 9].iter().map(|n| format!("l2-block-header 0x{}", hex(blocks[*n].hash))).collect();
    expected.push(format!("l2-transactions 0x{}", hex(blocks[9].hash)));
    assert_eq!(hints, expected);
    // Above the tip: not found, until the driver records a derived block (served without the oracle).
    assert!(matches!(p.header_by_number(13), Err(ProgramError::L2BlockNotFound { number: 13, tip: 12 })));
    let mut child = blocks[12].header.clone();
    child.number = 13;
    child.parent_hash = blocks[12].hash;
    let derived_txs = blocks[12].txs.clone();
    p.insert_derived(B256::repeat_byte(0x13), child, derived_txs.clone());
    assert_eq!(p.block_by_number(13).unwrap().body.transactions.len(), derived_txs.len());
    assert_eq!(p_hints(&mut p).len(), 4, "no hint for the derived block");
    // Re-deriving block 12 forgets 13.
    p.insert_derived(blocks[12].hash, blocks[12].header.clone(), blocks[12].txs.clone());
    assert!(matches!(p.header_by_number(13), Err(ProgramError::L2BlockNotFound { number: 13, tip: 12 })));
}

fn p_hints(p: &mut OracleL2ChainProvider<MemoryOracle>) -> Vec<String> {
    p.oracle().hints().to_vec()
}

#[test]
fn hostile_l2_data_is_a_clean_error() {
    let mut rng = Rng(9);
    let mut cfg = config();
    let mut o = MemoryOracle::new();
    let blocks = gen_chain(&mut rng, &mut cfg, 4, &mut o);
    let cfg = Arc::new(cfg);
    let mut count = 0;
    // A parent whose number does not link.
    {
        let mut o = o.clone();
        let mut bad = blocks[3].header.clone();
        bad.number = 7;
        let bad_hash = o.insert_keccak(alloy_rlp::encode(&bad));
        let mut child = blocks[4].header.clone();
        child.parent_hash = bad_hash;
        let child_hash = o.insert_keccak(alloy_rlp::encode(&child));
        let mut p = OracleL2ChainProvider::new(o, cfg.clone(), child_hash, child);
        assert!(matches!(p.header_by_number(3), Err(ProgramError::BrokenChain { hash }) if hash == bad_hash));
        count += 1;
    }
    // First transaction not a deposit; no transactions; L1-info calldata damaged; a transaction that is not one.
    let user = user_tx(&mut rng);
    let deposit = blocks[2].txs[0].clone();
    let mut short_info = blocks[2].txs[0].to_vec();
    short_info.truncate(short_info.len() - 1);
    for txs in [
        vec![user.clone()],
        vec![],
        vec![Bytes::from(short_info)],
        vec![deposit.clone(), Bytes::from(vec![0x02, 0xc0])],
    ] {
        let mut o = o.clone();
        let mut h = blocks[4].header.clone();
        h.transactions_root = store_list(&mut o, &txs);
        let hash = o.insert_keccak(alloy_rlp::encode(&h));
        let mut p = OracleL2ChainProvider::new(o, cfg.clone(), hash, h);
        let info = p.l2_block_info_by_number(4);
        let block = p.block_by_number(4);
        assert!(info.is_err() || block.is_err(), "{txs:?}");
        assert!(matches!(info.err().or(block.err()), Some(ProgramError::Decode { .. })));
        count += 1;
    }
    // A header served under a hash it does not have.
    {
        let mut o = o.clone();
        o.insert(rampart_preimage::PreimageKey::keccak256(blocks[3].hash.0), alloy_rlp::encode(&blocks[2].header));
        let mut p = OracleL2ChainProvider::new(o, cfg.clone(), blocks[4].hash, blocks[4].header.clone());
        assert!(matches!(p.header_by_number(3), Err(ProgramError::HashMismatch(_))));
        count += 1;
    }
    assert_eq!(count, 6);
}

/// Karst's activation block: its gas limit carries the upgrade gas of Karst's 31 upgrade transactions
/// (55 370 657), which the system config read back from the block leaves out (op-node `PayloadToSystemConfig`),
/// unless the chain keeps it (`keep_karst_upgrade_gas`). Every other block's gas limit is read as it is.
#[test]
fn karst_activation_block_gas_limit_leaves_out_the_upgrade_gas() {
    let upgrade = rampart_protocol::upgrade_gas(rampart_protocol::UpgradeFork::Karst);
    assert_eq!(upgrade, 55_370_657);
    for keep in [false, true] {
        let mut rng = Rng(0x4a);
        let mut o = MemoryOracle::new();
        let mut cfg = config();
        cfg.hardforks.karst_time = Some(GENESIS_TIME + 70); // block 35
        cfg.hardforks.keep_karst_upgrade_gas = keep;
        let blocks = gen_chain(&mut rng, &mut cfg, 40, &mut o);
        let tip = blocks.last().unwrap();
        let mut p = OracleL2ChainProvider::new(o, Arc::new(cfg.clone()), tip.hash, tip.header.clone());
        let mut stripped = Vec::new();
        for b in &blocks[1..] {
            let sc = p.system_config_by_number(b.header.number, &cfg).unwrap();
            if sc.gas_limit != b.header.gas_limit {
                assert_eq!(b.header.gas_limit - sc.gas_limit, upgrade, "block {}", b.header.number);
                stripped.push(b.header.number);
            }
        }
        let want: &[u64] = if keep { &[] } else { &[35] };
        assert_eq!(stripped, want, "keep_karst_upgrade_gas = {keep}");
    }
    // A header whose gas limit is below the upgrade gas cannot be Karst's activation block.
    let mut rng = Rng(0x4b);
    let mut o = MemoryOracle::new();
    let mut cfg = config();
    cfg.hardforks.karst_time = Some(GENESIS_TIME + 70);
    let mut blocks = gen_chain(&mut rng, &mut cfg, 35, &mut o);
    let b = blocks.pop().unwrap();
    let mut header = b.header.clone();
    header.gas_limit = upgrade - 1;
    let hash = o.insert_keccak(alloy_rlp::encode(&header));
    let mut p = OracleL2ChainProvider::new(o, Arc::new(cfg.clone()), hash, header);
    let err = p.system_config_by_number(35, &cfg).unwrap_err().to_string();
    assert!(err.contains("below the Karst upgrade gas 55370657"), "{err}");
}
