use crate::Rng;
use alloy_consensus::{
    proofs::{calculate_receipt_root, calculate_transaction_root},
    Eip658Value, Header, Receipt, ReceiptEnvelope, ReceiptWithBloom, SignableTransaction, TxEip1559, TxEnvelope,
    TxLegacy,
};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Log, LogData, Signature, TxKind, B256, U256};
use rampart_derive::ChainProvider;
use rampart_mpt::{NoopProvider, Trie};
use rampart_preimage::PreimageKey;
use rampart_program::{MemoryOracle, OracleL1ChainProvider, ProgramError};

struct Block {
    hash: B256,
    header: Header,
    txs: Vec<TxEnvelope>,
    receipts: Vec<Receipt>,
}

fn gen_tx(rng: &mut Rng) -> TxEnvelope {
    let sig = Signature::new(U256::from(rng.next() | 1), U256::from(rng.next() | 1), rng.below(2) == 1);
    let n = rng.below(200) as usize;
    let input: Bytes = rng.bytes(n).into();
    let to = TxKind::Call(Address::from_word(rng.b256()));
    if rng.below(2) == 0 {
        let tx = TxLegacy {
            chain_id: Some(1),
            nonce: rng.below(1000),
            gas_price: 7,
            gas_limit: 21_000,
            to,
            value: U256::from(rng.next()),
            input,
        };
        TxEnvelope::Legacy(tx.into_signed(sig))
    } else {
        let tx = TxEip1559 {
            chain_id: 1,
            nonce: rng.below(1000),
            gas_limit: 90_000,
            max_fee_per_gas: 9,
            max_priority_fee_per_gas: 1,
            to,
            value: U256::ZERO,
            access_list: Default::default(),
            input,
        };
        TxEnvelope::Eip1559(tx.into_signed(sig))
    }
}

fn gen_receipt(rng: &mut Rng, cumulative: u64) -> Receipt {
    let logs = (0..rng.below(4))
        .map(|_| {
            let address = Address::from_word(rng.b256());
            let topics = (0..rng.below(4)).map(|_| rng.b256()).collect();
            let n = rng.below(100) as usize;
            Log { address, data: LogData::new_unchecked(topics, rng.bytes(n).into()) }
        })
        .collect();
    Receipt { status: Eip658Value::Eip658(rng.below(5) != 0), cumulative_gas_used: cumulative, logs }
}

/// Puts the ordered list `items` into the store as trie nodes; returns the root rampart-mpt computed.
fn store_list(o: &mut MemoryOracle, items: &[Vec<u8>]) -> B256 {
    let mut t = Trie::new();
    for (i, item) in items.iter().enumerate() {
        t.insert(&alloy_rlp::encode(i), item.clone().into(), &NoopProvider).unwrap();
    }
    for node in t.preimages() {
        o.insert_keccak(node.to_vec());
    }
    t.root()
}

/// A chain of `n` L1 blocks with 0..12 transactions each, its headers, tx and receipt trie nodes in the store.
fn gen_chain(rng: &mut Rng, n: u64, first: u64, o: &mut MemoryOracle) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    let mut parent = rng.b256();
    for number in first..first + n {
        let txs: Vec<TxEnvelope> = (0..rng.below(13)).map(|_| gen_tx(rng)).collect();
        let receipts: Vec<Receipt> = (0..txs.len()).map(|i| gen_receipt(rng, 21_000 * (i as u64 + 1))).collect();
        let envelopes: Vec<ReceiptEnvelope> = receipts
            .iter()
            .zip(&txs)
            .map(|(r, tx)| {
                let rb = ReceiptWithBloom::from(r.clone());
                match tx {
                    TxEnvelope::Legacy(_) => ReceiptEnvelope::Legacy(rb),
                    _ => ReceiptEnvelope::Eip1559(rb),
                }
            })
            .collect();
        let tx_root = store_list(o, &txs.iter().map(|t| t.encoded_2718()).collect::<Vec<_>>());
        let rc_root = store_list(o, &envelopes.iter().map(|r| r.encoded_2718()).collect::<Vec<_>>());
        // The roots rampart-mpt built agree with alloy's independent root computation.
        assert_eq!(tx_root, calculate_transaction_root(&txs));
        assert_eq!(rc_root, calculate_receipt_root(&envelopes));
        let header = Header {
            parent_hash: parent,
            number,
            timestamp: 1_700_000_000 + 12 * number,
            transactions_root: tx_root,
            receipts_root: rc_root,
            gas_limit: 30_000_000,
            ..Default::default()
        };
        let hash = o.insert_keccak(alloy_rlp::encode(&header));
        assert_eq!(hash, header.hash_slow());
        parent = hash;
        blocks.push(Block { hash, header, txs, receipts });
    }
    blocks
}

#[test]
fn l1_provider_reads_generated_chains() {
    let mut rng = Rng(42);
    let (mut total_txs, mut total_receipts, mut lookups) = (0usize, 0usize, 0usize);
    for chain in 0..8u64 {
        let mut o = MemoryOracle::new();
        let blocks = gen_chain(&mut rng, 24, 1000 * chain + 5, &mut o);
        let head = blocks.last().unwrap().hash;
        let mut p = OracleL1ChainProvider::new(head, o);
        // Numbers looked up in a shuffled order: every one resolves to the generated block.
        let mut order: Vec<usize> = (0..blocks.len()).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        for &i in &order {
            let b = &blocks[i];
            let info = p.block_info_by_number(b.header.number).unwrap();
            assert_eq!(
                (info.hash, info.number, info.parent_hash, info.timestamp),
                (b.hash, b.header.number, b.header.parent_hash, b.header.timestamp)
            );
            lookups += 1;
        }
        for b in &blocks {
            assert_eq!(p.header_by_hash(b.hash).unwrap(), b.header);
            let (info, txs) = p.block_info_and_transactions_by_hash(b.hash).unwrap();
            assert_eq!(info.hash, b.hash);
            assert_eq!(txs, b.txs);
            assert_eq!(p.receipts_by_hash(b.hash).unwrap(), b.receipts);
            total_txs += txs.len();
            total_receipts += b.receipts.len();
        }
        // Above the head: an error, not a walk.
        let top = blocks.last().unwrap().header.number;
        assert!(
            matches!(p.block_info_by_number(top + 1), Err(ProgramError::BlockNotFound { number, head }) if number == top + 1 && head == top)
        );
        // Below the first generated block the parent header is unknown.
        assert!(matches!(p.block_info_by_number(blocks[0].header.number - 1), Err(ProgramError::MissingPreimage(_))));
    }
    assert_eq!(lookups, 8 * 24);
    assert_eq!(total_txs, total_receipts);
    assert_eq!(total_txs, 1120);
    assert!(total_txs > 8 * 24 * 4, "{total_txs} transactions");
}

#[test]
fn l1_provider_hints_before_each_read() {
    let mut rng = Rng(7);
    let (o, blocks) = loop {
        let mut store = MemoryOracle::new();
        let b = gen_chain(&mut rng, 3, 100, &mut store);
        if b[2].txs.len() >= 2 {
            break (store, b);
        }
    };
    let h = |b: &Block| format!("0x{}", hex::encode(b.hash));
    let mut p = OracleL1ChainProvider::new(blocks[2].hash, o);
    p.block_info_by_number(100).unwrap();
    p.block_info_and_transactions_by_hash(blocks[2].hash).unwrap();
    p.receipts_by_hash(blocks[2].hash).unwrap();
    let hints = p.into_inner().hints().to_vec();
    assert_eq!(
        hints,
        [
            format!("l1-block-header {}", h(&blocks[2])),
            format!("l1-block-header {}", h(&blocks[1])),
            format!("l1-block-header {}", h(&blocks[0])),
            format!("l1-block-header {}", h(&blocks[2])),
            format!("l1-transactions {}", h(&blocks[2])),
            format!("l1-block-header {}", h(&blocks[2])),
            format!("l1-receipts {}", h(&blocks[2])),
        ]
    );
}

#[test]
fn hostile_l1_preimages_are_errors() {
    let mut rng = Rng(9);
    let mut o = MemoryOracle::new();
    let blocks = gen_chain(&mut rng, 4, 50, &mut o);
    let b = blocks.iter().find(|b| !b.txs.is_empty()).unwrap();

    // A header served under the wrong key.
    let mut bad = o.clone();
    let other = blocks.iter().find(|x| x.hash != b.hash).unwrap();
    bad.insert(PreimageKey::keccak256(b.hash.0), alloy_rlp::encode(&other.header));
    let mut p = OracleL1ChainProvider::new(b.hash, bad);
    assert!(matches!(p.header_by_hash(b.hash), Err(ProgramError::HashMismatch(h)) if h == b.hash));

    // Garbage that hashes to its key but is no header.
    let mut g = o.clone();
    let junk = g.insert_keccak(vec![0xc3, 0x01, 0x02, 0x03]);
    let mut p = OracleL1ChainProvider::new(junk, g);
    assert!(matches!(p.header_by_hash(junk), Err(ProgramError::Decode { what: "header", .. })));
    assert!(p.block_info_by_number(0).is_err());

    // A transaction trie whose root node is missing.
    let mut m = MemoryOracle::new();
    let header = Header { transactions_root: B256::repeat_byte(5), number: 1, ..Default::default() };
    let hash = m.insert_keccak(alloy_rlp::encode(&header));
    let mut p = OracleL1ChainProvider::new(hash, m);
    assert!(
        matches!(p.block_info_and_transactions_by_hash(hash), Err(ProgramError::Trie { root, .. }) if root == B256::repeat_byte(5))
    );

    // A trie whose leaves are not transactions.
    let mut m = MemoryOracle::new();
    let root = store_list(&mut m, &[vec![0x05, 0x01], vec![0xff; 40]]);
    let header = Header { transactions_root: root, receipts_root: root, ..Default::default() };
    let hash = m.insert_keccak(alloy_rlp::encode(&header));
    let mut p = OracleL1ChainProvider::new(hash, m);
    assert!(matches!(
        p.block_info_and_transactions_by_hash(hash),
        Err(ProgramError::Decode { what: "transaction", .. })
    ));
    assert!(matches!(p.receipts_by_hash(hash), Err(ProgramError::Decode { what: "receipt", .. })));

    // A parent that does not link by number breaks the walk.
    let mut m = MemoryOracle::new();
    let gp = Header { number: 7, ..Default::default() };
    let gp_hash = m.insert_keccak(alloy_rlp::encode(&gp));
    let child = Header { number: 9, parent_hash: gp_hash, ..Default::default() };
    let c_hash = m.insert_keccak(alloy_rlp::encode(&child));
    let mut p = OracleL1ChainProvider::new(c_hash, m);
    assert!(matches!(p.block_info_by_number(7), Err(ProgramError::BrokenChain { hash }) if hash == gp_hash));
}
