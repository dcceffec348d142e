#!/usr/bin/env bash
# Benchmark: a fresh `cargo build --release` of one commit, as a newcomer's first build —
# a clean worktree and an empty target directory (the registry's downloaded sources are
# reused: download time is the network's, not the build's). Prints wall-clock and CPU time.
# Run it on a quiet machine; compare commits in the same session.
#   bash bench/build.sh [COMMIT ...]        # default: HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
[ $# -gt 0 ] || set -- HEAD
for rev in "$@"; do
  sha=$(git rev-parse --short "$rev")
  tree=$(mktemp -d /tmp/pgtls-build-tree.XXXXXX); target=$(mktemp -d /tmp/pgtls-build-target.XXXXXX)
  git -C "$repo" worktree add -q --detach "$tree" "$sha"
  cargo fetch -q --manifest-path "$tree/Cargo.toml"
  load=$(cut -d' ' -f1 /proc/loadavg)
  ( cd "$tree" && CARGO_TARGET_DIR="$target" /usr/bin/time -f "%e %U %S" -o "$target/time" cargo build --release -q )
  read -r wall user sys < "$target/time"
  size=$(stat -c %s "$target/release/pgtls")
  printf '%s  wall %6.1f s  cpu %6.1f s (user %.1f, sys %.1f)  binary %s bytes  (load average at start %s)\n' \
    "$sha" "$wall" "$(echo "$user + $sys" | bc)" "$user" "$sys" "$size" "$load"
  git -C "$repo" worktree remove --force "$tree"; rm -rf "$target"
done
