//! Hostile bytes on every channel never panic the server or the client, and the server always terminates.

use proptest::prelude::*;
use rampart_host::preimage::native::{pipe, IoChannel};
use rampart_host::preimage::selftest::{self, Fixture};
use rampart_host::preimage::{Hint, HintWriter, KeyType, OracleReader, PreimageKey};
use rampart_host::{KeyValueStore, MemoryKeyValueStore, PreimageServer};
use std::io::Write;

fn fixture_store() -> MemoryKeyValueStore {
    let mut s = MemoryKeyValueStore::new();
    for (k, v) in Fixture::standard().preimages {
        s.set(k, v).unwrap();
    }
    s
}

/// Runs the server with `keys` and `hints` as the whole input of its two channels.
fn serve_bytes(keys: &[u8], hints: &[u8]) -> (Result<rampart_host::ServeReport, String>, Vec<u8>) {
    let (mut hint_w, hint_rx) = pipe();
    let (hint_tx, _ack_r) = pipe();
    let (mut key_w, key_rx) = pipe();
    let mut data = Vec::new();
    hint_w.write_all(hints).unwrap();
    drop(hint_w);
    key_w.write_all(keys).unwrap();
    drop(key_w);
    let r = PreimageServer::new(fixture_store()).serve(hint_rx, hint_tx, key_rx, &mut data).map_err(|e| e.to_string());
    (r, data)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn server_survives_arbitrary_channel_bytes(keys in proptest::collection::vec(any::<u8>(), 0..200),
                                               hints in proptest::collection::vec(any::<u8>(), 0..200)) {
        let (r, data) = serve_bytes(&keys, &hints);
        match r {
            // Clean end only when the key bytes were whole, valid, present keys.
            Ok(rep) => {
                prop_assert_eq!(keys.len() % 32, 0);
                prop_assert_eq!(rep.preimages as usize, keys.len() / 32);
                prop_assert_eq!(data.len() as u64, rep.bytes + 8 * rep.preimages);
            }
            Err(e) => prop_assert!(!e.is_empty()),
        }
    }

    #[test]
    fn server_serves_valid_keys_in_any_order(order in proptest::collection::vec(0usize..6, 0..20)) {
        let f = Fixture::standard();
        let mut keys = Vec::new();
        let mut want = Vec::new();
        for i in &order {
            let (k, v) = &f.preimages[*i];
            keys.extend_from_slice(k.as_bytes());
            want.extend_from_slice(&(v.len() as u64).to_be_bytes());
            want.extend_from_slice(v);
        }
        let (r, data) = serve_bytes(&keys, &[]);
        prop_assert!(r.is_ok());
        prop_assert_eq!(data, want);
    }

    #[test]
    fn clients_survive_arbitrary_responses(resp in proptest::collection::vec(any::<u8>(), 0..300)) {
        // Oracle reader with a small limit so hostile lengths are rejected without large allocations.
        let (mut w, r) = pipe();
        w.write_all(&resp).unwrap();
        drop(w);
        let (kw, _kr) = pipe();
        let mut oracle = OracleReader::new(IoChannel::new(r, kw)).with_max_len(1 << 16);
        for i in 0..4 {
            let _ = oracle.get(PreimageKey::local(i));
        }
        // The self-check over the same hostile bytes: an error, never a panic.
        let (mut w, r) = pipe();
        w.write_all(&resp).unwrap();
        drop(w);
        let (kw, _kr) = pipe();
        let (mut aw, ar) = pipe();
        aw.write_all(&resp).unwrap();
        drop(aw);
        let (hw, _hr) = pipe();
        let mut oracle = OracleReader::new(IoChannel::new(r, kw)).with_max_len(1 << 16);
        let mut hints = HintWriter::new(IoChannel::new(ar, hw));
        prop_assert!(selftest::run(&mut hints, &mut oracle).is_err());
    }

    #[test]
    fn hint_text_round_trips(kind in "[a-z0-9-]{1,24}", data in proptest::collection::vec(any::<u8>(), 0..64)) {
        let h = Hint::new(kind, data);
        prop_assert_eq!(Hint::parse(&h.encode()).unwrap(), h.clone());
        let f = h.frame();
        prop_assert_eq!(Hint::decode(&f[4..]).unwrap(), h);
    }

    #[test]
    fn hint_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
        let _ = Hint::decode(&bytes);
    }

    #[test]
    fn key_validation(raw in any::<[u8; 32]>()) {
        match PreimageKey::try_from(raw) {
            Ok(k) => {
                prop_assert!((1..=6).contains(&raw[0]));
                prop_assert_eq!(k.key_type().byte(), raw[0]);
                prop_assert_eq!(k.to_bytes(), raw);
                prop_assert_eq!(k.key_type() == KeyType::Local && raw[1..24].iter().all(|b| *b == 0),
                                k.local_index().is_some());
            }
            Err(_) => prop_assert!(raw[0] == 0 || raw[0] > 6),
        }
    }
}
