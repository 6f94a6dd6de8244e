//! Just enough RLP to read the block number (item 8) of an L2 header, as `challengeRootL2Block` does, and to build test headers.

use crate::errors::GameError;

/// One decoded item: `(is_list, payload range)` inside the input.
fn item(data: &[u8], at: usize) -> Result<(bool, usize, usize), GameError> {
    let bad = GameError::InvalidHeaderRlp;
    let b = *data.get(at).ok_or(bad.clone())? as usize;
    let long = |n: usize| -> Result<usize, GameError> {
        let bytes = data.get(at + 1..at + 1 + n).ok_or(bad.clone())?;
        if bytes.first() == Some(&0) || n > 8 {
            return Err(bad.clone());
        }
        Ok(bytes.iter().fold(0usize, |acc, x| (acc << 8) | *x as usize))
    };
    let (is_list, start, len) = match b {
        0x00..=0x7f => (false, at, 1),
        0x80..=0xb7 => (false, at + 1, b - 0x80),
        0xb8..=0xbf => (false, at + 1 + (b - 0xb7), long(b - 0xb7)?),
        0xc0..=0xf7 => (true, at + 1, b - 0xc0),
        _ => (true, at + 1 + (b - 0xf7), long(b - 0xf7)?),
    };
    let end = start.checked_add(len).ok_or(bad.clone())?;
    if end > data.len() {
        return Err(bad);
    }
    Ok((is_list, start, end))
}

/// Reads list item `index` of an RLP list as a byte string (`readList()[index].readBytes()`).
pub fn list_bytes_item(data: &[u8], index: usize) -> Result<&[u8], GameError> {
    let (is_list, mut at, end) = item(data, 0)?;
    if !is_list || end != data.len() {
        return Err(GameError::InvalidHeaderRlp);
    }
    let mut i = 0;
    while at < end {
        let (sub_list, s, e) = item(data, at)?;
        if e > end {
            return Err(GameError::InvalidHeaderRlp);
        }
        if i == index {
            if sub_list {
                return Err(GameError::InvalidHeaderRlp);
            }
            return Ok(&data[s..e]);
        }
        at = e;
        i += 1;
    }
    Err(GameError::InvalidHeaderRlp)
}

/// Encodes a byte string (for tests and header builders).
pub fn encode_bytes(b: &[u8]) -> Vec<u8> {
    if b.len() == 1 && b[0] < 0x80 {
        return b.to_vec();
    }
    let mut out = len_prefix(0x80, b.len());
    out.extend_from_slice(b);
    out
}

/// Encodes a list of already-encoded items.
pub fn encode_list(items: &[Vec<u8>]) -> Vec<u8> {
    let payload: Vec<u8> = items.concat();
    let mut out = len_prefix(0xc0, payload.len());
    out.extend_from_slice(&payload);
    out
}

fn len_prefix(base: u8, len: usize) -> Vec<u8> {
    if len <= 55 {
        return vec![base + len as u8];
    }
    let be = (len as u64).to_be_bytes();
    let skip = be.iter().take_while(|b| **b == 0).count();
    let mut out = vec![base + 55 + (8 - skip) as u8];
    out.extend_from_slice(&be[skip..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roundtrip_and_hostile() {
        let items: Vec<Vec<u8>> = (0u8..12).map(|i| encode_bytes(&vec![i; i as usize * 10])).collect();
        let l = encode_list(&items);
        assert_eq!(list_bytes_item(&l, 8).unwrap(), &[8u8; 80][..]);
        assert_eq!(list_bytes_item(&l, 0).unwrap(), &[] as &[u8]);
        assert!(list_bytes_item(&l, 12).is_err());
        assert!(list_bytes_item(&l[..l.len() - 1], 8).is_err());
        assert!(list_bytes_item(&[0xff, 0xff], 0).is_err());
        assert!(list_bytes_item(&[], 0).is_err());
        assert!(list_bytes_item(&encode_bytes(b"abc"), 0).is_err());
    }
}
