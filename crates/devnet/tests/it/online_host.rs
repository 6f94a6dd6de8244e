//! The online host (rampart-host's `OnlineHost` as `rampart host --l1-node-address ... --data-dir D` wires it)
//! serving Rampart's program pieces over the preimage channels, against the devnet's real nodes; then the same
//! run offline from the directory store the online run wrote.

use alloy_primitives::B256;
use rampart_derive::{ChainProvider, IndexedBlobHash};
use rampart_devnet::{claims::Claim, dataset::flag};
use rampart_executor::OpPayloadAttributes;
use rampart_host::{
    preimage::native::oracle_pipes, rpc::RetryPolicy, DirectoryKeyValueStore, HintHandler, KeyValueStore, LocalInputs,
    NodeUrls, OnlineHost, PreimageServer, ServeReport, SharedStore, SplitStore,
};
use rampart_program::{
    check_claim, execute_block, executor_config, prologue, BootInfo, ChannelOracle, OracleBlobProvider,
    OracleL1ChainProvider, ProgramError, Prologue,
};
use std::path::Path;

/// What one run checked.
#[derive(Debug)]
pub(crate) struct Run {
    /// The verdict (Ok: valid claim).
    pub(crate) verdict: Result<(), String>,
    /// What the server served (empty if it failed).
    pub(crate) served: ServeReport,
    /// Why the server failed (a key in no store), if it did.
    pub(crate) server_error: Option<String>,
    /// L1 headers walked back from the L1 head to the rollup's genesis L1 block.
    pub(crate) l1_walked: u64,
}

fn b256(c: &Claim, f: &str) -> [u8; 32] {
    flag(&c.host_args, f).unwrap().parse::<B256>().unwrap().0
}

fn locals(c: &Claim, dataset: &Path) -> LocalInputs {
    let json = |f: &str| {
        rampart_host::normalize_json(&std::fs::read(dataset.join(flag(&c.host_args, f).unwrap())).unwrap()).unwrap()
    };
    LocalInputs {
        l1_head: b256(c, "--l1-head"),
        agreed_output_root: b256(c, "--agreed-l2-output-root"),
        claimed_output_root: b256(c, "--claimed-l2-output-root"),
        claimed_block_number: c.l2_block,
        chain_id: c.l2_chain_id,
        rollup_config: Some(json("--rollup-config-path")),
        l1_config: Some(json("--l1-config-path")),
    }
}

/// The program's steps for `claim` over the oracle channels: boot info, agreed output and safe head, the L1 walk
/// from the head to genesis with the head's transactions and receipts, one blob, and the claimed block executed
/// from the witness; the verdict compares the output root with the claim.
fn program(
    oracle: &mut ChannelOracle<impl rampart_host::preimage::Channel, impl rampart_host::preimage::Channel>,
    attrs: &OpPayloadAttributes,
    blob: Option<(u64, IndexedBlobHash)>,
) -> Result<u64, ProgramError> {
    let boot = BootInfo::load(oracle)?;
    let Prologue::Derive { safe_head, .. } = prologue(oracle, &boot)? else { panic!("not a trace extension") };
    let (l1_walked, blob_block) = {
        let mut l1 = OracleL1ChainProvider::new(boot.l1_head, &mut *oracle);
        let head = l1.header_by_hash(boot.l1_head)?;
        let genesis = l1.block_info_by_number(boot.rollup_config.genesis.l1.number)?;
        assert_eq!(genesis.hash, boot.rollup_config.genesis.l1.hash);
        let (_, txs) = l1.block_info_and_transactions_by_hash(boot.l1_head)?;
        assert_eq!(l1.receipts_by_hash(boot.l1_head)?.len(), txs.len());
        let blob_block = match &blob {
            Some((n, _)) if *n <= head.number => Some(l1.block_info_by_number(*n)?),
            _ => None,
        };
        (head.number - genesis.number + 1, blob_block)
    };
    if let (Some(info), Some((_, h))) = (blob_block, &blob) {
        OracleBlobProvider::new(&mut *oracle).blob(&info, h)?;
    }
    let out = execute_block(oracle, &executor_config(&boot.rollup_config), &safe_head, attrs)?;
    check_claim(out.output.hash(), boot.claimed_l2_output_root)?;
    Ok(l1_walked)
}

/// Serves `store` (plus the claim's local inputs, and `handler` if online) and runs [`program`] against it.
pub(crate) fn run<S: KeyValueStore + Send + 'static>(
    claim: &Claim,
    dataset: &Path,
    store: S,
    handler: Option<HintHandler>,
    attrs: &OpPayloadAttributes,
    blob: Option<(u64, IndexedBlobHash)>,
) -> Run {
    let (client, server) = oracle_pipes();
    let mut srv = PreimageServer::new(SplitStore::new(locals(claim, dataset), store));
    if let Some(h) = handler {
        srv = srv.with_hint_handler(h);
    }
    let t = std::thread::spawn(move || srv.serve(server.hint_rx, server.hint_tx, server.key_rx, server.data_tx));
    let mut oracle = ChannelOracle::new(client.preimage, client.hint);
    let result = program(&mut oracle, attrs, blob);
    drop(oracle);
    let (served, server_error) = match t.join().unwrap() {
        Ok(r) => (r, None),
        Err(e) => (ServeReport::default(), Some(e.to_string())),
    };
    let l1_walked = *result.as_ref().unwrap_or(&0);
    Run { verdict: result.map(|_| ()).map_err(|e| e.to_string()), served, server_error, l1_walked }
}

/// An online run of `claim` writing `data_dir`, then an offline run from it alone; returns both.
pub(crate) fn online_then_offline(
    urls: &NodeUrls,
    claim: &Claim,
    dataset: &Path,
    data_dir: &Path,
    attrs: &OpPayloadAttributes,
    blob: Option<(u64, IndexedBlobHash)>,
) -> (Run, Run, rampart_host::OnlineSummary) {
    let (online, host) = online(urls, RetryPolicy::default(), claim, dataset, data_dir, attrs, blob, |h| h);
    assert_eq!(online.server_error, None);
    let offline = offline(claim, dataset, data_dir, attrs, blob);
    (online, offline, host.summary())
}

/// An online run of `claim` with `policy`, writing `data_dir`; `wrap` may put a test's hook around the host's
/// hint handler. Returns the run and the host (for its summary).
#[allow(clippy::too_many_arguments)]
pub(crate) fn online(
    urls: &NodeUrls,
    policy: RetryPolicy,
    claim: &Claim,
    dataset: &Path,
    data_dir: &Path,
    attrs: &OpPayloadAttributes,
    blob: Option<(u64, IndexedBlobHash)>,
    wrap: impl FnOnce(HintHandler) -> HintHandler,
) -> (Run, OnlineHost) {
    let head = B256::from(b256(claim, "--agreed-l2-head-hash"));
    let host = OnlineHost::new(urls, policy, Some(head)).unwrap();
    let mut dir = DirectoryKeyValueStore::open(data_dir).unwrap();
    dir.set_sync(false);
    let shared = SharedStore::new(dir);
    let handler = wrap(host.hint_handler(shared.clone()));
    let online = run(claim, dataset, host.fetch_on_miss(shared), Some(handler), attrs, blob);
    (online, host)
}

/// An offline run of `claim` from `data_dir` alone.
pub(crate) fn offline(
    claim: &Claim,
    dataset: &Path,
    data_dir: &Path,
    attrs: &OpPayloadAttributes,
    blob: Option<(u64, IndexedBlobHash)>,
) -> Run {
    run(claim, dataset, DirectoryKeyValueStore::open(data_dir).unwrap(), None, attrs, blob)
}
