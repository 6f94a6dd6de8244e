//! Data availability sources: batcher data of an L1 block from calldata (before Ecotone) or from calldata and
//! blobs (Ecotone and later), filtered by the batch inbox and the system config's batcher address.

use crate::{
    errors::{PipelineError, PipelineErrorKind},
    traits::{BlobProvider, ChainProvider, DataAvailabilityProvider, IndexedBlobHash},
    PipelineResult,
};
use alloc::{collections::VecDeque, format, sync::Arc, vec::Vec};
use alloy_consensus::{transaction::SignerRecoverable, Transaction, TxEnvelope};
use alloy_primitives::{Address, Bytes};
use rampart_genesis::RollupConfig;
use rampart_protocol::{decode_blob, BlockInfo};

/// Whether `tx` is batcher data: sent to `inbox` and signed by `batcher` (op-node `isValidBatchTx`).
fn is_batcher_tx(tx: &TxEnvelope, inbox: Address, batcher: Address) -> bool {
    tx.to() == Some(inbox) && tx.recover_signer().is_ok_and(|s| s == batcher)
}

/// Calldata of batcher transactions (before Ecotone). Only legacy, 2930 and 1559 transactions count, as in kona.
#[derive(Debug, Clone)]
pub struct CalldataSource<C> {
    chain: C,
    inbox: Address,
    open: bool,
    data: VecDeque<Bytes>,
}

impl<C: ChainProvider> CalldataSource<C> {
    /// A source reading `chain` for the rollup's batch inbox.
    pub const fn new(chain: C, inbox: Address) -> Self {
        Self { chain, inbox, open: false, data: VecDeque::new() }
    }

    fn load(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<()> {
        if self.open {
            return Ok(());
        }
        let (_, txs) = self.chain.block_info_and_transactions_by_hash(block.hash).map_err(Into::into)?;
        self.data = txs
            .iter()
            .filter(|tx| matches!(tx, TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_)))
            .filter(|tx| is_batcher_tx(tx, self.inbox, batcher))
            .map(|tx| tx.input().clone())
            .collect();
        self.open = true;
        Ok(())
    }
}

impl<C: ChainProvider> DataAvailabilityProvider for CalldataSource<C> {
    fn next(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<Bytes> {
        self.load(block, batcher)?;
        self.data.pop_front().ok_or(PipelineError::Eof.temp())
    }

    fn clear(&mut self) {
        self.data.clear();
        self.open = false;
    }
}

/// One item of a block's batcher data: calldata of a non-blob batcher tx, or the index of a blob.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BlobOrCalldata {
    Calldata(Bytes),
    Blob(usize),
}

/// Batcher data from Ecotone on: calldata of non-blob batcher txs and the decoded blobs of blob batcher txs,
/// in transaction order. Blobs are checked against their versioned hash; one that fails to decode is skipped.
#[derive(Debug, Clone)]
pub struct BlobSource<C, B> {
    chain: C,
    blobs: B,
    inbox: Address,
    open: bool,
    data: VecDeque<Bytes>,
}

impl<C: ChainProvider, B: BlobProvider> BlobSource<C, B> {
    /// A source reading `chain` and `blobs` for the rollup's batch inbox.
    pub const fn new(chain: C, blobs: B, inbox: Address) -> Self {
        Self { chain, blobs, inbox, open: false, data: VecDeque::new() }
    }

    fn load(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<()> {
        if self.open {
            return Ok(());
        }
        let (_, txs) = self.chain.block_info_and_transactions_by_hash(block.hash).map_err(Into::into)?;
        let mut items = Vec::new();
        let mut hashes = Vec::new();
        // Blob indices count every blob of the block, the batcher's or not.
        let mut index = 0u64;
        for tx in &txs {
            let blob_hashes = tx.blob_versioned_hashes().unwrap_or_default();
            let valid = matches!(
                tx,
                TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) | TxEnvelope::Eip4844(_)
            ) && is_batcher_tx(tx, self.inbox, batcher);
            if !valid {
                index += blob_hashes.len() as u64;
                continue;
            }
            if !matches!(tx, TxEnvelope::Eip4844(_)) {
                items.push(BlobOrCalldata::Calldata(tx.input().clone()));
                continue;
            }
            // A blob transaction's calldata is ignored.
            for hash in blob_hashes {
                items.push(BlobOrCalldata::Blob(hashes.len()));
                hashes.push(IndexedBlobHash { index, hash: *hash });
                index += 1;
            }
        }
        let blobs = if hashes.is_empty() {
            Vec::new()
        } else {
            self.blobs.get_and_validate_blobs(block, &hashes).map_err(Into::into)?
        };
        if blobs.len() != hashes.len() {
            return Err(PipelineErrorKind::Temporary(PipelineError::Blob(format!(
                "expected {} blobs, got {}",
                hashes.len(),
                blobs.len()
            ))));
        }
        for (blob, h) in blobs.iter().zip(&hashes) {
            check_versioned_hash(blob.as_slice(), h)?;
        }
        self.data = items
            .into_iter()
            .filter_map(|item| match item {
                BlobOrCalldata::Calldata(d) => Some(d),
                // op-node skips a blob whose encoding is invalid and reads the rest.
                BlobOrCalldata::Blob(i) => decode_blob(blobs[i].as_slice()).ok().map(Bytes::from),
            })
            .collect();
        self.open = true;
        Ok(())
    }
}

/// Checks a blob against its versioned hash: natively (feature `kzg`) through its KZG commitment; without it
/// (in the guest) the blob provider is trusted to have matched commitment and hash, as kona's oracle provider does.
fn check_versioned_hash(blob: &[u8], hash: &IndexedBlobHash) -> PipelineResult<()> {
    #[cfg(feature = "kzg")]
    {
        use alloy_eips::eip4844::kzg_to_versioned_hash;
        let settings = c_kzg::ethereum_kzg_settings(0);
        let blob = c_kzg::Blob::from_bytes(blob).map_err(|e| PipelineError::Blob(format!("{e}")).crit())?;
        let commitment =
            settings.blob_to_kzg_commitment(&blob).map_err(|e| PipelineError::Blob(format!("{e}")).crit())?;
        if kzg_to_versioned_hash(commitment.to_bytes().as_ref()) != hash.hash {
            return Err(PipelineError::Blob(format!("blob {} does not match its versioned hash", hash.index)).crit());
        }
    }
    #[cfg(not(feature = "kzg"))]
    let _ = (blob, hash);
    Ok(())
}

impl<C: ChainProvider, B: BlobProvider> DataAvailabilityProvider for BlobSource<C, B> {
    fn next(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<Bytes> {
        self.load(block, batcher)?;
        self.data.pop_front().ok_or(PipelineError::Eof.temp())
    }

    fn clear(&mut self) {
        self.data.clear();
        self.open = false;
    }
}

/// The L1 data source: calldata before Ecotone, blobs and calldata after (by the L1 block's timestamp).
#[derive(Debug, Clone)]
pub struct EthereumDataSource<C, B> {
    cfg: Arc<RollupConfig>,
    calldata: CalldataSource<C>,
    blobs: BlobSource<C, B>,
}

impl<C: ChainProvider + Clone, B: BlobProvider> EthereumDataSource<C, B> {
    /// The source for `cfg`'s inbox over `chain` and `blobs`.
    pub fn new(chain: C, blobs: B, cfg: Arc<RollupConfig>) -> Self {
        Self {
            cfg: cfg.clone(),
            calldata: CalldataSource::new(chain.clone(), cfg.batch_inbox_address),
            blobs: BlobSource::new(chain, blobs, cfg.batch_inbox_address),
        }
    }
}

impl<C: ChainProvider, B: BlobProvider> DataAvailabilityProvider for EthereumDataSource<C, B> {
    fn next(&mut self, block: &BlockInfo, batcher: Address) -> PipelineResult<Bytes> {
        if self.cfg.is_ecotone_active(block.timestamp) {
            self.blobs.next(block, batcher)
        } else {
            self.calldata.next(block, batcher)
        }
    }

    fn clear(&mut self) {
        self.calldata.clear();
        self.blobs.clear();
    }
}
