#!/usr/bin/env bash
# Rebuilds every bundled guest ELF from source, reproducibly: ./build.sh [out-dir] (default: guests/bin).
#   Rust no_std guests: Debian's rustc/cargo 1.96 with -Zbuild-std on the soft-float target in rust/.
#   Go guests:          Go 1.24.13 (fetched through GOTOOLCHAIN), GOMIPS64=softfloat, -trimpath, empty build id.
#   Assembly guests:    GNU as/ld for mips64 (asm/build-one.sh).
# Needs: rustc-web cargo-web rust-web-src binutils-mips64-linux-gnuabi64 (../.ci/install-deps) and go.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(mkdir -p "${1:-$here/bin}" && cd "${1:-$here/bin}" && pwd)
cd "$here"

for tool in /usr/bin/rustc /usr/bin/cargo mips64-linux-gnuabi64-as mips64-linux-gnuabi64-ld go; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool not found (run .ci/install-deps)" >&2; exit 1; }
done

# Rust: a private target dir so host builds never share artifacts; paths remapped so the clone location
# and the cargo home never reach the ELF. Cargo also hashes the absolute path of path dependencies outside a
# guest's own workspace (crates/*, ../rust) into symbol names, so the Rust sources are copied to one fixed
# directory and built there: the bytes are then the same from any clone location.
rust_target=$(mktemp -d)
trap 'rm -rf "$rust_target"' EXIT
cargo_home=${CARGO_HOME:-$HOME/.cargo}
src_root=/tmp/rampart-guest-src
exec 9>"$src_root.lock"
flock 9
rm -rf "$src_root"
mkdir -p "$src_root/guests"
cp -a "$here/rust" "$here/rust-executor" "$here/rust-program" "$src_root/guests/"
repo=$(cd "$here/.." && pwd)
cp -a "$repo/Cargo.toml" "$repo/crates" "$repo/bin" "$src_root/"   # crates inherit workspace fields
rm -rf "$src_root"/guests/*/target
# Go and assembly guests build in the background while the Rust guests build (their link-time optimisation runs
# on one core); the script waits for them at the end and fails if they failed.
(
  # Go
  (
    cd go
    export GOTOOLCHAIN=go1.24.13 GOOS=linux GOARCH=mips64 GOMIPS64=softfloat CGO_ENABLED=0 GOFLAGS=-mod=mod
    for dir in */; do
      name=${dir%/}
      go build -trimpath -buildvcs=false -ldflags=-buildid= -o "$out/go-$name.elf" "./$name"
    done
  )

  # Assembly
  for src in asm/*.S; do
    name=$(basename "$src" .S)
    asm/build-one.sh "$name" "$out/$name.elf"
  done
) &
go_asm=$!

(
  cd "$src_root/guests/rust"
  export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$rust_target"
  export CARGO_ENCODED_RUSTFLAGS=$(printf '%s\x1f' \
    -Clink-arg=-e_start -Clink-arg=-static -Clink-arg=--build-id=none \
    -Cllvm-args=-mno-check-zero-division \
    "--remap-path-prefix=/usr/lib/rustlib/src/rust=/rust" \
    "--remap-path-prefix=$cargo_home/registry/src=/cargo" \
    "--remap-path-prefix=$src_root/guests/rust=/guests" \
    "--remap-path-prefix=$src_root/crates=/crates" | sed 's/\x1f$//')
  /usr/bin/cargo build --release --locked --quiet
  # Guests with extra dependencies, built on their own so the plain guests above keep their exact bytes.
  /usr/bin/cargo build --release --locked --quiet --features oracle --bin rust-oracle-e2e
)
for bin in rust/src/bin/*.rs; do
  name=$(basename "$bin" .rs)
  cp "$rust_target/mips64-rampart/release/$name" "$out/$name.elf"
done

# rust-executor (exec2): the OP block executor (crates/executor, no_std) as a guest, with accelerated precompiles
# (rust-executor.elf) and without (rust-executor-unaccelerated.elf). Its own crate and lock file in
# rust-executor/ so the other Rust guests keep their dependency graph; same toolchain and flags as above, plus a
# remap of the target dir (build scripts' OUT_DIR files). EXECUTOR_GUEST_TARGET_DIR keeps the (slow) build cached.
(
  cd "$src_root/guests/rust-executor"
  exec_target=${EXECUTOR_GUEST_TARGET_DIR:-$rust_target/exec}
  mkdir -p "$exec_target"
  exec_target=$(cd "$exec_target" && pwd)
  export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$exec_target"
  export CARGO_ENCODED_RUSTFLAGS=$(printf '%s\x1f' \
    -Clink-arg=-e_start -Clink-arg=-static -Clink-arg=--build-id=none \
    -Cllvm-args=-mno-check-zero-division \
    "--remap-path-prefix=/usr/lib/rustlib/src/rust=/rust" \
    "--remap-path-prefix=$cargo_home/registry/src=/cargo" \
    "--remap-path-prefix=$exec_target=/target" \
    "--remap-path-prefix=$src_root/guests=/guests" \
    "--remap-path-prefix=$src_root/crates=/crates" | sed 's/\x1f$//')
  /usr/bin/cargo build --release --locked --quiet
  cp "$exec_target/mips64-rampart/release/rust-executor" "$out/rust-executor.elf"
  # The same guest with every precompile and sender recovery run in the guest (to measure the acceleration).
  /usr/bin/cargo build --release --locked --quiet --no-default-features
  cp "$exec_target/mips64-rampart/release/rust-executor" "$out/rust-executor-unaccelerated.elf"
)

# rampart-program: the fault-proof program (crates/program, no_std: kona-client's single-chain flow) as a guest, its
# own crate and lock file in rust-program/ like rust-executor; same toolchain and flags. PROGRAM_GUEST_TARGET_DIR
# keeps the (slow) build cached. By default it is the executor's target dir: the same flags (the target dir is
# remapped to /target in both), so the dependencies the two share (revm, alloy, core/alloc, ...) build once; the
# ELFs are the same bytes as from separate dirs.
(
  cd "$src_root/guests/rust-program"
  prog_target=${PROGRAM_GUEST_TARGET_DIR:-$rust_target/exec}
  mkdir -p "$prog_target"
  prog_target=$(cd "$prog_target" && pwd)
  export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$prog_target"
  export CARGO_ENCODED_RUSTFLAGS=$(printf '%s\x1f' \
    -Clink-arg=-e_start -Clink-arg=-static -Clink-arg=--build-id=none \
    -Cllvm-args=-mno-check-zero-division \
    "--remap-path-prefix=/usr/lib/rustlib/src/rust=/rust" \
    "--remap-path-prefix=$cargo_home/registry/src=/cargo" \
    "--remap-path-prefix=$prog_target=/target" \
    "--remap-path-prefix=$src_root/guests=/guests" \
    "--remap-path-prefix=$src_root/crates=/crates" | sed 's/\x1f$//')
  /usr/bin/cargo build --release --locked --quiet
  cp "$prog_target/mips64-rampart/release/rampart-program" "$out/rampart-program.elf"
)

wait "$go_asm"
echo "built $(ls "$out"/*.elf | wc -l) guests into $out"
