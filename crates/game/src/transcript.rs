//! Running whole games (play, resolve, close, claim credits) and a human-readable transcript of them.

use std::collections::BTreeMap;
use std::fmt;

use alloy_primitives::{Address, B256, U256};

use crate::challenger::Player;
use crate::game::{FaultDisputeGame, GameEvent};
use crate::types::{BondDistributionMode, GameStatus};

/// How [`run_game`] paces a game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunConfig {
    /// Seconds between rounds of play.
    pub round_secs: u64,
    /// Upper bound on rounds of play.
    pub max_rounds: usize,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self { round_secs: 600, max_rounds: 400 }
    }
}

/// The end state of a game run by [`run_game`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameOutcome {
    /// Final status.
    pub status: GameStatus,
    /// Rounds of play.
    pub rounds: usize,
    /// Claims in the game.
    pub claims: usize,
    /// Per participant: (deposited, paid out).
    pub balances: BTreeMap<Address, (U256, U256)>,
}

impl GameOutcome {
    /// Paid out minus deposited for `who` (negative if it lost money).
    pub fn net(&self, who: Address) -> i128 {
        let (d, p) = self.balances.get(&who).copied().unwrap_or_default();
        let to_i = |v: U256| i128::try_from(v).unwrap_or(i128::MAX);
        to_i(p) - to_i(d)
    }
}

/// Plays rounds until nobody acts, lets every clock run out, resolves through the players, waits out the
/// finality delay, then claims every participant's credit in two phases (unlock, then withdraw after the
/// DelayedWETH delay). All time is model time.
pub fn run_game(game: &mut FaultDisputeGame, players: &mut [&mut dyn Player], run: RunConfig) -> GameOutcome {
    let mut rounds = 0;
    while rounds < run.max_rounds {
        rounds += 1;
        let mut acted = 0;
        for p in players.iter_mut() {
            acted += p.act(game);
        }
        game.advance(run.round_secs);
        if acted == 0 {
            break;
        }
    }
    game.advance(game.config().max_clock_duration + 1);
    loop {
        let mut n = 0;
        for p in players.iter_mut() {
            n += p.resolve(game);
        }
        if n == 0 {
            break;
        }
    }
    if game.status() != GameStatus::InProgress {
        game.advance(game.registry.finality_delay + 1);
        let who = game.participants();
        for a in &who {
            let _ = game.claim_credit(*a);
        }
        game.advance(game.config().weth_delay + 1);
        for a in &who {
            if !game.credit(*a).is_zero() {
                let _ = game.claim_credit(*a);
            }
        }
    }
    let balances = game.participants().into_iter().map(|a| (a, (game.deposited(a), game.paid(a)))).collect();
    GameOutcome { status: game.status(), rounds, claims: game.claim_data_len(), balances }
}

/// One line of a game transcript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TranscriptEvent {
    /// The proposal.
    Created {
        /// Proposer name.
        proposer: String,
        /// Proposed output root.
        root_claim: B256,
        /// Proposal block.
        l2_block: u64,
        /// Anchor block.
        anchor_block: u64,
        /// Bond paid.
        bond: U256,
    },
    /// A move.
    Move {
        /// New claim index.
        index: usize,
        /// Parent index.
        parent_index: usize,
        /// Mover name.
        who: String,
        /// Attack or defend.
        is_attack: bool,
        /// Depth of the new claim.
        depth: u8,
        /// Generalized index of the new claim.
        position: u128,
        /// Trace index at `MAX_GAME_DEPTH`.
        trace_index: u128,
        /// Output-root block for claims at or above the split depth.
        l2_block: Option<u64>,
        /// Claimed value.
        claim: B256,
        /// Bond paid.
        bond: U256,
    },
    /// Local data loaded into the oracle before a step.
    LocalData {
        /// Identifier.
        ident: u64,
        /// Leaf used for the context.
        leaf_index: usize,
    },
    /// A successful step.
    Step {
        /// Stepper name.
        who: String,
        /// The countered leaf.
        leaf_index: usize,
        /// Attack or defend step.
        is_attack: bool,
        /// Trace index of the step (the VM instruction number in the sub-game).
        step_trace_index: u128,
        /// Post-state the VM computed.
        vm_post_state: B256,
        /// The leaf's claim.
        leaf_claim: B256,
    },
    /// A subgame resolved.
    ClaimResolved {
        /// Subgame root index.
        index: usize,
        /// Who got its bond.
        recipient: String,
        /// Whether it ended countered.
        countered: bool,
    },
    /// The game resolved.
    Resolved {
        /// Final status.
        status: GameStatus,
    },
    /// `closeGame`.
    Closed {
        /// Distribution mode.
        mode: BondDistributionMode,
    },
    /// Credit paid out.
    Paid {
        /// Recipient name.
        who: String,
        /// Amount.
        amount: U256,
    },
    /// Final balance of a participant.
    Balance {
        /// Participant name.
        who: String,
        /// ETH deposited.
        deposited: U256,
        /// ETH paid out.
        paid: U256,
    },
}

/// Formats wei as ETH with up to 7 decimals.
fn eth(v: U256) -> String {
    let wei = U256::from(1_000_000_000_000_000_000u128);
    let whole = v / wei;
    let frac = (v % wei) / U256::from(100_000_000_000u64);
    format!("{whole}.{:07} ETH", frac.to::<u64>())
}

fn short(h: B256) -> String {
    let s = format!("{h}");
    format!("{}…{}", &s[..10], &s[s.len() - 6..])
}

impl fmt::Display for TranscriptEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created { proposer, root_claim, l2_block, anchor_block, bond } => write!(
                f,
                "create   {proposer} proposes {} for L2 block {l2_block} (anchor {anchor_block}), bond {}",
                short(*root_claim),
                eth(*bond)
            ),
            Self::Move { index, parent_index, who, is_attack, depth, position, trace_index, l2_block, claim, bond } => {
                write!(
                    f,
                    "move #{index:<3} {who} {} #{parent_index}: depth {depth}, position {position}, trace index {trace_index}",
                    if *is_attack { "attacks" } else { "defends" }
                )?;
                if let Some(b) = l2_block {
                    write!(f, " (L2 block {b})")?;
                }
                write!(f, ", claim {}, bond {}", short(*claim), eth(*bond))
            }
            Self::LocalData { ident, leaf_index } => write!(f, "oracle   local key {ident} loaded for leaf #{leaf_index}"),
            Self::Step { who, leaf_index, is_attack, step_trace_index, vm_post_state, leaf_claim } => write!(
                f,
                "step     {who} {} leaf #{leaf_index} with one VM step (instruction {step_trace_index} of the sub-game): VM says {}, leaf claimed {}",
                if *is_attack { "attacks" } else { "defends against" },
                short(*vm_post_state),
                short(*leaf_claim)
            ),
            Self::ClaimResolved { index, recipient, countered } => write!(
                f,
                "resolve  claim #{index} {}; bond to {recipient}",
                if *countered { "countered" } else { "stands" }
            ),
            Self::Resolved { status } => write!(f, "result   {status:?}"),
            Self::Closed { mode } => write!(f, "close    bond distribution {mode:?}"),
            Self::Paid { who, amount } => write!(f, "paid     {who} withdraws {}", eth(*amount)),
            Self::Balance { who, deposited, paid } => {
                write!(f, "balance  {who}: deposited {}, received {}", eth(*deposited), eth(*paid))
            }
        }
    }
}

/// Builds the transcript of a game from its events; `names` labels known addresses.
pub fn transcript(game: &FaultDisputeGame, names: &BTreeMap<Address, String>) -> Vec<TranscriptEvent> {
    let name = |a: &Address| names.get(a).cloned().unwrap_or_else(|| format!("{a}"));
    let claims = game.claims();
    let max = game.max_game_depth();
    let mut out = vec![TranscriptEvent::Created {
        proposer: name(&claims[0].claimant),
        root_claim: claims[0].claim,
        l2_block: game.l2_block_number(),
        anchor_block: game.starting_output().1,
        bond: claims[0].bond,
    }];
    for e in game.events() {
        out.push(match e {
            GameEvent::Move { parent_index, claim_index, claim, claimant, is_attack } => {
                let c = &claims[*claim_index];
                let depth = c.position.depth();
                TranscriptEvent::Move {
                    index: *claim_index,
                    parent_index: *parent_index,
                    who: name(claimant),
                    is_attack: *is_attack,
                    depth,
                    position: c.position.gindex(),
                    trace_index: c.position.trace_index(max),
                    l2_block: (depth <= game.split_depth()).then(|| game.output_block_number(c.position)),
                    claim: *claim,
                    bond: c.bond,
                }
            }
            GameEvent::LocalData { ident, exec_leaf_index, .. } => {
                TranscriptEvent::LocalData { ident: *ident, leaf_index: *exec_leaf_index }
            }
            GameEvent::Step { claim_index, is_attack, by, vm_post_state } => {
                let leaf = &claims[*claim_index];
                let exec_depth = max - game.split_depth() - 1;
                let sub_index = leaf.position.trace_index(max) & ((1u128 << exec_depth) - 1);
                TranscriptEvent::Step {
                    who: name(by),
                    leaf_index: *claim_index,
                    is_attack: *is_attack,
                    step_trace_index: if *is_attack { sub_index } else { sub_index + 1 },
                    vm_post_state: *vm_post_state,
                    leaf_claim: leaf.claim,
                }
            }
            GameEvent::L2BlockChallenged { by } => TranscriptEvent::ClaimResolved {
                index: 0,
                recipient: format!("{} (L2 block number challenge)", name(by)),
                countered: true,
            },
            GameEvent::ClaimResolved { claim_index, recipient, countered } => TranscriptEvent::ClaimResolved {
                index: *claim_index,
                recipient: name(recipient),
                countered: *countered,
            },
            GameEvent::Resolved { status } => TranscriptEvent::Resolved { status: *status },
            GameEvent::GameClosed { mode } => TranscriptEvent::Closed { mode: *mode },
            GameEvent::CreditUnlocked { .. } => continue,
            GameEvent::CreditPaid { recipient, amount } => {
                TranscriptEvent::Paid { who: name(recipient), amount: *amount }
            }
        });
    }
    for a in game.participants() {
        out.push(TranscriptEvent::Balance { who: name(&a), deposited: game.deposited(a), paid: game.paid(a) });
    }
    out
}

/// Runs a game between a (dishonest) proposer and an honest challenger and returns the outcome and the
/// transcript. The proposer should be an agent that defends its own (wrong) trace, e.g. a
/// [`crate::HonestChallenger`] over a wrong trace, so the game bisects down to one VM step.
pub fn run_transcript(
    game: &mut FaultDisputeGame,
    proposer: &mut dyn Player,
    challenger: &mut dyn Player,
    names: &BTreeMap<Address, String>,
    run: RunConfig,
) -> (GameOutcome, Vec<TranscriptEvent>) {
    let outcome = run_game(game, &mut [challenger, proposer], run);
    (outcome, transcript(game, names))
}
