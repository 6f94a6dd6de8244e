//! `devnet record`: writes a dataset for the safe range of a running devnet:
//!
//! | file | content |
//! |---|---|
//! | `rollup.json` | the genesis `RollupConfig` (op-node / kona-genesis JSON) |
//! | `l1-config.json` | the L1 chain config (kona `L1ChainConfig` JSON) |
//! | `claims.json` | the devnet's claims with `--data-dir preimages` added to each `host_args` |
//! | `preimages/` | op-program `directory` store, filled by [`PreimageCollector`]s |
//!
//! The preimages a fault proof program needs are exactly the ones it asks for, so they are collected by running
//! the program for each claim against an online host that records what it serves (a collector plugged in here;
//! see [`PreimageCollector`]). Until such a collector exists the store is left empty and `manifest.json` says so.

use crate::{claims::Claim, devnet::Endpoints, DevnetError, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Fills the dataset's preimage store for one claim, given the live devnet's endpoints.
pub trait PreimageCollector {
    /// Name for the manifest.
    fn name(&self) -> &str;
    /// Writes every preimage the program reads for `claim` into the directory store at `store`
    /// (`host_args` paths are relative to `dataset`). Returns how many preimages were written.
    fn collect(&mut self, endpoints: &Endpoints, dataset: &Path, claim: &Claim, store: &Path) -> Result<usize>;
}

/// `manifest.json` of a dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// First and last claimed L2 block.
    pub l2_range: Option<(u64, u64)>,
    /// Number of claims.
    pub claims: usize,
    /// Collectors that filled `preimages/`, with their counts.
    pub preimage_collectors: Vec<(String, usize)>,
    /// Whether `preimages/` holds what the claims need.
    pub preimages_complete: bool,
}

fn copy(from: &Path, to: &Path) -> Result<()> {
    std::fs::copy(from, to).map(|_| ()).map_err(|e| DevnetError::io(from, e))
}

/// Writes the dataset of `dir` (a running devnet) to `out` with the given collectors; returns the claim count.
pub fn record_with(dir: &Path, out: &Path, collectors: &mut [Box<dyn PreimageCollector>]) -> Result<usize> {
    let read = |name: &str| -> Result<Vec<u8>> {
        let p = dir.join(name);
        std::fs::read(&p).map_err(|e| DevnetError::io(&p, e))
    };
    let endpoints: Endpoints = serde_json::from_slice(&read("endpoints.json")?).map_err(|e| {
        DevnetError::Dir(format!("{}: endpoints.json: {e} (is `devnet up` running there?)", dir.display()))
    })?;
    let mut claims: Vec<Claim> =
        serde_json::from_slice(&read("claims.json")?).map_err(|e| DevnetError::Dir(format!("claims.json: {e}")))?;
    let store = out.join("preimages");
    std::fs::create_dir_all(&store).map_err(|e| DevnetError::io(&store, e))?;
    copy(&dir.join("rollup.json"), &out.join("rollup.json"))?;
    copy(&dir.join("l1-config.json"), &out.join("l1-config.json"))?;
    for c in &mut claims {
        c.host_args.extend(["--data-dir".to_string(), "preimages".to_string()]);
    }
    let mut counts = Vec::new();
    for col in collectors.iter_mut() {
        let mut n = 0;
        for c in &claims {
            n += col.collect(&endpoints, out, c, &store)?;
        }
        counts.push((col.name().to_string(), n));
    }
    crate::claims::write_claims(&out.join("claims.json"), &claims)?;
    let manifest = Manifest {
        l2_range: claims.first().zip(claims.last()).map(|(a, b)| (a.l2_block, b.l2_block)),
        claims: claims.len(),
        preimages_complete: !counts.is_empty(),
        preimage_collectors: counts,
    };
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| DevnetError::role("record", e.to_string()))?;
    let p = out.join("manifest.json");
    std::fs::write(&p, text).map_err(|e| DevnetError::io(&p, e))?;
    Ok(claims.len())
}

/// [`record_with`] without preimage collectors.
pub fn record(dir: &Path, out: &Path) -> Result<usize> {
    record_with(dir, out, &mut [])
}
