//! The attributes builder against kona-derive 0.4.5's `StatefulAttributesBuilder` (an oracle nobody here
//! wrote). Each case is one block: a parent L2 block with its L1 origin, an epoch (the same, the next, or a
//! wrong one), a system config after the parent, an L1 chain of real headers whose next-epoch block carries
//! receipts with deposits and `ConfigUpdate` logs, and a rollup config whose forks (Regolith through Karst)
//! are placed around the block's time so that every fork's activation block occurs. The two must give the
//! same outcome (attributes, or the same error kind and reason) and identical attributes: timestamp, prev
//! randao, fee recipient, withdrawals, parent beacon block root, every transaction byte for byte (L1-info
//! deposit, user deposits, upgrade transactions), `no_tx_pool`, gas limit and EIP-1559 params.
//!
//! kona 0.4.5 predates Jovian and Karst. Where Jovian is active the comparison is partial and counted: our
//! L1-info deposit is in the Jovian format where kona's is Isthmus's (their decoded values must agree but for
//! the DA footprint gas scalar, which only ours carries), our Jovian and Karst upgrade transactions and
//! Karst's upgrade gas are checked against the bundled upgrade data and left out of the comparison, and
//! `min_base_fee` (ours only) must be the system config's. Known differences, counted: the config-update
//! decoder differences of the traversal test, and an L1-info scalar that op-node (and so we) read otherwise
//! than kona 0.4.5 (a version-0 scalar with padding, an unknown version or a version-1 scalar with padding,
//! which op-node turns into `u32::MAX` or rejects).

use crate::{
    harness::Rng,
    l1gen::{self, config_divergence, kona, Divergence, LogMix, L1, L1_T0},
};
use alloy_eips::BlockNumHash;
use alloy_primitives::{Bytes, B256, U256};
use kona_derive::AttributesBuilder as _;
use rampart_derive::{
    stages::AttributesBuilder, system_config::apply_receipts, traits::L2ChainProvider, PipelineError,
    PipelineErrorKind, ResetError, StatefulAttributesBuilder,
};
use rampart_genesis::{HardForkConfig, Hardfork, RollupConfig, SystemConfig};
use rampart_protocol::{
    encoded_upgrade_transactions, upgrade_gas, BlockInfo, L1InfoFormat, L1InfoTx, L2BlockInfo, UpgradeFork,
};
use std::{collections::BTreeMap, sync::Arc};

const CASES: u64 = 20_000;

/// The L2 side: the system config after the parent.
#[derive(Debug, Clone)]
pub(crate) struct L2 {
    pub(crate) sys: SystemConfig,
}

impl L2ChainProvider for L2 {
    type Error = l1gen::L1Error;
    fn l2_block_info_by_number(&mut self, _: u64) -> Result<L2BlockInfo, Self::Error> {
        Err(l1gen::L1Error::Missing)
    }
    fn block_by_number(&mut self, _: u64) -> Result<op_alloy_consensus::OpBlock, Self::Error> {
        Err(l1gen::L1Error::Missing)
    }
    fn system_config_by_number(&mut self, _: u64, _: &RollupConfig) -> Result<SystemConfig, Self::Error> {
        Ok(self.sys)
    }
}

#[derive(Debug, Clone)]
struct KonaL2(kona_genesis::SystemConfig);

#[async_trait::async_trait]
impl kona_protocol::BatchValidationProvider for KonaL2 {
    type Error = kona_derive::PipelineErrorKind;
    async fn l2_block_info_by_number(&mut self, _: u64) -> Result<kona_protocol::L2BlockInfo, Self::Error> {
        Err(kona_derive::PipelineError::Provider("unused".into()).temp())
    }
    async fn block_by_number(&mut self, _: u64) -> Result<op_alloy_consensus_v018::OpBlock, Self::Error> {
        Err(kona_derive::PipelineError::Provider("unused".into()).temp())
    }
}

#[async_trait::async_trait]
impl kona_derive::L2ChainProvider for KonaL2 {
    type Error = kona_derive::PipelineErrorKind;
    async fn system_config_by_number(
        &mut self,
        _: u64,
        _: Arc<kona_genesis::RollupConfig>,
    ) -> Result<kona_genesis::SystemConfig, <Self as kona_derive::L2ChainProvider>::Error> {
        Ok(self.0)
    }
}

/// The forks the builder cases schedule, in order.
const FORKS: [Hardfork; 10] = [
    Hardfork::Regolith,
    Hardfork::Canyon,
    Hardfork::Delta,
    Hardfork::Ecotone,
    Hardfork::Fjord,
    Hardfork::Granite,
    Hardfork::Holocene,
    Hardfork::Isthmus,
    Hardfork::Jovian,
    Hardfork::Karst,
];

/// Fork times around the block at `next` (parent at `next - 2`): the forks before a cut are active
/// already (at genesis or some time before the parent), the fork at the cut activates at this block (at
/// `next` or between parent and block) or later, sometimes together with the forks after it; the rest are
/// later or unscheduled.
fn forks_around(rng: &mut Rng, next: u64) -> HardForkConfig {
    let mut hf = HardForkConfig::default();
    let cut = rng.below(FORKS.len() as u64 + 1) as usize;
    let mut earlier: Vec<u64> =
        (0..cut).map(|_| if rng.below(3) == 0 { 0 } else { next - 2 - rng.below(400) }).collect();
    earlier.sort_unstable();
    for (f, t) in FORKS.iter().zip(&earlier) {
        hf.set(*f, Some(*t));
    }
    let activation = if rng.below(3) == 0 { next - 1 } else { next };
    let mut t = if rng.below(4) == 0 { next + 1 + rng.below(400) } else { activation };
    let together = rng.below(4) == 0;
    for f in FORKS.iter().skip(cut) {
        if rng.below(6) == 0 {
            break;
        }
        hf.set(*f, Some(t));
        if !together {
            t += rng.below(400);
        }
    }
    if rng.below(3) == 0 {
        hf.pectra_blob_schedule_time = Some(next - 60 + rng.below(120));
    }
    hf
}

/// How the epoch relates to the parent's origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum EpochKind {
    Same,
    Next,
    SameNumberOtherHash,
    NotChild,
    Unknown,
}

struct Case {
    cfg: RollupConfig,
    l1: L1,
    parent: L2BlockInfo,
    epoch: BlockNumHash,
    kind: EpochKind,
    sys: SystemConfig,
}

fn case(rng: &mut Rng) -> Case {
    let parent_time = L1_T0 + 200 + rng.below(10_000);
    let next = parent_time + 2;
    let mut cfg = l1gen::rollup_config(rng, l1gen::Forks::ThroughIsthmus, 10);
    cfg.hardforks = forks_around(rng, next);
    // The parent's origin A before the parent; B (A's child) 12 s after A, sometimes newer than the next
    // block (the time invariant).
    let mut l1 = L1::default();
    let first = 1000 + rng.below(1 << 20);
    let mut h0 = l1gen::header(rng, None, first);
    h0.timestamp = parent_time + 8 - 24 - rng.below(44);
    let a = l1gen::header(rng, Some(&h0), h0.number + 1);
    let b = l1gen::header(rng, Some(&a), a.number + 1);
    let mut stray = l1gen::header(rng, Some(&a), a.number + 1);
    stray.parent_hash = rng.b256();
    let mix = LogMix { jovian: 0, damaged: 1 };
    for h in [h0, a, b, stray] {
        let (r, _) = l1gen::receipts(rng, mix);
        l1.push(h, r);
    }
    let ids: Vec<BlockNumHash> = (0..4).map(|i| l1.info(i).id()).collect();
    let kind = match rng.below(20) {
        0..=8 => EpochKind::Same,
        9..=16 => EpochKind::Next,
        17 => EpochKind::SameNumberOtherHash,
        18 => EpochKind::NotChild,
        _ => EpochKind::Unknown,
    };
    let epoch = match kind {
        EpochKind::Same => ids[1],
        EpochKind::Next => ids[2],
        EpochKind::SameNumberOtherHash => BlockNumHash { number: ids[1].number, hash: ids[0].hash },
        EpochKind::NotChild => ids[3],
        EpochKind::Unknown => BlockNumHash { number: ids[2].number, hash: rng.b256() },
    };
    let parent = L2BlockInfo::new(
        BlockInfo { hash: rng.b256(), number: 1 + rng.below(1 << 30), parent_hash: rng.b256(), timestamp: parent_time },
        ids[1],
        rng.below(6),
    );
    Case { cfg, l1, parent, epoch, kind, sys: l1gen::system_config(rng) }
}

/// An outcome both implementations can be put in.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Attributes,
    Temporary,
    EpochMismatch,
    EpochNotNext,
    BrokenTimeInvariant,
    DepositsCritical,
    ConfigCritical,
    L1InfoCritical,
}

fn ours_outcome(r: &Result<op_alloy_rpc_types_engine::OpPayloadAttributes, PipelineErrorKind>) -> Outcome {
    match r {
        Ok(_) => Outcome::Attributes,
        Err(PipelineErrorKind::Temporary(_)) => Outcome::Temporary,
        Err(PipelineErrorKind::Reset(ResetError::EpochMismatch { .. })) => Outcome::EpochMismatch,
        Err(PipelineErrorKind::Reset(ResetError::EpochNotNext { .. })) => Outcome::EpochNotNext,
        Err(PipelineErrorKind::Reset(ResetError::BrokenTimeInvariant { .. })) => Outcome::BrokenTimeInvariant,
        Err(PipelineErrorKind::Critical(PipelineError::Deposits(_))) => Outcome::DepositsCritical,
        Err(PipelineErrorKind::Critical(PipelineError::SystemConfigUpdate(_))) => Outcome::ConfigCritical,
        Err(PipelineErrorKind::Critical(PipelineError::AttributesBuilder(_))) => Outcome::L1InfoCritical,
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn kona_outcome(
    r: &Result<op_alloy_rpc_types_engine_v018::OpPayloadAttributes, kona_derive::PipelineErrorKind>,
) -> Outcome {
    use kona_derive::{BuilderError as B, PipelineError as P, PipelineErrorKind as K, ResetError as R};
    match r {
        Ok(_) => Outcome::Attributes,
        Err(K::Temporary(_)) => Outcome::Temporary,
        Err(K::Reset(R::AttributesBuilder(B::BlockMismatch(..)))) => Outcome::EpochMismatch,
        Err(K::Reset(R::AttributesBuilder(B::BlockMismatchEpochReset(..)))) => Outcome::EpochNotNext,
        Err(K::Reset(R::AttributesBuilder(B::BrokenTimeInvariant(..)))) => Outcome::BrokenTimeInvariant,
        Err(K::Critical(P::BadEncoding(_))) => Outcome::DepositsCritical,
        Err(K::Critical(P::SystemConfigUpdate(_))) => Outcome::ConfigCritical,
        Err(K::Critical(P::AttributesBuilder(_))) => Outcome::L1InfoCritical,
        Err(e) => panic!("unexpected kona error {e}"),
    }
}

/// The compared fields of kona's attributes.
type Fields = (
    u64,
    B256,
    alloy_primitives::Address,
    Option<usize>,
    Option<B256>,
    Vec<Bytes>,
    Option<bool>,
    Option<u64>,
    Option<alloy_primitives::B64>,
);

fn ours_fields(a: &op_alloy_rpc_types_engine::OpPayloadAttributes) -> Fields {
    let p = &a.payload_attributes;
    (
        p.timestamp,
        p.prev_randao,
        p.suggested_fee_recipient,
        p.withdrawals.as_ref().map(Vec::len),
        p.parent_beacon_block_root,
        a.transactions.clone().unwrap_or_default(),
        a.no_tx_pool,
        a.gas_limit,
        a.eip_1559_params,
    )
}

fn kona_fields(a: &op_alloy_rpc_types_engine_v018::OpPayloadAttributes) -> Fields {
    let p = &a.payload_attributes;
    (
        p.timestamp,
        p.prev_randao,
        p.suggested_fee_recipient,
        p.withdrawals.as_ref().map(Vec::len),
        p.parent_beacon_block_root,
        a.transactions.clone().unwrap_or_default(),
        a.no_tx_pool,
        a.gas_limit,
        a.eip_1559_params,
    )
}

/// kona 0.4.5's reading of an Ecotone scalar word (bytes 28..32, and 24..28 in version 1).
fn kona_scalars(scalar: U256) -> (u32, u32) {
    let b = scalar.to_be_bytes::<32>();
    let base = u32::from_be_bytes([b[28], b[29], b[30], b[31]]);
    let blob = if b[0] == 1 { u32::from_be_bytes([b[24], b[25], b[26], b[27]]) } else { 0 };
    (base, blob)
}

#[test]
fn attributes_match_kona_stateful_builder() {
    let mut rng = Rng(0xa775);
    let mut outcomes = BTreeMap::<(EpochKind, Outcome), u64>::new();
    let mut divergences = BTreeMap::<Divergence, u64>::new();
    let mut activations = BTreeMap::<&str, u64>::new();
    let mut formats = BTreeMap::<String, u64>::new();
    let (mut full, mut jovian_partial, mut deposits, mut upgrade_txs) = (0u64, 0u64, 0u64, 0u64);
    for n in 0..CASES {
        let c = case(&mut rng);
        let kcfg = Arc::new(kona::rollup_config(&c.cfg));
        let cfg = Arc::new(c.cfg.clone());
        let mut ours = StatefulAttributesBuilder::new(cfg.clone(), L2 { sys: c.sys }, c.l1.clone());
        let mut theirs = kona_derive::StatefulAttributesBuilder::new(
            kcfg,
            KonaL2(kona::system_config(&c.sys)),
            kona::KonaL1(c.l1.clone()),
        );
        let a = ours.prepare_payload_attributes(c.parent, c.epoch);
        let k = l1gen::block_on(theirs.prepare_payload_attributes(
            kona::l2_block_info(&c.parent),
            alloy_eips_v1::BlockNumHash { number: c.epoch.number, hash: c.epoch.hash },
        ));
        let (o, ko) = (ours_outcome(&a), kona_outcome(&k));
        let time = c.parent.block_info.timestamp + 2;

        // The system config after the epoch's updates, and whether its scalar reads alike.
        let mut sys = c.sys;
        let mut config_div = None;
        if c.kind == EpochKind::Next {
            let receipts = &c.l1.receipts[&c.epoch.hash];
            config_div = config_divergence(receipts, &c.cfg);
            let l1_time = c.l1.headers[2].timestamp;
            let _ = apply_receipts(&mut sys, receipts, &c.cfg, l1_time);
        }
        let ecotone_format = c.cfg.is_ecotone_active(time) && !c.cfg.is_ecotone_activation_block(time);
        let scalar_div = ecotone_format && sys.ecotone_scalars() != Some(kona_scalars(sys.scalar));

        if o != ko || (o == Outcome::Attributes && scalar_div) {
            let d = match config_div {
                Some(d) if matches!(o, Outcome::ConfigCritical) || matches!(ko, Outcome::ConfigCritical) => d,
                _ if scalar_div => Divergence::LegacyScalar,
                _ => panic!("case {n}: ours {o:?} ({:?}), kona {ko:?} ({:?})", a.err(), k.err()),
            };
            *divergences.entry(d).or_default() += 1;
            continue;
        }
        *outcomes.entry((c.kind, o.clone())).or_default() += 1;
        let (Ok(a), Ok(k)) = (a, k) else { continue };

        // Our rules that kona 0.4.5 has no counterpart for, checked on every case.
        let jovian = c.cfg.is_jovian_active(time);
        assert_eq!(a.min_base_fee, jovian.then(|| sys.min_base_fee.unwrap_or_default()), "case {n}");
        let mut ours_f = ours_fields(&a);
        let kona_f = kona_fields(&k);
        let mut ours_only = Vec::new();
        for fork in FORKS {
            if !c.cfg.is_activation_block(fork, time) {
                continue;
            }
            *activations.entry(fork.name()).or_default() += 1;
            match fork {
                Hardfork::Jovian => ours_only.push(UpgradeFork::Jovian),
                Hardfork::Karst => ours_only.push(UpgradeFork::Karst),
                _ => {}
            }
        }
        // Not in kona 0.4.5: Jovian's and Karst's upgrade transactions must be our last ones, exactly the
        // bundled ones in fork order, and Karst's upgrade gas is on top of the gas limit.
        for upgrade in ours_only.into_iter().rev() {
            let want = encoded_upgrade_transactions(upgrade);
            let txs = &mut ours_f.5;
            let at = txs.len().checked_sub(want.len()).expect("room for the upgrade transactions");
            assert!(txs[at..] == want[..], "case {n}: {upgrade:?} upgrade transactions");
            txs.truncate(at);
            if upgrade == UpgradeFork::Karst {
                ours_f.7 = ours_f.7.map(|g| g - upgrade_gas(upgrade));
            }
        }
        // Karst's activation block is the only one whose gas limit is not the system config's.
        assert_eq!(ours_f.7, Some(sys.gas_limit), "case {n}");
        let l1_info = L1InfoTx::decode_calldata(&tx_input(&ours_f.5[0])).expect("our L1-info calldata decodes");
        *formats.entry(format!("{:?}", l1_info.format)).or_default() += 1;
        if jovian && l1_info.format == L1InfoFormat::Jovian {
            // kona writes the Isthmus format: same values but the DA footprint gas scalar.
            let theirs = L1InfoTx::decode_calldata(&tx_input(&kona_f.5[0])).expect("kona's L1-info calldata decodes");
            assert_eq!(theirs.format, L1InfoFormat::Isthmus);
            assert_eq!(l1_info.info.da_footprint_gas_scalar, sys.effective_da_footprint_gas_scalar());
            let mut mine = l1_info.info;
            mine.da_footprint_gas_scalar = 0;
            assert_eq!(mine, theirs.info, "case {n}: L1-info values");
            ours_f.5[0] = kona_f.5[0].clone();
            jovian_partial += 1;
        } else if jovian {
            jovian_partial += 1;
        } else {
            full += 1;
        }
        assert!(ours_f == kona_f, "case {n}: attributes differ:\n{}\n{}", summary(&ours_f), summary(&kona_f));
        let txs = &ours_f.5;
        deposits += txs[1..].iter().filter(|t| is_user_deposit(t)).count() as u64;
        upgrade_txs += (txs.len() - 1) as u64 - txs[1..].iter().filter(|t| is_user_deposit(t)).count() as u64;
    }
    println!(
        "{CASES} cases: {full} compared in full, {jovian_partial} Jovian/Karst compared partially; outcomes \
         {outcomes:?}; activation blocks {activations:?}; L1-info formats {formats:?}; {deposits} user deposits, \
         {upgrade_txs} upgrade txs compared; known differences {divergences:?}"
    );
    // Deterministic generation: the exact counts.
    assert_eq!((full, jovian_partial), (11_081, 4_600));
    let want = [
        ((EpochKind::Same, Outcome::Attributes), 9_079),
        ((EpochKind::Next, Outcome::Attributes), 6_602),
        ((EpochKind::Next, Outcome::BrokenTimeInvariant), 1_056),
        ((EpochKind::Next, Outcome::ConfigCritical), 233),
        ((EpochKind::SameNumberOtherHash, Outcome::EpochMismatch), 940),
        ((EpochKind::NotChild, Outcome::EpochNotNext), 996),
        ((EpochKind::Unknown, Outcome::Temporary), 967),
    ];
    assert_eq!(outcomes.into_iter().collect::<Vec<_>>(), want.to_vec());
    let want = [
        ("Canyon", 1_027),
        ("Delta", 1_195),
        ("Ecotone", 1_361),
        ("Fjord", 1_442),
        ("Granite", 1_572),
        ("Holocene", 1_652),
        ("Isthmus", 1_722),
        ("Jovian", 1_739),
        ("Karst", 1_776),
        ("Regolith", 866),
    ];
    assert_eq!(activations.into_iter().collect::<Vec<_>>(), want.to_vec());
    let got: Vec<(String, u64)> = formats.into_iter().collect();
    let want = [("Bedrock", 5_631), ("Ecotone", 5_763), ("Isthmus", 1_426), ("Jovian", 2_861)];
    assert_eq!(got, want.map(|(f, n)| (f.to_string(), n)).to_vec());
    assert_eq!((deposits, upgrade_txs), (5_719, 26_268));
    let want = [
        (Divergence::JovianType, 1),
        (Divergence::LegacyScalar, 2),
        (Divergence::Eip1559OneZero, 104),
        (Divergence::DamagedSigner, 18),
        (Divergence::Eip1559HighBytes, 2),
    ];
    assert_eq!(divergences.into_iter().collect::<Vec<_>>(), want.to_vec());
}

/// The calldata of an EIP-2718 deposit transaction.
fn tx_input(tx: &Bytes) -> Bytes {
    use alloy_eips::eip2718::Decodable2718;
    let env = op_alloy_consensus::OpTxEnvelope::decode_2718(&mut tx.as_ref()).expect("deposit decodes");
    match env {
        op_alloy_consensus::OpTxEnvelope::Deposit(d) => d.inner().input.clone(),
        other => panic!("not a deposit: {other:?}"),
    }
}

/// Whether a deposit transaction is a user deposit (its source hash is in the user domain: not derivable
/// here, so: not from the L1-info depositor and not an upgrade transaction of any fork).
fn is_user_deposit(tx: &Bytes) -> bool {
    use std::sync::OnceLock;
    static UPGRADES: OnceLock<Vec<Bytes>> = OnceLock::new();
    let all = UPGRADES.get_or_init(|| UpgradeFork::ALL.iter().flat_map(|f| encoded_upgrade_transactions(*f)).collect());
    !all.contains(tx)
}

/// The fields with transactions shown by length and hash (upgrade transactions are large).
fn summary(f: &Fields) -> String {
    let txs: Vec<String> = f.5.iter().map(|t| format!("{}b {}", t.len(), alloy_primitives::keccak256(t))).collect();
    format!("{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} txs {txs:?}", f.0, f.1, f.2, f.3, f.4, f.6, f.7, f.8)
}

/// Hostile receipts: logs from the portal and the SystemConfig with the right event topic but random topics
/// and data of random length. The builder gives attributes or one critical error naming the block, never a
/// panic.
#[test]
fn hostile_epoch_receipts_give_clean_errors() {
    use alloy_primitives::{Log, LogData};
    let mut rng = Rng(0x405);
    let (mut ok, mut deposits_bad, mut config_bad) = (0u64, 0u64, 0u64);
    for _ in 0..10_000 {
        let mut c = case(&mut rng);
        let next = c.l1.headers[2].hash_slow();
        let log = match rng.below(4) {
            // Random topics and data behind the right event topic and emitter.
            0 | 1 => {
                let (topic, emitter) = if rng.below(2) == 0 {
                    (rampart_protocol::DEPOSIT_EVENT_TOPIC, l1gen::PORTAL)
                } else {
                    (rampart_protocol::CONFIG_UPDATE_TOPIC, l1gen::SYS_ADDR)
                };
                let mut topics = vec![topic];
                topics.extend((0..rng.below(5)).map(|_| if rng.below(2) == 0 { B256::ZERO } else { rng.b256() }));
                let len = rng.below(300) as usize;
                let data: Vec<u8> = (0..len).map(|_| if rng.below(3) == 0 { 0 } else { rng.next() as u8 }).collect();
                Log { address: emitter, data: LogData::new_unchecked(topics, data.into()) }
            }
            // A damaged config update, or a deposit with one bit flipped or its data cut.
            2 => l1gen::log_of(&mut rng, l1gen::LogKind::DamagedConfig),
            _ => {
                let mut l = l1gen::log_of(&mut rng, l1gen::LogKind::Deposit);
                let mut data = l.data.data.to_vec();
                if rng.below(2) == 0 {
                    let i = rng.below(data.len() as u64) as usize;
                    data[i] ^= 1 << rng.below(8);
                } else {
                    data.truncate(rng.below(data.len() as u64) as usize);
                }
                l.data = LogData::new_unchecked(l.data.topics().to_vec(), data.into());
                l
            }
        };
        c.l1.receipts.get_mut(&next).unwrap().insert(
            0,
            alloy_consensus::Receipt {
                status: alloy_consensus::Eip658Value::Eip658(true),
                cumulative_gas_used: 0,
                logs: vec![log],
            },
        );
        // Only the next epoch reads receipts; keep the block time-valid.
        let mut parent = c.parent;
        parent.block_info.timestamp = parent.block_info.timestamp.max(c.l1.headers[2].timestamp);
        let cfg = Arc::new(c.cfg.clone());
        let mut b = StatefulAttributesBuilder::new(cfg, L2 { sys: c.sys }, c.l1.clone());
        match b.prepare_payload_attributes(parent, c.l1.info(2).id()) {
            Ok(_) => ok += 1,
            Err(PipelineErrorKind::Critical(PipelineError::Deposits(m))) => {
                assert!(m.starts_with("L1 block "), "{m}");
                deposits_bad += 1
            }
            Err(PipelineErrorKind::Critical(PipelineError::SystemConfigUpdate(m))) => {
                assert!(m.starts_with("L1 block "), "{m}");
                config_bad += 1
            }
            Err(e) => panic!("unexpected {e}"),
        }
    }
    println!("hostile receipts: {ok} built, {deposits_bad} bad deposits, {config_bad} bad config updates");
    assert_eq!(ok + deposits_bad + config_bad, 10_000);
    assert_eq!((ok, deposits_bad, config_bad), (953, 4_217, 4_830));
}
