//! EIP-4844 blobs of the batcher: KZG commitments and proofs with Ethereum's trusted setup (`c-kzg`), the
//! sidecar of a blob transaction, and verification of a blob against its commitment.

use crate::{DevnetError, Result};
use alloy_eips::{
    eip4844::{kzg_to_versioned_hash, Bytes48},
    eip7594::BlobTransactionSidecarEip7594,
};
use alloy_primitives::{FixedBytes, B256};
use c_kzg::{ethereum_kzg_settings, Blob, KzgSettings};
use serde::{Deserialize, Serialize};

/// Ethereum's KZG trusted setup (mainnet ceremony), loaded once.
pub fn kzg() -> &'static KzgSettings {
    ethereum_kzg_settings(0)
}

/// One blob as posted and archived: its data, commitment and blob proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchivedBlob {
    /// Index of the blob in its L1 block (over all blob transactions of the block, in order).
    pub index: u64,
    /// The 131 072 bytes.
    pub blob: alloy_primitives::Bytes,
    /// KZG commitment.
    pub kzg_commitment: FixedBytes<48>,
    /// KZG blob proof.
    pub kzg_proof: FixedBytes<48>,
}

impl ArchivedBlob {
    /// The versioned hash (`0x01 ‖ sha256(commitment)[1..]`).
    pub fn versioned_hash(&self) -> B256 {
        kzg_to_versioned_hash(self.kzg_commitment.as_slice())
    }

    /// Whether the blob verifies against its commitment and proof.
    pub fn verify(&self) -> Result<bool> {
        let blob =
            Blob::from_bytes(&self.blob).map_err(|e| DevnetError::Check(format!("blob {}: {e:?}", self.index)))?;
        kzg()
            .verify_blob_kzg_proof(
                &blob,
                &c_kzg::Bytes48::new(self.kzg_commitment.0),
                &c_kzg::Bytes48::new(self.kzg_proof.0),
            )
            .map_err(|e| DevnetError::Check(format!("blob {}: {e:?}", self.index)))
    }
}

/// A blob transaction's sidecar in both forms: the EIP-7594 one geth's blob pool takes (cell proofs; geth
/// v1.17 accepts no other), and the blob proofs a beacon node serves in `blob_sidecars`.
#[derive(Debug, Clone)]
pub struct BlobSidecars {
    /// For `eth_sendRawTransaction`.
    pub network: BlobTransactionSidecarEip7594,
    /// One blob proof per blob (for the archive).
    pub blob_proofs: Vec<Bytes48>,
}

/// Commits to each blob and computes its cell proofs and its blob proof.
pub fn sidecar(blobs: &[Box<[u8; c_kzg::BYTES_PER_BLOB]>]) -> Result<BlobSidecars> {
    let err = |e: c_kzg::Error| DevnetError::role("batcher", format!("KZG: {e:?}"));
    let mut sc = BlobTransactionSidecarEip7594 { blobs: Vec::new(), commitments: Vec::new(), cell_proofs: Vec::new() };
    let mut blob_proofs = Vec::new();
    for data in blobs {
        let blob = Blob::new(**data);
        let commitment = kzg().blob_to_kzg_commitment(&blob).map_err(err)?;
        let proof = kzg().compute_blob_kzg_proof(&blob, &commitment.to_bytes()).map_err(err)?;
        let (_cells, cell_proofs) = kzg().compute_cells_and_kzg_proofs(&blob).map_err(err)?;
        sc.blobs.push(alloy_eips::eip4844::Blob::from(**data));
        sc.commitments.push(Bytes48::from(commitment.to_bytes().into_inner()));
        sc.cell_proofs.extend(cell_proofs.iter().map(|p| Bytes48::from(p.to_bytes().into_inner())));
        blob_proofs.push(Bytes48::from(proof.to_bytes().into_inner()));
    }
    Ok(BlobSidecars { network: sc, blob_proofs })
}
