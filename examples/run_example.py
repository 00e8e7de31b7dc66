#!/usr/bin/env python3
"""Proves one example: what defer-race says about it is true, and its fix-its
remove the problem without doing harm.

An example is a runnable C++ program whose header declares what to expect:

  // sanitizer: thread | address     the sanitizer that sees the problem
  // problem: yes | no               does the sanitizer report before fixes?
  // fix: --fix | --fix-notes | none where defer-race's fix-its are: on the
                                     warnings, on notes only, or nowhere
  // expect: REGEX                   after the fixes, every run's output
                                     matches it (what the fix must keep)
  // config: {...}                   clang-tidy --config (optional)
  // flags: ...                      extra compiler flags (optional);
                                     @LLVM_INCLUDE@ is LLVM's include dir
  // libs: ...                       libraries to link (optional)

and marks each line where a warning is expected with a trailing comment:

  std::thread([&res] { ... }).detach(); // warn: defer-race-detached-mutation

The runner then checks, in order:
  1. the warnings defer-race gives are exactly the marked ones;
  2. the program, built with the sanitizer at -O1, reports a problem in one
     of up to RUNS runs when `problem: yes`, and in none of them otherwise;
  3. the fixes, applied both ways users apply them: clang-tidy --fix
     --fix-notes, and --export-fixes followed by clang-apply-replacements
     (which takes the first fix of each diagnostic, a note's when the warning
     has none). With `fix: none` both must leave the file as it is.
     Otherwise, for each way: the file changed, it compiles, defer-race is
     silent on it, and in RUNS runs the sanitizer reports nothing, no run
     takes longer than HANG_SECONDS (a fix that deadlocks fails here), and
     every run's output matches `expect`.
It prints one line per step, and appends a summary line to --results.
"""

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys

RUNS = 5
# A fixed program that runs this long hangs: the examples finish in well
# under a second.
HANG_SECONDS = 20
REPORT = {
    "thread": re.compile(r"WARNING: ThreadSanitizer: data race"),
    "address": re.compile(r"ERROR: AddressSanitizer: stack-use-after-return"),
}


class Failure(Exception):
    pass


def header(text, key, default=None):
    m = re.search(r"^// %s:[ \t]*(.*)$" % re.escape(key), text, re.M)
    return m.group(1).strip() if m else default


def expected_warnings(text):
    expected = set()
    for number, line in enumerate(text.splitlines(), 1):
        m = re.search(r"// warn:\s*(.*)$", line)
        if m:
            for check in m.group(1).split(","):
                expected.add((number, check.strip()))
    return expected


def run(command, **kwargs):
    return subprocess.run(command, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, **kwargs)


def warnings_of(args, source, config, flags):
    command = [args.clang_tidy, "--load=" + args.plugin, source,
               "--checks=-*,defer-race-*", "--config=" + config, "--",
               "-std=c++17"] + flags
    proc = run(command)
    output = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        raise Failure("clang-tidy failed:\n" + output)
    found = set()
    name = os.path.basename(source)
    for line in output.splitlines():
        m = re.match(r"^(.*):(\d+):\d+: warning: .*\[(defer-race-[a-z-]+)\]$",
                     line)
        if m and os.path.basename(m.group(1)) == name:
            found.add((int(m.group(2)), m.group(3)))
    return found, output


def build(args, source, binary, sanitizer, flags, libs):
    # _GLIBCXX_ASSERTIONS makes libstdc++ instantiate std::string in the
    # example instead of calling its prebuilt copy in libstdc++.so, which
    # ThreadSanitizer does not instrument: the races on a string's length
    # and buffer are then seen whichever thread runs first.
    command = [args.clangxx, "-std=c++17", "-O1", "-g",
               "-fno-omit-frame-pointer", "-fsanitize=" + sanitizer,
               "-D_GLIBCXX_ASSERTIONS", source, "-o", binary] + \
        flags + libs + ["-lpthread"]
    proc = run(command)
    if proc.returncode != 0:
        raise Failure("build failed:\n" + proc.stdout.decode(errors="replace"))


def sanitizer_runs(binary, sanitizer, stop_at_first, expect=None,
                   timeout=60):
    """Runs the program up to RUNS times; returns the 1-based run that
    reported, or 0. Fails when a run times out, or (after fixes) exits with
    an error or prints something `expect` does not match."""
    env = dict(os.environ)
    env["TSAN_OPTIONS"] = "halt_on_error=0 report_signal_unsafe=0"
    env["ASAN_OPTIONS"] = "detect_stack_use_after_return=1 detect_leaks=0"
    for attempt in range(1, RUNS + 1):
        try:
            proc = run([binary], env=env, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise Failure("%s hangs: run %d took more than %d s" %
                          (binary, attempt, timeout))
        output = proc.stdout.decode(errors="replace")
        if REPORT[sanitizer].search(output):
            return attempt, output
        if not stop_at_first and proc.returncode != 0:
            raise Failure("%s exited with %d:\n%s" %
                          (binary, proc.returncode, output))
        if expect and not re.search(expect, output):
            raise Failure("%s broke its postcondition in run %d: the output "
                          "does not match %r:\n%s" %
                          (binary, attempt, expect, output))
    return 0, ""


def apply_route(args, route, source, config, flags):
    """Copies source into a directory of its own and applies defer-race's
    fixes there the way `route` does; returns the fixed file and the tools'
    output."""
    directory = os.path.join(args.work, route)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    fixed = os.path.join(directory, os.path.basename(source))
    shutil.copyfile(source, fixed)
    tidy = [args.clang_tidy, "--load=" + args.plugin, fixed,
            "--checks=-*,defer-race-*", "--config=" + config]
    compiler = ["--", "-std=c++17"] + flags
    if route == "fix-notes":
        proc = run(tidy + ["--fix", "--fix-notes"] + compiler)
        output = proc.stdout.decode(errors="replace")
    else:
        exported = os.path.join(directory, "fixes.yaml")
        proc = run(tidy + ["--export-fixes=" + exported] + compiler)
        output = proc.stdout.decode(errors="replace")
        if os.path.exists(exported):
            apply = os.path.join(os.path.dirname(args.clang_tidy),
                                 "clang-apply-replacements")
            proc = run([apply, directory])
            output += proc.stdout.decode(errors="replace")
            if proc.returncode != 0:
                raise Failure("clang-apply-replacements failed:\n" + output)
    return fixed, output


def describe(warnings):
    return ", ".join("%s@%d" % (check[len("defer-race-"):], line)
                     for line, check in sorted(warnings)) or "none"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clang-tidy", required=True)
    parser.add_argument("--clangxx", required=True)
    parser.add_argument("--plugin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--results")
    parser.add_argument("example")
    args = parser.parse_args()

    with open(args.example, encoding="utf-8") as f:
        text = f.read()
    name = os.path.relpath(args.example,
                           os.path.dirname(os.path.abspath(__file__)))
    sanitizer = header(text, "sanitizer", "thread")
    problem = header(text, "problem", "yes") == "yes"
    fix = header(text, "fix", "none")
    expect = header(text, "expect")
    config = header(text, "config", "{}")
    # @LLVM_INCLUDE@: the headers of the LLVM whose clang builds the example.
    llvm_include = os.path.join(os.path.dirname(os.path.dirname(
        os.path.realpath(args.clangxx))), "include")
    flags = shlex.split(header(text, "flags", "").replace("@LLVM_INCLUDE@",
                                                         llvm_include))
    libs = shlex.split(header(text, "libs", ""))
    expected = expected_warnings(text)
    os.makedirs(args.work, exist_ok=True)
    summary = [name]

    try:
        # 1. The warnings are the declared ones.
        found, output = warnings_of(args, args.example, config, flags)
        if found != expected:
            raise Failure("warnings differ\n  expected: %s\n  got:      %s\n%s"
                          % (describe(expected), describe(found), output))
        print("warnings: %s" % describe(found))
        summary.append("warnings: %s" % describe(found))

        # 2. The sanitizer agrees.
        binary = os.path.join(args.work, "before")
        build(args, args.example, binary, sanitizer, flags, libs)
        attempt, report = sanitizer_runs(binary, sanitizer, problem)
        if problem and not attempt:
            raise Failure("%s sanitizer reported nothing in %d runs" %
                          (sanitizer, RUNS))
        if not problem and attempt:
            raise Failure("%s sanitizer reported a problem in run %d:\n%s" %
                          (sanitizer, attempt, report))
        verdict = ("%s report in run %d" % (sanitizer, attempt) if attempt else
                   "%s silent in %d runs" % (sanitizer, RUNS))
        print("before fixes: " + verdict)
        summary.append("before: " + verdict)

        # 3. The fixes remove it, both ways users apply them, and do no
        # harm.
        for route in ("fix-notes", "apply-replacements"):
            fixed, output = apply_route(args, route, args.example, config,
                                        flags)
            with open(fixed, encoding="utf-8") as f:
                changed = f.read() != text
            if fix == "none":
                if changed:
                    raise Failure("%s changed the file, but the example "
                                  "offers no fix:\n%s" % (route, output))
                continue
            if not changed:
                raise Failure("%s changed nothing:\n%s" % (route, output))
            left, output = warnings_of(args, fixed, config, flags)
            if left:
                raise Failure("defer-race still warns after %s: %s\n%s" %
                              (route, describe(left), output))
            binary = os.path.join(args.work, route, "after")
            build(args, fixed, binary, sanitizer, flags, libs)
            attempt, report = sanitizer_runs(binary, sanitizer, False, expect,
                                             HANG_SECONDS)
            if attempt:
                raise Failure("after %s the %s sanitizer still reports (run "
                              "%d):\n%s" % (route, sanitizer, attempt, report))
            verdict = "%s: compiles, checker silent, %s silent, no hang%s " \
                "in %d runs" % (route, sanitizer,
                                ", output kept" if expect else "", RUNS)
            print("after fixes: " + verdict)
            summary.append("after " + verdict)
        if fix == "none":
            print("fixes: none offered, file unchanged both ways")
            summary.append("no fix offered (both ways unchanged)")
    except Failure as failure:
        print("FAILED: %s" % failure)
        summary.append("FAILED")
        if args.results:
            with open(args.results, "a", encoding="utf-8") as f:
                f.write(" | ".join(summary) + "\n")
        sys.exit(1)
    if args.results:
        with open(args.results, "a", encoding="utf-8") as f:
            f.write(" | ".join(summary) + "\n")


if __name__ == "__main__":
    main()
