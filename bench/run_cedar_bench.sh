#!/usr/bin/env bash
# Cedar speed: Haven vs @cedar-policy/cedar-wasm 4.13.0, side by side in one
# run, on the same generated workloads. Prints the Markdown table that goes
# into BENCHMARKS.md (section "Cedar").
#
#   bench/run_cedar_bench.sh [--requests N] [--seconds S] [--rev REV | --worktree]
#
#   --requests N  distinct requests per workload (default 10000)
#   --seconds S   minimum measuring time per cedar-wasm figure (default 5)
#   --rev REV     the engine as committed at REV (default HEAD): a clean
#                 snapshot (git archive) with this working tree's bench/ on
#                 top, built in build/cedar-bench/src with the release preset,
#                 so that the figures belong to a commit and a half-edited
#                 working tree or a shared build folder cannot skew them
#   --worktree    build the working tree instead (cmake --preset release)
#
# Steps: build cedar_bench (release preset); generate the workloads into
# build/cedar-bench (bench/cedar_workloads.py); run Haven's single-thread
# benchmarks and cedar-wasm pinned to the same core (taskset), then Haven's
# resident loop on two threads; check that both sides gave identical answers
# to every request; print the table (bench/cedar_bench_table.py).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
REQUESTS=10000
SECONDS_PER=5
REV=HEAD
while [[ $# -gt 0 ]]; do
  case $1 in
    --requests) REQUESTS=$2; shift 2 ;;
    --seconds) SECONDS_PER=$2; shift 2 ;;
    --rev) REV=$2; shift 2 ;;
    --worktree) REV=; shift ;;
    *) echo "usage: $0 [--requests N] [--seconds S] [--rev REV | --worktree]" >&2
       exit 2 ;;
  esac
done

OUT=$ROOT/build/cedar-bench
mkdir -p "$OUT"
CORE=$(( $(nproc) - 1 ))

if [[ -n $REV ]]; then
  SRC=$OUT/src
  mkdir -p "$SRC"
  # Fresh sources, kept build folder; -m stamps files now, so ninja rebuilds
  # every object (ccache, when present, makes that quick).
  find "$SRC" -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
  git archive "$REV" | tar -x -m -C "$SRC"
  find bench -maxdepth 1 -type f -exec cp {} "$SRC/bench/" \;
  ENGINE="commit $(git rev-parse --short "$REV") (clean snapshot)"
else
  SRC=$ROOT
  ENGINE="working tree at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src/cedar || echo ' + uncommitted src/cedar changes')"
fi
echo "== engine: $ENGINE" >&2
(cd "$SRC" && cmake --preset release >/dev/null &&
   cmake --build --preset release --target cedar_bench >&2)
BENCH=$SRC/build/release/bench/cedar_bench

echo "== workloads ($REQUESTS requests each) -> $OUT" >&2
python3 bench/cedar_workloads.py "$OUT" --requests "$REQUESTS"

echo "== Haven, one thread, core $CORE" >&2
taskset -c "$CORE" "$BENCH" --workloads="$OUT" --decisions_out="$OUT" \
  --benchmark_format=console --benchmark_out_format=json \
  --benchmark_out="$OUT/haven.json" >&2

echo "== cedar-wasm $(node -p "require('$ROOT/node_modules/@cedar-policy/cedar-wasm/package.json').version"), core $CORE" >&2
taskset -c "$CORE" node bench/cedar_wasm_bench.mjs "$OUT" --seconds "$SECONDS_PER" \
  > "$OUT/wasm.json"

echo "== Haven, two threads" >&2
"$BENCH" --workloads="$OUT" --threads=2 \
  --benchmark_format=console --benchmark_out_format=json \
  --benchmark_out="$OUT/haven_mt.json" >&2

{
  echo "Engine: $ENGINE; run $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Machine: nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(. /etc/os-release && echo "$PRETTY_NAME"); $(g++ --version | head -1); node $(node --version)."
  echo
}
python3 bench/cedar_bench_table.py "$OUT"
