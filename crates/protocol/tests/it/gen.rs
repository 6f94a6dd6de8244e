//! Deterministic generators of L2 block sequences and transactions (splitmix64; no external randomness).

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxLegacy};
use alloy_eips::{
    eip2718::Encodable2718,
    eip2930::{AccessList, AccessListItem},
    eip7702::{Authorization, SignedAuthorization},
};
use alloy_primitives::{Address, Bytes, Signature, TxKind, B256, U256};
use rampart_protocol::SingleBatch;

/// splitmix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(crate) fn bool(&mut self) -> bool {
        self.next() & 1 == 1
    }
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub(crate) fn b256(&mut self) -> B256 {
        B256::from_slice(&self.bytes(32))
    }
    pub(crate) fn u256(&mut self) -> U256 {
        // Mix small and full-width values (leading-zero handling in RLP).
        match self.below(3) {
            0 => U256::from(self.below(1000)),
            1 => U256::from(self.next()),
            _ => U256::from_be_bytes(self.b256().0),
        }
    }
    pub(crate) fn u128(&mut self) -> u128 {
        if self.bool() {
            u128::from(self.below(1 << 40))
        } else {
            (u128::from(self.next()) << 64) | u128::from(self.next())
        }
    }
    pub(crate) fn address(&mut self) -> Address {
        Address::from_slice(&self.bytes(20))
    }
    fn sig(&mut self) -> Signature {
        Signature::new(self.u256().max(U256::from(1)), self.u256().max(U256::from(1)), self.bool())
    }
    fn access_list(&mut self) -> AccessList {
        let n = self.below(3) as usize;
        AccessList(
            (0..n)
                .map(|_| AccessListItem {
                    address: self.address(),
                    storage_keys: (0..self.below(3)).map(|_| self.b256()).collect(),
                })
                .collect(),
        )
    }
    fn kind(&mut self) -> TxKind {
        if self.below(5) == 0 {
            TxKind::Create
        } else {
            TxKind::Call(self.address())
        }
    }
    fn input(&mut self) -> Bytes {
        let n = [0, 1, 4, 36, 200][self.below(5) as usize];
        Bytes::from(self.bytes(n))
    }

    /// One signed EIP-2718 transaction of a type span batches carry (signatures are random: nothing here
    /// recovers senders).
    pub(crate) fn tx(&mut self, chain_id: u64) -> Bytes {
        let sig = self.sig();
        let (nonce, gas_limit) = (self.below(1 << 20), 21_000 + self.below(1 << 24));
        let encoded = match self.below(5) {
            0 | 1 => {
                let protected = self.below(2) == 0;
                TxLegacy {
                    chain_id: protected.then_some(chain_id),
                    nonce,
                    gas_price: self.u128(),
                    gas_limit,
                    to: self.kind(),
                    value: self.u256(),
                    input: self.input(),
                }
                .into_signed(sig)
                .encoded_2718()
            }
            2 => TxEip2930 {
                chain_id,
                nonce,
                gas_price: self.u128(),
                gas_limit,
                to: self.kind(),
                value: self.u256(),
                access_list: self.access_list(),
                input: self.input(),
            }
            .into_signed(sig)
            .encoded_2718(),
            3 => TxEip1559 {
                chain_id,
                nonce,
                gas_limit,
                max_fee_per_gas: self.u128(),
                max_priority_fee_per_gas: self.u128(),
                to: self.kind(),
                value: self.u256(),
                access_list: self.access_list(),
                input: self.input(),
            }
            .into_signed(sig)
            .encoded_2718(),
            _ => {
                let auths = (0..1 + self.below(2))
                    .map(|_| {
                        let auth = Authorization {
                            chain_id: U256::from(if self.bool() { chain_id } else { 0 }),
                            address: self.address(),
                            nonce: self.below(100),
                        };
                        SignedAuthorization::new_unchecked(auth, self.below(2) as u8, self.u256(), self.u256())
                    })
                    .collect();
                TxEip7702 {
                    chain_id,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: self.u128(),
                    max_priority_fee_per_gas: self.u128(),
                    to: self.address(),
                    value: self.u256(),
                    access_list: self.access_list(),
                    authorization_list: auths,
                    input: self.input(),
                }
                .into_signed(sig)
                .encoded_2718()
            }
        };
        Bytes::from(encoded)
    }

    /// A run of consecutive L2 blocks (timestamps `block_time` apart, epochs advancing by 0 or 1) as singular
    /// batches, with the sequence number of the first block.
    pub(crate) fn blocks(
        &mut self,
        genesis_time: u64,
        block_time: u64,
        chain_id: u64,
        max_blocks: u64,
    ) -> (Vec<SingleBatch>, u64) {
        let n = 1 + self.below(max_blocks);
        let mut epoch = 1 + self.below(1_000_000);
        let mut ts = genesis_time + block_time * self.below(1_000_000);
        let first_seq = self.below(3);
        let mut parent = self.b256();
        let mut out = Vec::new();
        let epoch_hashes: Vec<B256> = (0..=n).map(|_| self.b256()).collect();
        let mut e_idx = 0;
        for i in 0..n {
            if i > 0 && self.below(3) == 0 {
                epoch += 1;
                e_idx += 1;
            }
            let txs = (0..self.below(4)).map(|_| self.tx(chain_id)).collect();
            out.push(SingleBatch {
                parent_hash: parent,
                epoch_num: epoch,
                epoch_hash: epoch_hashes[e_idx],
                timestamp: ts,
                transactions: txs,
            });
            parent = self.b256();
            ts += block_time;
        }
        (out, first_seq)
    }
}
