#!/usr/bin/env bash
# Benchmark: `pgtls fleet` over N endpoints (default 2000) spread over 4 loopback lab servers.
#   bash bench/fleet.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
out=bench/out; mkdir -p "$out"
cargo build --release -q
PGTLS=$PWD/target/release/pgtls
rm -f "$out"/f*.ctl "$out"/f*.info
ports=()
for i in 1 2 3 4; do
  mkfifo "$out/f$i.ctl"
  "$PGTLS" lab-serve --set "max_connections=60" < "$out/f$i.ctl" > "$out/f$i.info" &
  eval "exec $((6 + i))> $out/f$i.ctl"
done
trap 'exec 7>&- 8>&- 9>&- 10>&-; wait; rm -f "$out"/f*.ctl' EXIT
for i in 1 2 3 4; do
  for _ in $(seq 200); do grep -q '^port=' "$out/f$i.info" 2>/dev/null && break; sleep 0.1; done
  ports+=("$(sed -n 's/^port=//p' "$out/f$i.info")")
done
: > "$out/fleet.txt"
for k in $(seq "$n"); do echo "host=localhost hostaddr=127.0.0.1 port=${ports[$((k % 4))]}" >> "$out/fleet.txt"; done
for c in 8 32; do
  /usr/bin/time -f "concurrency $c: %e s, %M KB peak" "$PGTLS" fleet --concurrency $c -q "$out/fleet.txt" > "$out/fleet-$c.txt" || true
  head -3 "$out/fleet-$c.txt"
done
