//! Shared game set-ups: an alphabet game and a toy-VM game, honest and lying accessors.

use std::sync::Arc;

use alloy_primitives::{Address, B256};
use rampart_game::toy::{toy_absolute_prestate, toy_output, ToyBug, ToyChain, ToyTraceFactory, ToyVm};
use rampart_game::{
    fake_output, AlphabetBottom, AlphabetMode, AlphabetVm, AnchorStateRegistry, BigStepper, FaultDisputeGame,
    FnOutputs, GameConfig, GameInit, GameType, HonestChallenger, SplitTraceAccessor, TraceAccessor, VmBottom,
    ALPHABET_ABSOLUTE_PRESTATE,
};

pub(crate) fn addr(b: u8) -> Address {
    Address::repeat_byte(b)
}
pub(crate) fn honest() -> Address {
    addr(0x11)
}
pub(crate) fn honest_proposer() -> Address {
    addr(0x12)
}
pub(crate) fn liar() -> Address {
    addr(0xee)
}

pub(crate) const ANCHOR_BLOCK: u64 = 1000;
pub(crate) const T0: u64 = 1_700_000_000;

/// Which VM a game uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Vm {
    Alphabet,
    Toy,
}

/// Shape and chain of one test game.
#[derive(Clone, Debug)]
pub(crate) struct Setup {
    pub(crate) vm: Vm,
    pub(crate) max: u8,
    pub(crate) split: u8,
    pub(crate) proposal_block: u64,
    pub(crate) work: u32,
    pub(crate) anchor_root: B256,
    pub(crate) chain: ToyChain,
}

pub(crate) type Accessor = Box<dyn TraceAccessor>;

impl Setup {
    pub(crate) fn alphabet() -> Self {
        Self::new(Vm::Alphabet, 8, 4, 11)
    }

    pub(crate) fn toy() -> Self {
        Self::new(Vm::Toy, 10, 4, 12)
    }

    pub(crate) fn new(vm: Vm, max: u8, split: u8, blocks: u64) -> Self {
        let work = 12;
        let anchor_root = toy_output(ANCHOR_BLOCK, B256::repeat_byte(0xa0));
        let chain = ToyChain::new(anchor_root, ANCHOR_BLOCK, blocks + 2, work);
        Self { vm, max, split, proposal_block: ANCHOR_BLOCK + blocks, work, anchor_root, chain }
    }

    pub(crate) fn prestate(&self) -> B256 {
        match self.vm {
            Vm::Alphabet => ALPHABET_ABSOLUTE_PRESTATE,
            Vm::Toy => toy_absolute_prestate(self.work),
        }
    }

    pub(crate) fn config(&self) -> GameConfig {
        let ty = if self.vm == Vm::Alphabet { GameType::ALPHABET } else { GameType::CANNON };
        GameConfig::small(ty, self.prestate(), self.max, self.split)
    }

    pub(crate) fn stepper(&self) -> Arc<dyn BigStepper + Send + Sync> {
        match self.vm {
            Vm::Alphabet => Arc::new(AlphabetVm { absolute_prestate: ALPHABET_ABSOLUTE_PRESTATE }),
            Vm::Toy => Arc::new(ToyVm),
        }
    }

    /// The honest output root at `block`.
    pub(crate) fn honest_output(&self, block: u64) -> B256 {
        match self.vm {
            Vm::Alphabet => {
                if block == ANCHOR_BLOCK {
                    self.anchor_root
                } else {
                    fake_output(1, block)
                }
            }
            Vm::Toy => self.chain.outputs[(block - ANCHOR_BLOCK) as usize],
        }
    }

    pub(crate) fn create(&self, creator: Address, root: B256) -> FaultDisputeGame {
        self.create_with(self.stepper(), creator, root)
    }

    pub(crate) fn create_with(
        &self,
        vm: Arc<dyn BigStepper + Send + Sync>,
        creator: Address,
        root: B256,
    ) -> FaultDisputeGame {
        let cfg = self.config();
        let registry = AnchorStateRegistry::new(self.anchor_root, ANCHOR_BLOCK, cfg.game_type);
        let init = GameInit {
            creator,
            root_claim: root,
            l2_block_number: self.proposal_block,
            l1_head: B256::repeat_byte(0x1e),
            value: cfg.init_bond,
            now: T0,
        };
        FaultDisputeGame::create(cfg, vm, registry, init).expect("game creation")
    }

    /// The honest trace accessor for `game`.
    pub(crate) fn honest_accessor(&self, game: &FaultDisputeGame) -> Accessor {
        match self.vm {
            Vm::Alphabet => {
                let me = self.clone();
                let outputs = FnOutputs(move |b| me.honest_output(b));
                let bottom = AlphabetBottom { mode: AlphabetMode::VmConsistent };
                Box::new(SplitTraceAccessor::for_game(game, outputs, bottom, u64::MAX))
            }
            Vm::Toy => {
                let bottom = VmBottom(ToyTraceFactory { work: self.work, bug: None });
                Box::new(SplitTraceAccessor::for_game(game, self.chain.clone(), bottom, u64::MAX))
            }
        }
    }

    /// A consistent liar: outputs from block `from` on differ (toy: a buggy machine at work round `round`).
    pub(crate) fn liar_accessor(&self, game: &FaultDisputeGame, from: u64, round: u32) -> Accessor {
        match self.vm {
            Vm::Alphabet => {
                let me = self.clone();
                let outputs = FnOutputs(move |b| if b >= from { fake_output(2, b) } else { me.honest_output(b) });
                let bottom = AlphabetBottom { mode: AlphabetMode::VmConsistent };
                Box::new(SplitTraceAccessor::for_game(game, outputs, bottom, u64::MAX))
            }
            Vm::Toy => {
                let bug = Some(ToyBug { round });
                let chain = ToyChain::new_with(
                    self.anchor_root,
                    ANCHOR_BLOCK,
                    self.chain.outputs.len() as u64,
                    self.work,
                    from,
                    bug,
                );
                let bottom = VmBottom(ToyTraceFactory { work: self.work, bug });
                Box::new(SplitTraceAccessor::for_game(game, chain, bottom, u64::MAX))
            }
        }
    }

    /// The root a liar with `liar_accessor(from, round)` proposes.
    pub(crate) fn liar_root(&self, from: u64, round: u32) -> B256 {
        match self.vm {
            Vm::Alphabet => fake_output(2, self.proposal_block),
            Vm::Toy => {
                let chain = ToyChain::new_with(
                    self.anchor_root,
                    ANCHOR_BLOCK,
                    self.chain.outputs.len() as u64,
                    self.work,
                    from,
                    Some(ToyBug { round }),
                );
                chain.outputs[(self.proposal_block - ANCHOR_BLOCK) as usize]
            }
        }
    }
}

/// An honest challenger over a boxed accessor.
pub(crate) fn challenger(who: Address, acc: Accessor) -> HonestChallenger<Accessor> {
    HonestChallenger::new(who, acc)
}
