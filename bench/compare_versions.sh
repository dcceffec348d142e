#!/usr/bin/env bash
# Benchmark: two pgtls builds against each other, timed in the same run on the same servers,
# to show a change made nothing slower: scan (protocols), probe, verify (whose login is
# refused: the benchmark's user is no role on the server, so the refusal is read), explain
# of one pasted libpq message, fleet and log scanning.
#
#   bash bench/compare_versions.sh OLD_BINARY [NEW_BINARY]   # needs hyperfine (Debian)
#
# Build the old one from a commit with e.g.
#   git worktree add /tmp/old cc07fd9 && CARGO_TARGET_DIR=/tmp/old-target cargo build --release --manifest-path /tmp/old/Cargo.toml
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/compare_versions.sh OLD_BINARY [NEW_BINARY]}
if [ -z "${2:-}" ]; then cargo build --release -q; fi
new=${2:-$PWD/target/release/pgtls}
out=bench/out; mkdir -p "$out"
command -v hyperfine >/dev/null || { echo "missing hyperfine" >&2; exit 1; }
rm -f "$out"/c*.ctl "$out"/c*.info
mkfifo "$out/cA.ctl" "$out/cB.ctl"
"$new" lab-serve --rsa < "$out/cA.ctl" > "$out/cA.info" &
exec 7> "$out/cA.ctl"
"$new" lab-serve --rsa --set "ssl_max_protocol_version='TLSv1.2'" --set "ssl_ciphers='ECDHE+AESGCM:AES256-SHA:!aNULL'" \
  < "$out/cB.ctl" > "$out/cB.info" &
exec 8> "$out/cB.ctl"
trap 'exec 7>&- 8>&-; wait; rm -f "$out"/c*.ctl' EXIT
port_of() { for _ in $(seq 200); do grep -q '^port=' "$out/$1.info" 2>/dev/null && break; sleep 0.1; done; sed -n 's/^port=//p' "$out/$1.info"; }
PA=$(port_of cA); PB=$(port_of cB)
ROOT=$(sed -n 's/^root=//p' "$out/cA.info")
echo "server A on $PA, server B on $PB"
# Keep ~/.postgresql out of it: both builds see no default root file.
export HOME=/nonexistent-bench-home
hyperfine -N -i --warmup 2 --runs 15 --export-json "$out/cmp-scan.json" \
  -n "old protocols A" "$old protocols --format json 127.0.0.1:$PA" \
  -n "new protocols A" "$new protocols --format json 127.0.0.1:$PA" \
  -n "old protocols B" "$old protocols --format json 127.0.0.1:$PB" \
  -n "new protocols B" "$new protocols --format json 127.0.0.1:$PB" \
  -n "old probe" "$old probe --format json 127.0.0.1:$PA" \
  -n "new probe" "$new probe --format json 127.0.0.1:$PA" \
  -n "old verify" "$old verify --format json localhost:$PA --sslmode verify-full --sslrootcert $ROOT" \
  -n "new verify" "$new verify --format json localhost:$PA --sslmode verify-full --sslrootcert $ROOT" \
  -n "old explain" "$old explain --format json 'psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed'" \
  -n "new explain" "$new explain --format json 'psql: error: connection to server at \"db\" (10.0.0.5), port 5432 failed: SSL error: certificate verify failed'" > /dev/null
: > "$out/cmp-fleet.txt"
for k in $(seq 1000); do echo "host=localhost hostaddr=127.0.0.1 port=$([ $((k % 2)) = 0 ] && echo $PA || echo $PB)" >> "$out/cmp-fleet.txt"; done
hyperfine -N -i --warmup 1 --runs 5 --export-json "$out/cmp-fleet.json" \
  -n "old fleet 1000" "$old fleet --concurrency 32 --format json $out/cmp-fleet.txt" \
  -n "new fleet 1000" "$new fleet --concurrency 32 --format json $out/cmp-fleet.txt" > /dev/null
log=$out/pg-1G.log
[ -s "$log" ] || python3 bench/gen_log.py --size 1G > "$log"
cat "$log" > /dev/null
hyperfine -N -i --warmup 1 --runs 5 --export-json "$out/cmp-logs.json" \
  -n "old logs 1G" "$old logs --format json $log" \
  -n "new logs 1G" "$new logs --format json $log" > /dev/null
for b in old new; do
  bin=$([ $b = old ] && echo "$old" || echo "$new")
  /usr/bin/time -f "%M" -o "$out/cmp-$b-logs.rss" "$bin" logs --format json "$log" > /dev/null || true
  /usr/bin/time -f "%M" -o "$out/cmp-$b-fleet.rss" "$bin" fleet --concurrency 32 --format json "$out/cmp-fleet.txt" > /dev/null || true
done
python3 - "$out" "$(stat -c %s "$log")" <<'PY'
import json, sys
out, size = sys.argv[1], int(sys.argv[2])
rows = []
for f in ["cmp-scan", "cmp-fleet", "cmp-logs"]:
    rows += json.load(open(f"{out}/{f}.json"))["results"]
r = {x["command"]: x for x in rows}
print("| task | old (median) | new (median) | new/old |")
print("|---|---|---|---|")
for task in ["protocols A", "protocols B", "probe", "verify", "explain", "fleet 1000", "logs 1G"]:
    o, n = r[f"old {task}"]["median"], r[f"new {task}"]["median"]
    extra = f" ({size/n/1e9:.2f} GB/s new, {size/o/1e9:.2f} GB/s old)" if task.startswith("logs") else ""
    print(f"| {task} | {o*1000:.1f} ms | {n*1000:.1f} ms | {n/o:.2f}×{extra} |")
rss = lambda n: int(open(f"{out}/{n}.rss").read().split()[-1]) // 1024
print(f"peak RSS logs: old {rss('cmp-old-logs')} MB, new {rss('cmp-new-logs')} MB; fleet: old {rss('cmp-old-fleet')} MB, new {rss('cmp-new-fleet')} MB")
PY
