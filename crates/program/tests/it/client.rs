use alloy_consensus::Header;
use alloy_primitives::B256;
use rampart_preimage::LocalKey;
use rampart_program::{
    check_claim, exit_code, prologue, trace_extension_verdict, BootInfo, MemoryOracle, OutputRoot, ProgramError,
    Prologue,
};

/// A store with a safe head at `safe` and a claim for block `claimed` with root `claim` (`None`: the agreed root).
fn setup(safe: u64, claimed: u64, claim: Option<B256>) -> (MemoryOracle, B256, B256) {
    let mut o = MemoryOracle::new();
    let header =
        Header { number: safe, state_root: B256::repeat_byte(4), timestamp: 1_000 + 2 * safe, ..Default::default() };
    let hash = o.insert_keccak(alloy_rlp::encode(&header));
    let out = OutputRoot::new(header.state_root, B256::repeat_byte(5), hash);
    let agreed = o.insert_keccak(out.encode());
    o.insert_local(LocalKey::L1Head.index(), [1u8; 32]);
    o.insert_local(LocalKey::L2OutputRoot.index(), agreed.0);
    o.insert_local(LocalKey::L2Claim.index(), claim.unwrap_or(agreed).0);
    o.insert_local(LocalKey::L2ClaimBlockNumber.index(), claimed.to_be_bytes());
    o.insert_local(LocalKey::L2ChainId.index(), 11_155_420u64.to_be_bytes());
    (o, agreed, hash)
}

#[test]
fn prologue_resolves_safe_head_and_hints() {
    let (mut o, agreed, hash) = setup(100, 105, Some(B256::repeat_byte(9)));
    let boot = BootInfo::load(&mut o).unwrap();
    match prologue(&mut o, &boot).unwrap() {
        Prologue::Derive { safe_head, safe_head_hash } => {
            assert_eq!((safe_head.number, safe_head_hash), (100, hash));
        }
        p => panic!("{p:?}"),
    }
    assert_eq!(
        o.hints(),
        [format!("starting-l2-output 0x{}", hex::encode(agreed)), format!("l2-block-header 0x{}", hex::encode(hash))]
    );
}

#[test]
fn trace_extension_only_at_the_safe_head() {
    // Claimed block = safe head: valid iff claimed root == agreed root.
    let (mut o, _, _) = setup(100, 100, None);
    let boot = BootInfo::load(&mut o).unwrap();
    assert_eq!(prologue(&mut o, &boot).unwrap(), Prologue::TraceExtension);
    assert_eq!(exit_code(&trace_extension_verdict(&boot)), 0);
    let (mut o, agreed, _) = setup(100, 100, Some(B256::repeat_byte(9)));
    let boot = BootInfo::load(&mut o).unwrap();
    assert_eq!(prologue(&mut o, &boot).unwrap(), Prologue::TraceExtension);
    let r = trace_extension_verdict(&boot);
    assert!(
        matches!(r, Err(ProgramError::InvalidClaim { computed, claimed }) if computed == agreed && claimed == B256::repeat_byte(9))
    );
    assert_eq!(exit_code(&r), 1);
    // Equal roots at a later block number do not short-circuit (does_not_short_circuit_on_root_match_at_different_block).
    let (mut o, _, _) = setup(100, 101, None);
    let boot = BootInfo::load(&mut o).unwrap();
    assert!(matches!(prologue(&mut o, &boot).unwrap(), Prologue::Derive { .. }));
}

#[test]
fn claim_below_safe_head_is_invalid() {
    for claimed in [0u64, 50, 99] {
        let (mut o, _, _) = setup(100, claimed, None);
        let boot = BootInfo::load(&mut o).unwrap();
        let r = prologue(&mut o, &boot);
        assert!(matches!(r, Err(ProgramError::ClaimBelowSafeHead { claimed: c, safe_head: 100 }) if c == claimed));
        assert_eq!(exit_code(&r), 1);
    }
    assert_eq!(exit_code(&check_claim(B256::ZERO, B256::ZERO)), 0);
    assert_eq!(exit_code(&check_claim(B256::ZERO, B256::repeat_byte(1))), 1);
}
