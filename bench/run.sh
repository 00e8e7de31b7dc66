#!/usr/bin/env bash
# The benchmark of issue 7: precision and cost of the defer-race checks on
# real Debian source packages. Not part of CI; the first run takes about 90
# minutes on two cores, later runs about 25 (parse and peer times are
# cached). Run as root (it adds a deb-src line and installs build
# dependencies):
#   bench/run.sh                 # everything
#   bench/run.sh report          # or any of: setup corpus memory scaling crosstu report
#   bench/run.sh setup inject    # recall: plants the bug in real functions (not in "all")
# Results: bench/results/summary.md. Exits non-zero when a warning is not in
# bench/reviewed.tsv, or when clang-tidy crashed on a translation unit.
# Environment: BENCH_LLVM (22), BENCH_JOBS (2), BENCH_PROJECTS (all),
# BENCH_TIMING_EVERY (3: parse and peers on one translation unit in 3),
# BENCH_SCALING ("10 100 1000 10000"), BENCH_SCALING_TIMEOUT (600 CPU s),
# BENCH_CROSSTU (pdns-recursor), BENCH_INJECT_SITES (40 per project),
# BENCH_INJECT_PER_TU (2), BENCH_INJECT_TUS (100).
# docs/benchmark.md explains each step and each figure.
set -euo pipefail
cd "$(dirname "$0")/.."
llvm=${BENCH_LLVM:-22}

missing=()
# python3-clang: the injection step reads the corpus's ASTs through libclang.
for pkg in dpkg-dev gnuplot-nox fonts-dejavu-core "python3-clang-$llvm"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# clang, clang-tidy, and the headers the generated scaling TUs include.
scripts/deps.sh --demo "$llvm"
[ -f "build/llvm-$llvm/lib/defer-race.so" ] || scripts/build.sh "$llvm"

exec /usr/bin/python3 bench/bench.py "$@"
