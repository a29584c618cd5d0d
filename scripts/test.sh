#!/usr/bin/env bash
# Builds Haven three ways and runs every test:
#   release  — the optimized build, all tests (conformance, differential, ...)
#   asan     — AddressSanitizer + UBSan, all tests
#   fuzz     — clang-14 libFuzzer targets, a short fixed run of each
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh

jobs=$(nproc)
for preset in release asan fuzz; do
  echo "=== ${preset}: configure and build"
  cmake --preset "${preset}" >/dev/null
  cmake --build --preset "${preset}" -j "${jobs}"
  echo "=== ${preset}: test"
  ctest --preset "${preset}" -j "${jobs}"
done
