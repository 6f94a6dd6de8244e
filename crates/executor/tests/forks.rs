//! Block building across the Isthmus, Jovian and Karst activations on a generated chain, with the rules each
//! fork adds checked from the outside (header fields, base fee arithmetic, Osaka rules, the precompile limits),
//! and accelerated precompiles giving the same blocks as unaccelerated ones on every block.

mod chain;

use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::Encodable2718;
use alloy_primitives::{Bytes, Signature, TxKind, U256};
use chain::Chain;
use op_alloy_consensus::OpTxEnvelope;
use rampart_executor::{precompiles::NativePrecompiles, BuildOptions, Error, ForkTimes};
use std::sync::Arc;

const T0: u64 = chain::GENESIS_TIME;
/// Isthmus at block 10, Jovian at block 20, Karst at block 30 (2 s blocks).
fn forks() -> ForkTimes {
    ForkTimes {
        regolith: Some(0),
        canyon: Some(0),
        delta: Some(0),
        ecotone: Some(0),
        fjord: Some(0),
        granite: Some(0),
        holocene: Some(0),
        isthmus: Some(T0 + 20),
        jovian: Some(T0 + 40),
        karst: Some(T0 + 60),
        interop: None,
    }
}

fn signed_call(c: &mut Chain, who: usize, to: TxKind, input: Vec<u8>, gas_limit: u64) -> Bytes {
    let nonce = c.nonces[who];
    c.nonces[who] += 1;
    let tx = TxEip1559 {
        chain_id: chain::CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: 50_000_000_000,
        max_priority_fee_per_gas: 1,
        to,
        value: U256::ZERO,
        access_list: Default::default(),
        input: input.into(),
    };
    let (sig, recid) = c.keys[who].sign_prehash_recoverable(tx.signature_hash().as_slice()).unwrap();
    let signed = tx.into_signed(Signature::from_signature_and_parity(sig, recid.is_y_odd()));
    OpTxEnvelope::Eip1559(signed).encoded_2718().into()
}

/// Builds blocks 1..=n with random transactions (deposits only in activation blocks), checking each fork's
/// header rules and that the accelerated build gives the same block. Returns the chain.
fn chain_to(n: u64) -> Chain {
    let mut c = Chain::new(77, forks());
    for _ in 1..=n {
        let ts = c.head.timestamp + 2;
        let activation = c.config.forks.is_post_jovian_activation_block(c.head.timestamp, ts);
        let txs = c.rng.below(10) as usize;
        let attrs = c.next_attributes(txs, activation);
        let parent = c.head.clone();
        let accelerated = BuildOptions { precompiles: Some(Arc::new(NativePrecompiles)), ..Default::default() };
        let acc = rampart_executor::build_block_with(&c.config, &parent, &attrs, &c.store, &accelerated).unwrap();
        let out = c.build(&attrs, &BuildOptions::default()).unwrap();
        assert_eq!(acc.block_hash, out.block_hash, "accelerated build of block {}", out.header.number);
        let h = &out.header;
        let f = &c.config.forks;
        if f.is_isthmus(ts) {
            assert_eq!(h.requests_hash, Some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH));
            assert_eq!(h.withdrawals_root, Some(out.output_root.as_ref().unwrap().0), "withdrawals root");
        } else {
            assert_eq!(h.requests_hash, None);
            assert_eq!(h.withdrawals_root, Some(rampart_mpt::EMPTY_ROOT_HASH));
        }
        if f.is_jovian(ts) {
            // Version-1 extra data: denominator, elasticity, min base fee.
            assert_eq!(h.extra_data.len(), 17);
            assert_eq!(h.extra_data[0], 1);
            assert_eq!(u64::from_be_bytes(h.extra_data[9..17].try_into().unwrap()), attrs.min_base_fee.unwrap());
            // The base fee is never below the parent's min base fee (from the block after activation).
            if f.is_jovian(parent.timestamp) {
                let min = u64::from_be_bytes(parent.extra_data[9..17].try_into().unwrap());
                assert!(h.base_fee_per_gas.unwrap() >= min);
            }
            // The DA footprint of user transactions is in blob gas used.
            let user = attrs.transactions.as_ref().unwrap().iter().filter(|t| t[0] != 0x7e).count();
            assert_eq!(h.blob_gas_used.unwrap() > 0, user > 0, "block {}: DA footprint", h.number);
            assert_eq!(h.excess_blob_gas, Some(0));
        } else {
            assert_eq!(h.extra_data.len(), 9);
            assert_eq!((h.blob_gas_used, h.excess_blob_gas), (Some(0), Some(0)));
        }
    }
    c
}

#[test]
fn blocks_cross_isthmus_jovian_and_karst() {
    let c = chain_to(40);
    assert_eq!(c.head.number, 40);
    assert!(c.config.forks.is_karst(c.head.timestamp));
}

#[test]
fn fork_activation_blocks_take_deposits_only_from_jovian_on() {
    for (fork_block, must_reject) in [(10u64, false), (20, true), (30, true)] {
        let mut c = chain_to(fork_block - 1);
        let mut attrs = c.next_attributes(0, true);
        let tx = signed_call(&mut c, 0, TxKind::Call(chain::WRITER), vec![0; 64], 100_000);
        attrs.transactions.as_mut().unwrap().push(tx);
        let r = c.build(&attrs, &BuildOptions::default());
        if must_reject {
            assert!(
                matches!(&r, Err(Error::Attributes(m)) if m.contains("is not a deposit")),
                "block {fork_block}: {:?}",
                r.as_ref().map(|o| o.block_hash)
            );
        } else {
            assert!(r.is_ok(), "Isthmus activation may carry user transactions");
        }
    }
}

#[test]
fn jovian_base_fee_uses_the_da_footprint_and_the_min_base_fee() {
    let mut c = chain_to(22);
    // A parent whose DA footprint exceeds its gas used: big incompressible calldata to the logger.
    let mut attrs = c.next_attributes(0, false);
    for i in 0..3 {
        let data = c.rng.bytes(15_000);
        let tx = signed_call(&mut c, i, TxKind::Call(chain::LOGGER), data, 2_000_000);
        attrs.transactions.as_mut().unwrap().push(tx);
    }
    attrs.min_base_fee = Some(0);
    attrs.eip_1559_params = Some([0, 0, 0, 50, 0, 0, 0, 60].into());
    let parent = c.build(&attrs, &BuildOptions::default()).unwrap().header;
    let da = parent.blob_gas_used.unwrap();
    assert!(da > parent.gas_used, "DA footprint {da} vs gas used {}", parent.gas_used);
    // Elasticity 60 on a 30M gas limit: target 500 000. By gas used alone the base fee would rise less than it
    // does by the DA footprint: compare with the EIP-1559 formula on each.
    let child_attrs = c.next_attributes(0, false);
    let child = c.build(&child_attrs, &BuildOptions::default()).unwrap().header;
    let params = alloy_eips::eip1559::BaseFeeParams::new(50, 60);
    let base = parent.base_fee_per_gas.unwrap();
    let by_da = alloy_eips::calc_next_block_base_fee(da, parent.gas_limit, base, params);
    let by_gas = alloy_eips::calc_next_block_base_fee(parent.gas_used, parent.gas_limit, base, params);
    assert!(by_da > by_gas);
    assert_eq!(child.base_fee_per_gas, Some(by_da));
    // A min base fee far above the computed one clamps the next base fee to it.
    let mut attrs = c.next_attributes(0, false);
    attrs.min_base_fee = Some(123_456_789_000);
    c.build(&attrs, &BuildOptions::default()).unwrap();
    let next = c.next_attributes(0, false);
    assert_eq!(c.build(&next, &BuildOptions::default()).unwrap().header.base_fee_per_gas, Some(123_456_789_000));
}

/// Builds block `block` holding one signed transaction `(to, input, gas)` after the L1-info deposit, with and
/// without accelerated precompiles (the same block either way); returns the transaction's receipt status, its
/// gas used and the precompile caller's slots 1 (call success) and 2 (first output word) afterwards.
fn run_tx(block: u64, to: TxKind, input: Vec<u8>, gas: u64) -> Result<(bool, u64, U256, U256), Error> {
    use revm::Database;
    let mut c = chain_to(block - 1);
    let mut attrs = c.next_attributes(0, false);
    let tx = signed_call(&mut c, 3, to, input, gas);
    attrs.transactions.as_mut().unwrap().push(tx);
    let accelerated = BuildOptions { precompiles: Some(Arc::new(NativePrecompiles)), ..Default::default() };
    let acc = rampart_executor::build_block_with(&c.config, &c.head, &attrs, &c.store, &accelerated);
    let out = c.build(&attrs, &BuildOptions::default())?;
    assert_eq!(acc.unwrap().block_hash, out.block_hash, "accelerated build");
    let r = &out.receipts[1];
    let used = r.cumulative_gas_used() - out.receipts[0].cumulative_gas_used();
    let mut db = rampart_executor::TrieDb::new(out.header.clone(), out.block_hash, &c.store);
    let s1 = db.storage(chain::CALLER, U256::from(1)).unwrap();
    let s2 = db.storage(chain::CALLER, U256::from(2)).unwrap();
    Ok((r.status(), used, s1, s2))
}

fn precompile_input(address: u64, input: &[u8]) -> Vec<u8> {
    let mut v = U256::from(address).to_be_bytes::<32>().to_vec();
    v.extend_from_slice(input);
    v
}

#[test]
fn osaka_rules_apply_from_karst() {
    // CLZ (EIP-7939): an invalid opcode before Karst, counts leading zeros from it.
    let clz = vec![0x60, 0x01, 0x1e, 0x60, 0x00, 0x55, 0x00];
    assert!(!run_tx(25, TxKind::Create, clz.clone(), 200_000).unwrap().0, "CLZ is invalid in Jovian");
    assert!(run_tx(35, TxKind::Create, clz, 200_000).unwrap().0, "CLZ runs in Karst");
    // Transaction gas limit cap (EIP-7825): 2^24.
    let over = 16_777_217;
    assert!(run_tx(25, TxKind::Call(chain::WRITER), vec![0; 64], over).is_ok());
    assert!(run_tx(35, TxKind::Call(chain::WRITER), vec![0; 64], 16_777_216).is_ok());
    assert!(run_tx(35, TxKind::Call(chain::WRITER), vec![0; 64], over).is_err(), "over the cap in Karst");
    // MODEXP input bound (EIP-7823): a 1025-byte base fails from Karst.
    let mut modexp = vec![0u8; 96];
    modexp[30..32].copy_from_slice(&1025u16.to_be_bytes());
    modexp[63] = 1;
    modexp[95] = 1;
    modexp.extend(vec![3u8; 1027]);
    let (_, _, ok, _) = run_tx(25, TxKind::Call(chain::CALLER), precompile_input(5, &modexp), 1_000_000).unwrap();
    assert_eq!(ok, U256::from(1), "modexp with a 1025-byte base succeeds in Jovian");
    let (_, _, ok, _) = run_tx(35, TxKind::Call(chain::CALLER), precompile_input(5, &modexp), 1_000_000).unwrap();
    assert_eq!(ok, U256::ZERO, "and fails in Karst");
    // P256VERIFY (EIP-7951): 6 900 gas from Karst (3 450 before); gas used by the transaction differs by that.
    let p256 = precompile_input(0x100, &[7u8; 160]);
    let (_, jovian_gas, _, _) = run_tx(25, TxKind::Call(chain::CALLER), p256.clone(), 200_000).unwrap();
    let (_, karst_gas, _, _) = run_tx(35, TxKind::Call(chain::CALLER), p256, 200_000).unwrap();
    assert_eq!(karst_gas - jovian_gas, 3_450);
}

#[test]
fn bn254_pairing_input_limit_falls_to_300_pairs_in_karst() {
    // Pairs of (point at infinity, G2 generator): a valid input whose pairing check is true.
    let g2: [&str; 4] = [
        "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2",
        "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed",
        "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b",
        "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa",
    ];
    let mut pair = vec![0u8; 64];
    for w in g2 {
        pair.extend(alloy_primitives::hex::decode(w).unwrap());
    }
    for (pairs, block, expect_ok) in
        [(300usize, 35u64, true), (301, 35, false), (301, 25, true), (427, 25, true), (428, 25, false)]
    {
        let input: Vec<u8> = pair.iter().copied().cycle().take(192 * pairs).collect();
        let (status, _, ok, out) =
            run_tx(block, TxKind::Call(chain::CALLER), precompile_input(8, &input), 16_000_000).unwrap();
        assert!(status);
        assert_eq!(ok == U256::from(1), expect_ok, "{pairs} pairs at block {block}");
        if expect_ok {
            assert_eq!(out, U256::from(1), "pairing check of {pairs} pairs is true");
        }
    }
}
