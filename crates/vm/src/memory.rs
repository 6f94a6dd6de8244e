//! Sparse 64-bit big-endian memory in 4 KiB pages with an incrementally maintained Merkle root.
//!
//! The tree is Cannon's: binary, depth 59, leaves are raw 32-byte chunks (`leaf index = addr >> 5`),
//! internal nodes `keccak256(left ‖ right)`. Each page caches its own root; nodes above the pages are cached
//! in a map. Writes only mark a page dirty; [`Memory::merkle_root`] rehashes the dirty pages and the paths
//! above them, nothing else.
//!
//! Rehashing goes level by level across all dirty pages (then depth by depth above them), so that every hash
//! is part of a large batch for `keccak_batch` (8 digests per AVX-512 permutation); pairs of two
//! all-zero subtrees take the precomputed zero hash instead of being hashed.

use crate::keccak::{hash_pair, zero_hashes};
use crate::keccak_batch::hash_pairs_ref;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// log2 of the page size.
pub const PAGE_ADDR_SIZE: u32 = 12;
/// Page size in bytes.
pub const PAGE_SIZE: usize = 1 << PAGE_ADDR_SIZE;
/// Depth of the memory Merkle tree (2^59 leaves of 32 bytes).
pub const MEM_TREE_DEPTH: usize = 59;
/// Height of one page's subtree (4096 / 32 = 128 leaves).
const PAGE_TREE_HEIGHT: usize = 7;
/// Depth at which page roots sit (59 - 7).
const PAGE_DEPTH: usize = MEM_TREE_DEPTH - PAGE_TREE_HEIGHT;
/// Size of one memory proof: leaf plus 59 siblings.
pub const MEM_PROOF_SIZE: usize = 32 * (MEM_TREE_DEPTH + 1);

/// One 4 KiB page of memory.
pub type PageData = [u8; PAGE_SIZE];

/// Dirty pages hashed together, level by level: 2048 leaf pairs per batch, whose 64 KiB of level buffers stay
/// in L2 and come from the heap rather than fresh (page-faulting) mappings.
const PAGE_BATCH: usize = 32;
/// Dirty pages from which page hashing is split over threads. Measured on 2 cores (a thread costs ~80 us
/// here): 64 dense pages 476 -> 330 us with 2 threads; 64..256 one-word pages lose up to ~90 us instead.
const PAR_MIN_PAGES: usize = 64;
/// Nodes of one depth above the pages from which hashing is split over threads (~250 us of hashing).
const PAR_MIN_NODES: usize = 4096;

/// `ZZ[h]` = `Z[h] ‖ Z[h]`: the hash input of a node whose two children are zero subtrees of height h.
fn zero_pairs() -> &'static [[u8; 64]; MEM_TREE_DEPTH] {
    static ZZ: OnceLock<[[u8; 64]; MEM_TREE_DEPTH]> = OnceLock::new();
    ZZ.get_or_init(|| {
        let z = zero_hashes();
        let mut zz = [[0u8; 64]; MEM_TREE_DEPTH];
        for (h, pair) in zz.iter_mut().enumerate() {
            pair[..32].copy_from_slice(&z[h]);
            pair[32..].copy_from_slice(&z[h]);
        }
        zz
    })
}

/// The `i`-th 64-byte pair of `bytes` (two adjacent 32-byte nodes or leaves).
#[inline(always)]
fn pair_at(bytes: &[u8], i: usize) -> &[u8; 64] {
    bytes[i * 64..i * 64 + 64].try_into().expect("64-byte pair")
}

/// `a == b` without early exit (an OR-reduction the compiler vectorizes, instead of a `memcmp` call).
#[inline(always)]
fn eq64(a: &[u8; 64], b: &[u8; 64]) -> bool {
    let word = |x: &[u8; 64], i: usize| u64::from_ne_bytes(x[i * 8..i * 8 + 8].try_into().expect("8 bytes"));
    (0..8).fold(0u64, |acc, i| acc | (word(a, i) ^ word(b, i))) == 0
}

/// Worker threads for `work` independent items, given the minimum that pays for a thread.
fn threads_for(work: usize, min: usize) -> usize {
    if work < min {
        return 1;
    }
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8).min(work.div_ceil((min / 2).max(1)))
}

/// Hashes one level of the tree: `out[i] = keccak256(msg(i))`, except that the pair `zz` of two zero
/// subtrees gives `z_up` without hashing. All other messages go through one batched call.
fn hash_level<'a>(n: usize, msg: impl Fn(usize) -> &'a [u8; 64], zz: &[u8; 64], z_up: &[u8; 32], out: &mut [[u8; 32]]) {
    let mut refs: Vec<&[u8; 64]> = Vec::with_capacity(n);
    let mut pos: Vec<u32> = Vec::with_capacity(n);
    for (i, o) in out[..n].iter_mut().enumerate() {
        let m = msg(i);
        if eq64(m, zz) {
            *o = *z_up;
        } else {
            refs.push(m);
            pos.push(i as u32);
        }
    }
    if refs.len() == n {
        // No zero pair: the digests land in place.
        hash_pairs_ref(&refs, &mut out[..n]);
        return;
    }
    let mut digests = vec![[0u8; 32]; refs.len()];
    hash_pairs_ref(&refs, &mut digests);
    for (&i, d) in pos.iter().zip(&digests) {
        out[i as usize] = *d;
    }
}

/// Like [`hash_level`], split over threads when `n` is large.
fn hash_level_par(msgs: &[[u8; 64]], zz: &[u8; 64], z_up: &[u8; 32], out: &mut [[u8; 32]]) {
    let threads = threads_for(msgs.len(), PAR_MIN_NODES);
    if threads <= 1 {
        return hash_level(msgs.len(), |i| &msgs[i], zz, z_up, out);
    }
    let chunk = msgs.len().div_ceil(threads);
    std::thread::scope(|sc| {
        for (m, o) in msgs.chunks(chunk).zip(out.chunks_mut(chunk)) {
            sc.spawn(move || hash_level(m.len(), |i| &m[i], zz, z_up, o));
        }
    });
}

/// Roots of `pages` into `out`, hashing level by level across up to [`PAGE_BATCH`] pages at a time.
fn page_roots_seq(pages: &[&PageData], out: &mut [[u8; 32]]) {
    let z = zero_hashes();
    let zz = zero_pairs();
    let cap = pages.len().min(PAGE_BATCH) * 64;
    let mut cur: Vec<[u8; 32]> = vec![[0u8; 32]; cap];
    let mut next: Vec<[u8; 32]> = vec![[0u8; 32]; cap / 2];
    for (batch, roots) in pages.chunks(PAGE_BATCH).zip(out.chunks_mut(PAGE_BATCH)) {
        // Level 0: the 64 leaf pairs of every page, straight from the page bytes.
        let mut n = batch.len() * 64;
        hash_level(n, |i| pair_at(&batch[i >> 6][..], i & 63), &zz[0], &z[1], &mut cur);
        // Heights 1..7: children are adjacent in `cur`, so each pair is one contiguous 64-byte message.
        for h in 1..PAGE_TREE_HEIGHT {
            let pairs = cur[..n].as_flattened();
            n /= 2;
            hash_level(n, |i| pair_at(pairs, i), &zz[h], &z[h + 1], &mut next);
            std::mem::swap(&mut cur, &mut next);
        }
        roots.copy_from_slice(&cur[..batch.len()]);
    }
}

/// Roots of `pages`, split over threads when there are enough of them.
fn page_roots(pages: &[&PageData]) -> Vec<[u8; 32]> {
    let mut out = vec![[0u8; 32]; pages.len()];
    let threads = threads_for(pages.len(), PAR_MIN_PAGES);
    if threads <= 1 {
        page_roots_seq(pages, &mut out);
    } else {
        let chunk = pages.len().div_ceil(threads);
        std::thread::scope(|sc| {
            for (p, o) in pages.chunks(chunk).zip(out.chunks_mut(chunk)) {
                sc.spawn(move || page_roots_seq(p, o));
            }
        });
    }
    out
}

/// Identity hasher for page indices (they are already well spread in the low bits).
#[derive(Default, Clone, Copy, Debug)]
pub struct PageIndexHasher(u64);

impl Hasher for PageIndexHasher {
    fn finish(&self) -> u64 {
        // Fibonacci hashing spreads sequential page indices across buckets.
        self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

type PageMap<V> = HashMap<u64, V, BuildHasherDefault<PageIndexHasher>>;

#[derive(Clone, Debug)]
struct Page {
    data: Box<PageData>,
    /// Cached root of this page's subtree; `None` when the page changed since it was last hashed.
    root: Option<[u8; 32]>,
    /// Whether an interpreter holds pre-decoded instructions of this page (writes must be reported).
    code: bool,
}

/// Entries of the direct-mapped page lookup cache.
const TLB_SIZE: usize = 256;

/// Entries of each table of [`HostTlb`].
pub(crate) const HOST_TLB_SIZE: usize = 256;

/// Page lookups for translated code: per table, (page index, address of the page's bytes), tag `u64::MAX`
/// when empty. `read` may hold any allocated page (pages are never freed and their bytes never move); `write`
/// only pages whose stores need no bookkeeping: not holding decoded code and already marked dirty (root
/// `None`). [`Memory::mark_code_page`] drops a page's `write` entry and [`Memory::merkle_root`] (which gives
/// pages a root again) drops every one. A clone starts empty (the addresses point into the original).
#[repr(C)]
#[derive(Debug)]
pub(crate) struct HostTlb {
    /// Pages for loads.
    pub(crate) read: [(u64, usize); HOST_TLB_SIZE],
    /// Pages for stores.
    pub(crate) write: [(u64, usize); HOST_TLB_SIZE],
}

impl Default for HostTlb {
    fn default() -> Self {
        HostTlb { read: [(u64::MAX, 0); HOST_TLB_SIZE], write: [(u64::MAX, 0); HOST_TLB_SIZE] }
    }
}

impl Clone for HostTlb {
    fn clone(&self) -> Self {
        Self::default()
    }
}

/// Packs (depth < 52, index < 2^depth) into one map key.
#[inline(always)]
fn node_key(depth: usize, index: u64) -> u64 {
    ((depth as u64) << 56) | index
}

/// Merkleized sparse memory.
#[derive(Clone, Debug)]
pub struct Memory {
    /// Page index -> slot in `pages`.
    index: PageMap<u32>,
    pages: Vec<Page>,
    /// Page indices of the slots, in slot order.
    page_ids: Vec<u64>,
    /// Pages whose root must be recomputed (may contain duplicates until flushed).
    dirty: Vec<u64>,
    /// Cached internal nodes above the page level, keyed by (depth, index); absent means an all-zero subtree.
    nodes: PageMap<[u8; 32]>,
    /// Direct-mapped lookup cache: (page index, slot), tag u64::MAX when empty. Pages are never freed.
    tlb: [(u64, u32); TLB_SIZE],
    /// Code pages written since the last [`Memory::take_code_writes`].
    code_writes: Vec<u64>,
    /// Page lookups of translated code.
    host_tlb: HostTlb,
}

impl Default for Memory {
    fn default() -> Self {
        Self {
            index: PageMap::default(),
            pages: Vec::new(),
            page_ids: Vec::new(),
            dirty: Vec::new(),
            nodes: PageMap::default(),
            tlb: [(u64::MAX, 0); TLB_SIZE],
            code_writes: Vec::new(),
            host_tlb: HostTlb::default(),
        }
    }
}

impl Memory {
    /// Creates empty memory (every byte reads as zero).
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of allocated pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Bytes of allocated pages.
    pub fn usage_bytes(&self) -> u64 {
        (self.pages.len() as u64) << PAGE_ADDR_SIZE
    }

    #[inline(always)]
    fn slot_of(&self, page_index: u64) -> Option<u32> {
        let e = self.tlb[page_index as usize % TLB_SIZE];
        if e.0 == page_index {
            return Some(e.1);
        }
        self.index.get(&page_index).copied()
    }

    #[inline(always)]
    fn lookup(&mut self, page_index: u64) -> Option<u32> {
        let e = self.tlb[page_index as usize % TLB_SIZE];
        if e.0 == page_index {
            return Some(e.1);
        }
        self.lookup_slow(page_index)
    }

    #[cold]
    #[inline(never)]
    fn lookup_slow(&mut self, page_index: u64) -> Option<u32> {
        let slot = *self.index.get(&page_index)?;
        self.tlb[page_index as usize % TLB_SIZE] = (page_index, slot);
        Some(slot)
    }

    /// Returns the page at `page_index`, allocating a zero page if needed.
    #[inline(always)]
    fn page_slot_or_alloc(&mut self, page_index: u64) -> u32 {
        let e = self.tlb[page_index as usize % TLB_SIZE];
        if e.0 == page_index {
            return e.1;
        }
        self.page_slot_or_alloc_slow(page_index)
    }

    #[cold]
    #[inline(never)]
    fn page_slot_or_alloc_slow(&mut self, page_index: u64) -> u32 {
        if let Some(slot) = self.lookup_slow(page_index) {
            return slot;
        }
        let slot = self.pages.len() as u32;
        self.pages.push(Page { data: Box::new([0u8; PAGE_SIZE]), root: None, code: false });
        self.page_ids.push(page_index);
        self.index.insert(page_index, slot);
        self.dirty.push(page_index);
        self.tlb[page_index as usize % TLB_SIZE] = (page_index, slot);
        slot
    }

    /// Allocates (zero-filled) the page containing `addr` if it does not exist yet.
    pub fn alloc_page(&mut self, page_index: u64) {
        self.page_slot_or_alloc(page_index);
    }

    /// Whether the page with this index exists.
    pub fn has_page(&self, page_index: u64) -> bool {
        self.slot_of(page_index).is_some()
    }

    /// Reads the aligned 8-byte big-endian word containing `addr` (low 3 bits ignored). Never allocates.
    #[inline(always)]
    pub fn read_word(&mut self, addr: u64) -> u64 {
        match self.lookup(addr >> PAGE_ADDR_SIZE) {
            Some(slot) => {
                let off = (addr as usize) & (PAGE_SIZE - 8);
                let data = &self.pages[slot as usize].data;
                u64::from_be_bytes(data[off..off + 8].try_into().expect("8 bytes"))
            }
            None => 0,
        }
    }

    /// Reads a word without touching the lookup cache (for `&self` users).
    pub fn peek_word(&self, addr: u64) -> u64 {
        match self.slot_of(addr >> PAGE_ADDR_SIZE) {
            Some(slot) => {
                let off = (addr as usize) & (PAGE_SIZE - 8);
                let data = &self.pages[slot as usize].data;
                u64::from_be_bytes(data[off..off + 8].try_into().expect("8 bytes"))
            }
            None => 0,
        }
    }

    /// Writes the aligned 8-byte word containing `addr` (low 3 bits ignored); allocates the page.
    #[inline(always)]
    pub fn write_word(&mut self, addr: u64, value: u64) {
        let slot = self.page_slot_or_alloc(addr >> PAGE_ADDR_SIZE) as usize;
        let page = &mut self.pages[slot];
        if page.root.take().is_some() {
            self.dirty.push(addr >> PAGE_ADDR_SIZE);
        }
        if page.code {
            page.code = false;
            self.code_writes.push(addr >> PAGE_ADDR_SIZE);
        }
        let off = (addr as usize) & (PAGE_SIZE - 8);
        page.data[off..off + 8].copy_from_slice(&value.to_be_bytes());
    }

    /// Copies `data` into memory at `addr`, allocating every page the range touches (even for zero bytes).
    pub fn set_range(&mut self, addr: u64, data: &[u8]) {
        let mut addr = addr;
        let mut rest = data;
        loop {
            let page_index = addr >> PAGE_ADDR_SIZE;
            let slot = self.page_slot_or_alloc(page_index) as usize;
            let page = &mut self.pages[slot];
            if page.root.take().is_some() {
                self.dirty.push(page_index);
            }
            if page.code {
                page.code = false;
                self.code_writes.push(page_index);
            }
            let off = (addr as usize) & (PAGE_SIZE - 1);
            let n = rest.len().min(PAGE_SIZE - off);
            page.data[off..off + n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            if rest.is_empty() {
                break;
            }
            addr = addr.wrapping_add(n as u64);
        }
    }

    /// Reads `len` bytes starting at `addr` (unallocated memory reads as zero).
    pub fn read_range(&self, addr: u64, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len);
        let mut addr = addr;
        while out.len() < len {
            let off = (addr as usize) & (PAGE_SIZE - 1);
            let n = (len - out.len()).min(PAGE_SIZE - off);
            match self.slot_of(addr >> PAGE_ADDR_SIZE) {
                Some(slot) => out.extend_from_slice(&self.pages[slot as usize].data[off..off + n]),
                None => out.resize(out.len() + n, 0),
            }
            addr = addr.wrapping_add(n as u64);
        }
        out
    }

    /// Page indices in ascending order, with their data (the order of the state file).
    pub fn pages_sorted(&self) -> Vec<(u64, &PageData)> {
        let mut v: Vec<(u64, &PageData)> =
            self.page_ids.iter().zip(self.pages.iter()).map(|(&i, p)| (i, &*p.data)).collect();
        v.sort_unstable_by_key(|(i, _)| *i);
        v
    }

    /// Inserts a whole page (used when reading a state file). Replaces an existing page.
    pub fn insert_page(&mut self, page_index: u64, data: &PageData) {
        let slot = self.page_slot_or_alloc(page_index) as usize;
        let page = &mut self.pages[slot];
        if page.root.take().is_some() {
            self.dirty.push(page_index);
        }
        if page.code {
            page.code = false;
            self.code_writes.push(page_index);
        }
        page.data.copy_from_slice(data);
    }

    /// Returns an existing page's bytes and marks it as holding pre-decoded code: from now on any write to it
    /// is reported by [`Memory::take_code_writes`]. `None` (and no allocation) for a missing page.
    pub fn mark_code_page(&mut self, page_index: u64) -> Option<&PageData> {
        let slot = self.lookup(page_index)? as usize;
        let e = &mut self.host_tlb.write[page_index as usize % HOST_TLB_SIZE];
        if e.0 == page_index {
            *e = (u64::MAX, 0);
        }
        let page = &mut self.pages[slot];
        page.code = true;
        Some(&*page.data)
    }

    /// Whether a page marked by [`Memory::mark_code_page`] was written since the last take.
    #[inline(always)]
    pub fn code_written(&self) -> bool {
        !self.code_writes.is_empty()
    }

    /// Takes the list of code pages written since the last call (each must be decoded again).
    pub fn take_code_writes(&mut self) -> Vec<u64> {
        std::mem::take(&mut self.code_writes)
    }

    /// The lookup tables of translated code.
    pub(crate) fn host_tlb(&mut self) -> *mut HostTlb {
        &mut self.host_tlb
    }

    /// After a load or store at `addr` through the slow path: enters its page in [`HostTlb`]'s `read` table
    /// and, when a store may skip all bookkeeping on it (see [`HostTlb`]), in its `write` table.
    pub(crate) fn fill_host_tlb(&mut self, addr: u64) {
        let page_index = addr >> PAGE_ADDR_SIZE;
        let Some(slot) = self.lookup(page_index) else { return };
        let page = &mut self.pages[slot as usize];
        let data = page.data.as_mut_ptr() as usize;
        let i = page_index as usize % HOST_TLB_SIZE;
        self.host_tlb.read[i] = (page_index, data);
        if !page.code && page.root.is_none() {
            self.host_tlb.write[i] = (page_index, data);
        }
    }

    /// The raw bytes of a page, if allocated.
    pub fn page(&self, page_index: u64) -> Option<&PageData> {
        self.slot_of(page_index).map(|s| &*self.pages[s as usize].data)
    }

    /// Node at (`depth`, `index`) for depth <= PAGE_DEPTH; only valid after `flush`.
    fn node(&self, depth: usize, index: u64) -> [u8; 32] {
        if depth == PAGE_DEPTH {
            return match self.slot_of(index) {
                Some(slot) => self.pages[slot as usize].root.expect("flushed page root"),
                None => zero_hashes()[PAGE_TREE_HEIGHT],
            };
        }
        match self.nodes.get(&node_key(depth, index)) {
            Some(h) => *h,
            None => zero_hashes()[MEM_TREE_DEPTH - depth],
        }
    }

    /// Rehashes dirty pages and the tree paths above them.
    fn flush(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        // Pages get a root again: their next store must mark them dirty.
        self.host_tlb.write = [(u64::MAX, 0); HOST_TLB_SIZE];
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        dirty.dedup();
        // (page index, slot) of every dirty page; pages are never freed, so every dirty index has a slot.
        let live: Vec<(u64, usize)> = dirty.iter().filter_map(|&i| self.slot_of(i).map(|s| (i, s as usize))).collect();
        let todo: Vec<usize> = live.iter().map(|&(_, s)| s).filter(|&s| self.pages[s].root.is_none()).collect();
        let data: Vec<&PageData> = todo.iter().map(|&s| &*self.pages[s].data).collect();
        let roots = page_roots(&data);
        for (&s, root) in todo.iter().zip(roots) {
            self.pages[s].root = Some(root);
        }
        // Above the pages, depth by depth: `level` holds the changed nodes of depth + 1 in index order.
        let mut level: Vec<(u64, [u8; 32])> =
            live.iter().map(|&(i, s)| (i, self.pages[s].root.expect("page root just computed"))).collect();
        // Dense regions insert about 2 nodes per dirty page (scattered pages more): grow the map once.
        self.nodes.reserve(2 * level.len());
        let z = zero_hashes();
        let zz = zero_pairs();
        let mut msgs: Vec<[u8; 64]> = Vec::with_capacity(level.len());
        let mut parents: Vec<u64> = Vec::with_capacity(level.len());
        let mut digests: Vec<[u8; 32]> = Vec::with_capacity(level.len());
        for depth in (0..PAGE_DEPTH).rev() {
            msgs.clear();
            parents.clear();
            let mut k = 0;
            while k < level.len() {
                let (child, hash) = level[k];
                let mut m = [0u8; 64];
                if child & 1 == 0 {
                    m[..32].copy_from_slice(&hash);
                    match level.get(k + 1) {
                        Some(&(sib, sib_hash)) if sib == child | 1 => {
                            m[32..].copy_from_slice(&sib_hash);
                            k += 1;
                        }
                        _ => m[32..].copy_from_slice(&self.node(depth + 1, child | 1)),
                    }
                } else {
                    m[..32].copy_from_slice(&self.node(depth + 1, child & !1));
                    m[32..].copy_from_slice(&hash);
                }
                k += 1;
                msgs.push(m);
                parents.push(child >> 1);
            }
            let height = MEM_TREE_DEPTH - depth - 1;
            digests.clear();
            digests.resize(msgs.len(), [0u8; 32]);
            hash_level_par(&msgs, &zz[height], &z[height + 1], &mut digests);
            level.clear();
            for (&p, &d) in parents.iter().zip(&digests) {
                self.nodes.insert(node_key(depth, p), d);
                level.push((p, d));
            }
        }
    }

    /// The Merkle root of all memory.
    pub fn merkle_root(&mut self) -> [u8; 32] {
        self.flush();
        self.node(0, 0)
    }

    /// The 1920-byte proof for the 32-byte leaf containing `addr`: leaf, then siblings bottom to top.
    pub fn merkle_proof(&mut self, addr: u64) -> [u8; MEM_PROOF_SIZE] {
        self.flush();
        let mut out = [0u8; MEM_PROOF_SIZE];
        let page_index = addr >> PAGE_ADDR_SIZE;
        let leaf_in_page = ((addr as usize) & (PAGE_SIZE - 1)) >> 5;
        let z = zero_hashes();
        match self.slot_of(page_index) {
            Some(slot) => {
                let data = &self.pages[slot as usize].data;
                out[..32].copy_from_slice(&data[leaf_in_page * 32..leaf_in_page * 32 + 32]);
                // Build the page subtree level by level (batched), taking the sibling at each level.
                let sib = (leaf_in_page ^ 1) * 32;
                out[32..64].copy_from_slice(&data[sib..sib + 32]);
                let zz = zero_pairs();
                let mut level = [[0u8; 32]; 64];
                let mut next = [[0u8; 32]; 32];
                hash_level(64, |i| pair_at(&data[..], i), &zz[0], &z[1], &mut level);
                let mut n = 64;
                let mut idx = leaf_in_page >> 1;
                for h in 1..PAGE_TREE_HEIGHT {
                    out[32 * (h + 1)..32 * (h + 2)].copy_from_slice(&level[idx ^ 1]);
                    let pairs = level[..n].as_flattened();
                    n /= 2;
                    hash_level(n, |i| pair_at(pairs, i), &zz[h], &z[h + 1], &mut next);
                    level[..n].copy_from_slice(&next[..n]);
                    idx >>= 1;
                }
            }
            None => {
                for h in 0..PAGE_TREE_HEIGHT {
                    out[32 * (h + 1)..32 * (h + 2)].copy_from_slice(&z[h]);
                }
            }
        }
        let mut idx = page_index;
        for h in PAGE_TREE_HEIGHT..MEM_TREE_DEPTH {
            let depth = MEM_TREE_DEPTH - h;
            let sib = self.node(depth, idx ^ 1);
            out[32 * (h + 1)..32 * (h + 2)].copy_from_slice(&sib);
            idx >>= 1;
        }
        out
    }
}

/// Folds a memory proof for `addr` up to the root it proves (for self-checks and tests).
pub fn proof_root(proof: &[u8; MEM_PROOF_SIZE], addr: u64) -> [u8; 32] {
    let mut node: [u8; 32] = proof[..32].try_into().unwrap();
    let mut path = addr >> 5;
    for i in 0..MEM_TREE_DEPTH {
        let sib: [u8; 32] = proof[32 * (i + 1)..32 * (i + 2)].try_into().unwrap();
        node = if path & 1 == 0 { hash_pair(&node, &sib) } else { hash_pair(&sib, &node) };
        path >>= 1;
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        hex::decode(s.trim_start_matches("0x")).unwrap().try_into().unwrap()
    }

    #[test]
    fn empty_root_is_z59() {
        let mut m = Memory::new();
        assert_eq!(m.merkle_root(), hex32("0x14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc748"));
        let p = m.merkle_proof(0x1234_5678);
        assert_eq!(proof_root(&p, 0x1234_5678), m.merkle_root());
    }

    #[test]
    fn zero_page_keeps_empty_root_but_exists() {
        let mut m = Memory::new();
        m.write_word(0x1000, 0);
        assert_eq!(m.page_count(), 1);
        assert_eq!(m.merkle_root(), zero_hashes()[59]);
    }

    #[test]
    fn incremental_root_matches_fresh_rebuild_and_proofs_fold() {
        let mut m = Memory::new();
        let addrs = [0u64, 8, 0x1000, 0x7fff_ffff_f000, 0xc0_0000_0000, 0xffff_ffff_ffff_fff8, 0x1000_0000_0018];
        for (i, &a) in addrs.iter().enumerate() {
            m.write_word(a, 0x0102_0304_0506_0708u64.wrapping_mul(i as u64 + 1));
            let root = m.merkle_root();
            // rebuild from scratch
            let mut fresh = Memory::new();
            for (idx, data) in m.pages_sorted() {
                fresh.insert_page(idx, data);
            }
            assert_eq!(fresh.merkle_root(), root);
            for &b in &addrs {
                let p = m.merkle_proof(b);
                assert_eq!(proof_root(&p, b), root, "proof for {b:#x}");
                assert_eq!(
                    u64::from_be_bytes(p[(b as usize & 24)..(b as usize & 24) + 8].try_into().unwrap()),
                    m.read_word(b)
                );
            }
        }
    }

    /// Root computed the plain way: every page's 127 nodes with `hash_pair` (no zero skipping, no batching),
    /// then parents level by level with zero subtrees for missing siblings.
    fn naive_root(m: &Memory) -> [u8; 32] {
        let z = zero_hashes();
        let mut level: std::collections::BTreeMap<u64, [u8; 32]> = m
            .pages_sorted()
            .into_iter()
            .map(|(i, data)| {
                let mut nodes: Vec<[u8; 32]> = data.chunks_exact(32).map(|c| c.try_into().unwrap()).collect();
                while nodes.len() > 1 {
                    nodes = nodes.chunks_exact(2).map(|p| hash_pair(&p[0], &p[1])).collect();
                }
                (i, nodes[0])
            })
            .collect();
        for zh in &z[PAGE_TREE_HEIGHT..MEM_TREE_DEPTH] {
            let mut up = std::collections::BTreeMap::new();
            for &i in level.keys() {
                let l = level.get(&(i & !1)).unwrap_or(zh);
                let r = level.get(&(i | 1)).unwrap_or(zh);
                up.insert(i >> 1, hash_pair(l, r));
            }
            level = up;
        }
        level.get(&0).copied().unwrap_or(z[MEM_TREE_DEPTH])
    }

    fn splitmix(x: &mut u64) -> u64 {
        *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn batched_flush_matches_naive_reference_across_batches_threads_and_rewrites() {
        let mut rng = 42u64;
        let mut m = Memory::new();
        // 700 pages (> PAGE_BATCH and > PAR_MIN_PAGES): runs of adjacent pages, isolated far pages, pages
        // with one word, dense pages, and allocated all-zero pages.
        let mut pages = Vec::new();
        for p in 0..700u64 {
            let idx = match p % 4 {
                0 | 1 => 0x100 + p,
                2 => (splitmix(&mut rng) >> 12) & !0xF,
                _ => 0x7_0000 + p * 3,
            };
            pages.push(idx);
            let base = idx << PAGE_ADDR_SIZE;
            match p % 5 {
                0 => {
                    for w in 0..512u64 {
                        m.write_word(base + w * 8, splitmix(&mut rng));
                    }
                }
                1 => m.alloc_page(idx),
                2 => m.write_word(base + (splitmix(&mut rng) & 0xFF8), 0),
                _ => {
                    for _ in 0..(1 + p % 9) {
                        m.write_word(base + (splitmix(&mut rng) & 0xFF8), splitmix(&mut rng));
                    }
                }
            }
        }
        let root = m.merkle_root();
        assert_eq!(root, naive_root(&m));
        // Incremental: rewrite some pages (one of them back to all zero), so siblings come from the cache.
        for (k, &idx) in pages.iter().enumerate().filter(|(k, _)| k % 37 == 0) {
            let base = idx << PAGE_ADDR_SIZE;
            if k % 2 == 0 {
                for w in 0..512u64 {
                    m.write_word(base + w * 8, 0);
                }
            } else {
                m.write_word(base + 0x808, splitmix(&mut rng));
            }
        }
        let root2 = m.merkle_root();
        assert_ne!(root2, root);
        assert_eq!(root2, naive_root(&m));
        for &idx in pages.iter().step_by(53) {
            for off in [0u64, 0x28, 0x7F8, 0xFF8] {
                let addr = (idx << PAGE_ADDR_SIZE) + off;
                let p = m.merkle_proof(addr);
                assert_eq!(proof_root(&p, addr), root2, "proof for {addr:#x}");
                assert_eq!(p[..32], m.read_range(addr & !31, 32)[..]);
                assert_eq!(p[32..64], m.read_range((addr & !31) ^ 32, 32)[..]);
            }
        }
    }

    #[test]
    fn threaded_levels_above_pages_match_naive_reference() {
        // 2 * PAR_MIN_NODES adjacent pages: the first depth above the pages has PAR_MIN_NODES parents.
        let n = 2 * PAR_MIN_NODES as u64;
        let mut m = Memory::new();
        for p in 0..n {
            m.write_word(((0x4_0000 + p) << PAGE_ADDR_SIZE) | ((p * 8) & 0xFF8), p.wrapping_mul(0x9E37_79B9) | 1);
        }
        assert_eq!(m.merkle_root(), naive_root(&m));
    }

    #[test]
    fn hash_level_skips_only_zero_pairs() {
        let z = zero_hashes();
        let zz = zero_pairs();
        let mut msgs = vec![zz[3]; 11];
        msgs[4][7] ^= 1;
        msgs[9] = [0xC3; 64];
        let mut out = vec![[0u8; 32]; 11];
        hash_level_par(&msgs, &zz[3], &z[4], &mut out);
        for (m, o) in msgs.iter().zip(&out) {
            assert_eq!(*o, hash_pair(m[..32].try_into().unwrap(), m[32..].try_into().unwrap()));
        }
        assert_eq!(out[0], z[4]);
    }

    #[test]
    fn parallel_page_hashing_matches_sequential() {
        let mut bulk = Memory::new();
        let mut seq = Memory::new();
        for p in 0..700u64 {
            let addr = (p * 7919 % 4096) << 12 | ((p * 8) & 0xFF8);
            bulk.write_word(addr, p.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            seq.write_word(addr, p.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            seq.merkle_root();
        }
        assert_eq!(bulk.merkle_root(), seq.merkle_root());
    }
}
