//! Network-upgrade transactions: the deposits a fork's activation block carries after its user deposits
//! (op-node `*_upgrade_transactions.go`, `upgrade_transaction.go`; specs `<fork>/derivation.md`).
//!
//! Contract bytecodes are data, in `src/upgrades/data/` as hex, taken from the optimism monorepo v1.19.6
//! (`op-node/rollup/derive`, MIT): the Ecotone, Fjord, Isthmus and Jovian creation codes, and Karst's network
//! upgrade transaction (NUT) bundle `op-core/nuts/bundles/karst_nut_bundle.json` (version 1.0.0), flattened to
//! one `intent|from|to|gasLimit|data` line per transaction.

use alloc::vec::Vec;
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{address, keccak256, Address, Bytes, TxKind, U256};
use op_alloy_consensus::TxDeposit;

use crate::{
    deposit::DepositSource,
    predeploys::{
        EIP2935_DEPLOYER, EIP4788_DEPLOYER, GAS_PRICE_ORACLE, L1_BLOCK, L1_INFO_DEPOSITOR, OPERATOR_FEE_VAULT,
    },
};

/// The forks that carry upgrade transactions in their activation block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UpgradeFork {
    /// Ecotone: new L1Block and GasPriceOracle, `setEcotone()`, the EIP-4788 beacon roots contract (6 txs).
    Ecotone,
    /// Fjord: new GasPriceOracle, `setFjord()` (3 txs).
    Fjord,
    /// Isthmus: new L1Block, GasPriceOracle and OperatorFeeVault, `setIsthmus()`, EIP-2935 (8 txs).
    Isthmus,
    /// Jovian: new L1Block (DA footprint) and GasPriceOracle (operator fee fix), `setJovian()` (5 txs).
    Jovian,
    /// Karst: the NUT bundle of 31 transactions (L2ContractsManager upgrade of the predeploys).
    Karst,
}

impl UpgradeFork {
    /// All of them, in activation order (an activation block of several forks carries them in this order).
    pub const ALL: [Self; 5] = [Self::Ecotone, Self::Fjord, Self::Isthmus, Self::Jovian, Self::Karst];
}

fn hex_data(text: &str) -> Bytes {
    Bytes::from(alloy_primitives::hex::decode(text.trim()).expect("bundled upgrade data is valid hex"))
}

/// `upgradeTo(address)` calldata.
fn upgrade_to(implementation: Address) -> Bytes {
    let mut out = Vec::with_capacity(36);
    out.extend_from_slice(&keccak256("upgradeTo(address)")[..4]);
    out.extend_from_slice(implementation.into_word().as_slice());
    out.into()
}

/// Calldata of a no-argument call.
fn call0(signature: &str) -> Bytes {
    Bytes::copy_from_slice(&keccak256(signature.as_bytes())[..4])
}

fn deposit(intent: &str, from: Address, to: TxKind, gas_limit: u64, input: Bytes) -> TxDeposit {
    TxDeposit {
        source_hash: DepositSource::Upgrade { intent }.source_hash(),
        from,
        to,
        mint: 0,
        value: U256::ZERO,
        gas_limit,
        is_system_transaction: false,
        input,
    }
}

/// Deployment by a dedicated deployer with nonce 0, then the proxy at `proxy` pointed at the new address.
fn deploy_and_upgrade(
    fork: &str,
    name: &str,
    deployer: Address,
    gas: u64,
    code: &str,
    proxy: Address,
) -> [TxDeposit; 2] {
    let implementation = deployer.create(0);
    [
        deposit(&alloc::format!("{fork}: {name} Deployment"), deployer, TxKind::Create, gas, hex_data(code)),
        deposit(
            &alloc::format!("{fork}: {name} Proxy Update"),
            Address::ZERO,
            TxKind::Call(proxy),
            50_000,
            upgrade_to(implementation),
        ),
    ]
}

const KARST_BUNDLE: &str = include_str!("upgrades/data/karst-nut-bundle.txt");

/// Karst's bundle transactions. Intents are qualified as `"Karst <index>: <intent>"`, which is what the source
/// hash commits to (op-node `toDepositTransactions`).
fn karst() -> Vec<TxDeposit> {
    KARST_BUNDLE
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let mut f = line.split('|');
            let (intent, from, to, gas, data) = (
                f.next().expect("intent"),
                f.next().expect("from"),
                f.next().expect("to"),
                f.next().expect("gas"),
                f.next().expect("data"),
            );
            let addr = |s: &str| Address::from_slice(&alloy_primitives::hex::decode(s).expect("address hex"));
            let to = if to.is_empty() { TxKind::Create } else { TxKind::Call(addr(to)) };
            deposit(
                &alloc::format!("Karst {i}: {intent}"),
                addr(from),
                to,
                gas.parse().expect("gas limit"),
                hex_data(data),
            )
        })
        .collect()
}

/// The upgrade transactions of `fork`'s activation block, in order.
pub fn upgrade_transactions(fork: UpgradeFork) -> Vec<TxDeposit> {
    let gpo = GAS_PRICE_ORACLE;
    match fork {
        UpgradeFork::Ecotone => {
            let [l1b, l1b_up] = deploy_and_upgrade(
                "Ecotone",
                "L1 Block",
                address!("4210000000000000000000000000000000000000"),
                375_000,
                include_str!("upgrades/data/ecotone-l1block.hex"),
                L1_BLOCK,
            );
            let [gpo_d, gpo_up] = deploy_and_upgrade(
                "Ecotone",
                "Gas Price Oracle",
                address!("4210000000000000000000000000000000000001"),
                1_000_000,
                include_str!("upgrades/data/ecotone-gpo.hex"),
                gpo,
            );
            alloc::vec![
                l1b,
                gpo_d,
                l1b_up,
                gpo_up,
                deposit(
                    "Ecotone: Gas Price Oracle Set Ecotone",
                    L1_INFO_DEPOSITOR,
                    TxKind::Call(gpo),
                    80_000,
                    call0("setEcotone()")
                ),
                deposit(
                    "Ecotone: beacon block roots contract deployment",
                    EIP4788_DEPLOYER,
                    TxKind::Create,
                    0x3d090,
                    hex_data(include_str!("upgrades/data/ecotone-eip4788.hex")),
                ),
            ]
        }
        UpgradeFork::Fjord => {
            let [d, up] = deploy_and_upgrade(
                "Fjord",
                "Gas Price Oracle",
                address!("4210000000000000000000000000000000000002"),
                1_450_000,
                include_str!("upgrades/data/fjord-gpo.hex"),
                gpo,
            );
            alloc::vec![
                d,
                up,
                deposit(
                    "Fjord: Gas Price Oracle Set Fjord",
                    L1_INFO_DEPOSITOR,
                    TxKind::Call(gpo),
                    90_000,
                    call0("setFjord()")
                )
            ]
        }
        UpgradeFork::Isthmus => {
            let [l1b, l1b_up] = deploy_and_upgrade(
                "Isthmus",
                "L1 Block",
                address!("4210000000000000000000000000000000000003"),
                425_000,
                include_str!("upgrades/data/isthmus-l1block.hex"),
                L1_BLOCK,
            );
            let [gpo_d, gpo_up] = deploy_and_upgrade(
                "Isthmus",
                "Gas Price Oracle",
                address!("4210000000000000000000000000000000000004"),
                1_625_000,
                include_str!("upgrades/data/isthmus-gpo.hex"),
                gpo,
            );
            let [vault, vault_up] = deploy_and_upgrade(
                "Isthmus",
                "Operator Fee Vault",
                address!("4210000000000000000000000000000000000005"),
                500_000,
                include_str!("upgrades/data/isthmus-operator-fee-vault.hex"),
                OPERATOR_FEE_VAULT,
            );
            alloc::vec![
                l1b,
                gpo_d,
                vault,
                l1b_up,
                gpo_up,
                vault_up,
                deposit(
                    "Isthmus: Gas Price Oracle Set Isthmus",
                    L1_INFO_DEPOSITOR,
                    TxKind::Call(gpo),
                    90_000,
                    call0("setIsthmus()")
                ),
                deposit(
                    "Isthmus: EIP-2935 Contract Deployment",
                    EIP2935_DEPLOYER,
                    TxKind::Create,
                    250_000,
                    hex_data(include_str!("upgrades/data/isthmus-eip2935.hex")),
                ),
            ]
        }
        UpgradeFork::Jovian => {
            let [l1b, l1b_up] = deploy_and_upgrade(
                "Jovian",
                "L1 Block",
                address!("4210000000000000000000000000000000000006"),
                447_315,
                include_str!("upgrades/data/jovian-l1block.hex"),
                L1_BLOCK,
            );
            let [gpo_d, gpo_up] = deploy_and_upgrade(
                "Jovian",
                "Gas Price Oracle",
                address!("4210000000000000000000000000000000000007"),
                1_750_714,
                include_str!("upgrades/data/jovian-gpo.hex"),
                gpo,
            );
            alloc::vec![
                l1b,
                l1b_up,
                gpo_d,
                gpo_up,
                deposit(
                    "Jovian: Gas Price Oracle Set Jovian",
                    L1_INFO_DEPOSITOR,
                    TxKind::Call(gpo),
                    90_000,
                    call0("setJovian()")
                ),
            ]
        }
        UpgradeFork::Karst => karst(),
    }
}

/// The gas a fork's activation block adds to its gas limit for its upgrade transactions: 0 before Karst, the
/// bundle's total gas from Karst on (55 370 657; op-node `UpgradeGas`).
pub fn upgrade_gas(fork: UpgradeFork) -> u64 {
    match fork {
        UpgradeFork::Karst => upgrade_transactions(fork).iter().map(|t| t.gas_limit).sum(),
        _ => 0,
    }
}

/// The upgrade transactions of `fork`, each as its EIP-2718 envelope bytes (what payload attributes carry).
pub fn encoded_upgrade_transactions(fork: UpgradeFork) -> Vec<Bytes> {
    upgrade_transactions(fork).iter().map(|t| Bytes::from(t.encoded_2718())).collect()
}
