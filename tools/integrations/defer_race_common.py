"""What defer-race's integration scripts share.

- Tidy: the clang-tidy that runs the checks (defer-race-tidy, or any
  clang-tidy with --load), and a check that it can run them at all.
- CompileDB: the project's compile_commands.json, found or given with -p.
- parse_output: clang-tidy's text output, split into diagnostics.
- Report: prints results once each and keeps the counts for the summary.

Every problem a user can fix is raised as UserError and printed as one line,
`<tool>: error: <what is wrong and what to do>`, never as a traceback.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import sys

DEFAULT_CHECKS = "-*,defer-race-*"
PROG = os.path.basename(sys.argv[0]) if sys.argv[0] else "defer-race"
SOURCE_EXTENSIONS = {".c", ".cc", ".cp", ".cpp", ".cxx", ".c++", ".C", ".m",
                     ".mm", ".cu"}


class UserError(Exception):
    """A problem the user can fix; printed as one line, without traceback."""


def run_main(main):
    """Runs main() and exits with its status; UserError exits with 2."""
    try:
        status = main()
    except UserError as error:
        sys.stdout.flush()
        sys.stderr.write("%s: error: %s\n" % (PROG, error))
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("\n%s: interrupted\n" % PROG)
        sys.exit(130)
    sys.exit(status or 0)


def add_tidy_arguments(parser):
    """The options that say which clang-tidy runs the checks."""
    group = parser.add_argument_group("which clang-tidy")
    group.add_argument(
        "--clang-tidy", metavar="PATH",
        help="defer-race-tidy, or a clang-tidy to load the plugin into with "
        "--load (default: $DEFER_RACE_CLANG_TIDY, else defer-race-tidy on "
        "PATH)")
    group.add_argument(
        "--load", metavar="PLUGIN",
        help="the plugin to load into --clang-tidy, normally defer-race.so "
        "(default: $DEFER_RACE_LOAD; none for defer-race-tidy)")
    group.add_argument(
        "--checks", default=DEFAULT_CHECKS,
        help="clang-tidy --checks (default: %(default)s); an empty value "
        "uses the Checks of .clang-tidy")


def _first_error_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower():
            return re.sub(r"^defer-race: error: ", "", line)
    return lines[-1] if lines else "no output"


class Tidy:
    """The clang-tidy command that runs the checks: [binary, --load=...]."""

    def __init__(self, clang_tidy=None, load=None):
        wanted = (clang_tidy or os.environ.get("DEFER_RACE_CLANG_TIDY") or
                  "defer-race-tidy")
        binary = shutil.which(wanted)
        if not binary:
            raise UserError(
                "cannot find %s: install defer-race-tidy (it is built in "
                "build/llvm-<N>/bin), or say which clang-tidy to use with "
                "--clang-tidy=/path/to/defer-race-tidy or --clang-tidy="
                "clang-tidy-<N> --load=/path/to/defer-race.so" % wanted)
        self.binary = os.path.abspath(binary)
        self.command = [self.binary]
        load = load or os.environ.get("DEFER_RACE_LOAD")
        if load:
            if not os.path.isfile(load):
                raise UserError("no plugin at %s (--load): build it with "
                                "scripts/build.sh <LLVM major>" % load)
            self.command.append("--load=" + os.path.abspath(load))
        self.major = None
        self.version = None

    def _run(self, args):
        """(exit status, stdout, stderr) of the binary with args."""
        try:
            proc = subprocess.run(args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise UserError("cannot run %s: %s" % (self.binary, error))
        return (proc.returncode, proc.stdout.decode(errors="replace"),
                proc.stderr.decode(errors="replace"))

    def probe(self):
        """Finds the LLVM version and makes sure the checks are there.

        A plugin built for another LLVM version stops clang-tidy at load
        time with one line that says so; that line becomes the error.
        """
        status, out, err = self._run([self.binary, "--version"])
        match = re.search(r"LLVM version (\d+)\.(\d+)\.(\d+)", out)
        if status != 0 or not match:
            raise UserError("%s --version did not name an LLVM version; is it "
                            "a clang-tidy? It said: %s" %
                            (self.binary, _first_error_line(err + out)))
        self.major = int(match.group(1))
        self.version = ".".join(match.groups())

        status, out, err = self._run(
            self.command + ["--checks=" + DEFAULT_CHECKS, "--list-checks"])
        if status == 0 and "defer-race-" in out:
            return self
        if status != 0 and not re.search(r"no checks enabled", err + out,
                                         re.IGNORECASE):
            # For example the plugin's own line on a version mismatch.
            raise UserError(_first_error_line(err + out))
        raise UserError(
            "%s (LLVM %d) has no defer-race checks: use defer-race-tidy, or "
            "load the plugin built for LLVM %d with --load="
            "/path/to/defer-race.so" % (self.binary, self.major, self.major))


def normalize(path, directory=None):
    """Absolute, normalized path, as run-clang-tidy computes it."""
    if directory and not os.path.isabs(path):
        path = os.path.join(directory, path)
    return os.path.normpath(os.path.abspath(path))


class CompileDB:
    """A compile_commands.json and the files it compiles."""

    NAME = "compile_commands.json"
    HINT = ("generate one: CMake writes it with "
            "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON, other build systems with "
            "bear or compiledb; then give its directory with -p")

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.directory = os.path.dirname(self.path)
        try:
            with open(self.path, encoding="utf-8") as f:
                entries = json.load(f)
        except OSError as error:
            raise UserError("cannot read %s: %s" % (path, error.strerror))
        except ValueError as error:
            raise UserError("%s is not valid JSON (%s); regenerate it" %
                            (path, error))
        if not isinstance(entries, list):
            raise UserError("%s is not a list of compile commands; "
                            "regenerate it" % path)
        self.files = {}
        for entry in entries:
            if not isinstance(entry, dict) or "file" not in entry:
                raise UserError("%s has an entry without a \"file\": %s" %
                                (path, json.dumps(entry)[:200]))
            name = normalize(entry["file"], entry.get("directory"))
            self.files.setdefault(name, entry)
        self._real = {os.path.realpath(f): f for f in self.files}

    @classmethod
    def locate(cls, given, start="."):
        """-p DIR or -p DIR/compile_commands.json. Without -p: the one in
        start, else in start/build, else in the only subdirectory of start
        that has one. Parents are not searched: a database above the
        project belongs to another project."""
        if given:
            path = given
            if os.path.isdir(given):
                path = os.path.join(given, cls.NAME)
            if not os.path.isfile(path):
                raise UserError("no %s in %s; %s" %
                                (cls.NAME, given, cls.HINT))
            return cls(path)
        start = os.path.abspath(start)
        for candidate in (os.path.join(start, cls.NAME),
                          os.path.join(start, "build", cls.NAME)):
            if os.path.isfile(candidate):
                return cls(candidate)
        found = sorted(
            os.path.join(start, d, cls.NAME) for d in os.listdir(start)
            if os.path.isfile(os.path.join(start, d, cls.NAME)))
        if len(found) == 1:
            return cls(found[0])
        if found:
            raise UserError("found several %s (%s); pick one with -p" %
                            (cls.NAME, ", ".join(os.path.relpath(f, start)
                                                 for f in found)))
        raise UserError("no %s in %s, its build/ or another subdirectory; %s"
                        % (cls.NAME, start, cls.HINT))

    def lookup(self, path):
        """The database's name for path, or None if it does not compile it."""
        name = normalize(path)
        if name in self.files:
            return name
        return self._real.get(os.path.realpath(path))


def is_source(path):
    return os.path.splitext(path)[1] in SOURCE_EXTENSIONS


# --- clang-tidy's output ---------------------------------------------------

DIAG_RE = re.compile(
    r"^(?P<file>\S.*?):(?P<line>\d+):(?P<col>\d+): "
    r"(?P<level>warning|error|fatal error|note|remark): (?P<message>.*?)"
    r"(?: \[(?P<check>[A-Za-z0-9_.+,-]+)\])?$")


class Diagnostic:
    """One warning or error, with its notes and source excerpts."""

    def __init__(self, match):
        self.file = match.group("file")
        self.line = int(match.group("line"))
        self.col = int(match.group("col"))
        self.level = match.group("level")
        self.message = match.group("message")
        checks = (match.group("check") or "").split(",")
        self.check = checks[0] or None
        self.lines = [match.group(0)]

    @property
    def is_compile_error(self):
        return self.level in ("error", "fatal error") and (
            self.check is None or self.check == "clang-diagnostic-error")

    @property
    def key(self):
        """The same finding, whichever translation unit reports it."""
        return (os.path.realpath(self.file), self.line, self.col, self.check,
                self.message)

    @property
    def text(self):
        return "\n".join(self.lines) + "\n"


def parse_output(text):
    """clang-tidy's stdout -> its warnings and errors, each with the notes and
    excerpts printed after it."""
    diagnostics = []
    pending = []
    for line in text.splitlines():
        match = DIAG_RE.match(line)
        if match and match.group("level") != "note":
            diagnostics.append(Diagnostic(match))
            diagnostics[-1].lines[:0] = pending
            pending = []
        elif diagnostics:
            diagnostics[-1].lines.append(line)
        elif line.strip():
            pending.append(line)
    return diagnostics


class FileResult:
    """clang-tidy's run over one file."""

    def __init__(self, file, returncode, stdout, stderr, fixes=None):
        self.file = file
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        self.fixes = fixes  # its --export-fixes file, if any
        diagnostics = parse_output(stdout)
        self.errors = [d for d in diagnostics if d.is_compile_error]
        self.findings = [d for d in diagnostics if not d.is_compile_error]

    @property
    def crashed(self):
        """clang-tidy failed without saying why in a diagnostic."""
        return self.returncode != 0 and not self.errors and not any(
            d.level == "error" for d in self.findings)

    def to_json(self):
        return {"file": self.file, "returncode": self.returncode,
                "stdout": self.stdout, "stderr": self.stderr,
                "fixes": self.fixes}

    @classmethod
    def from_json(cls, data):
        return cls(data["file"], data["returncode"], data["stdout"],
                   data["stderr"], data.get("fixes"))


def run_tidy_on(command, file):
    """Runs a clang-tidy command line on one file; returns its FileResult."""
    try:
        proc = subprocess.run(command, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    except OSError as error:
        raise UserError("cannot run %s: %s" % (command[0], error))
    return FileResult(file, proc.returncode,
                      proc.stdout.decode(errors="replace"),
                      proc.stderr.decode(errors="replace"))


class Report:
    """Prints each result as it comes, each diagnostic once (a header's
    finding is reported by every file that includes it), and counts.

    With only_files, findings in other files are left out: the pre-commit
    hook reports on what is being committed."""

    def __init__(self, out=sys.stdout, only_files=None):
        self.out = out
        self.only = (None if only_files is None else
                     {os.path.realpath(f) for f in only_files})
        self.seen = set()
        self.findings = collections.Counter()
        self.files_per_check = collections.defaultdict(set)
        self.files_done = 0
        self.files_with_findings = set()
        self.broken = []
        self.crashed = []

    @property
    def total_findings(self):
        return sum(self.findings.values())

    def add(self, result):
        """Records a FileResult and prints what is new in it."""
        self.files_done += 1
        for diag in result.findings:
            if diag.key in self.seen or (
                    self.only is not None and diag.key[0] not in self.only):
                continue
            self.seen.add(diag.key)
            check = diag.check or "(no check name)"
            self.findings[check] += 1
            self.files_per_check[check].add(diag.key[0])
            self.files_with_findings.add(diag.key[0])
            self.out.write(diag.text)
        if result.errors:
            self.broken.append(result.file)
            self.out.write(
                "%s: error: %s does not compile, so it was not analysed; "
                "clang says:\n" % (PROG, result.file))
            for diag in result.errors:
                self.out.write(diag.text)
        elif result.crashed:
            self.crashed.append(result.file)
            detail = result.stderr.strip().splitlines()[-5:]
            why = ("killed by signal %d" % -result.returncode
                   if result.returncode < 0 else
                   "exit code %d" % result.returncode)
            self.out.write("%s: error: clang-tidy failed on %s (%s)%s\n" % (
                PROG, result.file, why,
                ":\n  " + "\n  ".join(detail) if detail else ""))
        self.out.flush()

    @property
    def failed(self):
        return bool(self.findings or self.broken or self.crashed)

    def summary(self, files_total, seconds, jobs=None):
        """The table printed at the end of a run."""
        rows = [(check, str(count), str(len(self.files_per_check[check])))
                for check, count in sorted(self.findings.items())]
        header = ("Check", "Findings", "Files")
        total = ("Total", str(self.total_findings),
                 str(len(self.files_with_findings)))
        widths = [max(len(r[i]) for r in rows + [header, total])
                  for i in range(3)]

        def row(cells):
            return "  ".join([cells[0].ljust(widths[0])] +
                             [c.rjust(w) for c, w in zip(cells[1:],
                                                         widths[1:])])
        rule = "  ".join("-" * w for w in widths)
        lines = [row(header), rule] + [row(r) for r in rows]
        lines += ([rule] if rows else []) + [row(total), ""]
        analysed = self.files_done - len(self.broken) - len(self.crashed)
        files = "Files: %d of %d analysed" % (analysed, files_total)
        problems = []
        if self.broken:
            problems.append("%d did not compile" % len(self.broken))
        if self.crashed:
            problems.append("%d made clang-tidy fail" % len(self.crashed))
        if files_total > self.files_done:
            problems.append("%d not run" % (files_total - self.files_done))
        if problems:
            files += " (" + ", ".join(problems) + ")"
        time_text = "Time: %s" % format_duration(seconds)
        if jobs:
            time_text += " with %d parallel job%s" % (jobs,
                                                      "" if jobs == 1 else "s")
        lines += [files, time_text]
        return "\n".join(lines) + "\n"


def format_duration(seconds):
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "%.1f s" % seconds
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return "%d:%02d:%02d" % (hours, minutes, seconds)
    return "%d:%02d" % (minutes, seconds)


def plural(count, word):
    return "%d %s%s" % (count, word, "" if count == 1 else "s")
