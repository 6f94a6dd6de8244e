//! Signals the driver sends down the stages.

use rampart_genesis::SystemConfig;
use rampart_protocol::{BlockInfo, L2BlockInfo};

/// A signal every stage passes to the one below after acting on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Re-seed from a safe head: stages drop their buffers, traversal restarts at `l1_origin`.
    Reset(ResetSignal),
    /// A fork activated (Holocene): like a reset, but the muxes switch stage versions.
    Activation(ActivationSignal),
    /// Holocene: the driver rejected the current batch's block; drop the channel it came from.
    FlushChannel,
}

/// Payload of [`Signal::Reset`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResetSignal {
    /// The L2 safe head to derive on top of.
    pub l2_safe_head: L2BlockInfo,
    /// The L1 block traversal restarts from.
    pub l1_origin: BlockInfo,
    /// The system config at the safe head.
    pub system_config: Option<SystemConfig>,
}

/// Payload of [`Signal::Activation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ActivationSignal {
    /// The L2 safe head to derive on top of.
    pub l2_safe_head: L2BlockInfo,
    /// The L1 block traversal restarts from.
    pub l1_origin: BlockInfo,
    /// The system config at the safe head.
    pub system_config: Option<SystemConfig>,
}

impl Signal {
    /// The reset payload of a reset or activation signal.
    pub const fn reset_payload(&self) -> Option<ResetSignal> {
        match *self {
            Self::Reset(r) => Some(r),
            Self::Activation(a) => Some(ResetSignal {
                l2_safe_head: a.l2_safe_head,
                l1_origin: a.l1_origin,
                system_config: a.system_config,
            }),
            Self::FlushChannel => None,
        }
    }
}
