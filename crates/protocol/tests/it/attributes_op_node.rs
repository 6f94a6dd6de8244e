//! The attributes-side formats against op-node v1.19.6 itself and against real OP Sepolia blocks.
//!
//! `testdata/op-node-v1.19.6-attributes.json.gz` was written by `testdata/oracle/main.go` (a generator linked
//! against the optimism monorepo v1.19.6 `op-node/rollup/derive`, seed 13): every fork's network-upgrade
//! transactions (keccak256 and length of each EIP-2718 encoding, and Karst's upgrade gas), 480 L1-info deposits
//! from `L1InfoDepositBytes` over all four formats and the three activation blocks that keep the previous
//! format, 300 `TransactionDeposited` logs (every other one damaged) through `UnmarshalDepositLogEvent`, and 800
//! `ConfigUpdate` logs of every type, well-formed and damaged, through `ProcessSystemConfigUpdateLogEvent`.

use std::io::Read;

use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{keccak256, Address, Bytes, LogData, B256, U256};
use op_alloy_consensus::TxDeposit;
use rampart_protocol::{
    decode_deposit_log, encoded_upgrade_transactions, is_valid_ecotone_scalar, upgrade_gas, DepositError, L1BlockInfo,
    L1InfoFormat, L1InfoTx, SystemConfigUpdate, UpgradeFork,
};
use serde_json::Value;

fn fixture() -> Value {
    let gz =
        std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/op-node-v1.19.6-attributes.json.gz")).unwrap();
    let mut json = String::new();
    flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut json).unwrap();
    serde_json::from_str(&json).unwrap()
}

fn hex(v: &Value) -> Vec<u8> {
    alloy_primitives::hex::decode(v.as_str().unwrap()).unwrap()
}
fn b256(v: &Value) -> B256 {
    B256::from_slice(&hex(v))
}
fn u256(v: &Value) -> U256 {
    v.as_str().map(|s| U256::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()).unwrap_or_default()
}
fn u64_of(v: &Value) -> u64 {
    v.as_u64().unwrap()
}
fn opt(v: &Value) -> Option<u64> {
    v.as_u64()
}

#[test]
fn upgrade_transactions_are_op_nodes() {
    let f = fixture();
    let names = [
        (UpgradeFork::Ecotone, "ecotone", 6),
        (UpgradeFork::Fjord, "fjord", 3),
        (UpgradeFork::Isthmus, "isthmus", 8),
        (UpgradeFork::Jovian, "jovian", 5),
        (UpgradeFork::Karst, "karst", 31),
    ];
    let mut total = 0;
    for (fork, name, count) in names {
        let want = &f["Upgrades"][name];
        let ours = encoded_upgrade_transactions(fork);
        assert_eq!(ours.len(), count, "{name}");
        assert_eq!(want["Hashes"].as_array().unwrap().len(), count, "{name}");
        for (i, tx) in ours.iter().enumerate() {
            assert_eq!(tx.len() as u64, u64_of(&want["Lens"][i]), "{name} tx {i} length");
            assert_eq!(keccak256(tx), b256(&want["Hashes"][i]), "{name} tx {i} bytes");
            // And each is a deposit that decodes back to itself.
            let dep = TxDeposit::decode_2718(&mut tx.as_ref()).unwrap();
            assert_eq!(Bytes::from(dep.encoded_2718()), *tx);
            total += 1;
        }
        assert_eq!(upgrade_gas(fork), u64_of(&want["Gas"]), "{name} upgrade gas");
    }
    assert_eq!(total, 53);
    assert_eq!(upgrade_gas(UpgradeFork::Karst), 55_370_657);
}

#[test]
fn l1_info_deposits_are_op_nodes() {
    let f = fixture();
    let cases = f["L1Info"].as_array().unwrap();
    assert_eq!(cases.len(), 480);
    let mut per_format = [0u32; 4];
    for (n, c) in cases.iter().enumerate() {
        let l2 = u64_of(&c["l2_time"]);
        // Active, and first block (the block before it is older than the fork), with op-node's 2 s block time.
        let fork = |key: &str| opt(&c[key]).map(|t| (l2 >= t, l2 >= t && l2.saturating_sub(2) < t)).unwrap_or_default();
        let format = L1InfoFormat::select(fork("Ecotone"), fork("Isthmus"), fork("Jovian"));
        per_format[format as usize] += 1;
        let scalar = b256(&c["Scalar"]);
        let opf = b256(&c["OperatorFee"]);
        let da = u64_of(&c["da_scalar"]) as u16;
        let info = L1BlockInfo {
            number: u64_of(&c["Number"]),
            time: u64_of(&c["Time"]),
            base_fee: u256(&c["BaseFee"]),
            block_hash: b256(&c["Hash"]),
            sequence_number: u64_of(&c["Seq"]),
            batcher_address: Address::from_slice(&hex(&c["Batcher"])),
            l1_fee_overhead: if format == L1InfoFormat::Bedrock { b256(&c["Overhead"]) } else { B256::ZERO },
            l1_fee_scalar: if format == L1InfoFormat::Bedrock { scalar } else { B256::ZERO },
            // op-node: no blob base fee on L1 means 1 (EIP-4844's minimum).
            blob_base_fee: if format == L1InfoFormat::Bedrock {
                U256::ZERO
            } else if c["BlobBaseFee"].is_null() {
                U256::from(1)
            } else {
                u256(&c["BlobBaseFee"])
            },
            // Version 1 carries both scalars; version 0 only the base fee scalar (op-node `EcotoneScalars`).
            base_fee_scalar: if format == L1InfoFormat::Bedrock {
                0
            } else {
                u32::from_be_bytes(scalar[28..].try_into().unwrap())
            },
            blob_base_fee_scalar: if format != L1InfoFormat::Bedrock && scalar[0] == 1 {
                u32::from_be_bytes(scalar[24..28].try_into().unwrap())
            } else {
                0
            },
            operator_fee_scalar: if format >= L1InfoFormat::Isthmus {
                u32::from_be_bytes(opf[20..24].try_into().unwrap())
            } else {
                0
            },
            operator_fee_constant: if format >= L1InfoFormat::Isthmus {
                u64::from_be_bytes(opf[24..].try_into().unwrap())
            } else {
                0
            },
            da_footprint_gas_scalar: match (format, da) {
                (L1InfoFormat::Jovian, 0) => 400,
                (L1InfoFormat::Jovian, v) => v,
                _ => 0,
            },
        };
        let regolith = opt(&c["Regolith"]).is_some_and(|t| l2 >= t);
        let want = hex(&c["Deposit"]);
        let ours = info.deposit(format, regolith).encoded_2718();
        assert_eq!(ours, want, "case {n} ({format:?})");
        // Decode op-node's bytes back to the same values.
        let dep = TxDeposit::decode_2718(&mut want.as_slice()).unwrap();
        assert_eq!(L1InfoTx::decode_format(format, &dep.input).unwrap(), L1InfoTx { format, info }, "case {n}");
        assert_eq!(L1InfoTx::decode_calldata(&dep.input).unwrap().encode_calldata(), dep.input);
    }
    assert!(per_format.iter().all(|c| *c >= 60), "{per_format:?}");
}

#[test]
fn deposit_logs_are_op_nodes() {
    let f = fixture();
    let cases = f["Deposits"].as_array().unwrap();
    assert_eq!(cases.len(), 300);
    let (mut accepted, mut rejected, mut mint_over) = (0, 0, 0);
    for (n, c) in cases.iter().enumerate() {
        let topics: Vec<B256> = c["Topics"].as_array().unwrap().iter().map(b256).collect();
        let log = LogData::new_unchecked(topics, hex(&c["Data"]).into());
        let ours = decode_deposit_log(&log, b256(&c["block_hash"]), u64_of(&c["log_index"]));
        let want = hex(&c["Deposit"]);
        match ours {
            Ok(tx) => {
                assert_eq!(tx.encoded_2718(), want, "case {n}");
                accepted += 1;
            }
            Err(DepositError::MintOverflow(_)) => {
                assert!(!want.is_empty(), "case {n}");
                mint_over += 1;
            }
            Err(e) => {
                assert!(want.is_empty(), "case {n}: op-node accepts, we say {e}");
                rejected += 1;
            }
        }
    }
    assert_eq!(accepted + rejected + mint_over, 300);
    assert!(accepted >= 150 && rejected >= 60, "{accepted} accepted, {rejected} rejected");
    assert!(mint_over <= 15, "{mint_over}");
}

#[test]
fn config_updates_are_op_nodes() {
    let f = fixture();
    let cases = f["SysCfg"].as_array().unwrap();
    assert_eq!(cases.len(), 800);
    let mut kinds = [0u32; 9];
    let mut ok = 0;
    for (n, c) in cases.iter().enumerate() {
        let topics: Vec<B256> = c["Topics"].as_array().unwrap().iter().map(b256).collect();
        let log = LogData::new_unchecked(topics, hex(&c["Data"]).into());
        let ecotone = opt(&c["Ecotone"]).is_some_and(|t| u64_of(&c["l1_time"]) >= t);
        let (before, after) = (&c["Before"], &c["After"]);
        let ours = SystemConfigUpdate::decode(&log);
        assert_eq!(ours.is_ok(), c["Ok"].as_bool().unwrap(), "case {n}: {ours:?}");
        let Ok(update) = ours else { continue };
        ok += 1;
        // The one field op-node changed, and how.
        let mut expect = before.clone();
        let word = |b: B256| Value::String(format!("{b}"));
        match update {
            SystemConfigUpdate::Batcher(a) => {
                kinds[0] += 1;
                expect["batcherAddr"] = Value::String(format!("{a:#x}"));
            }
            SystemConfigUpdate::FeeScalars { overhead, scalar } => {
                kinds[1] += 1;
                if !ecotone {
                    expect["overhead"] = word(overhead);
                    expect["scalar"] = word(scalar);
                } else if is_valid_ecotone_scalar(&scalar) {
                    expect["overhead"] = word(B256::ZERO);
                    expect["scalar"] = word(scalar);
                }
            }
            SystemConfigUpdate::GasLimit(g) => {
                kinds[2] += 1;
                expect["gasLimit"] = g.into();
            }
            SystemConfigUpdate::UnsafeBlockSigner => kinds[3] += 1,
            SystemConfigUpdate::Eip1559Params(p) => {
                kinds[4] += 1;
                expect["eip1559Params"] = Value::String(format!("{p}"));
            }
            SystemConfigUpdate::OperatorFeeParams(p) => {
                kinds[5] += 1;
                expect["operatorFeeParams"] = word(p);
            }
            SystemConfigUpdate::MinBaseFee(v) => {
                kinds[6] += 1;
                expect["minBaseFee"] = v.into();
            }
            SystemConfigUpdate::DaFootprintGasScalar(v) => {
                kinds[7] += 1;
                expect["daFootprintGasScalar"] = v.into();
            }
        }
        assert_eq!(&expect, after, "case {n}: {update:?}");
    }
    assert!((300..=600).contains(&ok), "{ok} accepted");
    assert!(kinds[..8].iter().all(|k| *k >= 15), "{kinds:?}");
}

#[test]
fn selectors_hash_their_signatures() {
    for f in L1InfoFormat::ALL {
        assert_eq!(keccak256(f.signature())[..4], f.selector(), "{f:?}");
    }
}

/// The six OP Sepolia fixture blocks (Holocene, before Isthmus; `testdata/op-sepolia-l1-info-deposits.txt`): each block's first transaction is a real Ecotone-format
/// L1-info deposit; decode it, re-encode the calldata and the whole deposit, and compare the bytes.
#[test]
fn op_sepolia_l1_info_deposits_round_trip() {
    let text = include_str!("../../testdata/op-sepolia-l1-info-deposits.txt");
    let mut seen = 0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (block, tx) = line.split_once(' ').unwrap();
        let raw = hex(&Value::String(tx.into()));
        let dep = TxDeposit::decode_2718(&mut raw.as_slice()).unwrap();
        let decoded = L1InfoTx::decode_calldata(&dep.input).unwrap();
        assert_eq!(decoded.format, L1InfoFormat::Ecotone, "block {block}");
        assert_eq!(decoded.encode_calldata(), dep.input, "block {block}");
        let regolith = true;
        let rebuilt = decoded.info.deposit(decoded.format, regolith);
        assert_eq!(rebuilt.encoded_2718(), raw, "block {block}: the whole deposit rebuilt from its values");
        // OP Sepolia's batcher and the Ecotone scalars its SystemConfig holds.
        assert_eq!(
            decoded.info.batcher_address,
            Address::from_slice(&hex(&Value::String("0x8f23bb38f531600e5d8fddaaec41f13fab46e98c".into())))
        );
        seen += 1;
    }
    assert_eq!(seen, 6);
}
