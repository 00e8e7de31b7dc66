#!/usr/bin/env bash
# Configures and builds defer-race for one LLVM major version, in
# build/llvm-<major>. The plugin to --load is build/llvm-<major>/lib/defer-race.so.
#   scripts/build.sh 22
set -euo pipefail
v=${1:?usage: scripts/build.sh <llvm major>}
cd "$(dirname "$0")/.."
build=build/llvm-$v
mkdir -p build
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDEFER_RACE_LLVM="$v" \
  -DCMAKE_C_COMPILER="/usr/lib/llvm-$v/bin/clang" \
  -DCMAKE_CXX_COMPILER="/usr/lib/llvm-$v/bin/clang++" >"$build.configure.log" 2>&1 \
  || { cat "$build.configure.log" >&2; exit 1; }
# pipefail: the status is ninja's (grep finding no line is not a failure).
ninja -C "$build" | { grep -v '^\[' || true; }
