//! Span batch transactions (OP span batch spec, "span batch transactions"): the per-type `tx_data` payloads and
//! the columnar `SpanBatchTransactions` section.
//!
//! | field | encoding |
//! |---|---|
//! | `contract_creation_bits` | bit list, one bit per tx |
//! | `y_parity_bits` | bit list, one bit per tx |
//! | `tx_sigs` | `r ‖ s`, 32 + 32 bytes per tx |
//! | `tx_tos` | 20 bytes per tx that is not a contract creation |
//! | `tx_datas` | per tx: `rlp([value, gas_price, data])` (legacy), `0x01 ‖ rlp([value, gas_price, data, access_list])`, `0x02 ‖ rlp([value, max_priority_fee, max_fee, data, access_list])`, `0x04 ‖ rlp([value, max_priority_fee, max_fee, data, access_list, authorization_list])` |
//! | `tx_nonces` | varint per tx |
//! | `tx_gases` | varint per tx |
//! | `protected_bits` | bit list, one bit per legacy tx (EIP-155 or not) |

use super::{
    bits::SpanBatchBits,
    varint::{read_uvarint, write_uvarint},
    MAX_SPAN_BATCH_ELEMENTS,
};
use crate::errors::BatchError;
use alloc::vec::Vec;
use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEip7702, TxEnvelope, TxLegacy};
use alloy_eips::{
    eip2718::{Decodable2718, Encodable2718},
    eip2930::AccessList,
    eip7702::SignedAuthorization,
};
use alloy_primitives::{Address, Bytes, Signature, TxKind, U256};
use alloy_rlp::{Decodable, Encodable, Header, RlpDecodable, RlpEncodable};

/// Legacy `tx_data`: `rlp([value, gas_price, data])`.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct LegacyData {
    value: U256,
    gas_price: u128,
    data: Bytes,
}

/// EIP-2930 `tx_data` payload.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct Eip2930Data {
    value: U256,
    gas_price: u128,
    data: Bytes,
    access_list: AccessList,
}

/// EIP-1559 `tx_data` payload.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct Eip1559Data {
    value: U256,
    max_priority_fee_per_gas: u128,
    max_fee_per_gas: u128,
    data: Bytes,
    access_list: AccessList,
}

/// EIP-7702 `tx_data` payload.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct Eip7702Data {
    value: U256,
    max_priority_fee_per_gas: u128,
    max_fee_per_gas: u128,
    data: Bytes,
    access_list: AccessList,
    authorization_list: Vec<SignedAuthorization>,
}

/// One transaction's type-specific fields as a span batch carries them.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SpanTxData {
    Legacy(LegacyData),
    Eip2930(Eip2930Data),
    Eip1559(Eip1559Data),
    Eip7702(Eip7702Data),
}

impl SpanTxData {
    const fn tx_type(&self) -> u8 {
        match self {
            Self::Legacy(_) => 0,
            Self::Eip2930(_) => 1,
            Self::Eip1559(_) => 2,
            Self::Eip7702(_) => 4,
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Self::Legacy(d) => d.encode(out),
            Self::Eip2930(d) => {
                out.push(1);
                d.encode(out);
            }
            Self::Eip1559(d) => {
                out.push(2);
                d.encode(out);
            }
            Self::Eip7702(d) => {
                out.push(4);
                d.encode(out);
            }
        }
    }

    /// Reads one `tx_data` (op-node `ReadTxData` then `spanBatchTx.UnmarshalBinary`).
    fn decode(buf: &mut &[u8]) -> Result<Self, BatchError> {
        let first = *buf.first().ok_or(BatchError::Truncated("tx_datas"))?;
        let ty = if first <= 0x7f {
            *buf = &buf[1..];
            Some(first)
        } else {
            None
        };
        let mut peek = *buf;
        let header = Header::decode(&mut peek).map_err(|_| BatchError::Truncated("tx_datas"))?;
        if !header.list {
            return Err(BatchError::TxDataNotList);
        }
        if header.payload_length > MAX_SPAN_BATCH_ELEMENTS as usize {
            return Err(BatchError::TooBig);
        }
        let total = buf.len() - peek.len() + header.payload_length;
        if buf.len() < total {
            return Err(BatchError::Truncated("tx_datas"));
        }
        let (mut item, rest) = buf.split_at(total);
        *buf = rest;
        let strict = |r: alloy_rlp::Result<Self>, item: &[u8]| match r {
            Ok(v) if item.is_empty() => Ok(v),
            _ => Err(BatchError::TxData),
        };
        match ty {
            None => strict(LegacyData::decode(&mut item).map(Self::Legacy), item),
            Some(1) => strict(Eip2930Data::decode(&mut item).map(Self::Eip2930), item),
            Some(2) => strict(Eip1559Data::decode(&mut item).map(Self::Eip1559), item),
            Some(4) => strict(Eip7702Data::decode(&mut item).map(Self::Eip7702), item),
            Some(t) => Err(BatchError::UnsupportedTxType(t)),
        }
    }
}

/// The transactions of a span batch in their columnar wire form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatchTransactions {
    total: usize,
    contract_creation_bits: SpanBatchBits,
    y_parity_bits: SpanBatchBits,
    sigs: Vec<(U256, U256)>,
    tos: Vec<Address>,
    datas: Vec<SpanTxData>,
    nonces: Vec<u64>,
    gases: Vec<u64>,
    protected_bits: SpanBatchBits,
}

impl SpanBatchTransactions {
    /// Number of transactions.
    pub const fn len(&self) -> usize {
        self.total
    }

    /// Whether there are none.
    pub const fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Decodes the section for `total` transactions.
    pub fn decode(buf: &mut &[u8], total: usize) -> Result<Self, BatchError> {
        if total > MAX_SPAN_BATCH_ELEMENTS as usize {
            return Err(BatchError::TooBig);
        }
        let contract_creation_bits = SpanBatchBits::decode(buf, total, "contract_creation_bits")?;
        let y_parity_bits = SpanBatchBits::decode(buf, total, "y_parity_bits")?;
        if buf.len() / 64 < total {
            return Err(BatchError::Truncated("tx_sigs"));
        }
        let mut sigs = Vec::with_capacity(total);
        for _ in 0..total {
            let r = U256::from_be_slice(&buf[..32]);
            let s = U256::from_be_slice(&buf[32..64]);
            *buf = &buf[64..];
            sigs.push((r, s));
        }
        let calls = total - contract_creation_bits.count_ones();
        if buf.len() / 20 < calls {
            return Err(BatchError::Truncated("tx_tos"));
        }
        let mut tos = Vec::with_capacity(calls);
        for _ in 0..calls {
            tos.push(Address::from_slice(&buf[..20]));
            *buf = &buf[20..];
        }
        // Each tx_data takes at least one byte, each varint at least one: bound the allocations by the input.
        let mut datas = Vec::with_capacity(total.min(buf.len()));
        for _ in 0..total {
            datas.push(SpanTxData::decode(buf)?);
        }
        let mut nonces = Vec::with_capacity(total.min(buf.len()));
        for _ in 0..total {
            nonces.push(read_uvarint(buf, "tx_nonces")?);
        }
        let mut gases = Vec::with_capacity(total.min(buf.len()));
        for _ in 0..total {
            gases.push(read_uvarint(buf, "tx_gases")?);
        }
        let legacy = datas.iter().filter(|d| matches!(d, SpanTxData::Legacy(_))).count();
        let protected_bits = SpanBatchBits::decode(buf, legacy, "protected_bits")?;
        Ok(Self { total, contract_creation_bits, y_parity_bits, sigs, tos, datas, nonces, gases, protected_bits })
    }

    /// Appends the wire encoding.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.contract_creation_bits.as_bytes());
        out.extend_from_slice(self.y_parity_bits.as_bytes());
        for (r, s) in &self.sigs {
            out.extend_from_slice(&r.to_be_bytes::<32>());
            out.extend_from_slice(&s.to_be_bytes::<32>());
        }
        for to in &self.tos {
            out.extend_from_slice(to.as_slice());
        }
        for data in &self.datas {
            data.encode(out);
        }
        for &nonce in &self.nonces {
            write_uvarint(out, nonce);
        }
        for &gas in &self.gases {
            write_uvarint(out, gas);
        }
        out.extend_from_slice(self.protected_bits.as_bytes());
    }

    /// Rebuilds the full EIP-2718 transactions for `chain_id` (op-node `recoverV` + `fullTxs`).
    pub fn full_txs(&self, chain_id: u64) -> Result<Vec<Bytes>, BatchError> {
        let mut txs = Vec::with_capacity(self.total);
        let (mut to_idx, mut legacy_idx) = (0usize, 0usize);
        for i in 0..self.total {
            let to = if self.contract_creation_bits.get(i) {
                None
            } else {
                let to = *self.tos.get(to_idx).ok_or(BatchError::Truncated("tx_tos"))?;
                to_idx += 1;
                Some(to)
            };
            let kind = to.map_or(TxKind::Create, TxKind::Call);
            let (r, s) = self.sigs[i];
            let sig = Signature::new(r, s, self.y_parity_bits.get(i));
            let (nonce, gas_limit) = (self.nonces[i], self.gases[i]);
            let encoded = match &self.datas[i] {
                SpanTxData::Legacy(d) => {
                    let protected = self.protected_bits.get(legacy_idx);
                    legacy_idx += 1;
                    let tx = TxLegacy {
                        chain_id: protected.then_some(chain_id),
                        nonce,
                        gas_price: d.gas_price,
                        gas_limit,
                        to: kind,
                        value: d.value,
                        input: d.data.clone(),
                    };
                    tx.into_signed(sig).encoded_2718()
                }
                SpanTxData::Eip2930(d) => TxEip2930 {
                    chain_id,
                    nonce,
                    gas_price: d.gas_price,
                    gas_limit,
                    to: kind,
                    value: d.value,
                    access_list: d.access_list.clone(),
                    input: d.data.clone(),
                }
                .into_signed(sig)
                .encoded_2718(),
                SpanTxData::Eip1559(d) => TxEip1559 {
                    chain_id,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: d.max_fee_per_gas,
                    max_priority_fee_per_gas: d.max_priority_fee_per_gas,
                    to: kind,
                    value: d.value,
                    access_list: d.access_list.clone(),
                    input: d.data.clone(),
                }
                .into_signed(sig)
                .encoded_2718(),
                SpanTxData::Eip7702(d) => TxEip7702 {
                    chain_id,
                    nonce,
                    gas_limit,
                    max_fee_per_gas: d.max_fee_per_gas,
                    max_priority_fee_per_gas: d.max_priority_fee_per_gas,
                    to: to.ok_or(BatchError::SetCodeCreate)?,
                    value: d.value,
                    access_list: d.access_list.clone(),
                    authorization_list: d.authorization_list.clone(),
                    input: d.data.clone(),
                }
                .into_signed(sig)
                .encoded_2718(),
            };
            txs.push(Bytes::from(encoded));
        }
        Ok(txs)
    }

    /// Appends EIP-2718 transactions (op-node `AddTxs`): legacy, 2930, 1559 and 7702 only; an EIP-155 chain id
    /// other than `chain_id` is an error.
    pub fn add_txs(&mut self, txs: &[Bytes], chain_id: u64) -> Result<(), BatchError> {
        // Collect into plain vectors first; the bit lists are rebuilt at the end with their new lengths.
        let old = self.total;
        let mut creation: Vec<bool> = (0..old).map(|i| self.contract_creation_bits.get(i)).collect();
        let mut parity: Vec<bool> = (0..old).map(|i| self.y_parity_bits.get(i)).collect();
        let legacy_old = self.protected_bits.len();
        let mut protected: Vec<bool> = (0..legacy_old).map(|i| self.protected_bits.get(i)).collect();
        for raw in txs {
            let env = TxEnvelope::decode_2718(&mut raw.as_ref()).map_err(|_| BatchError::InvalidTx)?;
            let check_chain = |id: Option<u64>| match id {
                Some(id) if id != chain_id => Err(BatchError::WrongChainId { expected: chain_id, got: id }),
                _ => Ok(()),
            };
            let (sig, nonce, gas, to, data) = match &env {
                TxEnvelope::Legacy(s) => {
                    let tx = s.tx();
                    check_chain(tx.chain_id)?;
                    protected.push(tx.chain_id.is_some());
                    let d = LegacyData { value: tx.value, gas_price: tx.gas_price, data: tx.input.clone() };
                    (*s.signature(), tx.nonce, tx.gas_limit, tx.to.to().copied(), SpanTxData::Legacy(d))
                }
                TxEnvelope::Eip2930(s) => {
                    let tx = s.tx();
                    check_chain(Some(tx.chain_id))?;
                    let d = Eip2930Data {
                        value: tx.value,
                        gas_price: tx.gas_price,
                        data: tx.input.clone(),
                        access_list: tx.access_list.clone(),
                    };
                    (*s.signature(), tx.nonce, tx.gas_limit, tx.to.to().copied(), SpanTxData::Eip2930(d))
                }
                TxEnvelope::Eip1559(s) => {
                    let tx = s.tx();
                    check_chain(Some(tx.chain_id))?;
                    let d = Eip1559Data {
                        value: tx.value,
                        max_priority_fee_per_gas: tx.max_priority_fee_per_gas,
                        max_fee_per_gas: tx.max_fee_per_gas,
                        data: tx.input.clone(),
                        access_list: tx.access_list.clone(),
                    };
                    (*s.signature(), tx.nonce, tx.gas_limit, tx.to.to().copied(), SpanTxData::Eip1559(d))
                }
                TxEnvelope::Eip7702(s) => {
                    let tx = s.tx();
                    check_chain(Some(tx.chain_id))?;
                    let d = Eip7702Data {
                        value: tx.value,
                        max_priority_fee_per_gas: tx.max_priority_fee_per_gas,
                        max_fee_per_gas: tx.max_fee_per_gas,
                        data: tx.input.clone(),
                        access_list: tx.access_list.clone(),
                        authorization_list: tx.authorization_list.clone(),
                    };
                    (*s.signature(), tx.nonce, tx.gas_limit, Some(tx.to), SpanTxData::Eip7702(d))
                }
                TxEnvelope::Eip4844(_) => return Err(BatchError::UnsupportedTxType(3)),
            };
            creation.push(to.is_none());
            if let Some(to) = to {
                self.tos.push(to);
            }
            parity.push(sig.v());
            self.sigs.push((sig.r(), sig.s()));
            self.nonces.push(nonce);
            self.gases.push(gas);
            self.datas.push(data);
        }
        self.total = self.datas.len();
        self.contract_creation_bits = SpanBatchBits::from_bools(creation);
        self.y_parity_bits = SpanBatchBits::from_bools(parity);
        self.protected_bits = SpanBatchBits::from_bools(protected);
        Ok(())
    }

    /// Transaction types in order (0 legacy, 1, 2, 4).
    pub fn tx_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.datas.iter().map(SpanTxData::tx_type)
    }
}
