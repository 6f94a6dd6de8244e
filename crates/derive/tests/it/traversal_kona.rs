//! L1 traversal against kona-derive 0.4.5's `PollingTraversal` (an oracle nobody here wrote): generated L1
//! chains (real headers, receipts with `ConfigUpdate` logs of every type, damaged and foreign ones, failed
//! receipts, deposits and noise, occasional reorgs) under rollup configs whose Ecotone and Holocene activate
//! inside the chain. Both are reset to the same origin and system config and advanced to the L1 head; after
//! every advance the outcome (ok, reorg reset, Holocene activation reset, critical config error, end of
//! source), the origin, the handed-out block, the batcher and the whole system config must be identical.
//!
//! Known differences, each counted and checked to be exactly that:
//! * Jovian update types (6 min base fee, 7 DA footprint gas scalar): kona 0.4.5 predates Jovian and fails
//!   the block (critical); we apply them;
//! * an EIP-1559 update with exactly one of denominator and elasticity zero: op-node rejects it (and so do
//!   we, critically), kona 0.4.5 stores it;
//! * an unsafe-block-signer update whose data is damaged: op-node ignores type 3 without reading its data
//!   (so do we), kona 0.4.5 checks its length and fails the block;
//! * an EIP-1559 update word with non-zero bytes above the low 8: op-node reads the word as bytes32 and
//!   takes the low 8 bytes (so do we), kona 0.4.5 decodes a uint64 and fails the block.

use crate::{
    harness::Rng,
    l1gen::{self, classify, kona, Divergence, Forks, LogMix, L1},
};
use kona_derive::{L1RetrievalProvider as _, OriginAdvancer as _, OriginProvider as _, SignalReceiver as _};
use rampart_derive::{
    stages::L1Traversal, traits::L1RetrievalProvider, OriginAdvancer, OriginProvider, PipelineError, PipelineErrorKind,
    ResetError, ResetSignal, Signal, SignalReceiver,
};
use rampart_genesis::SystemConfig;
use std::sync::Arc;

const CASES: u64 = 10_000;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Reorg,
    HoloceneActivation,
    ConfigCritical,
    EndOfSource,
}

fn ours_outcome(r: Result<(), PipelineErrorKind>) -> Outcome {
    match r {
        Ok(()) => Outcome::Ok,
        Err(PipelineErrorKind::Reset(ResetError::ReorgDetected { .. })) => Outcome::Reorg,
        Err(PipelineErrorKind::Reset(ResetError::HoloceneActivation)) => Outcome::HoloceneActivation,
        Err(PipelineErrorKind::Critical(PipelineError::SystemConfigUpdate(_))) => Outcome::ConfigCritical,
        Err(PipelineErrorKind::Critical(PipelineError::EndOfSource)) => Outcome::EndOfSource,
        Err(e) => panic!("unexpected error {e}"),
    }
}

fn kona_outcome(r: Result<(), kona_derive::PipelineErrorKind>) -> Outcome {
    use kona_derive::{PipelineError as P, PipelineErrorKind as K, ResetError as R};
    match r {
        Ok(()) => Outcome::Ok,
        Err(K::Reset(R::ReorgDetected(..))) => Outcome::Reorg,
        Err(K::Reset(R::HoloceneActivation)) => Outcome::HoloceneActivation,
        Err(K::Critical(P::SystemConfigUpdate(_))) => Outcome::ConfigCritical,
        Err(K::Critical(P::EndOfSource)) => Outcome::EndOfSource,
        Err(e) => panic!("unexpected kona error {e}"),
    }
}

/// A generated case: config, chain (with a reorg sometimes), the reset system config.
fn case(rng: &mut Rng) -> (rampart_genesis::RollupConfig, L1, SystemConfig) {
    let blocks = 3 + rng.below(6) as usize;
    let cfg = l1gen::rollup_config(rng, Forks::ThroughKarst, 12 * blocks as u64);
    let mix = LogMix { jovian: 1, damaged: 2 };
    let mut l1 = L1::default();
    for n in 0..blocks {
        let mut h = l1gen::header(rng, l1.headers.last(), n as u64);
        if n > 0 && rng.below(25) == 0 {
            h.parent_hash = rng.b256();
        }
        let (r, _) = l1gen::receipts(rng, mix);
        l1.push(h, r);
    }
    (cfg, l1, l1gen::system_config(rng))
}

#[test]
fn traversal_matches_kona_polling_traversal() {
    let mut rng = Rng(0x7a_7e);
    let mut outcomes = std::collections::BTreeMap::<String, u64>::new();
    let mut divergences = std::collections::BTreeMap::<Divergence, u64>::new();
    let (mut advances, mut compared_configs, mut config_changes) = (0u64, 0u64, 0u64);
    for n in 0..CASES {
        let (cfg, l1, sys) = case(&mut rng);
        let kcfg = Arc::new(kona::rollup_config(&cfg));
        let cfg = Arc::new(cfg);
        let mut ours = L1Traversal::new(l1.clone(), cfg.clone());
        let mut theirs = kona_derive::PollingTraversal::new(kona::KonaL1(l1.clone()), kcfg);
        let start = l1.info(0);
        ours.signal(Signal::Reset(ResetSignal { l1_origin: start, system_config: Some(sys), ..Default::default() }))
            .unwrap();
        l1gen::block_on(theirs.signal(kona_derive::Signal::Reset(kona_derive::ResetSignal {
            l1_origin: kona::block_info(&start),
            system_config: Some(kona::system_config(&sys)),
            ..Default::default()
        })))
        .unwrap();
        for step in 0..l1.headers.len() {
            // The block is handed out once, then nothing until the origin moves.
            let a = ours.next_l1_block().unwrap();
            let b = l1gen::block_on(theirs.next_l1_block());
            assert_eq!(a.map(|b| kona::block_info(&b)), b.unwrap(), "case {n} step {step}: handed-out block");
            assert_eq!(ours.next_l1_block().unwrap(), None);
            assert!(l1gen::block_on(theirs.next_l1_block()).is_err(), "kona: Eof once handed out");
            assert_eq!(ours.batcher_addr(), theirs.batcher_addr());

            let before = *ours.system_config();
            let o = ours_outcome(ours.advance_origin());
            let k = kona_outcome(l1gen::block_on(theirs.advance_origin()));
            advances += 1;
            if o != k {
                let next = &l1.headers[step + 1];
                let d = classify(&l1.receipts[&next.hash_slow()], &cfg);
                *divergences.entry(d).or_default() += 1;
                match d {
                    Divergence::JovianType | Divergence::DamagedSigner | Divergence::Eip1559HighBytes => {
                        assert!(matches!(o, Outcome::Ok | Outcome::HoloceneActivation), "case {n}: {o:?}");
                        assert_eq!(k, Outcome::ConfigCritical, "case {n}");
                    }
                    Divergence::LegacyScalar => unreachable!("attributes only"),
                    Divergence::Eip1559OneZero => {
                        assert_eq!(o, Outcome::ConfigCritical, "case {n}");
                        assert!(matches!(k, Outcome::Ok | Outcome::HoloceneActivation), "case {n}: {k:?}");
                    }
                }
                break;
            }
            *outcomes.entry(format!("{o:?}")).or_default() += 1;
            if matches!(o, Outcome::Reorg | Outcome::ConfigCritical | Outcome::EndOfSource) {
                // A failed advance leaves the origin where it was.
                assert_eq!(ours.origin(), Some(l1.info(step)), "case {n}");
                assert_eq!(theirs.origin(), Some(kona::block_info(&l1.info(step))));
                break;
            }
            assert_eq!(ours.origin(), Some(l1.info(step + 1)), "case {n} step {step}");
            assert_eq!(theirs.origin().map(|b| b.hash), ours.origin().map(|b| b.hash));
            assert_eq!(
                kona::from_system_config(&theirs.system_config, ours.system_config()),
                *ours.system_config(),
                "case {n} step {step}: system config"
            );
            compared_configs += 1;
            config_changes += u64::from(before != *ours.system_config());
        }
    }
    println!(
        "{CASES} cases, {advances} advances: {outcomes:?}; {compared_configs} system configs compared \
         ({config_changes} changed); known differences {divergences:?}"
    );
    // Deterministic generation: the exact counts (every outcome kind occurs, most advances succeed).
    assert_eq!(advances, 40_440);
    let want: Vec<(&str, u64)> = vec![
        ("ConfigCritical", 1_810),
        ("EndOfSource", 5_511),
        ("HoloceneActivation", 305),
        ("Ok", 30_135),
        ("Reorg", 1_363),
    ];
    assert_eq!(outcomes.iter().map(|(k, v)| (k.as_str(), *v)).collect::<Vec<_>>(), want);
    assert_eq!((compared_configs, config_changes), (30_440, 15_353));
    assert_eq!(
        divergences.into_iter().collect::<Vec<_>>(),
        vec![
            (Divergence::JovianType, 849),
            (Divergence::Eip1559OneZero, 342),
            (Divergence::DamagedSigner, 115),
            (Divergence::Eip1559HighBytes, 10)
        ]
    );
}

#[test]
fn reset_sets_origin_and_config_and_end_of_source_is_passed_on() {
    let mut rng = Rng(3);
    let (cfg, l1, sys) = case(&mut rng);
    let cfg = Arc::new(cfg);
    let mut t = L1Traversal::new(l1.clone(), cfg.clone());
    assert_eq!(t.origin(), None);
    assert_eq!(*t.system_config(), cfg.genesis.system_config.unwrap());
    assert_eq!(t.advance_origin(), Err(PipelineError::MissingOrigin.temp()));
    let last = l1.headers.len() - 1;
    t.signal(Signal::Reset(ResetSignal { l1_origin: l1.info(last), system_config: Some(sys), ..Default::default() }))
        .unwrap();
    assert_eq!((t.origin(), *t.system_config()), (Some(l1.info(last)), sys));
    assert_eq!(t.advance_origin(), Err(PipelineError::EndOfSource.crit()));
    assert_eq!(t.origin(), Some(l1.info(last)));
    // A reset without a system config keeps the current one; FlushChannel changes nothing.
    t.signal(Signal::Reset(ResetSignal { l1_origin: l1.info(0), system_config: None, ..Default::default() })).unwrap();
    assert_eq!((t.origin(), *t.system_config()), (Some(l1.info(0)), sys));
    assert_eq!(t.next_l1_block().unwrap(), Some(l1.info(0)));
    t.signal(Signal::FlushChannel).unwrap();
    assert_eq!(t.next_l1_block().unwrap(), None);
}
