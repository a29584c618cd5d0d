#!/usr/bin/env bash
# Gateway speed (issue 4, point 3): audited plate searches per second over
# plain HTTP and over TLS, measured with wrk on loopback, against baselines
# measured in the same run: Haven's own HTTP server answering a fixed body
# (bench/fixed_server.cc, no pipeline) — a small one, and a real search
# answer captured from the gateway —, a minimal Beast server
# (bench/beast_fixed_server.cc) and nginx, each returning a fixed body.
# Prints the Markdown rows that go into BENCHMARKS.md ("Gateway").
#
#   bench/run_gateway_bench.sh [--reads N] [--seconds S] [--connections C]
#                              [--rounds R]
#
#   --reads N        plate reads in the table (default 10000000)
#   --seconds S      each wrk run (default 20), after a 5-s warm-up
#   --connections C  wrk connections (default 256)
#   --rounds R       instead: R rounds over plain HTTP in which the gateway,
#                    the minimal Beast server and nginx, all listening at
#                    once, are measured in turn, so that every ratio compares
#                    runs seconds apart (on a shared VM whose speed swings by
#                    a third within minutes, one run of each can put a
#                    baseline in a fast minute and the gateway in a slow one)
#
# The demo city is built once in build/gateway-bench/city and reused. Every
# audited answer waits for its own durable ledger entry (group commit); the
# script checks afterwards that the ledger grew by at least the number of
# answers wrk counted, and reads the store's plate-lookup latency histogram
# from /metrics.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
READS=10000000
SECS=20
WARMUP=5
CONNS=256
ROUNDS=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --reads) READS=$2; shift 2 ;;
    --seconds) SECS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    *) echo "usage: $0 [--reads N] [--seconds S] [--connections C] [--rounds R]" >&2; exit 2 ;;
  esac
done

OUT=$ROOT/build/gateway-bench
mkdir -p "$OUT"
cmake --preset release >/dev/null
cmake --build --preset release --target haven fixed_server beast_fixed_server >/dev/null
HAVEN=$ROOT/build/release/haven
FIXED=$ROOT/build/release/src/server/fixed_server
BEAST=$ROOT/build/release/src/server/beast_fixed_server
CITY=$OUT/city-$READS
SAMPLES=$ROOT/../shared/data/chicago

if [ ! -f "$CITY/demo/tokens.json" ]; then
  echo "building a city with $READS plate reads in $CITY" >&2
  /usr/bin/time -f "built in %e s" "$HAVEN" demo --data "$CITY" --init-only \
    --scale "$READS" --samples "$SAMPLES" >&2
fi
TOKEN=$(grep '"isp.trooper"' "$CITY/demo/tokens.json" | sed 's/.*: "\(.*\)".*/\1/')
PLATES=$OUT/plates.txt
{ echo MLZ4120
  tail -n +2 "$SAMPLES/towed_vehicles_2017.csv" | cut -d, -f6 | grep -v '^$' | sort -u
} > "$PLATES"

run_wrk() {  # name url [script]
  local name=$1 url=$2 script=${3:-}
  local args=(-t2 -c"$CONNS" -d"${SECS}s" --latency)
  [ -n "$script" ] && args+=(-s "$script")
  # A discarded warm-up first, so that every server is measured in its
  # steady state: the gateway has just reread its ledger on start, which
  # pushes the records out of the page cache.
  HAVEN_TOKEN=$TOKEN HAVEN_PLATES=$PLATES wrk "${args[@]/#-d*/-d${WARMUP}s}" "$url" > /dev/null
  HAVEN_TOKEN=$TOKEN HAVEN_PLATES=$PLATES wrk "${args[@]}" "$url" > "$OUT/$name.txt"
  local rps p50 p99 non2xx
  rps=$(awk '/^Requests\/sec/ {print $2}' "$OUT/$name.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$OUT/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$OUT/$name.txt")
  non2xx=$(awk '/Non-2xx/ {print $5}' "$OUT/$name.txt")
  printf '| %s | %s | %s | %s | %s |\n' "$name" "$rps" "$p50" "$p99" "${non2xx:-0}"
  echo "$rps" > "$OUT/$name.rps"
}

# The gateway rereads its whole ledger on start (docs/ledger-format.md,
# recovery), and the benchmark city's ledger grows by every run: after a
# day of runs (27 million entries, 16 GB) a start took 25 s.
wait_port() {  # port
  for _ in $(seq 3000); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; return 1
}

# --rounds: every server listens at once; each round measures each in turn.
run_rounds() {
  command -v nginx >/dev/null || { echo "nginx is not installed" >&2; exit 1; }
  local pids=() ng=$OUT/nginx-rounds
  trap 'kill "${pids[@]}" 2>/dev/null || true; wait' EXIT
  "$HAVEN" serve --data "$CITY" --listen 127.0.0.1:18081 --plain-http \
    --rate-limit 0 >>"$OUT/serve.log" 2>&1 & pids+=($!)
  "$BEAST" --listen 127.0.0.1:18082 >/dev/null 2>&1 & pids+=($!)
  rm -rf "$ng" && mkdir -p "$ng"
  cp "$ROOT/bench/nginx-fixed.conf" "$CITY/tls/cert.pem" "$CITY/tls/key.pem" "$ng/"
  nginx -p "$ng/" -c "$ng/nginx-fixed.conf" -e "$ng/error.log" & pids+=($!)
  for p in 18081 18082 18080; do wait_port $p; done
  local gw=http://127.0.0.1:18081/ beast=http://127.0.0.1:18082/
  local ngx=http://127.0.0.1:18080/ search=$ROOT/bench/gateway/search.lua
  rps() {  # duration url [script] -> requests/s; fails on any non-2xx answer
    local args=(-t2 -c"$CONNS" -d"$1") out
    [ -n "${3:-}" ] && args+=(-s "$3")
    out=$(HAVEN_TOKEN=$TOKEN HAVEN_PLATES=$PLATES wrk "${args[@]}" "$2")
    if grep -q 'Non-2xx' <<<"$out"; then echo "non-2xx answers from $2" >&2; exit 1; fi
    awk '/^Requests\/sec/ {print $2}' <<<"$out"
  }
  rps ${WARMUP}s $gw "$search" >/dev/null; rps ${WARMUP}s $beast >/dev/null
  rps ${WARMUP}s $ngx >/dev/null
  echo "wrk -t2 -c$CONNS -d${SECS}s, plain HTTP, $ROUNDS rounds; city: $READS plate reads"
  echo
  echo "| round | time (UTC) | audited searches/s | minimal Beast /s | nginx /s | gateway / Beast | gateway / nginx |"
  echo "|---:|---|---:|---:|---:|---:|---:|"
  local r t g b n
  : > "$OUT/rounds.tsv"
  for r in $(seq "$ROUNDS"); do
    t=$(date -u +%H:%M:%S)
    g=$(rps ${SECS}s $gw "$search"); b=$(rps ${SECS}s $beast); n=$(rps ${SECS}s $ngx)
    printf '%s\t%s\t%s\n' "$g" "$b" "$n" >> "$OUT/rounds.tsv"
    awk -v r="$r" -v t="$t" -v g="$g" -v b="$b" -v n="$n" 'BEGIN {
      printf "| %d | %s | %.0f | %.0f | %.0f | %.0f %% | %.0f %% |\n", r, t, g, b, n, 100*g/b, 100*g/n }'
  done
  echo
  awk -F'\t' '{print $1, 100*$1/$2, 100*$1/$3}' "$OUT/rounds.tsv" > "$OUT/rounds.txt"
  for k in 1 2 3; do
    sort -n -k$k,$k "$OUT/rounds.txt" | awk -v k=$k '{v[NR]=$k} END {
      split("audited searches/s,gateway / minimal Beast (%),gateway / nginx (%)", name, ",")
      printf "median %s: %.0f (%.0f-%.0f)\n", name[k],
        (NR%2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2), v[1], v[NR] }'
  done
  rm -f "$OUT/rounds.tsv" "$OUT/rounds.txt"
}

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$ROUNDS" -gt 0 ]; then
  run_rounds
  exit 0
fi
echo "wrk -t2 -c$CONNS -d${SECS}s --latency; city: $READS plate reads"
echo
echo "| run | requests/s | p50 | p99 | non-2xx |"
echo "|-----|-----------:|----:|----:|--------:|"

CERT=$CITY/tls/cert.pem KEY=$CITY/tls/key.pem
serve_gateway() {  # port [--plain-http]
  "$HAVEN" serve --data "$CITY" --listen 127.0.0.1:"$1" "${@:2}" \
    --rate-limit 0 >>"$OUT/serve.log" 2>&1 &
  HPID=$!
  wait_port "$1"
}
ledger_size() {  # url
  curl -sk "$1/healthz" | sed 's/.*"ledger_size":\([0-9]*\).*/\1/'
}

ANSWER=$OUT/answer.json
for mode in plain tls; do
  if [ $mode = plain ]; then
    scheme=http; flags=(--plain-http); gflags=(--plain-http); bflags=()
  else
    # The gateway uses the city's own certificate, DIR/tls/, which it makes
    # on its first TLS start; the baselines then load the same files.
    scheme=https; flags=(--tls-cert "$CERT" --tls-key "$KEY"); gflags=()
    bflags=("${flags[@]}")
  fi
  # The gateway: every answer waits for its own durable ledger entry.
  serve_gateway 18081 "${gflags[@]}"
  url=$scheme://127.0.0.1:18081
  before=$(ledger_size $url)
  run_wrk "audited plate search, $mode" $url/ "$ROOT/bench/gateway/search.lua"
  after=$(ledger_size $url)
  curl -sk $url/metrics > "$OUT/metrics-$mode.txt"
  if [ ! -s "$ANSWER" ]; then
    # A real answer of the median size among the first 101 plates, for the
    # transport baseline below.
    head -n 101 "$PLATES" | while read -r plate; do
      curl -sk -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        -d '{"dataset":"plate_reads","filter":{"plate":"'"$plate"'"},"purpose":"criminal-investigation","case_number":"BENCH-0","reason":"benchmark"}' \
        "$url/v1/search" > "$OUT/answer.tmp"
      echo "$(wc -c < "$OUT/answer.tmp") $plate"
    done | sort -n | sed -n 51p > "$OUT/answer.pick"
    plate=$(cut -d' ' -f2 "$OUT/answer.pick")
    curl -sk -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d '{"dataset":"plate_reads","filter":{"plate":"'"$plate"'"},"purpose":"criminal-investigation","case_number":"BENCH-0","reason":"benchmark"}' \
      "$url/v1/search" > "$ANSWER"
    rm -f "$OUT/answer.tmp" "$OUT/answer.pick"
  fi
  kill -TERM $HPID; wait $HPID || true
  echo "$mode: the ledger grew by $((after - before)) entries" >> "$OUT/notes.txt"
  grep -E 'haven_store_query_seconds_(bucket|count)\{dataset="plate_reads"' \
    "$OUT/metrics-$mode.txt" >> "$OUT/notes.txt"
  # The baselines: Haven's HTTP server alone, answering a fixed body — a
  # small one, and a real search answer (the transport's cost for a body of
  # the gateway's size, without the pipeline).
  "$FIXED" --listen 127.0.0.1:18080 "${flags[@]}" >/dev/null 2>&1 & FPID=$!
  wait_port 18080
  run_wrk "fixed body, $mode (baseline)" $scheme://127.0.0.1:18080/
  kill $FPID; wait $FPID 2>/dev/null || true
  "$FIXED" --listen 127.0.0.1:18080 "${flags[@]}" --body-file "$ANSWER" >/dev/null 2>&1 & FPID=$!
  wait_port 18080
  aname="fixed $(wc -c < "$ANSWER")-byte answer, $mode"
  run_wrk "$aname" $scheme://127.0.0.1:18080/
  cp "$OUT/$aname.rps" "$OUT/answer-$mode.rps"
  kill $FPID; wait $FPID 2>/dev/null || true
  # The baseline issue 4 names: a minimal Beast server, Beast used the plain
  # way (one io_context on two threads, async_read/async_write).
  "$BEAST" --listen 127.0.0.1:18080 "${bflags[@]}" >/dev/null 2>&1 & FPID=$!
  wait_port 18080
  run_wrk "minimal Beast server, fixed body, $mode" $scheme://127.0.0.1:18080/
  cp "$OUT/minimal Beast server, fixed body, $mode.rps" "$OUT/beast-$mode.rps"
  kill $FPID; wait $FPID 2>/dev/null || true
done
# The second baseline: nginx returning a fixed body (bench/nginx-fixed.conf).
if command -v nginx >/dev/null; then
  NG=$OUT/nginx
  rm -rf "$NG" && mkdir -p "$NG"
  cp "$ROOT/bench/nginx-fixed.conf" "$CERT" "$KEY" "$NG/"
  nginx -p "$NG/" -c "$NG/nginx-fixed.conf" -e "$NG/error.log" & NPID=$!
  wait_port 18080
  run_wrk "nginx fixed body, plain" http://127.0.0.1:18080/
  run_wrk "nginx fixed body, tls" https://127.0.0.1:18443/
  kill $NPID; wait $NPID 2>/dev/null || true
fi
echo
for mode in plain tls; do
  base=$(cat "$OUT/fixed body, $mode (baseline).rps")
  answer=$(cat "$OUT/answer-$mode.rps")
  gw=$(cat "$OUT/audited plate search, $mode.rps")
  beast=$(cat "$OUT/beast-$mode.rps")
  ngx=$(cat "$OUT/nginx fixed body, $mode.rps" 2>/dev/null || echo 0)
  awk -v b="$base" -v a="$answer" -v g="$gw" -v bb="$beast" -v n="$ngx" -v m=$mode 'BEGIN {
    printf "%s: gateway at %.0f%% of Haven'"'"'s fixed-body server, %.0f%% of it sending a real answer, %.0f%% of the minimal Beast server", m, 100 * g / b, 100 * g / a, 100 * g / bb
    if (n > 0) printf ", %.0f%% of nginx", 100 * g / n
    printf "\n" }'
done
cat "$OUT/notes.txt"
rm -f "$OUT/notes.txt"
