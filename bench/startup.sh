#!/usr/bin/env bash
# Benchmark: one probe and one full connection, pgtls against the tools it replaces, in one
# run on the same loopback lab server (ratios taken in one run, since the machine is shared).
#   bash bench/startup.sh [PGTLS]        # default: target/release/pgtls (built here)
# Needs hyperfine, openssl and psql (Debian: hyperfine openssl postgresql-client).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
if [ -z "${1:-}" ]; then cargo build --release -q; fi
PGTLS=${1:-$PWD/target/release/pgtls}
rm -f "$out/s.ctl" "$out/s.info"; mkfifo "$out/s.ctl"
"$PGTLS" lab-serve < "$out/s.ctl" > "$out/s.info" &
exec 7> "$out/s.ctl"
trap 'exec 7>&-; wait; rm -f "$out/s.ctl"' EXIT
for _ in $(seq 300); do grep -q '^port=' "$out/s.info" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^port=//p' "$out/s.info")
ci="host=127.0.0.1 port=$port user=postgres dbname=postgres sslmode=require"
hyperfine -i -w 3 -r ${RUNS:-30} --export-markdown "$out/startup.md" \
  -n "pgtls probe" "$PGTLS probe -q 127.0.0.1:$port" \
  -n "openssl s_client -starttls postgres" "openssl s_client -starttls postgres -connect 127.0.0.1:$port -brief </dev/null" \
  -n "pgtls doctor" "$PGTLS doctor -q '$ci'" \
  -n "pgtls doctor --connections 1" "$PGTLS doctor -q --connections 1 '$ci'" \
  -n "psql -c 'select 1'" "psql -X -A -t -w -c 'select 1' '$ci'" || true
cat "$out/startup.md"
