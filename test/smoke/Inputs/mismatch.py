#!/usr/bin/env python3
"""Loads a defer-race build into every other installed clang-tidy and checks
that each run ends with one clear line naming both LLVM versions."""

import argparse
import re
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--built", required=True)
parser.add_argument("--loader", required=True)
parser.add_argument("--versioned", required=True)
parser.add_argument("others", nargs="+")
args = parser.parse_args()

failures = 0
for other in args.others:
    tidy = "/usr/lib/llvm-%s/bin/clang-tidy" % other
    cases = [
        ("loader", args.loader,
         r"defer-race \d+\.\d+\.\d+: error: this clang-tidy is LLVM %s \(.*\), but "
         r"defer-race in .* was built for LLVM (\d+, )*%s(, \d+)* only; "
         r"build it for LLVM %s \(cmake -DDEFER_RACE_LLVM=%s\) or run "
         r"clang-tidy-\d+" % (other, args.built, other, other)),
        ("versioned plugin", args.versioned,
         r"defer-race \d+\.\d+\.\d+: error: this clang-tidy is LLVM %s \(.*\), but this "
         r"defer-race plugin was built for LLVM %s; load defer-race.so, "
         r"which picks the right build, or build for LLVM %s "
         r"\(cmake -DDEFER_RACE_LLVM=%s\)" % (other, args.built, other, other)),
    ]
    for name, plugin, pattern in cases:
        proc = subprocess.run(
            [tidy, "--load=" + plugin, "--list-checks",
             "--checks=-*,defer-race-*"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out = proc.stdout.decode(errors="replace")
        err = proc.stderr.decode(errors="replace")
        lines = [l for l in err.splitlines() if l.strip()]
        problems = []
        if proc.returncode != 1:
            problems.append("exit code %d, expected 1" % proc.returncode)
        if len(lines) != 1 or not re.fullmatch(pattern, lines[0]):
            problems.append("stderr is not the one expected line")
        if out.strip():
            problems.append("clang-tidy went on and printed to stdout")
        if "symbol lookup error" in err or "undefined symbol" in err:
            problems.append("symbol lookup error")
        status = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print("clang-tidy-%s + %s: %s" % (other, name, status))
        if problems:
            print("  stderr: %r\n  stdout: %r" % (err, out))
            failures += 1
sys.exit(1 if failures else 0)
