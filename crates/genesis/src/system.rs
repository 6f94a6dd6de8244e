//! The L1 SystemConfig contract's values as derivation tracks them.

use alloy_primitives::{Address, B256, B64, U256};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::RollupConfig;

/// Default DA footprint gas scalar applied while the system config has never set one (Jovian spec,
/// `system-config.md` "Initialization").
pub const DEFAULT_DA_FOOTPRINT_GAS_SCALAR: u16 = 400;

/// The system configuration of an OP chain at some L1 block.
///
/// JSON: camelCase keys as kona-genesis writes them (`batcherAddr`, full 32-byte `overhead` and
/// `scalar`, `gasLimit`, then the optional scalars, `null` when unset). Reading also accepts op-node's
/// `rollup.json` form: `batcherAddress`, the packed `eip1559Params` (8 bytes: denominator u32 BE ‖
/// elasticity u32 BE) and `operatorFeeParams` (32 bytes: scalar u32 BE at 20..24, constant u64 BE at
/// 24..32), which override the split fields. Unknown keys are rejected, as kona does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SystemConfig {
    /// Batch submitter address (`batcherAddr`).
    pub batcher_address: Address,
    /// Pre-Ecotone L1 fee overhead.
    pub overhead: U256,
    /// L1 fee scalar (versioned from Ecotone: see [`SystemConfig::ecotone_scalars`]).
    pub scalar: U256,
    /// L2 block gas limit.
    pub gas_limit: u64,
    /// Ecotone base fee scalar, once set by a fee-scalars update.
    pub base_fee_scalar: Option<u64>,
    /// Ecotone blob base fee scalar, once set by a fee-scalars update.
    pub blob_base_fee_scalar: Option<u64>,
    /// Holocene EIP-1559 denominator.
    pub eip1559_denominator: Option<u32>,
    /// Holocene EIP-1559 elasticity.
    pub eip1559_elasticity: Option<u32>,
    /// Isthmus operator fee scalar.
    pub operator_fee_scalar: Option<u32>,
    /// Isthmus operator fee constant.
    pub operator_fee_constant: Option<u64>,
    /// Jovian minimum base fee (0 while unset).
    pub min_base_fee: Option<u64>,
    /// Jovian DA footprint gas scalar ([`DEFAULT_DA_FOOTPRINT_GAS_SCALAR`] while unset or 0).
    pub da_footprint_gas_scalar: Option<u16>,
}

impl SystemConfig {
    /// The Holocene `eip1559Params` (denominator u32 BE ‖ elasticity u32 BE) the attributes for a block
    /// at `next_timestamp` (parent at `parent_timestamp`) carry: `None` before Holocene, all zero on the
    /// first Holocene block (the engine then uses the Canyon defaults), the system config's values after.
    pub fn eip1559_params(&self, cfg: &RollupConfig, parent_timestamp: u64, next_timestamp: u64) -> Option<B64> {
        if !cfg.is_holocene_active(next_timestamp) {
            return None;
        }
        if !cfg.is_holocene_active(parent_timestamp) {
            return Some(B64::ZERO);
        }
        Some(self.packed_eip1559_params())
    }

    /// The EIP-1559 parameters packed as in the Holocene extra data (zero when unset).
    pub fn packed_eip1559_params(&self) -> B64 {
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&self.eip1559_denominator.unwrap_or_default().to_be_bytes());
        out[4..].copy_from_slice(&self.eip1559_elasticity.unwrap_or_default().to_be_bytes());
        B64::from(out)
    }

    /// The operator fee parameters packed as op-node's `operatorFeeParams` (scalar at 20..24, constant
    /// at 24..32).
    pub fn packed_operator_fee_params(&self) -> B256 {
        let mut out = [0u8; 32];
        out[20..24].copy_from_slice(&self.operator_fee_scalar.unwrap_or_default().to_be_bytes());
        out[24..].copy_from_slice(&self.operator_fee_constant.unwrap_or_default().to_be_bytes());
        B256::from(out)
    }

    /// The Ecotone `(base_fee_scalar, blob_base_fee_scalar)` encoded in [`SystemConfig::scalar`]
    /// (op-node `EcotoneScalars`): version 1 is `0x01 ‖ 0 (23 bytes) ‖ blobBaseFeeScalar u32 BE ‖
    /// baseFeeScalar u32 BE`; version 0 (pre-Ecotone) carries the base fee scalar in its low 4 bytes
    /// and, if its padding (bytes 1..28) is not empty, means `(u32::MAX, 0)` as the spec mandates.
    /// `None` for an unknown version or a version-1 value with non-zero padding.
    pub fn ecotone_scalars(&self) -> Option<(u32, u32)> {
        let bytes = self.scalar.to_be_bytes::<32>();
        let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        match bytes[0] {
            0 if bytes[1..28].iter().any(|b| *b != 0) => Some((u32::MAX, 0)),
            0 => Some((word(28), 0)),
            1 if bytes[1..24].iter().any(|b| *b != 0) => None,
            1 => Some((word(28), word(24))),
            _ => None,
        }
    }

    /// The DA footprint gas scalar in effect (a stored 0 means the default).
    pub fn effective_da_footprint_gas_scalar(&self) -> u16 {
        match self.da_footprint_gas_scalar {
            None | Some(0) => DEFAULT_DA_FOOTPRINT_GAS_SCALAR,
            Some(v) => v,
        }
    }
}

/// Writes a U256 as a full 32-byte 0x-hex word (op-node's `Bytes32`).
fn serialize_word<S: Serializer>(value: &U256, s: S) -> Result<S::Ok, S::Error> {
    B256::from(value.to_be_bytes::<32>()).serialize(s)
}

impl Serialize for SystemConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Out<'a> {
            #[serde(rename = "batcherAddr")]
            batcher_address: &'a Address,
            #[serde(serialize_with = "serialize_word")]
            overhead: &'a U256,
            #[serde(serialize_with = "serialize_word")]
            scalar: &'a U256,
            gas_limit: u64,
            base_fee_scalar: Option<u64>,
            blob_base_fee_scalar: Option<u64>,
            eip1559_denominator: Option<u32>,
            eip1559_elasticity: Option<u32>,
            operator_fee_scalar: Option<u32>,
            operator_fee_constant: Option<u64>,
            // Jovian fields are left out while unset, so pre-Jovian readers (kona-genesis 0.4.5 rejects
            // unknown keys) still read the config; the deployed kona reads a missing key as unset.
            #[serde(skip_serializing_if = "Option::is_none")]
            min_base_fee: Option<u64>,
            #[serde(skip_serializing_if = "Option::is_none")]
            da_footprint_gas_scalar: Option<u16>,
        }
        fn serialize_word<S: Serializer>(value: &&U256, s: S) -> Result<S::Ok, S::Error> {
            super::system::serialize_word(value, s)
        }
        Out {
            batcher_address: &self.batcher_address,
            overhead: &self.overhead,
            scalar: &self.scalar,
            gas_limit: self.gas_limit,
            base_fee_scalar: self.base_fee_scalar,
            blob_base_fee_scalar: self.blob_base_fee_scalar,
            eip1559_denominator: self.eip1559_denominator,
            eip1559_elasticity: self.eip1559_elasticity,
            operator_fee_scalar: self.operator_fee_scalar,
            operator_fee_constant: self.operator_fee_constant,
            min_base_fee: self.min_base_fee,
            da_footprint_gas_scalar: self.da_footprint_gas_scalar,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for SystemConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase", deny_unknown_fields)]
        struct In {
            #[serde(rename = "batcherAddress", alias = "batcherAddr")]
            batcher_address: Address,
            overhead: U256,
            scalar: U256,
            gas_limit: u64,
            #[serde(default)]
            base_fee_scalar: Option<u64>,
            #[serde(default)]
            blob_base_fee_scalar: Option<u64>,
            #[serde(default)]
            eip1559_params: Option<B64>,
            #[serde(default)]
            eip1559_denominator: Option<u32>,
            #[serde(default)]
            eip1559_elasticity: Option<u32>,
            #[serde(default)]
            operator_fee_params: Option<B256>,
            #[serde(default)]
            operator_fee_scalar: Option<u32>,
            #[serde(default)]
            operator_fee_constant: Option<u64>,
            #[serde(default)]
            min_base_fee: Option<u64>,
            #[serde(default)]
            da_footprint_gas_scalar: Option<u16>,
        }
        let raw = In::deserialize(d)?;
        let mut cfg = Self {
            batcher_address: raw.batcher_address,
            overhead: raw.overhead,
            scalar: raw.scalar,
            gas_limit: raw.gas_limit,
            base_fee_scalar: raw.base_fee_scalar,
            blob_base_fee_scalar: raw.blob_base_fee_scalar,
            eip1559_denominator: raw.eip1559_denominator,
            eip1559_elasticity: raw.eip1559_elasticity,
            operator_fee_scalar: raw.operator_fee_scalar,
            operator_fee_constant: raw.operator_fee_constant,
            min_base_fee: raw.min_base_fee,
            da_footprint_gas_scalar: raw.da_footprint_gas_scalar,
        };
        if let Some(p) = raw.eip1559_params {
            cfg.eip1559_denominator = Some(u32::from_be_bytes([p[0], p[1], p[2], p[3]]));
            cfg.eip1559_elasticity = Some(u32::from_be_bytes([p[4], p[5], p[6], p[7]]));
        }
        if let Some(p) = raw.operator_fee_params {
            cfg.operator_fee_scalar = Some(u32::from_be_bytes([p[20], p[21], p[22], p[23]]));
            let mut c = [0u8; 8];
            c.copy_from_slice(&p[24..32]);
            cfg.operator_fee_constant = Some(u64::from_be_bytes(c));
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, uint};

    #[test]
    fn op_node_form_is_read_and_kona_form_written() {
        let op_node = r#"{"batcherAddr":"0x6887246668a3b87f54deb3b94ba47a6f63f32985",
            "overhead":"0x00000000000000000000000000000000000000000000000000000000000000bc",
            "scalar":"0x00000000000000000000000000000000000000000000000000000000000a6fe0",
            "gasLimit":30000000,"eip1559Params":"0x000000fa00000006",
            "operatorFeeParams":"0x0000000000000000000000000000000000000000000000070000000000000009",
            "minBaseFee":5,"daFootprintGasScalar":0}"#;
        let cfg: SystemConfig = serde_json::from_str(op_node).unwrap();
        assert_eq!(cfg.batcher_address, address!("6887246668a3b87f54deb3b94ba47a6f63f32985"));
        assert_eq!(cfg.overhead, uint!(0xbc_U256));
        assert_eq!((cfg.eip1559_denominator, cfg.eip1559_elasticity), (Some(250), Some(6)));
        assert_eq!((cfg.operator_fee_scalar, cfg.operator_fee_constant), (Some(7), Some(9)));
        assert_eq!(cfg.effective_da_footprint_gas_scalar(), DEFAULT_DA_FOOTPRINT_GAS_SCALAR);
        let out = serde_json::to_value(cfg).unwrap();
        assert_eq!(out["eip1559Denominator"], 250);
        assert_eq!(out["overhead"], "0x00000000000000000000000000000000000000000000000000000000000000bc");
        assert!(out.get("eip1559Params").is_none());
        let back: SystemConfig = serde_json::from_value(out).unwrap();
        assert_eq!(back, cfg);
        assert_eq!(cfg.packed_eip1559_params(), B64::from([0, 0, 0, 0xfa, 0, 0, 0, 6]));
    }

    #[test]
    fn unknown_key_is_rejected() {
        let bad = r#"{"batcherAddr":"0x6887246668a3b87f54deb3b94ba47a6f63f32985","overhead":"0x0","scalar":"0x0",
            "gasLimit":1,"surprise":1}"#;
        assert!(serde_json::from_str::<SystemConfig>(bad).is_err());
    }

    #[test]
    fn ecotone_scalar_versions() {
        let mut cfg = SystemConfig { scalar: uint!(0xa6fe0_U256), ..Default::default() };
        assert_eq!(cfg.ecotone_scalars(), Some((0xa6fe0, 0)));
        let mut word = [0u8; 32];
        word[0] = 1;
        word[24..28].copy_from_slice(&7u32.to_be_bytes());
        word[28..].copy_from_slice(&9u32.to_be_bytes());
        cfg.scalar = U256::from_be_bytes(word);
        assert_eq!(cfg.ecotone_scalars(), Some((9, 7)));
        word[0] = 2;
        cfg.scalar = U256::from_be_bytes(word);
        assert_eq!(cfg.ecotone_scalars(), None);
        word[0] = 1;
        word[5] = 1;
        cfg.scalar = U256::from_be_bytes(word);
        assert_eq!(cfg.ecotone_scalars(), None);
        word[0] = 0;
        cfg.scalar = U256::from_be_bytes(word);
        assert_eq!(cfg.ecotone_scalars(), Some((u32::MAX, 0)));
    }
}
