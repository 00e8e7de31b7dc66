#!/usr/bin/env bash
# Installs the Debian packages defer-race needs, skipping those already there.
#
#   scripts/deps.sh --demo 22          what scripts/demo.sh needs for LLVM 22
#   scripts/deps.sh --tests 14 22      what scripts/test.sh needs for 14 and 22
#   scripts/deps.sh --lint 22          what scripts/lint.sh needs
#
# The lists are in scripts/packages/. Runs apt-get as root (through sudo when
# not root), and says what it installs. --tests also installs Microsoft's SARIF
# Multitool from the npm registry (scripts/packages/npm.txt) into
# build/sarif-multitool, where the SARIF tests look for it.
set -euo pipefail
cd "$(dirname "$0")/packages"
root=$(cd ../.. && pwd)

mode=${1:?usage: scripts/deps.sh --demo|--tests|--lint <llvm major>...}
shift
versions=("$@")
[ ${#versions[@]} -gt 0 ] || { echo "deps.sh: no LLVM version given" >&2; exit 2; }

lists=(base.txt)
case "$mode" in
  --demo) ;;
  --tests) lists+=(tests*.txt) ;;
  --lint) ;;
  *) echo "deps.sh: unknown mode $mode" >&2; exit 2 ;;
esac

packages=()
add_list() { # file [version]
  while read -r line; do
    line=${line%%#*}
    line=$(echo "$line" | xargs)
    [ -n "$line" ] || continue
    packages+=("${line//@V@/${2:-}}")
  done <"$1"
}
for list in "${lists[@]}"; do add_list "$list"; done
for v in "${versions[@]}"; do
  add_list llvm.txt "$v"
  [ "$mode" = --lint ] && add_list lint.txt "$v"
  if [ "$mode" = --tests ]; then
    # Sanitizer runtimes: their own package from LLVM 16; LLVM 15 ships them
    # in libclang-common-15-dev, LLVM 14 in libclang-rt-14-dev.
    case "$v" in
      15) packages+=(libclang-common-15-dev) ;;
      *) packages+=("libclang-rt-$v-dev") ;;
    esac
  fi
done

# npm itself: Debian's, unless the machine has one already.
if [ "$mode" = --tests ] && ! command -v npm >/dev/null; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  log=$(mktemp)
  install() { "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; }
  if ! install >"$log" 2>&1; then
    echo "deps.sh: apt-get update"
    "${sudo[@]}" apt-get update -q >/dev/null
    install >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  fi
  rm -f "$log"
fi

if [ "$mode" = --tests ]; then
  prefix=$root/build/sarif-multitool
  for spec in $(sed -e 's/#.*//' npm.txt); do
    name=${spec%@*}
    if [ ! -f "$prefix/node_modules/$name/package.json" ] ||
       ! grep -q "\"version\": \"${spec##*@}\"" "$prefix/node_modules/$name/package.json"; then
      echo "deps.sh: npm install $spec (into build/sarif-multitool)"
      log=$(mktemp)
      npm install --no-audit --no-fund --loglevel=error --prefix "$prefix" "$spec" >"$log" 2>&1 \
        || { cat "$log" >&2; exit 1; }
      rm -f "$log"
    fi
  done
fi
