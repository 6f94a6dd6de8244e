//! Deterministic byte encodings of the block-building inputs that travel through the preimage oracle
//! (`rampart execute-block --export` writes them, the MIPS64 executor guest reads them).
//!
//! * Chain config blob: `b"RCC2"` ‖ chain id ‖ EIP-1559 elasticity ‖ denominator ‖ Canyon denominator (each
//!   u64 big-endian) ‖ eleven fork times Regolith..Interop (Karst before Interop), each a flag byte (0 = not scheduled, 1 = scheduled)
//!   followed by the u64 big-endian time (0 when not scheduled). Exactly 4 + 32 + 99 bytes.
//! * Attributes blob: the RLP list `[config_hash, timestamp, prev_randao, fee_recipient, withdrawals?,
//!   parent_beacon_block_root?, slot_number?, target_gas_limit?, transactions?, no_tx_pool?, gas_limit?,
//!   eip_1559_params?, min_base_fee?]`, where `x?` is an RLP list of zero items (absent) or one item (present)
//!   and `config_hash` is keccak256 of the chain config blob.

use crate::{ChainConfig, Error, ForkTimes};
use alloc::{format, vec::Vec};
use alloy_eips::eip4895::Withdrawal;
use alloy_primitives::{Address, Bytes, B256, B64};
use alloy_rlp::{Decodable, Encodable};
use op_alloy_rpc_types_engine::OpPayloadAttributes;

const CONFIG_MAGIC: &[u8; 4] = b"RCC2";
/// Length of an encoded chain config blob.
pub const CHAIN_CONFIG_LEN: usize = 4 + 4 * 8 + 11 * 9;

/// Encodes `config` as the fixed-size chain config blob.
pub fn encode_chain_config(config: &ChainConfig) -> Vec<u8> {
    let mut out = Vec::with_capacity(CHAIN_CONFIG_LEN);
    out.extend_from_slice(CONFIG_MAGIC);
    for v in [config.chain_id, config.eip1559_elasticity, config.eip1559_denominator, config.eip1559_denominator_canyon]
    {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for t in fork_list(&config.forks) {
        out.push(t.is_some() as u8);
        out.extend_from_slice(&t.unwrap_or(0).to_be_bytes());
    }
    out
}

fn fork_list(f: &ForkTimes) -> [Option<u64>; 11] {
    [f.regolith, f.canyon, f.delta, f.ecotone, f.fjord, f.granite, f.holocene, f.isthmus, f.jovian, f.karst, f.interop]
}

/// Decodes a chain config blob made by [`encode_chain_config`].
pub fn decode_chain_config(blob: &[u8]) -> Result<ChainConfig, Error> {
    if blob.len() != CHAIN_CONFIG_LEN || &blob[..4] != CONFIG_MAGIC {
        return Err(Error::Config(format!(
            "chain config blob: expected {CHAIN_CONFIG_LEN} bytes starting with RCC2, got {} bytes",
            blob.len()
        )));
    }
    let u64_at = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&blob[i..i + 8]);
        u64::from_be_bytes(b)
    };
    let mut times = [None; 11];
    for (k, t) in times.iter_mut().enumerate() {
        let at = 36 + k * 9;
        *t = match blob[at] {
            0 if u64_at(at + 1) == 0 => None,
            1 => Some(u64_at(at + 1)),
            _ => return Err(Error::Config(format!("chain config blob: bad fork flag at byte {at}"))),
        };
    }
    let [regolith, canyon, delta, ecotone, fjord, granite, holocene, isthmus, jovian, karst, interop] = times;
    let cfg = ChainConfig {
        chain_id: u64_at(4),
        eip1559_elasticity: u64_at(12),
        eip1559_denominator: u64_at(20),
        eip1559_denominator_canyon: u64_at(28),
        forks: ForkTimes {
            regolith,
            canyon,
            delta,
            ecotone,
            fjord,
            granite,
            holocene,
            isthmus,
            jovian,
            karst,
            interop,
        },
    };
    if cfg.eip1559_denominator == 0 || cfg.eip1559_denominator_canyon == 0 || cfg.eip1559_elasticity == 0 {
        return Err(Error::Config("EIP-1559 denominator or elasticity is 0".into()));
    }
    Ok(cfg)
}

/// RLP of a block header (the preimage of its hash).
pub fn encode_header(header: &alloy_consensus::Header) -> Vec<u8> {
    alloy_rlp::encode(header)
}

fn opt_len<T: Encodable>(v: &Option<T>) -> usize {
    let payload = v.as_ref().map_or(0, Encodable::length);
    alloy_rlp::length_of_length(payload) + payload
}

fn enc_opt<T: Encodable>(v: &Option<T>, out: &mut Vec<u8>) {
    let payload_length = v.as_ref().map_or(0, Encodable::length);
    alloy_rlp::Header { list: true, payload_length }.encode(out);
    if let Some(v) = v {
        v.encode(out);
    }
}

/// Encodes payload attributes (and the hash of the chain config blob they are built under) as the attributes blob.
pub fn encode_attributes(attrs: &OpPayloadAttributes, config_hash: B256) -> Vec<u8> {
    let p = &attrs.payload_attributes;
    let payload_length = config_hash.length()
        + p.timestamp.length()
        + p.prev_randao.length()
        + p.suggested_fee_recipient.length()
        + opt_len(&p.withdrawals)
        + opt_len(&p.parent_beacon_block_root)
        + opt_len(&p.slot_number)
        + opt_len(&p.target_gas_limit)
        + opt_len(&attrs.transactions)
        + opt_len(&attrs.no_tx_pool)
        + opt_len(&attrs.gas_limit)
        + opt_len(&attrs.eip_1559_params)
        + opt_len(&attrs.min_base_fee);
    let mut out = Vec::with_capacity(payload_length + 9);
    alloy_rlp::Header { list: true, payload_length }.encode(&mut out);
    config_hash.encode(&mut out);
    p.timestamp.encode(&mut out);
    p.prev_randao.encode(&mut out);
    p.suggested_fee_recipient.encode(&mut out);
    enc_opt(&p.withdrawals, &mut out);
    enc_opt(&p.parent_beacon_block_root, &mut out);
    enc_opt(&p.slot_number, &mut out);
    enc_opt(&p.target_gas_limit, &mut out);
    enc_opt(&attrs.transactions, &mut out);
    enc_opt(&attrs.no_tx_pool, &mut out);
    enc_opt(&attrs.gas_limit, &mut out);
    enc_opt(&attrs.eip_1559_params, &mut out);
    enc_opt(&attrs.min_base_fee, &mut out);
    out
}

fn rlp_err(e: alloy_rlp::Error) -> Error {
    Error::Rlp { what: "attributes blob", reason: format!("{e}") }
}

fn list_payload<'a>(buf: &mut &'a [u8]) -> Result<&'a [u8], Error> {
    let h = alloy_rlp::Header::decode(buf).map_err(rlp_err)?;
    if !h.list {
        return Err(rlp_err(alloy_rlp::Error::UnexpectedString));
    }
    if h.payload_length > buf.len() {
        return Err(rlp_err(alloy_rlp::Error::InputTooShort));
    }
    let (payload, rest) = buf.split_at(h.payload_length);
    *buf = rest;
    Ok(payload)
}

fn dec_opt<T: Decodable>(buf: &mut &[u8]) -> Result<Option<T>, Error> {
    let mut payload = list_payload(buf)?;
    if payload.is_empty() {
        return Ok(None);
    }
    let v = T::decode(&mut payload).map_err(rlp_err)?;
    if !payload.is_empty() {
        return Err(rlp_err(alloy_rlp::Error::Custom("optional field holds more than one item")));
    }
    Ok(Some(v))
}

/// Decodes an attributes blob made by [`encode_attributes`]: `(config_hash, attributes)`.
pub fn decode_attributes(blob: &[u8]) -> Result<(B256, OpPayloadAttributes), Error> {
    let mut outer = blob;
    let mut b = list_payload(&mut outer)?;
    if !outer.is_empty() {
        return Err(rlp_err(alloy_rlp::Error::Custom("trailing bytes after the attributes list")));
    }
    let config_hash = B256::decode(&mut b).map_err(rlp_err)?;
    let timestamp = u64::decode(&mut b).map_err(rlp_err)?;
    let prev_randao = B256::decode(&mut b).map_err(rlp_err)?;
    let suggested_fee_recipient = Address::decode(&mut b).map_err(rlp_err)?;
    let withdrawals = dec_opt::<Vec<Withdrawal>>(&mut b)?;
    let parent_beacon_block_root = dec_opt::<B256>(&mut b)?;
    let slot_number = dec_opt::<u64>(&mut b)?;
    let target_gas_limit = dec_opt::<u64>(&mut b)?;
    let transactions = dec_opt::<Vec<Bytes>>(&mut b)?;
    let no_tx_pool = dec_opt::<bool>(&mut b)?;
    let gas_limit = dec_opt::<u64>(&mut b)?;
    let eip_1559_params = dec_opt::<B64>(&mut b)?;
    let min_base_fee = dec_opt::<u64>(&mut b)?;
    if !b.is_empty() {
        return Err(rlp_err(alloy_rlp::Error::Custom("extra items in the attributes list")));
    }
    let mut attrs = OpPayloadAttributes::default();
    let p = &mut attrs.payload_attributes;
    p.timestamp = timestamp;
    p.prev_randao = prev_randao;
    p.suggested_fee_recipient = suggested_fee_recipient;
    p.withdrawals = withdrawals;
    p.parent_beacon_block_root = parent_beacon_block_root;
    p.slot_number = slot_number;
    p.target_gas_limit = target_gas_limit;
    attrs.transactions = transactions;
    attrs.no_tx_pool = no_tx_pool;
    attrs.gas_limit = gas_limit;
    attrs.eip_1559_params = eip_1559_params;
    attrs.min_base_fee = min_base_fee;
    Ok((config_hash, attrs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    fn config() -> ChainConfig {
        ChainConfig {
            chain_id: 11155420,
            forks: ForkTimes { regolith: Some(0), canyon: Some(10), isthmus: Some(u64::MAX), ..Default::default() },
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        }
    }

    fn attrs() -> OpPayloadAttributes {
        let mut a = OpPayloadAttributes::default();
        a.payload_attributes.timestamp = 1234;
        a.payload_attributes.prev_randao = B256::repeat_byte(7);
        a.payload_attributes.suggested_fee_recipient = Address::repeat_byte(9);
        a.payload_attributes.withdrawals = Some(Vec::new());
        a.payload_attributes.parent_beacon_block_root = Some(B256::repeat_byte(3));
        a.transactions = Some(alloc::vec![Bytes::from_static(b"\x7e\x01\x02"), Bytes::new()]);
        a.no_tx_pool = Some(true);
        a.gas_limit = Some(30_000_000);
        a.eip_1559_params = Some(B64::from([0, 0, 0, 250, 0, 0, 0, 6]));
        a
    }

    #[test]
    fn chain_config_round_trip_and_rejects() {
        let blob = encode_chain_config(&config());
        assert_eq!(blob.len(), CHAIN_CONFIG_LEN);
        assert_eq!(decode_chain_config(&blob).unwrap(), config());
        assert!(decode_chain_config(&blob[..blob.len() - 1]).is_err());
        let mut bad = blob.clone();
        bad[36] = 2;
        assert!(decode_chain_config(&bad).is_err());
        let mut zero_den = blob;
        zero_den[20..28].fill(0);
        assert!(decode_chain_config(&zero_den).is_err());
    }

    #[test]
    fn attributes_round_trip() {
        let h = keccak256(b"cfg");
        let blob = encode_attributes(&attrs(), h);
        let (h2, a2) = decode_attributes(&blob).unwrap();
        assert_eq!(h2, h);
        assert_eq!(a2, attrs());
        let empty = OpPayloadAttributes::default();
        assert_eq!(decode_attributes(&encode_attributes(&empty, h)).unwrap().1, empty);
    }

    #[test]
    fn hostile_attribute_blobs_are_errors() {
        let blob = encode_attributes(&attrs(), B256::ZERO);
        for cut in 0..blob.len() {
            assert!(decode_attributes(&blob[..cut]).is_err(), "prefix of {cut} bytes accepted");
        }
        let mut trailing = blob.clone();
        trailing.push(0);
        assert!(decode_attributes(&trailing).is_err());
        // Flip every byte once: decoding may succeed or fail but must never panic.
        for i in 0..blob.len() {
            let mut m = blob.clone();
            m[i] ^= 0xa5;
            let _ = decode_attributes(&m);
        }
    }
}
