#!/usr/bin/env python3
"""Copies the test project (Inputs/project) to DEST and writes
DEST/build/compile_commands.json for its sources, compiled with CXX.

  make_project.py DEST --cxx CLANGXX [--sources handler.cpp joined.cpp ...]
      [--checks GLOBS]

The project gets a .clang-tidy with `Checks: GLOBS` (default: the defer-race
checks only), as a user's project has: the wrappers use the nearest
.clang-tidy, and without one of its own the project would inherit the one of
whatever tree the test runs in. --checks '' writes none.
"""

import argparse
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def make_project(dest, cxx, sources=None, checks="-*,defer-race-*"):
    """Copies the project to dest; returns its build directory."""
    dest = os.path.abspath(dest)
    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(os.path.join(HERE, "project"), dest)
    if checks:
        with open(os.path.join(dest, ".clang-tidy"), "w") as f:
            f.write("Checks: '%s'\n" % checks)
    build = os.path.join(dest, "build")
    os.makedirs(build)
    sources = sources or sorted(os.listdir(os.path.join(dest, "src")))
    entries = []
    for name in sources:
        source = os.path.join(dest, "src", name)
        entries.append({
            "directory": build,
            "file": source,
            "arguments": [cxx, "-std=c++17",
                          "-I" + os.path.join(dest, "include"), "-c", source,
                          "-o", name + ".o"],
        })
    with open(os.path.join(build, "compile_commands.json"), "w") as f:
        json.dump(entries, f, indent=2)
    return build


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dest")
    parser.add_argument("--cxx", required=True)
    parser.add_argument("--sources", nargs="*",
                        help="the files of src/ in the database (default: "
                        "all)")
    parser.add_argument("--checks", default="-*,defer-race-*",
                        help="the Checks of the project's .clang-tidy ('': "
                        "none)")
    args = parser.parse_args()
    make_project(args.dest, args.cxx, args.sources, args.checks)


if __name__ == "__main__":
    main()
