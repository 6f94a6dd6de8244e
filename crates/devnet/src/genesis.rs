//! Genesis files written by Rampart: the L1 genesis that `geth init` loads before `geth --dev` (Cancun and
//! Prague at genesis, no Osaka), and the L2 genesis for op-geth (the OP chain config with its fork times, the
//! predeploys built from the real contract artifacts).
//!
//! The L2 predeploys are made the way the monorepo's `L2Genesis.s.sol` makes them: every address of the
//! `0x4200…0000`–`0x4200…07ff` namespace holds the `Proxy` runtime code with `ProxyAdmin` as its admin, the
//! supported predeploys point at an implementation in the `0xc0d3…` code namespace, and the implementations are
//! deployed by running their creation code (constructor arguments included, so immutables are filled in) in a
//! scratch EVM; the initializers then run through the proxies in that scratch EVM and the resulting state is the
//! genesis allocation.

use crate::{artifacts::Artifacts, DevnetError, Result};
use alloy_primitives::{address, b256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use revm::{
    bytecode::Bytecode,
    context::{Context, TxEnv},
    context_interface::result::{EVMError, ExecutionResult, Output},
    database::{CacheDB, EmptyDB},
    handler::{ExecuteCommitEvm, MainBuilder, MainContext},
    primitives::{hardfork::SpecId, TxKind, KECCAK_EMPTY},
    state::AccountInfo,
};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::convert::Infallible;

/// One genesis account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GenesisAccount {
    /// Balance in wei.
    pub balance: U256,
    /// Nonce.
    pub nonce: u64,
    /// Runtime code (empty for an EOA).
    pub code: Bytes,
    /// Non-zero storage slots.
    pub storage: BTreeMap<B256, B256>,
}

/// A genesis allocation, ordered by address (the JSON is written in this order).
pub type Alloc = BTreeMap<Address, GenesisAccount>;

/// The allocation as geth's genesis JSON `alloc` object.
pub fn alloc_json(alloc: &Alloc) -> Value {
    let mut m = Map::new();
    for (addr, acc) in alloc {
        let mut a = Map::new();
        a.insert("balance".into(), json!(format!("{:#x}", acc.balance)));
        if acc.nonce != 0 {
            a.insert("nonce".into(), json!(format!("{:#x}", acc.nonce)));
        }
        if !acc.code.is_empty() {
            a.insert("code".into(), json!(acc.code.to_string()));
        }
        if !acc.storage.is_empty() {
            let s: Map<String, Value> =
                acc.storage.iter().map(|(k, v)| (k.to_string(), json!(v.to_string()))).collect();
            a.insert("storage".into(), Value::Object(s));
        }
        m.insert(addr.to_checksum(None), Value::Object(a));
    }
    Value::Object(m)
}

/// The system contracts of the L1 forks (EIP-4788, EIP-2935, EIP-7002, EIP-7251): `(EIP, address, code)`.
pub fn system_contracts() -> Result<Vec<(String, Address, Bytes)>> {
    let v: BTreeMap<String, BTreeMap<String, String>> =
        serde_json::from_str(include_str!("../data/system-contracts.json"))
            .map_err(|e| DevnetError::Genesis(format!("system-contracts.json: {e}")))?;
    let mut out = Vec::new();
    for (eip, fields) in v {
        let addr: Address = fields["address"].parse().map_err(|e| DevnetError::Genesis(format!("{eip}: {e}")))?;
        let code: Bytes = fields["code"].parse().map_err(|e| DevnetError::Genesis(format!("{eip}: {e}")))?;
        out.push((eip, addr, code));
    }
    Ok(out)
}

/// The EIP-4788 beacon block root contract's address.
pub const BEACON_ROOTS: Address = address!("000F3df6D732807Ef1319fB7B8bB8522d0Beac02");

/// Parameters of the L1 genesis.
#[derive(Debug, Clone)]
pub struct L1GenesisSpec {
    /// L1 chain id.
    pub chain_id: u64,
    /// Genesis timestamp.
    pub timestamp: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Funded accounts.
    pub funded: Vec<(Address, U256)>,
}

/// The L1 genesis JSON for `geth init`: merged at genesis (as `--dev` requires), Shanghai, Cancun, Prague and
/// Osaka at genesis with their blob schedules, the fork system contracts, the funded accounts.
///
/// Osaka is on because geth v1.17's blob pool takes only EIP-7594 (cell proof) sidecars while its miner includes
/// such transactions only in Osaka blocks: on a Prague-only L1 no blob transaction would ever be mined.
pub fn l1_genesis(spec: &L1GenesisSpec) -> Result<Value> {
    let mut alloc = Alloc::new();
    for (_, addr, code) in system_contracts()? {
        alloc.insert(addr, GenesisAccount { nonce: 1, code, ..Default::default() });
    }
    for (addr, balance) in &spec.funded {
        alloc.entry(*addr).or_default().balance = *balance;
    }
    let config = json!({
        "chainId": spec.chain_id,
        "homesteadBlock": 0, "eip150Block": 0, "eip155Block": 0, "eip158Block": 0, "byzantiumBlock": 0,
        "constantinopleBlock": 0, "petersburgBlock": 0, "istanbulBlock": 0, "muirGlacierBlock": 0,
        "berlinBlock": 0, "londonBlock": 0, "arrowGlacierBlock": 0, "grayGlacierBlock": 0,
        "mergeNetsplitBlock": 0, "shanghaiTime": 0, "cancunTime": 0, "pragueTime": 0, "osakaTime": 0,
        "terminalTotalDifficulty": 0,
        "depositContractAddress": "0x0000000000000000000000000000000000000000",
        "blobSchedule": {
            "cancun": {"target": 3, "max": 6, "baseFeeUpdateFraction": 3338477},
            "prague": {"target": 6, "max": 9, "baseFeeUpdateFraction": 5007716},
            "osaka": {"target": 6, "max": 9, "baseFeeUpdateFraction": 5007716}
        }
    });
    Ok(json!({
        "config": config,
        "nonce": "0x0",
        "timestamp": format!("{:#x}", spec.timestamp),
        "extraData": "0x",
        "gasLimit": format!("{:#x}", spec.gas_limit),
        "difficulty": "0x0",
        "mixHash": B256::ZERO.to_string(),
        "coinbase": Address::ZERO.to_string(),
        "baseFeePerGas": "0x3b9aca00",
        "excessBlobGas": "0x0",
        "blobGasUsed": "0x0",
        "alloc": alloc_json(&alloc),
    }))
}

/// L2 fork activation times (absolute timestamps). Everything up to Holocene is active at genesis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L2Forks {
    /// Isthmus (Prague on L2).
    pub isthmus: Option<u64>,
    /// Jovian.
    pub jovian: Option<u64>,
    /// Karst (Osaka on L2).
    pub karst: Option<u64>,
}

/// Parameters of the L2 genesis.
#[derive(Debug, Clone)]
pub struct L2GenesisSpec {
    /// L2 chain id.
    pub chain_id: u64,
    /// L1 chain id (the ERC-721 factory's remote chain).
    pub l1_chain_id: u64,
    /// Genesis timestamp (`l2_time` of the rollup config).
    pub timestamp: u64,
    /// Block gas limit.
    pub gas_limit: u64,
    /// Forks after genesis.
    pub forks: L2Forks,
    /// EIP-1559 elasticity.
    pub eip1559_elasticity: u64,
    /// EIP-1559 denominator before Canyon.
    pub eip1559_denominator: u64,
    /// EIP-1559 denominator from Canyon.
    pub eip1559_denominator_canyon: u64,
    /// Owner of the L2 ProxyAdmin and recipient of the fee vaults.
    pub admin: Address,
    /// Funded accounts.
    pub funded: Vec<(Address, U256)>,
}

/// The `ProxyAdmin` predeploy.
pub const PROXY_ADMIN: Address = address!("4200000000000000000000000000000000000018");
/// The depositor account that sends L1-info and upgrade deposits.
pub const DEPOSITOR: Address = address!("DeaDDEaDDeAdDeAdDEAdDEaddeAddEAdDEAd0001");
/// EIP-1967 admin slot.
pub const ADMIN_SLOT: B256 = b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// EIP-1967 implementation slot.
pub const IMPLEMENTATION_SLOT: B256 = b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");

/// A predeploy: address (low 11 bits in the namespace) and the artifact of its implementation.
struct Predeploy {
    low: u16,
    name: &'static str,
    proxied: bool,
}

/// The predeploys of `Predeploys.isSupportedPredeploy` (governance disabled, interop off).
const PREDEPLOYS: &[Predeploy] = &[
    Predeploy { low: 0x00, name: "LegacyMessagePasser", proxied: true },
    Predeploy { low: 0x02, name: "DeployerWhitelist", proxied: true },
    Predeploy { low: 0x06, name: "WETH", proxied: false },
    Predeploy { low: 0x07, name: "L2CrossDomainMessenger", proxied: true },
    Predeploy { low: 0x0f, name: "GasPriceOracle", proxied: true },
    Predeploy { low: 0x10, name: "L2StandardBridge", proxied: true },
    Predeploy { low: 0x11, name: "SequencerFeeVault", proxied: true },
    Predeploy { low: 0x12, name: "OptimismMintableERC20Factory", proxied: true },
    Predeploy { low: 0x13, name: "L1BlockNumber", proxied: true },
    Predeploy { low: 0x14, name: "L2ERC721Bridge", proxied: true },
    Predeploy { low: 0x15, name: "L1Block", proxied: true },
    Predeploy { low: 0x16, name: "L2ToL1MessagePasser", proxied: true },
    Predeploy { low: 0x17, name: "OptimismMintableERC721Factory", proxied: true },
    Predeploy { low: 0x18, name: "ProxyAdmin", proxied: true },
    Predeploy { low: 0x19, name: "BaseFeeVault", proxied: true },
    Predeploy { low: 0x1a, name: "L1FeeVault", proxied: true },
    Predeploy { low: 0x20, name: "SchemaRegistry", proxied: true },
    Predeploy { low: 0x21, name: "EAS", proxied: true },
];

/// Address of predeploy `low` in the `0x4200…` namespace.
pub fn predeploy_address(low: u16) -> Address {
    let mut a = [0u8; 20];
    a[0] = 0x42;
    a[18..].copy_from_slice(&low.to_be_bytes());
    Address::from(a)
}

/// Address of the implementation of predeploy `low` in the `0xc0d3…` code namespace.
pub fn code_namespace_address(low: u16) -> Address {
    let mut a: [u8; 20] = address!("c0D3C0d3C0d3C0D3c0d3C0d3c0D3C0d3c0d30000").into();
    a[18..].copy_from_slice(&low.to_be_bytes());
    Address::from(a)
}

sol! {
    /// `initialize(address)` of L2CrossDomainMessenger, L2StandardBridge, L2ERC721Bridge and the ERC-20 factory.
    interface InitializeAddress {
        function initialize(address _other) external;
    }
    /// The GasPriceOracle's fork switches.
    interface GasPriceOracleForks {
        function setEcotone() external;
        function setFjord() external;
    }
}

/// The chain and block a [`scratch_transact`] transaction runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScratchBlock {
    /// Chain id of the configuration and of the transaction.
    pub chain_id: u64,
    /// Block timestamp.
    pub timestamp: u64,
    /// Block number.
    pub number: u64,
}

/// Runs one transaction from `caller` in a scratch EVM over the in-memory state `db`: Prague rules, a 60 M gas
/// block with zero base fee, a 30 M gas transaction at gas price zero with the caller's nonce as `db` has it.
/// Returns revm's result and the database with the transaction's state changes committed.
pub fn scratch_transact(
    db: CacheDB<EmptyDB>,
    block: ScratchBlock,
    caller: Address,
    kind: TxKind,
    value: U256,
    data: Bytes,
) -> (std::result::Result<ExecutionResult, EVMError<Infallible>>, CacheDB<EmptyDB>) {
    let nonce = db.cache.accounts.get(&caller).map_or(0, |a| a.info.nonce);
    let tx = TxEnv::builder()
        .caller(caller)
        .kind(kind)
        .value(value)
        .data(data)
        .gas_limit(30_000_000)
        .gas_price(0)
        .nonce(nonce)
        .chain_id(Some(block.chain_id))
        .build_fill();
    let mut evm = Context::mainnet()
        .with_db(db)
        .modify_cfg_chained(|c| {
            c.spec = SpecId::PRAGUE;
            c.chain_id = block.chain_id;
        })
        .modify_block_chained(|b| {
            b.gas_limit = 60_000_000;
            b.timestamp = U256::from(block.timestamp);
            b.number = U256::from(block.number);
            b.basefee = 0;
        })
        .build_mainnet();
    let result = evm.transact_commit(tx);
    (result, evm.ctx.journaled_state.database)
}

/// A throwaway EVM over an in-memory state, used to run creation code and initializers.
struct Scratch {
    db: CacheDB<EmptyDB>,
    deployer: Address,
    nonce: u64,
    chain_id: u64,
    timestamp: u64,
}

impl Scratch {
    fn new(chain_id: u64, timestamp: u64) -> Self {
        Self {
            db: CacheDB::new(EmptyDB::default()),
            deployer: address!("00000000000000000000000000000000de910000"),
            nonce: 0,
            chain_id,
            timestamp,
        }
    }

    fn transact(&mut self, caller: Address, kind: TxKind, data: Bytes, what: &str) -> Result<Output> {
        let db = std::mem::replace(&mut self.db, CacheDB::new(EmptyDB::default()));
        let block = ScratchBlock { chain_id: self.chain_id, timestamp: self.timestamp, number: 0 };
        let (result, db) = scratch_transact(db, block, caller, kind, U256::ZERO, data);
        self.db = db;
        match result.map_err(|e| DevnetError::Genesis(format!("{what}: {e:?}")))? {
            ExecutionResult::Success { output, .. } => Ok(output),
            ExecutionResult::Revert { output, .. } => Err(DevnetError::Genesis(format!("{what} reverted: {output}"))),
            ExecutionResult::Halt { reason, .. } => Err(DevnetError::Genesis(format!("{what} halted: {reason:?}"))),
        }
    }

    /// Runs creation code from the scratch deployer and returns the runtime code it left.
    fn deploy(&mut self, code: Bytes, what: &str) -> Result<Bytes> {
        self.nonce += 1;
        let out = self.transact(self.deployer, TxKind::Create, code, what)?;
        let Output::Create(_, Some(addr)) = out else {
            return Err(DevnetError::Genesis(format!("{what}: creation returned no address")));
        };
        let acc =
            self.db.cache.accounts.get(&addr).ok_or_else(|| DevnetError::Genesis(format!("{what}: no account")))?;
        let code = acc.info.code.as_ref().map(Bytecode::original_bytes).unwrap_or_default();
        let code = if code.is_empty() {
            self.db.cache.contracts.get(&acc.info.code_hash).map(Bytecode::original_bytes).unwrap_or_default()
        } else {
            code
        };
        // The scratch deployment itself is not part of the genesis.
        self.db.cache.accounts.remove(&addr);
        Ok(code)
    }

    fn set_code(&mut self, addr: Address, code: Bytes) {
        let bytecode = Bytecode::new_raw(code);
        let info = AccountInfo::new(U256::ZERO, 1, bytecode.hash_slow(), bytecode);
        self.db.insert_account_info(addr, info);
    }

    fn set_storage(&mut self, addr: Address, slot: B256, value: B256) -> Result<()> {
        self.db
            .insert_account_storage(addr, slot.into(), value.into())
            .map_err(|e| DevnetError::Genesis(format!("storage of {addr}: {e:?}")))
    }

    fn call(&mut self, caller: Address, to: Address, data: Vec<u8>, what: &str) -> Result<()> {
        self.transact(caller, TxKind::Call(to), data.into(), what).map(|_| ())
    }

    fn into_alloc(self, skip: &[Address]) -> Alloc {
        let mut alloc = Alloc::new();
        for (addr, acc) in &self.db.cache.accounts {
            if skip.contains(addr) {
                continue;
            }
            let code = match &acc.info.code {
                Some(c) if !c.is_empty() => c.original_bytes(),
                _ if acc.info.code_hash != KECCAK_EMPTY => {
                    self.db.cache.contracts.get(&acc.info.code_hash).map(Bytecode::original_bytes).unwrap_or_default()
                }
                _ => Bytes::new(),
            };
            let storage = acc
                .storage
                .iter()
                .filter(|(_, v)| !v.is_zero())
                .map(|(k, v)| (B256::from(*k), B256::from(*v)))
                .collect();
            alloc.insert(*addr, GenesisAccount { balance: acc.info.balance, nonce: acc.info.nonce, code, storage });
        }
        alloc
    }
}

/// The L2 genesis allocation: predeploys (proxies, implementations, initialized state), the EIP-4788 contract
/// (Ecotone is active at genesis) and the funded accounts.
pub fn l2_alloc(spec: &L2GenesisSpec, artifacts: &Artifacts) -> Result<Alloc> {
    let mut s = Scratch::new(spec.chain_id, spec.timestamp);
    let proxy = artifacts.load("Proxy")?;
    let proxy_code = s.deploy(proxy.creation_code(&PROXY_ADMIN.abi_encode()), "Proxy")?;
    // Every address of the namespace is a proxy administered by ProxyAdmin (L2Genesis.setPredeployProxies).
    let not_proxied: Vec<u16> = PREDEPLOYS.iter().filter(|p| !p.proxied).map(|p| p.low).collect();
    for low in 0..2048u16 {
        if not_proxied.contains(&low) {
            continue;
        }
        let addr = predeploy_address(low);
        s.set_code(addr, proxy_code.clone());
        s.set_storage(addr, ADMIN_SLOT, PROXY_ADMIN.into_word())?;
    }
    let vault_args = |recipient: Address| {
        (recipient, U256::from(10u64) * U256::from(10u64).pow(U256::from(18)), U256::from(1u8)).abi_encode_params()
    };
    for p in PREDEPLOYS {
        let art = artifacts.load(p.name)?;
        let args: Vec<u8> = match p.name {
            "ProxyAdmin" => spec.admin.abi_encode(),
            "SequencerFeeVault" | "BaseFeeVault" | "L1FeeVault" => vault_args(spec.admin),
            "OptimismMintableERC721Factory" => {
                (predeploy_address(0x14), U256::from(spec.l1_chain_id)).abi_encode_params()
            }
            _ => Vec::new(),
        };
        let code = s.deploy(art.creation_code(&args), p.name)?;
        if p.proxied {
            let imp = code_namespace_address(p.low);
            s.set_code(imp, code);
            s.set_storage(predeploy_address(p.low), IMPLEMENTATION_SLOT, imp.into_word())?;
        } else {
            s.set_code(predeploy_address(p.low), code);
        }
    }
    // Initializers, through the proxies (L2Genesis.setPredeployImplementations + initialize calls).
    let user = address!("00000000000000000000000000000000de910001");
    let messenger = predeploy_address(0x07);
    let bridge = predeploy_address(0x10);
    let erc721_bridge = predeploy_address(0x14);
    let l1_side = Address::ZERO;
    let init = |other: Address| InitializeAddress::initializeCall { _other: other }.abi_encode();
    s.call(user, messenger, init(l1_side), "L2CrossDomainMessenger.initialize")?;
    s.call(user, bridge, init(l1_side), "L2StandardBridge.initialize")?;
    s.call(user, erc721_bridge, init(l1_side), "L2ERC721Bridge.initialize")?;
    s.call(user, predeploy_address(0x12), init(bridge), "OptimismMintableERC20Factory.initialize")?;
    // ProxyAdmin's owner (the proxy's own storage; its constructor ran on the implementation).
    let (owner_slot, _) = artifacts.load("ProxyAdmin")?.slot("_owner")?;
    s.set_storage(PROXY_ADMIN, owner_slot.into(), spec.admin.into_word())?;
    // Ecotone and Fjord are active at genesis: the GasPriceOracle must know (only the depositor may set them).
    s.call(
        DEPOSITOR,
        predeploy_address(0x0f),
        GasPriceOracleForks::setEcotoneCall {}.abi_encode(),
        "GasPriceOracle.setEcotone",
    )?;
    s.call(
        DEPOSITOR,
        predeploy_address(0x0f),
        GasPriceOracleForks::setFjordCall {}.abi_encode(),
        "GasPriceOracle.setFjord",
    )?;

    let mut alloc = s.into_alloc(&[address!("00000000000000000000000000000000de910000"), user, DEPOSITOR]);
    for (eip, addr, code) in system_contracts()? {
        if eip == "EIP-4788" {
            alloc.insert(addr, GenesisAccount { nonce: 1, code, ..Default::default() });
        }
    }
    for (addr, balance) in &spec.funded {
        alloc.entry(*addr).or_default().balance = *balance;
    }
    Ok(alloc)
}

/// Holocene extra data: version 0 ‖ denominator u32 BE ‖ elasticity u32 BE.
pub fn holocene_extra_data(denominator: u64, elasticity: u64) -> Bytes {
    let mut v = vec![0u8];
    v.extend_from_slice(&(denominator as u32).to_be_bytes());
    v.extend_from_slice(&(elasticity as u32).to_be_bytes());
    v.into()
}

/// The op-geth chain config: Ethereum forks tied to the OP forks that imply them (Shanghai = Canyon,
/// Cancun = Ecotone, Prague = Isthmus, Osaka = Karst, as the monorepo's `GethChainConfig` ties them).
///
/// op-geth v1.101702.3 and Karst: it parses `karstTime` (and `--override.karst`) but nothing calls
/// `IsKarst`/`IsOptimismKarst` (only `params/`, the banner and the compat check mention it), so `karstTime` alone
/// changes nothing. The Osaka rules come from `osakaTime`: the CLZ opcode (jump table) and the EIP-7825 tx gas cap
/// (`core/state_transition.go`) follow it, but `activePrecompiledContracts` tests `IsOptimismJovian` before
/// `IsOsaka`, so a Karst block keeps the Jovian precompiles: MODEXP without EIP-7823/7883 and the Fjord P256VERIFY
/// (3450 gas). op-revm 20's `karst()` swaps in `modexp::OSAKA` and `P256VERIFY_OSAKA` (6900 gas). So op-geth does
/// not build Karst blocks the way op-revm does: they differ on every MODEXP/P256VERIFY call after Karst.
pub fn l2_chain_config(spec: &L2GenesisSpec) -> Value {
    let f = spec.forks;
    let mut c = json!({
        "chainId": spec.chain_id,
        "homesteadBlock": 0, "eip150Block": 0, "eip155Block": 0, "eip158Block": 0, "byzantiumBlock": 0,
        "constantinopleBlock": 0, "petersburgBlock": 0, "istanbulBlock": 0, "muirGlacierBlock": 0,
        "berlinBlock": 0, "londonBlock": 0, "arrowGlacierBlock": 0, "grayGlacierBlock": 0,
        "mergeNetsplitBlock": 0, "shanghaiTime": 0, "cancunTime": 0,
        "bedrockBlock": 0, "regolithTime": 0, "canyonTime": 0, "ecotoneTime": 0, "fjordTime": 0,
        "graniteTime": 0, "holoceneTime": 0,
        "terminalTotalDifficulty": 0,
        "depositContractAddress": "0x0000000000000000000000000000000000000000",
        "optimism": {
            "eip1559Elasticity": spec.eip1559_elasticity,
            "eip1559Denominator": spec.eip1559_denominator,
            "eip1559DenominatorCanyon": spec.eip1559_denominator_canyon
        }
    });
    let m = c.as_object_mut().expect("object");
    for (k, v) in [
        ("pragueTime", f.isthmus),
        ("isthmusTime", f.isthmus),
        ("jovianTime", f.jovian),
        ("osakaTime", f.karst),
        ("karstTime", f.karst),
    ] {
        if let Some(t) = v {
            m.insert(k.into(), json!(t));
        }
    }
    c
}

/// The L2 genesis JSON for `op-geth init`.
pub fn l2_genesis(spec: &L2GenesisSpec, alloc: &Alloc) -> Value {
    json!({
        "config": l2_chain_config(spec),
        "nonce": "0x0",
        "timestamp": format!("{:#x}", spec.timestamp),
        "extraData": holocene_extra_data(spec.eip1559_denominator_canyon, spec.eip1559_elasticity).to_string(),
        "gasLimit": format!("{:#x}", spec.gas_limit),
        "difficulty": "0x0",
        "mixHash": B256::ZERO.to_string(),
        "coinbase": "0x4200000000000000000000000000000000000011",
        "baseFeePerGas": "0x3b9aca00",
        "number": "0x0",
        "gasUsed": "0x0",
        "parentHash": B256::ZERO.to_string(),
        "alloc": alloc_json(alloc),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_addresses() {
        assert_eq!(predeploy_address(0x16), address!("4200000000000000000000000000000000000016"));
        assert_eq!(predeploy_address(0x7ff), address!("42000000000000000000000000000000000007ff"));
        assert_eq!(code_namespace_address(0x15), address!("c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d3c0d30015"));
    }

    #[test]
    fn system_contracts_parse() {
        let s = system_contracts().unwrap();
        assert_eq!(s.len(), 4);
        assert!(s.iter().any(|(_, a, _)| *a == BEACON_ROOTS));
    }
}
