#!/usr/bin/env python3
"""Fails when an executable holds its own copy of code that a shared library
it runs with also exports.

  shared_copies.py --nm LLVM-NM EXECUTABLE SHARED-LIBRARY...

A strong definition (nm types T, D, B, R) in EXECUTABLE with the (C++) name
of a symbol that SHARED-LIBRARY exports means a static archive of that library was
linked in beside it: two copies of its globals, constructed and destroyed
twice, which is how a clangd linked both with libclangAST.a and with
libclang-cpp.so ends in "double free or corruption" at exit. Inline functions
and template instances (weak, W/V/u) are expected in both and not counted.

Prints one line per shared library: "<library>: <n> symbols also defined in
<executable>", with up to five examples when n is not zero.
"""

import argparse
import os
import subprocess
import sys

STRONG = set("TDBR")


def symbols(nm, path, dynamic):
    argv = [nm, "--defined-only", "--extern-only", "--format=posix"]
    if dynamic:
        argv.append("--dynamic")
    out = subprocess.run(argv + [path], stdout=subprocess.PIPE, check=True,
                         universal_newlines=True).stdout
    names = set()
    for line in out.splitlines():
        fields = line.split()
        # C++ names only: the linker defines a few C ones (_edata, _end,
        # __bss_start) in every executable and library.
        if (len(fields) >= 2 and fields[1] in STRONG
                and fields[0].startswith("_Z")):
            # Exported names carry a version: name@@LLVM_22.1.
            names.add(fields[0].split("@")[0])
    return names


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nm", required=True)
    parser.add_argument("executable")
    parser.add_argument("libraries", nargs="+")
    args = parser.parse_args()

    own = symbols(args.nm, args.executable, dynamic=False)
    if not own:
        sys.exit("shared_copies: no symbols in %s" % args.executable)
    copies = 0
    for library in args.libraries:
        exported = symbols(args.nm, library, dynamic=True)
        if not exported:
            sys.exit("shared_copies: %s exports nothing" % library)
        both = sorted(own & exported)
        copies += len(both)
        print("%s: %d symbols also defined in %s" % (
            os.path.basename(library), len(both),
            os.path.basename(args.executable)))
        for name in both[:5]:
            print("  %s" % name)
    sys.exit(1 if copies else 0)


if __name__ == "__main__":
    main()
