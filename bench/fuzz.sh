#!/usr/bin/env bash
# Run every fuzz target for SECONDS each (default 60), two at a time, seeded from fuzz/seeds
# and continuing the corpus in fuzz/corpus. Crashes land in fuzz/artifacts/<target>/.
#
#   bash bench/fuzz.sh 600        # needs cargo-fuzz: cargo install cargo-fuzz --locked
#
# Stable Rust works without a sanitizer (`-s none`); for AddressSanitizer on the stable
# toolchain: RUSTC_BOOTSTRAP=1 FUZZ_SANITIZER=address bash bench/fuzz.sh 600.
# The summary (runs, executions, coverage per target) goes to fuzz/out/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
secs=${1:-60}
san=${FUZZ_SANITIZER:-none}
jobs=${FUZZ_JOBS:-2}
command -v cargo-fuzz >/dev/null || { echo "missing cargo-fuzz (cargo install cargo-fuzz --locked)" >&2; exit 1; }
cargo fuzz build -s "$san" >/dev/null
mkdir -p out
targets=$(cargo fuzz list)
run_one() {
  t=$1
  mkdir -p "corpus/$t" "artifacts/$t"
  if cargo fuzz run -s "$san" "$t" "corpus/$t" "seeds/$t" -- -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
       > "out/$t.log" 2>&1; then
    status=ok
  else
    status=CRASH
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "out/$t.log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "out/$t.log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "out/$t.log" | tail -1 | cut -d' ' -f2)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "out/$t.log" | tail -1)
  printf '%-16s %-6s %6ss %12s execs  cov %-6s ft %-6s peak %s MB\n' "$t" "$status" "$secs" "${runs:-?}" "${cov:-?}" "${ft:-?}" "${rss:-?}"
}
export -f run_one; export secs san
printf '%s\n' $targets | xargs -P "$jobs" -I{} bash -c 'run_one {}' | tee out/summary.txt
! grep -q CRASH out/summary.txt
