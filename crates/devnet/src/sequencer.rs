//! The sequencer: builds each L2 block on op-geth through the Engine API — `engine_forkchoiceUpdatedV3` with
//! OP payload attributes (L1-info deposit, the epoch's user deposits, network-upgrade transactions, the
//! sequencer's user transactions), then `engine_getPayloadV{3,4,5}` and `engine_newPayloadV{3,4}` by fork —
//! choosing the L1 origin under the sequencer-drift rule.

use crate::{
    chain::{BlockRef, ChainParams, SEQUENCER_FEE_VAULT},
    l1::{config_update_topic, transaction_deposited_topic, L1Client},
    pending,
    rpc::RpcClient,
    txgen::TxGen,
    DevnetError, Result,
};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Sealable, B256, B64};
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::BTreeMap;

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

/// What the sequencer needs of an L1 block.
#[derive(Debug, Clone)]
pub struct L1Origin {
    /// Number, hash, timestamp.
    pub block: BlockRef,
    /// Base fee.
    pub base_fee: u64,
    /// Blob base fee (from the excess blob gas, Prague schedule).
    pub blob_base_fee: u128,
    /// `mixHash` (prev randao).
    pub mix_hash: B256,
    /// Parent beacon block root.
    pub parent_beacon_root: B256,
    /// User deposits from the portal's `TransactionDeposited` logs.
    pub deposits: Vec<TxDeposit>,
    /// `ConfigUpdate` logs of the SystemConfig: `(update type, data)`.
    pub config_updates: Vec<(u64, Bytes)>,
}

/// The system config values the sequencer tracks (batcher, fee scalars, gas limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SysConfig {
    /// Batcher.
    pub batcher: Address,
    /// Ecotone base fee scalar.
    pub base_fee_scalar: u32,
    /// Ecotone blob base fee scalar.
    pub blob_base_fee_scalar: u32,
    /// Gas limit.
    pub gas_limit: u64,
}

impl SysConfig {
    fn apply(&mut self, update_type: u64, data: &[u8]) {
        // data is abi.encode(bytes): offset, length, payload.
        let payload = data.get(64..).unwrap_or_default();
        match update_type {
            0 if payload.len() >= 32 => self.batcher = Address::from_slice(&payload[12..32]),
            1 if payload.len() >= 64 => {
                let scalar = &payload[32..64];
                if scalar[0] == 1 {
                    self.blob_base_fee_scalar = u32::from_be_bytes(scalar[24..28].try_into().expect("4 bytes"));
                    self.base_fee_scalar = u32::from_be_bytes(scalar[28..32].try_into().expect("4 bytes"));
                }
            }
            2 if payload.len() >= 32 => {
                self.gas_limit = u64::from_be_bytes(payload[24..32].try_into().expect("8 bytes"))
            }
            _ => {}
        }
    }
}

/// The sequencer's state.
#[derive(Debug)]
pub struct Sequencer {
    engine: RpcClient,
    l1: std::sync::Arc<L1Client>,
    params: std::sync::Arc<ChainParams>,
    head: L2Block,
    origins: BTreeMap<u64, L1Origin>,
    sys: SysConfig,
    txgen: TxGen,
    /// Max user transactions per block.
    pub max_txs: usize,
}

/// Engine API fork-choice state.
fn fcs(head: B256, safe: B256, finalized: B256) -> Value {
    json!({"headBlockHash": head, "safeBlockHash": safe, "finalizedBlockHash": finalized})
}

impl Sequencer {
    /// A sequencer whose unsafe head is `genesis` (the L2 genesis block, origin `params.genesis_l1`).
    pub fn new(
        engine: RpcClient,
        l1: std::sync::Arc<L1Client>,
        params: std::sync::Arc<ChainParams>,
        genesis: L2Block,
        seed: u64,
    ) -> Result<Self> {
        let sys = SysConfig {
            batcher: params.batcher,
            base_fee_scalar: params.base_fee_scalar,
            blob_base_fee_scalar: params.blob_base_fee_scalar,
            gas_limit: params.gas_limit,
        };
        let txgen = TxGen::new(seed, params.l2_chain_id)?;
        Ok(Self { engine, l1, params, head: genesis, origins: BTreeMap::new(), sys, txgen, max_txs: 6 })
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
        let h = &b.header;
        let block = BlockRef { number, hash: h.hash, timestamp: h.timestamp };
        let receipts = self.l1.receipts(h.hash).await?;
        let mut deposits = Vec::new();
        let mut config_updates = Vec::new();
        for r in &receipts {
            if !r.status() {
                continue;
            }
            for log in r.inner.logs() {
                let topics = log.topics();
                if log.address() == self.params.deposit_contract
                    && topics.first() == Some(&transaction_deposited_topic())
                {
                    let index = log.log_index.ok_or_else(|| DevnetError::role("sequencer", "L1 log without index"))?;
                    let d = pending::user_deposit(h.hash, index, topics, &log.data().data).ok_or_else(|| {
                        DevnetError::role("sequencer", format!("malformed deposit log in L1 block {number}"))
                    })?;
                    deposits.push(d);
                }
                if log.address() == self.params.system_config
                    && topics.first() == Some(&config_update_topic())
                    && topics.len() == 3
                {
                    let t: u64 = alloy_primitives::U256::from_be_bytes(topics[2].0).saturating_to();
                    config_updates.push((t, log.data().data.clone()));
                }
            }
        }
        let origin = L1Origin {
            block,
            base_fee: h.base_fee_per_gas.unwrap_or_default(),
            blob_base_fee: pending::blob_base_fee_prague(h.excess_blob_gas.unwrap_or_default()),
            mix_hash: h.mix_hash,
            parent_beacon_root: h.parent_beacon_block_root.unwrap_or_default(),
            deposits,
            config_updates,
        };
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
        if new_epoch {
            for (t, data) in &origin.config_updates {
                self.sys.apply(*t, data);
            }
        }
        let info = pending::L1InfoEcotone {
            number: origin.block.number,
            timestamp: origin.block.timestamp,
            base_fee: origin.base_fee,
            blob_base_fee: origin.blob_base_fee,
            hash: origin.block.hash,
            sequence_number: seq_number,
            batcher: self.sys.batcher,
            base_fee_scalar: self.sys.base_fee_scalar,
            blob_base_fee_scalar: self.sys.blob_base_fee_scalar,
        };
        let mut txs: Vec<Bytes> =
            vec![OpTxEnvelope::Deposit(pending::l1_info_deposit(&info).seal_slow()).encoded_2718().into()];
        if new_epoch {
            txs.extend(
                origin
                    .deposits
                    .iter()
                    .map(|d| Bytes::from(OpTxEnvelope::Deposit(d.clone().seal_slow()).encoded_2718())),
            );
        }
        let activation = [p.forks.isthmus, p.forks.jovian, p.forks.karst].iter().any(|f| p.activation_block(*f, ts));
        if !activation {
            let isthmus = ChainParams::active(p.forks.isthmus, ts);
            txs.extend(self.txgen.next_block(isthmus, self.max_txs).into_iter().map(|t| t.raw));
        }
        let mut attrs = OpPayloadAttributes::default();
        attrs.payload_attributes.timestamp = ts;
        attrs.payload_attributes.prev_randao = origin.mix_hash;
        attrs.payload_attributes.suggested_fee_recipient = SEQUENCER_FEE_VAULT;
        attrs.payload_attributes.withdrawals = Some(Vec::new());
        attrs.payload_attributes.parent_beacon_block_root = Some(origin.parent_beacon_root);
        attrs.transactions = Some(txs.clone());
        attrs.no_tx_pool = Some(true);
        attrs.gas_limit = Some(self.sys.gas_limit);
        attrs.eip_1559_params = Some(B64::ZERO);
        if ChainParams::active(p.forks.jovian, ts) {
            attrs.min_base_fee = Some(0);
        }

        let head_hash = self.head.block.hash;
        let fcu: Value =
            self.engine.call("engine_forkchoiceUpdatedV3", json!([fcs(head_hash, safe, finalized), attrs])).await?;
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
        let envelope: Value = self.engine.call(get, json!([id])).await?;
        let payload = envelope["executionPayload"].clone();
        let beacon_root = envelope.get("parentBeaconBlockRoot").cloned().unwrap_or(json!(origin.parent_beacon_root));
        let new_payload = if ChainParams::active(p.forks.isthmus, ts) {
            let requests = envelope.get("executionRequests").cloned().unwrap_or(json!([]));
            self.engine.call::<Value>("engine_newPayloadV4", json!([payload, [], beacon_root, requests])).await?
        } else {
            self.engine.call::<Value>("engine_newPayloadV3", json!([payload, [], beacon_root])).await?
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
            self.engine.call("engine_forkchoiceUpdatedV3", json!([fcs(hash, safe, finalized), null])).await?;
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
        // Keep only the origins the next blocks can still use.
        let keep = self.head.l1_origin.number;
        self.origins.retain(|n, _| *n >= keep);
        Ok(Some(block))
    }

    /// Moves the safe and finalized heads (no new block).
    pub async fn update_forkchoice(&self, safe: B256, finalized: B256) -> Result<()> {
        let fcu: Value = self
            .engine
            .call("engine_forkchoiceUpdatedV3", json!([fcs(self.head.block.hash, safe, finalized), null]))
            .await?;
        if fcu["payloadStatus"]["status"] != "VALID" {
            return Err(DevnetError::role("sequencer", format!("forkchoiceUpdated (safe {safe}): {fcu}")));
        }
        Ok(())
    }
}
