//! The L1 chain configuration (geth's `params.ChainConfig` JSON, kona's `L1ChainConfig`) and the L1 blob
//! fee schedule derivation needs for the L1-info deposit.

use alloc::{collections::BTreeMap, string::String, vec::Vec};
use alloy_primitives::{Address, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{GenesisError, Result};

/// EIP-4844 minimum blob base fee (wei).
pub const MIN_BLOB_BASE_FEE: u128 = 1;

/// One entry of a chain config's `blobSchedule` (EIP-7840).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobScheduleEntry {
    /// Target blobs per block.
    pub target: u64,
    /// Max blobs per block.
    pub max: u64,
    /// Base fee update fraction.
    pub base_fee_update_fraction: u64,
}

impl BlobScheduleEntry {
    /// Cancun (EIP-4844): 3 / 6 / 3 338 477.
    pub const CANCUN: Self = Self { target: 3, max: 6, base_fee_update_fraction: 3_338_477 };
    /// Prague (EIP-7691): 6 / 9 / 5 007 716.
    pub const PRAGUE: Self = Self { target: 6, max: 9, base_fee_update_fraction: 5_007_716 };
    /// Osaka keeps Prague's numbers.
    pub const OSAKA: Self = Self::PRAGUE;
    /// BPO1 (EIP-7892, mainnet and Sepolia): 10 / 15 / 8 346 193.
    pub const BPO1: Self = Self { target: 10, max: 15, base_fee_update_fraction: 8_346_193 };
    /// BPO2: 14 / 21 / 11 684 671.
    pub const BPO2: Self = Self { target: 14, max: 21, base_fee_update_fraction: 11_684_671 };

    /// The blob base fee for `excess_blob_gas` under these parameters (EIP-4844 `fake_exponential`
    /// with the minimum fee 1).
    pub fn blob_base_fee(&self, excess_blob_gas: u64) -> u128 {
        fake_exponential(MIN_BLOB_BASE_FEE, u128::from(excess_blob_gas), u128::from(self.base_fee_update_fraction))
    }
}

/// EIP-4844 `fake_exponential(factor, numerator, denominator)` ≈ factor · e^(numerator / denominator),
/// saturating at `u128::MAX` (reached only for absurd excess blob gas).
pub fn fake_exponential(factor: u128, numerator: u128, denominator: u128) -> u128 {
    if denominator == 0 {
        return 0;
    }
    let (factor, numerator, denominator) = (U256::from(factor), U256::from(numerator), U256::from(denominator));
    let mut output = U256::ZERO;
    let mut accum = factor * denominator;
    let mut i = U256::from(1u8);
    while !accum.is_zero() {
        output = output.saturating_add(accum);
        accum = accum.saturating_mul(numerator) / (denominator * i);
        i += U256::from(1u8);
    }
    u128::try_from(output / denominator).unwrap_or(u128::MAX)
}

/// An L1 fork that changes the blob schedule, in activation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BlobFork {
    /// Cancun.
    Cancun,
    /// Prague.
    Prague,
    /// Osaka.
    Osaka,
    /// Blob-parameter-only fork 1.
    Bpo1,
    /// BPO 2.
    Bpo2,
    /// BPO 3.
    Bpo3,
    /// BPO 4.
    Bpo4,
    /// BPO 5.
    Bpo5,
}

impl BlobFork {
    /// All blob-schedule forks, in order.
    pub const ALL: [Self; 8] =
        [Self::Cancun, Self::Prague, Self::Osaka, Self::Bpo1, Self::Bpo2, Self::Bpo3, Self::Bpo4, Self::Bpo5];

    /// The `blobSchedule` key of the fork.
    pub const fn key(self) -> &'static str {
        match self {
            Self::Cancun => "cancun",
            Self::Prague => "prague",
            Self::Osaka => "osaka",
            Self::Bpo1 => "bpo1",
            Self::Bpo2 => "bpo2",
            Self::Bpo3 => "bpo3",
            Self::Bpo4 => "bpo4",
            Self::Bpo5 => "bpo5",
        }
    }
}

/// An L1 chain's configuration: geth's chain config JSON (camelCase), the form op-node's
/// `--rollup.l1-chain-config` and kona's `L1ChainConfig` (alloy-genesis `ChainConfig`) use.
///
/// The fields derivation needs are typed; every other key is kept verbatim in [`L1ChainConfig::other`]
/// so a config round-trips. Fork numbers and times may be JSON numbers or hex/decimal strings.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct L1ChainConfig {
    /// Chain id.
    pub chain_id: u64,
    /// Homestead block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub homestead_block: Option<u64>,
    /// DAO fork block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub dao_fork_block: Option<u64>,
    /// DAO fork support.
    #[serde(default)]
    pub dao_fork_support: bool,
    /// EIP-150 block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub eip150_block: Option<u64>,
    /// EIP-155 block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub eip155_block: Option<u64>,
    /// EIP-158 block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub eip158_block: Option<u64>,
    /// Byzantium block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub byzantium_block: Option<u64>,
    /// Constantinople block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub constantinople_block: Option<u64>,
    /// Petersburg block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub petersburg_block: Option<u64>,
    /// Istanbul block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub istanbul_block: Option<u64>,
    /// Muir Glacier block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub muir_glacier_block: Option<u64>,
    /// Berlin block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub berlin_block: Option<u64>,
    /// London block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub london_block: Option<u64>,
    /// Arrow Glacier block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub arrow_glacier_block: Option<u64>,
    /// Gray Glacier block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub gray_glacier_block: Option<u64>,
    /// Merge netsplit block.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub merge_netsplit_block: Option<u64>,
    /// Shanghai time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub shanghai_time: Option<u64>,
    /// Cancun time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub cancun_time: Option<u64>,
    /// Prague time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub prague_time: Option<u64>,
    /// Osaka time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub osaka_time: Option<u64>,
    /// BPO1 time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub bpo1_time: Option<u64>,
    /// BPO2 time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub bpo2_time: Option<u64>,
    /// BPO3 time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub bpo3_time: Option<u64>,
    /// BPO4 time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub bpo4_time: Option<u64>,
    /// BPO5 time.
    #[serde(default, skip_serializing_if = "Option::is_none", deserialize_with = "quantity_opt")]
    pub bpo5_time: Option<u64>,
    /// Terminal total difficulty (a number too large for u64 in mainnet's case).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "ttd")]
    pub terminal_total_difficulty: Option<U256>,
    /// Whether the TTD was passed.
    #[serde(default)]
    pub terminal_total_difficulty_passed: bool,
    /// Beacon deposit contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deposit_contract_address: Option<Address>,
    /// EIP-7840 blob schedule by fork key (`cancun`, `prague`, `osaka`, `bpo1`, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub blob_schedule: BTreeMap<String, BlobScheduleEntry>,
    /// Every other key, verbatim (`ethash`, `clique`, `amsterdamTime`, ...).
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

impl L1ChainConfig {
    /// Parses an L1 chain config from JSON.
    pub fn from_json(json: &[u8]) -> Result<Self> {
        serde_json::from_slice(json).map_err(|e| GenesisError::L1ConfigJson(alloc::format!("{e}")))
    }

    /// Writes the config as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The activation time of a blob-schedule fork.
    pub const fn fork_time(&self, fork: BlobFork) -> Option<u64> {
        match fork {
            BlobFork::Cancun => self.cancun_time,
            BlobFork::Prague => self.prague_time,
            BlobFork::Osaka => self.osaka_time,
            BlobFork::Bpo1 => self.bpo1_time,
            BlobFork::Bpo2 => self.bpo2_time,
            BlobFork::Bpo3 => self.bpo3_time,
            BlobFork::Bpo4 => self.bpo4_time,
            BlobFork::Bpo5 => self.bpo5_time,
        }
    }

    /// The blob parameters of `fork`: the `blobSchedule` entry, or the EIP defaults for Cancun, Prague
    /// and Osaka when the schedule omits them (as alloy-genesis does). BPO forks need an entry.
    pub fn blob_params_of(&self, fork: BlobFork) -> Option<BlobScheduleEntry> {
        if let Some(entry) = self.blob_schedule.get(fork.key()) {
            return Some(*entry);
        }
        match fork {
            BlobFork::Cancun => Some(BlobScheduleEntry::CANCUN),
            BlobFork::Prague => Some(BlobScheduleEntry::PRAGUE),
            BlobFork::Osaka => Some(BlobScheduleEntry::OSAKA),
            _ => None,
        }
    }

    /// The latest blob-schedule fork active at L1 time `timestamp` that has parameters, with them; `None`
    /// before Cancun. Forks are taken in fork order, a fork without parameters falls back to the one
    /// before it (geth's `latestBlobConfig`; Osaka has Prague's numbers).
    pub fn blob_params_at(&self, timestamp: u64) -> Option<(BlobFork, BlobScheduleEntry)> {
        BlobFork::ALL.into_iter().rev().find_map(|fork| {
            let active = self.fork_time(fork).is_some_and(|t| timestamp >= t);
            if active {
                self.blob_params_of(fork).map(|p| (fork, p))
            } else {
                None
            }
        })
    }

    /// The blob base fee of an L1 block with time `timestamp` and `excess_blob_gas`; `None` before
    /// Cancun (no blob fee).
    pub fn blob_base_fee(&self, timestamp: u64, excess_blob_gas: u64) -> Option<u128> {
        self.blob_params_at(timestamp).map(|(_, p)| p.blob_base_fee(excess_blob_gas))
    }

    /// Whether Prague is active at L1 time `timestamp`.
    pub fn is_prague_active(&self, timestamp: u64) -> bool {
        self.prague_time.is_some_and(|t| timestamp >= t)
    }

    /// Whether Cancun is active at L1 time `timestamp`.
    pub fn is_cancun_active(&self, timestamp: u64) -> bool {
        self.cancun_time.is_some_and(|t| timestamp >= t)
    }
}

/// Reads an optional u64 given as a JSON number or a (0x-hex or decimal) string.
fn quantity_opt<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Q {
        Number(u64),
        Text(String),
    }
    match Option::<Q>::deserialize(d)? {
        None => Ok(None),
        Some(Q::Number(n)) => Ok(Some(n)),
        Some(Q::Text(s)) => parse_u64_text(&s).map(Some).ok_or_else(|| serde::de::Error::custom("invalid quantity")),
    }
}

fn parse_u64_text(s: &str) -> Option<u64> {
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// The terminal total difficulty: a JSON number (as geth writes it, possibly beyond u64 and so read as
/// a float), or a string.
mod ttd {
    use super::*;

    pub(super) fn serialize<S: Serializer>(v: &Option<U256>, s: S) -> core::result::Result<S::Ok, S::Error> {
        match v {
            None => s.serialize_none(),
            Some(v) => match u128::try_from(*v) {
                Ok(n) => s.serialize_u128(n),
                Err(_) => v.serialize(s),
            },
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> core::result::Result<Option<U256>, D::Error> {
        let err = |m: &str| serde::de::Error::custom(alloc::format!("terminalTotalDifficulty: {m}"));
        match Option::<serde_json::Value>::deserialize(d)? {
            None => Ok(None),
            Some(serde_json::Value::Number(n)) => {
                if let Some(v) = n.as_u64() {
                    Ok(Some(U256::from(v)))
                } else if let Some(f) = n.as_f64().filter(|f| *f >= 0.0 && f.is_finite()) {
                    // Beyond u64, serde_json (without arbitrary precision) hands over the nearest
                    // float; geth's mainnet TTD 5.875e22 is the value this exists for.
                    Ok(Some(U256::from(f as u128)))
                } else {
                    Err(err("not a non-negative number"))
                }
            }
            Some(serde_json::Value::String(s)) => {
                let v = match s.strip_prefix("0x") {
                    Some(hex) => U256::from_str_radix(hex, 16),
                    None => U256::from_str_radix(&s, 10),
                };
                v.map(Some).map_err(|_| err("not a number"))
            }
            Some(_) => Err(err("must be a number or a string")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_exponential_known_values() {
        // EIP-4844 reference vectors.
        for (factor, num, den, want) in
            [(1u128, 0u128, 1u128, 1u128), (38493, 0, 1000, 38493), (0, 1234, 2345, 0), (1, 2, 1, 6), (1, 4, 2, 6)]
        {
            assert_eq!(fake_exponential(factor, num, den), want, "{factor} {num} {den}");
        }
        // The EIP-4844 Python reference `fake_exponential(1, 10, 1)` (integer Taylor series; e^10 ~ 22026).
        assert_eq!(fake_exponential(1, 10, 1), 21907);
        assert_eq!(BlobScheduleEntry::CANCUN.blob_base_fee(0), 1);
    }

    #[test]
    fn schedule_picks_latest_active_fork() {
        let cfg = L1ChainConfig {
            chain_id: 1,
            cancun_time: Some(10),
            prague_time: Some(20),
            osaka_time: Some(30),
            bpo1_time: Some(40),
            bpo2_time: Some(50),
            blob_schedule: BTreeMap::from([
                ("bpo1".into(), BlobScheduleEntry::BPO1),
                ("bpo2".into(), BlobScheduleEntry::BPO2),
            ]),
            ..Default::default()
        };
        assert_eq!(cfg.blob_params_at(9), None);
        assert_eq!(cfg.blob_params_at(10), Some((BlobFork::Cancun, BlobScheduleEntry::CANCUN)));
        assert_eq!(cfg.blob_params_at(25).map(|x| x.0), Some(BlobFork::Prague));
        assert_eq!(cfg.blob_params_at(45).map(|x| x.0), Some(BlobFork::Bpo1));
        assert_eq!(cfg.blob_params_at(u64::MAX).map(|x| x.0), Some(BlobFork::Bpo2));
    }

    #[test]
    fn json_round_trip_keeps_unknown_keys() {
        let json = r#"{"chainId":1,"homesteadBlock":1150000,"daoForkBlock":"0x1d4c00","daoForkSupport":true,
            "terminalTotalDifficulty":58750000000000000000000,"ethash":{},"cancunTime":1710338135,
            "blobSchedule":{"cancun":{"target":3,"max":6,"baseFeeUpdateFraction":3338477}},"amsterdamTime":null}"#;
        let cfg = L1ChainConfig::from_json(json.as_bytes()).unwrap();
        assert_eq!(cfg.dao_fork_block, Some(1_920_000));
        assert!(cfg.other.contains_key("ethash"));
        assert!(cfg.terminal_total_difficulty.is_some());
        let again = L1ChainConfig::from_json(&cfg.to_json()).unwrap();
        assert_eq!(again, cfg);
        assert!(L1ChainConfig::from_json(br#"{"chainId":"one"}"#).is_err());
    }
}
