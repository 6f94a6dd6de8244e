//! The real `OptimismPortal2` (3.10.0, the forge artifacts of npm `@eth-optimism/contracts-bedrock` 0.17.3) in
//! revm, to run `proveWithdrawalTransaction` and `finalizeWithdrawalTransaction` on Rampart's calldata.
//!
//! [`PortalEvm::deploy`] builds, in an in-memory revm state, the L1 side the portal reads, all from the real
//! creation code (constructor arguments appended, so immutables are the ones given): `SuperchainConfig`,
//! `SystemConfig`, `OptimismPortal2`, `DisputeGameFactory`, `AnchorStateRegistry` and `DelayedWETH` each behind
//! a `Proxy` and initialized through `upgradeToAndCall` (as `crates/devnet/src/l1.rs` deploys the portal and the
//! system config on geth, and as the deploy scripts do for the rest), plus `PreimageOracle`, `MIPS` and a
//! `FaultDisputeGame` implementation registered in the factory with its init bond. Games are the factory's
//! clones of that implementation: created by `DisputeGameFactory.create`, attacked, resolved after their clocks
//! run out (`resolveClaim`, `resolve`) by the real bytecode, so no test double is involved. The `MIPS` of 0.17.3
//! is the 32-bit Cannon VM, not `MIPS64`: it is only the game's `VM` immutable here, as no test steps.

use std::path::PathBuf;

use alloy_primitives::{Address, Bytes, Log, B256, U256};
use alloy_sol_types::{sol, SolCall, SolError, SolValue};
use rampart_devnet::artifacts::{Artifact, Artifacts};
use rampart_devnet::genesis::{scratch_transact, ScratchBlock};
use rampart_devnet::l1::{default_resource_config, ISystemConfig, SystemConfigAddresses};
use rampart_game::{GameConfig, GameStatus};
use revm::{
    context_interface::result::{ExecutionResult, Output},
    database::{CacheDB, EmptyDB},
    database_interface::DatabaseRef,
    primitives::TxKind,
    state::AccountInfo,
};

use crate::errors::{AgentError, Result};

sol! {
    /// `Proxy.sol`.
    interface IProxy {
        function upgradeToAndCall(address _implementation, bytes _data) external payable returns (bytes);
    }
    /// `SuperchainConfig.sol` 1.1.0.
    interface ISuperchainConfig {
        function initialize(address _guardian, bool _paused) external;
        function pause(string _identifier) external;
        function paused() external view returns (bool);
    }
    /// `DisputeGameFactory.sol` 1.0.0 (`GameType` is a `uint32`, `Claim` a `bytes32`, `Timestamp` a `uint64`).
    interface IDisputeGameFactory {
        function initialize(address _owner) external;
        function setImplementation(uint32 _gameType, address _impl) external;
        function setInitBond(uint32 _gameType, uint256 _initBond) external;
        function create(uint32 _gameType, bytes32 _rootClaim, bytes _extraData) external payable returns (address proxy_);
        function gameCount() external view returns (uint256 gameCount_);
        function gameAtIndex(uint256 _index) external view returns (uint32 gameType_, uint64 timestamp_, address proxy_);
    }
    /// `Types.OutputRoot` of the dispute library.
    struct AnchorOutputRoot { bytes32 root; uint256 l2BlockNumber; }
    /// `AnchorStateRegistry.StartingAnchorRoot`.
    struct StartingAnchorRoot { uint32 gameType; AnchorOutputRoot outputRoot; }
    /// `AnchorStateRegistry.sol` 1.0.0.
    interface IAnchorStateRegistry {
        function initialize(StartingAnchorRoot[] _startingAnchorRoots) external;
        function anchors(uint32 _gameType) external view returns (bytes32 root, uint256 l2BlockNumber);
    }
    /// `DelayedWETH.sol`.
    interface IDelayedWETH {
        function initialize(address _owner, address _config) external;
    }
    /// `FaultDisputeGame.sol` 1.3.0 (`Position` is a `uint128`, `GameStatus` a `uint8`).
    interface IFaultDisputeGame {
        function attack(bytes32 _disputed, uint256 _parentIndex, bytes32 _claim) external payable;
        function resolveClaim(uint256 _claimIndex, uint256 _numToResolve) external;
        function resolve() external returns (uint8 status_);
        function status() external view returns (uint8);
        function createdAt() external view returns (uint64);
        function resolvedAt() external view returns (uint64);
        function rootClaim() external pure returns (bytes32);
        function l2BlockNumber() external pure returns (uint256);
        function getRequiredBond(uint128 _position) external view returns (uint256 requiredBond_);
    }
    /// `Types.WithdrawalTransaction`.
    struct PortalWithdrawal { uint256 nonce; address sender; address target; uint256 value; uint256 gasLimit; bytes data; }
    /// `OptimismPortal2.sol` 3.10.0.
    interface IPortal {
        function initialize(address _disputeGameFactory, address _systemConfig, address _superchainConfig, uint32 _initialRespectedGameType) external;
        function finalizeWithdrawalTransaction(PortalWithdrawal _tx) external;
        function blacklistDisputeGame(address _disputeGame) external;
        function setRespectedGameType(uint32 _gameType) external;
        function donateETH() external payable;
        function provenWithdrawals(bytes32 _hash, address _submitter) external view returns (address disputeGameProxy, uint64 timestamp);
        function finalizedWithdrawals(bytes32 _hash) external view returns (bool);
        function numProofSubmitters(bytes32 _hash) external view returns (uint256);
        function respectedGameType() external view returns (uint32);
        function version() external view returns (string);
        event WithdrawalProven(bytes32 indexed withdrawalHash, address indexed from, address indexed to);
        event WithdrawalProvenExtension1(bytes32 indexed withdrawalHash, address indexed proofSubmitter);
        event WithdrawalFinalized(bytes32 indexed withdrawalHash, bool success);
    }
    /// `PortalErrors.sol`.
    error CallPaused();
    /// `PortalErrors.sol`.
    error BadTarget();
    /// `RLPErrors.sol` (RLPReader, as `MerkleTrie` decodes proof nodes).
    error EmptyItem();
    /// `RLPErrors.sol`.
    error UnexpectedString();
    /// `RLPErrors.sol`.
    error InvalidDataRemainder();
    /// `RLPErrors.sol`.
    error UnexpectedList();
    /// `RLPErrors.sol`.
    error ContentLengthMismatch();
    /// `RLPErrors.sol`.
    error InvalidHeader();
}

/// The proxies' admin (the deploy scripts' `ProxyAdmin`; an EOA here), also the deployer of every contract.
pub const PROXY_ADMIN: Address = Address::new([0xad; 20]);
/// The owner of `SystemConfig`, `DisputeGameFactory` and `DelayedWETH`.
pub const OWNER: Address = Address::new([0x0e; 20]);
/// `SuperchainConfig`'s guardian (may pause and blacklist games).
pub const GUARDIAN: Address = Address::new([0x6a; 20]);

/// Where the contracts-bedrock 0.17.3 npm package is: `$RAMPART_CONTRACTS_BEDROCK`, else the install script's
/// cache (`~/.cache/rampart/contracts-bedrock/package`). Fails, naming the fix, if its forge artifacts are
/// missing or the package is another version.
pub fn locate_artifacts() -> Result<Artifacts> {
    let package = std::env::var_os("RAMPART_CONTRACTS_BEDROCK")
        .map_or_else(|| rampart_devnet::nodes::cache_dir().join("contracts-bedrock/package"), PathBuf::from);
    let dir = package.join("forge-artifacts");
    let fix = "run `bash scripts/install-nodes.sh` (CI runs it through `.ci/install-deps`) or point \
               RAMPART_CONTRACTS_BEDROCK at the npm package of @eth-optimism/contracts-bedrock 0.17.3";
    if !dir.join("OptimismPortal2.sol/OptimismPortal2.json").is_file() {
        return Err(AgentError::Evm(format!("no contracts-bedrock forge artifacts at {}: {fix}", dir.display())));
    }
    let manifest = package.join("package.json");
    let version = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| v.get("version").and_then(|v| v.as_str()).map(str::to_string));
    if version.as_deref() != Some("0.17.3") {
        return Err(AgentError::Evm(format!(
            "{} gives contracts-bedrock version {version:?}, not 0.17.3: {fix}",
            manifest.display()
        )));
    }
    Ok(Artifacts::new(dir))
}

/// What the portal and its games are deployed with.
#[derive(Clone, Debug)]
pub struct PortalSetup {
    /// The `FaultDisputeGame` implementation's constructor arguments (type, prestate, depths, clocks, chain id)
    /// and the factory's init bond; its type is the portal's respected game type.
    pub game: GameConfig,
    /// `PROOF_MATURITY_DELAY_SECONDS`.
    pub proof_maturity_delay: u64,
    /// `DISPUTE_GAME_FINALITY_DELAY_SECONDS`.
    pub finality_delay: u64,
    /// The anchor state registry's starting anchor: (output root, L2 block), for every game type.
    pub anchor: (B256, u64),
    /// Game types registered besides the respected one (same implementation parameters otherwise), for games
    /// the portal must refuse as not respected.
    pub other_game_types: Vec<u32>,
    /// L1 time of the deployment.
    pub start_time: u64,
}

/// The deployed addresses.
#[derive(Clone, Copy, Debug)]
pub struct Deployment {
    /// `OptimismPortal2` proxy.
    pub portal: Address,
    /// Its implementation.
    pub portal_impl: Address,
    /// `SystemConfig` proxy.
    pub system_config: Address,
    /// `SuperchainConfig` proxy.
    pub superchain_config: Address,
    /// `DisputeGameFactory` proxy.
    pub factory: Address,
    /// `AnchorStateRegistry` proxy.
    pub anchor_state_registry: Address,
    /// `DelayedWETH` proxy.
    pub weth: Address,
    /// The `FaultDisputeGame` implementation of the respected type.
    pub game_impl: Address,
    /// `MIPS` (the game's VM immutable).
    pub mips: Address,
    /// `PreimageOracle`.
    pub preimage_oracle: Address,
}

/// A call's result: accepted with its logs and return data, or refused with the decoded revert reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The call succeeded.
    Accepted {
        /// Logs emitted.
        logs: Vec<Log>,
        /// Return data.
        output: Bytes,
    },
    /// The call reverted or halted: `Error(string)`'s reason, `Panic(code)`, a named custom error, or the halt.
    Refused(String),
}

impl Outcome {
    /// Whether the call succeeded.
    pub fn accepted(&self) -> bool {
        matches!(self, Self::Accepted { .. })
    }
}

/// The revert data as a reason.
pub fn revert_reason(out: &[u8]) -> String {
    if let Ok(r) = alloy_sol_types::Revert::abi_decode(out) {
        return r.reason;
    }
    if let Ok(p) = alloy_sol_types::Panic::abi_decode(out) {
        return format!("Panic({:#x})", p.code);
    }
    let named: [([u8; 4], &str); 8] = [
        (CallPaused::SELECTOR, "CallPaused()"),
        (BadTarget::SELECTOR, "BadTarget()"),
        (EmptyItem::SELECTOR, "RLPReader: EmptyItem()"),
        (UnexpectedString::SELECTOR, "RLPReader: UnexpectedString()"),
        (InvalidDataRemainder::SELECTOR, "RLPReader: InvalidDataRemainder()"),
        (UnexpectedList::SELECTOR, "RLPReader: UnexpectedList()"),
        (ContentLengthMismatch::SELECTOR, "RLPReader: ContentLengthMismatch()"),
        (InvalidHeader::SELECTOR, "RLPReader: InvalidHeader()"),
    ];
    if let Some((_, name)) = named.iter().find(|(sel, _)| out.starts_with(sel)) {
        return (*name).into();
    }
    if out.is_empty() {
        return "empty revert".into();
    }
    format!("custom error 0x{}", alloy_primitives::hex::encode(&out[..out.len().min(4)]))
}

/// The tag of [`crate::withdrawal::check_prove`]'s refusal a revert of `proveWithdrawalTransaction` (3.10.0)
/// corresponds to, from its reason; `None` for a reason the portal's prove path does not give.
pub fn prove_refusal_tag(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "CallPaused()" => "CallPaused",
        "OptimismPortal: you cannot send messages to the portal contract" => "BadTarget",
        // `_disputeGameList[_index]` out of bounds in `gameAtIndex`.
        "Panic(0x32)" => "InvalidGameIndex",
        "OptimismPortal: invalid game type" => "InvalidGameType",
        "OptimismPortal: invalid output root proof" => "InvalidOutputRootProof",
        "OptimismPortal: cannot prove against invalid dispute games" => "InvalidDisputeGame",
        "OptimismPortal: invalid withdrawal inclusion proof" => "InvalidMerkleProof",
        r if r.starts_with("MerkleTrie: ") || r.starts_with("RLPReader: ") => "InvalidMerkleProof",
        _ => return None,
    })
}

/// The tag of [`crate::withdrawal::check_finalize`]'s refusal a revert of `finalizeWithdrawalTransaction`
/// (3.10.0's `checkWithdrawal`) corresponds to; `None` for a reason the model has no counterpart of (a replay:
/// `withdrawal has already been finalized`) or that is not a `checkWithdrawal` reason.
pub fn finalize_refusal_tag(reason: &str) -> Option<&'static str> {
    Some(match reason {
        "OptimismPortal: dispute game has been blacklisted" => "ImproperDisputeGame",
        // 3.10.0's `whenNotPaused`; 4.x's `isGameProper` is false while paused.
        "CallPaused()" => "ImproperDisputeGame",
        "OptimismPortal: withdrawal has not been proven by proof submitter address yet" => "Unproven",
        "OptimismPortal: withdrawal timestamp less than dispute game creation timestamp" => "InvalidProofTimestamp",
        "OptimismPortal: proven withdrawal has not matured yet" => "ProofNotOldEnough",
        "OptimismPortal: output proposal has not been validated" => "InvalidDisputeGame",
        "OptimismPortal: invalid game type" => "InvalidDisputeGame",
        // 4.x retires such games (`retirementTimestamp`): improper.
        "OptimismPortal: dispute game created before respected game type was updated" => "ImproperDisputeGame",
        "OptimismPortal: output proposal in air-gap" => "FinalityDelay",
        _ => return None,
    })
}

/// An in-memory L1 with the real portal, its configs, the factory and its games.
#[derive(Clone, Debug)]
pub struct PortalEvm {
    db: CacheDB<EmptyDB>,
    /// L1 time (the next transaction's block timestamp).
    pub now: u64,
    /// L1 block number (the next transaction's block).
    pub number: u64,
    /// Where everything is.
    pub addresses: Deployment,
    setup: PortalSetup,
    portal_artifact: Artifact,
}

const CHAIN_ID: u64 = 900;
const FUNDS: u128 = 1_000_000_000_000_000_000_000_000;

fn evm_err(what: &str, e: impl std::fmt::Display) -> AgentError {
    AgentError::Evm(format!("{what}: {e}"))
}

impl PortalEvm {
    /// Deploys the system (see the module documentation) at `setup.start_time`.
    pub fn deploy(artifacts: &Artifacts, setup: PortalSetup) -> Result<Self> {
        let load = |name: &str| artifacts.load(name).map_err(|e| evm_err("artifacts", e));
        let portal_artifact = load("OptimismPortal2")?;
        let zero = Address::ZERO;
        let mut evm = Self {
            db: CacheDB::new(EmptyDB::default()),
            now: setup.start_time,
            number: 1_000,
            addresses: Deployment {
                portal: zero,
                portal_impl: zero,
                system_config: zero,
                superchain_config: zero,
                factory: zero,
                anchor_state_registry: zero,
                weth: zero,
                game_impl: zero,
                mips: zero,
                preimage_oracle: zero,
            },
            setup: setup.clone(),
            portal_artifact: portal_artifact.clone(),
        };
        for a in [PROXY_ADMIN, OWNER, GUARDIAN] {
            evm.fund(a);
        }
        let proxy = load("Proxy")?;
        let admin = PROXY_ADMIN.abi_encode();
        let proxy_for = |evm: &mut Self, what: &str| evm.create(proxy.creation_code(&admin), what);
        let superchain_config = proxy_for(&mut evm, "SuperchainConfig proxy")?;
        let system_config = proxy_for(&mut evm, "SystemConfig proxy")?;
        let portal = proxy_for(&mut evm, "OptimismPortal2 proxy")?;
        let factory = proxy_for(&mut evm, "DisputeGameFactory proxy")?;
        let anchor_state_registry = proxy_for(&mut evm, "AnchorStateRegistry proxy")?;
        let weth = proxy_for(&mut evm, "DelayedWETH proxy")?;

        let imp = evm.create(load("SuperchainConfig")?.creation_code(&[]), "SuperchainConfig")?;
        let init = ISuperchainConfig::initializeCall { _guardian: GUARDIAN, _paused: false };
        evm.upgrade(superchain_config, imp, init.abi_encode(), "SuperchainConfig.initialize")?;

        let imp = evm.create(load("SystemConfig")?.creation_code(&[]), "SystemConfig")?;
        let init = ISystemConfig::initializeCall {
            _owner: OWNER,
            _basefeeScalar: 1368,
            _blobbasefeeScalar: 810_949,
            _batcherHash: Address::new([0xba; 20]).into_word(),
            _gasLimit: 30_000_000,
            _unsafeBlockSigner: Address::new([0x5e; 20]),
            _config: default_resource_config(),
            _batchInbox: Address::new([0xff; 20]),
            _addresses: SystemConfigAddresses {
                l1CrossDomainMessenger: zero,
                l1ERC721Bridge: zero,
                l1StandardBridge: zero,
                disputeGameFactory: factory,
                optimismPortal: portal,
                optimismMintableERC20Factory: zero,
                gasPayingToken: zero,
            },
        };
        evm.upgrade(system_config, imp, init.abi_encode(), "SystemConfig.initialize")?;

        let imp = evm.create(load("DisputeGameFactory")?.creation_code(&[]), "DisputeGameFactory")?;
        let init = IDisputeGameFactory::initializeCall { _owner: OWNER };
        evm.upgrade(factory, imp, init.abi_encode(), "DisputeGameFactory.initialize")?;

        let g = &setup.game;
        let imp =
            evm.create(load("AnchorStateRegistry")?.creation_code(&factory.abi_encode()), "AnchorStateRegistry")?;
        let types: Vec<u32> = std::iter::once(g.game_type.0).chain(setup.other_game_types.iter().copied()).collect();
        let init = IAnchorStateRegistry::initializeCall {
            _startingAnchorRoots: types
                .iter()
                .map(|&game_type| StartingAnchorRoot {
                    gameType: game_type,
                    outputRoot: AnchorOutputRoot { root: setup.anchor.0, l2BlockNumber: U256::from(setup.anchor.1) },
                })
                .collect(),
        };
        evm.upgrade(anchor_state_registry, imp, init.abi_encode(), "AnchorStateRegistry.initialize")?;

        let imp =
            evm.create(load("DelayedWETH")?.creation_code(&U256::from(g.weth_delay).abi_encode()), "DelayedWETH")?;
        let init = IDelayedWETH::initializeCall { _owner: OWNER, _config: superchain_config };
        evm.upgrade(weth, imp, init.abi_encode(), "DelayedWETH.initialize")?;

        let args = (U256::from(126_000u64), U256::from(g.oracle_challenge_period)).abi_encode_params();
        let preimage_oracle = evm.create(load("PreimageOracle")?.creation_code(&args), "PreimageOracle")?;
        let mips = evm.create(load("MIPS")?.creation_code(&preimage_oracle.abi_encode()), "MIPS")?;
        evm.addresses = Deployment {
            portal,
            portal_impl: zero,
            system_config,
            superchain_config,
            factory,
            anchor_state_registry,
            weth,
            game_impl: zero,
            mips,
            preimage_oracle,
        };
        evm.addresses.game_impl = evm.add_game_type(artifacts, g.game_type.0)?;
        for &t in &setup.other_game_types {
            evm.add_game_type(artifacts, t)?;
        }

        let args = (U256::from(setup.proof_maturity_delay), U256::from(setup.finality_delay)).abi_encode_params();
        let imp = evm.create(portal_artifact.creation_code(&args), "OptimismPortal2")?;
        let init = IPortal::initializeCall {
            _disputeGameFactory: factory,
            _systemConfig: system_config,
            _superchainConfig: superchain_config,
            _initialRespectedGameType: g.game_type.0,
        };
        evm.upgrade(portal, imp, init.abi_encode(), "OptimismPortal2.initialize")?;
        evm.addresses.portal_impl = imp;
        Ok(evm)
    }

    /// Deploys a `FaultDisputeGame` implementation of `game_type` (otherwise as the setup's) and registers it in
    /// the factory with the setup's init bond; returns the implementation.
    fn add_game_type(&mut self, artifacts: &Artifacts, game_type: u32) -> Result<Address> {
        let g = self.setup.game.clone();
        let a = &self.addresses;
        let args = (
            game_type,
            g.absolute_prestate,
            U256::from(g.max_game_depth),
            U256::from(g.split_depth),
            g.clock_extension,
            g.max_clock_duration,
            a.mips,
            a.weth,
            a.anchor_state_registry,
            U256::from(g.l2_chain_id),
        )
            .abi_encode_params();
        let fdg = artifacts.load("FaultDisputeGame").map_err(|e| evm_err("artifacts", e))?;
        let imp = self.create(fdg.creation_code(&args), "FaultDisputeGame")?;
        let factory = self.addresses.factory;
        let set = IDisputeGameFactory::setImplementationCall { _gameType: game_type, _impl: imp };
        self.must(OWNER, factory, U256::ZERO, set.abi_encode(), "DisputeGameFactory.setImplementation")?;
        let bond = IDisputeGameFactory::setInitBondCall { _gameType: game_type, _initBond: g.init_bond };
        self.must(OWNER, factory, U256::ZERO, bond.abi_encode(), "DisputeGameFactory.setInitBond")?;
        Ok(imp)
    }

    /// Gives `who` plenty of ETH.
    pub fn fund(&mut self, who: Address) {
        let nonce = self.db.cache.accounts.get(&who).map_or(0, |a| a.info.nonce);
        self.db.insert_account_info(who, AccountInfo { nonce, ..AccountInfo::from_balance(U256::from(FUNDS)) });
    }

    /// Advances L1 time by `secs` (and the block number by one block per 12 s, at least one).
    pub fn warp(&mut self, secs: u64) {
        self.now += secs;
        self.number += (secs / 12).max(1);
    }

    /// Runs one transaction at the current block; commits its state changes if `commit`.
    pub fn exec(&mut self, caller: Address, to: TxKind, value: U256, data: Vec<u8>, commit: bool) -> Result<Outcome> {
        Ok(match self.run(caller, to, value, data, commit)? {
            ExecutionResult::Success { logs, output, .. } => Outcome::Accepted { logs, output: output.into_data() },
            ExecutionResult::Revert { output, .. } => Outcome::Refused(revert_reason(&output)),
            ExecutionResult::Halt { reason, .. } => Outcome::Refused(format!("halt: {reason:?}")),
        })
    }

    fn run(
        &mut self,
        caller: Address,
        to: TxKind,
        value: U256,
        data: Vec<u8>,
        commit: bool,
    ) -> Result<ExecutionResult> {
        let db =
            if commit { std::mem::replace(&mut self.db, CacheDB::new(EmptyDB::default())) } else { self.db.clone() };
        let block = ScratchBlock { chain_id: CHAIN_ID, timestamp: self.now, number: self.number };
        let (result, db) = scratch_transact(db, block, caller, to, value, data.into());
        if commit {
            self.db = db;
        }
        result.map_err(|e| AgentError::Evm(format!("transaction from {caller}: {e:?}")))
    }

    fn create(&mut self, code: Bytes, what: &str) -> Result<Address> {
        match self.run(PROXY_ADMIN, TxKind::Create, U256::ZERO, code.to_vec(), true)? {
            ExecutionResult::Success { output: Output::Create(_, Some(addr)), .. } => Ok(addr),
            ExecutionResult::Revert { output, .. } => Err(evm_err(what, revert_reason(&output))),
            r => Err(evm_err(what, format!("{r:?}"))),
        }
    }

    fn upgrade(&mut self, proxy: Address, imp: Address, init: Vec<u8>, what: &str) -> Result<()> {
        let call = IProxy::upgradeToAndCallCall { _implementation: imp, _data: init.into() };
        self.must(PROXY_ADMIN, proxy, U256::ZERO, call.abi_encode(), what).map(|_| ())
    }

    /// A committed call that must succeed; returns its return data.
    pub fn must(&mut self, caller: Address, to: Address, value: U256, data: Vec<u8>, what: &str) -> Result<Bytes> {
        match self.exec(caller, TxKind::Call(to), value, data, true)? {
            Outcome::Accepted { output, .. } => Ok(output),
            Outcome::Refused(r) => Err(evm_err(what, format!("reverted: {r}"))),
        }
    }

    /// A view call (nothing committed) that must succeed, decoded as `C`'s return.
    pub fn view<C: SolCall>(&mut self, to: Address, call: C) -> Result<C::Return> {
        match self.exec(Address::new([0x01; 20]), TxKind::Call(to), U256::ZERO, call.abi_encode(), false)? {
            Outcome::Accepted { output, .. } => C::abi_decode_returns(&output).map_err(|e| evm_err(C::SIGNATURE, e)),
            Outcome::Refused(r) => Err(evm_err(C::SIGNATURE, format!("reverted: {r}"))),
        }
    }

    /// `DisputeGameFactory.create(gameType, rootClaim, abi.encode(l2Block))` from `creator` with the init bond:
    /// the game's factory index and address.
    pub fn create_game(
        &mut self,
        creator: Address,
        game_type: u32,
        root: B256,
        l2_block: u64,
    ) -> Result<(U256, Address)> {
        self.fund(creator);
        let call = IDisputeGameFactory::createCall {
            _gameType: game_type,
            _rootClaim: root,
            _extraData: U256::from(l2_block).abi_encode().into(),
        };
        let factory = self.addresses.factory;
        let out =
            self.must(creator, factory, self.setup.game.init_bond, call.abi_encode(), "DisputeGameFactory.create")?;
        let game = IDisputeGameFactory::createCall::abi_decode_returns(&out).map_err(|e| evm_err("create", e))?;
        let count = self.view(factory, IDisputeGameFactory::gameCountCall {})?;
        Ok((count - U256::from(1), game))
    }

    /// `game.attack(disputed, parentIndex, claim)` from `sender` with `bond`.
    pub fn attack(
        &mut self,
        game: Address,
        sender: Address,
        bond: U256,
        disputed: B256,
        parent: u64,
        claim: B256,
    ) -> Result<Outcome> {
        self.fund(sender);
        let call =
            IFaultDisputeGame::attackCall { _disputed: disputed, _parentIndex: U256::from(parent), _claim: claim };
        self.exec(sender, TxKind::Call(game), bond, call.abi_encode(), true)
    }

    /// Resolves every claim of `game` bottom-up (`resolveClaim(i, 0)` from the last claim to the root), then
    /// `resolve()`; returns the status.
    pub fn resolve(&mut self, game: Address, claims: u64) -> Result<GameStatus> {
        let who = Address::new([0x7e; 20]);
        for i in (0..claims).rev() {
            let call = IFaultDisputeGame::resolveClaimCall { _claimIndex: U256::from(i), _numToResolve: U256::ZERO };
            self.must(who, game, U256::ZERO, call.abi_encode(), "FaultDisputeGame.resolveClaim")?;
        }
        self.must(who, game, U256::ZERO, IFaultDisputeGame::resolveCall {}.abi_encode(), "FaultDisputeGame.resolve")?;
        self.game_status(game)
    }

    /// The game's `status()`.
    pub fn game_status(&mut self, game: Address) -> Result<GameStatus> {
        Ok(match self.view(game, IFaultDisputeGame::statusCall {})? {
            0 => GameStatus::InProgress,
            1 => GameStatus::ChallengerWins,
            2 => GameStatus::DefenderWins,
            s => return Err(AgentError::Evm(format!("game {game}: status {s}"))),
        })
    }

    /// Calls `proveWithdrawalTransaction` on the portal with `calldata` from `sender`; commits if `commit`.
    pub fn prove(&mut self, sender: Address, calldata: &[u8], commit: bool) -> Result<Outcome> {
        let portal = self.addresses.portal;
        self.exec(sender, TxKind::Call(portal), U256::ZERO, calldata.to_vec(), commit)
    }

    /// Calls `finalizeWithdrawalTransaction(tx)` from `sender` (the proof submitter); commits if `commit`.
    pub fn finalize(
        &mut self,
        sender: Address,
        tx: &crate::withdrawal::WithdrawalTransaction,
        commit: bool,
    ) -> Result<Outcome> {
        let call = IPortal::finalizeWithdrawalTransactionCall {
            _tx: PortalWithdrawal {
                nonce: tx.nonce,
                sender: tx.sender,
                target: tx.target,
                value: tx.value,
                gasLimit: tx.gasLimit,
                data: tx.data.clone(),
            },
        };
        let portal = self.addresses.portal;
        self.exec(sender, TxKind::Call(portal), U256::ZERO, call.abi_encode(), commit)
    }

    /// Sends `value` to the portal through `donateETH()` (what deposits leave there), so withdrawals can pay.
    pub fn donate(&mut self, value: U256) -> Result<()> {
        let portal = self.addresses.portal;
        self.must(OWNER, portal, value, IPortal::donateETHCall {}.abi_encode(), "OptimismPortal2.donateETH").map(|_| ())
    }

    /// The guardian's `blacklistDisputeGame(game)`.
    pub fn blacklist(&mut self, game: Address) -> Result<()> {
        let portal = self.addresses.portal;
        let call = IPortal::blacklistDisputeGameCall { _disputeGame: game };
        self.must(GUARDIAN, portal, U256::ZERO, call.abi_encode(), "OptimismPortal2.blacklistDisputeGame").map(|_| ())
    }

    /// The guardian's `setRespectedGameType(game_type)`.
    pub fn set_respected_game_type(&mut self, game_type: u32) -> Result<()> {
        let portal = self.addresses.portal;
        let call = IPortal::setRespectedGameTypeCall { _gameType: game_type };
        self.must(GUARDIAN, portal, U256::ZERO, call.abi_encode(), "OptimismPortal2.setRespectedGameType").map(|_| ())
    }

    /// The guardian's `SuperchainConfig.pause`.
    pub fn pause(&mut self) -> Result<()> {
        let sc = self.addresses.superchain_config;
        let call = ISuperchainConfig::pauseCall { _identifier: "rampart".into() };
        self.must(GUARDIAN, sc, U256::ZERO, call.abi_encode(), "SuperchainConfig.pause").map(|_| ())
    }

    /// The ETH balance of `who`.
    pub fn balance(&self, who: Address) -> U256 {
        self.db.basic_ref(who).ok().flatten().map_or(U256::ZERO, |a| a.balance)
    }

    /// A storage word of `who`.
    pub fn storage(&self, who: Address, slot: U256) -> U256 {
        self.db.storage_ref(who, slot).unwrap_or_default()
    }

    /// `provenWithdrawals[hash][submitter]` read from the portal proxy's storage at the slot the artifact's
    /// `storageLayout` gives (`keccak(submitter . keccak(hash . slot))`; `disputeGameProxy` in bytes 0-19,
    /// `timestamp` in bytes 20-27 of the word): `(game, timestamp)`.
    pub fn proven_withdrawal(&self, hash: B256, submitter: Address) -> Result<(Address, u64)> {
        let (base, _) = self.portal_artifact.slot("provenWithdrawals").map_err(|e| evm_err("storage layout", e))?;
        let inner = alloy_primitives::keccak256((hash, base).abi_encode());
        let slot = alloy_primitives::keccak256((submitter, inner).abi_encode());
        let word = self.storage(self.addresses.portal, slot.into()).to_be_bytes::<32>();
        let game = Address::from_slice(&word[12..32]);
        let ts = u64::from_be_bytes(word[4..12].try_into().expect("8 bytes"));
        Ok((game, ts))
    }

    /// `finalizedWithdrawals[hash]` from the portal proxy's storage (slot from the storage layout).
    pub fn finalized_withdrawal(&self, hash: B256) -> Result<bool> {
        let (base, _) = self.portal_artifact.slot("finalizedWithdrawals").map_err(|e| evm_err("storage layout", e))?;
        let slot = alloy_primitives::keccak256((hash, base).abi_encode());
        Ok(self.storage(self.addresses.portal, slot.into()) == U256::from(1))
    }

    /// The portal's `version()`.
    pub fn portal_version(&mut self) -> Result<String> {
        let portal = self.addresses.portal;
        self.view(portal, IPortal::versionCall {})
    }

    /// The setup it was deployed with.
    pub fn setup(&self) -> &PortalSetup {
        &self.setup
    }
}

/// What the real portal did with one of Rampart's proofs.
#[derive(Clone, Debug)]
pub struct PortalProve {
    /// The factory index of the game proposing the proof's output root (the calldata is re-pointed at it).
    pub game_index: U256,
    /// That game.
    pub game: Address,
    /// `proveWithdrawalTransaction`'s result.
    pub outcome: Outcome,
    /// `provenWithdrawals[hash][prover]` afterwards: (game, timestamp).
    pub proven: (Address, u64),
}

/// Rampart's `proveWithdrawalTransaction` calldata through the real portal: a [`PortalEvm`] deployed with the
/// deployed parameters (`GameConfig::op_mainnet` for CANNON_KONA with the dataset's chain id, 7-day proof
/// maturity, 3.5-day finality delay, the dataset's block 0 as anchor) in which each proof's output root is
/// proposed for its block by a factory game, and the proof is submitted against it.
#[derive(Debug)]
pub struct PortalProver {
    evm: PortalEvm,
    games: std::collections::BTreeMap<(B256, u64), (U256, Address)>,
}

/// Who submits the proofs in [`PortalProver`].
pub const PROVER: Address = Address::new([0x9e; 20]);

impl PortalProver {
    /// Deploys the portal for `data`.
    pub fn new(artifacts: &Artifacts, data: &crate::DevnetData) -> Result<Self> {
        let mut game = GameConfig::op_mainnet(rampart_game::GameType::CANNON_KONA, B256::ZERO);
        game.l2_chain_id = data.chain_id;
        let anchor = data.output_at(0).ok_or_else(|| AgentError::Dataset("no output root for block 0".into()))?;
        let registry = rampart_game::AnchorStateRegistry::new(anchor, 0, game.game_type);
        let setup = PortalSetup {
            game,
            proof_maturity_delay: crate::withdrawal::PROOF_MATURITY_DELAY,
            finality_delay: registry.finality_delay,
            anchor: (anchor, 0),
            start_time: 1_700_000_000,
            other_game_types: Vec::new(),
        };
        Ok(Self { evm: PortalEvm::deploy(artifacts, setup)?, games: Default::default() })
    }

    /// The portal's `version()`.
    pub fn version(&mut self) -> Result<String> {
        self.evm.portal_version()
    }

    /// Proposes `p.output_root` for `p.l2_block` (once per root and block), then submits `p`'s calldata,
    /// re-pointed at that game, from [`PROVER`] 12 s later.
    pub fn prove(&mut self, p: &crate::withdrawal::WithdrawalProof) -> Result<PortalProve> {
        let key = (p.output_root, p.l2_block);
        let (game_index, game) = match self.games.get(&key) {
            Some(g) => *g,
            None => {
                let ty = self.evm.setup().game.game_type.0;
                let g = self.evm.create_game(Address::new([0xee; 20]), ty, p.output_root, p.l2_block)?;
                self.games.insert(key, g);
                g
            }
        };
        let mut call = crate::withdrawal::proveWithdrawalTransactionCall::abi_decode(&p.calldata)
            .map_err(|e| evm_err("calldata", e))?;
        call._disputeGameIndex = game_index;
        self.evm.warp(12);
        let outcome = self.evm.prove(PROVER, &call.abi_encode(), true)?;
        let proven = self.evm.proven_withdrawal(p.withdrawal.hash, PROVER)?;
        Ok(PortalProve { game_index, game, outcome, proven })
    }
}
