//! The attributes builder: everything of an L2 block's payload attributes that does not come from its batch
//! (derivation spec "Building Individual Payload Attributes"; op-node `PreparePayloadAttributes`).
//!
//! For the block after `parent` in epoch `epoch`:
//! * the system config in effect after `parent` (from the L2 chain);
//! * a new epoch (`epoch.number != parent.l1_origin.number`) must be the L1 block whose parent is the
//!   parent's origin (a reset otherwise); its receipts give the user deposits (`TransactionDeposited` logs
//!   of the portal) and the `ConfigUpdate`s applied to the system config; the sequence number restarts at 0;
//! * the same epoch must be the parent's origin by hash (a reset otherwise); no deposits, the sequence
//!   number goes up by one;
//! * the next timestamp must not be before the L1 origin's (a reset: the time invariant is broken);
//! * transactions: the L1-info deposit in the format of the block's time (an activation block keeps the
//!   previous format, see [`L1InfoFormat::select`]), the user deposits, then the upgrade transactions of every
//!   fork whose activation block this is (Ecotone, Fjord, Isthmus, Jovian, Karst, in that order; Granite and
//!   Holocene have none);
//! * prev randao = the L1 origin's mix hash, fee recipient = the sequencer fee vault, gas limit = the system
//!   config's (plus Karst's upgrade gas in Karst's activation block), withdrawals empty from Canyon, parent
//!   beacon block root from Ecotone (the L1 header's, zero if it has none), EIP-1559 params from Holocene
//!   (zero in its activation block), min base fee from Jovian.
//!
//! Error kinds (as op-node and kona classify them): provider failures are the provider's; epoch mismatches
//! and the broken time invariant are resets; undecodable deposits or config updates and an L1-info deposit
//! that cannot be built (an invalid fee scalar) are critical. The sequencer drift is not checked here: the
//! batch stages enforce it before a batch reaches the builder.
//!
//! The L1-info blob base fee: with an [`L1ChainConfig`] ([`StatefulAttributesBuilder::with_l1_config`]) the
//! blob schedule active at the L1 origin's time (Cancun, Prague, Osaka, BPO forks); without one, Prague when
//! the L1 header has a requests hash and Cancun otherwise (kona-protocol 0.4.5). Either way the rollup's
//! `pectra_blob_schedule_time` keeps Cancun's parameters for L1 origins before it, and a header without
//! excess blob gas gives 1.

use crate::{
    errors::{PipelineError, ResetError},
    stages::AttributesBuilder,
    system_config::apply_receipts,
    traits::{ChainProvider, L2ChainProvider},
    PipelineResult,
};
use alloc::{format, string::String, sync::Arc, vec::Vec};
use alloy_consensus::Header;
use alloy_eips::{eip2718::Encodable2718, BlockNumHash};
use alloy_primitives::{Bytes, B256, U256};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_genesis::{BlobScheduleEntry, Hardfork, L1ChainConfig, RollupConfig, SystemConfig};
use rampart_protocol::{
    encoded_upgrade_transactions, predeploys::SEQUENCER_FEE_VAULT, upgrade_gas, user_deposits, L1BlockInfo,
    L1InfoFormat, L2BlockInfo, UpgradeFork,
};

/// The forks with upgrade transactions, in the order an activation block carries them.
const UPGRADES: [(Hardfork, UpgradeFork); 5] = [
    (Hardfork::Ecotone, UpgradeFork::Ecotone),
    (Hardfork::Fjord, UpgradeFork::Fjord),
    (Hardfork::Isthmus, UpgradeFork::Isthmus),
    (Hardfork::Jovian, UpgradeFork::Jovian),
    (Hardfork::Karst, UpgradeFork::Karst),
];

/// Builds payload attributes from the L1 chain (epoch headers and receipts) and the L2 chain (system config
/// after the parent).
#[derive(Debug, Clone)]
pub struct StatefulAttributesBuilder<L1, L2> {
    cfg: Arc<RollupConfig>,
    l1_config: Option<Arc<L1ChainConfig>>,
    l2: L2,
    l1: L1,
}

impl<L1: ChainProvider, L2: L2ChainProvider> StatefulAttributesBuilder<L1, L2> {
    /// A builder for the rollup `cfg` over the L2 chain `l2` and the L1 chain `l1`, without an L1 chain
    /// config (blob base fee by the header's fields, see the module docs).
    pub const fn new(cfg: Arc<RollupConfig>, l2: L2, l1: L1) -> Self {
        Self { cfg, l1_config: None, l2, l1 }
    }

    /// Uses the L1 chain config's blob schedule for the L1-info blob base fee.
    pub fn with_l1_config(mut self, l1_config: Arc<L1ChainConfig>) -> Self {
        self.l1_config = Some(l1_config);
        self
    }

    /// The L2 chain provider.
    pub const fn l2(&self) -> &L2 {
        &self.l2
    }

    /// The L2 chain provider, mutably (a driver moves its cursor).
    pub fn l2_mut(&mut self) -> &mut L2 {
        &mut self.l2
    }

    /// The L1 chain provider, mutably.
    pub fn l1_mut(&mut self) -> &mut L1 {
        &mut self.l1
    }

    /// The blob base fee the L1-info deposit carries for L1 header `h` (see the module docs).
    pub fn blob_base_fee(&self, h: &Header) -> u128 {
        let Some(excess) = h.excess_blob_gas else { return 1 };
        if self.cfg.hardforks.pectra_blob_schedule_time.is_some_and(|t| h.timestamp < t) {
            return BlobScheduleEntry::CANCUN.blob_base_fee(excess);
        }
        let params = match &self.l1_config {
            Some(c) => c.blob_params_at(h.timestamp).map(|(_, p)| p),
            None => None,
        };
        let params = params.unwrap_or(if h.requests_hash.is_some() && self.l1_config.is_none() {
            BlobScheduleEntry::PRAGUE
        } else {
            BlobScheduleEntry::CANCUN
        });
        params.blob_base_fee(excess)
    }

    /// The L1-info deposit of the block at `time` with L1 origin `h`, as EIP-2718 bytes.
    fn l1_info_deposit(&self, sys: &SystemConfig, h: &Header, seq: u64, time: u64) -> PipelineResult<Bytes> {
        let cfg = &self.cfg;
        let fork = |f: Hardfork| (cfg.is_fork_active(f, time), cfg.is_activation_block(f, time));
        let format = L1InfoFormat::select(fork(Hardfork::Ecotone), fork(Hardfork::Isthmus), fork(Hardfork::Jovian));
        let mut info = L1BlockInfo {
            number: h.number,
            time: h.timestamp,
            base_fee: U256::from(h.base_fee_per_gas.unwrap_or_default()),
            block_hash: h.hash_slow(),
            sequence_number: seq,
            batcher_address: sys.batcher_address,
            ..Default::default()
        };
        if format == L1InfoFormat::Bedrock {
            info.l1_fee_overhead = B256::from(sys.overhead.to_be_bytes::<32>());
            info.l1_fee_scalar = B256::from(sys.scalar.to_be_bytes::<32>());
        } else {
            let (base, blob) = sys.ecotone_scalars().ok_or_else(|| {
                PipelineError::AttributesBuilder(format!("invalid Ecotone fee scalar {:#x}", sys.scalar)).crit()
            })?;
            info.base_fee_scalar = base;
            info.blob_base_fee_scalar = blob;
            info.blob_base_fee = U256::from(self.blob_base_fee(h));
            info.operator_fee_scalar = sys.operator_fee_scalar.unwrap_or_default();
            info.operator_fee_constant = sys.operator_fee_constant.unwrap_or_default();
            info.da_footprint_gas_scalar = sys.effective_da_footprint_gas_scalar();
        }
        Ok(info.deposit(format, cfg.is_regolith_active(time)).encoded_2718().into())
    }
}

fn num_hash(h: &Header) -> BlockNumHash {
    BlockNumHash { number: h.number, hash: h.hash_slow() }
}

impl<L1: ChainProvider, L2: L2ChainProvider> AttributesBuilder for StatefulAttributesBuilder<L1, L2> {
    fn prepare_payload_attributes(
        &mut self,
        parent: L2BlockInfo,
        epoch: BlockNumHash,
    ) -> PipelineResult<OpPayloadAttributes> {
        let cfg = self.cfg.clone();
        let mut sys = self.l2.system_config_by_number(parent.block_info.number, &cfg).map_err(Into::into)?;
        let (header, deposits, seq) = if parent.l1_origin.number != epoch.number {
            let header = self.l1.header_by_hash(epoch.hash).map_err(Into::into)?;
            if header.parent_hash != parent.l1_origin.hash {
                return Err(ResetError::EpochNotNext {
                    epoch,
                    l1_origin: parent.l1_origin,
                    parent_hash: header.parent_hash,
                }
                .reset());
            }
            let receipts = self.l1.receipts_by_hash(epoch.hash).map_err(Into::into)?;
            let deposits = user_deposits(&receipts, cfg.deposit_contract_address, epoch.hash)
                .map_err(|e| PipelineError::Deposits(format!("L1 block {}: {e}", epoch.number)).crit())?;
            apply_receipts(&mut sys, &receipts, &cfg, header.timestamp)
                .map_err(|e| PipelineError::SystemConfigUpdate(format!("L1 block {}: {e}", epoch.number)).crit())?;
            (header, deposits, 0)
        } else {
            if parent.l1_origin.hash != epoch.hash {
                return Err(ResetError::EpochMismatch { epoch, l1_origin: parent.l1_origin }.reset());
            }
            let header = self.l1.header_by_hash(epoch.hash).map_err(Into::into)?;
            let seq =
                parent.seq_num.checked_add(1).ok_or(PipelineError::Invariant("sequence number overflow").crit())?;
            (header, Vec::new(), seq)
        };

        let time = parent
            .block_info
            .timestamp
            .checked_add(cfg.block_time)
            .ok_or(PipelineError::Invariant("L2 timestamp overflow").crit())?;
        if time < header.timestamp {
            return Err(ResetError::BrokenTimeInvariant {
                l1_origin: parent.l1_origin,
                next_l2_time: time,
                l1_block: num_hash(&header),
                l1_time: header.timestamp,
            }
            .reset());
        }
        if cfg.is_interop_active(time) {
            return Err(PipelineError::AttributesBuilder(String::from(
                "interop (Lagoon) blocks are not supported: no interop upgrade or deposits-complete transactions",
            ))
            .crit());
        }

        let mut txs = Vec::with_capacity(1 + deposits.len());
        txs.push(self.l1_info_deposit(&sys, &header, seq, time)?);
        txs.extend(deposits.iter().map(|d| Bytes::from(d.encoded_2718())));
        let mut gas_limit = sys.gas_limit;
        for (fork, upgrade) in UPGRADES {
            if cfg.is_activation_block(fork, time) {
                txs.extend(encoded_upgrade_transactions(upgrade));
                gas_limit = gas_limit
                    .checked_add(upgrade_gas(upgrade))
                    .ok_or(PipelineError::AttributesBuilder(String::from("gas limit overflow")).crit())?;
            }
        }

        let mut attrs = OpPayloadAttributes {
            transactions: Some(txs),
            no_tx_pool: Some(true),
            gas_limit: Some(gas_limit),
            eip_1559_params: sys.eip1559_params(&cfg, parent.block_info.timestamp, time),
            min_base_fee: cfg.is_jovian_active(time).then(|| sys.min_base_fee.unwrap_or_default()),
            ..Default::default()
        };
        let p = &mut attrs.payload_attributes;
        p.timestamp = time;
        p.prev_randao = header.mix_hash;
        p.suggested_fee_recipient = SEQUENCER_FEE_VAULT;
        p.withdrawals = cfg.is_canyon_active(time).then(Vec::new);
        p.parent_beacon_block_root =
            cfg.is_ecotone_active(time).then(|| header.parent_beacon_block_root.unwrap_or_default());
        Ok(attrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::PipelineErrorKind;
    use alloc::{collections::BTreeMap, string::ToString, vec};
    use alloy_consensus::{Receipt, TxEnvelope};
    use alloy_primitives::Address;
    use rampart_genesis::{BlobFork, BlobScheduleEntry};
    use rampart_protocol::{BlockInfo, L1InfoTx};

    #[derive(Debug, Clone, Default)]
    struct L1 {
        headers: BTreeMap<B256, Header>,
    }

    impl ChainProvider for L1 {
        type Error = PipelineErrorKind;
        fn header_by_hash(&mut self, hash: B256) -> Result<Header, Self::Error> {
            self.headers.get(&hash).cloned().ok_or(PipelineError::Provider("missing".to_string()).temp())
        }
        fn block_info_by_number(&mut self, _: u64) -> Result<BlockInfo, Self::Error> {
            Err(PipelineError::EndOfSource.crit())
        }
        fn receipts_by_hash(&mut self, _: B256) -> Result<Vec<Receipt>, Self::Error> {
            Ok(Vec::new())
        }
        fn block_info_and_transactions_by_hash(
            &mut self,
            _: B256,
        ) -> Result<(BlockInfo, Vec<TxEnvelope>), Self::Error> {
            Err(PipelineError::EndOfSource.crit())
        }
    }

    #[derive(Debug, Clone)]
    struct L2(SystemConfig);

    impl L2ChainProvider for L2 {
        type Error = PipelineErrorKind;
        fn l2_block_info_by_number(&mut self, _: u64) -> Result<L2BlockInfo, Self::Error> {
            Err(PipelineError::EndOfSource.crit())
        }
        fn block_by_number(&mut self, _: u64) -> Result<op_alloy_consensus::OpBlock, Self::Error> {
            Err(PipelineError::EndOfSource.crit())
        }
        fn system_config_by_number(&mut self, _: u64, _: &RollupConfig) -> Result<SystemConfig, Self::Error> {
            Ok(self.0)
        }
    }

    const T: u64 = 1_000_000;

    /// An origin A (at `T - 10`) and its child B (at `T`), the parent L2 block at `T` on A, and a builder whose
    /// forks all activate at genesis except those set by `forks`.
    fn setup(
        forks: impl FnOnce(&mut HardForkConfig),
        sys: SystemConfig,
    ) -> (StatefulAttributesBuilder<L1, L2>, L2BlockInfo, Header, Header) {
        let a = Header {
            number: 10,
            timestamp: T - 10,
            mix_hash: B256::repeat_byte(1),
            excess_blob_gas: Some(10_000_000),
            ..Default::default()
        };
        let b = Header {
            number: 11,
            timestamp: T,
            parent_hash: a.hash_slow(),
            mix_hash: B256::repeat_byte(2),
            excess_blob_gas: Some(10_000_000),
            ..Default::default()
        };
        let mut l1 = L1::default();
        l1.headers.insert(a.hash_slow(), a.clone());
        l1.headers.insert(b.hash_slow(), b.clone());
        let mut cfg = RollupConfig { block_time: 2, ..Default::default() };
        for f in [
            Hardfork::Regolith,
            Hardfork::Canyon,
            Hardfork::Delta,
            Hardfork::Ecotone,
            Hardfork::Fjord,
            Hardfork::Granite,
            Hardfork::Holocene,
        ] {
            cfg.hardforks.set(f, Some(0));
        }
        forks(&mut cfg.hardforks);
        let parent = L2BlockInfo::new(
            BlockInfo { hash: B256::repeat_byte(7), number: 5, parent_hash: B256::ZERO, timestamp: T },
            num_hash(&a),
            3,
        );
        (StatefulAttributesBuilder::new(Arc::new(cfg), L2(sys), l1), parent, a, b)
    }

    use rampart_genesis::HardForkConfig;

    fn sys() -> SystemConfig {
        let mut scalar = [0u8; 32];
        scalar[0] = 1;
        scalar[31] = 5;
        SystemConfig {
            batcher_address: Address::repeat_byte(0xba),
            scalar: U256::from_be_bytes(scalar),
            gas_limit: 30_000_000,
            eip1559_denominator: Some(250),
            eip1559_elasticity: Some(6),
            min_base_fee: Some(77),
            ..Default::default()
        }
    }

    fn l1_info(attrs: &OpPayloadAttributes) -> L1InfoTx {
        use alloy_eips::eip2718::Decodable2718;
        let tx = &attrs.transactions.as_ref().unwrap()[0];
        let op_alloy_consensus::OpTxEnvelope::Deposit(d) =
            op_alloy_consensus::OpTxEnvelope::decode_2718(&mut tx.as_ref()).unwrap()
        else {
            panic!("not a deposit")
        };
        L1InfoTx::decode_calldata(&d.inner().input).unwrap()
    }

    #[test]
    fn same_and_next_epoch_and_their_errors() {
        let (mut b, parent, a, next) = setup(|_| {}, sys());
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        let info = l1_info(&attrs);
        assert_eq!((info.format, info.info.sequence_number, info.info.number), (L1InfoFormat::Ecotone, 4, 10));
        assert_eq!(attrs.payload_attributes.prev_randao, B256::repeat_byte(1));
        assert_eq!(attrs.payload_attributes.timestamp, T + 2);
        assert_eq!(attrs.payload_attributes.suggested_fee_recipient, SEQUENCER_FEE_VAULT);
        assert_eq!(attrs.payload_attributes.withdrawals, Some(vec![]));
        assert_eq!(attrs.payload_attributes.parent_beacon_block_root, Some(B256::ZERO));
        assert_eq!(attrs.eip_1559_params, Some(sys().packed_eip1559_params()));
        assert_eq!((attrs.gas_limit, attrs.min_base_fee, attrs.no_tx_pool), (Some(30_000_000), None, Some(true)));
        let attrs = b.prepare_payload_attributes(parent, num_hash(&next)).unwrap();
        assert_eq!((l1_info(&attrs).info.sequence_number, l1_info(&attrs).info.number), (0, 11));
        // Same number, other hash; a next epoch that is not the origin's child; the time invariant.
        let other = BlockNumHash { number: 10, hash: B256::repeat_byte(3) };
        assert!(matches!(
            b.prepare_payload_attributes(parent, other),
            Err(PipelineErrorKind::Reset(ResetError::EpochMismatch { .. }))
        ));
        let mut p2 = parent;
        p2.l1_origin.hash = B256::repeat_byte(4);
        p2.l1_origin.number = 10;
        assert!(matches!(
            b.prepare_payload_attributes(p2, num_hash(&next)),
            Err(PipelineErrorKind::Reset(ResetError::EpochNotNext { .. }))
        ));
        let mut early = parent;
        early.block_info.timestamp = T - 3;
        assert!(matches!(
            b.prepare_payload_attributes(early, num_hash(&next)),
            Err(PipelineErrorKind::Reset(ResetError::BrokenTimeInvariant { next_l2_time, l1_time: T, .. })) if next_l2_time == T - 1
        ));
        // An unknown epoch is the provider's (temporary) error.
        let unknown = BlockNumHash { number: 11, hash: B256::repeat_byte(5) };
        assert!(matches!(b.prepare_payload_attributes(parent, unknown), Err(PipelineErrorKind::Temporary(_))));
    }

    #[test]
    fn activation_blocks_formats_and_upgrades() {
        // Isthmus and Jovian at the next block (T + 2): the previous format, both forks' upgrade transactions.
        let (mut b, parent, a, _) = setup(
            |h| {
                h.isthmus_time = Some(T + 2);
                h.jovian_time = Some(T + 2)
            },
            sys(),
        );
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        assert_eq!(l1_info(&attrs).format, L1InfoFormat::Ecotone);
        assert_eq!(attrs.transactions.as_ref().unwrap().len(), 1 + 8 + 5);
        assert_eq!(attrs.min_base_fee, Some(77));
        // The block after: Jovian format with the default DA footprint gas scalar.
        let (mut b, parent, a, _) = setup(
            |h| {
                h.isthmus_time = Some(T);
                h.jovian_time = Some(T)
            },
            sys(),
        );
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        let info = l1_info(&attrs);
        assert_eq!(
            (info.format, info.info.da_footprint_gas_scalar, info.info.base_fee_scalar),
            (L1InfoFormat::Jovian, 400, 5)
        );
        assert_eq!(attrs.transactions.as_ref().unwrap().len(), 1);
        // Karst's activation block: its 31 transactions and its upgrade gas on the gas limit, once.
        let (mut b, parent, a, _) = setup(
            |h| {
                h.isthmus_time = Some(0);
                h.jovian_time = Some(0);
                h.karst_time = Some(T + 1)
            },
            sys(),
        );
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        assert_eq!(attrs.transactions.as_ref().unwrap().len(), 1 + 31);
        assert_eq!(attrs.gas_limit, Some(30_000_000 + 55_370_657));
        let mut later = parent;
        later.block_info.timestamp = T + 2;
        let attrs = b.prepare_payload_attributes(later, num_hash(&a)).unwrap();
        assert_eq!((attrs.transactions.as_ref().unwrap().len(), attrs.gas_limit), (1, Some(30_000_000)));
        // Holocene's activation block carries zero EIP-1559 params; before Canyon/Ecotone no withdrawals or root.
        let (mut b, parent, a, _) = setup(
            |h| *h = HardForkConfig { regolith_time: Some(0), holocene_time: Some(T + 2), ..Default::default() },
            sys(),
        );
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        assert_eq!(attrs.eip_1559_params, Some(alloy_primitives::B64::ZERO));
        // (Holocene implies every earlier fork, so this block is their activation block too.)
        assert_eq!(attrs.transactions.as_ref().unwrap().len(), 1 + 6 + 3);
        let (mut b, parent, a, _) = setup(|h| *h = HardForkConfig::default(), sys());
        let attrs = b.prepare_payload_attributes(parent, num_hash(&a)).unwrap();
        assert_eq!(l1_info(&attrs).format, L1InfoFormat::Bedrock);
        assert_eq!(
            (
                attrs.payload_attributes.withdrawals,
                attrs.payload_attributes.parent_beacon_block_root,
                attrs.eip_1559_params
            ),
            (None, None, None)
        );
    }

    #[test]
    fn invalid_scalar_and_interop_are_critical() {
        let mut bad = sys();
        bad.scalar = U256::from(2) << 248;
        let (mut b, parent, a, _) = setup(|_| {}, bad);
        assert!(matches!(
            b.prepare_payload_attributes(parent, num_hash(&a)),
            Err(PipelineErrorKind::Critical(PipelineError::AttributesBuilder(_)))
        ));
        let (mut b, parent, a, _) = setup(|h| h.lagoon_time = Some(0), sys());
        assert!(matches!(
            b.prepare_payload_attributes(parent, num_hash(&a)),
            Err(PipelineErrorKind::Critical(PipelineError::AttributesBuilder(_)))
        ));
    }

    #[test]
    fn blob_base_fee_rules() {
        let excess = 10_000_000;
        let cancun = BlobScheduleEntry::CANCUN.blob_base_fee(excess);
        let prague = BlobScheduleEntry::PRAGUE.blob_base_fee(excess);
        let bpo1 = BlobScheduleEntry::BPO1.blob_base_fee(excess);
        assert!(cancun != prague && prague != bpo1);
        let mut h = Header { timestamp: 5_000, excess_blob_gas: Some(excess), ..Default::default() };
        let (b, ..) = setup(|_| {}, sys());
        assert_eq!(b.blob_base_fee(&h), cancun, "no L1 config, no requests hash: Cancun");
        h.requests_hash = Some(B256::ZERO);
        assert_eq!(b.blob_base_fee(&h), prague, "no L1 config, requests hash: Prague");
        let (b, ..) = setup(|f| f.pectra_blob_schedule_time = Some(6_000), sys());
        assert_eq!(b.blob_base_fee(&h), cancun, "before the Pectra blob schedule fix: Cancun");
        let mut l1cfg = L1ChainConfig {
            cancun_time: Some(0),
            prague_time: Some(1_000),
            osaka_time: Some(2_000),
            bpo1_time: Some(4_000),
            ..Default::default()
        };
        l1cfg.blob_schedule.insert(BlobFork::Bpo1.key().into(), BlobScheduleEntry::BPO1);
        let (b, ..) = setup(|_| {}, sys());
        let b = b.with_l1_config(Arc::new(l1cfg));
        assert_eq!(b.blob_base_fee(&h), bpo1, "the L1 config's schedule at the origin's time");
        h.timestamp = 1_500;
        assert_eq!(b.blob_base_fee(&h), prague);
        h.excess_blob_gas = None;
        assert_eq!(b.blob_base_fee(&h), 1, "no blob fields: 1");
    }
}
