#!/usr/bin/env bash
# Builds defer-race and runs the whole test suite against every supported LLVM
# version, installing what is missing, then checks that the sources are
# clang-formatted and pass the project's .clang-tidy (scripts/lint.sh, with the
# tools of LLVM 22; it counts as one test). The last line is the total:
#   N passed, N failed
# DEFER_RACE_LLVM narrows the versions: DEFER_RACE_LLVM=22 scripts/test.sh
set -uo pipefail
cd "$(dirname "$0")/.."
versions=(${DEFER_RACE_LLVM:-14 15 16 19 22})

scripts/deps.sh --tests "${versions[@]}" || { echo "0 passed, 1 failed"; exit 1; }
mkdir -p build

total_passed=0 total_failed=0
summary=()
for v in "${versions[@]}"; do
  start=$SECONDS
  echo "=== LLVM $v: build"
  if ! scripts/build.sh "$v"; then
    summary+=("LLVM $v: build failed")
    total_failed=$((total_failed + 1))
    continue
  fi
  build=build/llvm-$v
  lit=/usr/lib/llvm-$v/build/utils/lit/lit.py
  [ -f "$lit" ] || lit=/usr/lib/llvm-$v/bin/lit
  echo "=== LLVM $v: tests"
  rm -f "$build/lit-results.xml"
  python3 "$lit" -sv --xunit-xml-output "$build/lit-results.xml" \
    "$build/test" "$build/examples"
  counts=$(python3 scripts/lit_counts.py "$build/lit-results.xml")
  read -r passed failed unsupported <<<"$counts"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
  summary+=("LLVM $v: $passed passed, $failed failed, $unsupported unsupported ($((SECONDS - start)) s)")
done

# The sources themselves: formatted and clang-tidy clean, judged by one fixed
# LLVM version so that the answer is the same everywhere.
lint_v=22
echo "=== lint: clang-format and clang-tidy $lint_v"
if scripts/deps.sh --lint "$lint_v" &&
  { [ -f "build/llvm-$lint_v/compile_commands.json" ] || scripts/build.sh "$lint_v"; } &&
  scripts/lint.sh; then
  summary+=("lint: clean (clang-format, clang-tidy $lint_v)")
  total_passed=$((total_passed + 1))
else
  summary+=("lint: dirty (scripts/lint.sh says where)")
  total_failed=$((total_failed + 1))
fi

echo
printf '%s\n' "${summary[@]}"
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
