#!/usr/bin/env bash
# User-space instructions per audited plate search, counted by callgrind:
# a figure that, unlike requests/s, does not move with the machine's load,
# for A/B comparisons of the gateway's CPU path (BENCHMARKS.md, "Gateway").
#
#   bench/gateway/callgrind_per_search.sh HAVEN_BINARY [SECONDS]
#
# Needs the benchmark city of bench/run_gateway_bench.sh
# (build/gateway-bench/city-10000000 and plates.txt; HAVEN_BENCH_CITY=DIR
# names another, e.g. a copy with a small ledger, which opens faster under
# valgrind). Serves it under valgrind on 127.0.0.1:18082, warms up with wrk
# (16 connections), zeroes the counters, runs wrk for SECONDS (default 10),
# dumps, and divides the instructions of all threads by the ledger entries
# written meanwhile.
# Kernel time is not counted. SHA-256 runs without SHA-NI under valgrind,
# so hashing is overstated.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$(realpath "$1")
SECS=${2:-10}
B=build/gateway-bench
CITY=${HAVEN_BENCH_CITY:-$B/city-10000000}
TOKEN=$(grep '"isp.trooper"' "$CITY/demo/tokens.json" | sed 's/.*: "\(.*\)".*/\1/')
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
size() { curl -s http://127.0.0.1:18082/healthz | sed 's/.*"ledger_size":\([0-9]*\).*/\1/'; }
load() {
  HAVEN_TOKEN=$TOKEN HAVEN_PLATES=$B/plates.txt wrk -t1 -c16 -d"$1"s \
    -s bench/gateway/search.lua http://127.0.0.1:18082/ >/dev/null
}
valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" \
  "$BIN" serve --data "$CITY" --listen 127.0.0.1:18082 --plain-http \
  --rate-limit 0 >"$OUT/serve.log" 2>&1 &
SP=$!
for _ in $(seq 600); do curl -s http://127.0.0.1:18082/healthz >/dev/null && break; sleep 0.5; done
load 5
n0=$(size)
callgrind_control -z $SP >/dev/null 2>&1
load "$SECS"
callgrind_control -d $SP >/dev/null 2>&1
n1=$(size)
kill $SP; wait $SP 2>/dev/null || true
ir=$(callgrind_annotate "$OUT"/cg.*.1 | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
n=$((n1 - n0))
echo "$(basename "$BIN"): $ir instructions over $n audited searches = $((ir / n)) per search"
