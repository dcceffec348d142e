#!/usr/bin/env bash
# Benchmark: `pgtls exporter` under concurrent scrapes of one healthy loopback lab server:
# N requests (default 2000), C at once (default 64), with the default --max-in-flight 16.
# Reports ab's summary and how many answers were not 200 (Prometheus would mark those targets
# down although the server is fine).
#   bash bench/exporter.sh [N] [C] [PGTLS]     # needs ab (Debian: apache2-utils)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}; c=${2:-64}
out=bench/out; mkdir -p "$out"
if [ -z "${3:-}" ]; then cargo build --release -q; fi
PGTLS=${3:-$PWD/target/release/pgtls}
rm -f "$out/e.ctl" "$out/e.info"; mkfifo "$out/e.ctl"
"$PGTLS" lab-serve --set "max_connections=200" < "$out/e.ctl" > "$out/e.info" &
exec 7> "$out/e.ctl"
for _ in $(seq 300); do grep -q '^port=' "$out/e.info" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^port=//p' "$out/e.info")
"$PGTLS" exporter --listen 127.0.0.1:0 2> "$out/exporter.log" &
exp=$!
trap 'kill $exp 2>/dev/null; exec 7>&-; wait; rm -f "$out/e.ctl"' EXIT
for _ in $(seq 100); do grep -q 'http://127.0.0.1:' "$out/exporter.log" && break; sleep 0.1; done
eport=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/exporter.log" | head -1 | cut -d: -f3)
ab -q -n "$n" -c "$c" -H 'X-Prometheus-Scrape-Timeout-Seconds: 10' "http://127.0.0.1:$eport/probe?target=127.0.0.1:$port" > "$out/ab.txt" 2>&1 || true
grep -E "Complete requests|Failed requests|Non-2xx responses|Requests per second|Time per request|longest" "$out/ab.txt" || true
echo "exporter VmHWM: $(grep VmHWM /proc/$exp/status | awk '{print $2, $3}')"
