#!/usr/bin/env bash
# Builds defer-race and runs its checks on the bundled example: the bug the
# project exists for (examples/seed/seed.cpp). Installs what it needs.
#   scripts/demo.sh                      with LLVM 22
#   DEFER_RACE_LLVM=14 scripts/demo.sh   with another supported LLVM
set -euo pipefail
cd "$(dirname "$0")/.."
v=${DEFER_RACE_LLVM:-22}
scripts/deps.sh --demo "$v"
mkdir -p build
scripts/build.sh "$v"
set -x
"/usr/lib/llvm-$v/bin/clang-tidy" --load="build/llvm-$v/lib/defer-race.so" \
  '--checks=-*,defer-race-*' examples/seed/seed.cpp -- -std=c++17
