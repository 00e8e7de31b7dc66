#!/usr/bin/env bash
# Installs the Debian packages defer-race needs, skipping those already there.
#
#   scripts/deps.sh --demo 22          what scripts/demo.sh needs for LLVM 22
#   scripts/deps.sh --tests 14 22      what scripts/test.sh needs for 14 and 22
#
# Runs apt-get as root (through sudo when not root). Prints what it installs.
set -euo pipefail

mode=${1:?usage: scripts/deps.sh --demo|--tests <llvm major>...}
shift
versions=("$@")
[ ${#versions[@]} -gt 0 ] || { echo "deps.sh: no LLVM version given" >&2; exit 2; }

# Build tools, and the seed example's headers.
packages=(cmake ninja-build python3 libmsgsl-dev nlohmann-json3-dev)
for v in "${versions[@]}"; do
  # clang-N builds the plugin; clang-tidy-N loads it; libclang-N-dev has the
  # clang-tidy headers; llvm-N-tools has lit and FileCheck.
  packages+=("clang-$v" "clang-tidy-$v" "libclang-$v-dev" "llvm-$v-dev" "llvm-$v-tools")
done
if [ "$mode" = --tests ]; then
  # The real libraries the tests and examples use.
  packages+=(libabsl-dev libboost-dev libboost-thread-dev
             libboost-serialization-dev rapidjson-dev libprotobuf-dev
             libjsoncpp-dev libcereal-dev qtbase5-dev)
  for v in "${versions[@]}"; do
    # Sanitizer runtimes: their own package from LLVM 16; LLVM 14 and 15 ship
    # them in libclang-rt-14-dev and libclang-common-15-dev.
    case "$v" in
      15) packages+=(libclang-common-15-dev) ;;
      *) packages+=("libclang-rt-$v-dev") ;;
    esac
  done
elif [ "$mode" != --demo ]; then
  echo "deps.sh: unknown mode $mode" >&2; exit 2
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
install() { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
if ! install >/tmp/defer-race-apt.log 2>&1; then
  echo "deps.sh: apt-get update"
  "${sudo[@]}" apt-get update -q >/dev/null
  install >/tmp/defer-race-apt.log 2>&1 || { cat /tmp/defer-race-apt.log >&2; exit 1; }
fi
