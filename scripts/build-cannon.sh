#!/usr/bin/env bash
# Builds upstream Cannon (the Go MIPS64 VM of the optimism monorepo) as a test oracle for Rampart's VM.
#
# The module github.com/ethereum-optimism/optimism@v1.19.6 has replace directives, so `go install ...@version`
# refuses it: the module is downloaded into the Go module cache, copied to a writable directory and built
# there with `go build ./cannon`. The binary lands in ${RAMPART_CACHE:-$HOME/.cache/rampart}/bin/cannon;
# nothing is done when it is already there (delete it to rebuild).
#
# Usage: scripts/build-cannon.sh            (prints the binary's path)
set -euo pipefail
VERSION=v1.19.6
MODULE=github.com/ethereum-optimism/optimism
CACHE="${RAMPART_CACHE:-$HOME/.cache/rampart}"
OUT="$CACHE/bin/cannon"
STAMP="$CACHE/bin/cannon.version"
if [ -x "$OUT" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$MODULE@$VERSION" ]; then
  echo "$OUT"
  exit 0
fi
command -v go >/dev/null || { echo "build-cannon: go is not installed" >&2; exit 1; }
mkdir -p "$CACHE/bin"
# Go builds from a temporary module directory outside any workspace.
work="$(mktemp -d "${TMPDIR:-/tmp}/rampart-cannon.XXXXXX")"
trap 'chmod -R u+w "$work" 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
go mod init rampart-cannon-fetch >/dev/null 2>&1
dir="$(GOFLAGS=-mod=mod go mod download -json "$MODULE@$VERSION" | sed -n 's/^\s*"Dir": "\(.*\)",$/\1/p')"
[ -d "$dir" ] || { echo "build-cannon: go mod download $MODULE@$VERSION gave no directory" >&2; exit 1; }
cp -r "$dir" "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"
GOFLAGS=-mod=mod GOWORK=off CGO_ENABLED=0 go build -trimpath -o "$OUT.tmp" ./cannon
mv "$OUT.tmp" "$OUT"
echo "$MODULE@$VERSION" > "$STAMP"
echo "$OUT"
