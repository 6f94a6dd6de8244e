//! Hostile inputs never crash the VM's parsers: random mutations and truncations of real guest ELFs and state
//! files give `Ok` or a typed error, never a panic, and anything that loads also runs a few steps safely.

use proptest::prelude::*;
use rampart_vm::elf::Elf;
use rampart_vm::{state_file, Vm};
use std::path::Path;

fn guest(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/bin").join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn mutate(mut data: Vec<u8>, edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    for &(pos, v) in edits {
        if !data.is_empty() {
            let n = data.len();
            // Bias half the edits into the headers, where they matter most.
            let i = if pos % 2 == 0 { pos % n.min(512) } else { pos % n };
            data[i] = v;
        }
    }
    if let Some(c) = cut {
        let n = data.len();
        data.truncate(c % (n + 1));
    }
    data
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_elfs_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                cut in prop::option::of(any::<usize>()), which in 0usize..3) {
        let name = ["rust-hello.elf", "asm-branch.elf", "cannon-quirks.elf"][which];
        let data = mutate(guest(name), &edits, cut);
        if let Ok(elf) = Elf::parse(&data) {
            let _ = elf.symbols();
            if let Ok(state) = elf.load() {
                let mut vm = Vm::new(state);
                let _ = vm.run(2_000);
            }
        }
    }

    #[test]
    fn mutated_state_files_never_panic(edits in prop::collection::vec((any::<usize>(), any::<u8>()), 1..8),
                                       cut in prop::option::of(any::<usize>())) {
        let state = Elf::parse(&guest("asm-branch.elf")).unwrap().load().unwrap();
        let raw = state_file::encode(&state);
        let data = mutate(raw, &edits, cut);
        if let Ok(mut s) = state_file::decode(&data) {
            let _ = s.state_hash();
            let mut vm = Vm::new(s);
            let _ = vm.run(2_000);
        }
    }

    #[test]
    fn random_bytes_are_rejected_cleanly(data in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Elf::parse(&data).map(|e| e.load());
        let _ = state_file::decode(&data);
    }
}
