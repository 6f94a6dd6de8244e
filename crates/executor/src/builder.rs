//! Stateless OP block building: execute payload attributes on top of a parent header and seal.

use crate::{ChainConfig, Error, TrieDb};
use alloc::{format, string::ToString, vec::Vec};
use alloy_consensus::{constants::EMPTY_OMMER_ROOT_HASH, Header, TxReceipt};
use alloy_eips::{eip1559::BaseFeeParams, eip2718::Encodable2718, eip7685::EMPTY_REQUESTS_HASH};
use alloy_evm::{block::BlockExecutor, block::BlockExecutorFactory, eth::NextEvmEnvAttributes, EvmFactory};
use alloy_op_evm::{block::OpAlloyReceiptBuilder, OpBlockExecutionCtx, OpBlockExecutorFactory, OpEvmFactory, OpTx};
use alloy_primitives::{address, keccak256, Address, Bloom, Bytes, B256, U256};
use op_alloy_consensus::{decode_holocene_extra_data, OpReceiptEnvelope};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_mpt::{Trie, TrieProvider, EMPTY_ROOT_HASH};
use revm::database::{states::bundle_state::BundleRetention, State};

/// The L2ToL1MessagePasser predeploy, whose storage root goes into the output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// Result of building one block.
#[derive(Debug, Clone)]
pub struct BlockOutcome {
    /// The sealed header.
    pub header: Header,
    /// `keccak256(rlp(header))`.
    pub block_hash: B256,
    /// State root after the block.
    pub state_root: B256,
    /// `(L2ToL1MessagePasser storage root, output root v0)` after the block, or why they could
    /// not be computed (the account's proof missing from the preimages when the block did not
    /// touch it).
    pub output_root: Result<(B256, B256), Error>,
    /// Gas used by the block.
    pub gas_used: u64,
    /// Number of transactions executed.
    pub tx_count: usize,
}

/// Output root v0: `keccak256(0^32 ‖ state_root ‖ message_passer_storage_root ‖ block_hash)`.
pub fn output_root_v0(state_root: B256, message_passer_storage_root: B256, block_hash: B256) -> B256 {
    let mut buf = [0u8; 128];
    buf[32..64].copy_from_slice(state_root.as_slice());
    buf[64..96].copy_from_slice(message_passer_storage_root.as_slice());
    buf[96..128].copy_from_slice(block_hash.as_slice());
    keccak256(buf)
}

/// Root of the trie mapping `rlp(index)` to each item (transactions / receipts root).
fn ordered_root<I: AsRef<[u8]>>(items: impl IntoIterator<Item = I>) -> Result<B256, Error> {
    let mut trie = Trie::new();
    for (i, item) in items.into_iter().enumerate() {
        let key = alloy_rlp::encode(i);
        trie.insert(&key, Bytes::copy_from_slice(item.as_ref()), &rampart_mpt::NoopProvider)?;
    }
    Ok(trie.root())
}

/// EIP-1559 parameters for the child of `parent` (Holocene: from the parent's extra data).
fn next_base_fee_params(config: &ChainConfig, parent: &Header, ts: u64) -> Result<BaseFeeParams, Error> {
    if config.forks.is_holocene(parent.timestamp) {
        let (elasticity, denominator) = decode_holocene_extra_data(&parent.extra_data)
            .map_err(|e| Error::Attributes(format!("parent extra data: {e}")))?;
        if denominator == 0 {
            return Err(Error::Attributes("parent EIP-1559 denominator is 0".into()));
        }
        Ok(BaseFeeParams::new(u128::from(denominator), u128::from(elasticity)))
    } else {
        Ok(config.base_fee_params(ts))
    }
}

/// Builds the block defined by `attrs` on top of `parent`, reading state through `provider`.
///
/// Supports Bedrock through Isthmus; Jovian and Interop are rejected with [`Error::Config`].
pub fn build_block<P: TrieProvider>(
    config: &ChainConfig,
    parent: &Header,
    attrs: &OpPayloadAttributes,
    provider: P,
) -> Result<BlockOutcome, Error> {
    build_block_with(config, parent, attrs, provider, true)
}

/// [`build_block`], but reads the L2ToL1MessagePasser storage root (for the output root) only when
/// `output_root` is true or the header needs it (Isthmus). With `output_root` false the outcome's
/// `output_root` is [`Error::OutputRootNotRequested`] before Isthmus. A preimage oracle that cannot answer a
/// missing key (the fault-proof guest) must not ask for the account's proof when the block did not touch it.
pub fn build_block_with<P: TrieProvider>(
    config: &ChainConfig,
    parent: &Header,
    attrs: &OpPayloadAttributes,
    provider: P,
    output_root: bool,
) -> Result<BlockOutcome, Error> {
    let ts = attrs.payload_attributes.timestamp;
    if config.forks.is_jovian(ts) || config.forks.is_interop(ts) {
        return Err(Error::Config(format!("Jovian/Interop blocks (timestamp {ts}) are not supported")));
    }
    if ts <= parent.timestamp {
        return Err(Error::Attributes(format!("timestamp {ts} not after parent {}", parent.timestamp)));
    }
    let forks = &config.forks;
    let parent_hash = parent.hash_slow();
    let gas_limit = attrs.gas_limit.ok_or_else(|| Error::Attributes("gas limit missing".into()))?;
    let base_fee = parent
        .next_block_base_fee(next_base_fee_params(config, parent, ts)?)
        .ok_or_else(|| Error::Attributes("parent has no base fee".into()))?;
    let extra_data = if forks.is_holocene(ts) {
        attrs
            .get_holocene_extra_data(config.base_fee_params(ts))
            .map_err(|e| Error::Attributes(format!("eip1559 params: {e}")))?
    } else {
        Bytes::new()
    };

    let hardforks = config.hardforks();
    let env = alloy_op_evm::evm_env_for_op_next_block(
        parent,
        NextEvmEnvAttributes {
            timestamp: ts,
            suggested_fee_recipient: attrs.payload_attributes.suggested_fee_recipient,
            prev_randao: attrs.payload_attributes.prev_randao,
            gas_limit,
            slot_number: None,
        },
        base_fee,
        &hardforks,
        config.chain_id,
    );

    let txs = attrs
        .recovered_transactions_with_encoded()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::Attributes(format!("transaction: {e}")))?;
    let raw_txs: Vec<Bytes> = attrs.transactions.clone().unwrap_or_default();

    let factory = OpBlockExecutorFactory::new(
        OpAlloyReceiptBuilder::default(),
        hardforks.clone(),
        OpEvmFactory::<OpTx>::default(),
    );
    let mut db = TrieDb::new(parent.clone(), parent_hash, provider);
    let (result, bundle) = {
        let mut state = State::builder().with_database(&mut db).with_bundle_update().build();
        let evm = factory.evm_factory().create_evm(&mut state, env);
        let ctx = OpBlockExecutionCtx {
            parent_hash,
            parent_beacon_block_root: attrs.payload_attributes.parent_beacon_block_root,
            extra_data: Bytes::new(),
        };
        let executor = factory.create_executor(evm, ctx);
        let result = executor.execute_block(txs.iter());
        state.merge_transitions(BundleRetention::Reverts);
        (result, state.take_bundle())
    };
    let result = match result {
        Ok(r) => r,
        Err(e) => return Err(db.take_first_error().unwrap_or_else(|| Error::Execution(e.to_string()))),
    };

    let state_root = db.state_root(&bundle)?;
    // The message passer's storage root is needed for the output root (and, from Isthmus, for the
    // header). When the block did not touch the account, its proof may not be among the preimages.
    let message_passer = if output_root || forks.is_isthmus(ts) {
        db.storage_root(L2_TO_L1_MESSAGE_PASSER)
    } else {
        Err(Error::OutputRootNotRequested)
    };

    let transactions_root = ordered_root(raw_txs.iter())?;
    let regolith_quirk = forks.is_regolith(ts) && !forks.is_canyon(ts);
    let receipts: Vec<OpReceiptEnvelope> = result
        .receipts
        .iter()
        .cloned()
        .map(|mut r| {
            // Between Regolith and Canyon the deposit nonce was not part of the receipt hash.
            if regolith_quirk {
                if let OpReceiptEnvelope::Deposit(d) = &mut r {
                    d.receipt.deposit_nonce = None;
                }
            }
            r
        })
        .collect();
    let receipts_root = ordered_root(receipts.iter().map(|r| r.encoded_2718()))?;
    let logs_bloom = result.receipts.iter().fold(Bloom::ZERO, |acc, r| acc | r.bloom());

    let withdrawals_root = if forks.is_isthmus(ts) {
        Some(message_passer.clone()?)
    } else if forks.is_canyon(ts) {
        Some(EMPTY_ROOT_HASH)
    } else {
        None
    };
    let (blob_gas_used, excess_blob_gas) = if forks.is_ecotone(ts) { (Some(0), Some(0)) } else { (None, None) };

    let header = Header {
        parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: attrs.payload_attributes.suggested_fee_recipient,
        state_root,
        transactions_root,
        receipts_root,
        logs_bloom,
        difficulty: U256::ZERO,
        number: parent.number + 1,
        gas_limit,
        gas_used: result.gas_used,
        timestamp: ts,
        extra_data,
        mix_hash: attrs.payload_attributes.prev_randao,
        nonce: Default::default(),
        base_fee_per_gas: Some(base_fee),
        withdrawals_root,
        blob_gas_used,
        excess_blob_gas,
        parent_beacon_block_root: attrs.payload_attributes.parent_beacon_block_root,
        requests_hash: forks.is_isthmus(ts).then_some(EMPTY_REQUESTS_HASH),
        block_access_list_hash: None,
        slot_number: None,
    };
    let block_hash = header.hash_slow();
    let output_root = message_passer.map(|root| (root, output_root_v0(state_root, root, block_hash)));
    Ok(BlockOutcome { gas_used: result.gas_used, tx_count: txs.len(), header, block_hash, state_root, output_root })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_root_layout() {
        let (s, m, b) = (B256::repeat_byte(1), B256::repeat_byte(2), B256::repeat_byte(3));
        let mut pre = [0u8; 128];
        pre[32..64].fill(1);
        pre[64..96].fill(2);
        pre[96..].fill(3);
        assert_eq!(output_root_v0(s, m, b), keccak256(pre));
    }

    #[test]
    fn ordered_root_of_nothing_is_empty() {
        assert_eq!(ordered_root(core::iter::empty::<&[u8]>()).unwrap(), EMPTY_ROOT_HASH);
    }
}
