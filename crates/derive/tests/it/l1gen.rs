//! Generated L1 chains for the traversal and attributes-builder differentials: real headers (hashes are
//! the header hashes), receipts with `ConfigUpdate` logs of every type (valid, damaged, from another
//! emitter), `TransactionDeposited` logs and noise, failed receipts; rollup configs whose forks activate
//! inside the chain. Plus the conversions to kona 0.4.5's types (alloy 1.x, op-alloy 0.18) and the
//! providers both implementations read.

use crate::harness::Rng;
use alloy_consensus::{Eip658Value, Header, Receipt};
use alloy_eips::BlockNumHash;
use alloy_primitives::{Address, Bytes, Log, LogData, TxKind, B256, U256};
use op_alloy_consensus::TxDeposit;
use rampart_derive::{traits::ChainProvider, PipelineError, PipelineErrorKind};
use rampart_genesis::{ChainGenesis, HardForkConfig, RollupConfig, SystemConfig};
use rampart_protocol::{encode_deposit_log, BlockInfo, SystemConfigUpdate, CONFIG_UPDATE_TOPIC};
use std::{
    collections::BTreeMap,
    future::Future,
    pin::pin,
    task::{Context, Poll, Waker},
};

pub(crate) const L1_T0: u64 = 1_750_000_000;
pub(crate) const SYS_ADDR: Address = Address::new([0x5c; 20]);
pub(crate) const PORTAL: Address = Address::new([0xdc; 20]);

/// Runs a future that never waits (kona's async stages over in-memory providers).
pub(crate) fn block_on<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

pub(crate) fn address(rng: &mut Rng) -> Address {
    Address::from_slice(&rng.b256()[12..])
}

fn word(v: &[u8]) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[32 - v.len()..].copy_from_slice(v);
    w
}

/// A `ConfigUpdate` log of `ty` carrying `payload` words as ABI `bytes`.
pub(crate) fn config_log(emitter: Address, ty: u8, payload: &[[u8; 32]]) -> Log {
    let mut data = Vec::new();
    data.extend_from_slice(&word(&[32]));
    data.extend_from_slice(&word(&[(payload.len() * 32) as u8]));
    for w in payload {
        data.extend_from_slice(w);
    }
    Log {
        address: emitter,
        data: LogData::new_unchecked(vec![CONFIG_UPDATE_TOPIC, B256::ZERO, B256::from(word(&[ty]))], data.into()),
    }
}

/// Which forks a generated config may schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Forks {
    /// Regolith through Isthmus (what kona 0.4.5 derives).
    ThroughIsthmus,
    /// Also Jovian and Karst.
    ThroughKarst,
}

/// A fork time: unscheduled, at genesis, or somewhere in the generated chain's span (L2 times run alongside
/// the L1 times from `L1_T0`).
fn fork_time(rng: &mut Rng, span: u64) -> Option<u64> {
    match rng.below(4) {
        0 => None,
        1 => Some(0),
        _ => Some(L1_T0 + rng.below(span)),
    }
}

/// A rollup config with ordered fork times inside a chain of `span` seconds.
pub(crate) fn rollup_config(rng: &mut Rng, forks: Forks, span: u64) -> RollupConfig {
    use rampart_genesis::Hardfork as H;
    let mut hf = HardForkConfig::default();
    let list: &[H] = match forks {
        Forks::ThroughIsthmus => {
            &[H::Regolith, H::Canyon, H::Delta, H::Ecotone, H::Fjord, H::Granite, H::Holocene, H::Isthmus]
        }
        Forks::ThroughKarst => &[
            H::Regolith,
            H::Canyon,
            H::Delta,
            H::Ecotone,
            H::Fjord,
            H::Granite,
            H::Holocene,
            H::Isthmus,
            H::Jovian,
            H::Karst,
        ],
    };
    // Ordered: each fork no earlier than the one before; once one is unscheduled the rest are too.
    let mut prev = Some(0u64);
    for f in list {
        let t = match prev {
            None => None,
            Some(p) => fork_time(rng, span).map(|t| t.max(p)),
        };
        hf.set(*f, t);
        prev = t;
    }
    if rng.below(4) == 0 {
        hf.pectra_blob_schedule_time = Some(L1_T0 + rng.below(span));
    }
    if forks == Forks::ThroughKarst && rng.below(2) == 0 {
        hf.keep_karst_upgrade_gas = true;
    }
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash { number: 0, hash: B256::ZERO },
            l2: BlockNumHash { number: 0, hash: B256::ZERO },
            l2_time: L1_T0 - 1000,
            system_config: Some(system_config(rng)),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size: 3600,
        channel_timeout: 300,
        l1_chain_id: 1,
        l2_chain_id: 901,
        hardforks: hf,
        batch_inbox_address: Address::repeat_byte(0xff),
        deposit_contract_address: PORTAL,
        l1_system_config_address: SYS_ADDR,
        ..Default::default()
    }
}

/// A valid version-1 (or sometimes version-0) Ecotone scalar word.
fn ecotone_scalar(rng: &mut Rng) -> [u8; 32] {
    let mut w = [0u8; 32];
    if rng.below(3) > 0 {
        w[0] = 1;
        w[24..28].copy_from_slice(&(rng.next() as u32).to_be_bytes());
    }
    w[28..].copy_from_slice(&(rng.next() as u32).to_be_bytes());
    w
}

/// A system config as the L2 chain might hold it: set or unset optional fields, valid versioned scalars
/// mostly, sometimes a legacy (pre-Ecotone) scalar.
pub(crate) fn system_config(rng: &mut Rng) -> SystemConfig {
    let opt = |rng: &mut Rng| rng.below(2) == 0;
    let scalar =
        if rng.below(8) == 0 { U256::from(rng.below(1 << 20)) } else { U256::from_be_bytes(ecotone_scalar(rng)) };
    let mut s = SystemConfig {
        batcher_address: address(rng),
        overhead: U256::from(rng.below(4096)),
        scalar,
        gas_limit: 30_000_000 + rng.below(1 << 24),
        ..Default::default()
    };
    if opt(rng) {
        s.eip1559_denominator = Some(1 + rng.below(300) as u32);
        s.eip1559_elasticity = Some(1 + rng.below(20) as u32);
    }
    if opt(rng) {
        s.operator_fee_scalar = Some(rng.next() as u32);
        s.operator_fee_constant = Some(rng.next());
    }
    s
}

/// The kinds of log a generated receipt carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LogKind {
    /// A well-formed update of types 0-5.
    Config(u8),
    /// A well-formed Jovian update (6 min base fee, 7 DA footprint gas scalar).
    JovianConfig(u8),
    /// A damaged `ConfigUpdate` log.
    DamagedConfig,
    /// A `ConfigUpdate` log from another contract.
    ForeignConfig,
    /// A user deposit.
    Deposit,
    /// Something else.
    Noise,
}

/// One update log of `ty` with a random well-formed payload.
fn valid_config_log(rng: &mut Rng, ty: u8) -> Log {
    let payload = match ty {
        0 => word(address(rng).as_slice()),
        1 => return config_log(SYS_ADDR, 1, &[word(&rng.below(1 << 16).to_be_bytes()), scalar_word(rng)]),
        2 => word(&(20_000_000 + rng.below(1 << 26)).to_be_bytes()),
        3 => word(address(rng).as_slice()),
        4 => {
            // Mostly valid pairs, sometimes both zero (unset), rarely exactly one zero (op-node rejects it).
            let (d, e) = match rng.below(16) {
                0 => (0u32, 0u32),
                1 => (0, 1 + rng.below(20) as u32),
                _ => (1 + rng.below(300) as u32, 1 + rng.below(20) as u32),
            };
            let mut w = [0u8; 32];
            w[24..28].copy_from_slice(&d.to_be_bytes());
            w[28..].copy_from_slice(&e.to_be_bytes());
            w
        }
        5 => {
            let mut w = [0u8; 32];
            w[20..24].copy_from_slice(&(rng.next() as u32).to_be_bytes());
            w[24..].copy_from_slice(&rng.next().to_be_bytes());
            w
        }
        6 => word(&rng.next().to_be_bytes()),
        _ => word(&(rng.next() as u16).to_be_bytes()),
    };
    config_log(SYS_ADDR, ty, &[payload])
}

/// A fee-scalar word: mostly valid versioned scalars, sometimes invalid ones (ignored from Ecotone on) or
/// legacy values.
fn scalar_word(rng: &mut Rng) -> [u8; 32] {
    match rng.below(6) {
        0 => rng.b256().0,
        1 => word(&rng.below(1 << 24).to_be_bytes()),
        _ => ecotone_scalar(rng),
    }
}

fn damaged_config_log(rng: &mut Rng) -> Log {
    let ty = rng.below(8) as u8;
    let mut log = valid_config_log(rng, ty);
    let mut topics = log.data.topics().to_vec();
    let mut data = log.data.data.to_vec();
    match rng.below(6) {
        0 => data.truncate(rng.below(data.len() as u64) as usize),
        1 => data.extend_from_slice(&[0u8; 32]),
        2 => {
            let i = rng.below(data.len() as u64) as usize;
            data[i] ^= 1 << rng.below(8);
        }
        3 => topics[1] = B256::from(word(&[1 + rng.below(3) as u8])),
        4 => topics[2] = B256::from(word(&[8 + rng.below(200) as u8])),
        _ => {
            topics.pop();
        }
    }
    log.data = LogData::new_unchecked(topics, data.into());
    log
}

fn deposit_log(rng: &mut Rng) -> Log {
    let len = rng.below(80) as usize;
    let d = TxDeposit {
        source_hash: B256::ZERO,
        from: address(rng),
        to: if rng.below(5) == 0 { TxKind::Create } else { TxKind::Call(address(rng)) },
        mint: if rng.below(2) == 0 { 0 } else { u128::from(rng.next()) },
        value: U256::from(rng.next()),
        gas_limit: 21_000 + rng.below(1 << 20),
        is_system_transaction: false,
        input: Bytes::from((0..len).map(|_| rng.next() as u8).collect::<Vec<_>>()),
    };
    encode_deposit_log(PORTAL, &d)
}

/// A log of `kind`.
pub(crate) fn log_of(rng: &mut Rng, kind: LogKind) -> Log {
    match kind {
        LogKind::Config(ty) | LogKind::JovianConfig(ty) => valid_config_log(rng, ty),
        LogKind::DamagedConfig => damaged_config_log(rng),
        LogKind::ForeignConfig => {
            let ty = rng.below(3) as u8;
            let mut l = valid_config_log(rng, ty);
            l.address = address(rng);
            l
        }
        LogKind::Deposit => deposit_log(rng),
        LogKind::Noise => Log {
            address: if rng.below(2) == 0 { SYS_ADDR } else { PORTAL },
            data: LogData::new_unchecked(vec![rng.b256()], Bytes::from(vec![rng.next() as u8; 8])),
        },
    }
}

/// How often each kind of log appears.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LogMix {
    /// Out of 100: well-formed Jovian updates.
    pub(crate) jovian: u64,
    /// Out of 100: damaged updates.
    pub(crate) damaged: u64,
}

fn random_kind(rng: &mut Rng, mix: LogMix) -> LogKind {
    let r = rng.below(100);
    if r < mix.jovian {
        return LogKind::JovianConfig(6 + rng.below(2) as u8);
    }
    if r < mix.jovian + mix.damaged {
        return LogKind::DamagedConfig;
    }
    match rng.below(10) {
        0..=3 => LogKind::Config(rng.below(6) as u8),
        4 => LogKind::ForeignConfig,
        5..=7 => LogKind::Deposit,
        _ => LogKind::Noise,
    }
}

/// The receipts of one L1 block: successful ones with logs, failed ones with (ignored) logs only at the end
/// (kona 0.4.5 does not count a failed receipt's logs in the deposit log index, op-node does; real failed
/// receipts have no logs, so the generator keeps the log indices unambiguous).
pub(crate) fn receipts(rng: &mut Rng, mix: LogMix) -> (Vec<Receipt>, Vec<LogKind>) {
    let mut out = Vec::new();
    let mut kinds = Vec::new();
    for _ in 0..rng.below(5) {
        let logs: Vec<Log> = (0..rng.below(4))
            .map(|_| {
                let k = random_kind(rng, mix);
                kinds.push(k);
                log_of(rng, k)
            })
            .collect();
        out.push(Receipt { status: Eip658Value::Eip658(true), cumulative_gas_used: rng.below(1 << 24), logs });
    }
    if rng.below(4) == 0 {
        let logs = (0..1 + rng.below(3))
            .map(|_| {
                let ty = rng.below(6) as u8;
                log_of(rng, LogKind::Config(ty))
            })
            .collect();
        out.push(Receipt { status: Eip658Value::Eip658(false), cumulative_gas_used: 0, logs });
    }
    (out, kinds)
}

/// An L1 header after `parent` (or the first one), with optional post-London/Cancun/Prague fields.
pub(crate) fn header(rng: &mut Rng, parent: Option<&Header>, number: u64) -> Header {
    let timestamp = parent.map_or(L1_T0, |p| p.timestamp + 12);
    let cancun = rng.below(5) > 0;
    Header {
        parent_hash: parent.map_or(B256::ZERO, |p| p.hash_slow()),
        number,
        timestamp,
        gas_limit: 30_000_000,
        gas_used: rng.below(30_000_000),
        beneficiary: address(rng),
        mix_hash: rng.b256(),
        base_fee_per_gas: (rng.below(20) > 0).then(|| rng.below(1 << 36)),
        blob_gas_used: cancun.then(|| rng.below(6) * 131_072),
        excess_blob_gas: cancun.then(|| if rng.below(3) == 0 { 0 } else { rng.below(1 << 26) }),
        parent_beacon_block_root: (rng.below(5) > 0).then(|| rng.b256()),
        requests_hash: (cancun && rng.below(2) == 0).then(|| rng.b256()),
        withdrawals_root: Some(rng.b256()),
        ..Default::default()
    }
}

/// The L1 chain both implementations read: headers by number and hash, receipts by hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct L1 {
    pub(crate) headers: Vec<Header>,
    pub(crate) by_hash: BTreeMap<B256, usize>,
    pub(crate) receipts: BTreeMap<B256, Vec<Receipt>>,
}

impl L1 {
    pub(crate) fn push(&mut self, h: Header, r: Vec<Receipt>) {
        let hash = h.hash_slow();
        self.by_hash.insert(hash, self.headers.len());
        self.receipts.insert(hash, r);
        self.headers.push(h);
    }

    pub(crate) fn info(&self, n: usize) -> BlockInfo {
        let h = &self.headers[n];
        BlockInfo { hash: h.hash_slow(), number: h.number, parent_hash: h.parent_hash, timestamp: h.timestamp }
    }
}

/// Our provider's error: past the head is `EndOfSource`, a missing hash a temporary provider error.
#[derive(Debug, Clone)]
pub(crate) enum L1Error {
    PastHead,
    Missing,
}

impl core::fmt::Display for L1Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<L1Error> for PipelineErrorKind {
    fn from(e: L1Error) -> Self {
        match e {
            L1Error::PastHead => PipelineError::EndOfSource.crit(),
            L1Error::Missing => PipelineError::Provider("missing".into()).temp(),
        }
    }
}

impl ChainProvider for L1 {
    type Error = L1Error;
    fn header_by_hash(&mut self, hash: B256) -> Result<Header, L1Error> {
        self.by_hash.get(&hash).map(|i| self.headers[*i].clone()).ok_or(L1Error::Missing)
    }
    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo, L1Error> {
        let i = usize::try_from(number).map_err(|_| L1Error::PastHead)?;
        if i >= self.headers.len() {
            return Err(L1Error::PastHead);
        }
        Ok(self.info(i))
    }
    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, L1Error> {
        self.receipts.get(&hash).cloned().ok_or(L1Error::Missing)
    }
    fn block_info_and_transactions_by_hash(
        &mut self,
        hash: B256,
    ) -> Result<(BlockInfo, Vec<alloy_consensus::TxEnvelope>), L1Error> {
        let i = *self.by_hash.get(&hash).ok_or(L1Error::Missing)?;
        Ok((self.info(i), Vec::new()))
    }
}

/// Why kona 0.4.5 and we may disagree on a block's receipts (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Divergence {
    JovianType,
    /// Attributes only: an L1-info scalar op-node reads otherwise than kona 0.4.5.
    LegacyScalar,
    Eip1559OneZero,
    DamagedSigner,
    Eip1559HighBytes,
}

/// The first config log of `receipts` on which ours and kona's decoders disagree, classified.
pub(crate) fn config_divergence(
    receipts: &[alloy_consensus::Receipt],
    cfg: &rampart_genesis::RollupConfig,
) -> Option<Divergence> {
    let kcfg = kona::rollup_config(cfg);
    for r in receipts.iter().filter(|r| r.status == alloy_consensus::Eip658Value::Eip658(true)) {
        for log in &r.logs {
            if log.address != cfg.l1_system_config_address || log.topics().first() != Some(&CONFIG_UPDATE_TOPIC) {
                continue;
            }
            let ours = SystemConfigUpdate::decode(&log.data);
            let one = alloy_consensus_v1::Receipt {
                status: alloy_consensus_v1::Eip658Value::Eip658(true),
                cumulative_gas_used: 0,
                logs: vec![log.clone()],
            };
            let theirs = kona_genesis::SystemConfig::default().update_with_receipts(
                &[one],
                kcfg.l1_system_config_address,
                false,
            );
            match (&ours, &theirs) {
                (Ok(_), Ok(_)) | (Err(_), Err(_)) => continue,
                (Ok(SystemConfigUpdate::MinBaseFee(_) | SystemConfigUpdate::DaFootprintGasScalar(_)), Err(_)) => {
                    return Some(Divergence::JovianType)
                }
                (Ok(SystemConfigUpdate::UnsafeBlockSigner), Err(_)) => return Some(Divergence::DamagedSigner),
                (Ok(SystemConfigUpdate::Eip1559Params(_)), Err(_))
                    if log.data.data.len() == 96 && log.data.data[64..88].iter().any(|b| *b != 0) =>
                {
                    return Some(Divergence::Eip1559HighBytes)
                }
                (Err(rampart_protocol::ConfigUpdateError::Eip1559Params { .. }), Ok(_)) => {
                    return Some(Divergence::Eip1559OneZero)
                }
                _ => panic!("unclassified decoder difference: ours {ours:?}, kona {theirs:?} on {log:?}"),
            }
        }
    }
    None
}

/// [`config_divergence`], which must find one.
pub(crate) fn classify(receipts: &[alloy_consensus::Receipt], cfg: &rampart_genesis::RollupConfig) -> Divergence {
    config_divergence(receipts, cfg).expect("outcomes differ but every config log decodes alike")
}

/// Conversions to kona 0.4.5's types.
pub(crate) mod kona {
    use super::*;
    use alloy_consensus_v1 as c1;

    pub(crate) fn header(h: &Header) -> c1::Header {
        let k = c1::Header {
            parent_hash: h.parent_hash,
            ommers_hash: h.ommers_hash,
            beneficiary: h.beneficiary,
            state_root: h.state_root,
            transactions_root: h.transactions_root,
            receipts_root: h.receipts_root,
            logs_bloom: h.logs_bloom,
            difficulty: h.difficulty,
            number: h.number,
            gas_limit: h.gas_limit,
            gas_used: h.gas_used,
            timestamp: h.timestamp,
            extra_data: h.extra_data.clone(),
            mix_hash: h.mix_hash,
            nonce: h.nonce,
            base_fee_per_gas: h.base_fee_per_gas,
            withdrawals_root: h.withdrawals_root,
            blob_gas_used: h.blob_gas_used,
            excess_blob_gas: h.excess_blob_gas,
            parent_beacon_block_root: h.parent_beacon_block_root,
            requests_hash: h.requests_hash,
        };
        assert_eq!(k.hash_slow(), h.hash_slow(), "the two alloy headers hash alike");
        k
    }

    pub(crate) fn receipt(r: &Receipt) -> c1::Receipt {
        c1::Receipt {
            status: match r.status {
                Eip658Value::Eip658(b) => c1::Eip658Value::Eip658(b),
                Eip658Value::PostState(s) => c1::Eip658Value::PostState(s),
            },
            cumulative_gas_used: r.cumulative_gas_used,
            logs: r.logs.clone(),
        }
    }

    pub(crate) fn block_info(b: &BlockInfo) -> kona_protocol::BlockInfo {
        kona_protocol::BlockInfo { hash: b.hash, number: b.number, parent_hash: b.parent_hash, timestamp: b.timestamp }
    }

    pub(crate) fn l2_block_info(b: &rampart_protocol::L2BlockInfo) -> kona_protocol::L2BlockInfo {
        kona_protocol::L2BlockInfo {
            block_info: block_info(&b.block_info),
            l1_origin: alloy_eips_v1::BlockNumHash { number: b.l1_origin.number, hash: b.l1_origin.hash },
            seq_num: b.seq_num,
        }
    }

    /// Our rollup config as kona-genesis 0.4.5 reads it (its JSON), without the forks it does not know.
    pub(crate) fn rollup_config(cfg: &RollupConfig) -> kona_genesis::RollupConfig {
        let mut json: serde_json::Value = serde_json::from_slice(&cfg.to_json()).unwrap();
        let obj = json.as_object_mut().unwrap();
        obj.entry("protocol_versions_address").or_insert(serde_json::json!(Address::ZERO));
        for later in ["karst_time", "lagoon_time", "interop_time", "keep_karst_upgrade_gas"] {
            obj.remove(later);
        }
        serde_json::from_value(json).expect("kona reads our rollup config")
    }

    pub(crate) fn system_config(s: &SystemConfig) -> kona_genesis::SystemConfig {
        kona_genesis::SystemConfig {
            batcher_address: s.batcher_address,
            overhead: s.overhead,
            scalar: s.scalar,
            gas_limit: s.gas_limit,
            base_fee_scalar: s.base_fee_scalar,
            blob_base_fee_scalar: s.blob_base_fee_scalar,
            eip1559_denominator: s.eip1559_denominator,
            eip1559_elasticity: s.eip1559_elasticity,
            operator_fee_scalar: s.operator_fee_scalar,
            operator_fee_constant: s.operator_fee_constant,
        }
    }

    /// kona's system config as ours (it has no Jovian fields: they are taken from `jovian`).
    pub(crate) fn from_system_config(k: &kona_genesis::SystemConfig, jovian: &SystemConfig) -> SystemConfig {
        SystemConfig {
            batcher_address: k.batcher_address,
            overhead: k.overhead,
            scalar: k.scalar,
            gas_limit: k.gas_limit,
            base_fee_scalar: k.base_fee_scalar,
            blob_base_fee_scalar: k.blob_base_fee_scalar,
            eip1559_denominator: k.eip1559_denominator,
            eip1559_elasticity: k.eip1559_elasticity,
            operator_fee_scalar: k.operator_fee_scalar,
            operator_fee_constant: k.operator_fee_constant,
            min_base_fee: jovian.min_base_fee,
            da_footprint_gas_scalar: jovian.da_footprint_gas_scalar,
        }
    }

    /// The L1 chain through kona's async provider trait.
    #[derive(Debug, Clone)]
    pub(crate) struct KonaL1(pub(crate) L1);

    #[async_trait::async_trait]
    impl kona_derive::ChainProvider for KonaL1 {
        type Error = kona_derive::PipelineErrorKind;
        async fn header_by_hash(&mut self, hash: B256) -> Result<c1::Header, Self::Error> {
            let i = *self.0.by_hash.get(&hash).ok_or(kona_derive::PipelineError::Provider("missing".into()).temp())?;
            Ok(header(&self.0.headers[i]))
        }
        async fn block_info_by_number(&mut self, number: u64) -> Result<kona_protocol::BlockInfo, Self::Error> {
            let i = number as usize;
            if i >= self.0.headers.len() {
                return Err(kona_derive::PipelineError::EndOfSource.crit());
            }
            Ok(block_info(&self.0.info(i)))
        }
        async fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<c1::Receipt>, Self::Error> {
            let r = self.0.receipts.get(&hash).ok_or(kona_derive::PipelineError::Provider("missing".into()).temp())?;
            Ok(r.iter().map(receipt).collect())
        }
        async fn block_info_and_transactions_by_hash(
            &mut self,
            _: B256,
        ) -> Result<(kona_protocol::BlockInfo, Vec<c1::TxEnvelope>), Self::Error> {
            Err(kona_derive::PipelineError::Provider("unused".into()).temp())
        }
    }
}
