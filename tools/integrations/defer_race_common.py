"""What defer-race's integration scripts share.

- Tidy: the clang-tidy that runs the checks (defer-race-tidy, or any
  clang-tidy with --load), a check that it can run them at all, and the
  versions of LLVM and of defer-race that it runs.
- CheckSelection: which checks run on a file: an explicit --checks, else the
  Checks of the nearest .clang-tidy (with the defer-race checks added when it
  enables none), else only the defer-race checks.
- CompileDB: the project's compile_commands.json, found or given with -p.
- run_files: clang-tidy over many files in a thread pool. Each file's
  results are read once, from its --export-fixes YAML: the findings, their
  notes and fixes, and compiler errors.
- Report: prints results once each and keeps the counts for the summary.

Every problem a user can fix is raised as UserError and printed as one line,
`<tool>: error: <what is wrong and what to do>`, never as a traceback.
"""

import argparse
import collections
import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
import tempfile

DEFAULT_CHECKS = "-*,defer-race-*"
OUR_CHECKS_GLOB = "defer-race-*"
PROG = os.path.basename(sys.argv[0]) if sys.argv[0] else "defer-race"
SOURCE_EXTENSIONS = {".c", ".cc", ".cp", ".cpp", ".cxx", ".c++", ".C", ".m",
                     ".mm", ".cu"}
COMPILE_ERROR = "clang-diagnostic-error"


def own_version():
    """defer-race's version, from the VERSION file that CMake's project()
    reads too: at the repository root, or in share/defer-race when
    installed."""
    here = os.path.dirname(os.path.realpath(__file__))
    for candidate in (os.path.join(here, "..", "..", "VERSION"),
                      os.path.join(here, "..", "VERSION")):
        try:
            with open(candidate, encoding="utf-8") as f:
                return f.readline().strip() or None
        except OSError:
            continue
    return None


class UserError(Exception):
    """A problem the user can fix; printed as one line, without traceback."""


class ArgumentParser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one line: the tool's
    error, and where to read the options."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)
        self.add_argument("--version", action="version",
                          version="%s (defer-race %s)" % (
                              self.prog, own_version() or "unknown"))

    def error(self, message):
        raise UserError("%s; see %s --help" % (message, self.prog))


def require_yaml():
    """The results are read from clang-tidy's --export-fixes YAML."""
    try:
        import yaml  # noqa: F401
    except ImportError:
        raise UserError("%s reads clang-tidy's --export-fixes YAML and needs "
                        "PyYAML: apt-get install python3-yaml, or pip "
                        "install pyyaml" % PROG)


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
    """The options that say which clang-tidy runs the checks, and which
    checks. Each has run-clang-tidy's single-dash spelling too."""
    group = parser.add_argument_group("which clang-tidy")
    group.add_argument(
        "--clang-tidy", "-clang-tidy-binary", dest="clang_tidy",
        metavar="PATH",
        help="defer-race-tidy, or a clang-tidy to load the plugin into with "
        "--load (default: $DEFER_RACE_CLANG_TIDY, else defer-race-tidy on "
        "PATH)")
    group.add_argument(
        "--load", "-load", metavar="PLUGIN",
        help="the plugin to load into --clang-tidy, normally defer-race.so "
        "(default: $DEFER_RACE_LOAD; none for defer-race-tidy)")
    group.add_argument(
        "--checks", "-checks", default=None,
        help="clang-tidy --checks. Default: the Checks of the nearest "
        ".clang-tidy, with defer-race-* added when it enables no defer-race "
        "check (its -defer-race-... entries stay); without a .clang-tidy, "
        "%s" % DEFAULT_CHECKS)


def _first_error_line(text):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower():
            return re.sub(r"^defer-race(?: [0-9][^:]*)?: error: ", "", line)
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
        self.version = None  # LLVM's
        self.defer_race_version = None
        self.checks = []  # the defer-race checks it has

    def _run(self, args):
        """(exit status, stdout, stderr) of the binary with args."""
        try:
            proc = subprocess.run(args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise UserError("cannot run %s: %s" % (self.binary, error))
        return (proc.returncode, proc.stdout.decode(errors="replace"),
                proc.stderr.decode(errors="replace"))

    def probe(self, extra_args=()):
        """Finds the versions and makes sure the checks are there, and that
        clang-tidy accepts extra_args (the options the wrapper passes on).

        A plugin built for another LLVM version stops clang-tidy at load
        time with one line that says so; that line becomes the error.
        """
        # --load first: the plugin adds its version line to --version.
        status, out, err = self._run(self.command + ["--version"])
        match = re.search(r"LLVM version (\d+)\.(\d+)\.(\d+)", out)
        if status != 0 and re.search(r"^defer-race[^:]*: error: ", err, re.M):
            # The plugin's own line, for example on a version mismatch.
            raise UserError(_first_error_line(err))
        if status != 0 or not match:
            raise UserError("%s --version did not name an LLVM version; is it "
                            "a clang-tidy? It said: %s" %
                            (self.binary, _first_error_line(err + out)))
        self.major = int(match.group(1))
        self.version = ".".join(match.groups())
        ours = re.search(r"defer-race version (\S+)", out)
        self.defer_race_version = ours.group(1) if ours else None

        status, out, err = self._run(
            self.command + ["--checks=" + DEFAULT_CHECKS, "--list-checks"] +
            list(extra_args))
        unknown = re.search(r"Unknown command line argument '([^']*)'",
                            err + out)
        if unknown:
            raise UserError("unknown option '%s': it is neither %s's nor "
                            "clang-tidy's; see %s --help" %
                            (unknown.group(1), PROG, PROG))
        if status == 0 and "defer-race-" in out:
            self.checks = re.findall(r"^\s+(defer-race-\S+)$", out, re.M)
            return self
        if status != 0 and not re.search(r"no checks enabled", err + out,
                                         re.IGNORECASE):
            # For example the plugin's own line on a version mismatch.
            raise UserError(_first_error_line(err + out))
        raise UserError(
            "%s (LLVM %d) has no defer-race checks: use defer-race-tidy, or "
            "load the plugin built for LLVM %d with --load="
            "/path/to/defer-race.so" % (self.binary, self.major, self.major))

    def dump_config(self, args, file):
        """The configuration clang-tidy would use for file, as a dict."""
        import yaml
        status, out, err = self._run(self.command + list(args) +
                                     ["--dump-config", file])
        if status != 0:
            raise UserError("clang-tidy --dump-config failed for %s: %s" %
                            (file, _first_error_line(err + out)))
        try:
            return yaml.safe_load(out) or {}
        except yaml.YAMLError as error:
            raise UserError("cannot read clang-tidy --dump-config for %s: %s"
                            % (file, str(error).splitlines()[0]))


def glob_enables(globs, name):
    """clang-tidy's Checks semantics: comma-separated globs, '*' the only
    wildcard, '-' to remove; the last glob that matches decides."""
    enabled = False
    for glob in (g.strip() for g in (globs or "").split(",")):
        if not glob:
            continue
        positive = not glob.startswith("-")
        pattern = glob.lstrip("-").strip()
        regex = "".join(".*" if c == "*" else re.escape(c) for c in pattern)
        if re.fullmatch(regex, name):
            enabled = positive
    return enabled


class CheckSelection:
    """Which checks run on each file.

    - An explicit --checks wins.
    - Else the configuration clang-tidy finds for the file (the nearest
      .clang-tidy, or -config/-config-file among the options) decides. When
      it enables a defer-race check, it is used as it is; when it enables
      none, defer-race-* is added to it, followed by its own entries that
      name defer-race checks (so a check disabled there stays disabled).
    - Without any configuration: only the defer-race checks.
    """

    def __init__(self, tidy, explicit, tidy_args):
        self.tidy = tidy
        self.explicit = explicit
        self.tidy_args = list(tidy_args)
        self.configured = any(re.match(r"^--?config(-file)?(=|$)", a)
                              for a in self.tidy_args)
        self.cache = {}

    @staticmethod
    def nearest_config(file):
        directory = os.path.dirname(os.path.abspath(file))
        while True:
            candidate = os.path.join(directory, ".clang-tidy")
            if os.path.isfile(candidate):
                return candidate
            parent = os.path.dirname(directory)
            if parent == directory:
                return None
            directory = parent

    def args_for(self, file):
        """The --checks option to add for file, as a list (maybe empty)."""
        if self.explicit is not None:
            return ["--checks=" + self.explicit] if self.explicit else []
        key = None if self.configured else self.nearest_config(file)
        if key is None and not self.configured:
            return ["--checks=" + DEFAULT_CHECKS]
        if key not in self.cache:
            config = self.tidy.dump_config(self.tidy_args, file)
            checks = str(config.get("Checks") or "")
            if any(glob_enables(checks, c) for c in self.tidy.checks):
                self.cache[key] = []
            else:
                own = [g.strip() for g in checks.split(",")
                       if g.strip().lstrip("-").startswith("defer")]
                self.cache[key] = ["--checks=" + ",".join([OUR_CHECKS_GLOB] +
                                                          own)]
        return self.cache[key]


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
        import json
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


# --- Source positions ------------------------------------------------------

class Sources:
    """Turns (file, byte offset) into lines and columns, from 1."""

    def __init__(self):
        self.cache = {}

    def _load(self, path):
        if path not in self.cache:
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except (OSError, TypeError):
                data = None
            starts = None
            if data is not None:
                starts = [0] + [m.end() for m in re.finditer(b"\n", data)]
            self.cache[path] = (data, starts)
        return self.cache[path]

    def position(self, path, offset, code_points=False):
        """(line, column) of a byte offset, or None if unknown. Columns
        count bytes, as clang prints them, or Unicode code points."""
        data, starts = self._load(path)
        if data is None or offset is None or offset > len(data):
            return None
        low, high = 0, len(starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if starts[middle] <= offset:
                low = middle
            else:
                high = middle - 1
        prefix = data[starts[low]:offset]
        if code_points:
            return low + 1, len(prefix.decode("utf-8", errors="replace")) + 1
        return low + 1, len(prefix) + 1

    def line_text(self, path, line):
        data, starts = self._load(path)
        if data is None or line < 1 or line > len(starts):
            return None
        end = starts[line] - 1 if line < len(starts) else len(data)
        return data[starts[line - 1]:end].decode("utf-8", errors="replace")

    def text(self, path, offset, length):
        data, _ = self._load(path)
        if data is None:
            return None
        return data[offset:offset + length].decode("utf-8", errors="replace")


# --- clang-tidy's results --------------------------------------------------

def absolute(path, build_directory):
    if path and not os.path.isabs(path) and build_directory:
        return os.path.join(build_directory, path)
    return path


class Diagnostic:
    """One diagnostic of clang-tidy's --export-fixes YAML, with its notes."""

    LEVELS = {"Warning": "warning", "Error": "error", "Remark": "remark"}

    def __init__(self, raw):
        self.raw = raw
        self.check = raw.get("DiagnosticName") or None
        main = raw.get("DiagnosticMessage") or {}
        directory = raw.get("BuildDirectory")
        self.path = absolute(main.get("FilePath") or "", directory)
        self.offset = main.get("FileOffset") or 0
        self.message = main.get("Message") or ""
        self.level = self.LEVELS.get(raw.get("Level"), "warning")
        self.notes = [(absolute(n.get("FilePath") or "", directory),
                       n.get("FileOffset") or 0, n.get("Message") or "")
                      for n in raw.get("Notes") or []]

    @property
    def is_compile_error(self):
        return self.check == COMPILE_ERROR

    @property
    def key(self):
        """The same finding, whichever translation unit reports it."""
        return (os.path.realpath(self.path) if self.path else "",
                self.offset, self.check, self.message)

    def render(self, sources):
        """As clang prints it: the location, the message, the source line
        with a caret, and the same for each note."""
        out = []
        name = " [%s]" % self.check if self.check else ""
        for level, path, offset, message in (
                [(self.level, self.path, self.offset, self.message + name)] +
                [("note", p, o, m) for p, o, m in self.notes]):
            where = display_path(path) if path else "<unknown>"
            position = sources.position(path, offset) if path else None
            if position is None:
                out.append("%s: %s: %s" % (where, level, message))
                continue
            line, column = position
            out.append("%s:%d:%d: %s: %s" % (where, line, column, level,
                                              message))
            text = sources.line_text(path, line)
            if text is not None:
                # The caret under the column's byte; tabs kept as tabs.
                before = text.encode("utf-8")[:column - 1].decode(
                    "utf-8", errors="replace")
                out.append("%5d | %s" % (line, text))
                out.append("      | %s^" % re.sub(r"[^\t]", " ", before))
        return "\n".join(out) + "\n"


def display_path(path):
    """Relative to the current directory when under it, else as given."""
    absolute_path = os.path.abspath(path)
    here = os.getcwd()
    if absolute_path.startswith(here + os.sep):
        return os.path.relpath(absolute_path, here)
    return path


def load_fixes(path):
    """The diagnostics of one --export-fixes file: a list of raw dicts.
    A missing or empty file has none."""
    import yaml
    if not path or not os.path.exists(path):
        return []
    try:
        with open(path, encoding="utf-8") as f:
            content = yaml.safe_load(f)
    except yaml.YAMLError as error:
        raise UserError("%s is not clang-tidy --export-fixes YAML: %s" %
                        (path, str(error).splitlines()[0]))
    if not content:
        return []
    if not isinstance(content, dict) or not isinstance(
            content.get("Diagnostics"), list):
        raise UserError("%s has no Diagnostics list; is it clang-tidy "
                        "--export-fixes output?" % path)
    return content.get("Diagnostics") or []


class FileResult:
    """clang-tidy's run over one file, read from its --export-fixes YAML."""

    def __init__(self, file, returncode, stderr, raw_diagnostics):
        self.file = file
        self.returncode = returncode
        self.stderr = stderr
        diagnostics = [Diagnostic(d) for d in raw_diagnostics]
        self.errors = [d for d in diagnostics if d.is_compile_error]
        # A file that does not compile was not analysed: what clang-tidy
        # said about the rest of it is left out.
        self.findings = ([] if self.errors else
                         [d for d in diagnostics if not d.is_compile_error])

    @property
    def crashed(self):
        """clang-tidy failed without a compiler error to say why (a finding
        made an error by --warnings-as-errors is not a failure)."""
        return self.returncode != 0 and not self.errors and not any(
            d.level == "error" for d in self.findings)


def run_tidy_on(command, file, fixes):
    """Runs a clang-tidy command line on one file, exporting its results to
    the file fixes, and reads them back."""
    if os.path.exists(fixes):
        os.remove(fixes)
    try:
        proc = subprocess.run(command + ["--export-fixes=" + fixes, file],
                              stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE)
    except OSError as error:
        raise UserError("cannot run %s: %s" % (command[0], error))
    return FileResult(file, proc.returncode,
                      proc.stderr.decode(errors="replace"),
                      load_fixes(fixes))


def run_files(files, command_for, jobs, on_result):
    """Runs clang-tidy on each file, jobs at a time, in a thread pool.

    command_for(file) is the command line without the file and without
    --export-fixes; each file's YAML goes to a scratch folder that is gone
    when this returns, its contents read into the results.
    on_result(result) is called in this thread, in the order the files
    finish."""
    with tempfile.TemporaryDirectory(prefix="defer-race.") as scratch:
        def one(index, file):
            fixes = os.path.join(scratch, "%05d.yaml" % index)
            return run_tidy_on(command_for(file), file, fixes)

        with concurrent.futures.ThreadPoolExecutor(
                max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(one, i, f) for i, f in enumerate(files)]
            try:
                for future in concurrent.futures.as_completed(futures):
                    on_result(future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


class Report:
    """Prints each result as it comes, each diagnostic once (a header's
    finding is reported by every file that includes it, and shown and
    counted once, under the header), and counts.

    With only_files, findings in other files are left out: the pre-commit
    hook reports on what is being committed."""

    def __init__(self, out=sys.stdout, only_files=None):
        self.out = out
        self.only = (None if only_files is None else
                     {os.path.realpath(f) for f in only_files})
        self.sources = Sources()
        self.seen = set()
        self.findings = collections.Counter()
        self.files_per_check = collections.defaultdict(set)
        self.files_done = 0
        self.files_with_findings = set()
        self.broken = []
        self.crashed = []
        self.shown = []  # the diagnostics printed, in order

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
            self.shown.append(diag)
            check = diag.check or "(no check name)"
            self.findings[check] += 1
            self.files_per_check[check].add(diag.key[0])
            self.files_with_findings.add(diag.key[0])
            self.out.write(diag.render(self.sources))
        if result.errors:
            self.broken.append(result.file)
            self.out.write(
                "%s: error: %s does not compile, so it was not analysed; "
                "clang says:\n" % (PROG, display_path(result.file)))
            for diag in result.errors:
                self.out.write(diag.render(self.sources))
        elif result.crashed:
            self.crashed.append(result.file)
            detail = result.stderr.strip().splitlines()[-5:]
            why = ("killed by signal %d" % -result.returncode
                   if result.returncode < 0 else
                   "exit code %d" % result.returncode)
            self.out.write("%s: error: clang-tidy failed on %s (%s)%s\n" % (
                PROG, display_path(result.file), why,
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
