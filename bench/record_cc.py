#!/usr/bin/env python3
"""A stand-in compiler that records compile commands instead of compiling.

Used for projects built by make (autotools): `make CXX="record_cc.py clang++"`
walks the whole build in seconds, and every `-c` command is appended, as one
JSON object a line, to the file named by $BENCH_CDB_LOG. Outputs are created
empty so that make, libtool and depcomp carry on; links produce an empty
executable. Any other use (configure probes, -E, --version) runs the real
compiler.
"""
import json
import os
import subprocess
import sys

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".C")


def option_value(args, name):
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(name) and len(a) > len(name) and name != "-o":
            return a[len(name):]
    return None


def touch(path, executable=False):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w"):
        pass
    if executable:
        os.chmod(path, 0o755)


def main():
    compiler, args = sys.argv[1], sys.argv[2:]
    sources = [a for a in args if a.endswith(SOURCE_SUFFIXES) and not a.startswith("-")]
    output = option_value(args, "-o")
    if "-c" in args and len(sources) == 1:
        entry = {
            "directory": os.getcwd(),
            "arguments": [compiler] + args,
            "file": os.path.abspath(sources[0]),
        }
        with open(os.environ["BENCH_CDB_LOG"], "a") as log:
            log.write(json.dumps(entry) + "\n")
        if output:
            touch(output)
        depfile = option_value(args, "-MF")
        if depfile:
            with open(depfile, "w") as dep:
                dep.write("%s: %s\n" % (output or "out.o", sources[0]))
        return 0
    if output and ("-E" not in args) and sources == [] and "-c" not in args:
        # A link: the benchmark never runs what the project builds.
        touch(output, executable=True)
        return 0
    return subprocess.call([compiler] + args)


if __name__ == "__main__":
    sys.exit(main())
