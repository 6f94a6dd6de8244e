//! A revm [`Database`] over the state trie, resolved lazily through preimages.

use crate::Error;
use alloc::{collections::BTreeMap, format, string::ToString, vec::Vec};
use alloy_consensus::Header;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_rlp::{Decodable, RlpDecodable, RlpEncodable};
use rampart_mpt::{Trie, TrieProvider, EMPTY_ROOT_HASH};
use revm::{
    bytecode::Bytecode,
    database::BundleState,
    primitives::{StorageKey, StorageValue, KECCAK_EMPTY},
    state::AccountInfo,
    Database,
};

/// Account as stored in the state trie: RLP `[nonce, balance, storageRoot, codeHash]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct TrieAccount {
    nonce: u64,
    balance: U256,
    storage_root: B256,
    code_hash: B256,
}

/// How many blocks back `BLOCKHASH` may reach.
const BLOCK_HASH_WINDOW: u64 = 256;

/// State access for block execution: accounts at `keccak256(address)` in the state trie, storage
/// at `keccak256(slot)` in each account's storage trie, bytecode and headers by hash.
pub struct TrieDb<P> {
    provider: P,
    state: Trie,
    storage: BTreeMap<Address, Trie>,
    parent: Header,
    parent_hash: B256,
    block_hashes: BTreeMap<u64, B256>,
    first_error: Option<Error>,
}

impl<P> core::fmt::Debug for TrieDb<P> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TrieDb")
            .field("parent_number", &self.parent.number)
            .field("parent_hash", &self.parent_hash)
            .field("state_root", &self.state.root())
            .field("storage_tries", &self.storage.len())
            .finish_non_exhaustive()
    }
}

impl<P: TrieProvider> TrieDb<P> {
    /// Opens the state of `parent` (its state root), whose hash is `parent_hash`.
    pub fn new(parent: Header, parent_hash: B256, provider: P) -> Self {
        let mut block_hashes = BTreeMap::new();
        block_hashes.insert(parent.number, parent_hash);
        Self {
            provider,
            state: Trie::open(parent.state_root),
            storage: BTreeMap::new(),
            parent,
            parent_hash,
            block_hashes,
            first_error: None,
        }
    }

    /// The first error any database access returned (execution errors wrap it as text).
    pub fn take_first_error(&mut self) -> Option<Error> {
        self.first_error.take()
    }

    fn record<T>(&mut self, r: Result<T, Error>) -> Result<T, Error> {
        if let Err(e) = &r {
            if self.first_error.is_none() {
                self.first_error = Some(e.clone());
            }
        }
        r
    }

    fn read_account(&mut self, address: Address) -> Result<Option<TrieAccount>, Error> {
        let hashed = keccak256(address);
        let Some(raw) = self.state.get_cached(hashed.as_slice(), &self.provider)? else {
            return Ok(None);
        };
        let acc = TrieAccount::decode(&mut raw.as_ref())
            .map_err(|e| Error::Rlp { what: "account", reason: e.to_string() })?;
        Ok(Some(acc))
    }

    /// The storage trie of `address`, opened from the state trie if not yet cached.
    fn storage_trie(&mut self, address: Address) -> Result<&mut Trie, Error> {
        if !self.storage.contains_key(&address) {
            let root = self.read_account(address)?.map_or(EMPTY_ROOT_HASH, |a| a.storage_root);
            self.storage.insert(address, Trie::open(root));
        }
        Ok(self.storage.get_mut(&address).expect("inserted above"))
    }

    /// Storage root of `address` in the current (possibly updated) state.
    pub fn storage_root(&mut self, address: Address) -> Result<B256, Error> {
        Ok(self.storage_trie(address)?.root())
    }

    /// Applies a bundle's post-state to the tries (accounts in `keccak256(address)` order, storage
    /// slots in `keccak256(slot)` order; zero slots and destroyed accounts deleted) and returns the
    /// new state root.
    pub fn state_root(&mut self, bundle: &BundleState) -> Result<B256, Error> {
        let mut accounts: Vec<_> = bundle.state().iter().map(|(a, acc)| (keccak256(a), *a, acc)).collect();
        accounts.sort_by_key(|(h, _, _)| *h);
        for (hashed, address, account) in accounts {
            if account.status.is_not_modified() {
                continue;
            }
            let Some(info) = account.account_info() else {
                self.state.delete(hashed.as_slice(), &self.provider)?;
                self.storage.insert(address, Trie::new());
                continue;
            };
            if account.was_destroyed() {
                self.storage.insert(address, Trie::new());
            }
            let mut slots: Vec<_> = account
                .storage
                .iter()
                .map(|(slot, value)| (keccak256(slot.to_be_bytes::<32>()), value.present_value))
                .collect();
            slots.sort_by_key(|(h, _)| *h);
            self.storage_trie(address)?;
            let trie = self.storage.get_mut(&address).expect("opened above");
            for (hashed_slot, value) in slots {
                if value.is_zero() {
                    trie.delete(hashed_slot.as_slice(), &self.provider)?;
                } else {
                    trie.insert(hashed_slot.as_slice(), Bytes::from(alloy_rlp::encode(value)), &self.provider)?;
                }
            }
            let trie_account = TrieAccount {
                nonce: info.nonce,
                balance: info.balance,
                storage_root: trie.root(),
                code_hash: info.code_hash,
            };
            self.state.insert(hashed.as_slice(), Bytes::from(alloy_rlp::encode(trie_account)), &self.provider)?;
        }
        Ok(self.state.root())
    }

    fn basic_inner(&mut self, address: Address) -> Result<Option<AccountInfo>, Error> {
        let Some(acc) = self.read_account(address)? else {
            return Ok(None);
        };
        self.storage.entry(address).or_insert_with(|| Trie::open(acc.storage_root));
        Ok(Some(AccountInfo {
            balance: acc.balance,
            nonce: acc.nonce,
            code_hash: acc.code_hash,
            account_id: None,
            code: None,
        }))
    }

    fn code_inner(&mut self, code_hash: B256) -> Result<Bytecode, Error> {
        if code_hash == KECCAK_EMPTY || code_hash == B256::ZERO {
            return Ok(Bytecode::default());
        }
        let code = self.provider.node(code_hash).map_err(|_| Error::MissingPreimage(code_hash))?;
        if !self.provider.hashes_verified() && keccak256(&code) != code_hash {
            return Err(Error::PreimageHashMismatch(code_hash));
        }
        Ok(Bytecode::new_raw(code))
    }

    fn storage_inner(&mut self, address: Address, index: StorageKey) -> Result<StorageValue, Error> {
        let hashed = keccak256(index.to_be_bytes::<32>());
        if !self.storage.contains_key(&address) {
            self.storage_trie(address)?;
        }
        let trie = self.storage.get_mut(&address).expect("opened above");
        let Some(raw) = trie.get_cached(hashed.as_slice(), &self.provider)? else {
            return Ok(U256::ZERO);
        };
        U256::decode(&mut raw.as_ref()).map_err(|e| Error::Rlp { what: "storage value", reason: e.to_string() })
    }

    fn block_hash_inner(&mut self, number: u64) -> Result<B256, Error> {
        if number > self.parent.number || self.parent.number - number >= BLOCK_HASH_WINDOW {
            return Ok(B256::ZERO);
        }
        if let Some(h) = self.block_hashes.get(&number) {
            return Ok(*h);
        }
        // Walk back from the oldest header already known.
        let (&oldest_number, &oldest_hash) = self.block_hashes.iter().next().expect("parent is always present");
        let mut hash = oldest_hash;
        let mut n = oldest_number;
        while n > number {
            let raw = self.provider.node(hash).map_err(|_| Error::MissingPreimage(hash))?;
            if !self.provider.hashes_verified() && keccak256(&raw) != hash {
                return Err(Error::PreimageHashMismatch(hash));
            }
            let header =
                Header::decode(&mut raw.as_ref()).map_err(|e| Error::BadHeader { hash, reason: e.to_string() })?;
            if header.number != n {
                return Err(Error::BadHeader { hash, reason: format!("expected number {n}, found {}", header.number) });
            }
            hash = header.parent_hash;
            n -= 1;
            self.block_hashes.insert(n, hash);
        }
        Ok(hash)
    }

    /// Every preimage a provider needs to reopen the current state at its root and walk the paths this block
    /// touched: the hashed nodes of the state trie and of every opened storage trie (in address order).
    pub fn trie_preimages(&self) -> Vec<Bytes> {
        let mut out = self.state.preimages();
        for trie in self.storage.values() {
            out.extend(trie.preimages());
        }
        out
    }

    /// Hash of the parent block this state belongs to.
    pub fn parent_hash(&self) -> B256 {
        self.parent_hash
    }
}

impl<P: TrieProvider> Database for TrieDb<P> {
    type Error = Error;

    fn basic(&mut self, address: Address) -> Result<Option<AccountInfo>, Error> {
        let r = self.basic_inner(address);
        self.record(r)
    }

    fn code_by_hash(&mut self, code_hash: B256) -> Result<Bytecode, Error> {
        let r = self.code_inner(code_hash);
        self.record(r)
    }

    fn storage(&mut self, address: Address, index: StorageKey) -> Result<StorageValue, Error> {
        let r = self.storage_inner(address, index);
        self.record(r)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Error> {
        let r = self.block_hash_inner(number);
        self.record(r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PreimageStore;
    use alloy_primitives::address;
    use rampart_mpt::NoopProvider;
    use revm::database::{states::bundle_state::BundleRetention, State};
    use revm::database_interface::DatabaseCommitExt;

    const A: Address = address!("00000000000000000000000000000000000000aa");
    const B: Address = address!("00000000000000000000000000000000000000bb");

    fn account_bytes(nonce: u64, balance: u64, storage_root: B256) -> Bytes {
        Bytes::from(alloy_rlp::encode(TrieAccount {
            nonce,
            balance: U256::from(balance),
            storage_root,
            code_hash: KECCAK_EMPTY,
        }))
    }

    /// A state with account A (nonce 1, balance 100, slots 1 -> 5 and 2 -> 7) and a header chain.
    fn setup() -> (PreimageStore, Header, Vec<B256>) {
        let mut store = PreimageStore::new();
        let mut storage = Trie::new();
        for (slot, v) in [(1u64, 5u64), (2, 7)] {
            let k = keccak256(U256::from(slot).to_be_bytes::<32>());
            storage.insert(k.as_slice(), Bytes::from(alloy_rlp::encode(U256::from(v))), &NoopProvider).unwrap();
        }
        let mut state = Trie::new();
        state.insert(keccak256(A).as_slice(), account_bytes(1, 100, storage.root()), &NoopProvider).unwrap();
        for n in storage.preimages().into_iter().chain(state.preimages()) {
            store.insert(n);
        }
        // Headers 10..=14, each pointing at the previous one; the parent is 14.
        let mut hashes = Vec::new();
        let mut parent_hash = B256::repeat_byte(9);
        let mut header = Header::default();
        for number in 10u64..=14 {
            header = Header { number, parent_hash, state_root: state.root(), ..Default::default() };
            parent_hash = store.insert(Bytes::from(alloy_rlp::encode(&header)));
            hashes.push(parent_hash);
        }
        (store, header, hashes)
    }

    #[test]
    fn reads_accounts_storage_and_block_hashes() {
        let (store, parent, hashes) = setup();
        let mut db = TrieDb::new(parent.clone(), parent.hash_slow(), &store);
        let a = db.basic(A).unwrap().unwrap();
        assert_eq!((a.nonce, a.balance), (1, U256::from(100)));
        assert_eq!(db.basic(B).unwrap(), None);
        assert_eq!(db.storage(A, U256::from(1)).unwrap(), U256::from(5));
        assert_eq!(db.storage(A, U256::from(3)).unwrap(), U256::ZERO);
        assert_eq!(db.storage(B, U256::from(1)).unwrap(), U256::ZERO);
        assert_eq!(db.code_by_hash(KECCAK_EMPTY).unwrap(), Bytecode::default());
        assert_eq!(db.block_hash(14).unwrap(), hashes[4]);
        assert_eq!(db.block_hash(11).unwrap(), hashes[1]);
        assert_eq!(db.block_hash(12).unwrap(), hashes[2]);
        assert_eq!(db.block_hash(15).unwrap(), B256::ZERO, "future block");
        // Block 9's hash is header 10's parent hash; reaching block 8 needs header 9, which is not
        // among the preimages: an error naming its hash, not zero.
        assert_eq!(db.block_hash(9).unwrap(), B256::repeat_byte(9));
        assert!(matches!(db.block_hash(8), Err(Error::MissingPreimage(h)) if h == B256::repeat_byte(9)));
        assert!(matches!(db.code_by_hash(B256::repeat_byte(1)), Err(Error::MissingPreimage(_))));
        assert!(db.take_first_error().is_some());
    }

    #[test]
    fn state_root_applies_a_bundle() {
        let (store, parent, _) = setup();
        let mut db = TrieDb::new(parent.clone(), parent.hash_slow(), &store);
        let bundle = {
            let mut state = State::builder().with_database(&mut db).with_bundle_update().build();
            state.increment_balances([(A, 50u128), (B, 7u128)]).unwrap();
            state.merge_transitions(BundleRetention::Reverts);
            state.take_bundle()
        };
        let root = db.state_root(&bundle).unwrap();
        // Expected: A's balance 150 with unchanged storage, and a new empty account B.
        let mut storage = Trie::new();
        for (slot, v) in [(1u64, 5u64), (2, 7)] {
            let k = keccak256(U256::from(slot).to_be_bytes::<32>());
            storage.insert(k.as_slice(), Bytes::from(alloy_rlp::encode(U256::from(v))), &NoopProvider).unwrap();
        }
        let mut expected = Trie::new();
        expected.insert(keccak256(A).as_slice(), account_bytes(1, 150, storage.root()), &NoopProvider).unwrap();
        expected.insert(keccak256(B).as_slice(), account_bytes(0, 7, EMPTY_ROOT_HASH), &NoopProvider).unwrap();
        assert_eq!(root, expected.root());
        assert_eq!(db.storage_root(A).unwrap(), storage.root());
        assert_eq!(db.storage_root(B).unwrap(), EMPTY_ROOT_HASH);
    }
}
