#!/usr/bin/env python3
"""Prints how many functions a binary defines that the shared libclang-cpp
and libLLVM it loads define too: a static copy of clang or LLVM beside the
shared one, which would register command-line options twice (an abort at
start-up) and free their globals twice (a crash at exit).

  single_copy.py BINARY
"""

import re
import subprocess
import sys


def strong_functions(path, dynamic):
    command = ["nm", "--defined-only", "--format=posix"]
    if dynamic:
        command.append("-D")
    out = subprocess.run(command + [path], stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, check=True).stdout
    return {line.split()[0] for line in out.decode().splitlines()
            if len(line.split()) > 1 and line.split()[1] == "T"}


def main():
    binary = sys.argv[1]
    ldd = subprocess.run(["ldd", binary], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    libraries = re.findall(r"=> (\S*lib(?:clang-cpp|LLVM)[^ ]*)", ldd)
    if len(libraries) != 2:
        sys.exit("single_copy: expected libclang-cpp and libLLVM in:\n" + ldd)
    ours = strong_functions(binary, dynamic=False)
    for library in sorted(libraries):
        name = re.sub(r"\.so.*", ".so", library.rsplit("/", 1)[-1])
        both = ours & strong_functions(library, dynamic=True)
        print("%s: %d functions defined twice%s" % (
            name, len(both), "".join("\n  " + s for s in sorted(both)[:5])))


if __name__ == "__main__":
    main()
