#!/usr/bin/env bash
# Benchmark: full version × cipher scan of loopback PostgreSQL servers, pgtls against sslscan,
# sslyze and testssl.sh, timed in the same run, with the accepted suites compared.
#
#   bash bench/scan.sh            # needs: hyperfine sslscan testssl.sh (Debian), sslyze (pip)
#
# Server A: RSA chain, TLS 1.2 + 1.3, PostgreSQL's default ssl_ciphers.
# Server B: TLS 1.2 only, ssl_ciphers = 'ECDHE+AESGCM:AES256-SHA:!aNULL'.
# Results go to bench/out/ and the summary table to stdout (copied into docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out=bench/out; mkdir -p "$out"
cargo build --release -q
PGTLS=$PWD/target/release/pgtls
for t in hyperfine sslscan testssl sslyze; do command -v $t >/dev/null || { echo "missing $t" >&2; exit 1; }; done

# Each server lives until its control pipe is closed (at exit), then removes itself.
rm -f "$out"/*.ctl "$out"/*.info
mkfifo "$out/A.ctl" "$out/B.ctl"
"$PGTLS" lab-serve --rsa < "$out/A.ctl" > "$out/A.info" &
exec 7> "$out/A.ctl"
"$PGTLS" lab-serve --rsa --set "ssl_max_protocol_version='TLSv1.2'" --set "ssl_ciphers='ECDHE+AESGCM:AES256-SHA:!aNULL'" \
  < "$out/B.ctl" > "$out/B.info" &
exec 8> "$out/B.ctl"
trap 'exec 7>&- 8>&-; wait; rm -f "$out"/*.ctl' EXIT
port_of() { for _ in $(seq 200); do grep -q '^port=' "$out/$1.info" 2>/dev/null && break; sleep 0.1; done; sed -n 's/^port=//p' "$out/$1.info"; }
PA=$(port_of A); PB=$(port_of B)
echo "server A on $PA, server B on $PB"

for s in A B; do
  port=$([ $s = A ] && echo $PA || echo $PB)
  ep=127.0.0.1:$port
  # One run of each for the result comparison.
  "$PGTLS" protocols --format json "$ep" > "$out/$s.pgtls.json" || true
  sslscan --starttls-psql --no-colour --xml="$out/$s.sslscan.xml" "$ep" > /dev/null
  sslyze --starttls postgres --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 --json_out="$out/$s.sslyze.json" "$ep" > /dev/null
  rm -f "$out/$s.testssl.json"
  testssl --quiet --warnings off --color 0 -t postgres -p -E --jsonfile "$out/$s.testssl.json" "$ep" > /dev/null || true
  # Peak memory.
  for tool in pgtls sslscan sslyze testssl; do
    case $tool in
      pgtls) cmd=("$PGTLS" protocols -q "$ep");;
      sslscan) cmd=(sslscan --starttls-psql --no-colour "$ep");;
      sslyze) cmd=(sslyze --starttls postgres --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 "$ep");;
      testssl) cmd=(testssl --quiet --warnings off --color 0 -t postgres -p -E "$ep");;
    esac
    /usr/bin/time -f "%M" -o "$out/$s.$tool.rss" "${cmd[@]}" > /dev/null 2>&1 || true
  done
  # Timing, all tools in the same run.
  hyperfine -N --warmup 1 --export-json "$out/$s.fast.json" --runs 10 -i \
    -n pgtls "$PGTLS protocols -q $ep" \
    -n sslscan "sslscan --starttls-psql --no-colour $ep" > /dev/null
  hyperfine -N --export-json "$out/$s.slow.json" --runs 3 -i \
    -n sslyze "sslyze --starttls postgres --sslv2 --sslv3 --tlsv1 --tlsv1_1 --tlsv1_2 --tlsv1_3 $ep" \
    -n testssl "testssl --quiet --warnings off --color 0 -t postgres -p -E $ep" > /dev/null
done
python3 bench/compare_scan.py "$out"
