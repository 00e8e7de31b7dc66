#!/usr/bin/env python3
"""Which checks the runner and the hook run, per directory's .clang-tidy.

  config_scenario.py --cxx CLANGXX --run "RUNNER" --hook "HOOK" -- TIDY-ARGS

Builds a project in a fresh temporary folder outside any other tree (so
that no .clang-tidy above it counts), with four directories whose files all
hold the same bugs (a detached-mutation, a serialize-shared and a
use-after-move finding):

  only-dm/   .clang-tidy enables defer-race-detached-mutation only
  others/    .clang-tidy enables bugprone-use-after-move, no defer-race check
  disabled/  .clang-tidy enables bugprone-use-after-move and disables
             defer-race-serialize-shared
  none/      no .clang-tidy anywhere above it

and prints, for the runner, the hook, and the runner with an explicit
--checks, the checks reported in each directory.
"""

import argparse
import collections
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

SOURCE = """#include <cstdio>
#include <string>
#include <thread>
#include <utility>

struct Response { std::string data, log; };
std::string to_json(const Response &res);

template <class F> struct Finally {
  F f;
  ~Finally() { f(); }
};
template <class F> Finally<F> finally(F f) { return {f}; }

void handle(Response &res) {
  auto cleanup = finally([&res] {
    std::thread([&res] { res.log = "handled"; }).detach();
  });
}

void report(Response &res) {
  auto print = finally([&res] { std::puts(to_json(res).c_str()); });
  handle(res);
}

std::string moved(std::string s) {
  std::string t = std::move(s);
  return s + t;
}
"""

CONFIGS = {
    "only-dm": "-*,defer-race-detached-mutation",
    "others": "-*,bugprone-use-after-move",
    "disabled": "-*,bugprone-use-after-move,-defer-race-serialize-shared",
    "none": None,
}


def reported(output, root):
    """{directory: sorted check names} from a wrapper's output."""
    found = collections.defaultdict(set)
    for match in re.finditer(r"^(\S+?):\d+:\d+: (?:warning|error): .*\[([^\]]+)\]$",
                             output, re.M):
        path = os.path.realpath(os.path.join(root, match.group(1)))
        directory = os.path.basename(os.path.dirname(path))
        found[directory].add(match.group(2).split(",")[0])
    return found


def show(title, output, status, root):
    print("=== %s: exit %d" % (title, status))
    found = reported(output, root)
    for directory in sorted(CONFIGS):
        print("%s: %s" % (directory,
                          " ".join(sorted(found.get(directory, ()))) or "-"))


def main():
    argv = sys.argv[1:]
    cut = argv.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--run", required=True)
    parser.add_argument("--hook", required=True)
    args = parser.parse_args(argv[:cut])
    tidy_args = argv[cut + 1:]

    root = tempfile.mkdtemp(prefix="defer-race-config.")
    try:
        entries, files = [], []
        for directory, checks in CONFIGS.items():
            os.makedirs(os.path.join(root, directory))
            if checks is not None:
                with open(os.path.join(root, directory, ".clang-tidy"),
                          "w") as f:
                    f.write("Checks: '%s'\n" % checks)
            source = os.path.join(root, directory, "file.cpp")
            with open(source, "w") as f:
                f.write(SOURCE)
            files.append(source)
            entries.append({"directory": root, "file": source,
                            "arguments": [args.cxx, "-std=c++17", "-c",
                                          source]})
        os.makedirs(os.path.join(root, "build"))
        with open(os.path.join(root, "build", "compile_commands.json"),
                  "w") as f:
            json.dump(entries, f)

        def run(command):
            proc = subprocess.run(command, cwd=root, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT)
            return proc.returncode, proc.stdout.decode(errors="replace")

        status, out = run(shlex.split(args.run) + ["-p", "build",
                                                   "--progress", "none"] +
                          tidy_args)
        show("runner", out, status, root)
        status, out = run(shlex.split(args.hook) + ["-p", "build"] +
                          tidy_args + files)
        show("hook", out, status, root)
        status, out = run(shlex.split(args.run) + [
            "-p", "build", "--progress", "none",
            "--checks=-*,defer-race-serialize-shared"] + tidy_args)
        show("runner --checks", out, status, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
