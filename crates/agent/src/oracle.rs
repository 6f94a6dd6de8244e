//! The two preimage oracles of a dispute: the host side the VM reads while the program runs (local inputs plus
//! the dataset's store, in process), and the on-chain `PreimageOracle` as `MIPS64.step` reads it.

use std::collections::BTreeMap;
use std::sync::Arc;

use alloy_primitives::{Address, B256};
use rampart_game::PreimageData;
use rampart_primitives::{LocalInputs, KECCAK256_KEY_TYPE, LOCAL_KEY_TYPE};

/// What the VM's fd 5/6 reach while the program runs: the sub-game's local inputs under their raw keys and a
/// shared read-only store for every global key. Hints are accepted and ignored (the store is complete).
#[derive(Clone, Debug)]
pub struct ProgramOracle {
    local: BTreeMap<[u8; 32], Vec<u8>>,
    global: Arc<BTreeMap<[u8; 32], Vec<u8>>>,
}

impl ProgramOracle {
    /// An oracle serving `inputs` (keys 1..=7 as defined) and `global`.
    pub fn new(inputs: &LocalInputs, global: Arc<BTreeMap<[u8; 32], Vec<u8>>>) -> Self {
        let local = inputs.entries().into_iter().map(|(k, v)| (k.key(), v)).collect();
        Self { local, global }
    }
}

fn missing(what: &str, key: &[u8; 32]) -> String {
    format!("the store lacks {what} for key {}", B256::from(*key))
}

impl ProgramOracle {
    fn global(&self, key: &[u8; 32]) -> Option<&Vec<u8>> {
        self.global.get(key)
    }

    /// What the game's oracle must be given before a step that read `value` (with its 8-byte length prefix) at
    /// `offset` under the raw `key`: the loader and its arguments, each global one rebuilt from the store as the
    /// contract's loader takes it (a blob element's commitment, point and a KZG proof computed from the whole
    /// blob; a precompile's address, gas and input from the keccak256 preimage of its key).
    pub fn upload_for(&self, key: &[u8; 32], value: &[u8], offset: u64) -> Result<PreimageData, String> {
        let data = value.get(8..).unwrap_or_default();
        let mut as_keccak = *key;
        as_keccak[0] = KECCAK256_KEY_TYPE;
        Ok(match key[0] {
            LOCAL_KEY_TYPE => {
                PreimageData::Local { ident: u64::from_be_bytes(key[24..].try_into().expect("8 bytes")), offset }
            }
            KECCAK256_KEY_TYPE => PreimageData::Keccak { preimage: data.to_vec(), offset },
            SHA256_KEY_TYPE => PreimageData::Sha256 { preimage: data.to_vec(), offset },
            BLOB_KEY_TYPE => {
                let pre = self.global(&as_keccak).ok_or_else(|| missing("the blob point's commitment ‖ z", key))?;
                let (commitment, z): ([u8; 48], [u8; 32]) = match pre.len() {
                    80 => (pre[..48].try_into().expect("48"), pre[48..].try_into().expect("32")),
                    n => {
                        return Err(format!("the blob point preimage of key {} is {n} bytes, not 80", B256::from(*key)))
                    }
                };
                let mut blob = vec![0u8; c_kzg::BYTES_PER_BLOB];
                let mut point = [0u8; 80];
                point[..48].copy_from_slice(&commitment);
                for (i, w) in rampart_program::roots_of_unity().iter().enumerate() {
                    point[48..].copy_from_slice(&w.to_be_bytes::<32>());
                    let mut k = rampart_primitives::keccak256(&point);
                    k[0] = BLOB_KEY_TYPE;
                    let fe = self.global(&k).ok_or_else(|| missing(&format!("field element {i} of the blob"), key))?;
                    blob.get_mut(32 * i..32 * i + 32)
                        .filter(|_| fe.len() == 32)
                        .ok_or_else(|| missing("a 32-byte field element", &k))?
                        .copy_from_slice(fe);
                }
                let settings = c_kzg::ethereum_kzg_settings(0);
                let b = c_kzg::Blob::from_bytes(&blob).map_err(|e| format!("blob: {e:?}"))?;
                let (proof, y) =
                    settings.compute_kzg_proof(&b, &c_kzg::Bytes32::new(z)).map_err(|e| format!("KZG proof: {e:?}"))?;
                if y.as_slice() != data {
                    return Err(format!(
                        "the blob evaluates to {} at z, the store says {}",
                        B256::from_slice(y.as_slice()),
                        B256::from_slice(data)
                    ));
                }
                PreimageData::Blob {
                    z: B256::from(z),
                    y: B256::from_slice(data),
                    commitment,
                    proof: proof.to_bytes().into_inner(),
                    offset,
                }
            }
            PRECOMPILE_KEY_TYPE => {
                let pre = self
                    .global(&as_keccak)
                    .ok_or_else(|| missing("the precompile call (address ‖ gas ‖ input)", key))?;
                if pre.len() < 28 {
                    return Err(format!(
                        "the precompile call preimage of key {} is {} bytes",
                        B256::from(*key),
                        pre.len()
                    ));
                }
                PreimageData::Precompile {
                    precompile: Address::from_slice(&pre[..20]),
                    required_gas: u64::from_be_bytes(pre[20..28].try_into().expect("8")),
                    input: pre[28..].to_vec(),
                    offset,
                }
            }
            t => return Err(format!("the step reads a type-{t} key, which no oracle loader accepts")),
        })
    }
}

/// Key type of sha256 preimages.
const SHA256_KEY_TYPE: u8 = 4;
/// Key type of blob field elements.
const BLOB_KEY_TYPE: u8 = 5;
/// Key type of precompile results.
const PRECOMPILE_KEY_TYPE: u8 = 6;

impl rampart_vm::PreimageOracle for ProgramOracle {
    fn hint(&mut self, _hint: &[u8]) -> Result<(), String> {
        Ok(())
    }

    fn get_preimage(&mut self, key: [u8; 32]) -> Result<Vec<u8>, String> {
        let found = if key[0] == LOCAL_KEY_TYPE { self.local.get(&key) } else { self.global.get(&key) };
        found.cloned().ok_or_else(|| format!("no preimage for key {} (type {})", B256::from(key), key[0]))
    }
}

/// The game's `PreimageOracle` as `MIPS64.sol` calls `readPreimage(key, offset)`: the stored part and
/// `datLen = min(32, length + 8 − offset)`.
#[derive(Clone, Copy, Debug)]
pub struct OnChainOracle<'a>(pub &'a rampart_game::PreimageOracle);

impl rampart_verifier::PreimageOracle for OnChainOracle<'_> {
    fn read_preimage(&self, key: [u8; 32], offset: u64) -> Option<([u8; 32], u64)> {
        let (part, len) = self.0.read_preimage(B256::from(key), offset).ok()?;
        let end = u128::from(len) + 8;
        let dat_len = if u128::from(offset) + 32 >= end { end.saturating_sub(u128::from(offset)) as u64 } else { 32 };
        Some((part.0, dat_len))
    }
}
