//! The whole client flow natively on generated chains: an L2 chain built by rampart-executor (L1-info deposits,
//! signed transfers, blocks with an invalid transaction replaced by their deposit-only version under Holocene),
//! posted by a batcher as one singular batch per channel in L1 calldata; the L1 chain's headers, transaction and
//! receipt tries, the L2 headers, transaction tries and state in a MemoryOracle with the local keys. Valid claims
//! exit 0, wrong ones 1, EndOfSource judges the claim at the last safe head.

use crate::Rng;
use alloy_consensus::{
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, SignableTransaction, TxEip1559, TxEnvelope,
};
use alloy_eips::{eip2718::Encodable2718, BlockNumHash};
use alloy_primitives::{address, keccak256, Address, Bytes, Sealed, Signature, TxKind, B256, U256};
use k256::ecdsa::SigningKey;
use op_alloy_consensus::OpTxEnvelope;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_executor::{build_block_with, BuildOptions, PreimageStore};
use rampart_genesis::{ChainGenesis, HardForkConfig, L1ChainConfig, RollupConfig, SystemConfig};
use rampart_mpt::{NoopProvider, Trie, EMPTY_ROOT_HASH};
use rampart_preimage::LocalKey;
use rampart_program::{deposit_only, executor_config, exit_code, MemoryOracle, OutputRoot, ProgramError, RunOutcome};
use rampart_protocol::{
    Batch, ChannelCompression, ChannelOut, L1BlockInfo, L1InfoFormat, L2BlockInfo, SingleBatch,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

const INBOX: Address = address!("ff00000000000000000000000000000000000901");
const FEE_RECIPIENT: Address = address!("4200000000000000000000000000000000000011");
const T0: u64 = 1_700_000_000;
const SENDERS: usize = 4;

fn config(batcher: Address) -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash { number: 0, hash: B256::ZERO },
            l2: BlockNumHash { number: 0, hash: B256::ZERO },
            l2_time: T0,
            system_config: Some(SystemConfig { batcher_address: batcher, gas_limit: 30_000_000, ..Default::default() }),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 3600,
        channel_timeout: 300,
        l1_chain_id: 900,
        l2_chain_id: 901,
        batch_inbox_address: INBOX,
        protocol_versions_address: Some(Address::ZERO),
        superchain_config_address: Some(Address::ZERO),
        hardforks: HardForkConfig {
            regolith_time: Some(0),
            canyon_time: Some(0),
            delta_time: Some(0),
            ecotone_time: Some(0),
            fjord_time: Some(0),
            granite_time: Some(0),
            holocene_time: Some(0),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The payload attributes op-node derives for the block after `parent` in epoch `l1` (hash `l1_hash`), without
/// user deposits (the generated L1 has none) and before the batch's transactions.
fn attributes(
    cfg: &RollupConfig,
    sc: &SystemConfig,
    parent: &L2BlockInfo,
    l1: &Header,
    l1_hash: B256,
) -> OpPayloadAttributes {
    let ts = parent.block_info.timestamp + cfg.block_time;
    let seq = if parent.l1_origin.hash == l1_hash { parent.seq_num + 1 } else { 0 };
    let format = L1InfoFormat::select(
        (cfg.is_ecotone_active(ts), cfg.is_ecotone_activation_block(ts)),
        (cfg.is_isthmus_active(ts), cfg.is_isthmus_activation_block(ts)),
        (cfg.is_jovian_active(ts), cfg.is_jovian_activation_block(ts)),
    );
    let (base_fee_scalar, blob_base_fee_scalar) = sc.ecotone_scalars().unwrap_or_default();
    let info = L1BlockInfo {
        number: l1.number,
        time: l1.timestamp,
        base_fee: U256::from(l1.base_fee_per_gas.unwrap_or_default()),
        block_hash: l1_hash,
        sequence_number: seq,
        batcher_address: sc.batcher_address,
        blob_base_fee: U256::from(1),
        base_fee_scalar,
        blob_base_fee_scalar,
        ..Default::default()
    };
    let deposit: Bytes = OpTxEnvelope::Deposit(Sealed::new(info.deposit(format, true))).encoded_2718().into();
    let mut a = OpPayloadAttributes::default();
    a.payload_attributes.timestamp = ts;
    a.payload_attributes.prev_randao = l1.mix_hash;
    a.payload_attributes.suggested_fee_recipient = FEE_RECIPIENT;
    a.payload_attributes.withdrawals = Some(Vec::new());
    a.payload_attributes.parent_beacon_block_root = l1.parent_beacon_block_root;
    a.transactions = Some(vec![deposit]);
    a.no_tx_pool = Some(true);
    a.gas_limit = Some(sc.gas_limit);
    a.eip_1559_params = sc.eip1559_params(cfg, parent.block_info.timestamp, ts);
    a
}

struct L2Block {
    info: L2BlockInfo,
    output: OutputRoot,
    deposit_only: bool,
}

/// A generated world: the store and the L2 chain's blocks (genesis first).
struct World {
    oracle: MemoryOracle,
    blocks: Vec<L2Block>,
    l1_head: B256,
    cfg: RollupConfig,
    posted: usize,
}

fn store_list(o: &mut MemoryOracle, items: &[Bytes]) -> B256 {
    let mut t = Trie::new();
    for (i, item) in items.iter().enumerate() {
        t.insert(&alloy_rlp::encode(i), item.clone(), &NoopProvider).unwrap();
    }
    for node in t.preimages() {
        o.insert_keccak(node.to_vec());
    }
    t.root()
}

fn signed(key: &SigningKey, tx: TxEip1559) -> Bytes {
    let (sig, recid) = key.sign_prehash_recoverable(tx.signature_hash().as_slice()).unwrap();
    let sig = Signature::from_signature_and_parity(sig, recid.is_y_odd());
    TxEnvelope::Eip1559(tx.into_signed(sig)).encoded_2718().into()
}

fn transfer(key: &SigningKey, chain_id: u64, nonce: u64, to: Address, value: u64) -> Bytes {
    signed(
        key,
        TxEip1559 {
            chain_id,
            nonce,
            gas_limit: 21_000,
            max_fee_per_gas: 100_000_000_000,
            max_priority_fee_per_gas: 1_000,
            to: TxKind::Call(to),
            value: U256::from(value),
            access_list: Default::default(),
            input: Bytes::new(),
        },
    )
}

/// Generates `l2_count` L2 blocks; every `bad_every`-th block (if any) carries a transaction with a nonce gap.
fn world(rng: &mut Rng, l2_count: u64, bad_every: Option<u64>) -> World {
    let batcher_key = SigningKey::from_slice(&[0x42; 32]).unwrap();
    let batcher = Address::from_public_key(batcher_key.verifying_key());
    let mut cfg = config(batcher);
    let mut o = MemoryOracle::new();
    let mut store = PreimageStore::new();

    // L1: 12 s blocks, long enough for the last batch to land.
    let l1_count = l2_count * 2 / 12 + 4;
    let mut l1_headers: Vec<(B256, Header)> = Vec::new();
    let mut l1_txs: Vec<Vec<Bytes>> = vec![Vec::new(); l1_count as usize];

    // L2 genesis state: funded senders.
    let keys: Vec<SigningKey> = (0..SENDERS).map(|i| SigningKey::from_slice(&[i as u8 + 1; 32]).unwrap()).collect();
    let mut state = Trie::new();
    for k in &keys {
        let a = Address::from_public_key(k.verifying_key());
        let acc = alloy_trie::TrieAccount {
            nonce: 0,
            balance: U256::from(10u128.pow(24)),
            storage_root: EMPTY_ROOT_HASH,
            code_hash: alloy_primitives::KECCAK256_EMPTY,
        };
        state.insert(keccak256(a).as_slice(), alloy_rlp::encode(acc).into(), &NoopProvider).unwrap();
    }
    for n in state.preimages() {
        o.insert_keccak(n.to_vec());
        store.insert(n);
    }
    let mut extra = vec![0u8];
    extra.extend_from_slice(&250u32.to_be_bytes());
    extra.extend_from_slice(&6u32.to_be_bytes());
    let genesis = Header {
        number: 0,
        timestamp: T0,
        gas_limit: 30_000_000,
        base_fee_per_gas: Some(1_000_000_000),
        state_root: state.root(),
        transactions_root: EMPTY_ROOT_HASH,
        receipts_root: EMPTY_ROOT_HASH,
        withdrawals_root: Some(EMPTY_ROOT_HASH),
        blob_gas_used: Some(0),
        excess_blob_gas: Some(0),
        parent_beacon_block_root: Some(B256::ZERO),
        extra_data: extra.into(),
        ..Default::default()
    };
    let genesis_hash = o.insert_keccak(alloy_rlp::encode(&genesis));
    store.insert(alloy_rlp::encode(&genesis).into());
    cfg.genesis.l2.hash = genesis_hash;

    // The epoch headers' hashes go into the L2 chain's L1-info deposits, so they must be final before the L2
    // chain is built: batches are posted only in L1 blocks after the last L2 block's epoch.
    let epoch_of = |n: u64| (2 * n) / 12;
    let last_epoch = epoch_of(l2_count);
    let post_from = last_epoch + 1;
    let l1_count = l1_count.max(post_from + 2);
    l1_txs.resize(l1_count as usize, Vec::new());
    // L1 blocks 0..=last_epoch carry noise transactions only; their hashes are final now.
    let mut parent = B256::ZERO;
    let make_l1 = |o: &mut MemoryOracle, number: u64, parent: B256, txs: &[Bytes], rng: &mut Rng| {
        let receipts: Vec<Bytes> = (0..txs.len())
            .map(|i| {
                ReceiptEnvelope::Eip1559(ReceiptWithBloom::from(Receipt {
                    status: Eip658Value::Eip658(true),
                    cumulative_gas_used: 21_000 * (i as u64 + 1),
                    logs: Vec::new(),
                }))
                .encoded_2718()
                .into()
            })
            .collect();
        let header = Header {
            number,
            parent_hash: parent,
            timestamp: T0 + 12 * number,
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(7 + rng.below(1000)),
            mix_hash: rng.b256(),
            transactions_root: store_list(o, txs),
            receipts_root: store_list(o, &receipts),
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(rng.b256()),
            ..Default::default()
        };
        let hash = o.insert_keccak(alloy_rlp::encode(&header));
        (hash, header)
    };
    for number in 0..=last_epoch {
        let (hash, header) = make_l1(&mut o, number, parent, &[], rng);
        l1_headers.push((hash, header));
        parent = hash;
    }
    cfg.genesis.l1.hash = l1_headers[0].0;

    // The L2 chain.
    let exec_cfg = executor_config(&cfg);
    let sc = cfg.genesis.system_config.unwrap();
    let mut nonces = vec![0u64; SENDERS];
    let mut blocks = vec![L2Block {
        info: L2BlockInfo::new(rampart_protocol::BlockInfo::new(genesis_hash, 0, B256::ZERO, T0), cfg.genesis.l1, 0),
        output: OutputRoot::default(),
        deposit_only: false,
    }];
    let mut parent_header = genesis;
    let mut batches = Vec::new();
    for n in 1..=l2_count {
        let (l1_hash, l1_header) = &l1_headers[epoch_of(n) as usize];
        let parent_info = blocks.last().unwrap().info;
        let mut attrs = attributes(&cfg, &sc, &parent_info, l1_header, *l1_hash);
        let saved_nonces = nonces.clone();
        let mut user = Vec::new();
        for _ in 0..rng.below(4) {
            let s = rng.below(SENDERS as u64) as usize;
            user.push(transfer(&keys[s], 901, nonces[s], Address::from_word(rng.b256()), 1 + rng.below(1000)));
            nonces[s] += 1;
        }
        let bad = bad_every.is_some_and(|k| n % k == 0);
        if bad {
            user.push(transfer(&keys[0], 901, nonces[0] + 5, Address::ZERO, 1));
        }
        attrs.transactions.as_mut().unwrap().extend(user.iter().cloned());
        let opts = BuildOptions { output_root: true, collect_preimages: true, ..Default::default() };
        let (outcome, replaced) = match build_block_with(&exec_cfg, &parent_header, &attrs, &store, &opts) {
            Ok(out) => (out, false),
            Err(_) => {
                assert!(bad, "block {n} failed without a bad transaction");
                let out = build_block_with(&exec_cfg, &parent_header, &deposit_only(&attrs), &store, &opts).unwrap();
                (out, true)
            }
        };
        if replaced {
            // The block's transfers never happened.
            nonces = saved_nonces;
        }
        for p in &outcome.preimages {
            o.insert_keccak(p.to_vec());
            store.insert(p.clone());
        }
        let txs =
            if replaced { deposit_only(&attrs).transactions.unwrap() } else { attrs.transactions.clone().unwrap() };
        store_list(&mut o, &txs);
        let seq = if parent_info.l1_origin.hash == *l1_hash { parent_info.seq_num + 1 } else { 0 };
        let info = L2BlockInfo::new(
            rampart_protocol::BlockInfo::new(
                outcome.block_hash,
                n,
                parent_info.block_info.hash,
                attrs.payload_attributes.timestamp,
            ),
            BlockNumHash { number: epoch_of(n), hash: *l1_hash },
            seq,
        );
        let (message_passer, output_root) = outcome.output_root.clone().unwrap();
        let output = OutputRoot::new(outcome.state_root, message_passer, outcome.block_hash);
        assert_eq!(output.hash(), output_root);
        batches.push(SingleBatch {
            parent_hash: parent_info.block_info.hash,
            epoch_num: epoch_of(n),
            epoch_hash: *l1_hash,
            timestamp: attrs.payload_attributes.timestamp,
            transactions: user,
        });
        blocks.push(L2Block { info, output, deposit_only: replaced });
        parent_header = outcome.header;
    }

    // The batcher: one channel per batch, in order, spread over the L1 blocks after the last epoch.
    let mut posted = 0;
    for (i, b) in batches.iter().enumerate() {
        let mut out = ChannelOut::new([i as u8; 16], ChannelCompression::Zlib(9), MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        out.add_batch(&Batch::Single(b.clone())).unwrap();
        let frames = out.frames(100_000).unwrap();
        let data = rampart_protocol::encode_frames(&frames).unwrap();
        let at = post_from + (i as u64 * (l1_count - post_from)) / batches.len() as u64;
        let tx = signed(
            &batcher_key,
            TxEip1559 {
                chain_id: 900,
                nonce: i as u64,
                gas_limit: 1_000_000,
                max_fee_per_gas: 10,
                max_priority_fee_per_gas: 1,
                to: TxKind::Call(INBOX),
                value: U256::ZERO,
                access_list: Default::default(),
                input: data.into(),
            },
        );
        l1_txs[at as usize].push(tx);
        posted += 1;
    }
    for number in post_from..l1_count {
        let txs = l1_txs[number as usize].clone();
        let (hash, header) = make_l1(&mut o, number, parent, &txs, rng);
        l1_headers.push((hash, header));
        parent = hash;
    }
    World { oracle: o, blocks, l1_head: parent, cfg, posted }
}

/// The world's store with the local keys of a dispute: agreed safe head `safe`, claim `claim` for block `block`.
fn dispute(w: &World, safe: u64, block: u64, claim: B256) -> MemoryOracle {
    let mut o = w.oracle.clone();
    let agreed = o.insert_keccak(w.blocks[safe as usize].output.encode());
    o.insert_local(LocalKey::L1Head.index(), w.l1_head.0);
    o.insert_local(LocalKey::L2OutputRoot.index(), agreed.0);
    o.insert_local(LocalKey::L2Claim.index(), claim.0);
    o.insert_local(LocalKey::L2ClaimBlockNumber.index(), block.to_be_bytes());
    o.insert_local(LocalKey::L2ChainId.index(), 901u64.to_be_bytes());
    o.insert_local(LocalKey::L2RollupConfig.index(), w.cfg.to_json());
    o.insert_local(LocalKey::L1Config.index(), L1ChainConfig { chain_id: 900, ..Default::default() }.to_json());
    o
}

/// The whole flow with rampart-derive's attributes builder (the generator builds attributes by op-node's rules
/// on its own, in `attributes`).
fn run(o: MemoryOracle) -> Result<RunOutcome, ProgramError> {
    rampart_program::run(o)
}

#[test]
fn claims_on_generated_chains_get_their_verdict() {
    let mut rng = Rng(0xd1);
    let (mut valid, mut invalid, mut derived, mut replaced) = (0, 0, 0, 0);
    for case in 0..3 {
        let l2_count = 24;
        let w = world(&mut rng, l2_count, Some(5));
        assert_eq!(w.posted, l2_count as usize);
        replaced += w.blocks.iter().filter(|b| b.deposit_only).count();
        for _ in 0..3 {
            let safe = 1 + rng.below(l2_count - 6);
            let block = safe + 1 + rng.below(l2_count - safe);
            let truth = w.blocks[block as usize].output.hash();
            let r = run(dispute(&w, safe, block, truth));
            match &r {
                Ok(RunOutcome::Derived(out)) => {
                    assert_eq!(out.blocks, block - safe, "case {case}: {safe} -> {block}");
                    assert!(!out.end_of_source);
                    assert_eq!(out.tip.info, w.blocks[block as usize].info);
                    derived += out.blocks;
                }
                other => panic!("case {case} {safe} -> {block}: {other:?}"),
            }
            assert_eq!(exit_code(&r), 0);
            valid += 1;
            // A wrong root, and the root of the block before, are invalid claims.
            for wrong in [rng.b256(), w.blocks[block as usize - 1].output.hash()] {
                let r = run(dispute(&w, safe, block, wrong));
                assert!(
                    matches!(r, Err(ProgramError::InvalidClaim { computed, claimed }) if computed == truth && claimed == wrong)
                );
                assert_eq!(exit_code(&r), 1);
                invalid += 1;
            }
        }
    }
    println!("{valid} valid claims exit 0, {invalid} wrong claims exit 1, {derived} blocks derived, {replaced} deposit-only blocks in the chains");
    // Every 5th block of each 24-block chain (5, 10, 15, 20) carries a nonce-gap transaction and is replaced by
    // its deposit-only version; the program derives and executes 87 blocks over the 9 disputes.
    assert_eq!((valid, invalid, derived, replaced), (9, 18, 87, 12));
}

#[test]
fn end_of_source_judges_the_last_safe_head() {
    let mut rng = Rng(0xe0f);
    let l2_count = 18;
    let w = world(&mut rng, l2_count, None);
    let last = w.blocks[l2_count as usize].output.hash();
    // A claim for a block past what L1 carries: derivation stops at the last block, whose root decides.
    let r = run(dispute(&w, 4, l2_count + 10, last));
    match &r {
        Ok(RunOutcome::Derived(out)) => {
            assert!(out.end_of_source);
            assert_eq!((out.blocks, out.tip.info.block_info.number), (l2_count - 4, l2_count));
        }
        other => panic!("{other:?}"),
    }
    let r = run(dispute(&w, 4, l2_count + 10, rng.b256()));
    assert!(matches!(r, Err(ProgramError::InvalidClaim { computed, .. }) if computed == last));
    // Trace extension through the whole flow: the claimed block is the safe head.
    let agreed = w.blocks[4].output.hash();
    assert_eq!(run(dispute(&w, 4, 4, agreed)).unwrap(), RunOutcome::TraceExtension);
    assert_eq!(exit_code(&run(dispute(&w, 4, 4, last))), 1);
}
