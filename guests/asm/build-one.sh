#!/usr/bin/env bash
# Assembles and links one assembly guest: build-one.sh <name> <out.elf>
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mips64-linux-gnuabi64-as -non_shared -mabi=64 -march=mips64r2 -mno-shared -o "$tmp/$1.o" "$1.S"
mips64-linux-gnuabi64-ld -static -e _start --build-id=none -o "$2" "$tmp/$1.o"
