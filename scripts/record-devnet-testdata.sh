#!/usr/bin/env bash
# Re-records testdata/devnet/ (see its README.md) from a fresh devnet on the real nodes of
# scripts/install-nodes.sh: geth v1.17.10 (L1), op-geth v1.101702.3 (L2), Rampart as sequencer, batcher and
# blob archiver. The run stops once all blocks are safe; its dataset is recorded before the nodes stop.
# Kept in the repository: rollup.json, l1-config.json, claims.json, manifest.json and preimages.kv.gz (the
# preimages in one file; `rampart_devnet::dataset::Dataset::materialize` unpacks them into the `preimages/`
# directory store the claims' `--data-dir preimages` names).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=testdata/devnet
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cargo build --release -j2 -p rampart
target/release/rampart devnet up --dir "$WORK/devnet" --seed 7 --block-interval-ms 400 --l1-block-time 2 \
  --max-blocks 24 --max-blocks-per-channel 5 --deposit-every 2 --isthmus-after 24 --jovian-after 32 --karst-after 40 \
  --faults duplicate,drop,invalid-batch,reorder --record "$WORK/data"
mkdir -p "$OUT"
for f in rollup.json l1-config.json claims.json manifest.json preimages.kv.gz; do
  cp "$WORK/data/$f" "$OUT/$f"
done
ls -l "$OUT"
