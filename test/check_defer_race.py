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
without CHECK-FIXES must come out of --fix unchanged. With --check-suffixes=X
the prefixes become CHECK-MESSAGES-X, CHECK-NOTES-X and CHECK-FIXES-X, so one
file can hold expectations for several configurations; --check-suffixes=,X
uses both the plain and the -X prefixes.

With --clangxx, a file that --fix changed must still compile.
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


def split_command_line(argv):
    """argv -> (our args, clang-tidy args, compiler args), split at the
    first and second `--`."""
    if "--" not in argv:
        return argv, [], []
    cut = argv.index("--")
    ours, rest = argv[:cut], argv[cut + 1:]
    if "--" in rest:
        cut = rest.index("--")
        return ours, rest[:cut], rest[cut + 1:]
    return ours, rest, []


def run_filecheck(filecheck, check_file, input_text, prefixes, extra):
    proc = subprocess.run(
        [filecheck, check_file, "--check-prefixes=" + ",".join(prefixes),
         "--input-file=-", *extra],
        input=input_text.encode(), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT)
    return proc.returncode, proc.stdout.decode(errors="replace")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--filecheck", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--check-suffixes", "-check-suffixes",
                        "--check-suffix", "-check-suffix", default="",
                        help="comma-separated; an empty entry is the plain "
                        "prefix")
    parser.add_argument("--fix-notes", action="store_true",
                        help="also apply fixes found on notes")
    parser.add_argument("--config", default="{}",
                        help="clang-tidy --config, so that no .clang-tidy "
                        "file around the test changes its result")
    parser.add_argument("--expect-clang-tidy-error", action="store_true")
    parser.add_argument("--clangxx", help="compiles the fixed file: every "
                        "fix must leave code that compiles")
    parser.add_argument("source")
    parser.add_argument("checks")
    parser.add_argument("temp")
    ours, tidy_args, compiler_args = split_command_line(sys.argv[1:])
    args = parser.parse_args(ours)
    if not compiler_args:
        compiler_args = ["-std=c++17"]

    suffixes = args.check_suffixes.split(",")
    def prefixes(base):
        return [base + ("-" + x if x else "") for x in suffixes]
    messages_prefixes = prefixes("CHECK-MESSAGES")
    notes_prefixes = prefixes("CHECK-NOTES")
    fixes_prefixes = prefixes("CHECK-FIXES")

    with open(args.source, encoding="utf-8") as f:
        original = f.read()
    def present(names):
        return [p for p in names
                if re.search(r"//\s*%s:" % re.escape(p), original)]
    has_messages = present(messages_prefixes)
    has_notes = present(notes_prefixes)
    has_fixes = present(fixes_prefixes)

    # Keep line numbers, drop the expectations: the fixed file must not
    # contain the patterns that check it.
    cleaned = CHECK_COMMENT.sub("//", original)
    extension = os.path.splitext(args.source)[1] or ".cpp"
    temp_file = args.temp + extension
    os.makedirs(os.path.dirname(os.path.abspath(temp_file)), exist_ok=True)
    with open(temp_file, "w", encoding="utf-8") as f:
        f.write(cleaned)

    command = [args.clang_tidy, "--load=" + args.plugin, temp_file, "--fix",
               "--checks=-*," + args.checks]
    if not any(re.match(r"--?config(-file)?=", a) for a in tidy_args):
        command.append("--config=" + args.config)
    if args.fix_notes:
        command.append("--fix-notes")
    command += tidy_args + ["--"] + compiler_args
    proc = subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT)
    output = proc.stdout.decode(errors="replace")
    if proc.returncode != 0 and not args.expect_clang_tidy_error:
        fail("clang-tidy failed with exit code %d:\n  %s" %
             (proc.returncode, " ".join(command)), output)

    # clang-tidy's own "FIX-IT applied suggested code changes" notes say
    # nothing about the check.
    diagnostics = [l for l in output.splitlines()
                   if DIAG_LINE.match(l) and "note: FIX-IT applied" not in l]
    warnings = [l for l in diagnostics
                if not DIAG_LINE.match(l).group(1) == "note"]

    if has_messages:
        rc, out = run_filecheck(
            args.filecheck, args.source, "\n".join(warnings) + "\n",
            has_messages, ["--implicit-check-not={{warning|error}}:"])
        if rc:
            fail("CHECK-MESSAGES failed:\n" + out, output)
    if has_notes:
        rc, out = run_filecheck(
            args.filecheck, args.source, "\n".join(diagnostics) + "\n",
            has_notes, ["--implicit-check-not={{note|warning|error}}:"])
        if rc:
            fail("CHECK-NOTES failed:\n" + out, output)
    if not has_messages and not has_notes and warnings:
        fail("expected no warning, got %d" % len(warnings), output)

    with open(temp_file, encoding="utf-8") as f:
        fixed = f.read()
    if has_fixes:
        rc, out = run_filecheck(args.filecheck, args.source, fixed,
                                has_fixes, ["--strict-whitespace"])
        if rc:
            fail("CHECK-FIXES failed:\n" + out, output)
        if args.clangxx:
            proc = subprocess.run(
                [args.clangxx, "-fsyntax-only", "-Wno-everything",
                 *compiler_args, temp_file],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            if proc.returncode != 0:
                fail("the fixed file does not compile:\n" +
                     proc.stdout.decode(errors="replace"), output)
    elif fixed != cleaned:
        fail("the file changed under --fix, but the test has no %s lines" %
             "/".join(fixes_prefixes), output)


if __name__ == "__main__":
    main()
