//! `rampart batch-decode` on the real op-node batcher transaction and channel, and on damaged copies: JSON on
//! stdout and exit 0, or exit 1 with one error line naming the input and the offset.

mod common;

use common::{rampart, repo, workdir};

const INBOX: &str = "0xff00000000000000000000000000000000000010";
const BATCHER: &str = "0x6887246668a3b87F54DeB3b94Ba47a6f63F32985";

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    [&["batch-decode", "--inbox", INBOX, "--batcher", BATCHER], extra].concat()
}

#[test]
fn batch_decode_real_and_damaged_data() {
    let dir = workdir("batch-decode", "cli");
    let tx = repo().join("crates/protocol/testdata/batcher-tx.bin");
    let channel = repo().join("crates/protocol/testdata/channel-zlib.hex");
    let o = rampart(&args(&["--tx", tx.to_str().unwrap(), "--channel", channel.to_str().unwrap()]), &dir);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["frames"], 1);
    let channels = report["channels"].as_array().unwrap();
    assert_eq!(channels.len(), 2);
    assert_eq!(
        (channels[0]["batches"][0]["block_count"].as_u64(), channels[1]["batches"][0]["block_count"].as_u64()),
        (Some(27), Some(143))
    );

    // The transaction cut inside its frame: the envelope no longer decodes; the calldata as a blob's content,
    // cut: the frame is named with its offset.
    let bytes = std::fs::read(&tx).unwrap();
    let cut = dir.join("cut.bin");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let o = rampart(&args(&["--tx", cut.to_str().unwrap()]), &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("cut.bin") && err.contains("not a signed transaction"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let text = std::fs::read_to_string(&channel).unwrap();
    let damaged = dir.join("damaged.hex");
    std::fs::write(&damaged, &text[..200_001 * 2]).unwrap();
    let o = rampart(&args(&["--channel", damaged.to_str().unwrap()]), &dir);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("damaged.hex") && err.contains("batch 0 at offset 0"), "{err}");

    let o = rampart(&["batch-decode", "--inbox", INBOX, "--batcher", BATCHER], &dir);
    assert_eq!(o.status.code(), Some(1));
}
