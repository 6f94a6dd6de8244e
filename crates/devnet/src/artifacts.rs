//! Forge artifacts of `@eth-optimism/contracts-bedrock` 0.17.3 (installed by `scripts/install-nodes.sh`):
//! creation and runtime bytecode and storage layouts of the real OP contracts.

use crate::{DevnetError, Result};
use alloy_primitives::{Bytes, U256};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The `forge-artifacts/` directory of the npm package.
#[derive(Debug, Clone)]
pub struct Artifacts {
    dir: PathBuf,
}

/// One contract's artifact.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// Contract name.
    pub name: String,
    /// Creation bytecode (constructor arguments are appended to it).
    pub bytecode: Bytes,
    /// Runtime bytecode as compiled (immutables not filled in).
    pub deployed_bytecode: Bytes,
    /// Storage variables: `(label, slot, byte offset)`.
    pub storage: Vec<(String, U256, u8)>,
}

#[derive(Deserialize)]
struct RawArtifact {
    bytecode: RawCode,
    #[serde(rename = "deployedBytecode")]
    deployed_bytecode: RawCode,
    #[serde(rename = "storageLayout", default)]
    storage_layout: Option<RawLayout>,
}

#[derive(Deserialize)]
struct RawCode {
    object: String,
}

#[derive(Deserialize)]
struct RawLayout {
    storage: Vec<RawSlot>,
}

#[derive(Deserialize)]
struct RawSlot {
    label: String,
    slot: String,
    offset: u8,
}

impl Artifacts {
    /// Artifacts under `dir` (`.../contracts-bedrock/package/forge-artifacts`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Loads `<Name>.sol/<Name>.json`.
    pub fn load(&self, name: &str) -> Result<Artifact> {
        let path = self.dir.join(format!("{name}.sol")).join(format!("{name}.json"));
        let err = |reason: String| DevnetError::Artifact { name: name.to_string(), reason };
        let text = std::fs::read_to_string(&path).map_err(|e| err(format!("{}: {e}", path.display())))?;
        let raw: RawArtifact = serde_json::from_str(&text).map_err(|e| err(format!("{}: {e}", path.display())))?;
        let code = |s: &str, what: &str| -> Result<Bytes> {
            let s = s.strip_prefix("0x").unwrap_or(s);
            if s.contains("__$") {
                return Err(err(format!("{what} needs library linking")));
            }
            hex::decode(s).map(Bytes::from).map_err(|e| err(format!("{what}: {e}")))
        };
        let bytecode = code(&raw.bytecode.object, "bytecode")?;
        let deployed_bytecode = code(&raw.deployed_bytecode.object, "deployedBytecode")?;
        if bytecode.is_empty() {
            return Err(err("no creation bytecode (an interface or abstract contract)".into()));
        }
        let mut storage = Vec::new();
        for s in raw.storage_layout.map(|l| l.storage).unwrap_or_default() {
            let slot = s.slot.parse::<U256>().map_err(|e| err(format!("slot of {}: {e}", s.label)))?;
            storage.push((s.label, slot, s.offset));
        }
        Ok(Artifact { name: name.to_string(), bytecode, deployed_bytecode, storage })
    }
}

impl Artifact {
    /// Slot and byte offset of the storage variable `label`.
    pub fn slot(&self, label: &str) -> Result<(U256, u8)> {
        self.storage.iter().find(|(l, _, _)| l == label).map(|(_, s, o)| (*s, *o)).ok_or_else(|| {
            DevnetError::Artifact { name: self.name.clone(), reason: format!("no storage variable `{label}`") }
        })
    }

    /// Creation code followed by ABI-encoded constructor arguments.
    pub fn creation_code(&self, constructor_args: &[u8]) -> Bytes {
        let mut v = self.bytecode.to_vec();
        v.extend_from_slice(constructor_args);
        v.into()
    }
}
