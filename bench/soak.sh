#!/usr/bin/env bash
# Soak benchmark: a real Prometheus scrapes `pgtls exporter` in the multi-target pattern for a
# while, over many targets spread across several real lab servers on loopback (each target a
# distinct connection string to one of them, as a fleet of databases behind a few servers
# would be). Reports failed scrapes (up == 0), the exporter's refused probes and its memory
# over time (VmRSS every 30 s: flat or growing).
#   bash bench/soak.sh [TARGETS] [SERVERS] [MINUTES] [INTERVAL_S] [PGTLS]
# Defaults: 1000 targets, 5 servers, 10 minutes, 15 s scrape interval, a release build.
# Needs prometheus (Debian's package) and curl.
set -euo pipefail
cd "$(dirname "$0")/.."
targets=${1:-1000}; servers=${2:-5}; minutes=${3:-10}; interval=${4:-15}
out=bench/out/soak; rm -rf "$out"; mkdir -p "$out"
if [ -z "${5:-}" ]; then cargo build --release -q; fi
PGTLS=${5:-$PWD/target/release/pgtls}
pids=()
cleanup() {
  # The exporter and Prometheus are killed; each lab server stops itself (and removes its
  # files) when its standard input closes — killing lab-serve would leave PostgreSQL running.
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for i in $(seq "$servers"); do eval "exec $((9 + i))>&-" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

# The servers: lab-serve runs until its standard input closes.
ports=()
for i in $(seq "$servers"); do
  rm -f "$out/s$i.ctl"; mkfifo "$out/s$i.ctl"
  "$PGTLS" lab-serve --set "max_connections=300" < "$out/s$i.ctl" > "$out/s$i.info" 2>&1 &
  eval "exec $((9 + i))> $out/s$i.ctl"
done
for i in $(seq "$servers"); do
  for _ in $(seq 600); do grep -q '^port=' "$out/s$i.info" 2>/dev/null && break; sleep 0.1; done
  ports+=("$(sed -n 's/^port=//p' "$out/s$i.info")")
done

"$PGTLS" exporter --listen 127.0.0.1:0 2> "$out/exporter.log" &
exp=$!; pids+=($exp)
for _ in $(seq 100); do grep -q 'http://127.0.0.1:' "$out/exporter.log" && break; sleep 0.1; done
eport=$(grep -o 'http://127.0.0.1:[0-9]*' "$out/exporter.log" | head -1 | cut -d: -f3)

# Prometheus: every target is a postgresql:// URI to one of the servers (round robin), made
# distinct by application_name; relabeling sends it as ?target= to the exporter.
{
  echo "global: {scrape_interval: ${interval}s, scrape_timeout: $(( interval < 10 ? interval : 10 ))s}"
  echo "scrape_configs:"
  echo "  - job_name: pgtls"
  echo "    metrics_path: /probe"
  echo "    static_configs:"
  echo "      - targets:"
  for t in $(seq "$targets"); do
    p=${ports[$(( (t - 1) % servers ))]}
    echo "          - 'host=127.0.0.1 port=$p dbname=postgres application_name=soak$t'"
  done
  echo "    relabel_configs:"
  echo "      - {source_labels: [__address__], target_label: __param_target}"
  echo "      - {source_labels: [__param_target], target_label: instance}"
  echo "      - {target_label: __address__, replacement: '127.0.0.1:$eport'}"
} > "$out/prometheus.yml"
pport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
prometheus --config.file="$out/prometheus.yml" --storage.tsdb.path="$out/tsdb" \
  --web.listen-address="127.0.0.1:$pport" > "$out/prometheus.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$pport/-/ready" > /dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$pport/-/ready" > /dev/null || { echo "prometheus did not start:"; tail -3 "$out/prometheus.log"; exit 1; }

echo "soak: $targets targets over $servers servers (${ports[*]}), every ${interval}s for $minutes min; exporter :$eport, prometheus :$pport"
end=$(( $(date +%s) + minutes * 60 ))
echo "elapsed_s rss_kb" > "$out/rss.txt"
start=$(date +%s)
while [ "$(date +%s)" -lt "$end" ]; do
  echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/$exp/status)" >> "$out/rss.txt"
  sleep 30
done
echo "$(( $(date +%s) - start )) $(awk '/VmRSS/ {print $2}' /proc/$exp/status)" >> "$out/rss.txt"

q() { curl -s "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)'; }
range="${minutes}m"
scrapes=$(q "sum(count_over_time(up{job=\"pgtls\"}[$range]))")
failed=$(q "sum(count_over_time(up{job=\"pgtls\"}[$range]) - sum_over_time(up{job=\"pgtls\"}[$range]))")
probe_ok=$(q "sum(pgtls_probe_success)")
slowest=$(q "max(max_over_time(scrape_duration_seconds{job=\"pgtls\"}[$range]))")
rejected=$(curl -s "http://127.0.0.1:$eport/metrics" | awk '/^pgtls_exporter_probes_rejected_total/ {s += $2} END {print s + 0}')
echo "scrapes: $scrapes, failed (up == 0): $failed"
echo "targets whose last probe succeeded: $probe_ok of $targets"
echo "slowest scrape: ${slowest}s; probes refused by the exporter: $rejected"
echo "exporter VmRSS (kB) every 30 s:"; awk 'NR > 1 {printf "%s ", $2} END {print ""}' "$out/rss.txt"
echo "exporter VmHWM: $(awk '/VmHWM/ {print $2, $3}' /proc/$exp/status)"
