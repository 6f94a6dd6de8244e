#!/usr/bin/env bash
# Builds the devnet's nodes and fetches the OP contract artifacts into a cache directory, skipping what is
# already there (nothing of theirs is committed):
#   $CACHE/bin/geth         go-ethereum v1.17.10 (L1, `--dev`), `go install .../cmd/geth@v1.17.10`
#   $CACHE/bin/op-geth      op-geth v1.101702.3 (L2 engine), built from a writable copy of the module directory
#                           (its go.mod names itself go-ethereum, so `go install ...@version` cannot build it)
#   $CACHE/contracts-bedrock/package/   the npm package @eth-optimism/contracts-bedrock@0.17.3 (forge artifacts)
# $CACHE is ${RAMPART_CACHE:-$HOME/.cache/rampart}. `rampart devnet up` finds the nodes there (or through
# RAMPART_GETH / RAMPART_OP_GETH / RAMPART_CONTRACTS_BEDROCK).
set -euo pipefail

GETH_VERSION=v1.17.10
OP_GETH_VERSION=v1.101702.3
BEDROCK_VERSION=0.17.3
CACHE="${RAMPART_CACHE:-$HOME/.cache/rampart}"
mkdir -p "$CACHE/bin"

command -v go >/dev/null || { echo "install-nodes: go is not installed (Go >= 1.24 is needed)" >&2; exit 1; }
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
stamp() { echo "$1" >"$CACHE/bin/.$2.version"; }
have() { [ -x "$CACHE/bin/$2" ] && [ "$(cat "$CACHE/bin/.$2.version" 2>/dev/null)" = "$1" ]; }

if have "$GETH_VERSION" geth; then
  echo "install-nodes: geth $GETH_VERSION already built"
else
  echo "install-nodes: building geth $GETH_VERSION"
  start=$SECONDS
  tmpbin=$(mktemp -d)
  GOBIN="$tmpbin" go install "github.com/ethereum/go-ethereum/cmd/geth@$GETH_VERSION"
  mv "$tmpbin/geth" "$CACHE/bin/geth"
  rmdir "$tmpbin"
  stamp "$GETH_VERSION" geth
  echo "install-nodes: geth built in $((SECONDS - start)) s"
fi

if have "$OP_GETH_VERSION" op-geth; then
  echo "install-nodes: op-geth $OP_GETH_VERSION already built"
else
  echo "install-nodes: building op-geth $OP_GETH_VERSION"
  start=$SECONDS
  moddir=$(cd "$(mktemp -d)" && go mod download -json "github.com/ethereum-optimism/op-geth@$OP_GETH_VERSION" \
    | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$moddir" ] || { echo "install-nodes: go mod download of op-geth $OP_GETH_VERSION gave no directory" >&2; exit 1; }
  src="$CACHE/src/op-geth-$OP_GETH_VERSION"
  rm -rf "$src"
  mkdir -p "$CACHE/src"
  cp -r "$moddir" "$src"
  chmod -R u+w "$src"
  (cd "$src" && go build -o "$CACHE/bin/op-geth.tmp" ./cmd/geth)
  mv "$CACHE/bin/op-geth.tmp" "$CACHE/bin/op-geth"
  rm -rf "$src"
  stamp "$OP_GETH_VERSION" op-geth
  echo "install-nodes: op-geth built in $((SECONDS - start)) s"
fi

bedrock="$CACHE/contracts-bedrock"
if [ -f "$bedrock/.version" ] && [ "$(cat "$bedrock/.version")" = "$BEDROCK_VERSION" ]; then
  echo "install-nodes: contracts-bedrock $BEDROCK_VERSION already fetched"
else
  command -v npm >/dev/null || { echo "install-nodes: npm is not installed" >&2; exit 1; }
  echo "install-nodes: fetching @eth-optimism/contracts-bedrock@$BEDROCK_VERSION"
  rm -rf "$bedrock"
  mkdir -p "$bedrock"
  tarball=$(cd "$bedrock" && npm pack --silent "@eth-optimism/contracts-bedrock@$BEDROCK_VERSION" | tail -n 1)
  tar -xzf "$bedrock/$tarball" -C "$bedrock"
  rm -f "$bedrock/$tarball"
  echo "$BEDROCK_VERSION" >"$bedrock/.version"
fi
