//! Alt-DA configuration (`alt_da`).

use alloc::string::String;
use alloy_primitives::Address;
use serde::{Deserialize, Serialize};

/// The alt-DA section of a rollup config (kona's key names; op-node's `da_challenge_contract_address`
/// is accepted as an alias).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AltDaConfig {
    /// DA challenge contract.
    #[serde(default, alias = "da_challenge_contract_address")]
    pub da_challenge_address: Option<Address>,
    /// Challenge window in L1 blocks.
    #[serde(default)]
    pub da_challenge_window: Option<u64>,
    /// Resolve window in L1 blocks.
    #[serde(default)]
    pub da_resolve_window: Option<u64>,
    /// Commitment type (`KeccakCommitment` or `GenericCommitment`).
    #[serde(default)]
    pub da_commitment_type: Option<String>,
    /// Maximum input size for keccak commitments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub da_max_input_size: Option<u64>,
}
