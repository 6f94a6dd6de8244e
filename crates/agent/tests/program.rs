//! The execution trace provider: the fault-proof program run in process in Rampart's VM on the dataset, with
//! snapshots, and its step witnesses checked by the stateless verifier through both of its interfaces.

mod common;

use alloy_primitives::{Address, B256};
use rampart_agent::dispute::flipped;
use rampart_agent::{OnChainOracle, ProgramRun};
use rampart_game::PreimageOracle;
use rampart_primitives::{LocalInputs, KECCAK256_KEY_TYPE, LOCAL_KEY_TYPE};
use rampart_verifier::{step as verify_witness, step_with_oracle, PreimageInput, StepError};
use rampart_vm::Vm;

fn block_inputs(data: &rampart_agent::DevnetData, block: u64, valid: bool) -> LocalInputs {
    let c = data.valid_claim(block).unwrap();
    LocalInputs {
        l1_head: c.l1_head.0,
        agreed_output_root: c.agreed_output_root.0,
        claimed_output_root: if valid { c.claimed_output_root.0 } else { flipped(c.claimed_output_root).0 },
        claimed_block_number: block,
        chain_id: data.chain_id,
        rollup_config: None,
        l1_config: None,
    }
}

/// The in-process run gives the hosted program's verdicts on block 1's claims (exit 0 valid, 1 wrong), with its
/// exact step counts, snapshots, and replays equal to a straight run.
#[test]
fn in_process_runs_match_the_hosted_program() {
    let data = common::data();
    let runner = common::program_runner(&data);
    assert_eq!(
        runner.absolute_prestate(),
        "0x036f134353c49fa06b0ddd5dd44f5bf816d642a6e5698524942a3019ca3f40bf".parse::<B256>().unwrap()
    );
    let valid = runner.run(&block_inputs(&data, 1, true)).unwrap();
    assert_eq!((valid.steps(), valid.exit_code(), valid.final_hash().0[0]), (18_448_196, 0, 0));
    assert_eq!(valid.snapshots(), 5); // steps 0, 2^22, 2·2^22, 3·2^22, 4·2^22
    let wrong = runner.run(&block_inputs(&data, 1, false)).unwrap();
    assert_eq!((wrong.steps(), wrong.exit_code(), wrong.final_hash().0[0]), (18_449_108, 1, 1));
    // Same inputs: the same run, not a second one.
    runner.run(&block_inputs(&data, 1, true)).unwrap();
    assert_eq!(runner.runs(), 2);

    // Hashes from the nearest snapshot equal a straight run from the prestate, around snapshot boundaries too.
    let interval = rampart_agent::DEFAULT_SNAPSHOT_INTERVAL;
    let mut straight = Vm::new(common::prestate()).with_oracle(Box::new(rampart_agent::ProgramOracle::new(
        &LocalInputs {
            rollup_config: Some(data.rollup_config.clone()),
            l1_config: Some(data.l1_config.clone()),
            ..block_inputs(&data, 1, true)
        },
        data.preimages.clone(),
    )));
    let points =
        [0, 1, 100_653, interval - 1, interval, interval + 1, 3 * interval + 7, valid.steps() - 1, valid.steps()];
    for n in points {
        straight.run(n - straight.state.step).unwrap();
        assert_eq!(B256::from(straight.state.state_hash()), valid.hash_at(n).unwrap(), "state {n}");
    }
    assert_eq!(valid.hash_at(valid.steps() + 1_000).unwrap(), valid.final_hash(), "trace extension");
    assert!(valid.replayed_steps() < points.len() as u64 * interval);
}

fn check_step(run: &ProgramRun, n: u64, caller: Address, ctx: B256, inputs: &LocalInputs) -> rampart_vm::StepWitness {
    let w = run.witness(n).unwrap();
    let post = run.hash_at(n + 1).unwrap();
    let pre = w.preimage.as_ref().map(|(k, v, o)| PreimageInput { key: *k, value: v.clone(), offset: *o });
    assert_eq!(
        B256::from(verify_witness(&w.state, &w.proof_data, pre.as_ref(), ctx.0).unwrap().post_hash),
        post,
        "witness path, step {n}"
    );
    // The contract's interface: the part loaded as the game loads it, read back under the localized key.
    let mut oracle = PreimageOracle::new();
    if let Some((key, value, offset)) = &w.preimage {
        match key[0] {
            LOCAL_KEY_TYPE => {
                let ident = u64::from_be_bytes(key[24..].try_into().unwrap());
                let v = inputs.get(ident).unwrap();
                let mut word = [0u8; 32];
                word[..v.len()].copy_from_slice(&v);
                oracle.load_local_data(caller, ident, ctx, B256::from(word), v.len() as u64, *offset).unwrap();
            }
            KECCAK256_KEY_TYPE => {
                oracle.load_keccak256_preimage_part(*offset, &value[8..]).unwrap();
            }
            t => panic!("unexpected key type {t}"),
        }
    }
    let got = step_with_oracle(&w.state, &w.proof_data, ctx.0, caller.0 .0, &OnChainOracle(&oracle)).unwrap();
    assert_eq!(B256::from(got.post_hash), post, "oracle path, step {n}");
    if w.preimage.is_some() {
        // Without the upload the contract reverts "pre-image must exist"; under another caller's key too.
        let empty = PreimageOracle::new();
        assert!(matches!(
            step_with_oracle(&w.state, &w.proof_data, ctx.0, caller.0 .0, &OnChainOracle(&empty)),
            Err(StepError::PreimageMissing(_))
        ));
    }
    w
}

/// Steps reading a local key, a keccak256 preimage longer than 24 bytes, and the program's last step verify
/// through the witness interface and the contract's (part and length from the oracle, local keys localized to
/// the game and the local context); the old zero-filled whole-preimage reconstruction is rejected.
#[test]
fn program_steps_verify_with_the_contract_interface() {
    let data = common::data();
    let runner = common::program_runner(&data);
    let inputs = block_inputs(&data, 1, false);
    let run = runner.run(&inputs).unwrap();
    let caller = Address::repeat_byte(0xfd);
    let ctx = B256::repeat_byte(0x5c);
    let local = run.find_read(0, |k, _, _| k[0] == LOCAL_KEY_TYPE).unwrap().unwrap();
    let keccak = run.find_read(0, |k, len, off| k[0] == KECCAK256_KEY_TYPE && len > 24 && off >= 32).unwrap().unwrap();
    assert_eq!((local, keccak), (185, 100_683));
    let w = check_step(&run, local, caller, ctx, &inputs);
    assert_eq!(w.preimage.as_ref().map(|p| p.0[31]), Some(1), "the first local read is the L1 head (key 1)");
    let w = check_step(&run, keccak, caller, ctx, &inputs);
    let (key, value, offset) = w.preimage.clone().unwrap();
    assert_eq!((value.len() - 8, offset), (128, 32), "the agreed output root's preimage, read at offset 32");
    check_step(&run, run.steps() - 1, caller, ctx, &inputs);
    check_step(&run, 0, caller, ctx, &inputs);
    // What the old glue did: the whole preimage rebuilt from the 32-byte part, zeros elsewhere. The witness
    // interface hashes it and refuses.
    let mut zeroed = vec![0u8; value.len()];
    zeroed[..8].copy_from_slice(&value[..8]);
    zeroed[offset as usize..offset as usize + 32].copy_from_slice(&value[offset as usize..offset as usize + 32]);
    let bad = PreimageInput { key, value: zeroed, offset };
    assert_eq!(verify_witness(&w.state, &w.proof_data, Some(&bad), ctx.0), Err(StepError::PreimageHashMismatch(key)));
}
