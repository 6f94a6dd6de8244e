//! The oracle-backed L1 chain provider: headers by keccak key, transactions and receipts by walking their
//! ordered tries through the oracle, each read preceded by kona's hint (fault-proof-program spec §2.6).

use crate::{
    errors::{ProgramError, Result},
    oracle::{HintType, PreimageOracle},
};
use alloc::{collections::BTreeMap, format, vec::Vec};
use alloy_consensus::{Header, Receipt, ReceiptEnvelope, TxEnvelope};
use alloy_eips::eip2718::Decodable2718;
use alloy_primitives::{Bytes, B256};
use alloy_rlp::Decodable;
use core::cell::RefCell;
use rampart_derive::ChainProvider;
use rampart_mpt::{Trie, TrieProvider};
use rampart_protocol::BlockInfo;

/// At most this many entries are read from one transaction or receipt trie (an L1 block holds far fewer; a
/// hostile trie cannot make the walk unbounded).
pub const MAX_LIST_ITEMS: usize = 1 << 16;

/// Trie nodes fetched through the oracle by keccak256 key (no hint: the block's hint covers them).
struct OracleNodes<'a, O: ?Sized> {
    oracle: RefCell<&'a mut O>,
}

impl<O: PreimageOracle + ?Sized> TrieProvider for OracleNodes<'_, O> {
    fn node(&self, hash: B256) -> core::result::Result<Bytes, rampart_mpt::Error> {
        match self.oracle.borrow_mut().get_keccak(hash) {
            Ok(data) => Ok(data.into()),
            Err(ProgramError::HashMismatch(h)) => Err(rampart_mpt::Error::HashMismatch(h)),
            Err(_) => Err(rampart_mpt::Error::MissingNode(hash)),
        }
    }
}

/// Reads the values of the ordered list trie under `root` (keys `rlp(0)`, `rlp(1)`, … until the first absent).
pub fn read_ordered_list<O: PreimageOracle + ?Sized>(oracle: &mut O, root: B256) -> Result<Vec<Bytes>> {
    let nodes = OracleNodes { oracle: RefCell::new(oracle) };
    let mut trie = Trie::open(root);
    let mut out = Vec::new();
    loop {
        if out.len() >= MAX_LIST_ITEMS {
            return Err(ProgramError::Decode {
                what: "ordered trie",
                hash: root,
                reason: format!("more than {MAX_LIST_ITEMS} entries"),
            });
        }
        let key = alloy_rlp::encode(out.len());
        match trie.get_cached(&key, &nodes).map_err(|source| ProgramError::Trie { root, source })? {
            Some(v) => out.push(v),
            None => return Ok(out),
        }
    }
}

/// Fetches and decodes the header whose hash is `hash`, after sending `hint` ‖ hash.
pub fn header_by_hash<O: PreimageOracle + ?Sized>(oracle: &mut O, hint: HintType, hash: B256) -> Result<Header> {
    oracle.hint(&hint.with(hash.as_slice()))?;
    let rlp = oracle.get_keccak(hash)?;
    let mut buf = rlp.as_slice();
    let header =
        Header::decode(&mut buf).map_err(|e| ProgramError::Decode { what: "header", hash, reason: format!("{e}") })?;
    if !buf.is_empty() {
        return Err(ProgramError::Decode { what: "header", hash, reason: format!("{} trailing bytes", buf.len()) });
    }
    Ok(header)
}

/// The block reference of a header whose hash is known.
pub fn block_info(header: &Header, hash: B256) -> BlockInfo {
    BlockInfo::new(hash, header.number, header.parent_hash, header.timestamp)
}

/// L1 chain access through the oracle, bounded by the L1 head.
#[derive(Debug, Clone)]
pub struct OracleL1ChainProvider<O> {
    l1_head: B256,
    oracle: O,
    /// Block references found walking back from the head, by number.
    by_number: BTreeMap<u64, BlockInfo>,
}

impl<O: PreimageOracle> OracleL1ChainProvider<O> {
    /// A provider whose chain ends at `l1_head`.
    pub fn new(l1_head: B256, oracle: O) -> Self {
        Self { l1_head, oracle, by_number: BTreeMap::new() }
    }

    /// The oracle.
    pub fn oracle_mut(&mut self) -> &mut O {
        &mut self.oracle
    }

    /// Gives the oracle back.
    pub fn into_inner(self) -> O {
        self.oracle
    }

    fn header(&mut self, hash: B256) -> Result<Header> {
        header_by_hash(&mut self.oracle, HintType::L1BlockHeader, hash)
    }
}

impl<O: PreimageOracle> ChainProvider for OracleL1ChainProvider<O> {
    type Error = ProgramError;

    fn header_by_hash(&mut self, hash: B256) -> Result<Header> {
        self.header(hash)
    }

    fn block_info_by_number(&mut self, number: u64) -> Result<BlockInfo> {
        if let Some(info) = self.by_number.get(&number) {
            return Ok(*info);
        }
        // Walk back from the lowest block known so far (the head at first), one header hint per step.
        let mut cur = match self.by_number.first_key_value() {
            Some((_, info)) => *info,
            None => {
                let head = self.header(self.l1_head)?;
                let info = block_info(&head, self.l1_head);
                self.by_number.insert(info.number, info);
                info
            }
        };
        if number > self.by_number.last_key_value().map_or(cur.number, |(n, _)| *n) {
            let head = self.by_number.last_key_value().map_or(cur.number, |(n, _)| *n);
            return Err(ProgramError::BlockNotFound { number, head });
        }
        while cur.number > number {
            let parent_hash = cur.parent_hash;
            let parent = self.header(parent_hash)?;
            if parent.number.checked_add(1) != Some(cur.number) {
                return Err(ProgramError::BrokenChain { hash: parent_hash });
            }
            cur = block_info(&parent, parent_hash);
            self.by_number.insert(cur.number, cur);
        }
        Ok(cur)
    }

    fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>> {
        let header = self.header(hash)?;
        self.oracle.hint(&HintType::L1Receipts.with(hash.as_slice()))?;
        let raw = read_ordered_list(&mut self.oracle, header.receipts_root)?;
        raw.iter()
            .map(|r| {
                let mut buf = r.as_ref();
                let env = ReceiptEnvelope::decode_2718(&mut buf).map_err(|e| ProgramError::Decode {
                    what: "receipt",
                    hash,
                    reason: format!("{e}"),
                })?;
                if !buf.is_empty() {
                    return Err(ProgramError::Decode { what: "receipt", hash, reason: "trailing bytes".into() });
                }
                Ok(env.into_receipt())
            })
            .collect()
    }

    fn block_info_and_transactions_by_hash(&mut self, hash: B256) -> Result<(BlockInfo, Vec<TxEnvelope>)> {
        let header = self.header(hash)?;
        self.oracle.hint(&HintType::L1Transactions.with(hash.as_slice()))?;
        let raw = read_ordered_list(&mut self.oracle, header.transactions_root)?;
        let txs = raw
            .iter()
            .map(|t| {
                let mut buf = t.as_ref();
                let tx = TxEnvelope::decode_2718(&mut buf).map_err(|e| ProgramError::Decode {
                    what: "transaction",
                    hash,
                    reason: format!("{e}"),
                })?;
                if !buf.is_empty() {
                    return Err(ProgramError::Decode { what: "transaction", hash, reason: "trailing bytes".into() });
                }
                Ok(tx)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((block_info(&header, hash), txs))
    }
}
