//! Block execution through the oracle: the executor's state reads (trie nodes, bytecode, ancestor headers, all
//! keccak256 preimages) served by the preimage oracle after one `l2-payload-witness` hint per block, and the
//! output root of the block built (version 0, with the L2ToL1MessagePasser storage root of the post-state).

use crate::{
    errors::{ProgramError, Result},
    oracle::{HintType, PreimageOracle},
    output::OutputRoot,
};
use alloc::vec::Vec;
use alloy_consensus::Header;
use alloy_primitives::{Bytes, B256};
use core::cell::RefCell;
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_executor::{build_block_with, BuildOptions, ChainConfig, ForkTimes};
use rampart_genesis::RollupConfig;
use rampart_mpt::TrieProvider;

/// The executor's chain parameters of a rollup config.
pub fn executor_config(cfg: &RollupConfig) -> ChainConfig {
    let h = &cfg.hardforks;
    ChainConfig {
        chain_id: cfg.l2_chain_id,
        forks: ForkTimes {
            regolith: h.regolith_time,
            canyon: h.canyon_time,
            delta: h.delta_time,
            ecotone: h.ecotone_time,
            fjord: h.fjord_time,
            granite: h.granite_time,
            holocene: h.holocene_time,
            isthmus: h.isthmus_time,
            jovian: h.jovian_time,
            karst: h.karst_time,
            interop: h.lagoon_time,
        },
        eip1559_elasticity: cfg.chain_op_config.eip1559_elasticity,
        eip1559_denominator: cfg.chain_op_config.eip1559_denominator,
        eip1559_denominator_canyon: cfg.chain_op_config.eip1559_denominator_canyon,
    }
}

/// The executor's preimage source over the oracle: every read is a keccak256 preimage, checked against its key.
#[derive(Debug)]
pub struct OracleTrieProvider<'a, O: ?Sized> {
    oracle: RefCell<&'a mut O>,
}

impl<'a, O: PreimageOracle + ?Sized> OracleTrieProvider<'a, O> {
    /// Reads through `oracle`.
    pub fn new(oracle: &'a mut O) -> Self {
        Self { oracle: RefCell::new(oracle) }
    }
}

impl<O: PreimageOracle + ?Sized> TrieProvider for OracleTrieProvider<'_, O> {
    fn node(&self, hash: B256) -> core::result::Result<Bytes, rampart_mpt::Error> {
        match self.oracle.borrow_mut().get_keccak(hash) {
            Ok(data) => Ok(data.into()),
            Err(ProgramError::HashMismatch(h)) => Err(rampart_mpt::Error::HashMismatch(h)),
            Err(_) => Err(rampart_mpt::Error::MissingNode(hash)),
        }
    }
}

/// A block built by the program.
#[derive(Debug, Clone)]
pub struct ExecutedBlock {
    /// Its header.
    pub header: Header,
    /// Its hash.
    pub hash: B256,
    /// Its raw transactions (those of the attributes).
    pub transactions: Vec<Bytes>,
    /// Its output (state root, message passer storage root, block hash).
    pub output: OutputRoot,
}

/// The `l2-payload-witness` hint data: parent hash ‖ JSON of the attributes (kona's encoding).
pub fn payload_witness_hint(parent_hash: B256, attrs: &OpPayloadAttributes) -> Vec<u8> {
    let mut data = parent_hash.to_vec();
    data.extend_from_slice(&serde_json::to_vec(attrs).unwrap_or_default());
    data
}

/// Builds the block of `attrs` on `parent` (hash `parent_hash`) with state from the oracle, after hinting
/// `l2-payload-witness`, and computes its output root.
pub fn execute_block<O: PreimageOracle + ?Sized>(
    oracle: &mut O,
    config: &ChainConfig,
    parent: &Header,
    attrs: &OpPayloadAttributes,
) -> Result<ExecutedBlock> {
    let parent_hash = parent.hash_slow();
    oracle.hint(&HintType::L2PayloadWitness.with(payload_witness_hint(parent_hash, attrs)))?;
    let number = parent.number + 1;
    // Precompiles run in the EVM here (the program does not use the precompile oracle yet).
    let options = BuildOptions { output_root: true, ..Default::default() };
    let outcome = build_block_with(config, parent, attrs, OracleTrieProvider::new(oracle), &options)
        .map_err(|source| ProgramError::Execution { number, source })?;
    let (message_passer, _) = outcome.output_root.map_err(|source| ProgramError::Execution { number, source })?;
    Ok(ExecutedBlock {
        output: OutputRoot::new(outcome.state_root, message_passer, outcome.block_hash),
        hash: outcome.block_hash,
        header: outcome.header,
        transactions: attrs.transactions.clone().unwrap_or_default(),
    })
}
