//! L2 user transactions from funded test keys, chosen by a seeded RNG so one seed gives the same
//! transactions: transfers, contract deployments and storage writes, precompile calls (ecrecover, sha256,
//! bn254 add/mul/pairing, KZG point evaluation, P-256, BLS12-381 after Isthmus) and withdrawals through the
//! L2ToL1MessagePasser; in legacy, EIP-2930 and EIP-1559 envelopes.

use crate::wallet::{derive_key, Fees, SignedTx, Wallet};
use alloy_primitives::{address, hex, keccak256, Address, Bytes, TxKind, U256};
use alloy_signer::SignerSync;
use alloy_sol_types::{sol, SolCall};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

sol! {
    /// `L2ToL1MessagePasser.initiateWithdrawal`.
    interface IL2ToL1MessagePasser {
        function initiateWithdrawal(address _target, uint256 _gasLimit, bytes _data) external payable;
    }
}

/// The L2ToL1MessagePasser predeploy.
pub const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// Init code of the storage-writer contract: its runtime stores calldata word 1 at the slot calldata word 0
/// names (`PUSH1 0x20 CALLDATALOAD PUSH1 0 CALLDATALOAD SSTORE STOP`).
pub const STORAGE_WRITER_INIT: [u8; 20] = hex!("6008600c60003960086000f3" "6020356000355500");

/// Kinds of user transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TxKindTag {
    /// Value transfer.
    Transfer,
    /// Contract creation.
    Deploy,
    /// Storage write to a deployed contract.
    StorageWrite,
    /// ecrecover (0x01).
    EcRecover,
    /// sha256 (0x02).
    Sha256,
    /// bn254 add (0x06).
    Bn254Add,
    /// bn254 mul (0x07).
    Bn254Mul,
    /// bn254 pairing (0x08).
    Bn254Pairing,
    /// KZG point evaluation (0x0a).
    KzgPointEvaluation,
    /// P-256 verification (0x100, RIP-7212 since Fjord).
    P256Verify,
    /// BLS12-381 G1 add (0x0b, Isthmus).
    Bls12G1Add,
    /// BLS12-381 G1 MSM (0x0c, Isthmus).
    Bls12G1Msm,
    /// BLS12-381 map field element to G1 (0x10, Isthmus).
    Bls12MapFpToG1,
    /// L2ToL1MessagePasser withdrawal.
    Withdrawal,
}

/// The G1 generator of bn254 followed by itself (add input).
fn bn254_g1() -> [u8; 64] {
    let mut g = [0u8; 64];
    g[31] = 1;
    g[63] = 2;
    g
}

/// bn254 G2 generator (EIP-197 encoding: x_im, x_re, y_im, y_re).
const BN254_G2: [u8; 128] = hex!(
    "198e9393920d483a7260bfb731fb5d25f1aa493335a9e71297e485b7aef312c2"
    "1800deef121f1e76426a00665e5c4479674322d4f75edadd46debd5cd992f6ed"
    "090689d0585ff075ec9e99ad690c3395bc4b313370b38ef355acdadcd122975b"
    "12c85ea5db8c6deb4aab71808dcb408fe3d1e7690c43d37b4ce6cc0166fa7daa"
);

/// -G1 of bn254: (1, p - 2).
const BN254_NEG_G1: [u8; 64] = hex!(
    "0000000000000000000000000000000000000000000000000000000000000001"
    "30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd45"
);

/// BLS12-381 G1 generator, EIP-2537 encoding (each coordinate as 64 bytes, 16 zero bytes of padding).
const BLS_G1: [u8; 128] = hex!(
    "0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"
    "0000000000000000000000000000000008b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1"
);

/// The generator of user transactions.
#[derive(Debug)]
pub struct TxGen {
    rng: ChaCha8Rng,
    users: Vec<Wallet>,
    chain_id: u64,
    contracts: Vec<Address>,
    kzg_input: Bytes,
    /// How many transactions of each kind were made.
    pub counts: std::collections::BTreeMap<TxKindTag, u64>,
}

/// Number of funded L2 test users.
pub const L2_USERS: u32 = 4;

/// The L2 test users of `seed`.
pub fn l2_users(seed: u64) -> Vec<Wallet> {
    (0..L2_USERS).map(|i| Wallet::new(derive_key(seed, "l2-user", i))).collect()
}

impl TxGen {
    /// A generator for `seed` on chain `chain_id` (the users start at nonce 0).
    pub fn new(seed: u64, chain_id: u64) -> crate::Result<Self> {
        Ok(Self {
            rng: ChaCha8Rng::seed_from_u64(seed ^ 0x0074_7867_656e),
            users: l2_users(seed),
            chain_id,
            contracts: Vec::new(),
            kzg_input: kzg_point_evaluation_input(seed)?,
            counts: Default::default(),
        })
    }

    /// The transactions of the next block (the sequencer asks for none in a fork's activation block).
    /// BLS12-381 calls from Isthmus on; no P-256 calls from Karst on: op-geth v1.101702.3 keeps the Fjord
    /// P256VERIFY (3450 gas) after Karst where op-revm's Karst charges Osaka's 6900, so such a block would
    /// not be the one derivation and `crates/executor` build (see `genesis::l2_genesis`).
    pub fn next_block(&mut self, isthmus_active: bool, karst_active: bool, max: usize) -> Vec<SignedTx> {
        let n = self.rng.random_range(0..=max);
        (0..n).map(|_| self.one(isthmus_active, karst_active)).collect()
    }

    fn one(&mut self, isthmus: bool, karst: bool) -> SignedTx {
        let mut kinds = vec![
            TxKindTag::Transfer,
            TxKindTag::Deploy,
            TxKindTag::EcRecover,
            TxKindTag::Sha256,
            TxKindTag::Bn254Add,
            TxKindTag::Bn254Mul,
            TxKindTag::Bn254Pairing,
            TxKindTag::KzgPointEvaluation,
            TxKindTag::P256Verify,
            TxKindTag::Withdrawal,
        ];
        if !self.contracts.is_empty() {
            kinds.extend([TxKindTag::StorageWrite, TxKindTag::StorageWrite]);
        }
        if karst {
            kinds.retain(|k| *k != TxKindTag::P256Verify);
        }
        if isthmus {
            kinds.extend([TxKindTag::Bls12G1Add, TxKindTag::Bls12G1Msm, TxKindTag::Bls12MapFpToG1]);
        }
        let kind = kinds[self.rng.random_range(0..kinds.len())];
        *self.counts.entry(kind).or_default() += 1;
        let u = self.rng.random_range(0..self.users.len());
        let envelope = self.rng.random_range(0..3u8);
        let precompile = |n: u16| TxKind::Call(Address::ZERO.with_low(n));
        let (to, value, data, gas): (TxKind, U256, Bytes, u64) = match kind {
            TxKindTag::Transfer => {
                let to = Address::from_word(keccak256(self.rng.random::<u64>().to_be_bytes()));
                (TxKind::Call(to), U256::from(self.rng.random_range(1..1_000_000_000u64)), Bytes::new(), 30_000)
            }
            TxKindTag::Deploy => {
                let w = &self.users[u];
                self.contracts.push(w.address.create(w.nonce));
                (TxKind::Create, U256::ZERO, Bytes::from_static(&STORAGE_WRITER_INIT), 120_000)
            }
            TxKindTag::StorageWrite => {
                let c = self.contracts[self.rng.random_range(0..self.contracts.len())];
                let mut d = vec![0u8; 64];
                d[31] = self.rng.random_range(0..8u8);
                self.rng.fill(&mut d[32..]);
                (TxKind::Call(c), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::EcRecover => (precompile(1), U256::ZERO, self.ecrecover_input(u).into(), 60_000),
            TxKindTag::Sha256 => {
                let mut d = vec![0u8; self.rng.random_range(0..200)];
                self.rng.fill(&mut d[..]);
                (precompile(2), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::Bn254Add => {
                let mut d = bn254_g1().to_vec();
                d.extend_from_slice(&bn254_g1());
                (precompile(6), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::Bn254Mul => {
                let mut d = bn254_g1().to_vec();
                d.extend_from_slice(&U256::from(self.rng.random::<u64>()).to_be_bytes::<32>());
                (precompile(7), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::Bn254Pairing => {
                let mut d = bn254_g1().to_vec();
                d.extend_from_slice(&BN254_G2);
                d.extend_from_slice(&BN254_NEG_G1);
                d.extend_from_slice(&BN254_G2);
                (precompile(8), U256::ZERO, d.into(), 200_000)
            }
            TxKindTag::KzgPointEvaluation => (precompile(0x0a), U256::ZERO, self.kzg_input.clone(), 100_000),
            TxKindTag::P256Verify => {
                let mut d = vec![0u8; 160];
                self.rng.fill(&mut d[..]);
                (precompile(0x100), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::Bls12G1Add => {
                let mut d = BLS_G1.to_vec();
                d.extend_from_slice(&BLS_G1);
                (precompile(0x0b), U256::ZERO, d.into(), 60_000)
            }
            TxKindTag::Bls12G1Msm => {
                let mut d = BLS_G1.to_vec();
                d.extend_from_slice(&U256::from(self.rng.random::<u64>()).to_be_bytes::<32>());
                (precompile(0x0c), U256::ZERO, d.into(), 80_000)
            }
            TxKindTag::Bls12MapFpToG1 => {
                let mut d = vec![0u8; 64];
                self.rng.fill(&mut d[40..]);
                (precompile(0x10), U256::ZERO, d.into(), 80_000)
            }
            TxKindTag::Withdrawal => {
                let call = IL2ToL1MessagePasser::initiateWithdrawalCall {
                    _target: self.users[u].address,
                    _gasLimit: U256::from(100_000u64),
                    _data: Bytes::from_static(b"rampart"),
                };
                (
                    TxKind::Call(MESSAGE_PASSER),
                    U256::from(self.rng.random_range(1..1_000_000u64)),
                    call.abi_encode().into(),
                    150_000,
                )
            }
        };
        let fees = Fees { gas_limit: gas, max_fee_per_gas: 50_000_000_000, max_priority_fee_per_gas: 1_000 };
        let chain_id = self.chain_id;
        let w = &mut self.users[u];
        match envelope {
            0 => w.legacy(chain_id, to, value, data, fees),
            1 => w.eip2930(chain_id, to, value, data, fees),
            _ => w.eip1559(chain_id, to, value, data, fees),
        }
    }

    fn ecrecover_input(&mut self, u: usize) -> Vec<u8> {
        let hash = keccak256(self.rng.random::<u64>().to_be_bytes());
        let key = derive_key(0, "ecrecover", u as u32);
        let signer = alloy_signer_local::PrivateKeySigner::from_bytes(&key).expect("valid key");
        let sig = signer.sign_hash_sync(&hash).expect("local signing");
        let mut d = hash.to_vec();
        d.extend_from_slice(&U256::from(27 + u64::from(sig.v())).to_be_bytes::<32>());
        d.extend_from_slice(&sig.r().to_be_bytes::<32>());
        d.extend_from_slice(&sig.s().to_be_bytes::<32>());
        d
    }
}

/// A valid KZG point-evaluation input (versioned hash ‖ z ‖ y ‖ commitment ‖ proof) for a seed-derived blob.
pub fn kzg_point_evaluation_input(seed: u64) -> crate::Result<Bytes> {
    let err = |e: c_kzg::Error| crate::DevnetError::role("txgen", format!("KZG: {e:?}"));
    let mut data = vec![0u8; c_kzg::BYTES_PER_BLOB];
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    for fe in data.chunks_mut(32) {
        rng.fill(&mut fe[1..]);
    }
    let blob = c_kzg::Blob::from_bytes(&data).map_err(err)?;
    let kzg = crate::blobs::kzg();
    let commitment = kzg.blob_to_kzg_commitment(&blob).map_err(err)?;
    let mut z = [0u8; 32];
    z[31] = 7;
    let (proof, y) = kzg.compute_kzg_proof(&blob, &c_kzg::Bytes32::new(z)).map_err(err)?;
    let mut out = alloy_eips::eip4844::kzg_to_versioned_hash(commitment.as_slice()).to_vec();
    out.extend_from_slice(&z);
    out.extend_from_slice(y.as_slice());
    out.extend_from_slice(commitment.as_slice());
    out.extend_from_slice(proof.as_slice());
    Ok(out.into())
}

trait WithLow {
    fn with_low(self, n: u16) -> Self;
}

impl WithLow for Address {
    fn with_low(self, n: u16) -> Self {
        let mut a = [0u8; 20];
        a[18..].copy_from_slice(&n.to_be_bytes());
        Self::from(a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_transactions() {
        let mut a = TxGen::new(5, 901).unwrap();
        let mut b = TxGen::new(5, 901).unwrap();
        for i in 0..50 {
            assert_eq!(a.next_block(i > 20, i > 30, 6), b.next_block(i > 20, i > 30, 6));
        }
        let (mut x, mut y) = (TxGen::new(5, 901).unwrap(), TxGen::new(6, 901).unwrap());
        let xs: Vec<_> = (0..20).flat_map(|_| x.next_block(false, false, 6)).collect();
        let ys: Vec<_> = (0..20).flat_map(|_| y.next_block(false, false, 6)).collect();
        assert_ne!(xs, ys);
    }
}
