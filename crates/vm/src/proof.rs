//! Proof JSON as written by `run --proof-at` (and read by op-challenger), and the `witness` command's JSON.

use crate::vm::StepWitness;
use serde::{Deserialize, Serialize};

/// Hex-with-0x serde helpers for byte strings.
pub mod hex0x {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serializes bytes as `0x…` lowercase hex.
    pub fn serialize<S: Serializer, T: AsRef<[u8]>>(v: T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(v.as_ref())))
    }

    /// Parses `0x…` hex into bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let h = s.strip_prefix("0x").ok_or_else(|| serde::de::Error::custom("hex string without 0x prefix"))?;
        hex::decode(h).map_err(serde::de::Error::custom)
    }
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

fn is_empty(v: &[u8]) -> bool {
    v.is_empty()
}

/// One step proof, field for field as Cannon writes it (`oracle-*` omitted when empty / zero).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofJson {
    /// Step counter before the proven step.
    pub step: u64,
    /// Pre-state hash.
    #[serde(with = "hex0x")]
    pub pre: Vec<u8>,
    /// Post-state hash.
    #[serde(with = "hex0x")]
    pub post: Vec<u8>,
    /// 188-byte pre-state witness.
    #[serde(rename = "state-data", with = "hex0x")]
    pub state_data: Vec<u8>,
    /// Thread witness and memory proofs.
    #[serde(rename = "proof-data", with = "hex0x")]
    pub proof_data: Vec<u8>,
    /// Preimage key read by the step, if any.
    #[serde(rename = "oracle-key", with = "hex0x", default, skip_serializing_if = "is_empty")]
    pub oracle_key: Vec<u8>,
    /// Preimage value with its 8-byte length prefix.
    #[serde(rename = "oracle-value", with = "hex0x", default, skip_serializing_if = "is_empty")]
    pub oracle_value: Vec<u8>,
    /// Offset of the read.
    #[serde(rename = "oracle-offset", default, skip_serializing_if = "is_zero")]
    pub oracle_offset: u64,
}

impl ProofJson {
    /// Builds the proof of step `step` from its witness and the post-state hash.
    pub fn new(step: u64, witness: &StepWitness, post: [u8; 32]) -> Self {
        let (oracle_key, oracle_value, oracle_offset) = match &witness.preimage {
            Some((k, v, o)) if *k != [0u8; 32] => (k.to_vec(), v.clone(), *o),
            _ => (Vec::new(), Vec::new(), 0),
        };
        Self {
            step,
            pre: witness.state_hash.to_vec(),
            post: post.to_vec(),
            state_data: witness.state.to_vec(),
            proof_data: witness.proof_data.clone(),
            oracle_key,
            oracle_value,
            oracle_offset,
        }
    }

    /// Pretty JSON with 2-space indent and a trailing newline, as Cannon's jsonutil writes.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("serializable");
        s.push('\n');
        s
    }
}

/// Output of `witness`: the state witness, its hash and a few fields op-challenger reads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WitnessJson {
    /// State version (8).
    #[serde(rename = "stateVersion")]
    pub state_version: u8,
    /// State hash.
    #[serde(rename = "witnessHash", with = "hex0x")]
    pub witness_hash: Vec<u8>,
    /// 188-byte witness.
    #[serde(with = "hex0x")]
    pub witness: Vec<u8>,
    /// Step counter.
    pub step: u64,
    /// Whether the VM exited.
    pub exited: bool,
    /// Exit code.
    #[serde(rename = "exitCode")]
    pub exit_code: u8,
}
