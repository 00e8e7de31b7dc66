#!/usr/bin/env python3
"""Phase one over many translation units in parallel must not lose or tear a
summary. Generates N files, each defining a function whose guard leaves a
writer, runs run-clang-tidy -j over them, and checks that the summary
directory holds exactly one intact record per function and no temporary
file."""

import argparse
import glob
import json
import os
import shutil
import stat
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--clang-tidy", required=True)
parser.add_argument("--run-clang-tidy", required=True)
parser.add_argument("--loader", required=True)
parser.add_argument("--work", required=True)
parser.add_argument("--count", type=int, default=300)
parser.add_argument("--jobs", type=int, default=2)
args = parser.parse_args()

shutil.rmtree(args.work, ignore_errors=True)
os.makedirs(args.work)
work = os.path.abspath(args.work)
header = """
struct Response { int status; };
template <class F> struct Guard { F f; ~Guard() { f(); } };
template <class F> Guard<F> guard(F f) { return Guard<F>{f}; }
template <class F> void fireAndForget(F f) { (void)f; }
"""
with open(os.path.join(work, "common.h"), "w") as f:
    f.write(header)
commands = []
for i in range(args.count):
    name = "unit%03d.cpp" % i
    with open(os.path.join(work, name), "w") as f:
        f.write('#include "common.h"\n'
                "void touch%d(Response &r) {\n"
                "  auto g = guard([&r] { fireAndForget([&r] { r.status = %d; }); });\n"
                "}\n" % (i, i))
    commands.append({"directory": work, "file": os.path.join(work, name),
                     "command": "clang++ -std=c++17 -c " + name})
with open(os.path.join(work, "compile_commands.json"), "w") as f:
    json.dump(commands, f)

# run-clang-tidy of LLVM 14 has no -load: give it a clang-tidy that loads us.
wrapper = os.path.join(work, "clang-tidy-with-defer-race")
with open(wrapper, "w") as f:
    f.write('#!/bin/sh\nexec "%s" --load="%s" "$@"\n' %
            (args.clang_tidy, args.loader))
os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IEXEC)

summaries = os.path.join(work, "summaries")
config = ("{CheckOptions: [{key: SummaryDirectory, value: '%s'}, "
          "{key: SummaryMode, value: export}, "
          "{key: DetachedSpawners, value: fireAndForget}]}" % summaries)
# run-clang-tidy of LLVM 14 waits for its queue with no timeout: a worker
# thread that dies on an exception (its own, after clang-tidy has finished)
# leaves it waiting forever. Seen once, on a loaded machine, with every
# summary already written. A hang is reported as such, and the run is made
# again once from scratch.
for attempt in (1, 2):
    shutil.rmtree(summaries, ignore_errors=True)
    try:
        proc = subprocess.run(
            [sys.executable, args.run_clang_tidy, "-clang-tidy-binary",
             wrapper, "-p", work, "-j", str(args.jobs), "-quiet",
             "-checks=-*,defer-race-serialize-shared", "-config", config],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=900)
        break
    except subprocess.TimeoutExpired:
        sys.stderr.write("run-clang-tidy hung (attempt %d)\n" % attempt)
else:
    sys.exit("run-clang-tidy hung twice")
if proc.returncode != 0:
    print(proc.stdout.decode(errors="replace"))
    sys.exit("run-clang-tidy failed")

files = glob.glob(os.path.join(summaries, "*.json"))
leftovers = glob.glob(os.path.join(summaries, ".tmp-*"))
functions = {}
for path in files:
    with open(path) as f:
        doc = json.load(f)  # a torn file would not parse
    for record in doc["functions"]:
        functions[record["name"]] = record
expected = {"touch%d" % i for i in range(args.count)}
missing = sorted(expected - set(functions))
empty = sorted(n for n in expected & set(functions)
               if not functions[n]["leaves"])
print("%d translation units, %d summary files, %d functions summarised, "
      "%d missing, %d without writers, %d temporary files left" %
      (args.count, len(files), len(functions), len(missing), len(empty),
       len(leftovers)))
if missing or empty or leftovers or len(files) != args.count:
    sys.exit(1)
