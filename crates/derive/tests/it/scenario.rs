//! Scenario generation: an L1 chain whose batcher posted a generated L2 chain as singular and span batches in
//! zlib and brotli channels, frames split over transactions, with optional hostile changes.

use crate::harness::{Batcher, L1Chain, Rng};
use alloy_consensus::{SignableTransaction, TxEip1559};
use alloy_eips::{eip2718::Encodable2718, BlockNumHash};
use alloy_primitives::{address, Address, Bytes, Signature, TxKind, B256, U256};
use rampart_genesis::{ChainGenesis, HardForkConfig, RollupConfig, SystemConfig};
use rampart_protocol::{
    Batch, BlockInfo, ChannelCompression, ChannelOut, L2BlockInfo, SingleBatch, SpanBatch,
    MAX_RLP_BYTES_PER_CHANNEL_FJORD,
};

pub(crate) const INBOX: Address = address!("ff00000000000000000000000000000000000901");
pub(crate) const L1_TIME: u64 = 1_700_000_000;
/// The L1 deposit contract of the test rollup.
pub(crate) const PORTAL: Address = address!("dc00000000000000000000000000000000000901");

/// One or two successful receipts with 1-3 user deposits to the portal (and a log from elsewhere).
fn deposit_receipts(rng: &mut Rng) -> Vec<alloy_consensus::Receipt> {
    (0..1 + rng.below(2))
        .map(|_| {
            let mut logs: Vec<_> = (0..1 + rng.below(2))
                .map(|_| {
                    let d = op_alloy_consensus::TxDeposit {
                        from: Address::repeat_byte(rng.next() as u8),
                        to: TxKind::Call(Address::repeat_byte(rng.next() as u8)),
                        mint: u128::from(rng.below(1 << 40)),
                        value: U256::from(rng.below(1 << 40)),
                        gas_limit: 21_000 + rng.below(100_000),
                        input: Bytes::from(vec![rng.next() as u8; rng.below(40) as usize]),
                        ..Default::default()
                    };
                    rampart_protocol::encode_deposit_log(PORTAL, &d)
                })
                .collect();
            logs.push(alloy_primitives::Log::new_unchecked(Address::repeat_byte(1), vec![B256::ZERO], Bytes::new()));
            alloy_consensus::Receipt {
                status: alloy_consensus::Eip658Value::Eip658(true),
                cumulative_gas_used: 21_000,
                logs,
            }
        })
        .collect()
}

pub(crate) fn config(holocene: bool, batcher: Address) -> RollupConfig {
    config_with(holocene, batcher, 3600)
}

/// The test rollup with a given sequencing window (small windows force deposit-only batches).
pub(crate) fn config_with(holocene: bool, batcher: Address, seq_window_size: u64) -> RollupConfig {
    RollupConfig {
        genesis: ChainGenesis {
            l1: BlockNumHash { number: 0, hash: B256::ZERO },
            l2: BlockNumHash { number: 0, hash: B256::ZERO },
            l2_time: L1_TIME,
            system_config: Some(SystemConfig { batcher_address: batcher, gas_limit: 30_000_000, ..Default::default() }),
        },
        block_time: 2,
        max_sequencer_drift: 600,
        seq_window_size,
        channel_timeout: 300,
        l2_chain_id: 900,
        batch_inbox_address: INBOX,
        deposit_contract_address: PORTAL,
        hardforks: HardForkConfig {
            regolith_time: Some(0),
            canyon_time: Some(0),
            delta_time: Some(0),
            fjord_time: Some(0),
            holocene_time: holocene.then_some(0),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn user_tx(rng: &mut Rng) -> Bytes {
    let tx = TxEip1559 {
        chain_id: 900,
        nonce: rng.below(100),
        gas_limit: 21_000 + rng.below(100_000),
        max_fee_per_gas: u128::from(rng.below(1 << 40)),
        max_priority_fee_per_gas: u128::from(rng.below(1 << 20)),
        to: TxKind::Call(Address::repeat_byte(rng.next() as u8)),
        value: U256::from(rng.next()),
        access_list: Default::default(),
        input: Bytes::from(vec![rng.next() as u8; rng.below(40) as usize]),
    };
    let sig = Signature::new(U256::from(rng.next() | 1), U256::from(rng.next() | 1), rng.next() & 1 == 1);
    Bytes::from(tx.into_signed(sig).encoded_2718())
}

/// One generated scenario: the L1 chain with the batcher's transactions, and the L2 chain it must derive.
pub(crate) struct Scenario {
    pub(crate) l1: L1Chain,
    pub(crate) l2_blocks: Vec<(L2BlockInfo, Vec<Bytes>)>,
    pub(crate) batcher: Address,
    /// Counts of what was posted: frames, channels, batches.
    pub(crate) posted: (usize, usize, usize),
}

pub(crate) fn scenario(rng: &mut Rng, holocene: bool, l2_count: u64, hostile: bool) -> Scenario {
    let mut batcher = Batcher::new();
    // L1: 12 s blocks, enough past the last L2 block for its batches to land.
    let l1_count = (l2_count * 2) / 12 + 12;
    let mut l1 = L1Chain::default();
    let mut parent = B256::ZERO;
    for n in 0..l1_count {
        // Real headers (the block hash is the header's); every third block carries user deposits.
        let mix_hash = if n == 0 { B256::ZERO } else { rng.b256() };
        let header = alloy_consensus::Header {
            parent_hash: parent,
            number: n,
            timestamp: L1_TIME + 12 * n,
            mix_hash,
            base_fee_per_gas: Some(7 + n),
            ..Default::default()
        };
        let hash = header.hash_slow();
        l1.blocks.push(BlockInfo { hash, number: n, parent_hash: parent, timestamp: header.timestamp });
        l1.headers.insert(hash, header);
        if n % 3 == 1 {
            l1.receipts.insert(hash, deposit_receipts(&mut Rng(n)));
        }
        parent = hash;
    }
    // L2: 2 s blocks, each on the latest L1 block not newer than itself.
    let mut l2_blocks = vec![(
        L2BlockInfo::new(
            BlockInfo { hash: B256::ZERO, number: 0, parent_hash: B256::ZERO, timestamp: L1_TIME },
            l1.blocks[0].id(),
            0,
        ),
        Vec::new(),
    )];
    for n in 1..=l2_count {
        let ts = L1_TIME + 2 * n;
        let epoch = l1.blocks[((ts - L1_TIME) / 12) as usize];
        let prev = l2_blocks.last().unwrap().0;
        let seq = if prev.l1_origin.number == epoch.number { prev.seq_num + 1 } else { 0 };
        let info = L2BlockInfo::new(
            BlockInfo { hash: rng.b256(), number: n, parent_hash: prev.block_info.hash, timestamp: ts },
            epoch.id(),
            seq,
        );
        let txs = (0..rng.below(4)).map(|_| user_tx(rng)).collect();
        l2_blocks.push((info, txs));
    }
    // The batcher: consecutive runs of blocks in channels, posted after their last epoch.
    let mut next = 1u64;
    let mut channel_no = 0u8;
    let mut last_at = 0u64;
    let mut posted = (0, 0, 0);
    while next <= l2_count {
        let end = (next + rng.below(12)).min(l2_count);
        let singles: Vec<SingleBatch> = (next..=end)
            .map(|n| {
                let (info, txs) = &l2_blocks[n as usize];
                SingleBatch {
                    parent_hash: info.block_info.parent_hash,
                    epoch_num: info.l1_origin.number,
                    epoch_hash: info.l1_origin.hash,
                    timestamp: info.block_info.timestamp,
                    transactions: txs.clone(),
                }
            })
            .collect();
        // Hostile: a batch that builds on the wrong parent. Only before Holocene: under Holocene kona-derive
        // (0.4.5 and the optimism monorepo v1.19.6) overwrites a singular batch's parent hash with the safe
        // head's before checking it, where op-node drops the batch; that divergence has its own test.
        let mut singles = singles;
        if hostile && !holocene && rng.below(12) == 0 {
            singles[0].parent_hash = rng.b256();
        }
        posted.1 += 1;
        let compression = if rng.below(2) == 0 { ChannelCompression::Zlib(9) } else { ChannelCompression::Brotli(6) };
        let mut out = ChannelOut::new([channel_no; 16], compression, MAX_RLP_BYTES_PER_CHANNEL_FJORD);
        channel_no = channel_no.wrapping_add(1);
        if rng.below(2) == 0 {
            for b in &singles {
                out.add_batch(&Batch::Single(b.clone())).unwrap();
            }
            posted.2 += singles.len();
        } else {
            let seq = l2_blocks[next as usize].0.seq_num;
            let span = SpanBatch::from_singles(&singles, seq).unwrap().to_raw(L1_TIME, 900).unwrap();
            out.add_batch(&Batch::Span(span)).unwrap();
            posted.2 += 1;
        }
        let mut frames = out.frames(200 + rng.below(2000) as usize).unwrap();
        if !holocene && frames.len() > 1 && rng.below(2) == 0 {
            // Pre-Holocene the channel bank takes frames in any order and ignores duplicates.
            let last = frames.len() - 1;
            frames.swap(0, last);
            frames.push(frames[0].clone());
        }
        let last_epoch = l2_blocks[end as usize].0.l1_origin.number;
        // Holocene requires batches in order: never post a channel before the previous one. Before Holocene a
        // later channel may land first: the batch queue keeps future batches.
        let mut at = (last_epoch + 1 + rng.below(2)).min(l1_count - 1);
        if holocene {
            at = at.max(last_at);
        }
        last_at = at;
        // Hostile: a stale channel, posted past its channel timeout or sequencing window.
        if hostile && rng.below(15) == 0 {
            at = (at + 8 + rng.below(8)).min(l1_count - 1);
        }
        let hash = l1.blocks[at as usize].hash;
        posted.0 += frames.len();
        for chunk in frames.chunks(1 + rng.below(3) as usize) {
            let mut data = rampart_protocol::encode_frames(chunk).unwrap();
            let mut target = hash;
            if hostile {
                let choice = rng.below(20);
                match choice {
                    // A lost transaction: the channel never completes (and times out).
                    0 => continue,
                    // Truncated or corrupted batcher data.
                    1 => data.truncate(rng.below(data.len() as u64) as usize),
                    2 => {
                        let i = rng.below(data.len() as u64) as usize;
                        data[i] ^= 1 << rng.below(8);
                    }
                    // A duplicate in the next L1 block.
                    3 if at + 1 < l1_count => {
                        let next = l1.blocks[at as usize + 1].hash;
                        l1.txs.entry(next).or_default().push(batcher.tx(INBOX, data.clone(), None));
                    }
                    // Moved to the next L1 block (out of order with what follows in this one).
                    4 if at + 1 < l1_count => target = l1.blocks[at as usize + 1].hash,
                    _ => {}
                }
            }
            l1.txs.entry(target).or_default().push(batcher.tx(INBOX, data, None));
        }
        // Noise: a transaction to the inbox from someone else, and one elsewhere.
        let stranger = k256::ecdsa::SigningKey::from_slice(&[7; 32]).unwrap();
        l1.txs.entry(hash).or_default().push(batcher.tx(INBOX, vec![0, 1, 2], Some(&stranger)));
        l1.txs.entry(hash).or_default().push(batcher.tx(Address::ZERO, vec![0], None));
        next = end + 1;
    }
    Scenario { l1, l2_blocks, batcher: batcher.address, posted }
}
