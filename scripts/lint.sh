#!/usr/bin/env bash
# Checks that defer-race's own C++ sources are clang-formatted (.clang-format)
# and pass the project's .clang-tidy, with the clang-format and clang-tidy of
# one fixed LLVM version so that the answer does not depend on what else is
# installed. clang-tidy reads build/llvm-<version>/compile_commands.json
# (scripts/build.sh <version> writes it).
#   scripts/lint.sh            # LLVM 22
#   DEFER_RACE_LINT_LLVM=19 scripts/lint.sh
# Prints what is dirty, then "lint: clean" or "lint: dirty"; exit status 1
# when dirty.
set -uo pipefail
cd "$(dirname "$0")/.."
v=${DEFER_RACE_LINT_LLVM:-22}
format=/usr/lib/llvm-$v/bin/clang-format
tidy=/usr/lib/llvm-$v/bin/clang-tidy
build=build/llvm-$v
for tool in "$format" "$tidy"; do
  [ -x "$tool" ] || { echo "lint: $tool is missing (scripts/deps.sh --lint $v)"; echo "lint: dirty"; exit 1; }
done
[ -f "$build/compile_commands.json" ] ||
  { echo "lint: no $build/compile_commands.json (scripts/build.sh $v)"; echo "lint: dirty"; exit 1; }

sources=(checks/*.cpp checks/*.h loader/*.cpp loader/*.h plugin.cpp tools/*/*.cpp)
units=(checks/*.cpp loader/*.cpp plugin.cpp tools/*/*.cpp)
dirty=0

unformatted=$("$format" --dry-run "${sources[@]}" 2>&1 | grep -o '^[^:]*:[0-9]*:[0-9]*: warning' | cut -d: -f1 | sort -u)
if [ -n "$unformatted" ]; then
  echo "lint: not clang-formatted (run $format -i on them):"
  printf '  %s\n' $unformatted
  dirty=1
fi

log=$(mktemp)
printf '%s\n' "${units[@]}" |
  xargs -P "$(nproc)" -n 1 "$tidy" -p "$build" --quiet --warnings-as-errors='*' \
    >"$log" 2>&1
if grep -q ': \(warning\|error\): ' "$log"; then
  echo "lint: clang-tidy findings:"
  grep ': \(warning\|error\): ' "$log" | sort -u | sed 's/^/  /'
  dirty=1
fi
rm -f "$log"

if [ "$dirty" -eq 0 ]; then echo "lint: clean"; else echo "lint: dirty"; fi
exit "$dirty"
