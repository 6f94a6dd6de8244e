//! Super roots and transition states (`super-roots.md` §1, §2, §6): the note's vectors, round trips on
//! generated values, hostile encodings, an independent alloy-rlp re-encoding of transition states and a
//! differential against kona-interop 0.4.5's `SuperRoot`.

use alloy_primitives::{b256, hex, keccak256, Bytes, B256};
use alloy_rlp::RlpEncodable;
use rampart_protocol::interop::trace::max_span_seconds;
use rampart_protocol::{
    ChainOutputRoot, OptimisticBlock, PreState, PreStateError, SuperRoot, SuperRootError, SuperTracePoint,
    TransitionState, INVALID_TRANSITION, INVALID_TRANSITION_HASH, TRANSITION_STATE_MAX_STEPS,
};

use crate::gen::Rng;

const Z: B256 = B256::ZERO;

fn rep(b: u8) -> B256 {
    B256::repeat_byte(b)
}

fn first(b: u8) -> B256 {
    let mut w = [0u8; 32];
    w[0] = b;
    B256::from(w)
}

fn sr(ts: u64, e: &[(u64, B256)]) -> SuperRoot {
    SuperRoot::new(ts, e.iter().map(|&(c, r)| ChainOutputRoot::new(c, r)).collect())
}

fn ob(h: B256, r: B256) -> OptimisticBlock {
    OptimisticBlock::new(h, r)
}

fn ts(pre: SuperRoot, pending: &[(B256, B256)], step: u64) -> TransitionState {
    TransitionState::new(pre, pending.iter().map(|&(h, r)| ob(h, r)).collect(), step)
}

/// Checks an encoding's length, hex prefix/suffix, hash, and that it decodes back to the same value.
fn check_ts(t: &TransitionState, len: usize, prefix: &str, suffix: &str, hash: B256) {
    let enc = t.encode();
    assert_eq!(enc.len(), len);
    assert_eq!(t.encoded_len(), len);
    assert!(hex::encode(&enc).starts_with(prefix), "{} does not start with {prefix}", hex::encode(&enc));
    assert!(hex::encode(&enc).ends_with(suffix), "{} does not end with {suffix}", hex::encode(&enc));
    assert_eq!(t.hash(), hash);
    assert_eq!(keccak256(&enc), hash);
    assert_eq!(TransitionState::decode(&enc).as_ref(), Ok(t));
    assert_eq!(PreState::decode(&enc), Ok(PreState::TransitionState(t.clone())));
    assert_eq!(PreState::TransitionState(t.clone()).hash(), hash);
}

fn check_sr(s: &SuperRoot, len: usize, hash: B256) {
    let enc = s.encode();
    assert_eq!(enc.len(), len);
    assert_eq!(s.encoded_len(), len);
    assert_eq!(s.hash(), hash);
    assert_eq!(SuperRoot::decode(&enc).as_ref(), Ok(s));
    assert_eq!(PreState::decode(&enc), Ok(PreState::SuperRoot(s.clone())));
}

#[test]
fn upstream_constants() {
    // §6.1: keccak256("invalid") and kona's test_static_hash_super_root.
    assert_eq!(keccak256(INVALID_TRANSITION), INVALID_TRANSITION_HASH);
    assert_eq!(INVALID_TRANSITION_HASH, b256!("ffd7db0f9d5cdeb49c4c9eba649d4dc6d852d64671e65488e57f58584992ac68"));
    let s = sr(10, &[(1, Z), (2, Z)]);
    check_sr(&s, 137, b256!("0980033cbf4337f614a2401ab7efbfdc66ab647812f1c98d891d92ddfb376541"));
    let mut full = hex!("01000000000000000a").to_vec();
    for id in [1u8, 2] {
        full.extend_from_slice(&[0u8; 31]);
        full.push(id);
        full.extend_from_slice(&[0u8; 32]);
    }
    assert_eq!(s.encode(), full);
}

#[test]
fn derived_super_root_vectors() {
    // §6.3 super roots.
    let s = sr(10, &[(1, Z)]);
    let mut want = hex!("01000000000000000a").to_vec();
    want.extend_from_slice(&[0u8; 31]);
    want.push(1);
    want.extend_from_slice(&[0u8; 32]);
    assert_eq!(s.encode(), want);
    check_sr(&s, 73, b256!("8207efd76e585db6927057aa7298075882dab8b7f62ef0e0a2d5f8bd83669c83"));
    check_sr(
        &sr(1000, &[(10, rep(0xaa))]),
        73,
        b256!("4f050649353a555e4b1b602568f60f3d30f36d0b42d3df26f4c5ea07a040d0f1"),
    );
    check_sr(
        &sr(1001, &[(10, rep(0xcc))]),
        73,
        b256!("c8e85048b76b10b4ba87c2e1b5856284be77b64c024d62695e3e4f7cfd1dba10"),
    );
    // Go transition_state_test.go super root: 0xNN.. = Bytes32{0xNN}.
    let g = sr(9_842_494, &[(34, first(1)), (35, first(2))]);
    assert!(hex::encode(g.encode()).starts_with("010000000000962f3e"));
    check_sr(&g, 137, b256!("f8f1eaba8b36c5165331bd7777242f7d4837818c5e64d62f6f401416263d29a5"));
    // kona interop_trace_extension.rs: chains 9901/9902, outputs 0xA1…/0xB2… (32 bytes of the byte).
    let k = sr(1000, &[(9901, rep(0xa1)), (9902, rep(0xb2))]);
    check_sr(&k, 137, b256!("0bb57e69813a30971ade5d20cefba6f3b22b39517dedc38adf26b8583e4130f3"));
    // Entries are sorted by chain id, ascending.
    assert_eq!(sr(1000, &[(9902, rep(0xb2)), (9901, rep(0xa1))]), k);
}

#[test]
fn derived_transition_state_vectors() {
    // §6.3 transition states.
    let one = sr(1000, &[(10, rep(0xaa))]);
    let sr_hex = hex::encode(one.encode());
    let t1 = ts(one.clone(), &[(rep(0xbb), rep(0xcc))], 1);
    let blocks = format!("f844f842a0{}a0{}", "bb".repeat(32), "cc".repeat(32));
    check_ts(
        &t1,
        149,
        &format!("fff892b849{sr_hex}{blocks}"),
        "01",
        b256!("a03f79bcb29a28866637d15578f2111c7879c3b10d58151dfa3e280466d31c1a"),
    );
    let t127 = ts(one, &[(rep(0xbb), rep(0xcc))], 127);
    check_ts(
        &t127,
        149,
        "fff892b849",
        &format!("{blocks}7f"),
        b256!("0c6508d1295f2c72b08d3c76f0112df0a87f16921e01235136519d96acaba13e"),
    );
    // Step 127 consolidates into SR(1001, [(10, cc..)]).
    let next = PreState::from(t127).transition(None).unwrap();
    assert_eq!(next, PreState::SuperRoot(sr(1001, &[(10, rep(0xcc))])));
    assert_eq!(next.hash(), b256!("c8e85048b76b10b4ba87c2e1b5856284be77b64c024d62695e3e4f7cfd1dba10"));

    let two = sr(10, &[(1, Z), (2, Z)]);
    let two_hex = hex::encode(two.encode());
    check_ts(
        &ts(two.clone(), &[], 0),
        144,
        &format!("fff88db889{two_hex}c080"),
        "c080",
        b256!("4ab90f7b3d0294abc13710bbec134745c0477a09d426f9f94b73eb0b32ce9792"),
    );
    let zb = format!("f842a0{}a0{}", "00".repeat(32), "00".repeat(32));
    check_ts(
        &ts(two.clone(), &[(Z, Z)], 1),
        213,
        &format!("fff8d2b889{two_hex}f844{zb}"),
        "01",
        b256!("baed8acde2b31a3d82c5802e4e350c3cff95b7f26c0945375423cf0e482722af"),
    );
    let p2 = format!("fff90116b889{two_hex}f888{zb}{zb}");
    check_ts(
        &ts(two.clone(), &[(Z, Z), (Z, Z)], 1),
        282,
        &p2,
        "01",
        b256!("7def5d4c08757b57f1077f3543875c30020bd84abc5784e1b52477d6471cf7db"),
    );
    check_ts(
        &ts(two.clone(), &[(Z, Z), (Z, Z)], 2),
        282,
        &p2,
        "02",
        b256!("212bee13b6565e09b582f6fa0152f75c5dc7b6ad8d36cec966901bc594a28bd5"),
    );
    check_ts(
        &ts(two.clone(), &[(Z, Z), (Z, Z)], 127),
        282,
        &p2,
        "7f",
        b256!("4640542231e85ef40a36879398a313f18d7bdccb60c32dfa8a845b6f7d7d5c55"),
    );
    // Step 128 is not a reachable state but encodes (RLP `81 80`); transitioning it fails.
    let t128 = ts(two, &[(Z, Z), (Z, Z)], 128);
    check_ts(
        &t128,
        283,
        "fff90117b889",
        "8180",
        b256!("ba4d037d2436ccc8f31a26aeb6f7bc03accaf9d08f9ecc6b5d299a5d7df0ed13"),
    );
    assert_eq!(PreState::from(t128).transition(None), Err(PreStateError::StepOutOfRange(128)));

    // Go TS codec fixture.
    let g = sr(9_842_494, &[(34, first(1)), (35, first(2))]);
    let gt = ts(g, &[(first(5), first(3)), (first(6), first(4))], 2);
    check_ts(
        &gt,
        282,
        "fff90116b889010000000000962f3e",
        "02",
        b256!("0300049b1f440706600345720ee1882149d5194580460ef19f6f72f984e15d86"),
    );
    // kona trace-extension super root as a step-0 transition state.
    let k = sr(1000, &[(9901, rep(0xa1)), (9902, rep(0xb2))]);
    check_ts(
        &ts(k, &[], 0),
        144,
        "fff88db889",
        "c080",
        b256!("dd9b574db55b6790d4ff9fe6a47e1e1579e751793c8e45456401863f007f788b"),
    );
}

#[test]
fn structural_rules() {
    // §6.2 (kona pre_state.rs): a state at step 127 − n + 1 (n = 2) reaches a super root after two
    // transitions, with the last chain id 2.
    let two = sr(10, &[(1, Z), (2, Z)]);
    let s = PreState::from(ts(two.clone(), &[(Z, rep(1)), (Z, rep(2))], TRANSITION_STATE_MAX_STEPS - 2 + 1));
    let s = s.transition(None).unwrap();
    assert_eq!(s.step(), 127);
    let s = s.transition(None).unwrap();
    let PreState::SuperRoot(root) = s else { panic!("not a super root") };
    assert_eq!(root.timestamp, 11);
    assert_eq!(root.output_roots.last().map(|e| e.chain_id), Some(2));
    assert_eq!(root.output_roots, vec![ChainOutputRoot::new(1, rep(1)), ChainOutputRoot::new(2, rep(2))]);
    // A saturated state below step 127 does not grow its pending progress.
    let sat = PreState::from(ts(two.clone(), &[(Z, Z), (Z, Z)], 5));
    let PreState::TransitionState(t) = sat.transition(Some(ob(rep(9), rep(9)))).unwrap() else { panic!() };
    assert_eq!((t.pending_progress.len(), t.step), (2, 6));
    // The active chain is entry `step` of the super root: [1,2,3] at step 1 ⇒ 2, then 3, then none.
    let three = sr(10, &[(1, Z), (2, Z), (3, Z)]);
    let mut s = PreState::from(three.clone()).transition(Some(ob(Z, Z))).unwrap();
    assert_eq!(s.active_chain().map(|c| c.chain_id), Some(2));
    s = s.transition(Some(ob(Z, Z))).unwrap();
    assert_eq!(s.active_chain().map(|c| c.chain_id), Some(3));
    s = s.transition(Some(ob(Z, Z))).unwrap();
    assert_eq!(s.active_chain(), None);
    assert_eq!(PreState::from(three).active_chain().map(|c| c.chain_id), Some(1));
    // Decoding [2] ⇒ invalid version byte; [255, 127] ⇒ the RLP is a string where a list is expected.
    assert_eq!(PreState::decode(&[2]), Err(PreStateError::InvalidVersion(2)));
    assert_eq!(PreState::decode(&[255, 127]), Err(PreStateError::Rlp(alloy_rlp::Error::UnexpectedString)));
    assert_eq!(PreState::decode(&[]), Err(PreStateError::Empty));
    assert_eq!(PreState::decode(INVALID_TRANSITION), Err(PreStateError::InvalidVersion(b'i')));
}

#[test]
fn full_timestamp_walk() {
    // 128 states per second: from SR(T) through steps 1..=127 to SR(T+1), for 1, 2 and 5 chains.
    for n in [1u64, 2, 5] {
        let pre = SuperRoot::new(77, (0..n).map(|c| ChainOutputRoot::new(100 + c, rep(c as u8))).collect());
        let blocks: Vec<OptimisticBlock> = (0..n).map(|c| ob(rep(0x40 + c as u8), rep(0x80 + c as u8))).collect();
        let mut s = PreState::from(pre.clone());
        for step in 1..=TRANSITION_STATE_MAX_STEPS {
            let b = s.active_chain().map(|c| blocks[(c.chain_id - 100) as usize]);
            s = s.transition(b).unwrap();
            let PreState::TransitionState(t) = &s else { panic!("step {step} is not a transition state") };
            assert_eq!(t.step, step);
            assert_eq!(t.pending_progress, blocks[..step.min(n) as usize]);
            assert_eq!(t.pre_state, pre);
        }
        let s = s.transition(None).unwrap();
        let want =
            SuperRoot::new(78, (0..n).map(|c| ChainOutputRoot::new(100 + c, blocks[c as usize].output_root)).collect());
        assert_eq!(s, PreState::SuperRoot(want));
    }
}

#[test]
fn trace_index_arithmetic() {
    // §6.2 (op-challenger provider_test.go): i in 0..=126 ⇒ (T0, i+1); i in 127..=254 ⇒ (T0+1, i−127).
    let (t0, post) = (1_000u64, 1_010u64);
    for i in 0u128..=126 {
        let p = SuperTracePoint::at(i, t0, post);
        assert_eq!(p, SuperTracePoint { timestamp: t0, step: i as u64 + 1 });
        assert!(!p.is_super_root());
        assert_eq!(p.trace_index(t0), Some(i));
    }
    for i in 127u128..=254 {
        let p = SuperTracePoint::at(i, t0, post);
        assert_eq!(p, SuperTracePoint { timestamp: t0 + 1, step: i as u64 - 127 });
        assert_eq!(p.is_super_root(), i == 127);
        assert_eq!(p.trace_index(t0), Some(i));
    }
    // 128k − 1 ⇒ SR(T0 + k); the last index before the proposal; extension past it.
    for k in 1..10u128 {
        assert_eq!(SuperTracePoint::at(128 * k - 1, t0, post), SuperTracePoint { timestamp: t0 + k as u64, step: 0 });
    }
    assert_eq!(SuperTracePoint::at(128 * 10 - 2, t0, post), SuperTracePoint { timestamp: post - 1, step: 127 });
    assert_eq!(SuperTracePoint::at(128 * 10 - 1, t0, post), SuperTracePoint { timestamp: post, step: 0 });
    assert_eq!(SuperTracePoint::at(128 * 10, t0, post), SuperTracePoint { timestamp: post, step: 0 });
    // The root of a split-depth-30 top half: j = 2^30 ⇒ k = 2^23 ⇒ (poststateTs, 0) when in range.
    let root = (1u128 << 30) - 1;
    assert_eq!(SuperTracePoint::at(root, t0, post), SuperTracePoint { timestamp: post, step: 0 });
    assert_eq!(max_span_seconds(30), 8_388_608);
    let far = t0 + 8_388_608 + 5;
    assert_eq!(SuperTracePoint::at(root, t0, far), SuperTracePoint { timestamp: t0 + 8_388_608, step: 0 });
    assert_eq!(SuperTracePoint { timestamp: t0, step: 0 }.trace_index(t0), None);
    assert_eq!(SuperTracePoint { timestamp: t0 - 1, step: 3 }.trace_index(t0), None);
    assert_eq!(SuperTracePoint { timestamp: t0, step: 128 }.trace_index(t0), None);
    assert_eq!(SuperTracePoint::at(u128::MAX, 0, u64::MAX), SuperTracePoint { timestamp: u64::MAX, step: 0 });
    // Exhaustive inverse over the first 2^16 indices of a long game.
    let mut srs = 0;
    for i in 0u128..(1 << 16) {
        let p = SuperTracePoint::at(i, t0, u64::MAX);
        assert_eq!(p.trace_index(t0), Some(i));
        srs += usize::from(p.is_super_root());
    }
    assert_eq!(srs, (1 << 16) / 128);
}

// ------------------------------------------------------------------------------------------------
// Generated values
// ------------------------------------------------------------------------------------------------

fn gen_chain_id(r: &mut Rng) -> u64 {
    match r.below(4) {
        0 => r.below(16),
        1 => r.below(100_000),
        2 => u64::MAX - r.below(4),
        _ => r.next(),
    }
}

fn gen_sr(r: &mut Rng) -> SuperRoot {
    let n = match r.below(10) {
        0 => 1 + r.below(127) as usize,
        1..=4 => 1,
        _ => 1 + r.below(6) as usize,
    };
    let ts = if r.bool() { r.below(2_000_000_000) } else { r.next() };
    let e = (0..n).map(|_| ChainOutputRoot::new(gen_chain_id(r), r.b256())).collect();
    if r.below(8) == 0 {
        SuperRoot { timestamp: ts, output_roots: e } // unsorted: decoders keep the order
    } else {
        SuperRoot::new(ts, e)
    }
}

fn gen_ts(r: &mut Rng) -> TransitionState {
    let pre = gen_sr(r);
    let n = pre.len() as u64;
    let pending = r.below(n + 2) as usize;
    let step = match r.below(5) {
        0 => r.below(128),
        1 => 127,
        2 => pending as u64,
        3 => r.next(),
        _ => r.below(300),
    };
    TransitionState::new(pre, (0..pending).map(|_| ob(r.b256(), r.b256())).collect(), step)
}

#[derive(RlpEncodable)]
struct RefBlock {
    hash: B256,
    root: B256,
}

#[derive(RlpEncodable)]
struct RefTs {
    sr: Bytes,
    pending: Vec<RefBlock>,
    step: u64,
}

/// The transition-state encoding rebuilt with alloy-rlp's derive (an encoder this crate did not write).
fn reference_ts(t: &TransitionState) -> Vec<u8> {
    let r = RefTs {
        sr: t.pre_state.encode().into(),
        pending: t.pending_progress.iter().map(|b| RefBlock { hash: b.block_hash, root: b.output_root }).collect(),
        step: t.step,
    };
    let mut out = vec![0xff];
    out.extend_from_slice(&alloy_rlp::encode(&r));
    out
}

#[test]
fn round_trips() {
    let mut r = Rng(0x5e9e_7200_0001);
    const N: usize = 12_000;
    let (mut multi, mut unsorted, mut long_steps) = (0, 0, 0);
    for _ in 0..N {
        let s = gen_sr(&mut r);
        let enc = s.encode();
        assert_eq!(enc.len(), s.encoded_len());
        assert_eq!(enc.len(), 9 + 64 * s.len());
        assert_eq!(SuperRoot::decode(&enc).as_ref(), Ok(&s));
        assert_eq!(s.hash(), keccak256(&enc));
        multi += usize::from(s.len() > 1);
        unsorted += usize::from(s.output_roots.windows(2).any(|w| w[0].chain_id > w[1].chain_id));

        let t = gen_ts(&mut r);
        let enc = t.encode();
        assert_eq!(enc.len(), t.encoded_len());
        assert_eq!(enc, reference_ts(&t), "alloy-rlp re-encoding differs");
        assert_eq!(TransitionState::decode(&enc).as_ref(), Ok(&t));
        assert_eq!(PreState::decode(&enc), Ok(PreState::TransitionState(t.clone())));
        assert_eq!(t.hash(), keccak256(&enc));
        long_steps += usize::from(t.step >= 128);
    }
    println!("round trips: {N} super roots ({multi} multi-chain, {unsorted} unsorted), {N} transition states ({long_steps} with step ≥ 128)");
    assert!(multi > N / 3 && unsorted > N / 20 && long_steps > N / 10);
}

fn mutate(r: &mut Rng, mut v: Vec<u8>) -> Vec<u8> {
    for _ in 0..=r.below(3) {
        match r.below(7) {
            0 if !v.is_empty() => {
                let i = r.below(v.len() as u64) as usize;
                v[i] ^= 1 << r.below(8);
            }
            1 if !v.is_empty() => {
                let i = r.below(v.len() as u64) as usize;
                v[i] = r.next() as u8;
            }
            2 => {
                let n = r.below(v.len() as u64 + 1) as usize;
                v.truncate(n);
            }
            3 => {
                let n = 1 + r.below(70) as usize;
                let b = r.bytes(n);
                v.extend_from_slice(&b);
            }
            4 if !v.is_empty() => {
                let i = r.below(v.len() as u64) as usize;
                v.remove(i);
            }
            5 => {
                let i = r.below(v.len() as u64 + 1) as usize;
                v.insert(i, r.next() as u8);
            }
            _ if v.len() > 1 => {
                // Damage an RLP header byte or a chain id's high bytes.
                let i = 1 + r.below(((v.len() - 1) as u64).min(6)) as usize;
                v[i] = v[i].wrapping_add(1 + r.below(3) as u8);
            }
            _ => {}
        }
    }
    v
}

#[test]
fn hostile_encodings() {
    let mut r = Rng(0xbad_5e9e_0002);
    const N: usize = 20_000;
    let mut accepted = 0;
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for k in 0..N {
        let input = match k % 4 {
            0 => {
                let v = gen_sr(&mut r).encode();
                mutate(&mut r, v)
            }
            1 | 2 => {
                let v = gen_ts(&mut r).encode();
                mutate(&mut r, v)
            }
            _ => {
                let n = r.below(300) as usize;
                let mut b = r.bytes(n);
                if let Some(x) = b.first_mut() {
                    *x = [0x01, 0xff, r.next() as u8][r.below(3) as usize];
                }
                b
            }
        };
        match PreState::decode(&input) {
            Ok(s) => {
                // Whatever decodes is canonical: it re-encodes to exactly the input.
                assert_eq!(s.encode(), input);
                accepted += 1;
            }
            Err(e) => {
                let kind = match &e {
                    PreStateError::Rlp(re) => format!("Rlp({re})"),
                    other => format!("{other:?}")
                        .split(|c: char| c.is_ascii_digit())
                        .next()
                        .unwrap_or_default()
                        .trim_end_matches('(')
                        .to_string(),
                };
                *kinds.entry(kind).or_default() += 1;
                assert!(!e.to_string().is_empty());
            }
        }
        // The bare super-root decoder on the same bytes never panics either.
        let _ = SuperRoot::decode(&input);
    }
    let rejected: usize = kinds.values().sum();
    println!(
        "hostile: {N} inputs, {accepted} canonical encodings accepted, {rejected} rejected in {} kinds",
        kinds.len()
    );
    for (k, n) in &kinds {
        println!("  {n:6} {k}");
    }
    assert_eq!(accepted + rejected, N);
    assert!(rejected > N * 3 / 4, "too few rejections: {rejected}");
    assert!(kinds.len() >= 10, "too few distinct rejections: {kinds:?}");
}

#[test]
fn super_root_rejections() {
    let good = sr(5, &[(1, rep(7))]).encode();
    assert_eq!(SuperRoot::decode(&[]), Err(SuperRootError::Empty));
    assert_eq!(SuperRoot::decode(&[0xff; 73]), Err(SuperRootError::InvalidVersion(0xff)));
    assert_eq!(SuperRoot::decode(&good[..8]), Err(SuperRootError::TruncatedTimestamp(8)));
    assert_eq!(SuperRoot::decode(&good[..9]), Err(SuperRootError::NoChains));
    assert_eq!(SuperRoot::decode(&good[..72]), Err(SuperRootError::PartialChain(72)));
    let mut long = good.clone();
    long.push(0);
    assert_eq!(SuperRoot::decode(&long), Err(SuperRootError::PartialChain(74)));
    let mut big = good.clone();
    big[9 + 23] = 1; // chain id = 2^64 + 1
    assert_eq!(SuperRoot::decode(&big), Err(SuperRootError::ChainIdTooLarge(0)));
    let mut two = sr(5, &[(1, rep(7)), (2, rep(8))]).encode();
    two[9 + 64] = 0x80;
    assert_eq!(SuperRoot::decode(&two), Err(SuperRootError::ChainIdTooLarge(1)));
    // Inside a transition state the super root is checked too; trailing bytes are refused.
    let t = ts(sr(5, &[(1, rep(7))]), &[], 1).encode();
    let mut tr = t.clone();
    tr.push(0x80);
    assert_eq!(TransitionState::decode(&tr), Err(PreStateError::TrailingBytes(1)));
    assert_eq!(TransitionState::decode(&t[..t.len() - 1]), Err(PreStateError::Rlp(alloy_rlp::Error::InputTooShort)));
    let empty_sr = hex!("ffcc" "89" "010000000000000005" "c0" "01");
    assert_eq!(TransitionState::decode(&empty_sr), Err(PreStateError::SuperRoot(SuperRootError::NoChains)));
    // A non-canonical step (leading zero) and a 31-byte block hash.
    let mut nc = ts(sr(5, &[(1, rep(7))]), &[], 1).encode();
    let l = nc.len();
    nc[l - 1] = 0x00;
    assert_eq!(TransitionState::decode(&nc), Err(PreStateError::Rlp(alloy_rlp::Error::LeadingZero)));
    let mut short = ts(sr(5, &[(1, rep(7))]), &[(rep(1), rep(2))], 1).encode();
    let at = short.len() - 1 - 66 - 1; // the block hash's `a0` header
    short[at] = 0x9f;
    assert!(matches!(TransitionState::decode(&short), Err(PreStateError::Rlp(_))));
}

// ------------------------------------------------------------------------------------------------
// Differential against kona-interop 0.4.5
// ------------------------------------------------------------------------------------------------

fn kona_of(s: &SuperRoot) -> kona_interop::SuperRoot {
    kona_interop::SuperRoot {
        timestamp: s.timestamp,
        output_roots: s
            .output_roots
            .iter()
            .map(|e| kona_interop::OutputRootWithChain::new(e.chain_id, e.output_root))
            .collect(),
    }
}

fn kona_encode(k: &kona_interop::SuperRoot) -> Vec<u8> {
    let mut out = Vec::new();
    k.encode(&mut out);
    out
}

#[test]
fn kona_interop_differential() {
    let mut r = Rng(0xc0a_5e9e_0003);
    const N: usize = 12_000;
    let mut chains = 0;
    for _ in 0..N {
        let s = gen_sr(&mut r);
        let k = kona_of(&s);
        let enc = s.encode();
        assert_eq!(kona_encode(&k), enc);
        assert_eq!(k.encoded_length(), s.encoded_len());
        assert_eq!(k.hash(), s.hash());
        // Kona decodes our bytes to the same value; kona's constructor sorts the same way.
        assert_eq!(kona_interop::SuperRoot::decode(&mut enc.as_slice()).ok().as_ref(), Some(&k));
        let sorted = SuperRoot::new(s.timestamp, s.output_roots.clone());
        let ksorted = kona_interop::SuperRoot::new(k.timestamp, k.output_roots.clone());
        assert_eq!(kona_encode(&ksorted), sorted.encode());
        chains += s.len();
    }
    // Hostile super-root bytes: both accept the same inputs, except the two documented differences
    // (kona accepts zero chains; kona's u64 conversion panics on a chain id ≥ 2^64, so those are not fed to it).
    let (mut same_ok, mut same_err, mut kona_only_empty, mut wide_ids) = (0, 0, 0, 0);
    for _ in 0..N {
        let v = gen_sr(&mut r).encode();
        let input = mutate(&mut r, v);
        let ours = SuperRoot::decode(&input);
        // Kona reads whole 64-byte chunks before it sees a partial tail: any whole chunk with a wide id panics it.
        let wide =
            input.len() >= 9 && input[0] == 1 && input[9..].chunks_exact(64).any(|c| c[..24].iter().any(|&b| b != 0));
        if wide {
            wide_ids += 1;
            continue;
        }
        let theirs = kona_interop::SuperRoot::decode(&mut input.as_slice());
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(&kona_of(a), b);
                same_ok += 1;
            }
            (Err(SuperRootError::NoChains), Ok(b)) => {
                assert!(b.output_roots.is_empty());
                kona_only_empty += 1;
            }
            (Err(_), Err(_)) => same_err += 1,
            _ => panic!("decoders disagree on {}: ours {ours:?}, kona {theirs:?}", hex::encode(&input)),
        }
    }
    println!(
        "kona-interop: {N} generated super roots ({chains} chains) byte- and hash-identical; hostile {N}: {same_ok} both accept, {same_err} both reject, {kona_only_empty} zero-chain roots only kona accepts, {wide_ids} chain ids ≥ 2^64 (kona would panic)"
    );
    assert_eq!(same_ok + same_err + kona_only_empty + wide_ids, N);
    assert!(same_ok > 1_000 && same_err > N / 3 && kona_only_empty > 0 && wide_ids > 0);
}
