//! The OP hardfork schedule: activation times as a rollup config carries them, and the ordering rule.

use serde::{Deserialize, Serialize};

/// An OP Stack network upgrade, in activation order (Bedrock is the genesis and is always active).
///
/// The order is the implication order: a fork is active whenever any later fork is active, which is
/// how kona-genesis (and so the deployed kona-client) evaluates a schedule. op-node instead rejects
/// out-of-order schedules in `Config.Check`; for ordered schedules both rules agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hardfork {
    /// Regolith (deposit fixes).
    Regolith,
    /// Canyon (Shanghai on L2).
    Canyon,
    /// Delta (span batches).
    Delta,
    /// Ecotone (Cancun on L2, blobs).
    Ecotone,
    /// Fjord (brotli, FastLZ fee, constants).
    Fjord,
    /// Granite (channel timeout 50, pairing limit).
    Granite,
    /// Holocene (strict derivation, EIP-1559 params in the system config).
    Holocene,
    /// Isthmus (Prague on L2, operator fee).
    Isthmus,
    /// Jovian (min base fee, DA footprint).
    Jovian,
    /// Karst (Osaka on L2).
    Karst,
    /// Lagoon (interop).
    Lagoon,
}

impl Hardfork {
    /// Every fork, in activation order.
    pub const ALL: [Self; 11] = [
        Self::Regolith,
        Self::Canyon,
        Self::Delta,
        Self::Ecotone,
        Self::Fjord,
        Self::Granite,
        Self::Holocene,
        Self::Isthmus,
        Self::Jovian,
        Self::Karst,
        Self::Lagoon,
    ];

    /// The upstream name of the fork.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Regolith => "Regolith",
            Self::Canyon => "Canyon",
            Self::Delta => "Delta",
            Self::Ecotone => "Ecotone",
            Self::Fjord => "Fjord",
            Self::Granite => "Granite",
            Self::Holocene => "Holocene",
            Self::Isthmus => "Isthmus",
            Self::Jovian => "Jovian",
            Self::Karst => "Karst",
            Self::Lagoon => "Lagoon",
        }
    }

    const fn idx(self) -> usize {
        self as usize
    }
}

/// Activation times of the hardforks (`None` = not scheduled), with op-node's `rollup.json` key names
/// (`<fork>_time`, flattened into the rollup config).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct HardForkConfig {
    /// `regolith_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regolith_time: Option<u64>,
    /// `canyon_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canyon_time: Option<u64>,
    /// `delta_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta_time: Option<u64>,
    /// `ecotone_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecotone_time: Option<u64>,
    /// `fjord_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fjord_time: Option<u64>,
    /// `granite_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub granite_time: Option<u64>,
    /// `holocene_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holocene_time: Option<u64>,
    /// `pectra_blob_schedule_time`: until this L2 time (exclusive) the L1-info blob base fee uses the
    /// Cancun blob parameters even on a Prague L1 (OP Sepolia's op-node <= v1.11.1 quirk). Not part
    /// of the fork ordering.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pectra_blob_schedule_time: Option<u64>,
    /// `isthmus_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isthmus_time: Option<u64>,
    /// `jovian_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub jovian_time: Option<u64>,
    /// `karst_time`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub karst_time: Option<u64>,
    /// `keep_karst_upgrade_gas`: keep the Karst upgrade gas in the gas limit after the activation block
    /// (chains that activated Karst before op-node's fix, e.g. OP Mainnet); default `false`.
    #[serde(default, skip_serializing_if = "core::ops::Not::not")]
    pub keep_karst_upgrade_gas: bool,
    /// `lagoon_time` (interop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lagoon_time: Option<u64>,
}

impl HardForkConfig {
    /// The scheduled time of `fork` as written in the config (no implication).
    pub const fn scheduled(&self, fork: Hardfork) -> Option<u64> {
        match fork {
            Hardfork::Regolith => self.regolith_time,
            Hardfork::Canyon => self.canyon_time,
            Hardfork::Delta => self.delta_time,
            Hardfork::Ecotone => self.ecotone_time,
            Hardfork::Fjord => self.fjord_time,
            Hardfork::Granite => self.granite_time,
            Hardfork::Holocene => self.holocene_time,
            Hardfork::Isthmus => self.isthmus_time,
            Hardfork::Jovian => self.jovian_time,
            Hardfork::Karst => self.karst_time,
            Hardfork::Lagoon => self.lagoon_time,
        }
    }

    /// Sets (or clears) the scheduled time of `fork`.
    pub const fn set(&mut self, fork: Hardfork, time: Option<u64>) {
        let slot = match fork {
            Hardfork::Regolith => &mut self.regolith_time,
            Hardfork::Canyon => &mut self.canyon_time,
            Hardfork::Delta => &mut self.delta_time,
            Hardfork::Ecotone => &mut self.ecotone_time,
            Hardfork::Fjord => &mut self.fjord_time,
            Hardfork::Granite => &mut self.granite_time,
            Hardfork::Holocene => &mut self.holocene_time,
            Hardfork::Isthmus => &mut self.isthmus_time,
            Hardfork::Jovian => &mut self.jovian_time,
            Hardfork::Karst => &mut self.karst_time,
            Hardfork::Lagoon => &mut self.lagoon_time,
        };
        *slot = time;
    }

    /// The time from which `fork` is in effect: the earliest scheduled time of `fork` or any later
    /// fork (a later fork implies the earlier ones).
    pub fn activation(&self, fork: Hardfork) -> Option<u64> {
        Hardfork::ALL[fork.idx()..].iter().filter_map(|f| self.scheduled(*f)).min()
    }

    /// Whether `fork` is in effect at L2 time `timestamp`.
    pub fn is_active(&self, fork: Hardfork, timestamp: u64) -> bool {
        self.activation(fork).is_some_and(|t| timestamp >= t)
    }

    /// The first fork (in activation order) whose scheduled time is later than a later fork's, if any:
    /// op-node rejects such a schedule, kona applies the implication rule.
    pub fn first_out_of_order(&self) -> Option<(Hardfork, Hardfork)> {
        let mut prev: Option<(Hardfork, Option<u64>)> = None;
        for fork in Hardfork::ALL {
            let t = self.scheduled(fork);
            if let Some((pf, pt)) = prev {
                match (pt, t) {
                    (None, Some(_)) => return Some((pf, fork)),
                    (Some(a), Some(b)) if a > b => return Some((pf, fork)),
                    _ => {}
                }
            }
            prev = Some((fork, t));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_fork_implies_earlier() {
        let cfg = HardForkConfig { canyon_time: Some(100), holocene_time: Some(50), ..Default::default() };
        assert_eq!(cfg.activation(Hardfork::Regolith), Some(50));
        assert_eq!(cfg.activation(Hardfork::Canyon), Some(50));
        assert_eq!(cfg.activation(Hardfork::Holocene), Some(50));
        assert_eq!(cfg.activation(Hardfork::Isthmus), None);
        assert!(cfg.is_active(Hardfork::Ecotone, 50) && !cfg.is_active(Hardfork::Ecotone, 49));
        assert_eq!(cfg.first_out_of_order(), Some((Hardfork::Regolith, Hardfork::Canyon)));
        let ordered = HardForkConfig { regolith_time: Some(0), canyon_time: Some(10), ..Default::default() };
        assert_eq!(ordered.first_out_of_order(), None);
    }

    #[test]
    fn set_and_scheduled_agree() {
        let mut cfg = HardForkConfig::default();
        for (i, fork) in Hardfork::ALL.into_iter().enumerate() {
            cfg.set(fork, Some(i as u64 * 10));
        }
        for (i, fork) in Hardfork::ALL.into_iter().enumerate() {
            assert_eq!(cfg.scheduled(fork), Some(i as u64 * 10), "{}", fork.name());
            assert_eq!(cfg.activation(fork), Some(i as u64 * 10));
        }
    }
}
