#!/usr/bin/env bash
# Rebuilds every guest into a temporary directory and checks each ELF is byte-identical to the committed one
# in guests/bin (the absolute prestate of a guest is the hash of its loaded ELF, so it must be reproducible).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/build.sh" "$tmp" >/dev/null
status=0
for f in "$tmp"/*.elf; do
  name=$(basename "$f")
  if [ ! -f "$here/bin/$name" ]; then
    echo "not committed: guests/bin/$name"; status=1
  elif ! cmp -s "$f" "$here/bin/$name"; then
    echo "differs: guests/bin/$name ($(sha256sum < "$f" | cut -c1-16) rebuilt vs $(sha256sum < "$here/bin/$name" | cut -c1-16) committed)"; status=1
  fi
done
for f in "$here"/bin/*.elf; do
  [ -f "$tmp/$(basename "$f")" ] || { echo "no source builds guests/bin/$(basename "$f")"; status=1; }
done
[ $status = 0 ] && echo "reproducible: $(ls "$tmp"/*.elf | wc -l) guest ELFs rebuilt byte-identically"
exit $status
