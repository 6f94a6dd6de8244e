//! In-memory L1 and L2 providers, a minimal traversal and attributes builder, and a batcher that posts a
//! generated L2 chain as batches in channels in frames in L1 calldata.

use alloy_consensus::{SignableTransaction, TxEip1559, TxEnvelope};
use alloy_eips::BlockNumHash;
use alloy_primitives::{Address, Bytes, Signature, TxKind, B256, U256};
use k256::ecdsa::SigningKey;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_derive::{
    stages::AttributesBuilder,
    traits::{ChainProvider, L1RetrievalProvider, L2ChainProvider},
    OriginAdvancer, OriginProvider, PipelineError, PipelineErrorKind, PipelineResult, Signal, SignalReceiver,
};
use rampart_genesis::{RollupConfig, SystemConfig};
use rampart_protocol::{BlockInfo, L2BlockInfo};
use std::collections::BTreeMap;

/// splitmix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(crate) fn b256(&mut self) -> B256 {
        B256::from_slice(&(0..32).map(|_| self.next() as u8).collect::<Vec<_>>())
    }
}

/// A provider failure: a missing block.
#[derive(Debug, Clone)]
pub(crate) struct Missing(pub(crate) &'static str);

impl core::fmt::Display for Missing {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "missing {}", self.0)
    }
}

/// What the L1 chain answers for a block number past its head: the provider's end-of-source signal.
pub(crate) const PAST_HEAD: Missing = Missing("L1 block past the head");

impl From<Missing> for PipelineErrorKind {
    fn from(m: Missing) -> Self {
        if m.0 == PAST_HEAD.0 {
            return PipelineError::EndOfSource.crit();
        }
        PipelineError::Provider(m.to_string()).temp()
    }
}

/// The L1 chain: blocks and their transactions.
#[derive(Debug, Clone, Default)]
pub(crate) struct L1Chain {
    pub(crate) blocks: Vec<BlockInfo>,
    pub(crate) txs: BTreeMap<B256, Vec<TxEnvelope>>,
    /// Headers by hash (their hashes are the blocks' hashes).
    pub(crate) headers: BTreeMap<B256, alloy_consensus::Header>,
    /// Receipts of the blocks that have any.
    pub(crate) receipts: BTreeMap<B256, Vec<alloy_consensus::Receipt>>,
}

impl ChainProvider for L1Chain {
    type Error = Missing;
    fn header_by_hash(&mut self, hash: B256) -> Result<alloy_consensus::Header, Missing> {
        self.headers.get(&hash).cloned().ok_or(Missing("header"))
    }
    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, Missing> {
        self.blocks.get(number as usize).copied().ok_or(PAST_HEAD)
    }
    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<alloy_consensus::Receipt>, Missing> {
        Ok(self.receipts.get(&hash).cloned().unwrap_or_default())
    }
    fn block_info_and_transactions_by_hash(&mut self, hash: B256) -> Result<(BlockInfo, Vec<TxEnvelope>), Missing> {
        let info = *self.blocks.iter().find(|b| b.hash == hash).ok_or(Missing("L1 block"))?;
        Ok((info, self.txs.get(&hash).cloned().unwrap_or_default()))
    }
}

/// The L2 chain as derived so far.
#[derive(Debug, Clone, Default)]
pub(crate) struct L2Chain {
    pub(crate) blocks: BTreeMap<u64, L2BlockInfo>,
}

impl L2ChainProvider for L2Chain {
    type Error = Missing;
    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo, Missing> {
        self.blocks.get(&number).copied().ok_or(Missing("L2 block"))
    }
    fn block_by_number(&mut self, _: u64) -> Result<op_alloy_consensus::OpBlock, Missing> {
        Err(Missing("L2 block body"))
    }
    fn system_config_by_number(&mut self, _: u64, cfg: &RollupConfig) -> Result<SystemConfig, Missing> {
        cfg.genesis.system_config.ok_or(Missing("system config"))
    }
}

/// A traversal over a fixed L1 chain, without system-config updates (the pipeline test uses the real
/// `L1Traversal`; this one stays for tests that want traversal out of the picture).
#[derive(Debug, Clone)]
pub(crate) struct Traversal {
    pub(crate) chain: Vec<BlockInfo>,
    pub(crate) idx: usize,
    pub(crate) handed_out: bool,
    pub(crate) batcher: Address,
}

impl L1RetrievalProvider for Traversal {
    fn next_l1_block(&mut self) -> PipelineResult<Option<BlockInfo>> {
        if self.handed_out {
            return Ok(None);
        }
        self.handed_out = true;
        Ok(Some(self.chain[self.idx]))
    }
    fn batcher_addr(&self) -> Address {
        self.batcher
    }
}

impl OriginProvider for Traversal {
    fn origin(&self) -> Option<BlockInfo> {
        self.chain.get(self.idx).copied()
    }
}

impl OriginAdvancer for Traversal {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        if self.idx + 1 >= self.chain.len() {
            return Err(PipelineError::EndOfSource.crit());
        }
        self.idx += 1;
        self.handed_out = false;
        Ok(())
    }
}

impl SignalReceiver for Traversal {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        if let Some(r) = signal.reset_payload() {
            self.idx = r.l1_origin.number as usize;
            self.handed_out = false;
        }
        Ok(())
    }
}

/// Attributes with the right timestamp, the epoch as prev_randao (hash) and gas limit (number), no deposits
/// (the pipeline test uses the real `StatefulAttributesBuilder`; this one stays for tests that compare only
/// the batches).
#[derive(Debug, Clone)]
pub(crate) struct TimestampBuilder(pub(crate) u64);

impl AttributesBuilder for TimestampBuilder {
    fn prepare_payload_attributes(
        &mut self,
        parent: L2BlockInfo,
        epoch: BlockNumHash,
    ) -> PipelineResult<OpPayloadAttributes> {
        let mut a = OpPayloadAttributes::default();
        a.payload_attributes.timestamp = parent.block_info.timestamp + self.0;
        // The epoch hash rides in prev_randao so the tests can check which epoch each block was derived in.
        a.payload_attributes.prev_randao = epoch.hash;
        a.gas_limit = Some(epoch.number);
        Ok(a)
    }
}

/// Signs batcher transactions.
pub(crate) struct Batcher {
    key: SigningKey,
    pub(crate) address: Address,
    nonce: u64,
}

impl Batcher {
    pub(crate) fn new() -> Self {
        let key = SigningKey::from_slice(&[0x42; 32]).unwrap();
        let address = Address::from_public_key(key.verifying_key());
        Self { key, address, nonce: 0 }
    }

    /// A signed type-2 transaction carrying `data` to `to`.
    pub(crate) fn tx(&mut self, to: Address, data: Vec<u8>, key: Option<&SigningKey>) -> TxEnvelope {
        let tx = TxEip1559 {
            chain_id: 900,
            nonce: self.nonce,
            gas_limit: 1_000_000,
            max_fee_per_gas: 10,
            max_priority_fee_per_gas: 1,
            to: TxKind::Call(to),
            value: U256::ZERO,
            access_list: Default::default(),
            input: Bytes::from(data),
        };
        self.nonce += 1;
        let (sig, recid) = key.unwrap_or(&self.key).sign_prehash_recoverable(tx.signature_hash().as_slice()).unwrap();
        let sig = Signature::from_signature_and_parity(sig, recid.is_y_odd());
        TxEnvelope::Eip1559(tx.into_signed(sig))
    }
}
