//! L1 traversal: walks the L1 chain one block at a time from the reset origin, checks each block builds on
//! the previous one, and keeps the system config current by applying each new block's `ConfigUpdate` logs
//! (derivation spec "L1 Traversal").

use crate::{
    errors::{PipelineError, ResetError},
    signal::Signal,
    system_config::apply_receipts,
    traits::{ChainProvider, L1RetrievalProvider, OriginAdvancer, OriginProvider, SignalReceiver},
    PipelineResult,
};
use alloc::{format, sync::Arc};
use alloy_primitives::Address;
use rampart_genesis::{RollupConfig, SystemConfig};
use rampart_protocol::BlockInfo;

/// The bottom stage: the current L1 origin and the system config as of that origin.
///
/// * [`L1RetrievalProvider::next_l1_block`] hands the origin out once; afterwards `None` until the origin
///   advances.
/// * [`OriginAdvancer::advance_origin`] reads block `origin + 1` by number. The provider signals that it has
///   no such block (past the L1 head) through its error conversion, with
///   [`PipelineError::EndOfSource`] as a critical error, which this stage passes on unchanged; any other
///   provider error passes on with the kind the provider chose. A block whose parent hash is not the
///   origin's hash is a reorg ([`ResetError::ReorgDetected`]). The new block's receipts update the system
///   config (critical [`PipelineError::SystemConfigUpdate`] on a malformed `ConfigUpdate` log); then the
///   origin moves. Moving from a pre-Holocene to a Holocene origin returns
///   [`ResetError::HoloceneActivation`] after the move, so the driver sends the activation signal.
/// * A reset or activation signal sets the origin and, when the signal carries one, the system config.
#[derive(Debug, Clone)]
pub struct L1Traversal<C> {
    chain: C,
    cfg: Arc<RollupConfig>,
    block: Option<BlockInfo>,
    done: bool,
    system_config: SystemConfig,
}

impl<C: ChainProvider> L1Traversal<C> {
    /// The stage over `chain`; it has no origin until reset. The system config starts as the genesis one.
    pub fn new(chain: C, cfg: Arc<RollupConfig>) -> Self {
        let system_config = cfg.genesis.system_config.unwrap_or_default();
        Self { chain, cfg, block: None, done: false, system_config }
    }

    /// The system config as of the current origin.
    pub const fn system_config(&self) -> &SystemConfig {
        &self.system_config
    }

    /// The L1 chain provider.
    pub const fn chain(&self) -> &C {
        &self.chain
    }

    /// The L1 chain provider, mutably.
    pub fn chain_mut(&mut self) -> &mut C {
        &mut self.chain
    }
}

impl<C: ChainProvider> L1RetrievalProvider for L1Traversal<C> {
    fn next_l1_block(&mut self) -> PipelineResult<Option<BlockInfo>> {
        if self.done {
            return Ok(None);
        }
        self.done = true;
        Ok(self.block)
    }

    fn batcher_addr(&self) -> Address {
        self.system_config.batcher_address
    }
}

impl<C: ChainProvider> OriginProvider for L1Traversal<C> {
    fn origin(&self) -> Option<BlockInfo> {
        self.block
    }
}

impl<C: ChainProvider> OriginAdvancer for L1Traversal<C> {
    fn advance_origin(&mut self) -> PipelineResult<()> {
        let block = self.block.ok_or(PipelineError::MissingOrigin.temp())?;
        let number = block.number.checked_add(1).ok_or(PipelineError::EndOfSource.crit())?;
        let next = self.chain.block_info_by_number(number).map_err(Into::into)?;
        if next.parent_hash != block.hash {
            return Err(ResetError::ReorgDetected { expected: block.hash, got: next.parent_hash }.reset());
        }
        let receipts = self.chain.receipts_by_hash(next.hash).map_err(Into::into)?;
        let mut system_config = self.system_config;
        apply_receipts(&mut system_config, &receipts, &self.cfg, next.timestamp)
            .map_err(|e| PipelineError::SystemConfigUpdate(format!("L1 block {}: {e}", next.number)).crit())?;
        self.system_config = system_config;
        self.block = Some(next);
        self.done = false;
        if !self.cfg.is_holocene_active(block.timestamp) && self.cfg.is_holocene_active(next.timestamp) {
            return Err(ResetError::HoloceneActivation.reset());
        }
        Ok(())
    }
}

impl<C: ChainProvider> SignalReceiver for L1Traversal<C> {
    fn signal(&mut self, signal: Signal) -> PipelineResult<()> {
        if let Some(r) = signal.reset_payload() {
            self.block = Some(r.l1_origin);
            self.done = false;
            if let Some(sc) = r.system_config {
                self.system_config = sc;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{errors::PipelineErrorKind, signal::ResetSignal};
    use alloc::{string::String, vec, vec::Vec};
    use alloy_consensus::{Eip658Value, Header, Receipt, TxEnvelope};
    use alloy_primitives::{Bytes, Log, LogData, B256};
    use rampart_protocol::CONFIG_UPDATE_TOPIC;

    const SYS: Address = Address::new([0x5c; 20]);

    #[derive(Debug, Clone, Default)]
    struct Chain {
        blocks: Vec<BlockInfo>,
        receipts: Vec<Vec<Receipt>>,
    }

    impl ChainProvider for Chain {
        type Error = PipelineErrorKind;
        fn header_by_hash(&mut self, _: B256) -> Result<Header, Self::Error> {
            Err(PipelineError::Provider(String::from("unused")).temp())
        }
        fn block_info_by_number(&mut self, n: u64) -> Result<BlockInfo, Self::Error> {
            self.blocks.get(n as usize).copied().ok_or(PipelineError::EndOfSource.crit())
        }
        fn receipts_by_hash(&mut self, hash: B256) -> Result<Vec<Receipt>, Self::Error> {
            let i = self.blocks.iter().position(|b| b.hash == hash).expect("known block");
            Ok(self.receipts[i].clone())
        }
        fn block_info_and_transactions_by_hash(
            &mut self,
            _: B256,
        ) -> Result<(BlockInfo, Vec<TxEnvelope>), Self::Error> {
            Err(PipelineError::Provider(String::from("unused")).temp())
        }
    }

    fn batcher_log(batcher: Address, good: bool) -> Log {
        let mut data = vec![0u8; 96];
        data[31] = 32;
        data[63] = 32;
        data[76..96].copy_from_slice(batcher.as_slice());
        if !good {
            data.truncate(90);
        }
        Log {
            address: SYS,
            data: LogData::new_unchecked(vec![CONFIG_UPDATE_TOPIC, B256::ZERO, B256::ZERO], Bytes::from(data)),
        }
    }

    /// Five L1 blocks 12 s apart; block 2 changes the batcher, Holocene at block 3's time.
    fn setup(bad_log: bool) -> (Chain, Arc<RollupConfig>) {
        let mut chain = Chain::default();
        let mut parent = B256::ZERO;
        for n in 0..5u64 {
            let hash = B256::with_last_byte(n as u8 + 1);
            chain.blocks.push(BlockInfo { hash, number: n, parent_hash: parent, timestamp: 1000 + 12 * n });
            let logs = if n == 2 { vec![batcher_log(Address::repeat_byte(0xbb), !bad_log)] } else { vec![] };
            chain.receipts.push(vec![Receipt { status: Eip658Value::Eip658(true), cumulative_gas_used: 1, logs }]);
            parent = hash;
        }
        let mut cfg = RollupConfig { l1_system_config_address: SYS, block_time: 2, ..Default::default() };
        cfg.hardforks.holocene_time = Some(1036);
        cfg.genesis.system_config =
            Some(SystemConfig { batcher_address: Address::repeat_byte(0xaa), ..Default::default() });
        (chain, Arc::new(cfg))
    }

    fn reset(t: &mut L1Traversal<Chain>, to: BlockInfo) {
        t.signal(Signal::Reset(ResetSignal { l1_origin: to, ..Default::default() })).unwrap();
    }

    #[test]
    fn walks_to_the_head_applying_updates() {
        let (chain, cfg) = setup(false);
        let blocks = chain.blocks.clone();
        let mut t = L1Traversal::new(chain, cfg);
        reset(&mut t, blocks[0]);
        assert_eq!(t.next_l1_block(), Ok(Some(blocks[0])));
        assert_eq!(t.next_l1_block(), Ok(None));
        t.advance_origin().unwrap();
        assert_eq!(t.batcher_addr(), Address::repeat_byte(0xaa));
        t.advance_origin().unwrap();
        assert_eq!(t.batcher_addr(), Address::repeat_byte(0xbb), "block 2's update applies on reaching it");
        // Block 3 is the first Holocene origin: the move happens, then the activation reset.
        assert_eq!(t.advance_origin(), Err(ResetError::HoloceneActivation.reset()));
        assert_eq!(t.origin(), Some(blocks[3]));
        assert_eq!(t.next_l1_block(), Ok(Some(blocks[3])));
        t.advance_origin().unwrap();
        assert_eq!(t.advance_origin(), Err(PipelineError::EndOfSource.crit()));
        assert_eq!(t.origin(), Some(blocks[4]));
    }

    #[test]
    fn reorg_and_malformed_update() {
        let (mut chain, cfg) = setup(false);
        chain.blocks[2].parent_hash = B256::repeat_byte(9);
        let blocks = chain.blocks.clone();
        let mut t = L1Traversal::new(chain, cfg);
        reset(&mut t, blocks[1]);
        assert_eq!(
            t.advance_origin(),
            Err(ResetError::ReorgDetected { expected: blocks[1].hash, got: B256::repeat_byte(9) }.reset())
        );
        assert_eq!(t.origin(), Some(blocks[1]));

        let (chain, cfg) = setup(true);
        let blocks = chain.blocks.clone();
        let mut t = L1Traversal::new(chain, cfg);
        reset(&mut t, blocks[1]);
        let err = t.advance_origin().unwrap_err();
        assert!(matches!(err, PipelineErrorKind::Critical(PipelineError::SystemConfigUpdate(_))), "{err}");
        assert_eq!((t.origin(), t.batcher_addr()), (Some(blocks[1]), Address::repeat_byte(0xaa)));
    }
}
