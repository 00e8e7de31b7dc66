#!/usr/bin/env python3
"""Compares the checks a clang-tidy command registers with upstream's.

  compare_checks.py --upstream CLANG-TIDY -- COMMAND...

Prints the checks COMMAND lists more than once, the upstream checks it
lacks, and the checks it adds.
"""

import collections
import subprocess
import sys


def list_checks(command):
    proc = subprocess.run(command + ["--checks=*", "--list-checks"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        sys.exit("compare_checks: %s failed (%d):\n%s" %
                 (" ".join(command), proc.returncode, out))
    return [l.strip() for l in out.splitlines() if l.startswith("    ")]


def main():
    argv = sys.argv[1:]
    cut = argv.index("--")
    upstream = list_checks(argv[1:cut])
    ours = list_checks(argv[cut + 1:])
    duplicated = sorted(c for c, n in collections.Counter(ours).items()
                        if n > 1)
    print("listed twice: %s" % (" ".join(duplicated) or "none"))
    print("upstream checks missing: %s" %
          (" ".join(sorted(set(upstream) - set(ours))) or "none"))
    print("added: %s" % " ".join(sorted(set(ours) - set(upstream))))
    print("%d checks, upstream %d" % (len(ours), len(upstream)))


if __name__ == "__main__":
    main()
