//! Block references the derivation pipeline passes between stages.

use alloy_eips::BlockNumHash;
use alloy_primitives::B256;

/// A block's identity and time: what derivation needs to know about an L1 or L2 block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct BlockInfo {
    /// Block hash.
    pub hash: B256,
    /// Block number.
    pub number: u64,
    /// Parent block hash.
    pub parent_hash: B256,
    /// Block timestamp (seconds).
    pub timestamp: u64,
}

impl BlockInfo {
    /// Builds a block reference.
    pub const fn new(hash: B256, number: u64, parent_hash: B256, timestamp: u64) -> Self {
        Self { hash, number, parent_hash, timestamp }
    }

    /// The (number, hash) pair of this block.
    pub const fn id(&self) -> BlockNumHash {
        BlockNumHash { number: self.number, hash: self.hash }
    }

    /// Whether `self` is the parent of `child` (number and hash both match).
    pub fn is_parent_of(&self, child: &Self) -> bool {
        self.number.checked_add(1) == Some(child.number) && self.hash == child.parent_hash
    }
}

/// An L2 block reference with its L1 origin (epoch) and its sequence number within that epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct L2BlockInfo {
    /// The L2 block itself.
    pub block_info: BlockInfo,
    /// The L1 block this L2 block's epoch refers to.
    pub l1_origin: BlockNumHash,
    /// Blocks since the first L2 block of this epoch (0 for the first).
    pub seq_num: u64,
}

impl L2BlockInfo {
    /// Builds an L2 block reference.
    pub const fn new(block_info: BlockInfo, l1_origin: BlockNumHash, seq_num: u64) -> Self {
        Self { block_info, l1_origin, seq_num }
    }
}
