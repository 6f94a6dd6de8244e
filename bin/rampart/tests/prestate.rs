//! `rampart prestate` prints the absolute prestate hash that `load-elf` + `witness` give, and the README states the
//! bundled program's.

mod common;

use common::{load_elf, rampart, repo, workdir};

#[test]
fn prestate_is_load_elf_then_witness_hash() {
    let dir = workdir("program-cli", "prestate");
    for name in ["rust-hello", "rampart-program"] {
        let elf = repo().join(format!("guests/bin/{name}.elf"));
        let o = rampart(&["prestate", "--elf", elf.to_str().unwrap()], &dir);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let hash = String::from_utf8(o.stdout).unwrap().trim().to_string();
        assert_eq!(hash.len(), 66, "{hash}");
        let state = dir.join(format!("{name}.bin.gz"));
        load_elf(&elf, &state, None, &dir);
        let w = rampart(&["witness", "--input", state.to_str().unwrap()], &dir);
        let witness = String::from_utf8(w.stdout).unwrap();
        assert!(witness.contains(&hash[2..]), "{name}: {hash} not in {witness}");
    }
    // The bundled program's prestate is the one the README states.
    let o = rampart(&["prestate"], &dir);
    let hash = String::from_utf8(o.stdout).unwrap().trim().to_string();
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    assert!(readme.contains(&format!("`{hash}`")), "README does not state the prestate {hash}");
}
