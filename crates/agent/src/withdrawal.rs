//! Withdrawals against a recorded devnet: the withdrawals an L2 block initiated (its re-execution's
//! `MessagePassed` events), the output-root proof and the storage proof of `sentMessages[hash]` in the
//! L2ToL1MessagePasser at that block as `OptimismPortal2.proveWithdrawalTransaction`'s calldata, checked with an
//! independent MPT verifier (alloy-trie) against the block's output root (the proof in the node-list form the
//! portal's `MerkleTrie` takes: [`portal_proof`]), and `finalizeWithdrawalTransaction`'s
//! conditions on the game model (`dispute-game.md` §6).

use std::cell::RefCell;
use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolEvent};
use rampart_devnet::dataset::{attributes_from_block, header, ordered_list, Dataset, StoreNodes};
use rampart_executor::{build_block_with, BuildOptions, L2_TO_L1_MESSAGE_PASSER};
use rampart_game::{FaultDisputeGame, GameStatus};
use rampart_mpt::{Trie, TrieProvider};

use crate::errors::{AgentError, Result};

sol! {
    #[derive(Debug, PartialEq, Eq)]
    /// `Types.WithdrawalTransaction`.
    struct WithdrawalTransaction { uint256 nonce; address sender; address target; uint256 value; uint256 gasLimit; bytes data; }
    #[derive(Debug, PartialEq, Eq)]
    /// `Types.OutputRootProof`.
    struct OutputRootProof { bytes32 version; bytes32 stateRoot; bytes32 messagePasserStorageRoot; bytes32 latestBlockhash; }
    /// `OptimismPortal2.proveWithdrawalTransaction`.
    function proveWithdrawalTransaction(WithdrawalTransaction _tx, uint256 _disputeGameIndex, OutputRootProof _outputRootProof, bytes[] _withdrawalProof);
    /// `L2ToL1MessagePasser.MessagePassed`.
    event MessagePassed(uint256 indexed nonce, address indexed sender, address indexed target, uint256 value, uint256 gasLimit, bytes data, bytes32 withdrawalHash);
}

fn bad(msg: impl Into<String>) -> AgentError {
    AgentError::Dataset(msg.into())
}

/// A withdrawal initiated on L2, with the block that initiated it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Withdrawal {
    /// The transaction as the portal takes it.
    pub tx: WithdrawalTransaction,
    /// `Hashing.hashWithdrawal(tx)` (equal to the event's `withdrawalHash`).
    pub hash: B256,
    /// The L2 block whose execution emitted it.
    pub l2_block: u64,
}

/// What `proveWithdrawalTransaction` needs for one withdrawal against the output root of one block.
#[derive(Clone, Debug)]
pub struct WithdrawalProof {
    /// The withdrawal.
    pub withdrawal: Withdrawal,
    /// The proposal's L2 block.
    pub l2_block: u64,
    /// Its output root (the game's root claim).
    pub output_root: B256,
    /// The output root's preimage.
    pub output_root_proof: OutputRootProof,
    /// `keccak256(abi.encode(withdrawalHash, 0))`: the `sentMessages` slot.
    pub storage_slot: B256,
    /// The storage trie nodes from `messagePasserStorageRoot` to the slot's leaf.
    pub withdrawal_proof: Vec<Bytes>,
    /// ABI calldata of `proveWithdrawalTransaction(tx, gameIndex, outputRootProof, withdrawalProof)`.
    pub calldata: Vec<u8>,
}

/// Records every node a trie read fetches: the path to a key, i.e. its proof.
struct Recording<'a, P> {
    inner: &'a P,
    extra: &'a BTreeMap<B256, Bytes>,
    seen: RefCell<Vec<Bytes>>,
}

impl<P: TrieProvider> TrieProvider for Recording<'_, P> {
    fn node(&self, hash: B256) -> std::result::Result<Bytes, rampart_mpt::Error> {
        let n = match self.extra.get(&hash) {
            Some(n) => n.clone(),
            None => self.inner.node(hash)?,
        };
        self.seen.borrow_mut().push(n.clone());
        Ok(n)
    }
}

/// The block's output root preimage from the store: (state root, message passer storage root, block hash).
fn output_preimage(ds: &Dataset, root: B256) -> Result<OutputRootProof> {
    let raw = rampart_devnet::dataset::keccak_get(&*ds.store, root)
        .map_err(|e| bad(e.to_string()))?
        .ok_or_else(|| bad(format!("no preimage of output root {root}")))?;
    if raw.len() != 128 || keccak256(&raw) != root {
        return Err(bad(format!("output root {root}: preimage of {} bytes", raw.len())));
    }
    let w = |i: usize| B256::from_slice(&raw[32 * i..32 * i + 32]);
    Ok(OutputRootProof { version: w(0), stateRoot: w(1), messagePasserStorageRoot: w(2), latestBlockhash: w(3) })
}

/// `Hashing.hashWithdrawal`: `keccak256(abi.encode(nonce, sender, target, value, gasLimit, data))`.
pub fn hash_withdrawal(tx: &WithdrawalTransaction) -> B256 {
    let fields = (tx.nonce, tx.sender, tx.target, tx.value, tx.gasLimit, tx.data.clone());
    keccak256(alloy_sol_types::SolValue::abi_encode_params(&fields))
}

/// The sentMessages slot of a withdrawal hash.
pub fn storage_slot(hash: B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(hash.as_slice());
    keccak256(buf)
}

/// Re-executes L2 block `number` (whose output root is `root`) from the store and returns the withdrawals it
/// initiated and its post-state trie nodes.
pub fn block_withdrawals(ds: &Dataset, number: u64, root: B256) -> Result<(Vec<Withdrawal>, BTreeMap<B256, Bytes>)> {
    let out = output_preimage(ds, root)?;
    let store = &*ds.store;
    let h = header(store, out.latestBlockhash).map_err(|e| bad(e.to_string()))?;
    if h.number != number {
        return Err(bad(format!("output root {root} names block {}, not {number}", h.number)));
    }
    let parent = header(store, h.parent_hash).map_err(|e| bad(e.to_string()))?;
    let txs = ordered_list(store, h.transactions_root).map_err(|e| bad(e.to_string()))?;
    let attrs = attributes_from_block(&ds.config, &h, txs).map_err(|e| bad(e.to_string()))?;
    let opts = BuildOptions { output_root: true, collect_preimages: true, ..Default::default() };
    let b = build_block_with(&ds.config, &parent, &attrs, StoreNodes(store), &opts)
        .map_err(|e| AgentError::Program(format!("re-executing block {number}: {e}")))?;
    if b.block_hash != out.latestBlockhash {
        return Err(AgentError::Program(format!(
            "block {number} re-executed to {}, not {}",
            b.block_hash, out.latestBlockhash
        )));
    }
    let mut list = Vec::new();
    for r in &b.receipts {
        for log in r.logs() {
            if log.address != L2_TO_L1_MESSAGE_PASSER || log.topics().first() != Some(&MessagePassed::SIGNATURE_HASH) {
                continue;
            }
            let e = MessagePassed::decode_log_data(&log.data).map_err(|e| bad(format!("MessagePassed log: {e}")))?;
            let tx = WithdrawalTransaction {
                nonce: e.nonce,
                sender: e.sender,
                target: e.target,
                value: e.value,
                gasLimit: e.gasLimit,
                data: e.data.clone(),
            };
            let hash = hash_withdrawal(&tx);
            if hash != e.withdrawalHash {
                return Err(bad(format!(
                    "block {number}: withdrawal hash {hash} differs from the event's {}",
                    e.withdrawalHash
                )));
            }
            list.push(Withdrawal { tx, hash, l2_block: number });
        }
    }
    let nodes = b.preimages.iter().map(|n| (keccak256(n), n.clone())).collect();
    Ok((list, nodes))
}

/// The proofs of every withdrawal block `number` initiated, against that block's output root (a proposal for
/// that block, game `game_index`).
pub fn prove_block(ds: &Dataset, number: u64, root: B256, game_index: U256) -> Result<Vec<WithdrawalProof>> {
    let (list, post) = block_withdrawals(ds, number, root)?;
    let out = output_preimage(ds, root)?;
    let mut proofs = Vec::new();
    for w in list {
        let slot = storage_slot(w.hash);
        let rec = Recording { inner: &StoreNodes(&*ds.store), extra: &post, seen: RefCell::new(Vec::new()) };
        let value = Trie::open(out.messagePasserStorageRoot)
            .get(keccak256(slot).as_slice(), &rec)
            .map_err(|e| bad(format!("storage proof of {}: {e}", w.hash)))?;
        if value.as_ref().map(|v| v.as_ref()) != Some(&[0x01u8][..]) {
            return Err(bad(format!("sentMessages[{}] is {value:?} at block {number}, not true", w.hash)));
        }
        let key = alloy_trie::Nibbles::unpack(keccak256(slot));
        let withdrawal_proof = portal_proof(&rec.seen.into_inner(), &key)
            .ok_or_else(|| bad(format!("storage proof of {}: the nodes leave the key's path", w.hash)))?;
        let calldata = proveWithdrawalTransactionCall {
            _tx: w.tx.clone(),
            _disputeGameIndex: game_index,
            _outputRootProof: out.clone(),
            _withdrawalProof: withdrawal_proof.clone(),
        }
        .abi_encode();
        proofs.push(WithdrawalProof {
            withdrawal: w,
            l2_block: number,
            output_root: root,
            output_root_proof: out.clone(),
            storage_slot: slot,
            withdrawal_proof,
            calldata,
        });
    }
    Ok(proofs)
}

/// The portal's checks of `proveWithdrawalTransaction` that do not need L1 state, from the calldata alone:
/// `hashOutputRootProof(outputRootProof) == rootClaim` and the secure-trie inclusion of `0x01` at
/// `keccak256(slot)` under `messagePasserStorageRoot`, with alloy-trie's proof verifier, the proof being the node
/// list the portal's `MerkleTrie` walks (inline nodes as their own elements, see [`portal_proof`]).
pub fn verify_proof_calldata(calldata: &[u8], root_claim: B256) -> std::result::Result<B256, String> {
    let call = proveWithdrawalTransactionCall::abi_decode(calldata).map_err(|e| format!("calldata: {e}"))?;
    check_output_root_proof(&call._outputRootProof, root_claim)?;
    let hash = hash_withdrawal(&call._tx);
    check_inclusion(hash, &call._outputRootProof, &call._withdrawalProof)?;
    Ok(hash)
}

/// What `proveWithdrawalTransaction` reads about the game at a `_disputeGameIndex`
/// (`DisputeGameFactory.gameAtIndex`, then the game's `rootClaim()` and `status()`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProvableGame {
    /// The game type the factory recorded.
    pub game_type: u32,
    /// The game's root claim.
    pub root_claim: B256,
    /// Its status now.
    pub status: GameStatus,
}

/// The L1 state `proveWithdrawalTransaction` consults besides its calldata.
#[derive(Clone, Debug)]
pub struct PortalView {
    /// The portal's own address (a withdrawal may not target it).
    pub portal: Address,
    /// `SuperchainConfig.paused()`.
    pub paused: bool,
    /// The portal's `respectedGameType`.
    pub respected_game_type: u32,
    /// The factory's games, by index.
    pub games: Vec<ProvableGame>,
}

/// `OptimismPortal2.proveWithdrawalTransaction` (3.10.0, contracts-bedrock 0.17.3) on Rampart's side: every
/// check in the contract's order, the first failing one named by the tag its refusal starts with: `CallPaused`,
/// `BadTarget` (the withdrawal targets the portal), `InvalidGameIndex` (no game at the index),
/// `InvalidGameType` (not the respected type), `InvalidOutputRootProof`, `InvalidDisputeGame` (the game
/// resolved CHALLENGER_WINS), `InvalidMerkleProof` (alloy-trie refuses the inclusion of `0x01` at the
/// withdrawal's `sentMessages` slot). Returns the withdrawal hash.
pub fn check_prove(calldata: &[u8], view: &PortalView) -> std::result::Result<B256, String> {
    let call = proveWithdrawalTransactionCall::abi_decode(calldata).map_err(|e| format!("calldata: {e}"))?;
    if view.paused {
        return Err("CallPaused: the superchain is paused".into());
    }
    if call._tx.target == view.portal {
        return Err("BadTarget: a withdrawal may not target the portal".into());
    }
    let game = usize::try_from(call._disputeGameIndex)
        .ok()
        .and_then(|i| view.games.get(i))
        .ok_or_else(|| format!("InvalidGameIndex: no game at index {}", call._disputeGameIndex))?;
    if game.game_type != view.respected_game_type {
        return Err(format!(
            "InvalidGameType: game type {} is not the respected {}",
            game.game_type, view.respected_game_type
        ));
    }
    check_output_root_proof(&call._outputRootProof, game.root_claim)?;
    if game.status == GameStatus::ChallengerWins {
        return Err("InvalidDisputeGame: the game resolved CHALLENGER_WINS".into());
    }
    let hash = hash_withdrawal(&call._tx);
    check_inclusion(hash, &call._outputRootProof, &call._withdrawalProof)?;
    Ok(hash)
}

fn check_output_root_proof(p: &OutputRootProof, root_claim: B256) -> std::result::Result<(), String> {
    let mut pre = Vec::with_capacity(128);
    for w in [p.version, p.stateRoot, p.messagePasserStorageRoot, p.latestBlockhash] {
        pre.extend_from_slice(w.as_slice());
    }
    if keccak256(&pre) != root_claim {
        return Err("InvalidOutputRootProof: the output root proof does not hash to the game's root claim".into());
    }
    Ok(())
}

/// The portal's `SecureMerkleTrie.verifyInclusionProof(abi.encode(slot), hex"01", proof, storageRoot)` for a
/// withdrawal: the path is checked with alloy-trie's proof verifier, and the proof must be exactly the list of
/// nodes contracts-bedrock's `MerkleTrie.get` walks, which takes every node as its own element, a node shorter
/// than 32 bytes (inlined in its parent) included, and nothing after the leaf ([`portal_proof`]).
fn check_inclusion(hash: B256, p: &OutputRootProof, proof: &[Bytes]) -> std::result::Result<(), String> {
    let key = alloy_trie::Nibbles::unpack(keccak256(storage_slot(hash)));
    // What alloy-trie takes: the hashed nodes only (inline ones are read inside their parents).
    let hashed: Vec<Bytes> =
        proof.iter().enumerate().filter(|(i, n)| *i == 0 || n.len() >= 32).map(|(_, n)| n.clone()).collect();
    alloy_trie::proof::verify_proof(p.messagePasserStorageRoot, key, Some(vec![0x01]), hashed.iter())
        .map_err(|e| format!("InvalidMerkleProof: {e}"))?;
    if portal_proof(&hashed, &key).as_deref() != Some(proof) {
        return Err("InvalidMerkleProof: not the node list MerkleTrie walks (every node on the path as its own \
                    element, inline nodes included, nothing after the leaf)"
            .into());
    }
    Ok(())
}

/// The proof of `key` as contracts-bedrock's `MerkleTrie` takes it, from the hashed nodes of its path (what a
/// trie read fetches, or `eth_getProof` returns): each node followed by the nodes inlined in it along the path
/// (a leaf whose encoding is under 32 bytes lives inside its branch; `MerkleTrie.get` needs it as its own
/// element, as the OP SDK's `maybeAddProofNode` appends it). `None` if the nodes do not decode or leave the
/// key's path.
pub fn portal_proof(path: &[Bytes], key: &alloy_trie::Nibbles) -> Option<Vec<Bytes>> {
    use alloy_trie::nodes::TrieNode;
    let mut out = Vec::with_capacity(path.len() + 1);
    let mut depth = 0;
    for node in path {
        out.push(node.clone());
        let mut cur = node.to_vec();
        loop {
            let child = match <TrieNode as alloy_rlp::Decodable>::decode(&mut &cur[..]).ok()? {
                TrieNode::Branch(b) => {
                    let nibble = key.get(depth)?;
                    depth += 1;
                    let child = b.as_ref().children().find(|(n, _)| *n == nibble)?.1?.clone();
                    child
                }
                TrieNode::Extension(e) => {
                    depth += e.key.len();
                    e.child
                }
                TrieNode::Leaf(_) | TrieNode::EmptyRoot => break,
            };
            if child.is_hash() {
                break;
            }
            cur = child.to_vec();
            out.push(cur.clone().into());
        }
    }
    Some(out)
}

/// `PROOF_MATURITY_DELAY_SECONDS` as deployed (7 days).
pub const PROOF_MATURITY_DELAY: u64 = 604_800;

/// `OptimismPortal2.checkWithdrawal` (4.x) for a withdrawal proven at `proven_at` against `game`, at the game
/// model's current time: proven after the game's creation, the proof older than `proof_maturity`, and the game's
/// claim valid (proper, respected, resolved DEFENDER_WINS more than the registry's finality delay ago). Returns
/// the first failed condition.
pub fn check_finalize(game: &FaultDisputeGame, proven_at: u64, proof_maturity: u64) -> std::result::Result<(), String> {
    let now = game.now();
    if proven_at == 0 {
        return Err("Unproven: the withdrawal has not been proven".into());
    }
    if proven_at <= game.created_at() {
        return Err("InvalidProofTimestamp: proven before the game was created".into());
    }
    if now.saturating_sub(proven_at) <= proof_maturity {
        return Err(format!(
            "ProofNotOldEnough: proven {} s ago, maturity {proof_maturity} s",
            now.saturating_sub(proven_at)
        ));
    }
    if !game.is_game_proper() {
        return Err("ImproperDisputeGame: blacklisted, retired, unregistered or paused".into());
    }
    if game.registry.respected_game_type != game.config().game_type {
        return Err("InvalidDisputeGame: not the respected game type".into());
    }
    match game.status() {
        GameStatus::DefenderWins => {}
        s => return Err(format!("InvalidDisputeGame: the game is {s:?}, not DEFENDER_WINS")),
    }
    if !game.is_game_finalized() {
        return Err(format!(
            "the game resolved {} s ago; the finality delay is {} s",
            now.saturating_sub(game.resolved_at()),
            game.registry.finality_delay
        ));
    }
    if !game.is_game_claim_valid() {
        return Err("the registry does not consider the game's claim valid".into());
    }
    Ok(())
}

/// The L2 blocks of the dataset with their valid output roots (what a proposer would propose).
pub fn proposals(data: &crate::DevnetData) -> Vec<(u64, B256)> {
    data.blocks().filter(|b| *b > 0).filter_map(|b| Some((b, data.output_at(b)?))).collect()
}

/// The address withdrawals are sent from on L2 (the predeploy).
pub const MESSAGE_PASSER: Address = L2_TO_L1_MESSAGE_PASSER;

/// A proposal of `root` for L2 block `block` by `proposer` (anchor block 0 of `data`), created at `now` with the
/// deployed parameters and the program's `absolute_prestate`, as a game model nobody has played yet.
pub fn proposal_game(
    data: &crate::DevnetData,
    block: u64,
    root: B256,
    absolute_prestate: B256,
    proposer: Address,
    now: u64,
) -> Result<FaultDisputeGame> {
    let mut cfg = rampart_game::GameConfig::op_mainnet(rampart_game::GameType::CANNON_KONA, absolute_prestate);
    cfg.l2_chain_id = data.chain_id;
    let anchor = data.output_at(0).ok_or_else(|| bad("no output root for block 0"))?;
    let registry = rampart_game::AnchorStateRegistry::new(anchor, 0, cfg.game_type);
    let l1_head = data.l1_head_for(block).ok_or_else(|| bad(format!("no valid claim for block {block}")))?;
    let init = rampart_game::GameInit {
        creator: proposer,
        root_claim: root,
        l2_block_number: block,
        l1_head,
        value: cfg.init_bond,
        now,
    };
    FaultDisputeGame::create(cfg, std::sync::Arc::new(crate::MipsStepper), registry, init)
        .map_err(|e| AgentError::Game(e.to_string()))
}

/// Resolves every subgame of `game` bottom-up once all clocks have run out (op-challenger's resolution), and
/// returns the final status.
pub fn resolve_when_expired(game: &mut FaultDisputeGame) -> Result<GameStatus> {
    game.advance(game.config().max_clock_duration + 1);
    for i in (0..game.claim_data_len()).rev() {
        game.resolve_claim(i, 0).map_err(|e| AgentError::Game(e.to_string()))?;
    }
    game.resolve().map_err(|e| AgentError::Game(e.to_string()))
}
