"""Runs one tool on one translation unit and measures it.

CPU time (user + sys) is what the benchmark compares: the machine's cores
are shared, so wall time says more about the neighbours than about us.
Peak resident memory comes from the same rusage.
"""
import glob
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time

from corpus import LLVM_BIN

CLANG_TIDY = LLVM_BIN + "/clang-tidy"
OUR_CHECKS = "defer-race-*"
PEERS = ["bugprone-use-after-move", "misc-const-correctness"]
OURS = ["defer-race-detached-mutation", "defer-race-serialize-shared",
        "defer-race-dangling-capture"]
# A cheap upstream check: clang-tidy refuses to run with no check at all,
# so "clang-tidy without our checks" runs this one instead.
BASELINE_CHECK = "cert-err52-cpp"

WARNING = re.compile(r"^(?P<file>/[^:\n]+):(?P<line>\d+):(?P<col>\d+): warning: (?P<msg>.*?) "
                     r"\[(?P<check>[\w.,-]+)\]$", re.M)
CRASH_MARKERS = ("Stack dump:", "PLEASE submit a bug report", "LLVM ERROR", "Assertion")


class Result:
    def __init__(self, rc, user, sys, wall, maxrss_kb, stdout, stderr, timed_out):
        self.rc, self.user, self.sys, self.wall = rc, user, sys, wall
        self.cpu = user + sys
        self.maxrss_kb = maxrss_kb
        self.stdout, self.stderr, self.timed_out = stdout, stderr, timed_out

    @property
    def crashed(self):
        return self.rc < 0 and not self.timed_out or any(m in self.stderr for m in CRASH_MARKERS)


def run_measured(cmd, cwd=None, timeout=1800, cpu_limit=None):
    """Runs cmd; returns its exit status, CPU seconds and peak RSS of the
    process (clang and clang-tidy do their work in one process). timeout is
    in wall seconds; cpu_limit, in CPU seconds, is what a busy machine does
    not distort (the kernel stops the process with SIGXCPU)."""
    def limit_cpu():
        if cpu_limit:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_limit, cpu_limit + 10))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, stdin=subprocess.DEVNULL,
                                preexec_fn=limit_cpu)
        timed_out = False
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > timeout:
                proc.kill()
                timed_out = True
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode in (-signal.SIGXCPU, -signal.SIGKILL) and cpu_limit:
            timed_out = True
        out.seek(0)
        err.seek(0)
        return Result(proc.returncode, usage.ru_utime, usage.ru_stime, wall, usage.ru_maxrss,
                      out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                      timed_out)


def parse(tu, timeout=1800, cpu_limit=None):
    """clang++ -fsyntax-only: the floor. -H lists every header entered, which
    gives the size of the translation unit in lines."""
    res = run_measured(tu.syntax_only_command() + ["-H"], cwd=tu.directory, timeout=timeout,
                       cpu_limit=cpu_limit)
    headers = []
    for line in res.stderr.splitlines():
        m = re.match(r"^\.+ (/.*|\S.*)$", line)
        if m:
            path = m.group(1)
            headers.append(path if os.path.isabs(path) else os.path.join(tu.directory, path))
    res.headers = headers
    res.errors = len(re.findall(r": error: ", res.stderr))
    return res


def tidy(tu, checks, plugin, header_filter, timeout=1800, extra=(), cpu_limit=None,
         config="{}"):
    """clang-tidy with --enable-check-profile; returns the result with the
    per-check CPU seconds and the warnings it printed."""
    profile_dir = tempfile.mkdtemp(prefix="bench-profile-")
    try:
        cmd = [CLANG_TIDY, "--load=" + plugin, "--config=" + config, "--checks=-*," + ",".join(checks),
               "--header-filter=" + header_filter, "--enable-check-profile",
               "--store-check-profile=" + profile_dir, "-p", tu.build_dir] + list(extra) + [tu.file]
        res = run_measured(cmd, cwd=tu.directory, timeout=timeout, cpu_limit=cpu_limit)
        res.profile = {}
        for path in glob.glob(os.path.join(profile_dir, "*.json")):
            with open(path) as f:
                data = json.load(f).get("profile", {})
            for key, value in data.items():
                m = re.match(r"^time\.clang-tidy\.(.+)\.(wall|user|sys)$", key)
                if m:
                    check, kind = m.groups()
                    res.profile.setdefault(check, {"wall": 0.0, "user": 0.0, "sys": 0.0})
                    res.profile[check][kind] += value
        res.warnings = [dict(m.groupdict(), line=int(m.group("line")), col=int(m.group("col")))
                        for m in WARNING.finditer(res.stdout)]
        res.errors = len(re.findall(r": error: .*\[clang-diagnostic-error\]", res.stdout))
        res.cmd = cmd
        return res
    finally:
        shutil.rmtree(profile_dir, ignore_errors=True)


def check_cpu(res, check):
    p = res.profile.get(check)
    return (p["user"] + p["sys"]) if p else 0.0
