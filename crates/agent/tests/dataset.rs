//! The bundled devnet dataset: what it holds, read generically from the committed files.

mod common;

use rampart_agent::dispute::flipped;
use rampart_agent::DevnetData;

#[test]
fn bundled_dataset_is_the_committed_one() {
    let data = common::data();
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../testdata/devnet"));
    let opened = DevnetData::open(dir).unwrap();
    assert_eq!(data.claims, opened.claims);
    assert_eq!(data.preimages, opened.preimages);
    assert_eq!((data.rollup_config.clone(), data.l1_config.clone()), (opened.rollup_config, opened.l1_config));
    assert_eq!(data.chain_id, 901);
    assert_eq!(data.claims.len(), 48);
    assert_eq!(data.preimages.len(), 33_963);
    // op-geth's output roots: block 0 (block 1's agreed output) through 24, each valid claim's agreed root the
    // previous block's claimed one (checked while reading).
    assert_eq!(data.blocks().collect::<Vec<_>>(), (0..=24).collect::<Vec<_>>());
    // Every wrong claim is the valid one with its last byte flipped, the liars' rule in `dispute`.
    let mut wrong = 0;
    for c in data.claims.iter().filter(|c| !c.valid) {
        assert_eq!(c.claimed_output_root, flipped(data.output_at(c.l2_block).unwrap()), "block {}", c.l2_block);
        assert_eq!(c.agreed_output_root, data.output_at(c.l2_block - 1).unwrap());
        wrong += 1;
    }
    assert_eq!(wrong, 24);
    // Local keys 6 and 7 are the configs, normalized as `rampart host` serves them.
    let v: serde_json::Value = serde_json::from_slice(&data.rollup_config).unwrap();
    assert_eq!(v["l2_chain_id"].as_u64(), Some(901));
}

#[test]
fn malformed_datasets_are_refused_with_a_reason() {
    let d = common::data();
    let rollup = serde_json::to_vec(&serde_json::from_slice::<serde_json::Value>(&d.rollup_config).unwrap()).unwrap();
    let ok_claims = br#"[{"l2_block":1,"valid":true,"l2_chain_id":5,"host_args":["--l1-head","0x0000000000000000000000000000000000000000000000000000000000000001","--agreed-l2-head-hash","0x0000000000000000000000000000000000000000000000000000000000000002","--agreed-l2-output-root","0x0000000000000000000000000000000000000000000000000000000000000003","--claimed-l2-output-root","0x0000000000000000000000000000000000000000000000000000000000000004","--claimed-l2-block-number","1"]}]"#;
    let kv = b"0x0200000000000000000000000000000000000000000000000000000000000000 0x01\n";
    let one = DevnetData::from_parts(ok_claims, &rollup, b"{}", kv).unwrap();
    assert_eq!((one.chain_id, one.claims.len(), one.preimages.len()), (5, 1, 1));
    type Case<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a str);
    let cases: [Case<'_>; 5] = [
        (b"{", &rollup, kv, "claims.json"),
        (b"[{}]", &rollup, kv, "no l2_block"),
        (&ok_claims.replace_block(), &rollup, kv, "--claimed-l2-block-number"),
        (ok_claims, b"not json", kv, "rollup.json is not JSON"),
        (ok_claims, &rollup, b"0x12 0x34\n", "preimages.kv.gz: line 1"),
    ];
    for (claims, rollup, kv, want) in cases {
        let err = DevnetData::from_parts(claims, rollup, b"{}", kv).unwrap_err().to_string();
        assert!(err.contains(want), "{err} lacks {want}");
    }
}

trait ReplaceBlock {
    fn replace_block(&self) -> Vec<u8>;
}

impl ReplaceBlock for [u8] {
    fn replace_block(&self) -> Vec<u8> {
        String::from_utf8(self.to_vec())
            .unwrap()
            .replace(r#""--claimed-l2-block-number","1""#, r#""--claimed-l2-block-number","2""#)
            .into_bytes()
    }
}
