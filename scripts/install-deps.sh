#!/usr/bin/env bash
# Installs every Debian and npm package that Haven's build and tests need on a
# fresh Debian 12 machine. Idempotent; quick when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(
  build-essential cmake ninja-build ccache pkg-config git
  clang-14 libfuzzer-14-dev libclang-rt-14-dev clang-format-14
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  libcli11-dev libsimdjson-dev libboost1.81-dev libboost-json1.81-dev
  libboost-url1.81-dev wrk
  libssl-dev libsodium-dev libsqlite3-dev libgoogle-perftools-dev
  python3 python3-yaml python3-jsonschema
)
# The machine image ships Node.js 20 with npm; take Debian's only if absent.
command -v npm >/dev/null 2>&1 || debs+=(nodejs npm)

missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
    || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Reference implementations the tests compare against, pinned by the lockfile.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
