//! `rampart verify --caller --local-context`: a step reading a local key is also checked the way a game at
//! `--caller` checks it, its value loaded with `addLocalData` and read back by `MIPS64.step` under the key
//! localized to that caller and local context (`PreimageKeyLib.localize`), which `verify` prints.

mod common;

use common::{rampart, workdir};
use rampart_agent::dispute::{program_prestate, runner};
use rampart_agent::DevnetData;
use rampart_vm::proof::ProofJson;

#[test]
fn verify_reads_local_keys_localized_to_the_caller_and_local_context() {
    let data = DevnetData::bundled().unwrap();
    let elf = std::fs::read(common::repo().join("guests/bin/rampart-program.elf")).unwrap();
    let r = runner(&data, program_prestate(&elf).unwrap());
    let c = data.valid_claim(1).unwrap();
    let inputs = rampart_primitives::LocalInputs {
        l1_head: c.l1_head.0,
        agreed_output_root: c.agreed_output_root.0,
        claimed_output_root: c.claimed_output_root.0,
        claimed_block_number: 1,
        chain_id: data.chain_id,
        rollup_config: None,
        l1_config: None,
    };
    let run = r.run(&inputs).unwrap();
    let at = run.find_read(0, |k, _, _| k[0] == 1).unwrap().unwrap();
    let w = run.witness(at).unwrap();
    let post = run.hash_at(at + 1).unwrap();
    let dir = workdir("verify", "contract");
    let path = dir.join("local.json");
    std::fs::write(&path, serde_json::to_vec(&ProofJson::new(at, &w, post.0)).unwrap()).unwrap();
    let caller = "0xfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd";
    let mut keys = Vec::new();
    for ctx in ["0x".to_string() + &"11".repeat(32), "0x".to_string() + &"22".repeat(32)] {
        let o =
            rampart(&["verify", "--proof", path.to_str().unwrap(), "--caller", caller, "--local-context", &ctx], &dir);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some(format!("ok {post}").as_str()));
        let want =
            rampart_primitives::localize_ident(1, &[0xfd; 20], &hex::decode(&ctx[2..]).unwrap().try_into().unwrap());
        let line = lines.next().unwrap_or_default().to_string();
        assert!(line.starts_with(&format!("read oracle key 0x{}", hex::encode(want))), "{line}");
        keys.push(line);
    }
    assert_ne!(keys[0], keys[1], "another local context reads another oracle slot");
    // A bad caller is a usage error, not a panic.
    let o = rampart(&["verify", "--proof", path.to_str().unwrap(), "--caller", "0x12"], &dir);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--caller: expected 20 bytes"));
}
