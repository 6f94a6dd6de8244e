#![doc = include_str!("../README.md")]

pub mod bond;
mod challenger;
mod clock;
pub mod errors;
mod game;
pub mod lpp;
pub mod oracle;
mod position;
pub mod rlp;
mod stepper;
mod super_permissioned;
#[cfg(feature = "test-utils")]
pub mod super_toy;
mod super_trace;
#[cfg(feature = "test-utils")]
pub mod toy;
mod trace;
mod transcript;
mod types;

pub use challenger::{Action, HonestChallenger, Player, LPP_PENDING};
pub use clock::Clock;
pub use errors::{ChallengerError, GameError, GameResult, OracleError, TraceError};
pub use game::{super_game_uuid, FaultDisputeGame, GameEvent, GameInit, SuperGameInit};
pub use oracle::PreimageOracle;
pub use position::{Position, MAX_POSITION_BITLEN};
pub use stepper::{AlphabetVm, BigStepper, VerifierStepper, VmStepError};
pub use super_permissioned::SuperPermissionedDisputeGame;
pub use super_trace::{
    ChainStates, SuperLocalInputs, SuperSplitTraceAccessor, SuperStates, SuperTraceProvider, SuperchainSource,
};
#[cfg(feature = "test-utils")]
pub use trace::fake_output;
pub use trace::{
    AlphabetBottom, AlphabetMode, AlphabetTraceProvider, BottomFactory, FnOutputs, OutputSource, OutputTraceProvider,
    PreimageData, SplitTraceAccessor, StepData, SubgameInputs, TraceAccessor, TraceProvider, VmBottom, VmTrace,
    VmTraceFactory, VmTraceProvider,
};
pub use transcript::{run_game, run_transcript, transcript, GameOutcome, RunConfig, TranscriptEvent};
pub use types::{
    AnchorStateRegistry, BondDistributionMode, ClaimData, GameConfig, GameStatus, GameType, OutputRootProof, VmStatus,
    ALPHABET_ABSOLUTE_PRESTATE,
};
