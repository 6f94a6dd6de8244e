//! From fetched data to preimages, each checked against the hash that asked for it: headers against their block
//! hash, transaction and receipt lists against the header's trie roots (every trie node is then stored),
//! proofs against the state or storage root, blobs against their commitment (KZG) and versioned hash, output
//! roots against the agreed root; precompile results are computed natively.
//!
//! Every function here is pure: `Err(reason)` says why the data does not verify, and nothing is returned for
//! storing then.

use alloy_consensus::Header;
use alloy_primitives::{keccak256, Address, Bytes, B256};
use rampart_mpt::{Trie, EMPTY_ROOT_HASH};
use rampart_preimage::PreimageKey;

/// Preimages to store: `(key, value)`.
pub type Preimages = Vec<(PreimageKey, Vec<u8>)>;

/// Number of field elements of a blob.
pub const FIELD_ELEMENTS_PER_BLOB: usize = 4096;

/// `keccak256(value)` key and the value.
pub fn keccak_entry(value: impl Into<Vec<u8>>) -> (PreimageKey, Vec<u8>) {
    let v = value.into();
    (PreimageKey::keccak256(keccak256(&v).0), v)
}

/// Decodes a raw header and checks that it hashes to `hash`.
pub fn header(raw: &[u8], hash: B256) -> Result<Header, String> {
    let got = keccak256(raw);
    if got != hash {
        return Err(format!("header hashes to {got}"));
    }
    alloy_rlp::decode_exact::<Header>(raw).map_err(|e| format!("header does not decode: {e}"))
}

/// The ordered trie of `items` (keys `rlp(i)`): checks its root against `root` and returns every node referenced
/// by hash (an empty list: `0x80` under the empty root, as kona-host stores it).
pub fn ordered_trie<I: AsRef<[u8]>>(items: &[I], root: B256) -> Result<Preimages, String> {
    let mut trie = Trie::new();
    for (i, item) in items.iter().enumerate() {
        trie.insert(&alloy_rlp::encode(i), Bytes::copy_from_slice(item.as_ref()), &rampart_mpt::NoopProvider)
            .map_err(|e| format!("building the trie: {e}"))?;
    }
    let got = trie.root();
    if got != root {
        return Err(format!("{} items give trie root {got}, the header has {root}", items.len()));
    }
    if items.is_empty() {
        return Ok(vec![(PreimageKey::keccak256(EMPTY_ROOT_HASH.0), vec![0x80])]);
    }
    Ok(trie.preimages().into_iter().map(|n| keccak_entry(n.to_vec())).collect())
}

/// Splits the RLP of a block (`[header, [tx, ...], ...]`) into the raw header and the EIP-2718 transactions
/// (typed transactions are RLP strings in the list, legacy ones lists).
pub fn split_raw_block(raw: &[u8]) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    use alloy_rlp::Header as RlpHeader;
    let bad = |e: alloy_rlp::Error| format!("block RLP: {e}");
    let mut buf = raw;
    let outer = RlpHeader::decode(&mut buf).map_err(bad)?;
    if !outer.list || buf.len() < outer.payload_length {
        return Err("block RLP is not a list".into());
    }
    let mut body = &buf[..outer.payload_length];
    let item = |b: &mut &[u8]| -> Result<(bool, Vec<u8>, Vec<u8>), String> {
        let start = *b;
        let h = RlpHeader::decode(b).map_err(bad)?;
        if b.len() < h.payload_length {
            return Err("block RLP item overruns".into());
        }
        let head_len = start.len() - b.len();
        let whole = start[..head_len + h.payload_length].to_vec();
        let payload = b[..h.payload_length].to_vec();
        *b = &b[h.payload_length..];
        Ok((h.list, whole, payload))
    };
    let (is_list, header, _) = item(&mut body)?;
    if !is_list {
        return Err("block header is not a list".into());
    }
    let (is_list, _, txs_payload) = item(&mut body)?;
    if !is_list {
        return Err("block transactions are not a list".into());
    }
    let mut txs = Vec::new();
    let mut t = txs_payload.as_slice();
    while !t.is_empty() {
        let (list, whole, payload) = item(&mut t)?;
        txs.push(if list { whole } else { payload });
    }
    Ok((header, txs))
}

/// Account (or storage) proof nodes: the first must hash to `root` (an empty proof only for the empty root);
/// returns them as keccak preimages.
pub fn proof_nodes(nodes: &[Bytes], root: B256) -> Result<Preimages, String> {
    match nodes.first() {
        None if root == EMPTY_ROOT_HASH => Ok(Vec::new()),
        None => Err(format!("empty proof for root {root}")),
        Some(first) if keccak256(first) != root => {
            Err(format!("first proof node hashes to {}, not to root {root}", keccak256(first)))
        }
        Some(_) => Ok(nodes.iter().map(|n| keccak_entry(n.to_vec())).collect()),
    }
}

/// The 128-byte output root preimage of `(state root, message passer storage root, block hash)`, checked
/// against `expected` when given.
pub fn output_root(
    state_root: B256,
    storage_root: B256,
    block_hash: B256,
    expected: Option<B256>,
) -> Result<(B256, (PreimageKey, Vec<u8>)), String> {
    let o = rampart_program::OutputRoot::new(state_root, storage_root, block_hash);
    let root = o.hash();
    if let Some(want) = expected {
        if want != root {
            return Err(format!("block {block_hash} has output root {root}, not {want}"));
        }
    }
    Ok((root, (PreimageKey::keccak256(root.0), o.encode().to_vec())))
}

/// `0x01 ‖ sha256(commitment)[1..]`.
pub fn versioned_hash(commitment: &[u8]) -> B256 {
    let mut h = rampart_primitives::sha256(commitment);
    h[0] = 1;
    B256::from(h)
}

/// The preimages of one blob: its commitment under the sha256-type key of the versioned hash, and for each
/// field element `i`: `commitment ‖ ω_i` under its keccak key and the element under the blob key of that
/// digest; plus kona-host's element 4096 (`commitment ‖ 4096 u64 BE` right-aligned) holding the KZG proof.
/// The blob must verify against the commitment with the proof (c-kzg, Ethereum's setup) and the commitment
/// must give `versioned`.
pub fn blob(versioned: B256, commitment: &[u8; 48], blob: &[u8], proof: &[u8; 48]) -> Result<Preimages, String> {
    let got = versioned_hash(commitment);
    if got != versioned {
        return Err(format!("commitment gives versioned hash {got}"));
    }
    let b = c_kzg::Blob::from_bytes(blob).map_err(|e| format!("blob of {} bytes: {e:?}", blob.len()))?;
    let ok = c_kzg::ethereum_kzg_settings(0)
        .verify_blob_kzg_proof(&b, &c_kzg::Bytes48::new(*commitment), &c_kzg::Bytes48::new(*proof))
        .map_err(|e| format!("KZG: {e:?}"))?;
    if !ok {
        return Err("blob does not verify against its commitment and proof".into());
    }
    let mut out = Vec::with_capacity(2 * FIELD_ELEMENTS_PER_BLOB + 3);
    out.push((PreimageKey::sha256(versioned.0), commitment.to_vec()));
    let mut pre = [0u8; 80];
    pre[..48].copy_from_slice(commitment);
    for (i, z) in rampart_program::roots_of_unity().iter().enumerate() {
        pre[48..].copy_from_slice(&z.to_be_bytes::<32>());
        let d = keccak256(pre);
        out.push((PreimageKey::keccak256(d.0), pre.to_vec()));
        out.push((PreimageKey::blob(d.0), blob[32 * i..32 * (i + 1)].to_vec()));
    }
    pre[48..].fill(0);
    pre[72..].copy_from_slice(&(FIELD_ELEMENTS_PER_BLOB as u64).to_be_bytes());
    let d = keccak256(pre);
    out.push((PreimageKey::keccak256(d.0), pre.to_vec()));
    out.push((PreimageKey::blob(d.0), proof.to_vec()));
    Ok(out)
}

/// The precompiles kona-client accelerates through `l1-precompile` hints (ecrecover, bn254 pairing, KZG point
/// evaluation, the seven BLS12-381 precompiles).
pub fn is_accelerated(address: &Address) -> bool {
    let a = address.as_slice();
    a[..19].iter().all(|b| *b == 0) && matches!(a[19], 0x01 | 0x08 | 0x0a | 0x0b..=0x11)
}

/// Runs an accelerated precompile natively (revm's Prague set) with `gas`: the precompile-type key of
/// `keccak256(address ‖ gas ‖ input)` → `status ‖ output` (1 success, 0 failure), and the keccak preimage of the
/// hint data itself.
pub fn precompile(address: Address, gas: u64, input: &[u8]) -> Result<Preimages, String> {
    if !is_accelerated(&address) {
        return Err(format!("{address} is not an accelerated precompile"));
    }
    let p = revm::precompile::Precompiles::prague()
        .get(&address)
        .ok_or_else(|| format!("{address} is not a Prague precompile"))?;
    let mut data = Vec::with_capacity(28 + input.len());
    data.extend_from_slice(address.as_slice());
    data.extend_from_slice(&gas.to_be_bytes());
    data.extend_from_slice(input);
    let value = match p.execute(input, gas, 0) {
        Ok(out) if out.is_success() => {
            let mut v = vec![1u8];
            v.extend_from_slice(&out.bytes);
            v
        }
        _ => vec![0u8],
    };
    let digest = keccak256(&data);
    Ok(vec![(PreimageKey::precompile(digest.0), value), (PreimageKey::keccak256(digest.0), data)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::hex;

    #[test]
    fn ordered_trie_matches_alloy_roots_and_stores_every_hashed_node() {
        // Lists of 0..=130 items of varied sizes: roots equal alloy-trie's ordered root; every node the list's
        // walk needs is among the preimages (read back through rampart-mpt from only those nodes).
        let mut checked = 0;
        for n in [0usize, 1, 2, 3, 16, 17, 127, 128, 129, 130] {
            let items: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 1 + (i * 7) % 90]).collect();
            let root =
                alloy_trie::root::ordered_trie_root_with_encoder(&items, |x: &Vec<u8>, buf| buf.extend_from_slice(x));
            let pre = ordered_trie(&items, root).unwrap();
            let map: std::collections::BTreeMap<B256, Bytes> =
                pre.iter().map(|(_, v)| (keccak256(v), Bytes::from(v.clone()))).collect();
            let trie = Trie::open(root);
            for (i, item) in items.iter().enumerate() {
                assert_eq!(trie.get(&alloy_rlp::encode(i), &map).unwrap().map(|b| b.to_vec()).as_ref(), Some(item));
            }
            assert_eq!(trie.get(&alloy_rlp::encode(n), &map).unwrap(), None);
            assert!(ordered_trie(&items, B256::repeat_byte(1)).unwrap_err().contains("trie root"));
            checked += 1;
        }
        assert_eq!(checked, 10);
        assert_eq!(ordered_trie::<Vec<u8>>(&[], EMPTY_ROOT_HASH).unwrap(), vec![keccak_entry(vec![0x80])]);
    }

    #[test]
    fn raw_block_splits_into_header_and_typed_and_legacy_transactions() {
        use alloy_rlp::Encodable;
        let header = Header { number: 5, ..Default::default() };
        let legacy = {
            let mut v = Vec::new();
            alloy_rlp::encode_list::<_, u8>(&[1u8, 2, 3], &mut v);
            v
        };
        let typed = vec![0x02u8, 0xc3, 1, 2, 3];
        let mut txs_payload = Vec::new();
        txs_payload.extend_from_slice(&legacy);
        Bytes::from(typed.clone()).encode(&mut txs_payload);
        let mut body = Vec::new();
        header.encode(&mut body);
        alloy_rlp::Header { list: true, payload_length: txs_payload.len() }.encode(&mut body);
        body.extend_from_slice(&txs_payload);
        body.extend_from_slice(&[0xc0, 0xc0]);
        let mut raw = Vec::new();
        alloy_rlp::Header { list: true, payload_length: body.len() }.encode(&mut raw);
        raw.extend_from_slice(&body);
        let (h, txs) = split_raw_block(&raw).unwrap();
        assert_eq!(keccak256(&h), header.hash_slow());
        assert_eq!(txs, vec![legacy, typed]);
        assert!(split_raw_block(&raw[..raw.len() - 3]).is_err());
        assert!(split_raw_block(&[0x80]).is_err());
    }

    #[test]
    fn header_and_proofs_are_checked_against_their_hashes() {
        let h = Header { number: 9, ..Default::default() };
        let raw = alloy_rlp::encode(&h);
        assert_eq!(header(&raw, h.hash_slow()).unwrap(), h);
        let mut flipped = raw.clone();
        flipped[5] ^= 1;
        assert!(header(&flipped, h.hash_slow()).unwrap_err().contains("hashes to"));
        let node = Bytes::from(vec![0xc2, 0x80, 0x80]);
        assert_eq!(proof_nodes(std::slice::from_ref(&node), keccak256(&node)).unwrap().len(), 1);
        assert!(proof_nodes(&[node], B256::ZERO).is_err());
        assert!(proof_nodes(&[], EMPTY_ROOT_HASH).unwrap().is_empty());
        assert!(proof_nodes(&[], B256::ZERO).is_err());
        let (root, (k, v)) =
            output_root(B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3), None).unwrap();
        assert_eq!(k, PreimageKey::keccak256(root.0));
        assert_eq!(keccak256(&v), root);
        assert!(
            output_root(B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3), Some(B256::ZERO)).is_err()
        );
    }

    #[test]
    fn blob_preimages_verify_with_kzg_and_follow_the_program_keys() {
        let s = c_kzg::ethereum_kzg_settings(0);
        let mut data = vec![0u8; c_kzg::BYTES_PER_BLOB];
        for i in 0..FIELD_ELEMENTS_PER_BLOB {
            data[32 * i + 1..32 * i + 4].copy_from_slice(&(i as u32).to_be_bytes()[1..]);
        }
        let b = c_kzg::Blob::from_bytes(&data).unwrap();
        let c = s.blob_to_kzg_commitment(&b).unwrap().to_bytes().into_inner();
        let p = s.compute_blob_kzg_proof(&b, &c_kzg::Bytes48::new(c)).unwrap().to_bytes().into_inner();
        let vh = versioned_hash(&c);
        let pre = blob(vh, &c, &data, &p).unwrap();
        assert_eq!(pre.len(), 2 * 4096 + 3);
        assert_eq!(pre[0], (PreimageKey::sha256(vh.0), c.to_vec()));
        // Field element 5 under blob key keccak(commitment ‖ ω_5), as the program reads it.
        let mut z = [0u8; 80];
        z[..48].copy_from_slice(&c);
        z[48..].copy_from_slice(&rampart_program::roots_of_unity()[5].to_be_bytes::<32>());
        let key = PreimageKey::blob(keccak256(z).0);
        let fe = pre.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone()).unwrap();
        assert_eq!(fe, data[160..192].to_vec());
        // A flipped byte in the blob, a wrong proof or a wrong versioned hash is rejected.
        let mut bad = data.clone();
        bad[33] ^= 1;
        assert!(blob(vh, &c, &bad, &p).is_err());
        assert!(blob(B256::repeat_byte(1), &c, &data, &p).unwrap_err().contains("versioned hash"));
        let mut wrong_proof = p;
        wrong_proof[10] ^= 1;
        assert!(blob(vh, &c, &data, &wrong_proof).is_err());
    }

    #[test]
    fn precompiles_run_natively_with_kona_key_layout() {
        // sha256 (0x02) is not accelerated; ecrecover of a known signature is.
        assert!(precompile(Address::with_last_byte(2), 1000, b"x").is_err());
        let input = hex!("456e9aea5e197a1f1af7a3e85a3212fa4049a3ba34c2289b4c860fc0b0c64ef3000000000000000000000000000000000000000000000000000000000000001c9242685bf161793cc25603c231bc2f568eb630ea16aa137d2664ac80388256084f8ae3bd7535248d0bd448298cc2e2071e56992d0774dc340c368ae950852ada");
        let pre = precompile(Address::with_last_byte(1), 3000, &input).unwrap();
        let (k, v) = &pre[0];
        let mut data = Address::with_last_byte(1).to_vec();
        data.extend_from_slice(&3000u64.to_be_bytes());
        data.extend_from_slice(&input);
        assert_eq!(*k, PreimageKey::precompile(keccak256(&data).0));
        assert_eq!(v[0], 1);
        assert_eq!(&v[13..], hex!("7156526fbd7a3c72969b54f64e42c10fbb768c8a"));
        assert_eq!(pre[1], keccak_entry(data));
        // Too little gas: status 0.
        let pre = precompile(Address::with_last_byte(1), 100, &input).unwrap();
        assert_eq!(pre[0].1, vec![0u8]);
    }
}
