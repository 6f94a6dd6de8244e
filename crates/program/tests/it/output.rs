use crate::Rng;
use alloy_primitives::{keccak256, B256};
use rampart_preimage::PreimageKey;
use rampart_program::{fetch_agreed_output, MemoryOracle, OutputRoot, ProgramError};

#[test]
fn output_root_matches_kona_protocol() {
    let mut rng = Rng(1);
    for _ in 0..1000 {
        let (s, m, b) = (rng.b256(), rng.b256(), rng.b256());
        let ours = OutputRoot::new(s, m, b);
        let kona = kona_protocol::OutputRoot::from_parts(s.0.into(), m.0.into(), b.0.into());
        assert_eq!(ours.encode(), kona.encode());
        assert_eq!(ours.hash().0, kona.hash().0);
        assert_eq!(OutputRoot::decode(&ours.encode()).unwrap(), ours);
    }
    // The version word is 32 zero bytes followed by the three roots.
    let o = OutputRoot::new(B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
    let mut pre = vec![0u8; 32];
    pre.extend([1u8; 32]);
    pre.extend([2u8; 32]);
    pre.extend([3u8; 32]);
    assert_eq!(o.hash(), keccak256(&pre));
}

#[test]
fn agreed_output_resolves_to_safe_head_hash() {
    let out = OutputRoot::new(B256::repeat_byte(0xaa), B256::repeat_byte(0xbb), B256::repeat_byte(0xcc));
    let mut o = MemoryOracle::new();
    let root = o.insert_keccak(out.encode());
    assert_eq!(root, out.hash());
    assert_eq!(fetch_agreed_output(&mut o, root).unwrap().block_hash, B256::repeat_byte(0xcc));
    assert_eq!(o.hints(), [format!("starting-l2-output 0x{}", hex::encode(root))]);
}

#[test]
fn hostile_output_preimages_are_errors() {
    let good = OutputRoot::new(B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3)).encode();
    let mut bad_version = good;
    bad_version[31] = 1;
    let mut o = MemoryOracle::new();
    let r = o.insert_keccak(bad_version);
    assert!(matches!(fetch_agreed_output(&mut o, r), Err(ProgramError::UnknownOutputVersion(v)) if v.0[31] == 1));
    for len in [0usize, 96, 127, 129, 256] {
        let r = o.insert_keccak(vec![0u8; len]);
        assert!(matches!(fetch_agreed_output(&mut o, r), Err(ProgramError::OutputRootLength(l)) if l == len));
    }
    // A store serving bytes that do not hash to the key.
    let root = keccak256(good);
    o.insert(PreimageKey::keccak256(root.0), vec![0u8; 128]);
    assert!(matches!(fetch_agreed_output(&mut o, root), Err(ProgramError::HashMismatch(h)) if h == root));
    // A root nobody stored.
    assert!(matches!(fetch_agreed_output(&mut o, B256::repeat_byte(9)), Err(ProgramError::MissingPreimage(_))));
}
