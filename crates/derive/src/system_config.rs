//! The system config as derivation tracks it: `ConfigUpdate` logs of an L1 block's receipts applied to a
//! [`SystemConfig`] (op-node `UpdateSystemConfigWithL1Receipts`, specs `system-config.md`).
//!
//! Rules:
//! * only successful receipts (EIP-658 status 1) count, and only logs emitted by the rollup's
//!   `l1_system_config_address` whose first topic is the `ConfigUpdate` event;
//! * a log that does not decode (topics, version, type, ABI data; see [`SystemConfigUpdate::decode`]) is an
//!   error for the whole block, which derivation treats as critical (op-node and kona do);
//! * fee scalars (type 1): before Ecotone (judged by the **L1** block's time against the L2 Ecotone time, as
//!   op-node and kona do) overhead and scalar are both taken; from Ecotone the overhead is zeroed and the
//!   scalar must be a valid versioned scalar ([`is_valid_ecotone_scalar`]), otherwise the update is ignored
//!   and the old scalar kept;
//! * the unsafe block signer (type 3) is not a consensus value and is ignored;
//! * EIP-1559 params (4, Holocene), operator fee (5, Isthmus), min base fee (6) and DA footprint gas scalar
//!   (7, Jovian) are stored whatever fork is active: the spec and op-node do not gate them, the values only
//!   take effect once the fork that reads them is active.

use alloy_consensus::{Eip658Value, Receipt};
use alloy_primitives::U256;
use rampart_genesis::{RollupConfig, SystemConfig};
use rampart_protocol::{is_valid_ecotone_scalar, ConfigUpdateError, SystemConfigUpdate, CONFIG_UPDATE_TOPIC};

/// The one-time upgrade gas in the gas limit of the L2 block at `timestamp` that a system config read back
/// from that block must leave out (op-node `PayloadToSystemConfig`): Karst's upgrade gas in Karst's activation
/// block, unless the chain keeps it (`keep_karst_upgrade_gas`); 0 for every other block. The attributes
/// builder adds it to that block's gas limit; an [`crate::traits::L2ChainProvider`] subtracts it again.
pub fn upgrade_gas_to_strip(cfg: &RollupConfig, timestamp: u64) -> u64 {
    if cfg.is_karst_activation_block(timestamp) && !cfg.hardforks.keep_karst_upgrade_gas {
        rampart_protocol::upgrade_gas(rampart_protocol::UpgradeFork::Karst)
    } else {
        0
    }
}

/// Why a block's config updates could not be applied: the receipt and log (indices in the block) and the
/// decoding error.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ConfigUpdate log {log} of receipt {receipt}: {error}")]
pub struct SystemConfigUpdateError {
    /// Index of the receipt in the block.
    pub receipt: usize,
    /// Index of the log in the receipt.
    pub log: usize,
    /// What was wrong with it.
    #[source]
    pub error: ConfigUpdateError,
}

/// Applies one decoded update. `ecotone` is whether Ecotone is active at the L1 block's time.
pub fn apply_update(sys: &mut SystemConfig, update: SystemConfigUpdate, ecotone: bool) {
    match update {
        SystemConfigUpdate::Batcher(a) => sys.batcher_address = a,
        SystemConfigUpdate::FeeScalars { overhead, scalar } => {
            if !ecotone {
                sys.overhead = U256::from_be_bytes(overhead.0);
                sys.scalar = U256::from_be_bytes(scalar.0);
            } else if is_valid_ecotone_scalar(&scalar) {
                sys.overhead = U256::ZERO;
                sys.scalar = U256::from_be_bytes(scalar.0);
            }
        }
        SystemConfigUpdate::GasLimit(g) => sys.gas_limit = g,
        SystemConfigUpdate::UnsafeBlockSigner => {}
        SystemConfigUpdate::Eip1559Params(p) => {
            sys.eip1559_denominator = Some(u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
            sys.eip1559_elasticity = Some(u32::from_be_bytes([p[4], p[5], p[6], p[7]]));
        }
        SystemConfigUpdate::OperatorFeeParams(w) => {
            sys.operator_fee_scalar = Some(u32::from_be_bytes([w[20], w[21], w[22], w[23]]));
            let mut c = [0u8; 8];
            c.copy_from_slice(&w[24..32]);
            sys.operator_fee_constant = Some(u64::from_be_bytes(c));
        }
        SystemConfigUpdate::MinBaseFee(v) => sys.min_base_fee = Some(v),
        SystemConfigUpdate::DaFootprintGasScalar(v) => sys.da_footprint_gas_scalar = Some(v),
    }
}

/// Applies the `ConfigUpdate` logs of an L1 block's `receipts` (block time `l1_time`) to `sys`, in order.
/// Returns how many updates were applied (ignored fee-scalar updates and signer updates included). On the
/// first malformed log it stops and returns the error; `sys` then holds the updates before it.
pub fn apply_receipts(
    sys: &mut SystemConfig,
    receipts: &[Receipt],
    cfg: &RollupConfig,
    l1_time: u64,
) -> Result<usize, SystemConfigUpdateError> {
    let ecotone = cfg.is_ecotone_active(l1_time);
    let mut applied = 0;
    for (ri, receipt) in receipts.iter().enumerate() {
        if receipt.status != Eip658Value::Eip658(true) {
            continue;
        }
        for (li, log) in receipt.logs.iter().enumerate() {
            if log.address != cfg.l1_system_config_address || log.topics().first() != Some(&CONFIG_UPDATE_TOPIC) {
                continue;
            }
            let update = SystemConfigUpdate::decode(&log.data).map_err(|error| SystemConfigUpdateError {
                receipt: ri,
                log: li,
                error,
            })?;
            apply_update(sys, update, ecotone);
            applied += 1;
        }
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloy_primitives::{address, Address, Bytes, Log, LogData, B256};

    const SYS: Address = address!("5555555555555555555555555555555555555555");

    fn word(v: &[u8]) -> [u8; 32] {
        let mut w = [0u8; 32];
        w[32 - v.len()..].copy_from_slice(v);
        w
    }

    fn log(ty: u8, payload: &[[u8; 32]]) -> Log {
        let mut data = vec![];
        data.extend_from_slice(&word(&[32]));
        data.extend_from_slice(&word(&[(payload.len() * 32) as u8]));
        for w in payload {
            data.extend_from_slice(w);
        }
        Log {
            address: SYS,
            data: LogData::new_unchecked(
                vec![CONFIG_UPDATE_TOPIC, B256::ZERO, B256::from(word(&[ty]))],
                Bytes::from(data),
            ),
        }
    }

    fn receipt(ok: bool, logs: Vec<Log>) -> Receipt {
        Receipt { status: Eip658Value::Eip658(ok), cumulative_gas_used: 0, logs }
    }

    fn cfg(ecotone: Option<u64>) -> RollupConfig {
        let mut c = RollupConfig { l1_system_config_address: SYS, block_time: 2, ..Default::default() };
        c.hardforks.ecotone_time = ecotone;
        c
    }

    #[test]
    fn every_type_applies() {
        let mut sys = SystemConfig::default();
        let batcher = address!("00000000000000000000000000000000000000bb");
        let mut eip = [0u8; 32];
        eip[24..28].copy_from_slice(&250u32.to_be_bytes());
        eip[28..].copy_from_slice(&6u32.to_be_bytes());
        let mut op = [0u8; 32];
        op[20..24].copy_from_slice(&7u32.to_be_bytes());
        op[24..].copy_from_slice(&9u64.to_be_bytes());
        let logs = vec![
            log(0, &[word(batcher.as_slice())]),
            log(1, &[word(&[0xbc]), word(&[0x0a, 0x6f, 0xe0])]),
            log(2, &[word(&30_000_000u64.to_be_bytes())]),
            log(3, &[word(&[1])]),
            log(4, &[eip]),
            log(5, &[op]),
            log(6, &[word(&[0x10])]),
            log(7, &[word(&[0x01, 0x90])]),
        ];
        let n = apply_receipts(&mut sys, &[receipt(true, logs)], &cfg(None), 100).unwrap();
        assert_eq!(n, 8);
        assert_eq!(sys.batcher_address, batcher);
        assert_eq!((sys.overhead, sys.scalar), (U256::from(0xbc), U256::from(0x0a6fe0)));
        assert_eq!(sys.gas_limit, 30_000_000);
        assert_eq!((sys.eip1559_denominator, sys.eip1559_elasticity), (Some(250), Some(6)));
        assert_eq!((sys.operator_fee_scalar, sys.operator_fee_constant), (Some(7), Some(9)));
        assert_eq!((sys.min_base_fee, sys.da_footprint_gas_scalar), (Some(0x10), Some(0x190)));
    }

    #[test]
    fn failed_receipts_and_other_emitters_are_ignored() {
        let mut sys = SystemConfig { gas_limit: 1, ..Default::default() };
        let mut other = log(2, &[word(&[5])]);
        other.address = Address::repeat_byte(1);
        let receipts = [receipt(false, vec![log(2, &[word(&[7])])]), receipt(true, vec![other])];
        assert_eq!(apply_receipts(&mut sys, &receipts, &cfg(None), 0).unwrap(), 0);
        assert_eq!(sys.gas_limit, 1);
        // A malformed log of a failed receipt is not even decoded.
        let mut bad = log(2, &[word(&[7])]);
        bad.data = LogData::new_unchecked(bad.data.topics().to_vec(), Bytes::from(vec![1, 2, 3]));
        assert_eq!(apply_receipts(&mut sys, &[receipt(false, vec![bad.clone()])], &cfg(None), 0), Ok(0));
        let err = apply_receipts(&mut sys, &[receipt(true, vec![log(2, &[word(&[9])]), bad])], &cfg(None), 0);
        assert_eq!(err.unwrap_err().log, 1);
        assert_eq!(sys.gas_limit, 9, "updates before the malformed log stay applied");
    }

    #[test]
    fn karst_upgrade_gas_is_stripped_once_unless_kept() {
        let mut c = cfg(None);
        c.hardforks.karst_time = Some(100);
        assert_eq!(upgrade_gas_to_strip(&c, 98), 0);
        assert_eq!(upgrade_gas_to_strip(&c, 100), 55_370_657);
        assert_eq!(upgrade_gas_to_strip(&c, 102), 0);
        c.hardforks.keep_karst_upgrade_gas = true;
        assert_eq!(upgrade_gas_to_strip(&c, 100), 0);
    }

    #[test]
    fn ecotone_scalars_by_l1_time() {
        let mut v1 = [0u8; 32];
        v1[0] = 1;
        v1[24..28].copy_from_slice(&3u32.to_be_bytes());
        v1[28..].copy_from_slice(&4u32.to_be_bytes());
        let start = SystemConfig { overhead: U256::from(5), scalar: U256::from(6), ..Default::default() };
        // Before Ecotone (L1 time 99 < 100): both words taken as they are.
        let mut sys = start;
        apply_receipts(&mut sys, &[receipt(true, vec![log(1, &[word(&[0xaa]), v1])])], &cfg(Some(100)), 99).unwrap();
        assert_eq!((sys.overhead, sys.scalar), (U256::from(0xaa), U256::from_be_bytes(v1)));
        // From Ecotone: overhead zeroed.
        let mut sys = start;
        apply_receipts(&mut sys, &[receipt(true, vec![log(1, &[word(&[0xaa]), v1])])], &cfg(Some(100)), 100).unwrap();
        assert_eq!((sys.overhead, sys.scalar), (U256::ZERO, U256::from_be_bytes(v1)));
        // An invalid versioned scalar is ignored (counted as processed, nothing changes).
        let mut bad = v1;
        bad[0] = 2;
        let mut sys = start;
        let n = apply_receipts(&mut sys, &[receipt(true, vec![log(1, &[word(&[0xaa]), bad])])], &cfg(Some(100)), 100);
        assert_eq!(n, Ok(1));
        assert_eq!(sys, start);
        // Version 0 with padding is invalid from Ecotone on, valid before.
        let mut v0 = [0u8; 32];
        v0[5] = 1;
        let mut sys = start;
        apply_receipts(&mut sys, &[receipt(true, vec![log(1, &[word(&[1]), v0])])], &cfg(Some(100)), 100).unwrap();
        assert_eq!(sys, start);
    }
}
