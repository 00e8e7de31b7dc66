#!/usr/bin/env python3
"""A quick, repeatable measurement of the checks' own time.

Runs clang-tidy with only the defer-race checks and --enable-check-profile
over the C++ test inputs (test/*/*.cpp), the examples (examples/*/*.cpp) and
two generated translation units of bench/scaling.py (N units in one function,
N functions), and sums the checks' profile times (user + sys CPU seconds).
Each file is run REPEAT times and its minimum kept, so that load from other
processes on the machine counts as little as possible.

  bench/profile_checks.py [--llvm 22] [--repeat 3] [--units 300] [--plugin SO]

Prints one line per file and the totals: checks' CPU seconds and warnings.
This is not the benchmark of docs/benchmark.md (real projects); it is the
cheap before/after measurement for refactors of checks/.
"""

import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

ROW = re.compile(r"^\s*([0-9.]+)\s+\(.*?\)\s+([0-9.]+)\s+\(.*?\)\s+"
                 r"([0-9.]+)\s+\(.*?\)\s+([0-9.]+)\s+\(.*?\)\s+(\S+)\s*$")


def profile(tidy, plugin, path, flags):
    cmd = [tidy, "--load=" + plugin, "--checks=-*,defer-race-*",
           "--enable-check-profile", path, "--"] + flags
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)
    seconds = 0.0
    for line in proc.stderr.splitlines() + proc.stdout.splitlines():
        m = ROW.match(line)
        if m and m.group(5).startswith("defer-race-"):
            seconds += float(m.group(3))  # user + system
    warnings = len(re.findall(r": warning: .*\[defer-race-",
                              proc.stdout))
    return seconds, warnings


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--llvm", default="22")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--plugin", help="defer-race.so to load (default: "
                        "build/llvm-<llvm>/lib/defer-race.so)")
    args = parser.parse_args()

    tidy = "/usr/lib/llvm-%s/bin/clang-tidy" % args.llvm
    plugin = args.plugin or os.path.join(ROOT, "build", "llvm-" + args.llvm,
                                         "lib", "defer-race.so")
    flags = ["-std=c++20", "-pthread",
             "-isystem", os.path.join(ROOT, "test", "Inputs", "include"),
             "-isystem", "/usr/include/jsoncpp",
             "-DBOOST_ASIO_HAS_CO_AWAIT", "-DBOOST_ASIO_HAS_STD_COROUTINE"]

    files = sorted(glob.glob(os.path.join(ROOT, "test", "*", "*.cpp")) +
                   glob.glob(os.path.join(ROOT, "examples", "*", "*.cpp")))
    scratch = tempfile.mkdtemp(prefix="defer-race-profile-")
    import scaling
    for shape in ("one", "many"):
        path = os.path.join(scratch, "scale-%s-%d.cpp" % (shape, args.units))
        scaling.generate(path, args.units, shape)
        files.append(path)

    total_s, total_w = 0.0, 0
    for path in files:
        best, warnings = None, 0
        for _ in range(args.repeat):
            s, warnings = profile(tidy, plugin, path, flags)
            best = s if best is None else min(best, s)
        total_s += best
        total_w += warnings
        print("%8.4f s %4d warnings  %s" % (best, warnings,
                                           os.path.relpath(path, ROOT)))
    print("total: %.4f s of checks' CPU time, %d warnings, %d files"
          % (total_s, total_w, len(files)))


if __name__ == "__main__":
    main()
