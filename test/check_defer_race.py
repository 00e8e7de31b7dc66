#!/usr/bin/env python3
"""Runs defer-race checks on a test file and verifies the result with FileCheck.

Usage, from a lit RUN line:

  %check_defer_race [options] %s <checks> %t [-- <clang-tidy args> [-- <compiler args>]]

The test file carries its expectations as comments:

  // CHECK-MESSAGES: :[[@LINE-1]]:3: warning: ... [defer-race-...]
      warnings and errors, and nothing else, in order;
  // CHECK-NOTES: :[[@LINE-1]]:3: note: ...
      warnings, errors and notes together, when the notes matter;
  // CHECK-FIXES: {{^}}  t.join();{{$}}
      the file after clang-tidy --fix (and --fix-notes when asked).

A file without CHECK-MESSAGES or CHECK-NOTES must produce no warning. A file
without CHECK-FIXES must come out of --fix unchanged. With --check-suffix=X
the prefixes become CHECK-MESSAGES-X, CHECK-NOTES-X and CHECK-FIXES-X, so one
file can hold expectations for several configurations.
"""

import argparse
import os
import re
import subprocess
import sys

CHECK_COMMENT = re.compile(r"//\s*CHECK-[A-Z0-9-]*:[^\r\n]*")
DIAG_LINE = re.compile(r"^.*:\d+:\d+: (warning|error|note): ")


def fail(message, output=None):
    sys.stderr.write("check_defer_race: %s\n" % message)
    if output:
        sys.stderr.write("---- clang-tidy output ----\n%s\n" % output)
    sys.exit(1)


def split_args(rest):
    """[-- tidy args [-- compiler args]] -> (tidy args, compiler args)."""
    if rest and rest[0] == "--":
        rest = rest[1:]
    if "--" in rest:
        cut = rest.index("--")
        return rest[:cut], rest[cut + 1:]
    return rest, []


def run_filecheck(filecheck, check_file, input_text, prefix, extra):
    proc = subprocess.run(
        [filecheck, check_file, "--check-prefix=" + prefix,
         "--input-file=-", *extra],
        input=input_text.encode(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    return proc.returncode, proc.stdout.decode(errors="replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--check-suffix", default="")
    parser.add_argument("--fix-notes", action="store_true",
                        help="also apply fixes found on notes")
    parser.add_argument("--config", default="{}",
                        help="clang-tidy --config, so that no .clang-tidy "
                        "file around the test changes its result")
    parser.add_argument("--expect-clang-tidy-error", action="store_true")
    parser.add_argument("source")
    parser.add_argument("checks")
    parser.add_argument("temp")
    args, rest = parser.parse_known_args()
    tidy_args, compiler_args = split_args(rest)
    if not compiler_args:
        compiler_args = ["-std=c++17"]

    suffix = "-" + args.check_suffix if args.check_suffix else ""
    messages_prefix = "CHECK-MESSAGES" + suffix
    notes_prefix = "CHECK-NOTES" + suffix
    fixes_prefix = "CHECK-FIXES" + suffix

    with open(args.source, encoding="utf-8") as f:
        original = f.read()
    has = {p: re.search(r"//\s*%s:" % re.escape(p), original) is not None
           for p in (messages_prefix, notes_prefix, fixes_prefix)}

    # Keep line numbers, drop the expectations: the fixed file must not
    # contain the patterns that check it.
    cleaned = CHECK_COMMENT.sub("//", original)
    extension = os.path.splitext(args.source)[1] or ".cpp"
    temp_file = args.temp + extension
    os.makedirs(os.path.dirname(os.path.abspath(temp_file)), exist_ok=True)
    with open(temp_file, "w", encoding="utf-8") as f:
        f.write(cleaned)

    command = [args.clang_tidy, "--load=" + args.plugin, temp_file, "--fix",
               "--checks=-*," + args.checks, "--config=" + args.config]
    if args.fix_notes:
        command.append("--fix-notes")
    command += tidy_args + ["--"] + compiler_args
    proc = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    output = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 and not args.expect_clang_tidy_error:
        fail("clang-tidy failed with exit code %d:\n  %s" %
             (proc.returncode, " ".join(command)), output)

    diagnostics = [l for l in output.splitlines() if DIAG_LINE.match(l)]
    warnings = [l for l in diagnostics
                if not DIAG_LINE.match(l).group(1) == "note"]

    if has[messages_prefix]:
        rc, out = run_filecheck(
            args.filecheck, args.source, "\n".join(warnings) + "\n",
            messages_prefix, ["--implicit-check-not={{warning|error}}:"])
        if rc:
            fail("CHECK-MESSAGES failed:\n" + out, output)
    if has[notes_prefix]:
        rc, out = run_filecheck(
            args.filecheck, args.source, "\n".join(diagnostics) + "\n",
            notes_prefix, ["--implicit-check-not={{note|warning|error}}:"])
        if rc:
            fail("CHECK-NOTES failed:\n" + out, output)
    if not has[messages_prefix] and not has[notes_prefix] and warnings:
        fail("expected no warning, got %d" % len(warnings), output)

    with open(temp_file, encoding="utf-8") as f:
        fixed = f.read()
    if has[fixes_prefix]:
        rc, out = run_filecheck(args.filecheck, args.source, fixed,
                                fixes_prefix, ["--strict-whitespace"])
        if rc:
            fail("CHECK-FIXES failed:\n" + out, output)
    elif fixed != cleaned:
        fail("the file changed under --fix, but the test has no %s lines" %
             fixes_prefix, output)


if __name__ == "__main__":
    main()
