//! Test keys (derived from the devnet seed, so one seed gives the same accounts and transactions) and
//! transaction signing for L1 and L2.

use alloy_consensus::{
    SignableTransaction, TxEip1559, TxEip2930, TxEip4844, TxEip4844Variant, TxEip4844WithSidecar, TxEnvelope, TxLegacy,
};
use alloy_eips::{
    eip2718::Encodable2718,
    eip7594::{BlobTransactionSidecarEip7594, BlobTransactionSidecarVariant},
};
use alloy_primitives::{b256, keccak256, Address, Bytes, TxKind, B256, U256};
use alloy_signer::SignerSync;
use alloy_signer_local::PrivateKeySigner;

/// geth's `--dev` developer key (`cmd/utils.DeveloperKey`): the L1 account `--dev` unlocks and mines to.
pub const GETH_DEV_KEY: B256 = b256!("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291");

/// The private key of test account `index` of `role` for `seed`: `keccak256("rampart-devnet/<seed>/<role>/<index>")`.
pub fn derive_key(seed: u64, role: &str, index: u32) -> B256 {
    keccak256(format!("rampart-devnet/{seed}/{role}/{index}"))
}

/// A signing account with a locally tracked nonce.
#[derive(Debug, Clone)]
pub struct Wallet {
    signer: PrivateKeySigner,
    /// The account's address.
    pub address: Address,
    /// Nonce of the next transaction.
    pub nonce: u64,
}

/// A signed transaction ready for `eth_sendRawTransaction` (or an L2 payload's transaction list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedTx {
    /// EIP-2718 encoding (network form with the sidecar for blob transactions).
    pub raw: Bytes,
    /// Transaction hash.
    pub hash: B256,
}

/// Fee and gas settings of one transaction.
#[derive(Debug, Clone, Copy)]
pub struct Fees {
    /// Gas limit.
    pub gas_limit: u64,
    /// Max fee per gas (gas price for legacy and 2930 transactions).
    pub max_fee_per_gas: u128,
    /// Priority fee per gas.
    pub max_priority_fee_per_gas: u128,
}

impl Wallet {
    /// A wallet for `key` starting at nonce 0.
    pub fn new(key: B256) -> Self {
        let signer = PrivateKeySigner::from_bytes(&key).expect("a keccak256 output below the curve order");
        let address = signer.address();
        Self { signer, address, nonce: 0 }
    }

    fn finish<T: SignableTransaction<alloy_primitives::Signature>>(
        &mut self,
        tx: T,
        wrap: impl FnOnce(alloy_consensus::Signed<T>) -> TxEnvelope,
    ) -> SignedTx {
        let sig = self.signer.sign_hash_sync(&tx.signature_hash()).expect("local signing does not fail");
        let env = wrap(tx.into_signed(sig));
        self.nonce += 1;
        SignedTx { raw: env.encoded_2718().into(), hash: *env.tx_hash() }
    }

    /// An EIP-1559 transaction.
    pub fn eip1559(&mut self, chain_id: u64, to: TxKind, value: U256, input: Bytes, fees: Fees) -> SignedTx {
        let tx = TxEip1559 {
            chain_id,
            nonce: self.nonce,
            gas_limit: fees.gas_limit,
            max_fee_per_gas: fees.max_fee_per_gas,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            to,
            value,
            access_list: Default::default(),
            input,
        };
        self.finish(tx, TxEnvelope::Eip1559)
    }

    /// An EIP-155 legacy transaction.
    pub fn legacy(&mut self, chain_id: u64, to: TxKind, value: U256, input: Bytes, fees: Fees) -> SignedTx {
        let tx = TxLegacy {
            chain_id: Some(chain_id),
            nonce: self.nonce,
            gas_price: fees.max_fee_per_gas,
            gas_limit: fees.gas_limit,
            to,
            value,
            input,
        };
        self.finish(tx, TxEnvelope::Legacy)
    }

    /// An EIP-2930 transaction with an access list naming `to`'s slot 0 when `to` is a call.
    pub fn eip2930(&mut self, chain_id: u64, to: TxKind, value: U256, input: Bytes, fees: Fees) -> SignedTx {
        let access_list = match to {
            TxKind::Call(a) => alloy_eips::eip2930::AccessList(vec![alloy_eips::eip2930::AccessListItem {
                address: a,
                storage_keys: vec![B256::ZERO],
            }]),
            TxKind::Create => Default::default(),
        };
        let tx = TxEip2930 {
            chain_id,
            nonce: self.nonce,
            gas_price: fees.max_fee_per_gas,
            gas_limit: fees.gas_limit,
            to,
            value,
            access_list,
            input,
        };
        self.finish(tx, TxEnvelope::Eip2930)
    }

    /// An EIP-4844 blob transaction carrying an EIP-7594 (cell proof) `sidecar` in its network form, to `to`.
    pub fn eip4844(
        &mut self,
        chain_id: u64,
        to: Address,
        input: Bytes,
        fees: Fees,
        max_fee_per_blob_gas: u128,
        sidecar: BlobTransactionSidecarEip7594,
    ) -> SignedTx {
        let tx = TxEip4844 {
            chain_id,
            nonce: self.nonce,
            gas_limit: fees.gas_limit,
            max_fee_per_gas: fees.max_fee_per_gas,
            max_priority_fee_per_gas: fees.max_priority_fee_per_gas,
            to,
            value: U256::ZERO,
            access_list: Default::default(),
            blob_versioned_hashes: sidecar.versioned_hashes().collect(),
            max_fee_per_blob_gas,
            input,
        };
        let variant = TxEip4844Variant::TxEip4844WithSidecar(TxEip4844WithSidecar {
            tx,
            sidecar: BlobTransactionSidecarVariant::Eip7594(sidecar),
        });
        self.finish(variant, TxEnvelope::Eip4844)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_eips::eip2718::Decodable2718;

    #[test]
    fn dev_key_is_geths_developer_account() {
        let w = Wallet::new(GETH_DEV_KEY);
        assert_eq!(w.address, alloy_primitives::address!("71562b71999873DB5b286dF957af199Ec94617F7"));
    }

    #[test]
    fn keys_depend_on_seed_role_and_index_only() {
        assert_eq!(derive_key(1, "l2-user", 0), derive_key(1, "l2-user", 0));
        assert_ne!(derive_key(1, "l2-user", 0), derive_key(2, "l2-user", 0));
        assert_ne!(derive_key(1, "l2-user", 0), derive_key(1, "l2-user", 1));
        assert_ne!(derive_key(1, "l2-user", 0), derive_key(1, "batcher", 0));
    }

    #[test]
    fn signed_transactions_decode_and_recover_the_sender() {
        let mut w = Wallet::new(derive_key(7, "t", 0));
        let fees = Fees { gas_limit: 21_000, max_fee_per_gas: 10, max_priority_fee_per_gas: 1 };
        let to = TxKind::Call(Address::repeat_byte(1));
        for tx in [
            w.eip1559(901, to, U256::from(5), Bytes::new(), fees),
            w.legacy(901, to, U256::from(5), Bytes::new(), fees),
            w.eip2930(901, to, U256::from(5), Bytes::new(), fees),
        ] {
            let env = TxEnvelope::decode_2718(&mut tx.raw.as_ref()).unwrap();
            assert_eq!(*env.tx_hash(), tx.hash);
            assert_eq!(alloy_consensus::transaction::SignerRecoverable::recover_signer(&env).unwrap(), w.address);
        }
        assert_eq!(w.nonce, 3);
    }
}
