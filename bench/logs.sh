#!/usr/bin/env bash
# Benchmark: `pgtls logs` on a generated 1 GB PostgreSQL log against `rg -c` with the same
# literals and pgBadger, with peak memory.
#
#   bash bench/logs.sh [SIZE]     # default 1G; needs ripgrep, pgbadger, hyperfine (Debian)
#
# pgBadger runs at a few MB/s, so it and pgtls are also timed on a 100 MB log made by the same
# generator, and the ratio comes from that pair (measured in the same run).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1G}
out=bench/out; mkdir -p "$out"
cargo build --release -q
PGTLS=$PWD/target/release/pgtls
for t in rg pgbadger hyperfine; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done
big=$out/pg-$size.log; small=$out/pg-100M.log
[ -s "$big" ] || python3 bench/gen_log.py --size "$size" > "$big"
[ -s "$small" ] || python3 bench/gen_log.py --size 100M --seed 7 > "$small"
"$PGTLS" logs --print-anchors > "$out/anchors.txt"
bytes=$(stat -c %s "$big"); sbytes=$(stat -c %s "$small")
echo "log: $big ($bytes bytes), $(wc -l < "$out/anchors.txt") anchors"
cat "$big" > /dev/null  # warm the page cache for everyone

hyperfine -N -i --warmup 1 --runs 5 --export-json "$out/logs.json" \
  -n pgtls "$PGTLS logs --format json $big" \
  -n pgtls-1-thread "$PGTLS logs --threads 1 --format json $big" \
  -n "rg -c" "rg --no-mmap -c -F -f $out/anchors.txt $big" > /dev/null
/usr/bin/time -f "%M" -o "$out/pgtls.rss" "$PGTLS" logs --format json "$big" > "$out/pgtls-logs.json" || true
/usr/bin/time -f "%M" -o "$out/pgtls1.rss" "$PGTLS" logs --threads 1 --format json "$big" > "$out/pgtls1-logs.json" || true
/usr/bin/time -f "%M" -o "$out/rg.rss" rg --no-mmap -c -F -f "$out/anchors.txt" "$big" > "$out/rg.count"
hyperfine -N -i --runs 1 --export-json "$out/badger.json" \
  -n pgtls-100M "$PGTLS logs --format json $small" \
  -n pgbadger-100M "pgbadger -q -f stderr -j 1 -o $out/badger.html $small" > /dev/null
/usr/bin/time -f "%M" -o "$out/pgbadger.rss" pgbadger -q -f stderr -j 1 -o "$out/badger.html" "$small"

python3 - "$out" "$bytes" "$sbytes" <<'PY'
import json, sys
out, big, small = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
r = {x["command"]: x for x in json.load(open(f"{out}/logs.json"))["results"]}
b = {x["command"]: x for x in json.load(open(f"{out}/badger.json"))["results"]}
rss = lambda n: int(open(f"{out}/{n}.rss").read().split()[-1]) / 1024
p, p1, g = r["pgtls"]["median"], r["pgtls-1-thread"]["median"], r["rg -c"]["median"]
print(f"pgtls   {p:.3f} s  {big/p/1e9:.2f} GB/s  peak {rss('pgtls'):.0f} MB  (default threads)")
print(f"pgtls1  {p1:.3f} s  {big/p1/1e9:.2f} GB/s  peak {rss('pgtls1'):.0f} MB  (--threads 1: one core)")
print(f"rg -c   {g:.3f} s  {big/g/1e9:.2f} GB/s  peak {rss('rg'):.0f} MB   pgtls/rg throughput {g/p:.2f}x, one core {g/p1:.2f}x")
pb, bb = b["pgtls-100M"]["median"], b["pgbadger-100M"]["median"]
print(f"100 MB: pgtls {pb:.3f} s, pgbadger {bb:.1f} s ({small/bb/1e6:.1f} MB/s, peak {rss('pgbadger'):.0f} MB): pgtls {bb/pb:.0f}x faster")
s = json.load(open(f"{out}/pgtls-logs.json"))
print("codes:", ", ".join(f"{c['code']}={c['count']}" for c in s["codes"]))
print("rg matching lines:", open(f"{out}/rg.count").read().strip(), " pgtls matched lines:", s["matched_lines"], " candidates:", s["candidate_lines"])
PY
