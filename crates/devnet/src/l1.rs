//! The L1 side: reading geth (blocks, receipts, fees), sending transactions and waiting for their receipts,
//! and the real OP contracts from the npm artifacts — `OptimismPortal2` 3.10.0 and `SystemConfig` behind
//! `Proxy`s, deployed and initialized by ordinary L1 transactions — which emit the real `TransactionDeposited`
//! and `ConfigUpdate` events.

use crate::{
    artifacts::Artifacts,
    rpc::RpcClient,
    wallet::{Fees, SignedTx, Wallet},
    DevnetError, Result,
};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_eth::{Block, TransactionReceipt};
use alloy_sol_types::{sol, SolCall, SolValue};
use serde_json::json;
use std::time::Duration;

sol! {
    /// `Proxy.sol` (EIP-1967 proxy of the OP contracts).
    interface IProxy {
        function upgradeTo(address _implementation) external;
        function upgradeToAndCall(address _implementation, bytes _data) external payable returns (bytes);
        function implementation() external returns (address);
    }

    /// `ResourceMetering.ResourceConfig`.
    struct ResourceConfig {
        uint32 maxResourceLimit;
        uint8 elasticityMultiplier;
        uint8 baseFeeMaxChangeDenominator;
        uint32 minimumBaseFee;
        uint32 systemTxMaxGas;
        uint128 maximumBaseFee;
    }

    /// `SystemConfig.Addresses`.
    struct SystemConfigAddresses {
        address l1CrossDomainMessenger;
        address l1ERC721Bridge;
        address l1StandardBridge;
        address disputeGameFactory;
        address optimismPortal;
        address optimismMintableERC20Factory;
        address gasPayingToken;
    }

    /// `SystemConfig.sol` of contracts-bedrock 0.17.3.
    interface ISystemConfig {
        function initialize(
            address _owner,
            uint32 _basefeeScalar,
            uint32 _blobbasefeeScalar,
            bytes32 _batcherHash,
            uint64 _gasLimit,
            address _unsafeBlockSigner,
            ResourceConfig _config,
            address _batchInbox,
            SystemConfigAddresses _addresses
        ) external;
        function setBatcherHash(bytes32 _batcherHash) external;
        function setGasConfigEcotone(uint32 _basefeeScalar, uint32 _blobbasefeeScalar) external;
        function setGasLimit(uint64 _gasLimit) external;
        function setUnsafeBlockSigner(address _unsafeBlockSigner) external;
        event ConfigUpdate(uint256 indexed version, uint8 indexed updateType, bytes data);
    }

    /// `OptimismPortal2.sol` 3.10.0.
    interface IOptimismPortal2 {
        function initialize(address _disputeGameFactory, address _systemConfig, address _superchainConfig, uint32 _initialRespectedGameType) external;
        function depositTransaction(address _to, uint256 _value, uint64 _gasLimit, bool _isCreation, bytes _data) external payable;
        event TransactionDeposited(address indexed from, address indexed to, uint256 indexed version, bytes opaqueData);
    }
}

/// The L1 node as the rollup roles see it.
#[derive(Debug)]
pub struct L1Client {
    /// JSON-RPC of geth.
    pub rpc: RpcClient,
    /// L1 chain id.
    pub chain_id: u64,
}

impl L1Client {
    /// The block `number` with full transactions, or `None` if geth does not have it yet.
    pub async fn block(&self, number: u64) -> Result<Option<Block>> {
        Ok(self.rpc.call_opt("eth_getBlockByNumber", json!([format!("{number:#x}"), true]), number).await?)
    }

    /// The latest block number.
    pub async fn head_number(&self) -> Result<u64> {
        let n: alloy_primitives::U64 = self.rpc.call_as("eth_blockNumber", json!([]), "latest").await?;
        Ok(n.to())
    }

    /// The receipts of block `hash`.
    pub async fn receipts(&self, hash: B256) -> Result<Vec<TransactionReceipt>> {
        Ok(self.rpc.call_as("eth_getBlockReceipts", json!([hash]), hash).await?)
    }

    /// The raw RLP header of block `hash` (`debug_getRawHeader`).
    pub async fn raw_header(&self, hash: B256) -> Result<Bytes> {
        Ok(self.rpc.call_as("debug_getRawHeader", json!([hash]), hash).await?)
    }

    /// The raw EIP-2718 receipts of block `hash` (`debug_getRawReceipts`).
    pub async fn raw_receipts(&self, hash: B256) -> Result<Vec<Bytes>> {
        Ok(self.rpc.call_as("debug_getRawReceipts", json!([hash]), hash).await?)
    }

    /// The account's pending nonce.
    pub async fn nonce(&self, address: Address) -> Result<u64> {
        let n: alloy_primitives::U64 =
            self.rpc.call_as("eth_getTransactionCount", json!([address, "pending"]), address).await?;
        Ok(n.to())
    }

    /// Fees that get a transaction into the next few blocks: `(max fee, priority fee, max blob fee)`.
    pub async fn fees(&self) -> Result<(u128, u128, u128)> {
        let head: Block = self
            .rpc
            .call_opt::<Block>("eth_getBlockByNumber", json!(["latest", false]), "latest")
            .await?
            .ok_or_else(|| DevnetError::role("l1", "no latest block"))?;
        let base = u128::from(head.header.base_fee_per_gas.unwrap_or(1_000_000_000));
        let blob: alloy_primitives::U128 = self.rpc.call_as("eth_blobBaseFee", json!([]), "latest").await?;
        let tip = 1_000_000_000u128;
        Ok((base * 2 + tip, tip, blob.to::<u128>() * 2 + 1))
    }

    /// Sends a signed transaction.
    pub async fn send(&self, tx: &SignedTx) -> Result<B256> {
        Ok(self.rpc.call_as("eth_sendRawTransaction", json!([tx.raw]), tx.hash).await?)
    }

    /// Waits (up to `timeout`) for the receipt of `hash`.
    pub async fn wait_receipt(&self, hash: B256, timeout: Duration) -> Result<TransactionReceipt> {
        let start = std::time::Instant::now();
        loop {
            match self.rpc.call_opt::<TransactionReceipt>("eth_getTransactionReceipt", json!([hash]), hash).await {
                Ok(Some(r)) => return Ok(r),
                Ok(None) => {}
                // geth answers this error, not null, while its transaction indexer catches up with the head:
                // the receipt is not there yet.
                Err(rampart_host::FetchError::Rpc { reason, .. })
                    if reason.contains("transaction indexing is in progress") => {}
                Err(e) => return Err(e.into()),
            }
            if start.elapsed() > timeout {
                return Err(DevnetError::role("l1", format!("transaction {hash} not included within {timeout:?}")));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// Signs `data` to `to` with `wallet` (EIP-1559), sends it and waits for a successful receipt.
    pub async fn transact(
        &self,
        wallet: &mut Wallet,
        to: TxKind,
        value: U256,
        data: Bytes,
        gas_limit: u64,
        what: &str,
    ) -> Result<TransactionReceipt> {
        let (max_fee, tip, _) = self.fees().await?;
        let fees = Fees { gas_limit, max_fee_per_gas: max_fee, max_priority_fee_per_gas: tip };
        let tx = wallet.eip1559(self.chain_id, to, value, data, fees);
        self.send(&tx).await.map_err(|e| DevnetError::role("l1", format!("{what}: {e}")))?;
        let r = self.wait_receipt(tx.hash, Duration::from_secs(60)).await?;
        if !r.status() {
            return Err(DevnetError::role("l1", format!("{what}: transaction {} reverted", tx.hash)));
        }
        Ok(r)
    }
}

/// Where the L1 contracts ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1Contracts {
    /// `OptimismPortal2` proxy (the deposit contract).
    pub portal: Address,
    /// `SystemConfig` proxy.
    pub system_config: Address,
    /// `SystemConfig` implementation (the proxy points back to it after an extension update).
    pub system_config_impl: Address,
    /// Block in which the last deployment transaction was included.
    pub deployed_in: u64,
}

/// Initial values the SystemConfig is initialized with.
#[derive(Debug, Clone, Copy)]
pub struct SystemConfigInit {
    /// Batcher address (the batcher hash is its left-padded word).
    pub batcher: Address,
    /// L2 gas limit.
    pub gas_limit: u64,
    /// Ecotone base fee scalar.
    pub base_fee_scalar: u32,
    /// Ecotone blob base fee scalar.
    pub blob_base_fee_scalar: u32,
    /// Batch inbox.
    pub batch_inbox: Address,
    /// Unsafe block signer (ignored by derivation).
    pub unsafe_block_signer: Address,
}

/// The default `ResourceConfig` of the OP deploy config.
pub fn default_resource_config() -> ResourceConfig {
    ResourceConfig {
        maxResourceLimit: 20_000_000,
        elasticityMultiplier: 10,
        baseFeeMaxChangeDenominator: 8,
        minimumBaseFee: 1_000_000_000,
        systemTxMaxGas: 1_000_000,
        maximumBaseFee: u128::MAX,
    }
}

async fn deploy(l1: &L1Client, w: &mut Wallet, code: Bytes, what: &str) -> Result<Address> {
    let r = l1.transact(w, TxKind::Create, U256::ZERO, code, 12_000_000, what).await?;
    r.contract_address.ok_or_else(|| DevnetError::role("l1", format!("{what}: no contract address in the receipt")))
}

/// Deploys and initializes the portal and the system config from `deployer` (who becomes the proxies' admin
/// and the SystemConfig owner).
pub async fn deploy_contracts(
    l1: &L1Client,
    deployer: &mut Wallet,
    artifacts: &Artifacts,
    init: SystemConfigInit,
) -> Result<L1Contracts> {
    deployer.nonce = l1.nonce(deployer.address).await?;
    let proxy = artifacts.load("Proxy")?;
    let admin = deployer.address.abi_encode();
    let sc_proxy = deploy(l1, deployer, proxy.creation_code(&admin), "SystemConfig proxy").await?;
    let portal_proxy = deploy(l1, deployer, proxy.creation_code(&admin), "OptimismPortal2 proxy").await?;
    let sc_impl = deploy(l1, deployer, artifacts.load("SystemConfig")?.creation_code(&[]), "SystemConfig").await?;
    let portal_args = (U256::from(12u64), U256::from(6u64)).abi_encode_params();
    let portal_impl =
        deploy(l1, deployer, artifacts.load("OptimismPortal2")?.creation_code(&portal_args), "OptimismPortal2").await?;

    let sc_init = ISystemConfig::initializeCall {
        _owner: deployer.address,
        _basefeeScalar: init.base_fee_scalar,
        _blobbasefeeScalar: init.blob_base_fee_scalar,
        _batcherHash: init.batcher.into_word(),
        _gasLimit: init.gas_limit,
        _unsafeBlockSigner: init.unsafe_block_signer,
        _config: default_resource_config(),
        _batchInbox: init.batch_inbox,
        _addresses: SystemConfigAddresses {
            l1CrossDomainMessenger: Address::ZERO,
            l1ERC721Bridge: Address::ZERO,
            l1StandardBridge: Address::ZERO,
            disputeGameFactory: Address::ZERO,
            optimismPortal: portal_proxy,
            optimismMintableERC20Factory: Address::ZERO,
            gasPayingToken: Address::ZERO,
        },
    };
    let call = IProxy::upgradeToAndCallCall { _implementation: sc_impl, _data: sc_init.abi_encode().into() };
    l1.transact(
        deployer,
        TxKind::Call(sc_proxy),
        U256::ZERO,
        call.abi_encode().into(),
        2_000_000,
        "SystemConfig.initialize",
    )
    .await?;
    let portal_init = IOptimismPortal2::initializeCall {
        _disputeGameFactory: Address::ZERO,
        _systemConfig: sc_proxy,
        _superchainConfig: Address::ZERO,
        _initialRespectedGameType: 0,
    };
    let call = IProxy::upgradeToAndCallCall { _implementation: portal_impl, _data: portal_init.abi_encode().into() };
    let r = l1
        .transact(
            deployer,
            TxKind::Call(portal_proxy),
            U256::ZERO,
            call.abi_encode().into(),
            2_000_000,
            "OptimismPortal2.initialize",
        )
        .await?;
    let deployed_in = r.block_number.ok_or_else(|| DevnetError::role("l1", "receipt without block number"))?;
    Ok(L1Contracts { portal: portal_proxy, system_config: sc_proxy, system_config_impl: sc_impl, deployed_in })
}

/// Calldata of `OptimismPortal2.depositTransaction`.
pub fn deposit_call(to: Address, value: U256, gas_limit: u64, is_creation: bool, data: Bytes) -> Bytes {
    IOptimismPortal2::depositTransactionCall {
        _to: to,
        _value: value,
        _gasLimit: gas_limit,
        _isCreation: is_creation,
        _data: data,
    }
    .abi_encode()
    .into()
}

/// Calldata of the SystemConfig setters the devnet exercises.
pub mod system_config_calls {
    use super::*;

    /// `setGasConfigEcotone(basefeeScalar, blobbasefeeScalar)` (ConfigUpdate type 1).
    pub fn set_gas_config_ecotone(base_fee_scalar: u32, blob_base_fee_scalar: u32) -> Bytes {
        ISystemConfig::setGasConfigEcotoneCall {
            _basefeeScalar: base_fee_scalar,
            _blobbasefeeScalar: blob_base_fee_scalar,
        }
        .abi_encode()
        .into()
    }

    /// `setGasLimit(gasLimit)` (ConfigUpdate type 2).
    pub fn set_gas_limit(gas_limit: u64) -> Bytes {
        ISystemConfig::setGasLimitCall { _gasLimit: gas_limit }.abi_encode().into()
    }

    /// `setBatcherHash(batcherHash)` (ConfigUpdate type 0).
    pub fn set_batcher(batcher: Address) -> Bytes {
        ISystemConfig::setBatcherHashCall { _batcherHash: batcher.into_word() }.abi_encode().into()
    }
}

/// `keccak256("TransactionDeposited(address,address,uint256,bytes)")`.
pub fn transaction_deposited_topic() -> B256 {
    use alloy_sol_types::SolEvent;
    IOptimismPortal2::TransactionDeposited::SIGNATURE_HASH
}

/// `keccak256("ConfigUpdate(uint256,uint8,bytes)")`.
pub fn config_update_topic() -> B256 {
    use alloy_sol_types::SolEvent;
    ISystemConfig::ConfigUpdate::SIGNATURE_HASH
}
