//! A generator of synthetic OP chains for the executor's tests: a genesis state with funded accounts, the
//! predeploys block building touches (L1Block storage with fee parameters, L2ToL1MessagePasser, the EIP-4788 and
//! EIP-2935 system contracts) and a few test contracts, then blocks of random transactions (transfers of every
//! signed type, contract creation, storage writes and deletions, precompile calls with valid and invalid inputs,
//! reverts, logs, self-destructs, user deposits) after an L1-info deposit, built with `rampart-executor`.

#![allow(dead_code, unreachable_pub, missing_docs)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxLegacy};
use alloy_eips::{eip2930::AccessList, eip2930::AccessListItem, Encodable2718};
use alloy_primitives::{address, keccak256, Address, Bytes, Signature, TxKind, B256, B64, U256};
use k256::ecdsa::SigningKey;
use op_alloy_consensus::{OpTxEnvelope, TxDeposit};
use op_alloy_rpc_types_engine::OpPayloadAttributes;
use rampart_executor::{
    build_block_with, BlockOutcome, BuildOptions, ChainConfig, Error, ForkTimes, Header, PreimageStore,
};
use rampart_mpt::{NoopProvider, Trie};

/// splitmix64: a small deterministic generator.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub fn word(&mut self) -> [u8; 32] {
        let mut w = [0u8; 32];
        for c in w.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_be_bytes());
        }
        w
    }
}

pub const L1_BLOCK: Address = address!("4200000000000000000000000000000000000015");
pub const MESSAGE_PASSER: Address = address!("4200000000000000000000000000000000000016");
pub const DEPOSITOR: Address = address!("deaddeaddeaddeaddeaddeaddeaddeaddead0001");
/// SSTORE(calldata[0..32], calldata[32..64]).
pub const WRITER: Address = address!("00000000000000000000000000000000000c0001");
/// REVERT(0, 0).
pub const REVERTER: Address = address!("00000000000000000000000000000000000c0002");
/// CALL(gas, calldata[0..32], 0, calldata[32..]) and store (success, first output word) in slots 1 and 2.
pub const CALLER: Address = address!("00000000000000000000000000000000000c0003");
/// CREATE with the calldata as init code; stores the new address in slot 0.
pub const CREATOR: Address = address!("00000000000000000000000000000000000c0004");
/// SELFDESTRUCT(caller).
pub const DESTRUCTOR: Address = address!("00000000000000000000000000000000000c0005");
/// Stores BLOCKHASH(number - 1) in slot 0 and logs the calldata under topic 0xaa.
pub const LOGGER: Address = address!("00000000000000000000000000000000000c0006");

pub const WRITER_CODE: &[u8] = &[0x60, 0x20, 0x35, 0x60, 0x00, 0x35, 0x55, 0x00];
pub const REVERTER_CODE: &[u8] = &[0x60, 0x00, 0x60, 0x00, 0xfd];
pub const CALLER_CODE: &[u8] = &[
    0x36, 0x60, 0x20, 0x90, 0x03, // size = calldatasize - 32
    0x80, 0x60, 0x20, 0x60, 0x00, 0x37, // calldatacopy(0, 32, size)
    0x60, 0x40, 0x60, 0x00, 0x82, 0x60, 0x00, 0x60, 0x00, 0x60, 0x00, 0x35, 0x5a, 0xf1, // call
    0x60, 0x01, 0x55, // sstore(1, success)
    0x60, 0x00, 0x51, 0x60, 0x02, 0x55, 0x00, // sstore(2, mload(0))
];
pub const CREATOR_CODE: &[u8] =
    &[0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x36, 0x60, 0x00, 0x60, 0x00, 0xf0, 0x60, 0x00, 0x55, 0x00];
pub const DESTRUCTOR_CODE: &[u8] = &[0x33, 0xff];
pub const LOGGER_CODE: &[u8] = &[
    0x43, 0x60, 0x01, 0x90, 0x03, 0x40, 0x60, 0x00, 0x55, // sstore(0, blockhash(number - 1))
    0x36, 0x60, 0x00, 0x60, 0x00, 0x37, 0x60, 0xaa, 0x36, 0x60, 0x00, 0xa1, 0x00, // log1(0, size, 0xaa)
];

/// Init code that deploys [`WRITER_CODE`].
pub fn writer_init_code() -> Vec<u8> {
    let mut v = vec![
        0x60,
        WRITER_CODE.len() as u8,
        0x60,
        0x0c,
        0x60,
        0x00,
        0x39,
        0x60,
        WRITER_CODE.len() as u8,
        0x60,
        0x00,
        0xf3,
    ];
    v.extend_from_slice(WRITER_CODE);
    v
}

fn account_rlp(nonce: u64, balance: U256, storage_root: B256, code_hash: B256) -> Bytes {
    #[derive(alloy_rlp::RlpEncodable)]
    struct A {
        nonce: u64,
        balance: U256,
        storage_root: B256,
        code_hash: B256,
    }
    Bytes::from(alloy_rlp::encode(A { nonce, balance, storage_root, code_hash }))
}

/// One generated chain: its config, preimages, head and signing keys.
pub struct Chain {
    pub config: ChainConfig,
    pub store: PreimageStore,
    pub head: Header,
    pub keys: Vec<SigningKey>,
    pub addrs: Vec<Address>,
    pub nonces: Vec<u64>,
    pub rng: Rng,
    pub block_time: u64,
    /// Valid (hash, v, r, s) ecrecover inputs made from the chain's keys.
    pub ecrecover_input: Vec<u8>,
}

pub const CHAIN_ID: u64 = 901;
pub const GENESIS_TIME: u64 = 1_750_000_000;

impl Chain {
    /// A chain with the given fork times (Holocene or later active at genesis).
    pub fn new(seed: u64, forks: ForkTimes) -> Self {
        let mut rng = Rng(seed);
        let config = ChainConfig {
            chain_id: CHAIN_ID,
            forks,
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        };
        let keys: Vec<SigningKey> =
            (0..12).map(|i| SigningKey::from_slice(keccak256(format!("key {seed} {i}")).as_slice()).unwrap()).collect();
        let addrs: Vec<Address> = keys.iter().map(|k| Address::from_public_key(k.verifying_key())).collect();
        let mut store = PreimageStore::new();
        let mut state = Trie::new();
        let eth = U256::from(10u64).pow(U256::from(21u64)); // 1000 ETH
        for a in &addrs {
            state
                .insert(
                    keccak256(a).as_slice(),
                    account_rlp(0, eth, rampart_mpt::EMPTY_ROOT_HASH, revm_empty()),
                    &NoopProvider,
                )
                .unwrap();
        }
        let put_contract =
            |state: &mut Trie, store: &mut PreimageStore, at: Address, code: &[u8], slots: &[(U256, U256)]| {
                let code_hash = store.insert(Bytes::copy_from_slice(code));
                let mut st = Trie::new();
                for (k, v) in slots {
                    st.insert(
                        keccak256(k.to_be_bytes::<32>()).as_slice(),
                        Bytes::from(alloy_rlp::encode(v)),
                        &NoopProvider,
                    )
                    .unwrap();
                }
                for n in st.preimages() {
                    store.insert(n);
                }
                state
                    .insert(keccak256(at).as_slice(), account_rlp(1, U256::ZERO, st.root(), code_hash), &NoopProvider)
                    .unwrap();
            };
        // L1Block: base fee (slot 1), Ecotone scalars (slot 3: blob base fee scalar at bytes 16..20, base fee scalar
        // at 20..24 of the big-endian word), blob base fee (slot 7), operator fee (slot 8: scalar 20..24, constant
        // 24..32), Jovian DA footprint gas scalar (slot 8 bytes 18..20).
        let mut scalars = [0u8; 32];
        scalars[16..20].copy_from_slice(&810_949u32.to_be_bytes());
        scalars[20..24].copy_from_slice(&1_368u32.to_be_bytes());
        let mut operator = [0u8; 32];
        operator[18..20].copy_from_slice(&400u16.to_be_bytes());
        operator[20..24].copy_from_slice(&2_000u32.to_be_bytes());
        operator[24..32].copy_from_slice(&1_000_000u64.to_be_bytes());
        put_contract(
            &mut state,
            &mut store,
            L1_BLOCK,
            WRITER_CODE,
            &[
                (U256::from(1), U256::from(7_000_000_000u64)),
                (U256::from(3), U256::from_be_bytes(scalars)),
                (U256::from(7), U256::from(3u64)),
                (U256::from(8), U256::from_be_bytes(operator)),
            ],
        );
        put_contract(&mut state, &mut store, MESSAGE_PASSER, WRITER_CODE, &[(U256::from(1), U256::from(1))]);
        put_contract(
            &mut state,
            &mut store,
            alloy_eips::eip4788::BEACON_ROOTS_ADDRESS,
            &alloy_eips::eip4788::BEACON_ROOTS_CODE,
            &[],
        );
        put_contract(
            &mut state,
            &mut store,
            alloy_eips::eip2935::HISTORY_STORAGE_ADDRESS,
            &alloy_eips::eip2935::HISTORY_STORAGE_CODE,
            &[],
        );
        put_contract(&mut state, &mut store, WRITER, WRITER_CODE, &[(U256::from(5), U256::from(5))]);
        put_contract(&mut state, &mut store, REVERTER, REVERTER_CODE, &[]);
        put_contract(&mut state, &mut store, CALLER, CALLER_CODE, &[]);
        put_contract(&mut state, &mut store, CREATOR, CREATOR_CODE, &[]);
        put_contract(&mut state, &mut store, DESTRUCTOR, DESTRUCTOR_CODE, &[]);
        put_contract(&mut state, &mut store, LOGGER, LOGGER_CODE, &[]);
        for n in state.preimages() {
            store.insert(n);
        }
        let extra = if forks.is_jovian(GENESIS_TIME) {
            Bytes::from(vec![1, 0, 0, 0, 250, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1])
        } else {
            Bytes::from(vec![0, 0, 0, 0, 250, 0, 0, 0, 6])
        };
        let head = Header {
            number: 0,
            timestamp: GENESIS_TIME,
            gas_limit: 30_000_000,
            base_fee_per_gas: Some(1_000_000),
            state_root: state.root(),
            extra_data: extra,
            withdrawals_root: Some(rampart_mpt::EMPTY_ROOT_HASH),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(B256::ZERO),
            requests_hash: forks.is_isthmus(GENESIS_TIME).then_some(alloy_eips::eip7685::EMPTY_REQUESTS_HASH),
            ..Default::default()
        };
        store.insert(Bytes::from(alloy_rlp::encode(&head)));
        let sig_hash = B256::from(rng.word());
        let (sig, recid) = keys[0].sign_prehash_recoverable(sig_hash.as_slice()).unwrap();
        let mut ecrecover_input = sig_hash.to_vec();
        ecrecover_input.extend_from_slice(&U256::from(27 + recid.to_byte() as u64).to_be_bytes::<32>());
        ecrecover_input.extend_from_slice(&sig.to_bytes());
        let n = addrs.len();
        Chain { config, store, head, keys, addrs, nonces: vec![0; n], rng, block_time: 2, ecrecover_input }
    }

    fn sign<T: SignableTransaction<Signature>>(&self, who: usize, tx: T) -> alloy_consensus::Signed<T> {
        let (sig, recid) = self.keys[who].sign_prehash_recoverable(tx.signature_hash().as_slice()).unwrap();
        tx.into_signed(Signature::from_signature_and_parity(sig, recid.is_y_odd()))
    }

    /// Calldata for the precompile caller: a target precompile and an input that is valid or random.
    fn precompile_call(&mut self) -> Vec<u8> {
        let targets: [u64; 13] = [1, 1, 2, 3, 4, 5, 6, 7, 8, 8, 9, 0x0a, 0x100];
        let t = targets[self.rng.below(targets.len() as u64) as usize];
        let mut data = U256::from(t).to_be_bytes::<32>().to_vec();
        let input = match t {
            1 if self.rng.chance(70) => self.ecrecover_input.clone(),
            8 if self.rng.chance(50) => Vec::new(), // empty pairing: valid, returns 1
            9 => {
                let mut v = self.rng.bytes(213);
                v[212] = self.rng.below(2) as u8;
                v[0..4].copy_from_slice(&(self.rng.below(30) as u32).to_be_bytes());
                v
            }
            5 => {
                let mut v = vec![0u8; 96];
                v[31] = 32;
                v[63] = 32;
                v[95] = 32;
                v.extend(self.rng.bytes(96));
                v
            }
            _ => {
                let n = [0usize, 64, 128, 192, 160][self.rng.below(5) as usize];
                self.rng.bytes(n)
            }
        };
        data.extend(input);
        data
    }

    /// The attributes of the next block: an L1-info deposit, then `user_txs` random transactions (user deposits
    /// among them unless `deposits_only`).
    pub fn next_attributes(&mut self, user_txs: usize, deposits_only: bool) -> OpPayloadAttributes {
        let ts = self.head.timestamp + self.block_time;
        let mut txs: Vec<Bytes> = Vec::new();
        let info = TxDeposit {
            source_hash: B256::from(self.rng.word()),
            from: DEPOSITOR,
            to: TxKind::Call(L1_BLOCK),
            mint: 0,
            value: U256::ZERO,
            gas_limit: 1_000_000,
            is_system_transaction: false,
            input: Bytes::from(self.rng.bytes(164)),
        };
        txs.push(OpTxEnvelope::Deposit(alloy_consensus::Sealed::new(info)).encoded_2718().into());
        let gas_price: u128 = 50_000_000_000;
        for _ in 0..user_txs {
            let who = self.rng.below(self.addrs.len() as u64) as usize;
            let kind = if deposits_only { 9 } else { self.rng.below(12) };
            let (to, value, data, gas): (TxKind, U256, Vec<u8>, u64) = match kind {
                0 | 1 => {
                    let to = if self.rng.chance(50) {
                        self.addrs[self.rng.below(self.addrs.len() as u64) as usize]
                    } else {
                        Address::from_word(B256::from(self.rng.word()))
                    };
                    (
                        TxKind::Call(to),
                        U256::from(self.rng.below(1 << 40)),
                        Vec::new(),
                        21_000 + self.rng.below(2) * 5_000,
                    )
                }
                2 | 3 => {
                    let mut d = U256::from(self.rng.below(16)).to_be_bytes::<32>().to_vec();
                    let v = if self.rng.chance(25) { U256::ZERO } else { U256::from(self.rng.next()) };
                    d.extend(v.to_be_bytes::<32>());
                    let target = if self.rng.chance(30) { MESSAGE_PASSER } else { WRITER };
                    (TxKind::Call(target), U256::ZERO, d, 100_000)
                }
                4 => (TxKind::Call(REVERTER), U256::from(self.rng.below(1000)), Vec::new(), 50_000),
                5 | 6 => (TxKind::Call(CALLER), U256::ZERO, self.precompile_call(), 600_000),
                7 => (TxKind::Create, U256::ZERO, writer_init_code(), 200_000),
                8 => (TxKind::Call(CREATOR), U256::ZERO, writer_init_code(), 300_000),
                10 => (TxKind::Call(DESTRUCTOR), U256::from(self.rng.below(1000)), Vec::new(), 60_000),
                _ => (
                    TxKind::Call(LOGGER),
                    U256::ZERO,
                    {
                        let n = self.rng.below(200) as usize;
                        self.rng.bytes(n)
                    },
                    100_000,
                ),
            };
            if kind == 9 {
                // A user deposit (with mint; from an address that signs nothing, so the signers' nonces stay
                // predictable), calling the logger or transferring.
                let to = if self.rng.chance(50) { TxKind::Call(LOGGER) } else { TxKind::Call(self.addrs[who]) };
                let dep = TxDeposit {
                    source_hash: B256::from(self.rng.word()),
                    from: Address::with_last_byte(0x40 + self.rng.below(8) as u8),
                    to,
                    mint: self.rng.below(1 << 50) as u128,
                    value: U256::from(self.rng.below(1 << 40)),
                    gas_limit: 100_000,
                    is_system_transaction: false,
                    input: Bytes::from({
                        let n = self.rng.below(64) as usize;
                        self.rng.bytes(n)
                    }),
                };
                txs.push(OpTxEnvelope::Deposit(alloy_consensus::Sealed::new(dep)).encoded_2718().into());
                if !deposits_only {
                    // Deposits come before user transactions in a real block; keep the order valid.
                    let last = txs.pop().unwrap();
                    txs.insert(1, last);
                }
                continue;
            }
            let nonce = self.nonces[who];
            self.nonces[who] += 1;
            let input = Bytes::from(data);
            let tip = self.rng.below(1_000_000) as u128;
            let env: OpTxEnvelope = match self.rng.below(3) {
                0 => OpTxEnvelope::Legacy(self.sign(
                    who,
                    TxLegacy { chain_id: Some(CHAIN_ID), nonce, gas_price, gas_limit: gas, to, value, input },
                )),
                1 => OpTxEnvelope::Eip2930(self.sign(
                    who,
                    TxEip2930 {
                        chain_id: CHAIN_ID,
                        nonce,
                        gas_price,
                        gas_limit: gas + 2_400 + 1_900,
                        to,
                        value,
                        input,
                        access_list: AccessList(vec![AccessListItem {
                            address: WRITER,
                            storage_keys: vec![B256::with_last_byte(5)],
                        }]),
                    },
                )),
                _ => OpTxEnvelope::Eip1559(self.sign(
                    who,
                    TxEip1559 {
                        chain_id: CHAIN_ID,
                        nonce,
                        gas_limit: gas,
                        max_fee_per_gas: gas_price,
                        max_priority_fee_per_gas: tip,
                        to,
                        value,
                        access_list: AccessList::default(),
                        input,
                    },
                )),
            };
            txs.push(env.encoded_2718().into());
        }
        let mut attrs = OpPayloadAttributes::default();
        let p = &mut attrs.payload_attributes;
        p.timestamp = ts;
        p.prev_randao = B256::from(self.rng.word());
        p.suggested_fee_recipient = Address::repeat_byte(0xfe);
        p.withdrawals = Some(Vec::new());
        p.parent_beacon_block_root = Some(B256::from(self.rng.word()));
        attrs.transactions = Some(txs);
        attrs.no_tx_pool = Some(true);
        attrs.gas_limit = Some(30_000_000);
        let params: [B64; 3] =
            [B64::ZERO, B64::from([0, 0, 0, 250, 0, 0, 0, 6]), B64::from([0, 0, 0, 100, 0, 0, 0, 2])];
        attrs.eip_1559_params = Some(params[self.rng.below(3) as usize]);
        if self.config.forks.is_jovian(ts) {
            attrs.min_base_fee = Some([0u64, 1, 2_000_000][self.rng.below(3) as usize]);
        }
        attrs
    }

    /// Builds `attrs` on the head with `rampart-executor` (output root included), and on success makes the block
    /// the new head, adding its post-state preimages to the store.
    pub fn build(&mut self, attrs: &OpPayloadAttributes, options: &BuildOptions) -> Result<BlockOutcome, Error> {
        let options = BuildOptions { output_root: true, collect_preimages: true, ..options.clone() };
        let out = build_block_with(&self.config, &self.head, attrs, &self.store, &options)?;
        for p in &out.preimages {
            self.store.insert(p.clone());
        }
        self.head = out.header.clone();
        Ok(out)
    }
}

fn revm_empty() -> B256 {
    keccak256([])
}
