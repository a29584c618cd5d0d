#!/usr/bin/env bash
# The gateway against its baselines in alternated rounds (issue 4, point 3):
# audited plate searches over plain HTTP, the minimal Beast server and nginx
# (each returning a fixed body) all listen at once, and each round runs wrk
# against the three in turn, so that every ratio compares runs seconds apart.
# On a shared VM whose speed swings by a third within minutes, one run of
# each (run_gateway_bench.sh) can put the baseline in a fast minute and the
# gateway in a slow one.
#
#   bench/run_gateway_rounds.sh [--rounds R] [--seconds S] [--connections C]
#
#   --rounds R       rounds (default 5)
#   --seconds S      each wrk run (default 10), after one 5-s warm-up each
#   --connections C  wrk connections (default 256)
#
# Uses the city run_gateway_bench.sh builds (build/gateway-bench/city-*);
# run that first. Prints one Markdown row per round and the medians.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=5 SECS=10 CONNS=256 READS=10000000
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) ROUNDS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT=$ROOT/build/gateway-bench
CITY=$OUT/city-$READS
PLATES=$OUT/plates.txt
if [ ! -f "$CITY/demo/tokens.json" ] || [ ! -f "$PLATES" ]; then
  echo "no benchmark city: run bench/run_gateway_bench.sh first" >&2
  exit 1
fi
command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 1; }
cmake --build --preset release --target haven beast_fixed_server >/dev/null
TOKEN=$(grep '"isp.trooper"' "$CITY/demo/tokens.json" | sed 's/.*: "\(.*\)".*/\1/')

wait_port() {  # port
  for _ in $(seq 3000); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; return 1
}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT

"$ROOT/build/release/haven" serve --data "$CITY" --listen 127.0.0.1:18081 \
  --plain-http --rate-limit 0 >>"$OUT/serve.log" 2>&1 & PIDS+=($!)
"$ROOT/build/release/src/server/beast_fixed_server" --listen 127.0.0.1:18082 \
  >/dev/null 2>&1 & PIDS+=($!)
NG=$OUT/nginx-rounds
rm -rf "$NG" && mkdir -p "$NG"
cp "$ROOT/bench/nginx-fixed.conf" "$CITY/tls/cert.pem" "$CITY/tls/key.pem" "$NG/"
nginx -p "$NG/" -c "$NG/nginx-fixed.conf" -e "$NG/error.log" & PIDS+=($!)
for p in 18081 18082 18080; do wait_port $p; done

rps() {  # url [script] -> requests/s; fails on any non-2xx answer
  local args=(-t2 -c"$CONNS" -d"${SECS}s")
  [ -n "${2:-}" ] && args+=(-s "$2")
  local out
  out=$(HAVEN_TOKEN=$TOKEN HAVEN_PLATES=$PLATES wrk "${args[@]}" "$1")
  if grep -q 'Non-2xx' <<<"$out"; then
    echo "non-2xx answers from $1" >&2; exit 1
  fi
  awk '/^Requests\/sec/ {print $2}' <<<"$out"
}
SEARCH=$ROOT/bench/gateway/search.lua
GW=http://127.0.0.1:18081/ BEAST=http://127.0.0.1:18082/ NGX=http://127.0.0.1:18080/
SECS_RUN=$SECS SECS=5
rps $GW "$SEARCH" >/dev/null; rps $BEAST >/dev/null; rps $NGX >/dev/null
SECS=$SECS_RUN

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c$CONNS -d${SECS}s, plain HTTP"
echo
echo "| round | time (UTC) | audited searches/s | minimal Beast /s | nginx /s | gateway / Beast | gateway / nginx |"
echo "|---:|---|---:|---:|---:|---:|---:|"
: > "$OUT/rounds.tsv"
for r in $(seq "$ROUNDS"); do
  t=$(date -u +%H:%M:%S)
  g=$(rps $GW "$SEARCH"); b=$(rps $BEAST); n=$(rps $NGX)
  printf '%s\t%s\t%s\n' "$g" "$b" "$n" >> "$OUT/rounds.tsv"
  awk -v r="$r" -v t="$t" -v g="$g" -v b="$b" -v n="$n" 'BEGIN {
    printf "| %d | %s | %.0f | %.0f | %.0f | %.0f %% | %.0f %% |\n", r, t, g, b, n, 100*g/b, 100*g/n }'
done
echo
sort -n -k1,1 "$OUT/rounds.tsv" | awk -F'\t' '{g[NR]=$1} END {printf "median audited searches/s: %.0f (%.0f-%.0f)\n", (NR%2 ? g[(NR+1)/2] : (g[NR/2]+g[NR/2+1])/2), g[1], g[NR]}'
awk -F'\t' '{print 100*$1/$2, 100*$1/$3}' "$OUT/rounds.tsv" > "$OUT/ratios.txt"
for k in 1 2; do
  sort -n -k$k,$k "$OUT/ratios.txt" | awk -v k=$k '{v[NR]=$k} END {
    printf "median gateway / %s: %.0f %% (%.0f-%.0f %%)\n", (k==1 ? "Beast" : "nginx"),
      (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR] }'
done
rm -f "$OUT/rounds.tsv" "$OUT/ratios.txt"
