//! Chain configuration: the subset of the op-node rollup config that block building needs.

use alloc::vec::Vec;
use alloy_eips::eip1559::BaseFeeParams;
use alloy_op_hardforks::{ForkCondition, OpChainHardforks, OpHardfork};

/// Activation timestamps of the OP hardforks (`None` = not scheduled).
///
/// A fork counts as active when it or any later fork is active (as op-node and kona treat them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ForkTimes {
    /// Regolith.
    pub regolith: Option<u64>,
    /// Canyon.
    pub canyon: Option<u64>,
    /// Delta (no execution changes, listed for the cascade).
    pub delta: Option<u64>,
    /// Ecotone.
    pub ecotone: Option<u64>,
    /// Fjord.
    pub fjord: Option<u64>,
    /// Granite.
    pub granite: Option<u64>,
    /// Holocene.
    pub holocene: Option<u64>,
    /// Isthmus.
    pub isthmus: Option<u64>,
    /// Jovian.
    pub jovian: Option<u64>,
    /// Karst.
    pub karst: Option<u64>,
    /// Interop.
    pub interop: Option<u64>,
}

/// Chain parameters for block building.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainConfig {
    /// L2 chain id.
    pub chain_id: u64,
    /// Fork activation times.
    pub forks: ForkTimes,
    /// Pre-Canyon EIP-1559 elasticity multiplier.
    pub eip1559_elasticity: u64,
    /// Pre-Canyon EIP-1559 base fee max change denominator.
    pub eip1559_denominator: u64,
    /// Canyon+ EIP-1559 base fee max change denominator.
    pub eip1559_denominator_canyon: u64,
}

impl ForkTimes {
    /// Effective activation time of each fork in order Regolith..Interop, cascading later forks
    /// down (a fork is active whenever a later one is).
    fn effective(&self) -> [Option<u64>; 11] {
        let raw = [
            self.regolith,
            self.canyon,
            self.delta,
            self.ecotone,
            self.fjord,
            self.granite,
            self.holocene,
            self.isthmus,
            self.jovian,
            self.karst,
            self.interop,
        ];
        let mut out = raw;
        let mut later: Option<u64> = None;
        for i in (0..raw.len()).rev() {
            out[i] = match (raw[i], later) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            later = out[i];
        }
        out
    }

    fn active(&self, idx: usize, ts: u64) -> bool {
        self.effective()[idx].is_some_and(|t| ts >= t)
    }
    /// Whether Regolith is active at `ts`.
    pub fn is_regolith(&self, ts: u64) -> bool {
        self.active(0, ts)
    }
    /// Whether Canyon is active at `ts`.
    pub fn is_canyon(&self, ts: u64) -> bool {
        self.active(1, ts)
    }
    /// Whether Ecotone is active at `ts`.
    pub fn is_ecotone(&self, ts: u64) -> bool {
        self.active(3, ts)
    }
    /// Whether Holocene is active at `ts`.
    pub fn is_holocene(&self, ts: u64) -> bool {
        self.active(6, ts)
    }
    /// Whether Isthmus is active at `ts`.
    pub fn is_isthmus(&self, ts: u64) -> bool {
        self.active(7, ts)
    }
    /// Whether Jovian is active at `ts`.
    pub fn is_jovian(&self, ts: u64) -> bool {
        self.active(8, ts)
    }
    /// Whether Karst is active at `ts`.
    pub fn is_karst(&self, ts: u64) -> bool {
        self.active(9, ts)
    }
    /// Whether Interop is active at `ts`.
    pub fn is_interop(&self, ts: u64) -> bool {
        self.active(10, ts)
    }
    /// Whether `ts` is the first block of Jovian or of a later fork (its parent at `parent_ts` is not in that
    /// fork). Since Jovian such activation blocks may hold deposit transactions only.
    pub fn is_post_jovian_activation_block(&self, parent_ts: u64, ts: u64) -> bool {
        (8..11).any(|i| self.active(i, ts) && !self.active(i, parent_ts))
    }
}

impl ChainConfig {
    /// Hardfork schedule in the form `alloy-op-evm` consumes (Bedrock at genesis block 0).
    pub fn hardforks(&self) -> OpChainHardforks {
        let e = self.forks.effective();
        let cond = |t: Option<u64>| t.map_or(ForkCondition::Never, ForkCondition::Timestamp);
        let forks: Vec<(OpHardfork, ForkCondition)> = Vec::from([
            (OpHardfork::Bedrock, ForkCondition::Block(0)),
            (OpHardfork::Regolith, cond(e[0])),
            (OpHardfork::Canyon, cond(e[1])),
            (OpHardfork::Ecotone, cond(e[3])),
            (OpHardfork::Fjord, cond(e[4])),
            (OpHardfork::Granite, cond(e[5])),
            (OpHardfork::Holocene, cond(e[6])),
            (OpHardfork::Isthmus, cond(e[7])),
            (OpHardfork::Jovian, cond(e[8])),
            (OpHardfork::Karst, cond(e[9])),
            (OpHardfork::Interop, cond(e[10])),
        ]);
        OpChainHardforks::new(forks)
    }

    /// Default EIP-1559 parameters at `ts` (Canyon denominator once Canyon is active).
    pub fn base_fee_params(&self, ts: u64) -> BaseFeeParams {
        let denominator =
            if self.forks.is_canyon(ts) { self.eip1559_denominator_canyon } else { self.eip1559_denominator };
        BaseFeeParams::new(u128::from(denominator), u128::from(self.eip1559_elasticity))
    }

    /// Reads the fields block building needs from an op-node `rollup.json` (snake_case) value.
    #[cfg(feature = "std")]
    pub fn from_rollup_json(v: &serde_json::Value) -> Result<Self, crate::Error> {
        use crate::Error;
        use alloc::format;
        let time = |name: &str| -> Result<Option<u64>, Error> {
            match v.get(name) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(x) => x.as_u64().map(Some).ok_or_else(|| Error::Config(format!("`{name}` is not a u64"))),
            }
        };
        let chain_id = v
            .get("l2_chain_id")
            .and_then(|x| x.as_u64())
            .ok_or_else(|| Error::Config("`l2_chain_id` missing or not a u64".into()))?;
        let op = v.get("chain_op_config").ok_or_else(|| Error::Config("`chain_op_config` missing".into()))?;
        let param = |name: &str| -> Result<u64, Error> {
            op.get(name)
                .and_then(|x| x.as_u64())
                .ok_or_else(|| Error::Config(format!("`chain_op_config.{name}` missing or not a u64")))
        };
        let cfg = Self {
            chain_id,
            forks: ForkTimes {
                regolith: time("regolith_time")?,
                canyon: time("canyon_time")?,
                delta: time("delta_time")?,
                ecotone: time("ecotone_time")?,
                fjord: time("fjord_time")?,
                granite: time("granite_time")?,
                holocene: time("holocene_time")?,
                isthmus: time("isthmus_time")?,
                jovian: time("jovian_time")?,
                karst: time("karst_time")?,
                interop: time("interop_time")?,
            },
            eip1559_elasticity: param("eip1559Elasticity")?,
            eip1559_denominator: param("eip1559Denominator")?,
            eip1559_denominator_canyon: param("eip1559DenominatorCanyon")?,
        };
        if cfg.eip1559_denominator == 0 || cfg.eip1559_denominator_canyon == 0 || cfg.eip1559_elasticity == 0 {
            return Err(Error::Config("EIP-1559 denominator or elasticity is 0".into()));
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_op_hardforks::OpHardforks;

    #[test]
    fn later_forks_imply_earlier_ones() {
        let forks = ForkTimes { canyon: Some(100), holocene: Some(200), ..Default::default() };
        assert!(forks.is_regolith(100) && !forks.is_regolith(99));
        assert!(forks.is_ecotone(200) && !forks.is_ecotone(199));
        assert!(!forks.is_isthmus(u64::MAX));
        let cfg = ChainConfig {
            chain_id: 1,
            forks,
            eip1559_elasticity: 6,
            eip1559_denominator: 50,
            eip1559_denominator_canyon: 250,
        };
        let hf = cfg.hardforks();
        assert!(hf.is_holocene_active_at_timestamp(200));
        assert!(hf.is_granite_active_at_timestamp(200));
        assert!(!hf.is_isthmus_active_at_timestamp(10_000));
        assert_eq!(cfg.base_fee_params(99).max_change_denominator, 50);
        assert_eq!(cfg.base_fee_params(100).max_change_denominator, 250);
    }
}
