//! `ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data)` logs of the L1 SystemConfig
//! contract (op-node `system_config.go`, specs `system-config.md`).

use alloy_primitives::{b256, Address, LogData, B256, B64};

use crate::errors::ConfigUpdateError;

/// `keccak256("ConfigUpdate(uint256,uint8,bytes)")`.
pub const CONFIG_UPDATE_TOPIC: B256 = b256!("1d2b0bda21d56b8bd12d4f94ebacffdfb35f5e226f84b461103bb8beab6353be");
/// The only `ConfigUpdate` event version.
pub const CONFIG_UPDATE_VERSION_0: B256 = B256::ZERO;

/// One decoded `ConfigUpdate` log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SystemConfigUpdate {
    /// Type 0: the batcher address (version-0 batcher hash).
    Batcher(Address),
    /// Type 1: overhead and scalar (from Ecotone the scalar is versioned and the overhead unused).
    FeeScalars {
        /// The L1 fee overhead word.
        overhead: B256,
        /// The L1 fee scalar word.
        scalar: B256,
    },
    /// Type 2: the L2 gas limit.
    GasLimit(u64),
    /// Type 3: the unsafe block signer; ignored by derivation (its data is not even parsed).
    UnsafeBlockSigner,
    /// Type 4 (Holocene): EIP-1559 denominator and elasticity, packed as in the block extra data.
    Eip1559Params(B64),
    /// Type 5 (Isthmus): the operator fee word (scalar u32 at bytes 20..24, constant u64 at 24..32).
    OperatorFeeParams(B256),
    /// Type 6 (Jovian): the minimum base fee.
    MinBaseFee(u64),
    /// Type 7 (Jovian): the DA footprint gas scalar.
    DaFootprintGasScalar(u16),
}

/// Reads `data` as ABI `bytes` holding exactly one word of payload (pointer 32, length `len`).
fn payload(data: &[u8], len: u64) -> Result<&[u8], ConfigUpdateError> {
    let word_u64 =
        |w: &[u8]| (w[..24].iter().all(|b| *b == 0)).then(|| u64::from_be_bytes(w[24..32].try_into().expect("8")));
    if data.len() < 32 || word_u64(&data[..32]) != Some(32) {
        return Err(ConfigUpdateError::Pointer);
    }
    if data.len() < 64 || word_u64(&data[32..64]) != Some(len) {
        return Err(ConfigUpdateError::Length);
    }
    let want = 64 + len as usize;
    if data.len() < want {
        return Err(ConfigUpdateError::Truncated);
    }
    if data.len() > want {
        return Err(ConfigUpdateError::TooManyBytes);
    }
    Ok(&data[64..])
}

fn padded<'a>(w: &'a [u8], keep: usize, what: &'static str) -> Result<&'a [u8], ConfigUpdateError> {
    if w[..32 - keep].iter().any(|b| *b != 0) {
        return Err(ConfigUpdateError::Padding(what));
    }
    Ok(&w[32 - keep..])
}

impl SystemConfigUpdate {
    /// Decodes a `ConfigUpdate` log (op-node `ProcessSystemConfigUpdateLogEvent`'s parsing half): 3 topics, the
    /// event topic, version 0, a known update type, and data that is exactly the ABI `bytes` of the type's
    /// payload with zero padding in number and address words. An EIP-1559 update with exactly one of
    /// denominator and elasticity zero is invalid.
    pub fn decode(log: &LogData) -> Result<Self, ConfigUpdateError> {
        let topics = log.topics();
        if topics.len() != 3 {
            return Err(ConfigUpdateError::TopicCount(topics.len()));
        }
        if topics[0] != CONFIG_UPDATE_TOPIC {
            return Err(ConfigUpdateError::WrongEvent(topics[0]));
        }
        if topics[1] != CONFIG_UPDATE_VERSION_0 {
            return Err(ConfigUpdateError::Version(topics[1]));
        }
        let ty = topics[2];
        let kind = if ty[..31].iter().all(|b| *b == 0) { ty[31] } else { u8::MAX };
        let data = log.data.as_ref();
        let u64_of = |w: &[u8], what| padded(w, 8, what).map(|b| u64::from_be_bytes(b.try_into().expect("8")));
        Ok(match kind {
            0 => Self::Batcher(Address::from_slice(padded(payload(data, 32)?, 20, "batcher address")?)),
            1 => {
                let p = payload(data, 64)?;
                Self::FeeScalars { overhead: B256::from_slice(&p[..32]), scalar: B256::from_slice(&p[32..]) }
            }
            2 => Self::GasLimit(u64_of(payload(data, 32)?, "gas limit")?),
            3 => Self::UnsafeBlockSigner,
            4 => {
                let p = payload(data, 32)?;
                let params = B64::from_slice(&p[24..]);
                let d = u32::from_be_bytes(p[24..28].try_into().expect("4"));
                let e = u32::from_be_bytes(p[28..32].try_into().expect("4"));
                if (d == 0) != (e == 0) {
                    return Err(ConfigUpdateError::Eip1559Params { denominator: d, elasticity: e });
                }
                Self::Eip1559Params(params)
            }
            5 => Self::OperatorFeeParams(B256::from_slice(payload(data, 32)?)),
            6 => Self::MinBaseFee(u64_of(payload(data, 32)?, "min base fee")?),
            7 => {
                let b = padded(payload(data, 32)?, 2, "DA footprint gas scalar")?;
                Self::DaFootprintGasScalar(u16::from_be_bytes([b[0], b[1]]))
            }
            _ => return Err(ConfigUpdateError::UnknownType(ty)),
        })
    }
}

/// Whether an Ecotone-format scalar word is one a fee-scalars update may set from Ecotone on (op-node
/// `CheckEcotoneL1SystemConfigScalar`): version 0 with bytes 1..28 zero, or version 1 with bytes 1..24 zero.
/// Updates with another scalar are ignored (the old scalar is kept).
pub fn is_valid_ecotone_scalar(scalar: &B256) -> bool {
    match scalar[0] {
        0 => scalar[1..28].iter().all(|b| *b == 0),
        1 => scalar[1..24].iter().all(|b| *b == 0),
        _ => false,
    }
}
