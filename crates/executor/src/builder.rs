//! Stateless OP block building: execute payload attributes on top of a parent header and seal.

use crate::{precompiles::RampartEvmFactory, ChainConfig, Error, PrecompileOracle, TrieDb};
use alloc::{format, string::ToString, sync::Arc, vec::Vec};
use alloy_consensus::{
    constants::EMPTY_OMMER_ROOT_HASH,
    crypto::SECP256K1N_HALF,
    transaction::{Recovered, SignerRecoverable},
    Header, TxReceipt,
};
use alloy_eips::eip2718::{Decodable2718, WithEncoded};
use alloy_eips::{
    calc_next_block_base_fee, eip1559::BaseFeeParams, eip2718::Encodable2718, eip7685::EMPTY_REQUESTS_HASH,
};
use alloy_evm::{block::BlockExecutor, block::BlockExecutorFactory, eth::NextEvmEnvAttributes, EvmFactory};
use alloy_op_evm::{block::OpAlloyReceiptBuilder, OpBlockExecutionCtx, OpBlockExecutorFactory};
use alloy_primitives::{address, keccak256, Address, Bloom, Bytes, B256, U256};
use op_alloy_consensus::{
    decode_holocene_extra_data, decode_jovian_extra_data, encode_holocene_extra_data, encode_jovian_extra_data,
    OpReceiptEnvelope, OpTxEnvelope,
};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_mpt::{Trie, TrieProvider, EMPTY_ROOT_HASH};
use revm::database::{states::bundle_state::BundleRetention, State};

/// The L2ToL1MessagePasser predeploy, whose storage root goes into the output root.
pub const L2_TO_L1_MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");

/// EIP-2718 type byte of deposit transactions.
const DEPOSIT_TX_TYPE: u8 = 0x7e;

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
    /// The receipts of the block's transactions, in order.
    pub receipts: Vec<OpReceiptEnvelope>,
    /// With [`BuildOptions::collect_preimages`]: the preimages of the post-state a provider needs to build the
    /// next block on this one (new and touched trie nodes, created contract code, the sealed header's RLP).
    pub preimages: Vec<Bytes>,
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

/// EIP-1559 parameters and minimum base fee for the child of `parent`: Jovian at the parent decodes its
/// version-1 extra data (with the min base fee), Holocene its version-0 extra data, else the chain's defaults.
fn next_base_fee_params(config: &ChainConfig, parent: &Header, ts: u64) -> Result<(BaseFeeParams, u64), Error> {
    let (elasticity, denominator, min_base_fee) = if config.forks.is_jovian(parent.timestamp) {
        decode_jovian_extra_data(&parent.extra_data)
            .map_err(|e| Error::Attributes(format!("parent extra data: {e}")))?
    } else if config.forks.is_holocene(parent.timestamp) {
        let (e, d) = decode_holocene_extra_data(&parent.extra_data)
            .map_err(|e| Error::Attributes(format!("parent extra data: {e}")))?;
        (e, d, 0)
    } else {
        return Ok((config.base_fee_params(ts), 0));
    };
    if denominator == 0 || elasticity == 0 {
        return Err(Error::Attributes(format!(
            "parent EIP-1559 parameters: denominator {denominator}, elasticity {elasticity} (both must be non-zero)"
        )));
    }
    Ok((BaseFeeParams::new(u128::from(denominator), u128::from(elasticity)), min_base_fee))
}

/// Base fee of the child of `parent`. From Jovian (at the parent) the parent's gas used is
/// `max(gas_used, blob_gas_used)` (its DA footprint) and the result is at least the min base fee.
fn next_base_fee(
    config: &ChainConfig,
    parent: &Header,
    params: BaseFeeParams,
    min_base_fee: u64,
) -> Result<u64, Error> {
    let parent_base_fee = parent.base_fee_per_gas.ok_or_else(|| Error::Attributes("parent has no base fee".into()))?;
    if !config.forks.is_jovian(parent.timestamp) {
        return Ok(calc_next_block_base_fee(parent.gas_used, parent.gas_limit, parent_base_fee, params));
    }
    let used = parent.gas_used.max(parent.blob_gas_used.unwrap_or_default());
    Ok(calc_next_block_base_fee(used, parent.gas_limit, parent_base_fee, params).max(min_base_fee))
}

/// Decodes the attributes' transactions and recovers their senders through the ecrecover precompile oracle
/// (sound: the answer is what the EVM's ecrecover returns on L1, where the PreimageOracle computes it), with
/// the same rules as alloy's recovery: low `s` (EIP-2), `v` = 27 + y parity, a 32-byte address answer.
fn recover_with_oracle(
    attrs: &OpPayloadAttributes,
    oracle: &dyn PrecompileOracle,
) -> Result<Vec<WithEncoded<Recovered<OpTxEnvelope>>>, Error> {
    let mut out = Vec::new();
    for (i, raw) in attrs.transactions.iter().flatten().enumerate() {
        let mut buf = raw.as_ref();
        let tx = OpTxEnvelope::decode_2718(&mut buf).map_err(|e| Error::Attributes(format!("transaction {i}: {e}")))?;
        if !buf.is_empty() {
            return Err(Error::Attributes(format!("transaction {i}: trailing bytes")));
        }
        let (sig, hash) = match &tx {
            OpTxEnvelope::Legacy(t) => (t.signature(), t.signature_hash()),
            OpTxEnvelope::Eip2930(t) => (t.signature(), t.signature_hash()),
            OpTxEnvelope::Eip1559(t) => (t.signature(), t.signature_hash()),
            OpTxEnvelope::Eip7702(t) => (t.signature(), t.signature_hash()),
            _ => {
                let recovered =
                    tx.try_into_recovered().map_err(|e| Error::Attributes(format!("transaction {i}: {e}")))?;
                out.push(WithEncoded::new(raw.clone(), recovered));
                continue;
            }
        };
        if sig.s() > SECP256K1N_HALF {
            return Err(Error::Attributes(format!("transaction {i}: signature s is not low (EIP-2)")));
        }
        let mut input = [0u8; 128];
        input[..32].copy_from_slice(hash.as_slice());
        input[63] = 27 + sig.v() as u8;
        input[64..96].copy_from_slice(&sig.r().to_be_bytes::<32>());
        input[96..].copy_from_slice(&sig.s().to_be_bytes::<32>());
        let call = crate::PrecompileCall { address: crate::precompiles::ECRECOVER, gas: 3000, input: &input };
        let answer = oracle.call(&call)?.unwrap_or_default();
        if answer.len() != 32 || answer[..12].iter().any(|b| *b != 0) {
            return Err(Error::Attributes(format!("transaction {i}: signature does not recover a sender")));
        }
        let signer = Address::from_slice(&answer[12..]);
        out.push(WithEncoded::new(raw.clone(), Recovered::new_unchecked(tx, signer)));
    }
    Ok(out)
}

/// How [`build_block_with`] builds.
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// Read the L2ToL1MessagePasser storage root for the output root even when the header does not need it
    /// (before Isthmus). A preimage oracle that cannot answer a missing key (the fault-proof guest) must leave it
    /// off when it only checks the block hash.
    pub output_root: bool,
    /// Answer the accelerated precompiles through this oracle (kona-client's set for the fork); `None` runs
    /// every precompile in the EVM.
    pub precompiles: Option<Arc<dyn PrecompileOracle>>,
    /// Return the post-state's preimages in [`BlockOutcome::preimages`] (to execute a chain of blocks).
    pub collect_preimages: bool,
}

impl core::fmt::Debug for BuildOptions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BuildOptions")
            .field("output_root", &self.output_root)
            .field("accelerated_precompiles", &self.precompiles.is_some())
            .field("collect_preimages", &self.collect_preimages)
            .finish()
    }
}

/// Builds the block defined by `attrs` on top of `parent`, reading state through `provider` (with the output
/// root, every precompile in the EVM).
///
/// Supports Bedrock through Karst; Interop is rejected with [`Error::Config`].
pub fn build_block<P: TrieProvider>(
    config: &ChainConfig,
    parent: &Header,
    attrs: &OpPayloadAttributes,
    provider: P,
) -> Result<BlockOutcome, Error> {
    build_block_with(config, parent, attrs, provider, &BuildOptions { output_root: true, ..Default::default() })
}

/// [`build_block`] with [`BuildOptions`]. With `output_root` false the outcome's `output_root` is
/// [`Error::OutputRootNotRequested`] before Isthmus.
pub fn build_block_with<P: TrieProvider>(
    config: &ChainConfig,
    parent: &Header,
    attrs: &OpPayloadAttributes,
    provider: P,
    options: &BuildOptions,
) -> Result<BlockOutcome, Error> {
    let ts = attrs.payload_attributes.timestamp;
    if config.forks.is_interop(ts) {
        return Err(Error::Config(format!("Interop blocks (timestamp {ts}) are not supported")));
    }
    if ts <= parent.timestamp {
        return Err(Error::Attributes(format!("timestamp {ts} not after parent {}", parent.timestamp)));
    }
    let number = parent
        .number
        .checked_add(1)
        .ok_or_else(|| Error::Attributes(format!("parent block number {} has no successor", parent.number)))?;
    let forks = &config.forks;
    let parent_hash = parent.hash_slow();
    let gas_limit = attrs.gas_limit.ok_or_else(|| Error::Attributes("gas limit missing".into()))?;
    let (params, min_base_fee) = next_base_fee_params(config, parent, ts)?;
    let base_fee = next_base_fee(config, parent, params, min_base_fee)?;
    let eip1559 = || attrs.eip_1559_params.ok_or_else(|| Error::Attributes("eip1559 params missing".into()));
    let extra_data = if forks.is_jovian(ts) {
        let min = attrs.min_base_fee.ok_or_else(|| Error::Attributes("min base fee missing (Jovian)".into()))?;
        encode_jovian_extra_data(eip1559()?, config.base_fee_params(ts), min)
            .map_err(|e| Error::Attributes(format!("eip1559 params: {e}")))?
    } else if forks.is_holocene(ts) {
        encode_holocene_extra_data(eip1559()?, config.base_fee_params(ts))
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

    let txs = match &options.precompiles {
        Some(oracle) => recover_with_oracle(attrs, &**oracle)?,
        None => attrs
            .recovered_transactions_with_encoded()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| Error::Attributes(format!("transaction: {e}")))?,
    };
    let raw_txs: Vec<Bytes> = attrs.transactions.clone().unwrap_or_default();
    // Since Jovian, the first block of a fork holds deposits only (alloy-op-hardforks
    // `is_no_user_tx_activation_block`, enforced by the monorepo's alloy-op-evm).
    if forks.is_post_jovian_activation_block(parent.timestamp, ts) {
        if let Some(i) = raw_txs.iter().position(|tx| tx.first() != Some(&DEPOSIT_TX_TYPE)) {
            return Err(Error::Attributes(format!(
                "transaction {i} is not a deposit, but block {} activates a fork",
                parent.number + 1
            )));
        }
    }

    let factory = OpBlockExecutorFactory::new(
        OpAlloyReceiptBuilder::default(),
        hardforks.clone(),
        RampartEvmFactory::new(options.precompiles.clone()),
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
    let message_passer = if options.output_root || forks.is_isthmus(ts) {
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
    // From Jovian the header's blob gas used is the block's DA footprint.
    let (blob_gas_used, excess_blob_gas) = if forks.is_jovian(ts) {
        (Some(result.blob_gas_used), Some(0))
    } else if forks.is_ecotone(ts) {
        (Some(0), Some(0))
    } else {
        (None, None)
    };

    let header = Header {
        parent_hash,
        ommers_hash: EMPTY_OMMER_ROOT_HASH,
        beneficiary: attrs.payload_attributes.suggested_fee_recipient,
        state_root,
        transactions_root,
        receipts_root,
        logs_bloom,
        difficulty: U256::ZERO,
        number,
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
    let mut preimages = Vec::new();
    if options.collect_preimages {
        preimages = db.trie_preimages();
        let mut codes: Vec<_> = bundle.contracts.iter().collect();
        codes.sort_by_key(|(hash, _)| **hash);
        preimages.extend(codes.into_iter().map(|(_, code)| code.original_bytes()));
        preimages.push(Bytes::from(alloy_rlp::encode(&header)));
    }
    Ok(BlockOutcome {
        gas_used: result.gas_used,
        tx_count: txs.len(),
        header,
        block_hash,
        state_root,
        output_root,
        receipts,
        preimages,
    })
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
