use crate::Rng;
use alloy_primitives::{keccak256, B256};
use rampart_derive::{BlobProvider, IndexedBlobHash};
use rampart_preimage::PreimageKey;
use rampart_program::{blob::point_bytes, roots_of_unity, MemoryOracle, OracleBlobProvider, ProgramError};
use rampart_protocol::BlockInfo;
use sha2::{Digest, Sha256};

/// A random canonical blob, its commitment (c-kzg) and versioned hash, stored as kona-host stores them.
fn store_blob(rng: &mut Rng, o: &mut MemoryOracle) -> (Vec<u8>, [u8; 48], B256) {
    let mut blob = rng.bytes(131_072);
    for i in 0..4096 {
        blob[32 * i] = 0; // < BLS modulus
    }
    let settings = c_kzg::ethereum_kzg_settings(0);
    let kblob = c_kzg::Blob::from_bytes(&blob).unwrap();
    let commitment: [u8; 48] = *settings.blob_to_kzg_commitment(&kblob).unwrap().to_bytes().as_ref();
    let mut vh: [u8; 32] = Sha256::digest(commitment).into();
    vh[0] = 1;
    o.insert(PreimageKey::sha256(vh), commitment.to_vec());
    for (i, z) in roots_of_unity().iter().enumerate() {
        let mut pre = commitment.to_vec();
        pre.extend_from_slice(point_bytes(*z).as_slice());
        o.insert(PreimageKey::blob(keccak256(&pre).0), blob[32 * i..32 * (i + 1)].to_vec());
    }
    (blob, commitment, vh.into())
}

#[test]
fn roots_are_c_kzg_evaluation_points() {
    // Evaluating the blob polynomial (c-kzg) at ω_i gives field element i: the points and their bit-reversed
    // order are the ones EIP-4844 commits to.
    let mut rng = Rng(3);
    let mut o = MemoryOracle::new();
    let (blob, _, _) = store_blob(&mut rng, &mut o);
    let settings = c_kzg::ethereum_kzg_settings(0);
    let kblob = c_kzg::Blob::from_bytes(&blob).unwrap();
    let roots = roots_of_unity();
    assert_eq!(roots.len(), 4096);
    let mut checked = 0;
    for i in (0..4096).step_by(64).chain([1, 4095]) {
        let z = c_kzg::Bytes32::new(point_bytes(roots[i]).0);
        let (_, y) = settings.compute_kzg_proof(&kblob, &z).unwrap();
        assert_eq!(y.as_slice(), &blob[32 * i..32 * (i + 1)], "element {i}");
        checked += 1;
    }
    assert_eq!(checked, 66);
}

#[test]
fn blob_provider_reads_blobs_and_hints() {
    let mut rng = Rng(4);
    let mut o = MemoryOracle::new();
    let (b0, _, h0) = store_blob(&mut rng, &mut o);
    let (b1, _, h1) = store_blob(&mut rng, &mut o);
    let block = BlockInfo::new(B256::repeat_byte(1), 77, B256::ZERO, 1_710_000_000);
    let mut p = OracleBlobProvider::new(o);
    let blobs = p
        .get_and_validate_blobs(
            &block,
            &[IndexedBlobHash { index: 0, hash: h0 }, IndexedBlobHash { index: 3, hash: h1 }],
        )
        .unwrap();
    assert_eq!(blobs.len(), 2);
    assert_eq!(blobs[0].as_slice(), b0.as_slice());
    assert_eq!(blobs[1].as_slice(), b1.as_slice());
    let o = p.into_inner();
    let ts = hex::encode(1_710_000_000u64.to_be_bytes());
    assert_eq!(
        o.hints(),
        [
            format!("l1-blob 0x{}{}{ts}", hex::encode(h0), hex::encode(0u64.to_be_bytes())),
            format!("l1-blob 0x{}{}{ts}", hex::encode(h1), hex::encode(3u64.to_be_bytes())),
        ]
    );
    // 1 commitment + 4096 field elements per blob.
    assert_eq!(o.reads(), 2 * 4097);
}

#[test]
fn hostile_blob_preimages_are_errors() {
    let mut rng = Rng(5);
    let mut o = MemoryOracle::new();
    let (_, commitment, vh) = store_blob(&mut rng, &mut o);
    let block = BlockInfo::default();
    let ih = IndexedBlobHash { index: 0, hash: vh };
    let decode_err = |o: MemoryOracle| {
        matches!(
            OracleBlobProvider::new(o).get_and_validate_blobs(&block, &[ih]),
            Err(ProgramError::Decode { what: "blob", .. })
        )
    };

    let mut short = o.clone();
    short.insert(PreimageKey::sha256(vh.0), commitment[..47].to_vec());
    assert!(decode_err(short));
    let mut other = o.clone();
    let mut c2 = commitment;
    c2[10] ^= 1;
    other.insert(PreimageKey::sha256(vh.0), c2.to_vec());
    assert!(decode_err(other));
    // A non-canonical (≥ modulus) and a short field element.
    let z = roots_of_unity()[17];
    let mut pre = commitment.to_vec();
    pre.extend_from_slice(point_bytes(z).as_slice());
    let key = PreimageKey::blob(keccak256(&pre).0);
    let mut big = o.clone();
    big.insert(key, vec![0xff; 32]);
    assert!(decode_err(big));
    let mut short_fe = o.clone();
    short_fe.insert(key, vec![0; 31]);
    assert!(decode_err(short_fe));
    // A versioned hash nobody stored.
    let mut p = OracleBlobProvider::new(o);
    let missing = IndexedBlobHash { index: 0, hash: B256::repeat_byte(1) };
    assert!(matches!(p.get_and_validate_blobs(&block, &[missing]), Err(ProgramError::MissingPreimage(_))));
}
