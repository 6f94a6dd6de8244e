//! The sequencer: builds each L2 block on op-geth through the Engine API — `engine_forkchoiceUpdatedV3` with
//! OP payload attributes (L1-info deposit, the epoch's user deposits, network-upgrade transactions, the
//! sequencer's user transactions), then `engine_getPayloadV{3,4,5}` and `engine_newPayloadV{3,4}` by fork —
//! choosing the L1 origin under the sequencer-drift rule.

use crate::{
    chain::{BlockRef, ChainParams},
    l1::L1Client,
    rpc::RpcClient,
    txgen::TxGen,
    DevnetError, Result,
};
use alloy_consensus::{Header, Receipt, ReceiptEnvelope, TxEnvelope};
use alloy_eips::{eip2718::Decodable2718, BlockNumHash};
use alloy_primitives::{Bytes, B256};
use alloy_rlp::Decodable;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_derive::{
    stages::AttributesBuilder, system_config::apply_receipts, ChainProvider, L2ChainProvider, PipelineError,
    PipelineErrorKind, StatefulAttributesBuilder,
};
use rampart_genesis::{Hardfork, L1ChainConfig, RollupConfig, SystemConfig};
use rampart_protocol::{BlockInfo, L2BlockInfo};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::{collections::BTreeMap, sync::Arc};

/// One L2 block the sequencer built.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct L2Block {
    /// Number, hash and timestamp.
    pub block: BlockRef,
    /// Parent hash.
    pub parent_hash: B256,
    /// State root (from op-geth's payload).
    pub state_root: B256,
    /// L1 origin.
    pub l1_origin: BlockRef,
    /// Sequence number in the epoch.
    pub seq_number: u64,
    /// Every transaction of the block (EIP-2718), deposits first.
    pub transactions: Vec<Bytes>,
    /// The payload attributes the block was built from.
    pub attributes: OpPayloadAttributes,
}

impl L2Block {
    /// The block's non-deposit transactions (what a batch carries).
    pub fn batch_transactions(&self) -> Vec<Bytes> {
        self.transactions.iter().filter(|t| t.first() != Some(&0x7e)).cloned().collect()
    }
}

/// What the sequencer needs of an L1 block: its consensus header and receipts (from `debug_getRawHeader` /
/// `debug_getRawReceipts`, decoded with alloy types), the same data derivation reads back from L1.
#[derive(Debug, Clone)]
pub struct L1Origin {
    /// Number, hash, timestamp.
    pub block: BlockRef,
    /// The header.
    pub header: Header,
    /// The receipts, in order.
    pub receipts: Vec<Receipt>,
}

/// The L1 chain as the attributes builder sees it: the epoch blocks the sequencer fetched.
#[derive(Debug, Default)]
struct OriginChain(BTreeMap<B256, L1Origin>);

impl ChainProvider for OriginChain {
    type Error = PipelineErrorKind;
    fn header_by_hash(&mut self, hash: B256) -> core::result::Result<Header, Self::Error> {
        self.0.get(&hash).map(|o| o.header.clone()).ok_or_else(|| missing("header", hash))
    }
    fn block_info_by_number(&mut self, number: u64) -> core::result::Result<BlockInfo, Self::Error> {
        Err(PipelineError::Provider(format!("sequencer: no L1 block by number ({number})")).crit())
    }
    fn receipts_by_hash(&mut self, hash: B256) -> core::result::Result<Vec<Receipt>, Self::Error> {
        self.0.get(&hash).map(|o| o.receipts.clone()).ok_or_else(|| missing("receipts", hash))
    }
    fn block_info_and_transactions_by_hash(
        &mut self,
        hash: B256,
    ) -> core::result::Result<(BlockInfo, Vec<TxEnvelope>), Self::Error> {
        Err(missing("transactions", hash))
    }
}

fn missing(what: &str, hash: B256) -> PipelineErrorKind {
    PipelineError::Provider(format!("sequencer: no L1 {what} for {hash}")).crit()
}

/// The L2 chain as the attributes builder sees it: the system config after the sequencer's head.
#[derive(Debug)]
struct HeadSystemConfig {
    number: u64,
    sys: SystemConfig,
}

impl L2ChainProvider for HeadSystemConfig {
    type Error = PipelineErrorKind;
    fn l2_block_info_by_number(&mut self, number: u64) -> core::result::Result<L2BlockInfo, Self::Error> {
        Err(PipelineError::Provider(format!("sequencer: no L2 block info ({number})")).crit())
    }
    fn block_by_number(&mut self, number: u64) -> core::result::Result<op_alloy_consensus::OpBlock, Self::Error> {
        Err(PipelineError::Provider(format!("sequencer: no L2 block ({number})")).crit())
    }
    fn system_config_by_number(
        &mut self,
        number: u64,
        _: &RollupConfig,
    ) -> core::result::Result<SystemConfig, Self::Error> {
        if number != self.number {
            return Err(PipelineError::Provider(format!(
                "sequencer: system config after {number} asked, the head is {}",
                self.number
            ))
            .crit());
        }
        Ok(self.sys)
    }
}

/// The sequencer's state.
#[derive(Debug)]
pub struct Sequencer {
    engine: RpcClient,
    l1: std::sync::Arc<L1Client>,
    params: std::sync::Arc<ChainParams>,
    cfg: Arc<RollupConfig>,
    l1_config: Arc<L1ChainConfig>,
    head: L2Block,
    origins: BTreeMap<u64, L1Origin>,
    /// The system config after the head (genesis config plus the epochs' `ConfigUpdate`s).
    sys: SystemConfig,
    txgen: TxGen,
    /// Max user transactions per block.
    pub max_txs: usize,
}

/// Engine API fork-choice state.
fn fcs(head: B256, safe: B256, finalized: B256) -> Value {
    json!({"headBlockHash": head, "safeBlockHash": safe, "finalizedBlockHash": finalized})
}

impl Sequencer {
    /// A sequencer whose unsafe head is `genesis` (the L2 genesis block, origin `params.genesis_l1`), for the
    /// rollup config `params.rollup_json()` and the L1 chain config `l1_config` (`l1-config.json`).
    pub fn new(
        engine: RpcClient,
        l1: Arc<L1Client>,
        params: Arc<ChainParams>,
        l1_config: &Value,
        genesis: L2Block,
        seed: u64,
    ) -> Result<Self> {
        let rollup = serde_json::to_vec(&params.rollup_json()).map_err(|e| DevnetError::Genesis(e.to_string()))?;
        let cfg = RollupConfig::from_json(&rollup).map_err(|e| DevnetError::Genesis(format!("rollup config: {e}")))?;
        let l1_config = serde_json::to_vec(l1_config).map_err(|e| DevnetError::Genesis(e.to_string()))?;
        let l1_config =
            L1ChainConfig::from_json(&l1_config).map_err(|e| DevnetError::Genesis(format!("L1 config: {e}")))?;
        let sys = cfg.genesis.system_config.unwrap_or_default();
        let txgen = TxGen::new(seed, params.l2_chain_id)?;
        Ok(Self {
            engine,
            l1,
            params,
            cfg: Arc::new(cfg),
            l1_config: Arc::new(l1_config),
            head: genesis,
            origins: BTreeMap::new(),
            sys,
            txgen,
            max_txs: 6,
        })
    }

    /// The unsafe head.
    pub const fn head(&self) -> &L2Block {
        &self.head
    }

    /// How many user transactions of each kind were sequenced.
    pub fn tx_counts(&self) -> &BTreeMap<crate::txgen::TxKindTag, u64> {
        &self.txgen.counts
    }

    async fn origin(&mut self, number: u64) -> Result<Option<L1Origin>> {
        if let Some(o) = self.origins.get(&number) {
            return Ok(Some(o.clone()));
        }
        let Some(b) = self.l1.block(number).await? else { return Ok(None) };
        let hash = b.header.hash;
        let raw = self.l1.raw_header(hash).await?;
        let header = Header::decode(&mut raw.as_ref())
            .map_err(|e| DevnetError::role("sequencer", format!("L1 header {number}: {e}")))?;
        if header.hash_slow() != hash {
            return Err(DevnetError::role("sequencer", format!("L1 header {number} does not hash to {hash}")));
        }
        let receipts = self
            .l1
            .raw_receipts(hash)
            .await?
            .iter()
            .map(|r| {
                ReceiptEnvelope::decode_2718(&mut r.as_ref())
                    .map(ReceiptEnvelope::into_receipt)
                    .map_err(|e| DevnetError::role("sequencer", format!("L1 receipt in block {number}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let origin = L1Origin { block: BlockRef { number, hash, timestamp: header.timestamp }, header, receipts };
        self.origins.insert(number, origin.clone());
        Ok(Some(origin))
    }

    /// The L1 origin of the block at `ts`: the parent's origin, or the next L1 block once its time has come;
    /// `None` when the drift rule forbids both (wait for L1).
    async fn select_origin(&mut self, ts: u64) -> Result<Option<L1Origin>> {
        let current = self.head.l1_origin;
        if let Some(next) = self.origin(current.number + 1).await? {
            if next.block.timestamp <= ts {
                return Ok(Some(next));
            }
        }
        if ts > current.timestamp + crate::chain::FJORD_MAX_SEQUENCER_DRIFT {
            return Ok(None);
        }
        self.origin(current.number).await
    }

    /// Builds the next block on top of the head; `Ok(None)` if it has to wait for L1.
    pub async fn build_next(&mut self, safe: B256, finalized: B256) -> Result<Option<L2Block>> {
        let p = self.params.clone();
        let ts = self.head.block.timestamp + p.block_time;
        let Some(origin) = self.select_origin(ts).await? else { return Ok(None) };
        let new_epoch = origin.block.number != self.head.l1_origin.number;
        let seq_number = if new_epoch { 0 } else { self.head.seq_number + 1 };
        // The payload attributes exactly as derivation builds them (L1-info format per fork, the epoch's user
        // deposits, upgrade transactions at activations, gas limit, EIP-1559 params, min base fee).
        let parent = L2BlockInfo::new(
            BlockInfo::new(
                self.head.block.hash,
                self.head.block.number,
                self.head.parent_hash,
                self.head.block.timestamp,
            ),
            BlockNumHash { number: self.head.l1_origin.number, hash: self.head.l1_origin.hash },
            self.head.seq_number,
        );
        let mut chain = OriginChain::default();
        chain.0.insert(origin.block.hash, origin.clone());
        let mut builder = StatefulAttributesBuilder::new(
            self.cfg.clone(),
            HeadSystemConfig { number: self.head.block.number, sys: self.sys },
            chain,
        )
        .with_l1_config(self.l1_config.clone());
        let mut attrs = builder
            .prepare_payload_attributes(parent, BlockNumHash { number: origin.block.number, hash: origin.block.hash })
            .map_err(|e| DevnetError::role("sequencer", format!("payload attributes for {ts}: {e}")))?;
        if attrs.payload_attributes.timestamp != ts {
            return Err(DevnetError::role("sequencer", format!("attributes for {ts} have another timestamp")));
        }
        let cfg = &self.cfg;
        let activation =
            [Hardfork::Isthmus, Hardfork::Jovian, Hardfork::Karst].iter().any(|f| cfg.is_activation_block(*f, ts));
        let mut txs = attrs.transactions.take().unwrap_or_default();
        if !activation {
            txs.extend(
                self.txgen
                    .next_block(cfg.is_isthmus_active(ts), cfg.is_karst_active(ts), self.max_txs)
                    .into_iter()
                    .map(|t| t.raw),
            );
        }
        attrs.transactions = Some(txs.clone());
        let mut sys_after = self.sys;
        if new_epoch {
            apply_receipts(&mut sys_after, &origin.receipts, cfg, origin.header.timestamp).map_err(|e| {
                DevnetError::role("sequencer", format!("config updates of L1 block {}: {e}", origin.block.number))
            })?;
        }

        let head_hash = self.head.block.hash;
        let fcu: Value = self
            .engine
            .call_as("engine_forkchoiceUpdatedV3", json!([fcs(head_hash, safe, finalized), attrs]), head_hash)
            .await?;
        let status = fcu["payloadStatus"]["status"].as_str().unwrap_or_default();
        let Some(id) = fcu["payloadId"].as_str().filter(|_| status == "VALID") else {
            return Err(DevnetError::role("sequencer", format!("forkchoiceUpdated with attributes for {ts}: {fcu}")));
        };
        let get = if ChainParams::active(p.forks.karst, ts) {
            "engine_getPayloadV5"
        } else if ChainParams::active(p.forks.isthmus, ts) {
            "engine_getPayloadV4"
        } else {
            "engine_getPayloadV3"
        };
        let envelope: Value = self.engine.call_as(get, json!([id]), id).await?;
        let payload = envelope["executionPayload"].clone();
        let beacon_root = envelope
            .get("parentBeaconBlockRoot")
            .cloned()
            .unwrap_or(json!(origin.header.parent_beacon_block_root.unwrap_or_default()));
        let new_payload = if ChainParams::active(p.forks.isthmus, ts) {
            let requests = envelope.get("executionRequests").cloned().unwrap_or(json!([]));
            self.engine.call_as::<Value>("engine_newPayloadV4", json!([payload, [], beacon_root, requests]), ts).await?
        } else {
            self.engine.call_as::<Value>("engine_newPayloadV3", json!([payload, [], beacon_root]), ts).await?
        };
        if new_payload["status"] != "VALID" {
            return Err(DevnetError::role("sequencer", format!("newPayload for {ts}: {new_payload}")));
        }
        let field = |name: &str| -> Result<B256> {
            serde_json::from_value(payload[name].clone())
                .map_err(|e| DevnetError::role("sequencer", format!("payload field {name}: {e}")))
        };
        let hash = field("blockHash")?;
        let fcu: Value =
            self.engine.call_as("engine_forkchoiceUpdatedV3", json!([fcs(hash, safe, finalized), null]), hash).await?;
        if fcu["payloadStatus"]["status"] != "VALID" {
            return Err(DevnetError::role("sequencer", format!("forkchoiceUpdated to {hash}: {fcu}")));
        }
        let transactions: Vec<Bytes> = serde_json::from_value(payload["transactions"].clone())
            .map_err(|e| DevnetError::role("sequencer", format!("payload transactions: {e}")))?;
        let block = L2Block {
            block: BlockRef { number: self.head.block.number + 1, hash, timestamp: ts },
            parent_hash: head_hash,
            state_root: field("stateRoot")?,
            l1_origin: origin.block,
            seq_number,
            transactions,
            attributes: attrs,
        };
        self.head = block.clone();
        self.sys = sys_after;
        // Keep only the origins the next blocks can still use.
        let keep = self.head.l1_origin.number;
        self.origins.retain(|n, _| *n >= keep);
        Ok(Some(block))
    }

    /// Moves the safe and finalized heads (no new block).
    pub async fn update_forkchoice(&self, safe: B256, finalized: B256) -> Result<()> {
        let fcu: Value = self
            .engine
            .call_as("engine_forkchoiceUpdatedV3", json!([fcs(self.head.block.hash, safe, finalized), null]), safe)
            .await?;
        if fcu["payloadStatus"]["status"] != "VALID" {
            return Err(DevnetError::role("sequencer", format!("forkchoiceUpdated (safe {safe}): {fcu}")));
        }
        Ok(())
    }
}
