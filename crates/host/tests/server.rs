//! The preimage server over in-memory pipes: the e2e self-check (the same logic as the `rust-oracle-e2e`
//! guest), verification of keccak256/sha256 preimages, missing keys, hostile input on both channels.

use rampart_host::preimage::native::{oracle_pipes, ClientEnds};
use rampart_host::preimage::selftest::{self, Fixture};
use rampart_host::preimage::{Channel, ChannelError, Hint, HintWriter, OracleError, OracleReader, PreimageKey};
use rampart_host::{
    KeyValueStore, LocalInputs, MemoryKeyValueStore, PreimageServer, ServeReport, ServerError, SplitStore,
};
use rampart_primitives::{keccak256, sha256};
use std::io::Write;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

fn locals_of(f: &Fixture) -> LocalInputs {
    f.local_inputs()
}

fn store_of(f: &Fixture) -> SplitStore<LocalInputs, MemoryKeyValueStore> {
    let mut global = MemoryKeyValueStore::new();
    for (k, v) in &f.preimages {
        global.set(*k, v.clone()).unwrap();
    }
    SplitStore::new(locals_of(f), global)
}

fn spawn_server<S: KeyValueStore + Send + 'static>(
    store: S,
) -> (ClientEnds, JoinHandle<Result<ServeReport, ServerError>>) {
    let (client, server) = oracle_pipes();
    let h = std::thread::spawn(move || {
        PreimageServer::new(store).serve(server.hint_rx, server.hint_tx, server.key_rx, server.data_tx)
    });
    (client, h)
}

#[test]
fn e2e_self_check_natively_matches_the_guest_expected_output() {
    let f = Fixture::standard();
    let (client, server) = spawn_server(store_of(&f));
    let mut hints = HintWriter::new(client.hint);
    let mut oracle = OracleReader::new(client.preimage);
    let report = selftest::run(&mut hints, &mut oracle).expect("self-check passes");
    drop((hints, oracle));
    let served = server.join().unwrap().expect("server ends cleanly at EOF");

    assert_eq!(report.block_number, 4);
    assert_eq!(report.chain_id, 11_155_420);
    assert_eq!(report.preimages, 5 + 1 + 4 + 1);
    assert_eq!(report.hints, 4);
    assert_eq!(served.preimages, report.preimages);
    assert_eq!(served.bytes, report.bytes);
    assert!(report.bytes > 100_000, "the large node was read: {}", report.bytes);
    // Every hint names a hop digest (the full keccak of the chain node fetched next), in order.
    let want: Vec<Hint> = f.preimages[1..5]
        .iter()
        .map(|(k, v)| {
            let d = keccak256(v);
            assert!(k.matches_digest(&d));
            Hint::new(selftest::HOP_HINT, d.to_vec())
        })
        .collect();
    assert_eq!(served.hints, want);
    assert!(served.bad_hints.is_empty());

    let expected = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/expected/rust-oracle-e2e.stdout");
    let expected = std::fs::read_to_string(&expected).expect("guests/expected/rust-oracle-e2e.stdout");
    assert_eq!(report.to_string(), expected);
}

#[test]
fn self_check_detects_a_broken_chain() {
    let f = Fixture::standard();
    let mut locals = locals_of(&f);
    locals.claimed_output_root[7] ^= 1;
    let mut global = MemoryKeyValueStore::new();
    for (k, v) in &f.preimages {
        global.set(*k, v.clone()).unwrap();
    }
    let (client, server) = spawn_server(SplitStore::new(locals, global));
    let mut hints = HintWriter::new(client.hint);
    let mut oracle = OracleReader::new(client.preimage);
    assert_eq!(selftest::run(&mut hints, &mut oracle), Err(selftest::CheckError::ClaimMismatch));
    drop((hints, oracle));
    server.join().unwrap().unwrap();
}

#[test]
fn missing_key_ends_the_server_with_an_error_naming_it_and_the_client_sees_the_close() {
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    let mut oracle = OracleReader::new(client.preimage);
    let key = PreimageKey::keccak256([0x5a; 32]);
    // The client's read must end (the server closes its side), not block: run it on a thread and wait for its
    // answer on a channel with a generous liveness bound.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let r = oracle.get(key);
        let _ = tx.send((r, oracle));
    });
    let (err, _oracle) = rx.recv_timeout(Duration::from_secs(60)).expect("the client's read blocked");
    assert_eq!(err.unwrap_err(), OracleError::Channel { key, source: ChannelError::Closed });
    let e = server.join().unwrap().unwrap_err();
    assert!(matches!(e, ServerError::Missing { .. }));
    let msg = e.to_string();
    assert!(msg.contains(&hex::encode(key.as_bytes())), "{msg}");
    assert!(msg.contains("keccak256"), "{msg}");
}

#[test]
fn tampered_keccak_and_sha256_preimages_are_refused() {
    let good = b"some preimage".to_vec();
    for key in [PreimageKey::keccak256(keccak256(&good)), PreimageKey::sha256(sha256(&good))] {
        // Served when it matches.
        let mut store = MemoryKeyValueStore::new();
        store.set(key, good.clone()).unwrap();
        let (client, server) = spawn_server(store);
        let mut oracle = OracleReader::new(client.preimage);
        assert_eq!(oracle.get(key).unwrap(), good);
        drop(oracle);
        assert_eq!(server.join().unwrap().unwrap().preimages, 1);
        // Refused when it does not.
        let mut store = MemoryKeyValueStore::new();
        store.set(key, b"some preimagE".to_vec()).unwrap();
        let (client, server) = spawn_server(store);
        let mut oracle = OracleReader::new(client.preimage);
        assert!(oracle.get(key).is_err());
        let e = server.join().unwrap().unwrap_err();
        assert!(matches!(e, ServerError::BadPreimage { .. }), "{e}");
        assert!(e.to_string().contains(&hex::encode(key.as_bytes())));
    }
}

#[test]
fn unverifiable_types_are_served_as_stored() {
    let mut store = MemoryKeyValueStore::new();
    let blob = PreimageKey::blob([9; 32]);
    let pre = PreimageKey::precompile([8; 32]);
    store.set(blob, vec![1; 32]).unwrap();
    store.set(pre, vec![1, 2, 3]).unwrap();
    let (client, server) = spawn_server(store);
    let mut oracle = OracleReader::new(client.preimage);
    assert_eq!(oracle.get(blob).unwrap(), vec![1; 32]);
    assert_eq!(oracle.get(pre).unwrap(), vec![1, 2, 3]);
    drop(oracle);
    let r = server.join().unwrap().unwrap();
    assert_eq!((r.preimages, r.bytes), (2, 35));
}

#[test]
fn empty_preimage_is_served_with_zero_length() {
    let mut store = MemoryKeyValueStore::new();
    let key = PreimageKey::keccak256(keccak256(&[]));
    store.set(key, vec![]).unwrap();
    let (client, server) = spawn_server(store);
    let mut oracle = OracleReader::new(client.preimage);
    assert_eq!(oracle.get(key).unwrap(), Vec::<u8>::new());
    let mut buf = [0u8; 0];
    oracle.get_exact(key, &mut buf).unwrap();
    drop(oracle);
    assert_eq!(server.join().unwrap().unwrap().preimages, 2);
}

#[test]
fn invalid_key_types_and_truncated_keys_are_errors() {
    for raw0 in [0u8, 7, 200] {
        let (client, server) = spawn_server(MemoryKeyValueStore::new());
        let mut ch = client.preimage;
        let mut raw = [1u8; 32];
        raw[0] = raw0;
        ch.write_all(&raw).unwrap();
        let mut b = [0u8; 8];
        assert_eq!(ch.read_exact(&mut b), Err(ChannelError::Closed));
        let e = server.join().unwrap().unwrap_err();
        assert!(matches!(e, ServerError::InvalidKey { .. }), "{e}");
    }
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    let mut ch = client.preimage;
    ch.write_all(&[2u8; 20]).unwrap();
    drop(ch);
    assert!(matches!(server.join().unwrap(), Err(ServerError::TruncatedKey(20))));
}

#[test]
fn hints_are_acked_even_when_undecodable_and_recorded() {
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    let mut hints = HintWriter::new(client.hint);
    hints.hint(&Hint::new("l1-block-header", vec![0xaa; 32])).unwrap();
    hints.hint_str("not-a-hint").unwrap();
    hints.hint_str("bad-hex 0xzz").unwrap();
    hints.hint(&Hint::new("l2-code", vec![])).unwrap();
    drop(hints);
    drop(client.preimage);
    let r = server.join().unwrap().unwrap();
    assert_eq!(r.hints, vec![Hint::new("l1-block-header", vec![0xaa; 32]), Hint::new("l2-code", vec![])]);
    assert_eq!(r.bad_hints.len(), 2);
    assert!(r.hint_error.is_none());
}

#[test]
fn hostile_hint_length_stops_the_hint_channel_without_panicking() {
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    let mut ch = client.hint;
    ch.write_all(&u32::MAX.to_be_bytes()).unwrap();
    // The hint thread stops (closing its ends), so the client sees no ack.
    let mut ack = [0u8; 1];
    assert_eq!(ch.read_exact(&mut ack), Err(ChannelError::Closed));
    drop(client.preimage);
    let r = server.join().unwrap().unwrap();
    assert!(r.hint_error.unwrap().contains("exceeds"));
}

/// A hint flood keeps the host bounded: the report holds the first `REPORTED_HINTS` decoded and undecodable hints
/// and counts the rest; hint-made preimages past the derived-bytes bound end the hint channel with an error.
#[test]
fn hint_flood_is_counted_not_kept() {
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    let mut ch = client.hint;
    const GOOD: u32 = 200_000;
    const BAD: u32 = 50_000;
    for i in 0..GOOD + BAD {
        // Undecodable: no space between type and data.
        let text = if i < GOOD { format!("l1-block-header 0x{i:064x}") } else { format!("nospace{i}") };
        ch.write_all(&(text.len() as u32).to_be_bytes()).unwrap();
        ch.write_all(text.as_bytes()).unwrap();
        let mut a = [9u8];
        ch.read_exact(&mut a).unwrap();
        assert_eq!(a[0], 0);
    }
    drop((ch, client.preimage));
    let r = server.join().unwrap().unwrap();
    assert_eq!(r.hints_received, u64::from(GOOD + BAD));
    assert_eq!(r.hints.len(), rampart_host::REPORTED_HINTS);
    assert_eq!(
        r.hints[4095],
        Hint::new("l1-block-header", {
            let mut d = vec![0u8; 32];
            d[30..].copy_from_slice(&4095u16.to_be_bytes());
            d
        })
    );
    assert_eq!(r.bad_hints.len(), rampart_host::REPORTED_HINTS);
    assert!(r.hint_error.is_none());

    // A handler that makes 1 MiB per hint, bounded at 8 MiB: the ninth hint ends the hint channel.
    let handler: rampart_host::HintHandler =
        std::sync::Arc::new(|h: &Hint| vec![(PreimageKey::precompile(keccak256(&h.data)), vec![7u8; 1 << 20])]);
    let (client, server_ends) = oracle_pipes();
    let server =
        std::thread::spawn(move || {
            PreimageServer::new(MemoryKeyValueStore::new())
                .with_hint_handler(handler)
                .with_derived_limit(8 << 20)
                .serve(server_ends.hint_rx, server_ends.hint_tx, server_ends.key_rx, server_ends.data_tx)
        });
    let mut ch = client.hint;
    let mut acked = 0;
    for i in 0..20u32 {
        let text = format!("l1-precompile 0x{i:08x}");
        ch.write_all(&(text.len() as u32).to_be_bytes()).unwrap();
        ch.write_all(text.as_bytes()).unwrap();
        let mut a = [9u8];
        if ch.read_exact(&mut a).is_err() {
            break;
        }
        acked += 1;
    }
    drop((ch, client.preimage));
    let r = server.join().unwrap().unwrap();
    assert_eq!(acked, 8, "hints acknowledged before the bound");
    let e = r.hint_error.expect("the bound ends the hint channel");
    assert!(e.contains("over the host's bound of 8388608"), "{e}");
}

#[test]
fn interleaved_hints_and_preimages_from_two_threads() {
    let f = Fixture::standard();
    let (client, server) = spawn_server(store_of(&f));
    let mut hint_ch = client.hint;
    let hinter = std::thread::spawn(move || {
        for i in 0..200u32 {
            let text = format!("k{i} 0x{:08x}", i);
            hint_ch.write_all(&(text.len() as u32).to_be_bytes()).unwrap();
            hint_ch.write_all(text.as_bytes()).unwrap();
            let mut a = [9u8];
            hint_ch.read_exact(&mut a).unwrap();
            assert_eq!(a[0], 0);
        }
    });
    let mut oracle = OracleReader::new(client.preimage);
    for _ in 0..20 {
        for (k, v) in &f.preimages {
            assert_eq!(&oracle.get(*k).unwrap(), v);
        }
    }
    hinter.join().unwrap();
    drop(oracle);
    let r = server.join().unwrap().unwrap();
    assert_eq!(r.hints.len(), 200);
    assert_eq!(r.preimages, 20 * f.preimages.len() as u64);
}

#[test]
fn server_ends_cleanly_on_immediate_eof_and_keeps_serving_after_hint_channel_closes() {
    let (client, server) = spawn_server(MemoryKeyValueStore::new());
    drop(client);
    assert_eq!(server.join().unwrap().unwrap(), ServeReport::default());

    let mut store = MemoryKeyValueStore::new();
    let key = PreimageKey::keccak256(keccak256(b"x"));
    store.set(key, b"x".to_vec()).unwrap();
    let (client, server) = spawn_server(store);
    drop(client.hint);
    let mut oracle = OracleReader::new(client.preimage);
    assert_eq!(oracle.get(key).unwrap(), b"x");
    drop(oracle);
    assert_eq!(server.join().unwrap().unwrap().preimages, 1);
}

#[test]
fn server_over_a_hung_up_data_channel_reports_an_error() {
    let (client, server) = oracle_pipes();
    let mut store = MemoryKeyValueStore::new();
    let key = PreimageKey::keccak256(keccak256(b"y"));
    store.set(key, b"y".to_vec()).unwrap();
    let mut key_w = client.preimage.writer;
    key_w.write_all(key.as_bytes()).unwrap();
    drop(key_w);
    drop(client.preimage.reader);
    let e =
        PreimageServer::new(store).serve(server.hint_rx, server.hint_tx, server.key_rx, server.data_tx).unwrap_err();
    assert!(matches!(e, ServerError::Io { .. }), "{e}");
}

#[test]
fn hint_handler_preimages_are_served_after_the_hint_is_acknowledged() {
    let (client, server) = oracle_pipes();
    let handler: rampart_host::HintHandler = std::sync::Arc::new(|h: &Hint| {
        if h.kind == "echo" {
            vec![(PreimageKey::precompile(keccak256(&h.data)), [&[1u8][..], &h.data].concat())]
        } else {
            Vec::new()
        }
    });
    let h = std::thread::spawn(move || {
        PreimageServer::new(MemoryKeyValueStore::new()).with_hint_handler(handler).serve(
            server.hint_rx,
            server.hint_tx,
            server.key_rx,
            server.data_tx,
        )
    });
    let mut hints = HintWriter::new(client.hint);
    let mut oracle = OracleReader::new(client.preimage);
    let key = PreimageKey::precompile(keccak256(b"abc"));
    hints.hint(&Hint::new("other", b"abc".to_vec())).unwrap();
    hints.hint(&Hint::new("echo", b"abc".to_vec())).unwrap();
    assert_eq!(oracle.get(key).unwrap(), b"\x01abc");
    // A key no hint derived is still missing: the server fails naming it.
    assert!(oracle.get(PreimageKey::precompile(keccak256(b"xyz"))).is_err());
    drop((hints, oracle));
    assert!(matches!(h.join().unwrap(), Err(ServerError::Missing { .. })));
}
