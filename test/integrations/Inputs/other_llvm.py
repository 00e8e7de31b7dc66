#!/usr/bin/env python3
"""Runs defer-race-run and the pre-commit hook with the clang-tidy of the
first other installed LLVM version and this build's plugin, and prints each
exit status with what the tool said.

  other_llvm.py --built N --loader SO --versioned SO --build DIR --file F
      --run "PYTHON defer-race-run" --hook "PYTHON defer-race-pre-commit"
      -- OTHER-MAJOR...
"""

import argparse
import shlex
import subprocess
import sys


def show(title, command):
    proc = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    print("%s: exit %d" % (title, proc.returncode))
    sys.stdout.write(proc.stdout.decode(errors="replace"))


def main():
    argv = sys.argv[1:]
    cut = argv.index("--")
    parser = argparse.ArgumentParser()
    for option in ("--built", "--loader", "--versioned", "--build", "--file",
                   "--run", "--hook"):
        parser.add_argument(option, required=True)
    args = parser.parse_args(argv[:cut])
    others = [m for m in argv[cut + 1:] if m != args.built]
    tidy = "/usr/lib/llvm-%s/bin/clang-tidy" % others[0]
    common = ["-p", args.build, "--clang-tidy", tidy]
    show("runner, loader", shlex.split(args.run) + common +
         ["--load", args.loader, args.file])
    show("runner, versioned plugin", shlex.split(args.run) + common +
         ["--load", args.versioned, args.file])
    show("hook, loader", shlex.split(args.hook) + common +
         ["--load", args.loader, args.file])


if __name__ == "__main__":
    main()
