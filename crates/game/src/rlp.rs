//! Reading one byte-string item of an RLP list exactly as `challengeRootL2Block` does
//! (`RLPReader.readBytes(RLPReader.readList(RLPReader.toRLPItem(headerRLP))[i])` in contracts-bedrock's
//! `libraries/rlp/RLPReader.sol`), on alloy-rlp's [`Header`] decoder.
//!
//! The contract reverts, and so does this, on: empty input; a top-level item that is not a list or whose payload
//! does not end exactly at the end of the input; any item (the list or one of its elements) whose payload runs
//! past the input; a one-byte string in long form (`0x81 0x00`..`0x81 0x7f`, `NonCanonicalSingleByte`); a long
//! form whose length has a leading zero byte or is at most 55 (`InvalidHeader`); more than
//! [`MAX_LIST_LENGTH`] elements (the fixed-size array in `readList`); an index past the last element; and a
//! selected element that is a list (`UnexpectedList`). Like the contract, it does not look inside elements it
//! skips, nor require canonical integers inside a string.

use crate::errors::GameError;
use alloy_rlp::Header;

/// `RLPReader.MAX_LIST_LENGTH`: `readList` fills a fixed array of this size, so a longer list reverts.
pub const MAX_LIST_LENGTH: usize = 32;

/// Element `index` of the RLP list `data`, which must be a byte string; its payload.
pub fn list_bytes_item(data: &[u8], index: usize) -> Result<&[u8], GameError> {
    let bad = |_| GameError::InvalidHeaderRlp;
    let mut buf = data;
    let list = Header::decode(&mut buf).map_err(bad)?;
    if !list.list || list.payload_length != buf.len() {
        return Err(GameError::InvalidHeaderRlp);
    }
    let mut found = None;
    let mut count = 0;
    while !buf.is_empty() {
        count += 1;
        if count > MAX_LIST_LENGTH {
            return Err(GameError::InvalidHeaderRlp);
        }
        let item = Header::decode(&mut buf).map_err(bad)?;
        // Header::decode leaves a single byte (< 0x80) in place as its own one-byte payload.
        let (payload, rest) = buf.split_at(item.payload_length);
        if count - 1 == index {
            found = Some((item.list, payload));
        }
        buf = rest;
    }
    match found {
        Some((false, payload)) => Ok(payload),
        _ => Err(GameError::InvalidHeaderRlp),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_rlp::Encodable;

    fn list(items: &[Vec<u8>]) -> Vec<u8> {
        let payload = items.concat();
        let mut out = Vec::new();
        Header { list: true, payload_length: payload.len() }.encode(&mut out);
        out.extend_from_slice(&payload);
        out
    }

    fn string(b: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        b.encode(&mut out);
        out
    }

    #[test]
    fn reads_items_of_canonical_lists() {
        let items: Vec<Vec<u8>> = (0u8..12).map(|i| string(&vec![i; i as usize * 10])).collect();
        let l = list(&items);
        assert_eq!(list_bytes_item(&l, 8).unwrap(), &[8u8; 80][..]);
        assert_eq!(list_bytes_item(&l, 0).unwrap(), &[] as &[u8]);
        assert_eq!(list_bytes_item(&l, 11).unwrap(), &[11u8; 110][..]);
        // A single byte below 0x80 is its own item.
        let l = list(&[string(&[5]), string(&[0x7f]), string(&[0x80])]);
        assert_eq!(list_bytes_item(&l, 0).unwrap(), &[5]);
        assert_eq!(list_bytes_item(&l, 1).unwrap(), &[0x7f]);
        assert_eq!(list_bytes_item(&l, 2).unwrap(), &[0x80]);
        // Non-canonical integers inside a string are not the reader's business (the contract accepts them).
        let l = list(&[string(&[0, 0, 1])]);
        assert_eq!(list_bytes_item(&l, 0).unwrap(), &[0, 0, 1]);
    }

    #[test]
    fn rejects_what_rlpreader_reverts_on() {
        let ok = list(&[string(b"abc"), string(&[9; 60])]);
        assert!(list_bytes_item(&ok, 1).is_ok());
        // Past the last element, truncated, trailing bytes, empty, not a list.
        assert!(list_bytes_item(&ok, 2).is_err());
        assert!(list_bytes_item(&ok[..ok.len() - 1], 0).is_err());
        let mut trailing = ok.clone();
        trailing.push(0);
        assert!(list_bytes_item(&trailing, 0).is_err());
        assert!(list_bytes_item(&[], 0).is_err());
        assert!(list_bytes_item(&string(b"abc"), 0).is_err());
        assert!(list_bytes_item(&[0xff, 0xff], 0).is_err());
        // A one-byte string in long form: 0x81 0x05 (the contract's `strLen == 1 && byte < 0x80`).
        assert!(list_bytes_item(&[0xc2, 0x81, 0x05], 0).is_err());
        assert_eq!(list_bytes_item(&[0xc2, 0x81, 0x80], 0).unwrap(), &[0x80]);
        // Long string form for a 3-byte string (length <= 55), and with a leading zero length byte.
        assert!(list_bytes_item(&[0xc5, 0xb8, 0x03, 1, 2, 3], 0).is_err());
        let mut lz = vec![0xf8, 64, 0xb9, 0x00, 61];
        lz.extend([7u8; 61]);
        assert!(list_bytes_item(&lz, 0).is_err());
        // Long list form for a short list, and with a leading zero.
        assert!(list_bytes_item(&[0xf8, 0x02, 0x01, 0x02], 0).is_err());
        let mut body = vec![0xb8, 60];
        body.extend([1u8; 60]);
        let mut lz_list = vec![0xf9, 0x00, body.len() as u8];
        lz_list.extend(&body);
        assert!(list_bytes_item(&lz_list, 0).is_err());
        let mut good_list = vec![0xf8, body.len() as u8];
        good_list.extend(&body);
        assert_eq!(list_bytes_item(&good_list, 0).unwrap(), &[1u8; 60][..]);
        // An element that claims more bytes than the list holds.
        assert!(list_bytes_item(&[0xc2, 0x83, 0x01], 0).is_err());
        // The selected element is a list.
        let nested = list(&[list(&[string(b"x")]), string(b"y")]);
        assert!(list_bytes_item(&nested, 0).is_err());
        assert_eq!(list_bytes_item(&nested, 1).unwrap(), b"y");
    }

    #[test]
    fn more_than_32_elements_revert() {
        let items: Vec<Vec<u8>> = (0..32u8).map(|i| string(&[i])).collect();
        assert_eq!(list_bytes_item(&list(&items), 8).unwrap(), &[8]);
        let mut more = items.clone();
        more.push(string(&[1]));
        assert!(list_bytes_item(&list(&more), 8).is_err());
    }

    /// Every element of 2 000 random canonical lists (9..28 strings of 0..69 bytes) reads back as alloy-rlp's own
    /// list decoder returns it.
    #[test]
    fn agrees_with_alloy_on_random_lists() {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut checked = 0;
        for _ in 0..2000 {
            let n = (next() % 20) as usize + 9;
            let items: Vec<Vec<u8>> =
                (0..n).map(|_| (0..(next() % 70) as usize).map(|_| next() as u8).collect()).collect();
            let l = list(&items.iter().map(|i| string(i)).collect::<Vec<_>>());
            let decoded: Vec<alloy_rlp::Bytes> = alloy_rlp::Decodable::decode(&mut &l[..]).unwrap();
            for (i, want) in decoded.iter().enumerate() {
                assert_eq!(list_bytes_item(&l, i).unwrap(), &want[..]);
                checked += 1;
            }
        }
        assert!(checked > 2000 * 9);
    }
}
