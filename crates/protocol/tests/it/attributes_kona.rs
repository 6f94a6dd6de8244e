//! Attributes-side differential tests against kona-protocol 0.4.5 and op-alloy-consensus (oracles nobody here
//! wrote): L1-info calldata (Bedrock, Ecotone, Isthmus; 0.4.5 predates Jovian), source hashes of the three
//! domains, and user deposits from `TransactionDeposited` logs.
//!
//! Known differences, counted and each checked to be exactly that (we follow op-node):
//! * 0.4.5 holds Bedrock's base fee as a u64 and the blob base fee as a u128, so generated values stay in range
//!   for the value comparison; uint64 and address words (Bedrock) and the batcher word (every format) with
//!   non-zero padding are rejected by op-node's
//!   `solabi` readers and by us, 0.4.5 reads the low bytes;
//! * deposit logs: 0.4.5 rejects `from`/`to` topics with non-zero padding (op-node reads the low 20 bytes),
//!   reads only the low 8 bytes of the offset and length words (op-node needs the whole word to be 32 / to fit)
//!   and truncates a mint above u128 (we reject it: `TxDeposit::mint` is a u128).

use crate::gen::Rng;
use alloy_primitives::{Address, Bytes, Log, LogData, TxKind, B256, U256};
use kona_protocol as kona;
use op_alloy_consensus::TxDeposit;
use rampart_protocol::{decode_deposit_log, encode_deposit_log, DepositSource, L1BlockInfo, L1InfoFormat, L1InfoTx};

const CASES: u64 = 10_000;

fn info(rng: &mut Rng, format: L1InfoFormat) -> L1BlockInfo {
    let small = |rng: &mut Rng| match rng.below(3) {
        0 => 0,
        1 => rng.below(1 << 20),
        _ => rng.next(),
    };
    let mut i = L1BlockInfo {
        number: small(rng),
        time: small(rng),
        base_fee: U256::from(small(rng)),
        block_hash: rng.b256(),
        sequence_number: small(rng),
        batcher_address: rng.address(),
        ..Default::default()
    };
    match format {
        L1InfoFormat::Bedrock => {
            i.l1_fee_overhead = rng.b256();
            i.l1_fee_scalar = rng.b256();
        }
        _ => {
            i.blob_base_fee = U256::from(rng.u128());
            i.base_fee_scalar = rng.next() as u32;
            i.blob_base_fee_scalar = rng.next() as u32;
            if format >= L1InfoFormat::Isthmus {
                i.operator_fee_scalar = rng.next() as u32;
                i.operator_fee_constant = small(rng);
            }
            if format == L1InfoFormat::Jovian {
                i.da_footprint_gas_scalar = rng.next() as u16;
            }
        }
    }
    i
}

/// The fields kona's variant holds, as ours.
fn from_kona(k: &kona::L1BlockInfoTx) -> (L1InfoFormat, L1BlockInfo) {
    match k {
        kona::L1BlockInfoTx::Bedrock(b) => (
            L1InfoFormat::Bedrock,
            L1BlockInfo {
                number: b.number,
                time: b.time,
                base_fee: U256::from(b.base_fee),
                block_hash: b.block_hash,
                sequence_number: b.sequence_number,
                batcher_address: b.batcher_address,
                l1_fee_overhead: B256::from(b.l1_fee_overhead.to_be_bytes::<32>()),
                l1_fee_scalar: B256::from(b.l1_fee_scalar.to_be_bytes::<32>()),
                ..Default::default()
            },
        ),
        kona::L1BlockInfoTx::Ecotone(e) => (
            L1InfoFormat::Ecotone,
            L1BlockInfo {
                number: e.number,
                time: e.time,
                base_fee: U256::from(e.base_fee),
                block_hash: e.block_hash,
                sequence_number: e.sequence_number,
                batcher_address: e.batcher_address,
                blob_base_fee: U256::from(e.blob_base_fee),
                base_fee_scalar: e.base_fee_scalar,
                blob_base_fee_scalar: e.blob_base_fee_scalar,
                ..Default::default()
            },
        ),
        kona::L1BlockInfoTx::Isthmus(e) => (
            L1InfoFormat::Isthmus,
            L1BlockInfo {
                number: e.number,
                time: e.time,
                base_fee: U256::from(e.base_fee),
                block_hash: e.block_hash,
                sequence_number: e.sequence_number,
                batcher_address: e.batcher_address,
                blob_base_fee: U256::from(e.blob_base_fee),
                base_fee_scalar: e.base_fee_scalar,
                blob_base_fee_scalar: e.blob_base_fee_scalar,
                operator_fee_scalar: e.operator_fee_scalar,
                operator_fee_constant: e.operator_fee_constant,
                ..Default::default()
            },
        ),
    }
}

#[test]
fn l1_info_calldata_matches_kona() {
    let mut rng = Rng(0x11_1f0);
    let formats = [L1InfoFormat::Bedrock, L1InfoFormat::Ecotone, L1InfoFormat::Isthmus];
    let (mut agreed, mut damaged_agree, mut padding_diff, mut width_diff) = (0u64, 0u64, 0u64, 0u64);
    for n in 0..CASES {
        let format = formats[(n % 3) as usize];
        let ours = info(&mut rng, format);
        let data = ours.encode_calldata(format);
        assert_eq!(data.len(), format.len());
        let k = kona::L1BlockInfoTx::decode_calldata(&data).expect("kona decodes our calldata");
        assert_eq!(from_kona(&k), (format, ours), "case {n}");
        assert_eq!(k.encode_calldata(), data, "case {n}: kona re-encodes the same bytes");
        assert_eq!(L1InfoTx::decode_calldata(&data).unwrap(), L1InfoTx { format, info: ours });
        agreed += 1;

        // A damaged copy: truncated, extended, selector flipped or a byte flipped.
        let mut bad = data.to_vec();
        match rng.below(4) {
            0 => bad.truncate(rng.below(bad.len() as u64) as usize),
            1 => {
                let k = 1 + rng.below(40) as usize;
                bad.extend(rng.bytes(k))
            }
            2 => bad[rng.below(4) as usize] ^= 1 << rng.below(8),
            _ => {
                let i = 4 + rng.below(bad.len() as u64 - 4) as usize;
                bad[i] ^= 1 << rng.below(8);
            }
        }
        let ours = L1InfoTx::decode_calldata(&bad);
        let theirs = kona::L1BlockInfoTx::decode_calldata(&bad);
        match (&ours, &theirs) {
            (Ok(o), Ok(t)) => {
                let (f, mut k) = from_kona(t);
                if o.info.base_fee > U256::from(u64::MAX) || o.info.blob_base_fee > U256::from(u128::MAX) {
                    // 0.4.5's narrower fields: everything else must agree.
                    k.base_fee = o.info.base_fee;
                    k.blob_base_fee = o.info.blob_base_fee;
                    width_diff += 1;
                } else {
                    damaged_agree += 1;
                }
                assert_eq!((f, k), (o.format, o.info), "case {n}");
            }
            (Err(_), Err(_)) => damaged_agree += 1,
            (Err(rampart_protocol::L1InfoError::Padding { .. }), Ok(_)) => padding_diff += 1,
            _ => panic!("case {n}: ours {ours:?}, kona {theirs:?} on {bad:02x?}"),
        }
    }
    assert_eq!(agreed, CASES);
    assert_eq!(damaged_agree + padding_diff + width_diff, CASES);
    println!("damaged: {damaged_agree} agree, {padding_diff} padding, {width_diff} fee width differences");
    assert!(padding_diff > 100 && padding_diff < 1000, "padding differences: {padding_diff}");
    assert!(width_diff > 50 && width_diff < 1000, "width differences: {width_diff}");
}

#[test]
fn source_hashes_match_op_alloy() {
    use op_alloy_consensus::{L1InfoDepositSource, UpgradeDepositSource, UserDepositSource};
    let mut rng = Rng(0x50_u64);
    for _ in 0..CASES {
        let (h, n) = (rng.b256(), rng.next() >> rng.below(64));
        assert_eq!(
            DepositSource::User { l1_block_hash: h, log_index: n }.source_hash(),
            UserDepositSource::new(h, n).source_hash()
        );
        assert_eq!(
            DepositSource::L1Info { l1_block_hash: h, seq_number: n }.source_hash(),
            L1InfoDepositSource::new(h, n).source_hash()
        );
        let intent: String = (0..rng.below(60)).map(|_| (b' ' + rng.below(95) as u8) as char).collect();
        assert_eq!(
            DepositSource::Upgrade { intent: &intent }.source_hash(),
            UpgradeDepositSource { intent: intent.clone() }.source_hash()
        );
    }
}

fn deposit(rng: &mut Rng) -> TxDeposit {
    let len = rng.below(300) as usize;
    TxDeposit {
        source_hash: B256::ZERO,
        from: rng.address(),
        to: if rng.below(4) == 0 { TxKind::Create } else { TxKind::Call(rng.address()) },
        mint: if rng.bool() { 0 } else { rng.u128() },
        value: rng.u256(),
        gas_limit: rng.next() >> rng.below(64),
        is_system_transaction: false,
        input: Bytes::from(rng.bytes(len)),
    }
}

#[test]
fn user_deposits_match_kona() {
    use alloy_eips::eip2718::Encodable2718;
    let mut rng = Rng(0xde_9051);
    let portal = Address::repeat_byte(0x16);
    let (mut same, mut both_reject, mut known_diff, mut mint_diff) = (0u64, 0u64, 0u64, 0u64);
    for n in 0..CASES {
        let mut dep = deposit(&mut rng);
        let block_hash = rng.b256();
        let index = rng.below(5000);
        let mut log = encode_deposit_log(portal, &dep);
        let damaged = n % 2 == 1;
        if damaged {
            let (mut topics, mut data) = (log.data.topics().to_vec(), log.data.data.to_vec());
            match rng.below(7) {
                0 => data.truncate(rng.below(data.len() as u64) as usize),
                1 => data.extend(vec![0u8; 32 * (1 + rng.below(2) as usize)]),
                2 => topics.truncate(rng.below(4) as usize),
                3 => topics[3].0[31] = 1,
                4 => data[rng.below(64) as usize] ^= 1 << rng.below(8),
                5 => topics[1 + rng.below(2) as usize].0[rng.below(12) as usize] ^= 1 << rng.below(8),
                _ => {
                    let i = 64 + rng.below(data.len() as u64 - 64) as usize;
                    data[i] ^= 1 << rng.below(8);
                }
            }
            log = Log { address: portal, data: LogData::new_unchecked(topics, data.into()) };
        }
        let ours = decode_deposit_log(&log.data, block_hash, index);
        let theirs = kona::decode_deposit(block_hash, index as usize, &log);
        match (&ours, &theirs) {
            (Ok(o), Ok(t)) => {
                assert_eq!(Bytes::from(o.encoded_2718()), *t, "case {n}");
                if !damaged {
                    dep.source_hash = DepositSource::User { l1_block_hash: block_hash, log_index: index }.source_hash();
                    assert_eq!(*o, dep, "case {n}: the log round-trips");
                }
                same += 1;
            }
            (Err(_), Err(_)) => both_reject += 1,
            (Ok(_), Err(kona::DepositError::FromDecode(_) | kona::DepositError::ToDecode(_))) => known_diff += 1,
            (Err(rampart_protocol::DepositError::MintOverflow(_)), Ok(_)) => mint_diff += 1,
            (Err(_), Ok(_)) => {
                // op-node requires the whole offset/length words; 0.4.5 reads their low 8 bytes.
                let d = &log.data.data;
                assert!(d[..24].iter().any(|b| *b != 0) || d[32..56].iter().any(|b| *b != 0), "case {n}: {ours:?}");
                known_diff += 1;
            }
            _ => panic!("case {n}: ours {ours:?}, kona {theirs:?}"),
        }
        assert!(damaged || ours.is_ok(), "case {n}: an undamaged log decodes");
    }
    println!("deposit logs: {same} same, {both_reject} both reject, {known_diff} padding/word differences, {mint_diff} mint > u128");
    assert_eq!(same + both_reject + known_diff + mint_diff, CASES);
    assert!(mint_diff > 10, "{mint_diff}");
    assert!(same >= CASES / 2, "{same}");
    assert!(both_reject > CASES / 5, "{both_reject}");
    assert!(known_diff > 100, "{known_diff}");
}

/// Hostile input: random bytes and random logs never panic the three attributes-side decoders; random data is
/// (almost) always an error, and every accepted L1-info calldata re-encodes to itself.
#[test]
fn random_input_is_a_clean_error() {
    use rampart_protocol::{SystemConfigUpdate, CONFIG_UPDATE_TOPIC, DEPOSIT_EVENT_TOPIC};
    let mut rng = Rng(0xbad_1a9);
    let (mut info_ok, mut dep_ok, mut cfg_ok) = (0u64, 0u64, 0u64);
    const N: u64 = 20_000;
    for _ in 0..N {
        // L1-info: a real selector and a length near a format's, or anything.
        let format = L1InfoFormat::ALL[rng.below(4) as usize];
        let len = if rng.bool() { format.len() } else { rng.below(300) as usize };
        let mut data = rng.bytes(len);
        if data.len() >= 4 && rng.bool() {
            data[..4].copy_from_slice(&format.selector());
        }
        if let Ok(t) = L1InfoTx::decode_calldata(&data) {
            assert_eq!(t.encode_calldata(), data);
            info_ok += 1;
        }
        // Logs with the right event topic and random other topics and data.
        let topics = |rng: &mut Rng, first: B256, n: u64| {
            let mut t = vec![first];
            for _ in 1..n {
                t.push(if rng.bool() { B256::ZERO } else { B256::with_last_byte(rng.below(9) as u8) });
            }
            t
        };
        let n = rng.below(6);
        let t = topics(&mut rng, DEPOSIT_EVENT_TOPIC, n);
        let len = 32 * rng.below(8) as usize;
        let d = rng.bytes(len);
        dep_ok += u64::from(decode_deposit_log(&LogData::new_unchecked(t, d.into()), B256::ZERO, 0).is_ok());
        let n = rng.below(5);
        let t = topics(&mut rng, CONFIG_UPDATE_TOPIC, n);
        let len = rng.below(140) as usize;
        let d = rng.bytes(len);
        if let Ok(u) = SystemConfigUpdate::decode(&LogData::new_unchecked(t, d.into())) {
            assert_eq!(u, SystemConfigUpdate::UnsafeBlockSigner);
            cfg_ok += 1;
        }
    }
    println!("random input accepted: {info_ok} L1-info, {dep_ok} deposit logs, {cfg_ok} config updates of {N}");
    // Random data passes only where nothing is checked: type-3 (unsafe signer) config updates, whose data
    // op-node ignores.
    assert_eq!(info_ok, 0);
    assert_eq!(dep_ok, 0);
    assert!(cfg_ok > 0 && cfg_ok < N / 20, "{cfg_ok}");
}
