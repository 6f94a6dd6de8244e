//! The oracle-backed L2 chain provider (fault-proof-program spec §2.6): headers by hash through `l2-block-header`
//! hints, by number by walking back from the highest block known (the agreed safe head at first, then each block
//! the driver derives), transactions through `l2-transactions` and the header's transaction trie, block references
//! and system configs from each block's L1-info deposit and header.

use crate::{
    errors::{ProgramError, Result},
    l1::{header_by_hash, read_ordered_list},
    oracle::{HintType, PreimageOracle},
};
use alloc::{collections::BTreeMap, format, rc::Rc, sync::Arc, vec::Vec};
use alloy_consensus::{BlockBody, Header};
use alloy_eips::{eip2718::Decodable2718, BlockNumHash};
use alloy_primitives::{Bytes, B256, U256};
use core::cell::RefCell;
use op_alloy_consensus::{OpBlock, OpTxEnvelope};
use rampart_derive::L2ChainProvider;
use rampart_genesis::{RollupConfig, SystemConfig};
use rampart_protocol::{BlockInfo, L1InfoFormat, L1InfoTx, L2BlockInfo};

/// At most this many headers are walked back in one by-number lookup (a hostile or broken chain cannot make the
/// walk unbounded; derivation never looks further back than a sequencing window).
pub const MAX_WALK_BACK: u64 = 1 << 20;

/// A preimage oracle shared by every provider of one run (single-threaded: the pipeline stages, the L2 provider
/// and the executor take turns).
#[derive(Debug)]
pub struct SharedOracle<O>(Rc<RefCell<O>>);

impl<O> Clone for SharedOracle<O> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<O> SharedOracle<O> {
    /// Shares `oracle`.
    pub fn new(oracle: O) -> Self {
        Self(Rc::new(RefCell::new(oracle)))
    }

    /// Runs `f` on the oracle.
    pub fn with<T>(&self, f: impl FnOnce(&mut O) -> T) -> T {
        f(&mut self.0.borrow_mut())
    }
}

impl<O: PreimageOracle> PreimageOracle for SharedOracle<O> {
    fn hint(&mut self, hint: &rampart_preimage::Hint) -> Result<()> {
        self.0.borrow_mut().hint(hint)
    }
    fn get(&mut self, key: rampart_preimage::PreimageKey) -> Result<Vec<u8>> {
        self.0.borrow_mut().get(key)
    }
}

/// An L2 block the provider knows: its header and hash, and its transactions once read or derived.
#[derive(Debug, Clone)]
struct KnownBlock {
    hash: B256,
    header: Header,
    txs: Option<Vec<Bytes>>,
}

#[derive(Debug)]
struct State {
    by_number: BTreeMap<u64, KnownBlock>,
}

/// L2 chain access through the oracle. Clones share their state (what one walked back, all see).
#[derive(Debug)]
pub struct OracleL2ChainProvider<O> {
    oracle: O,
    cfg: Arc<RollupConfig>,
    state: Rc<RefCell<State>>,
}

impl<O: Clone> Clone for OracleL2ChainProvider<O> {
    fn clone(&self) -> Self {
        Self { oracle: self.oracle.clone(), cfg: self.cfg.clone(), state: self.state.clone() }
    }
}

/// The block reference of an L2 block from its L1-info deposit (the genesis block's epoch is the genesis L1
/// block), checked against the header's number and hash.
pub fn l2_block_info(cfg: &RollupConfig, hash: B256, header: &Header, txs: &[Bytes]) -> Result<L2BlockInfo> {
    let info = BlockInfo::new(hash, header.number, header.parent_hash, header.timestamp);
    if header.number == cfg.genesis.l2.number {
        if hash != cfg.genesis.l2.hash {
            return Err(ProgramError::Decode {
                what: "L2 genesis block",
                hash,
                reason: format!("the rollup config's genesis is {}", cfg.genesis.l2.hash),
            });
        }
        return Ok(L2BlockInfo::new(info, cfg.genesis.l1, 0));
    }
    let l1 = l1_info(hash, txs)?;
    Ok(L2BlockInfo::new(
        info,
        BlockNumHash { number: l1.info.number, hash: l1.info.block_hash },
        l1.info.sequence_number,
    ))
}

/// The L1-info deposit of a block: its first transaction must be a deposit whose calldata decodes in one of the
/// four formats.
pub fn l1_info(hash: B256, txs: &[Bytes]) -> Result<L1InfoTx> {
    let first = txs.first().ok_or(ProgramError::Decode {
        what: "L2 block",
        hash,
        reason: "no transactions (the L1-info deposit is missing)".into(),
    })?;
    let tx = decode_tx(hash, first)?;
    let OpTxEnvelope::Deposit(deposit) = tx else {
        return Err(ProgramError::Decode {
            what: "L2 block",
            hash,
            reason: "first transaction is not a deposit".into(),
        });
    };
    L1InfoTx::decode_calldata(&deposit.inner().input).map_err(|e| ProgramError::Decode {
        what: "L1-info deposit",
        hash,
        reason: format!("{e}"),
    })
}

/// The system config in effect after an L2 block: from its L1-info deposit (batcher, fee scalars, operator fee,
/// DA footprint gas scalar), its gas limit, and its extra data (Holocene EIP-1559 parameters, Jovian minimum base
/// fee). The genesis block's is the rollup config's. Karst's one-time upgrade gas is left out of the gas limit
/// of its activation block ([`rampart_derive::system_config::upgrade_gas_to_strip`]).
pub fn system_config(cfg: &RollupConfig, hash: B256, header: &Header, txs: &[Bytes]) -> Result<SystemConfig> {
    if header.number == cfg.genesis.l2.number {
        return cfg.genesis.system_config.ok_or(ProgramError::Decode {
            what: "rollup config",
            hash,
            reason: "no genesis system config".into(),
        });
    }
    let l1 = l1_info(hash, txs)?;
    let post_bedrock = l1.format != L1InfoFormat::Bedrock;
    let l1 = l1.info;
    // Karst's activation block carries the one-time upgrade gas in its gas limit (unless the chain keeps it):
    // the system config read back from it leaves it out (op-node `PayloadToSystemConfig`).
    let strip = rampart_derive::system_config::upgrade_gas_to_strip(cfg, header.timestamp);
    let gas_limit = header.gas_limit.checked_sub(strip).ok_or_else(|| ProgramError::Decode {
        what: "L2 header",
        hash,
        reason: format!("gas limit {} below the Karst upgrade gas {strip}", header.gas_limit),
    })?;
    let mut sc = SystemConfig { batcher_address: l1.batcher_address, gas_limit, ..Default::default() };
    if post_bedrock {
        // Ecotone's first block still carries the Bedrock format (and so Bedrock's overhead and scalar).
        // The versioned scalar: 0x01 ‖ 0 (23 bytes) ‖ blob base fee scalar u32 BE ‖ base fee scalar u32 BE.
        let mut scalar = [0u8; 32];
        scalar[0] = 1;
        scalar[24..28].copy_from_slice(&l1.blob_base_fee_scalar.to_be_bytes());
        scalar[28..32].copy_from_slice(&l1.base_fee_scalar.to_be_bytes());
        // (op-node's PayloadToSystemConfig; the split scalar fields stay unset, as there.)
        sc.scalar = U256::from_be_bytes(scalar);
    } else {
        sc.overhead = U256::from_be_bytes(l1.l1_fee_overhead.0);
        sc.scalar = U256::from_be_bytes(l1.l1_fee_scalar.0);
    }
    if cfg.is_isthmus_active(header.timestamp) {
        sc.operator_fee_scalar = Some(l1.operator_fee_scalar);
        sc.operator_fee_constant = Some(l1.operator_fee_constant);
    }
    if cfg.is_jovian_active(header.timestamp) {
        sc.da_footprint_gas_scalar = Some(l1.da_footprint_gas_scalar);
    }
    let extra = header.extra_data.as_ref();
    if cfg.is_holocene_active(header.timestamp) {
        // Holocene: version 0 ‖ denominator u32 ‖ elasticity u32; Jovian: version 1 ‖ the same ‖ min base fee u64.
        let jovian = cfg.is_jovian_active(header.timestamp);
        let (version, len) = if jovian { (1, 17) } else { (0, 9) };
        if extra.len() != len || extra[0] != version {
            return Err(ProgramError::Decode {
                what: "L2 header extra data",
                hash,
                reason: format!(
                    "expected version {version} EIP-1559 extra data of {len} bytes, got {} bytes",
                    extra.len()
                ),
            });
        }
        let word = |at: usize| u32::from_be_bytes(extra[at..at + 4].try_into().expect("4 bytes"));
        sc.eip1559_denominator = Some(word(1));
        sc.eip1559_elasticity = Some(word(5));
        if jovian {
            sc.min_base_fee = Some(u64::from_be_bytes(extra[9..17].try_into().expect("8 bytes")));
        }
    }
    Ok(sc)
}

fn decode_tx(hash: B256, raw: &[u8]) -> Result<OpTxEnvelope> {
    let mut buf = raw;
    let tx = OpTxEnvelope::decode_2718(&mut buf).map_err(|e| ProgramError::Decode {
        what: "L2 transaction",
        hash,
        reason: format!("{e}"),
    })?;
    if !buf.is_empty() {
        return Err(ProgramError::Decode { what: "L2 transaction", hash, reason: "trailing bytes".into() });
    }
    Ok(tx)
}

impl<O: PreimageOracle> OracleL2ChainProvider<O> {
    /// A provider whose chain ends at the agreed safe head `safe_head` (hash `safe_head_hash`).
    pub fn new(oracle: O, cfg: Arc<RollupConfig>, safe_head_hash: B256, safe_head: Header) -> Self {
        let mut by_number = BTreeMap::new();
        by_number.insert(safe_head.number, KnownBlock { hash: safe_head_hash, header: safe_head, txs: None });
        Self { oracle, cfg, state: Rc::new(RefCell::new(State { by_number })) }
    }

    /// The oracle.
    pub fn oracle(&self) -> &O {
        &self.oracle
    }

    /// The rollup config.
    pub fn rollup_config(&self) -> &RollupConfig {
        &self.cfg
    }

    /// Records a block the driver derived and executed: it becomes the new tip for by-number lookups (blocks
    /// above it, from an abandoned branch, are forgotten).
    pub fn insert_derived(&mut self, hash: B256, header: Header, txs: Vec<Bytes>) {
        let mut st = self.state.borrow_mut();
        let number = header.number;
        let _ = st.by_number.split_off(&number);
        st.by_number.insert(number, KnownBlock { hash, header, txs: Some(txs) });
    }

    /// The header and hash of the L2 block `number`, walking back by parent hash from the lowest known block.
    pub fn header_by_number(&mut self, number: u64) -> Result<(B256, Header)> {
        let (mut cur_hash, mut cur) = {
            let st = self.state.borrow();
            if let Some(b) = st.by_number.get(&number) {
                return Ok((b.hash, b.header.clone()));
            }
            let (tip, _) = st.by_number.last_key_value().expect("the safe head is always known");
            if number > *tip {
                return Err(ProgramError::L2BlockNotFound { number, tip: *tip });
            }
            let (_, low) = st.by_number.first_key_value().expect("non-empty");
            (low.hash, low.header.clone())
        };
        if cur.number - number > MAX_WALK_BACK {
            return Err(ProgramError::L2BlockNotFound { number, tip: cur.number });
        }
        while cur.number > number {
            let parent_hash = cur.parent_hash;
            let parent = header_by_hash(&mut self.oracle, HintType::L2BlockHeader, parent_hash)?;
            if parent.number.checked_add(1) != Some(cur.number) {
                return Err(ProgramError::BrokenChain { hash: parent_hash });
            }
            self.state
                .borrow_mut()
                .by_number
                .insert(parent.number, KnownBlock { hash: parent_hash, header: parent.clone(), txs: None });
            cur_hash = parent_hash;
            cur = parent;
        }
        Ok((cur_hash, cur))
    }

    /// The raw (EIP-2718) transactions of L2 block `number`: derived ones from memory, others through the
    /// `l2-transactions` hint and the header's transaction trie.
    pub fn transactions_by_number(&mut self, number: u64) -> Result<(B256, Header, Vec<Bytes>)> {
        let (hash, header) = self.header_by_number(number)?;
        if let Some(txs) = self.state.borrow().by_number.get(&number).and_then(|b| b.txs.clone()) {
            return Ok((hash, header, txs));
        }
        self.oracle.hint(&HintType::L2Transactions.with(hash.as_slice()))?;
        let txs = read_ordered_list(&mut self.oracle, header.transactions_root)?;
        if let Some(b) = self.state.borrow_mut().by_number.get_mut(&number) {
            b.txs = Some(txs.clone());
        }
        Ok((hash, header, txs))
    }
}

impl<O: PreimageOracle> L2ChainProvider for OracleL2ChainProvider<O> {
    type Error = ProgramError;

    fn l2_block_info_by_number(&mut self, number: u64) -> Result<L2BlockInfo> {
        let (hash, header, txs) = self.transactions_by_number(number)?;
        l2_block_info(&self.cfg, hash, &header, &txs)
    }

    fn block_by_number(&mut self, number: u64) -> Result<OpBlock> {
        let (hash, header, txs) = self.transactions_by_number(number)?;
        let transactions = txs.iter().map(|t| decode_tx(hash, t)).collect::<Result<Vec<_>>>()?;
        Ok(OpBlock { header, body: BlockBody { transactions, ommers: Vec::new(), withdrawals: None } })
    }

    fn system_config_by_number(&mut self, number: u64, cfg: &RollupConfig) -> Result<SystemConfig> {
        let (hash, header, txs) = self.transactions_by_number(number)?;
        system_config(cfg, hash, &header, &txs)
    }
}
