//! Error types of the game model, the trace providers and the challenger.

use alloy_primitives::B256;

/// Reverts of the FaultDisputeGame model, named after the contract's custom errors.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GameError {
    /// The game is not `IN_PROGRESS`.
    #[error("GameNotInProgress")]
    GameNotInProgress,
    /// A claim index points outside `claimData` (a Solidity array out-of-bounds panic).
    #[error("claim index {0} out of bounds")]
    InvalidClaimIndex(usize),
    /// `disputed` does not equal the parent's claim (front-running protection).
    #[error("InvalidDisputedClaimIndex")]
    InvalidDisputedClaimIndex,
    /// Defending the root claim or an execution-bisection root.
    #[error("CannotDefendRootClaim")]
    CannotDefendRootClaim,
    /// The root's L2 block number was challenged; the root can no longer be countered by moves.
    #[error("L2BlockNumberChallenged")]
    L2BlockNumberChallenged,
    /// A move or bond lookup below `MAX_GAME_DEPTH`.
    #[error("GameDepthExceeded")]
    GameDepthExceeded,
    /// An execution-bisection root with the wrong VM status byte, or a bad proposal at creation.
    #[error("UnexpectedRootClaim({0})")]
    UnexpectedRootClaim(B256),
    /// `msg.value` differs from the required bond.
    #[error("IncorrectBondAmount")]
    IncorrectBondAmount,
    /// The countering team's clock has run out.
    #[error("ClockTimeExceeded")]
    ClockTimeExceeded,
    /// The same claim already exists at this position under this parent.
    #[error("ClaimAlreadyExists")]
    ClaimAlreadyExists,
    /// `step` against a claim that is not at `MAX_GAME_DEPTH`.
    #[error("InvalidParent")]
    InvalidParent,
    /// The state data does not hash to the selected prestate claim.
    #[error("InvalidPrestate")]
    InvalidPrestate,
    /// The step agrees with the claim it tried to counter.
    #[error("ValidStep")]
    ValidStep,
    /// The leaf was already countered by a step.
    #[error("DuplicateStep")]
    DuplicateStep,
    /// The claim's challenge clock has not expired yet.
    #[error("ClockNotExpired")]
    ClockNotExpired,
    /// The subgame was already resolved.
    #[error("ClaimAlreadyResolved")]
    ClaimAlreadyResolved,
    /// A child subgame is not resolved yet (or the root is not resolved for `resolve`).
    #[error("OutOfOrderResolution")]
    OutOfOrderResolution,
    /// A trace-ancestor or local-data lookup on a claim at or above the split depth.
    #[error("ClaimAboveSplit")]
    ClaimAboveSplit,
    /// `addLocalData` with an unknown identifier.
    #[error("InvalidLocalIdent")]
    InvalidLocalIdent,
    /// `closeGame` while the registry is paused.
    #[error("GamePaused")]
    GamePaused,
    /// `closeGame` before `resolve`.
    #[error("GameNotResolved")]
    GameNotResolved,
    /// `closeGame` before the finality delay has passed.
    #[error("GameNotFinalized")]
    GameNotFinalized,
    /// Second `claimCredit` with zero credit.
    #[error("NoCreditToClaim")]
    NoCreditToClaim,
    /// The DelayedWETH withdrawal is not unlocked or not mature, or exceeds the unlocked amount.
    #[error("DelayedWETH: {0}")]
    DelayedWeth(&'static str),
    /// The root claim is already challenged on its L2 block number (second challenge).
    #[error("BlockNumberMatches")]
    BlockNumberMatches,
    /// The output root proof does not hash to the root claim.
    #[error("InvalidOutputRootProof")]
    InvalidOutputRootProof,
    /// The header RLP does not hash to the proof's block hash or cannot be decoded.
    #[error("InvalidHeaderRLP")]
    InvalidHeaderRlp,
    /// Constructor: `MAX_GAME_DEPTH` too large.
    #[error("MaxDepthTooLarge")]
    MaxDepthTooLarge,
    /// Constructor: bad `SPLIT_DEPTH`.
    #[error("InvalidSplitDepth")]
    InvalidSplitDepth,
    /// Constructor: clock extension does not fit the max clock duration.
    #[error("InvalidClockExtension")]
    InvalidClockExtension,
    /// `initialize`: the anchor root is zero.
    #[error("AnchorRootNotFound")]
    AnchorRootNotFound,
    /// The model's clock was moved backwards.
    #[error("timestamp {now} is before the current time {current}")]
    TimeWentBackwards {
        /// Requested time.
        now: u64,
        /// Current time.
        current: u64,
    },
    /// Preimage oracle revert (missing part, bad offset).
    #[error("PreimageOracle: {0}")]
    Oracle(#[from] OracleError),
    /// The VM's `step` reverted.
    #[error("VM step reverted: {0}")]
    VmStep(String),
    /// Super games: the `initialize` calldata length does not fit a super root `extraData`
    /// (`E − 9 > 0` and `(E − 9) % 64 == 0`).
    #[error("BadExtraData")]
    BadExtraData,
    /// Super games: the root claim is `keccak256("invalid")` (`SuperFaultDisputeGameInvalidRootClaim`).
    #[error("SuperFaultDisputeGameInvalidRootClaim")]
    InvalidRootClaim,
    /// Super games: `extraData` is not a version-1 super root (`Encoding` library revert).
    #[error("Encoding_InvalidSuperRootVersion")]
    InvalidSuperRootVersion,
    /// Super games: the root claim is not `keccak256(extraData)`.
    #[error("root claim is not the hash of the super root extraData")]
    SuperRootMismatch,
    /// Super games: the implementation's `l2ChainId` argument is not 0 (`NoChainIdNeeded`).
    #[error("NoChainIdNeeded")]
    NoChainIdNeeded,
    /// `rootClaimByChainId` for a chain the super root does not hold (`UnknownChainId`).
    #[error("UnknownChainId")]
    UnknownChainId,
    /// `SuperPermissionedDisputeGame.initialize` not sent by the proposer (`tx.origin`) (`BadAuth`).
    #[error("BadAuth")]
    BadAuth,
    /// The game has no such function (a call the contract would revert without data).
    #[error("{0} does not exist on this game")]
    NoSuchFunction(&'static str),
}

/// Reverts of the PreimageOracle model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OracleError {
    /// The part offset is outside the preimage (or the local size exceeds 32).
    #[error("PartOffsetOOB")]
    PartOffsetOob,
    /// No part was loaded for this key and offset.
    #[error("pre-image must exist")]
    PreimageNotFound,
    /// The KZG point-evaluation precompile rejected `loadBlobPreimagePart`'s input.
    #[error("InvalidInputSize / point evaluation failed: {0}")]
    InvalidBlobProof(String),
    /// `loadPrecompilePreimagePart` without a precompile implementation in the model, or one it does not know.
    #[error("precompile {0} is not available to the oracle model")]
    NoPrecompile(String),
    /// A large preimage proposal broke a rule (`initLPP`, `addLeavesLPP`, `squeezeLPP`).
    #[error("large preimage proposal: {0}")]
    Lpp(&'static str),
}

/// Failures of a trace provider (the honest side's data source, not a game revert).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TraceError {
    /// A position deeper than the provider's tree.
    #[error("position depth {depth} exceeds provider depth {max}")]
    IndexTooLarge {
        /// Depth of the requested position.
        depth: u8,
        /// Depth of the provider's tree.
        max: u8,
    },
    /// No claim with the needed trace index among the reference claim's ancestors.
    #[error("no ancestor with the required trace index")]
    AncestorNotFound,
    /// A VM trace failed to run or encode a state.
    #[error("vm trace: {0}")]
    Vm(String),
}

/// Failures of the honest challenger.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengerError {
    /// Its trace provider failed.
    #[error(transparent)]
    Trace(#[from] TraceError),
    /// The game rejected one of its transactions.
    #[error("game rejected action: {0}")]
    Game(#[from] GameError),
}

/// Result alias for game reverts.
pub type GameResult<T> = Result<T, GameError>;
