//! Published vectors of Cannon MT64 (shared/spec/vectors.md §1).

use rampart_vm::arch::splitmix64;
use rampart_vm::keccak::zero_hashes;
use rampart_vm::state::{thread_stack_root, EMPTY_THREAD_ROOT};
use rampart_vm::{State, ThreadState};

fn h(s: &str) -> Vec<u8> {
    hex::decode(s.trim_start_matches("0x")).unwrap()
}

fn empty_state() -> State {
    let mut s = State::new(0);
    s.heap = 0;
    s
}

#[test]
fn zero_hashes_match_table() {
    let z = zero_hashes();
    assert_eq!(z[1].to_vec(), h("0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"));
    assert_eq!(z[7].to_vec(), h("0xffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83"));
    assert_eq!(z[30].to_vec(), h("0x93237c50ba75ee485f4c22adf2f741400bdf8d6a9cc7df7ecae576221665d735"));
    assert_eq!(z[58].to_vec(), h("0x40bbe913c226c34c9fbe4389dd728984257a816892b3cae3e43191dd291f0eb5"));
    assert_eq!(z[59].to_vec(), h("0x14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc748"));
    assert_eq!(EMPTY_THREAD_ROOT, z[1]);
}

#[test]
fn empty_state_witness_and_hash() {
    let mut s = empty_state();
    let t = ThreadState::new(0, 0);
    assert_eq!(t.hash().to_vec(), h("0x142eef1e422e67c394d8fab4a0ce5c04ee405cb059176f719d9c2efb8e28d3a0"));
    assert_eq!(
        thread_stack_root(&s.left_thread_stack).to_vec(),
        h("0x505ea3064aed44444fa938e2d1385d799ec3b37386d433a611439aed796ea153")
    );
    let w = s.encode_witness();
    let expected = h(concat!(
        "14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc74800000000000000000000000000000000",
        "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
        "0000000000000000000000000000000000000000505ea3064aed44444fa938e2d1385d799ec3b37386d433a611439aed",
        "796ea153ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb50000000000000001"
    ));
    assert_eq!(w.to_vec(), expected);
    assert_eq!(s.state_hash().to_vec(), h("0x035b096e17d7b97f6bbaa13d179958e729b70813e931dc90dbf4193372f3dc71"));
}

#[test]
fn status_byte_rule() {
    let mut s = empty_state();
    for (exited, code, status) in
        [(false, 0u8, 3u8), (false, 1, 3), (true, 0, 0), (true, 1, 1), (true, 2, 2), (true, 255, 2)]
    {
        s.exited = exited;
        s.exit_code = code;
        assert_eq!(s.state_hash()[0], status, "exited={exited} code={code}");
    }
}

#[test]
fn splitmix64_sequence() {
    assert_eq!(splitmix64(0x1a2b3c4d5e6f7531), 0x4141302768c9e9d0);
    assert_eq!(splitmix64(0), 0xe220a8397b1dcdaf);
    assert_eq!(splitmix64(1), 0x910a2dec89025cc1);
    assert_eq!(splitmix64(2), 0x975835de1c9756ce);
    assert_eq!(splitmix64(100000), 0x56299769b887b354);
    let first8 = [
        0x4141302768c9e9d0u64,
        0x64df48c4eab51b1a,
        0x4e723b53dbd901b3,
        0xead8394409dd6454,
        0x3ef60e485b412a0a,
        0xb2a23aee63aecf38,
        0x6cc3b8933c4fa332,
        0x9c9e75e031e6fccb,
    ];
    for (i, want) in first8.iter().enumerate() {
        let seed = 0x1a2b3c4d5e6f7531u64.wrapping_add((i as u64).wrapping_mul(0x9e3779b97f4a7c15));
        assert_eq!(splitmix64(seed), *want, "i={i}");
    }
}
