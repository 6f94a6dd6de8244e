//! The oracle end-to-end check program, written once over any [`Channel`]: the `rust-oracle-e2e` MIPS64 guest
//! runs it over fds 3-6 inside the VM, and native tests run it over in-memory pipes against the host server.
//!
//! Protocol of the check (all values come from the oracle, every keccak preimage is verified by the client):
//! 1. read local keys 1..=5 (L1 head, agreed output root, claim: 32 bytes each; claim block number and chain
//!    id: u64 BE);
//! 2. fetch the keccak preimage of the L1 head;
//! 3. starting at the agreed output root, follow `block number` hops: send the hint
//!    `l2-state-node 0x<digest>`, fetch the keccak preimage of the digest, the next digest is its first 32 bytes;
//! 4. the digest reached must equal the claim, whose preimage is fetched last;
//! 5. report counts and a running keccak digest over everything read.

use crate::channel::{Channel, HintWriter, OracleError, OracleReader};
use crate::hint::Hint;
use crate::key::PreimageKey;
use alloc::vec::Vec;
use core::fmt;
use rampart_primitives::{keccak256, LocalInputs, LocalKey};

/// Largest number of hops the check follows.
pub const MAX_HOPS: u64 = 64;

/// The hint type sent before each hop.
pub const HOP_HINT: &str = "l2-state-node";

/// Result of a successful check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// L2 chain id (local key 5).
    pub chain_id: u64,
    /// Claim block number (local key 4) = number of hops followed.
    pub block_number: u64,
    /// L1 head (local key 1).
    pub l1_head: [u8; 32],
    /// Claim (local key 3).
    pub claim: [u8; 32],
    /// Number of preimages read (local and keccak).
    pub preimages: u64,
    /// Total preimage bytes read.
    pub bytes: u64,
    /// Number of hints sent (all acknowledged).
    pub hints: u64,
    /// Running digest: `acc = keccak(acc ‖ keccak(value))` over every value read, in order.
    pub digest: [u8; 32],
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = crate::hex::Hex;
        writeln!(f, "oracle-e2e: chain {} block {} l1 head 0x{}", self.chain_id, self.block_number, h(&self.l1_head))?;
        writeln!(f, "oracle-e2e: claim 0x{} reached and verified", h(&self.claim))?;
        writeln!(
            f,
            "oracle-e2e: {} preimages ({} bytes), {} hints acknowledged",
            self.preimages, self.bytes, self.hints
        )?;
        writeln!(f, "oracle-e2e: digest 0x{}", h(&self.digest))
    }
}

/// Why the check failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckError {
    /// The oracle or hint channel failed.
    Oracle(OracleError),
    /// A local input has the wrong size.
    LocalSize {
        /// Local index.
        index: u64,
        /// Expected size.
        expected: usize,
        /// Actual size.
        got: usize,
    },
    /// The claim block number is over [`MAX_HOPS`].
    TooManyHops(u64),
    /// A value's keccak256 differs from the digest it was requested by.
    KeccakMismatch {
        /// The key requested.
        key: PreimageKey,
    },
    /// A chain node is shorter than 32 bytes (cannot hold the next digest).
    ShortNode {
        /// The key of the node.
        key: PreimageKey,
    },
    /// The digest reached after the hops is not the claim.
    ClaimMismatch,
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Oracle(e) => write!(f, "{e}"),
            CheckError::LocalSize { index, expected, got } => {
                write!(f, "local input {index} has {got} bytes, expected {expected}")
            }
            CheckError::TooManyHops(n) => write!(f, "block number {n} exceeds the {MAX_HOPS}-hop limit"),
            CheckError::KeccakMismatch { key } => write!(f, "preimage of {key} does not hash to its key"),
            CheckError::ShortNode { key } => write!(f, "chain node {key} is shorter than 32 bytes"),
            CheckError::ClaimMismatch => f.write_str("the chain does not reach the claim"),
        }
    }
}

impl core::error::Error for CheckError {}

impl From<OracleError> for CheckError {
    fn from(e: OracleError) -> Self {
        CheckError::Oracle(e)
    }
}

struct Acc {
    digest: [u8; 32],
    preimages: u64,
    bytes: u64,
}

impl Acc {
    fn add(&mut self, value: &[u8]) {
        let mut b = [0u8; 64];
        b[..32].copy_from_slice(&self.digest);
        b[32..].copy_from_slice(&keccak256(value));
        self.digest = keccak256(&b);
        self.preimages += 1;
        self.bytes += value.len() as u64;
    }
}

fn local_fixed<C: Channel, const N: usize>(
    oracle: &mut OracleReader<C>,
    acc: &mut Acc,
    key: LocalKey,
) -> Result<[u8; N], CheckError> {
    let index = key.index();
    let v = oracle.get(PreimageKey::local_input(key))?;
    acc.add(&v);
    v.as_slice().try_into().map_err(|_| CheckError::LocalSize { index, expected: N, got: v.len() })
}

fn keccak_verified<C: Channel>(
    oracle: &mut OracleReader<C>,
    acc: &mut Acc,
    digest: [u8; 32],
) -> Result<Vec<u8>, CheckError> {
    let key = PreimageKey::keccak256(digest);
    let v = oracle.get(key)?;
    if keccak256(&v) != digest {
        return Err(CheckError::KeccakMismatch { key });
    }
    acc.add(&v);
    Ok(v)
}

/// Runs the check over the given hint and preimage channels.
pub fn run<H: Channel, P: Channel>(
    hints: &mut HintWriter<H>,
    oracle: &mut OracleReader<P>,
) -> Result<Report, CheckError> {
    let mut acc = Acc { digest: [0u8; 32], preimages: 0, bytes: 0 };
    let l1_head: [u8; 32] = local_fixed(oracle, &mut acc, LocalKey::L1Head)?;
    let agreed: [u8; 32] = local_fixed(oracle, &mut acc, LocalKey::L2OutputRoot)?;
    let claim: [u8; 32] = local_fixed(oracle, &mut acc, LocalKey::L2Claim)?;
    let block_number = u64::from_be_bytes(local_fixed(oracle, &mut acc, LocalKey::L2ClaimBlockNumber)?);
    let chain_id = u64::from_be_bytes(local_fixed(oracle, &mut acc, LocalKey::L2ChainId)?);
    if block_number > MAX_HOPS {
        return Err(CheckError::TooManyHops(block_number));
    }
    keccak_verified(oracle, &mut acc, l1_head)?;
    let mut cur = agreed;
    let mut sent = 0u64;
    for _ in 0..block_number {
        hints.hint(&Hint::new(HOP_HINT, cur.to_vec()))?;
        sent += 1;
        let node = keccak_verified(oracle, &mut acc, cur)?;
        let next: [u8; 32] = node
            .get(..32)
            .and_then(|s| s.try_into().ok())
            .ok_or(CheckError::ShortNode { key: PreimageKey::keccak256(cur) })?;
        cur = next;
    }
    if cur != claim {
        return Err(CheckError::ClaimMismatch);
    }
    keccak_verified(oracle, &mut acc, claim)?;
    Ok(Report {
        chain_id,
        block_number,
        l1_head,
        claim,
        preimages: acc.preimages,
        bytes: acc.bytes,
        hints: sent,
        digest: acc.digest,
    })
}

/// Inputs and preimages that make [`run`] succeed: the test data of the e2e tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// Local key 1.
    pub l1_head: [u8; 32],
    /// Local key 2.
    pub agreed_output_root: [u8; 32],
    /// Local key 3.
    pub claim: [u8; 32],
    /// Local key 4 (the number of hops).
    pub block_number: u64,
    /// Local key 5.
    pub chain_id: u64,
    /// The keccak256 preimages (key, value), in the order the check reads them.
    pub preimages: Vec<(PreimageKey, Vec<u8>)>,
}

impl Fixture {
    /// The fixture with `hops` chain nodes (node 1 carries a 100 000-byte payload so large preimages are
    /// exercised) for chain `chain_id`.
    pub fn build(hops: u64, chain_id: u64) -> Self {
        let header: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        let l1_head = keccak256(&header);
        let mut leaf = b"rampart oracle e2e claim leaf, chain ".to_vec();
        leaf.extend_from_slice(&chain_id.to_be_bytes());
        let claim = keccak256(&leaf);
        let mut nodes = Vec::new();
        let mut next = claim;
        for i in (0..hops).rev() {
            let payload_len = if i == 1 { 100_000 } else { 17 + 37 * i as usize };
            let mut node = next.to_vec();
            node.extend((0..payload_len).map(|j| (j as u64 ^ i.wrapping_mul(0x9e)) as u8));
            next = keccak256(&node);
            nodes.push((PreimageKey::keccak256(next), node));
        }
        nodes.reverse();
        let mut preimages = alloc::vec![(PreimageKey::keccak256(l1_head), header)];
        preimages.extend(nodes);
        preimages.push((PreimageKey::keccak256(claim), leaf));
        Fixture { l1_head, agreed_output_root: next, claim, block_number: hops, chain_id, preimages }
    }

    /// The fixture of the e2e tests: 4 hops on chain 11155420 (OP Sepolia's id). The expected guest output
    /// for it is `guests/expected/rust-oracle-e2e.stdout`.
    pub fn standard() -> Self {
        Self::build(4, 11_155_420)
    }

    /// The local inputs (keys 1..=5; no configs).
    pub fn local_inputs(&self) -> LocalInputs {
        LocalInputs {
            l1_head: self.l1_head,
            agreed_output_root: self.agreed_output_root,
            claimed_output_root: self.claim,
            claimed_block_number: self.block_number,
            chain_id: self.chain_id,
            rollup_config: None,
            l1_config: None,
        }
    }
}
