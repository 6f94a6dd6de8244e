//! Precompiles of the OP EVM for block building, and their acceleration through a precompile oracle.
//!
//! * [`RampartEvmFactory`] creates op-revm EVMs (`alloy-op-evm`'s `OpEvm`) whose precompile set is op-revm's for
//!   the fork, with the deployed Karst rule op-revm 20.0.0 on crates.io lacks (bn254 pairing input limited to
//!   57 600 bytes = 300 pairs, as the monorepo v1.19.6 op-revm `bn254_pair::KARST`), and, when given a
//!   [`PrecompileOracle`], with the accelerated precompiles of kona-client answered by it.
//! * Accelerated set by fork (kona-client `fpvm_evm/precompiles/provider.rs`, monorepo v1.19.6): ecrecover and
//!   bn254 pairing from Bedrock, KZG point evaluation from Ecotone, the Granite pairing input limit (112 687
//!   bytes), the seven BLS12-381 precompiles from Isthmus (MSM and pairing input limits), the Jovian limits
//!   (pairing 81 984, G1 MSM 288 960, G2 MSM 278 784, BLS pairing 156 672 bytes) and the Karst pairing limit.
//! * Gas: each accelerated precompile checks its input limit, length and the gas it charges *before* asking the
//!   oracle, and charges exactly what the EVM precompile charges. The gas in the oracle call (and so in the
//!   preimage key) is what the call needs on L1, where the on-chain PreimageOracle re-runs it: for most
//!   precompiles the same figure, but the bn254 pairing (34 103 per pair + 45 000), KZG point evaluation
//!   (89 363), BLS12-381 G1 add (643) and G2 add (765) use the EIP-7904 L1 prices, as kona-client does.
//! * Failure: an oracle answer with status 0 makes the call halt (all its gas consumed), as the failing EVM
//!   precompile does; for ecrecover it is an empty output instead (kona-client). An oracle that cannot answer
//!   at all aborts block building with that error (kona-client would instead turn it into a failed call).
//!
//! The oracle value format (kona's): status byte (1 success, 0 failure) ‖ output; the key is keccak256 of
//! [`PrecompileCall::preimage`] with key type 6. [`run`] computes the value natively (for a host answering
//! `l1-precompile` hints and for recording fixtures), with the same pure-Rust crates the guest uses.

use crate::Error;
use alloc::{format, sync::Arc, vec::Vec};
use alloy_evm::{
    precompiles::{DynPrecompile, PrecompilesMap},
    Database, EvmEnv, EvmFactory,
};
use alloy_op_evm::{OpEvm, OpEvmContext, OpEvmFactory, OpTx};
use alloy_primitives::{keccak256, Address, Bytes, B256};
use op_revm::{OpHaltReason, OpSpecId};
use revm::{
    context::{result::EVMError, BlockEnv},
    inspector::NoOpInspector,
    precompile::{
        bls12_381, bls12_381_const as bls, bls12_381_utils::msm_required_gas, bn254, kzg_point_evaluation, secp256k1,
        EthPrecompileOutput, EthPrecompileResult, PrecompileError, PrecompileHalt, PrecompileId, PrecompileOutput,
        PrecompileResult,
    },
    Inspector,
};

/// ecrecover (0x01).
pub const ECRECOVER: Address = revm::precompile::u64_to_address(1);
/// bn254 pairing (0x08).
pub const BN254_PAIRING: Address = bn254::pair::ADDRESS;
/// KZG point evaluation (0x0a).
pub const KZG_POINT_EVALUATION: Address = kzg_point_evaluation::ADDRESS;

/// bn254 pairing input limit from Granite (bytes).
pub const BN254_PAIRING_MAX_INPUT_GRANITE: usize = 112_687;
/// bn254 pairing input limit from Jovian (427 pairs).
pub const BN254_PAIRING_MAX_INPUT_JOVIAN: usize = 81_984;
/// bn254 pairing input limit from Karst (300 pairs).
pub const BN254_PAIRING_MAX_INPUT_KARST: usize = 57_600;
/// BLS12-381 G1 MSM input limits (Isthmus, Jovian).
pub const BLS_G1_MSM_MAX_INPUT: [usize; 2] = [513_760, 288_960];
/// BLS12-381 G2 MSM input limits (Isthmus, Jovian).
pub const BLS_G2_MSM_MAX_INPUT: [usize; 2] = [488_448, 278_784];
/// BLS12-381 pairing input limits (Isthmus, Jovian).
pub const BLS_PAIRING_MAX_INPUT: [usize; 2] = [235_008, 156_672];

/// L1 (EIP-7904) gas figures that go into the oracle call where they differ from the L2 charge.
const ORACLE_PAIR_PER_POINT: u64 = 34_103;
const ORACLE_KZG_GAS: u64 = 89_363;
const ORACLE_G1_ADD_GAS: u64 = 643;
const ORACLE_G2_ADD_GAS: u64 = 765;
const ECRECOVER_GAS: u64 = 3_000;

/// One accelerated precompile call as it goes to the oracle: `address ‖ gas (u64 BE) ‖ input`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrecompileCall<'a> {
    /// Precompile address.
    pub address: Address,
    /// Gas the call is run with (the L1 figure, see the module docs).
    pub gas: u64,
    /// Call input.
    pub input: &'a [u8],
}

impl PrecompileCall<'_> {
    /// `address ‖ gas u64 BE ‖ input`: the `l1-precompile` hint payload, whose keccak256 is the key.
    pub fn preimage(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(28 + self.input.len());
        v.extend_from_slice(self.address.as_slice());
        v.extend_from_slice(&self.gas.to_be_bytes());
        v.extend_from_slice(self.input);
        v
    }

    /// keccak256 of [`Self::preimage`]; the type-6 key is this hash with byte 0 replaced by 6.
    pub fn key_hash(&self) -> B256 {
        keccak256(self.preimage())
    }

    /// Parses a hint payload back into a call (`None` if shorter than 28 bytes).
    pub fn parse(payload: &[u8]) -> Option<PrecompileCall<'_>> {
        if payload.len() < 28 {
            return None;
        }
        let mut gas = [0u8; 8];
        gas.copy_from_slice(&payload[20..28]);
        Some(PrecompileCall {
            address: Address::from_slice(&payload[..20]),
            gas: u64::from_be_bytes(gas),
            input: &payload[28..],
        })
    }
}

/// Encodes an oracle value: status byte ‖ output.
pub fn encode_answer(success: bool, output: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(1 + output.len());
    v.push(success as u8);
    v.extend_from_slice(output);
    v
}

/// Decodes an oracle value: `Some(output)` for status 1, `None` for status 0; anything else is an error.
pub fn decode_answer(value: &[u8]) -> Result<Option<Vec<u8>>, Error> {
    match value.split_first() {
        Some((1, out)) => Ok(Some(out.to_vec())),
        Some((0, _)) => Ok(None),
        Some((s, _)) => Err(Error::Precompile(format!("oracle answer has status byte {s} (not 0 or 1)"))),
        None => Err(Error::Precompile("empty oracle answer".into())),
    }
}

/// Answers accelerated precompile calls. The fault-proof program implements it over the preimage oracle (hint
/// `l1-precompile` with [`PrecompileCall::preimage`], then the type-6 key of [`PrecompileCall::key_hash`],
/// decoded with [`decode_answer`]); tests implement it with [`run`].
pub trait PrecompileOracle: Send + Sync {
    /// `Ok(Some(output))` if the precompile succeeded, `Ok(None)` if it failed, `Err` if there is no answer.
    fn call(&self, call: &PrecompileCall<'_>) -> Result<Option<Vec<u8>>, Error>;
}

/// The precompiles the host answers, run natively (plain EVM precompiles, no OP input limits: the on-chain
/// PreimageOracle runs them on L1): `Ok((success, output))`, or an error if `address` is not accelerated.
pub fn run(address: Address, gas: u64, input: &[u8]) -> Result<(bool, Vec<u8>), Error> {
    let p = match address {
        ECRECOVER => secp256k1::ECRECOVER,
        BN254_PAIRING => bn254::pair::ISTANBUL,
        KZG_POINT_EVALUATION => kzg_point_evaluation::POINT_EVALUATION,
        bls::G1_ADD_ADDRESS => bls12_381::g1_add::PRECOMPILE,
        bls::G1_MSM_ADDRESS => bls12_381::g1_msm::PRECOMPILE,
        bls::G2_ADD_ADDRESS => bls12_381::g2_add::PRECOMPILE,
        bls::G2_MSM_ADDRESS => bls12_381::g2_msm::PRECOMPILE,
        bls::PAIRING_ADDRESS => bls12_381::pairing::PRECOMPILE,
        bls::MAP_FP_TO_G1_ADDRESS => bls12_381::map_fp_to_g1::PRECOMPILE,
        bls::MAP_FP2_TO_G2_ADDRESS => bls12_381::map_fp2_to_g2::PRECOMPILE,
        _ => return Err(Error::Precompile(format!("{address} is not an accelerated precompile"))),
    };
    let out = p.execute(input, gas, 0).map_err(|e| Error::Precompile(format!("{address}: {e}")))?;
    Ok(if out.is_success() { (true, out.bytes.to_vec()) } else { (false, Vec::new()) })
}

/// Whether `address` is accelerated at `spec`.
pub fn is_accelerated(spec: OpSpecId, address: Address) -> bool {
    accelerated_addresses(spec).contains(&address)
}

fn accelerated_addresses(spec: OpSpecId) -> &'static [Address] {
    const BEDROCK: &[Address] = &[ECRECOVER, BN254_PAIRING];
    const ECOTONE: &[Address] = &[ECRECOVER, BN254_PAIRING, KZG_POINT_EVALUATION];
    const ISTHMUS: &[Address] = &[
        ECRECOVER,
        BN254_PAIRING,
        KZG_POINT_EVALUATION,
        bls::G1_ADD_ADDRESS,
        bls::G1_MSM_ADDRESS,
        bls::G2_ADD_ADDRESS,
        bls::G2_MSM_ADDRESS,
        bls::PAIRING_ADDRESS,
        bls::MAP_FP_TO_G1_ADDRESS,
        bls::MAP_FP2_TO_G2_ADDRESS,
    ];
    if spec.is_enabled_in(OpSpecId::ISTHMUS) {
        ISTHMUS
    } else if spec.is_enabled_in(OpSpecId::ECOTONE) {
        ECOTONE
    } else {
        BEDROCK
    }
}

fn bn254_pairing_limit(spec: OpSpecId) -> Option<usize> {
    if spec.is_enabled_in(OpSpecId::KARST) {
        Some(BN254_PAIRING_MAX_INPUT_KARST)
    } else if spec.is_enabled_in(OpSpecId::JOVIAN) {
        Some(BN254_PAIRING_MAX_INPUT_JOVIAN)
    } else if spec.is_enabled_in(OpSpecId::GRANITE) {
        Some(BN254_PAIRING_MAX_INPUT_GRANITE)
    } else {
        None
    }
}

/// Index 0 (Isthmus) or 1 (Jovian and later) into the BLS12-381 limit tables.
fn bls_limits(spec: OpSpecId) -> usize {
    spec.is_enabled_in(OpSpecId::JOVIAN) as usize
}

fn halt(reason: &'static str) -> PrecompileHalt {
    PrecompileHalt::other_static(reason)
}

/// Asks the oracle; `Ok(None)` for a failed precompile, `Err` (fatal) when it cannot answer.
fn ask(
    oracle: &dyn PrecompileOracle,
    address: Address,
    gas: u64,
    input: &[u8],
) -> Result<Option<Vec<u8>>, PrecompileError> {
    oracle
        .call(&PrecompileCall { address, gas, input })
        .map_err(|e| PrecompileError::Fatal(format!("accelerated precompile {address}: {e}")))
}

/// The charge and outcome of an accelerated call, given what the oracle said (`None` = failed).
fn finish(gas_used: u64, answer: Option<Vec<u8>>) -> EthPrecompileResult {
    match answer {
        Some(out) => Ok(EthPrecompileOutput::new(gas_used, Bytes::from(out))),
        None => Err(halt("precompile failed (oracle status 0)")),
    }
}

/// Runs accelerated precompile `address` at `spec`: the checks kona-client makes before asking, then the oracle.
/// The outer `Result` is fatal (no answer); the inner one the EVM-visible outcome.
pub fn run_accelerated(
    spec: OpSpecId,
    address: Address,
    input: &[u8],
    gas_limit: u64,
    oracle: &dyn PrecompileOracle,
) -> Result<EthPrecompileResult, PrecompileError> {
    let len = input.len();
    let l = bls_limits(spec);
    Ok(match address {
        ECRECOVER => {
            if gas_limit < ECRECOVER_GAS {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            let out = ask(oracle, ECRECOVER, ECRECOVER_GAS, &input[..len.min(128)])?;
            Ok(EthPrecompileOutput::new(ECRECOVER_GAS, Bytes::from(out.unwrap_or_default())))
        }
        BN254_PAIRING => {
            if bn254_pairing_limit(spec).is_some_and(|max| len > max) {
                return Ok(Err(PrecompileHalt::Bn254PairLength));
            }
            let pairs = (len / bn254::PAIR_ELEMENT_LEN) as u64;
            let gas_used = pairs * bn254::pair::ISTANBUL_PAIR_PER_POINT + bn254::pair::ISTANBUL_PAIR_BASE;
            if gas_used > gas_limit {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            if !len.is_multiple_of(bn254::PAIR_ELEMENT_LEN) {
                return Ok(Err(PrecompileHalt::Bn254PairLength));
            }
            let oracle_gas = pairs * ORACLE_PAIR_PER_POINT + bn254::pair::ISTANBUL_PAIR_BASE;
            finish(gas_used, ask(oracle, address, oracle_gas, input)?)
        }
        KZG_POINT_EVALUATION => {
            if gas_limit < kzg_point_evaluation::GAS_COST {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            if len != 192 {
                return Ok(Err(PrecompileHalt::BlobInvalidInputLength));
            }
            finish(kzg_point_evaluation::GAS_COST, ask(oracle, address, ORACLE_KZG_GAS, input)?)
        }
        bls::G1_ADD_ADDRESS | bls::G2_ADD_ADDRESS | bls::MAP_FP_TO_G1_ADDRESS | bls::MAP_FP2_TO_G2_ADDRESS => {
            let (gas, expected_len, oracle_gas) = match address {
                bls::G1_ADD_ADDRESS => (bls::G1_ADD_BASE_GAS_FEE, bls::G1_ADD_INPUT_LENGTH, ORACLE_G1_ADD_GAS),
                bls::G2_ADD_ADDRESS => (bls::G2_ADD_BASE_GAS_FEE, bls::G2_ADD_INPUT_LENGTH, ORACLE_G2_ADD_GAS),
                bls::MAP_FP_TO_G1_ADDRESS => {
                    (bls::MAP_FP_TO_G1_BASE_GAS_FEE, bls::PADDED_FP_LENGTH, bls::MAP_FP_TO_G1_BASE_GAS_FEE)
                }
                _ => (bls::MAP_FP2_TO_G2_BASE_GAS_FEE, bls::PADDED_FP2_LENGTH, bls::MAP_FP2_TO_G2_BASE_GAS_FEE),
            };
            if gas > gas_limit {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            if len != expected_len {
                return Ok(Err(halt("BLS12-381 input length")));
            }
            finish(gas, ask(oracle, address, oracle_gas, input)?)
        }
        bls::G1_MSM_ADDRESS | bls::G2_MSM_ADDRESS => {
            let (max, unit, table, base) = if address == bls::G1_MSM_ADDRESS {
                (
                    BLS_G1_MSM_MAX_INPUT[l],
                    bls::G1_MSM_INPUT_LENGTH,
                    &bls::DISCOUNT_TABLE_G1_MSM,
                    bls::G1_MSM_BASE_GAS_FEE,
                )
            } else {
                (
                    BLS_G2_MSM_MAX_INPUT[l],
                    bls::G2_MSM_INPUT_LENGTH,
                    &bls::DISCOUNT_TABLE_G2_MSM,
                    bls::G2_MSM_BASE_GAS_FEE,
                )
            };
            if len > max {
                return Ok(Err(halt("BLS12-381 MSM input too long for the OP Stack limit")));
            }
            if len == 0 || !len.is_multiple_of(unit) {
                return Ok(Err(halt("BLS12-381 MSM input length")));
            }
            let required = msm_required_gas(len / unit, table, base);
            if required > gas_limit {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            finish(required, ask(oracle, address, required, input)?)
        }
        bls::PAIRING_ADDRESS => {
            if len > BLS_PAIRING_MAX_INPUT[l] {
                return Ok(Err(halt("BLS12-381 pairing input too long for the OP Stack limit")));
            }
            if !len.is_multiple_of(bls::PAIRING_INPUT_LENGTH) {
                return Ok(Err(halt("BLS12-381 pairing input length")));
            }
            let k = (len / bls::PAIRING_INPUT_LENGTH) as u64;
            let required = bls::PAIRING_MULTIPLIER_BASE * k + bls::PAIRING_OFFSET_BASE;
            if required > gas_limit {
                return Ok(Err(PrecompileHalt::OutOfGas));
            }
            finish(required, ask(oracle, address, required, input)?)
        }
        _ => return Err(PrecompileError::Fatal(format!("{address} is not an accelerated precompile"))),
    })
}

/// The bn254 pairing with the Karst input limit (the EVM precompile, not accelerated).
fn karst_bn254_pairing(input: &[u8], gas_limit: u64) -> EthPrecompileResult {
    if input.len() > BN254_PAIRING_MAX_INPUT_KARST {
        return Err(PrecompileHalt::Bn254PairLength);
    }
    bn254::run_pair(input, bn254::pair::ISTANBUL_PAIR_PER_POINT, bn254::pair::ISTANBUL_PAIR_BASE, gas_limit)
}

fn precompile_id(address: Address) -> PrecompileId {
    match address {
        ECRECOVER => PrecompileId::EcRec,
        BN254_PAIRING => PrecompileId::Bn254Pairing,
        KZG_POINT_EVALUATION => PrecompileId::KzgPointEvaluation,
        bls::G1_ADD_ADDRESS => PrecompileId::Bls12G1Add,
        bls::G1_MSM_ADDRESS => PrecompileId::Bls12G1Msm,
        bls::G2_ADD_ADDRESS => PrecompileId::Bls12G2Add,
        bls::G2_MSM_ADDRESS => PrecompileId::Bls12G2Msm,
        bls::PAIRING_ADDRESS => PrecompileId::Bls12Pairing,
        bls::MAP_FP_TO_G1_ADDRESS => PrecompileId::Bls12MapFpToGp1,
        _ => PrecompileId::Bls12MapFp2ToGp2,
    }
}

/// Installs the fork's rule fixes and, with an oracle, the accelerated precompiles into `map`.
pub fn install(map: &mut PrecompilesMap, spec: OpSpecId, oracle: Option<&Arc<dyn PrecompileOracle>>) {
    if spec.is_enabled_in(OpSpecId::KARST) {
        map.apply_precompile(&BN254_PAIRING, |_| {
            Some(DynPrecompile::new(PrecompileId::Bn254Pairing, |input| {
                Ok(PrecompileOutput::from_eth_result(karst_bn254_pairing(input.data, input.gas), input.reservoir))
            }))
        });
    }
    let Some(oracle) = oracle else { return };
    for &address in accelerated_addresses(spec) {
        let oracle = Arc::clone(oracle);
        map.apply_precompile(&address, move |_| {
            Some(DynPrecompile::new(precompile_id(address), move |input| -> PrecompileResult {
                let r = run_accelerated(spec, address, input.data, input.gas, &*oracle)?;
                Ok(PrecompileOutput::from_eth_result(r, input.reservoir))
            }))
        });
    }
}

/// `alloy-op-evm`'s `OpEvmFactory` with Rampart's precompile set: the Karst pairing limit, and the accelerated
/// precompiles when an oracle is given.
#[derive(Clone, Default)]
pub struct RampartEvmFactory {
    oracle: Option<Arc<dyn PrecompileOracle>>,
}

impl core::fmt::Debug for RampartEvmFactory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RampartEvmFactory").field("accelerated", &self.oracle.is_some()).finish()
    }
}

impl RampartEvmFactory {
    /// A factory whose EVMs answer the accelerated precompiles through `oracle` (or run them all, if `None`).
    pub fn new(oracle: Option<Arc<dyn PrecompileOracle>>) -> Self {
        Self { oracle }
    }
}

impl EvmFactory for RampartEvmFactory {
    type Evm<DB: Database, I: Inspector<OpEvmContext<DB>>> = OpEvm<DB, I, PrecompilesMap, OpTx>;
    type Context<DB: Database> = OpEvmContext<DB>;
    type Tx = OpTx;
    type Error<DBError: core::error::Error + Send + Sync + 'static> = EVMError<DBError, alloy_op_evm::OpTxError>;
    type HaltReason = OpHaltReason;
    type Spec = OpSpecId;
    type BlockEnv = BlockEnv;
    type Precompiles = PrecompilesMap;

    fn create_evm<DB: Database>(&self, db: DB, input: EvmEnv<OpSpecId, BlockEnv>) -> Self::Evm<DB, NoOpInspector> {
        let spec = input.cfg_env.spec;
        let mut evm = OpEvmFactory::<OpTx>::default().create_evm(db, input);
        install(alloy_evm::Evm::precompiles_mut(&mut evm), spec, self.oracle.as_ref());
        evm
    }

    fn create_evm_with_inspector<DB: Database, I: Inspector<Self::Context<DB>>>(
        &self,
        db: DB,
        input: EvmEnv<OpSpecId, BlockEnv>,
        inspector: I,
    ) -> Self::Evm<DB, I> {
        let spec = input.cfg_env.spec;
        let mut evm = OpEvmFactory::<OpTx>::default().create_evm_with_inspector(db, input, inspector);
        install(alloy_evm::Evm::precompiles_mut(&mut evm), spec, self.oracle.as_ref());
        evm
    }
}

/// A [`PrecompileOracle`] that computes every answer with [`run`] (natively; what an honest host serves).
#[derive(Debug, Clone, Copy, Default)]
pub struct NativePrecompiles;

impl PrecompileOracle for NativePrecompiles {
    fn call(&self, call: &PrecompileCall<'_>) -> Result<Option<Vec<u8>>, Error> {
        let (ok, out) = run(call.address, call.gas, call.input)?;
        Ok(ok.then_some(out))
    }
}

/// A [`PrecompileOracle`] that records every call it answers (with [`run`]): the preimages a fixture export
/// must carry so the guest can run accelerated.
#[cfg(feature = "std")]
#[derive(Debug, Default)]
pub struct RecordingPrecompiles {
    calls: std::sync::Mutex<RecordedCalls>,
}

/// Recorded precompile calls by key hash: `(hint payload, oracle value)`.
pub type RecordedCalls = alloc::collections::BTreeMap<B256, (Vec<u8>, Vec<u8>)>;

#[cfg(feature = "std")]
impl RecordingPrecompiles {
    /// The recorded calls, by key hash: `(hint payload, oracle value)`.
    pub fn take(&self) -> RecordedCalls {
        core::mem::take(&mut *self.calls.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

#[cfg(feature = "std")]
impl PrecompileOracle for RecordingPrecompiles {
    fn call(&self, call: &PrecompileCall<'_>) -> Result<Option<Vec<u8>>, Error> {
        let (ok, out) = run(call.address, call.gas, call.input)?;
        let mut calls = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        calls.insert(call.key_hash(), (call.preimage(), encode_answer(ok, &out)));
        Ok(ok.then_some(out))
    }
}
