#!/usr/bin/env python3
"""Driver for bench/run.sh. Steps, in order (default: all):

  setup     fetch the Debian source packages, install their build
            dependencies, configure them, generate their sources
  corpus    on every C++ translation unit: clang++ -fsyntax-only, clang-tidy
            with our checks, clang-tidy with the two peer checks
  memory    peak RSS on the largest translation unit, with and without ours
  scaling   generated translation units of 10 to 10,000 units of work
  crosstu   the two-phase mode (SummaryDirectory) on BENCH_CROSSTU projects:
            phase one exports every translation unit's summaries, phase two
            imports them
  report    tables, plots, and the precision verdict against reviewed.tsv
  inject    recall on real code: plants the bug (and a safe twin) in
            functions of a sample of each project's translation units and
            counts what the checks find (bench/results/inject.md; inject.py
            says how). Not in the default steps: run it by name

Results that do not depend on the plugin (parse, peers) are cached in
bench/work/cache and reused; our checks' results are cached per plugin
build (a hash of the .so files), so a rebuilt plugin is measured again.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shutil
import sys
import threading
import time

import corpus
import inject
import measure
import report
import scaling

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.environ.get("BENCH_WORK", os.path.join(HERE, "work"))
RESULTS = os.path.join(HERE, "results")
PLUGIN = os.environ.get("BENCH_PLUGIN",
                        os.path.join(ROOT, "build", "llvm-%s" % corpus.LLVM, "lib", "defer-race.so"))
JOBS = int(os.environ.get("BENCH_JOBS", "2"))
# Our checks run on every translation unit (precision, crashes); the parse
# floor and the peers on every k-th one of each project when this is k > 1.
TIMING_EVERY = int(os.environ.get("BENCH_TIMING_EVERY", "3"))
TIMEOUT = int(os.environ.get("BENCH_TIMEOUT", "1800"))
SCALING_SIZES = [int(n) for n in os.environ.get("BENCH_SCALING", "10 100 1000 10000").split()]
SCALING_TIMEOUT = int(os.environ.get("BENCH_SCALING_TIMEOUT", "600"))
CROSSTU_PROJECTS = os.environ.get("BENCH_CROSSTU", "pdns-recursor").split(",")
STEPS = ["setup", "corpus", "memory", "scaling", "crosstu", "report", "inject"]
DEFAULT_STEPS = STEPS[:-1]
# The injection step: sites planted per project, at most per translation unit.
INJECT_SITES = int(os.environ.get("BENCH_INJECT_SITES", "40"))
INJECT_PER_TU = int(os.environ.get("BENCH_INJECT_PER_TU", "2"))
INJECT_TUS = int(os.environ.get("BENCH_INJECT_TUS", "100"))

_lock = threading.Lock()


def log(msg):
    with _lock:
        print("[bench %s] %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


def plugin_id(lib=None):
    """Identifies the plugin build: the loader and every versioned plugin."""
    h = hashlib.sha256()
    lib = lib or os.path.dirname(PLUGIN)
    for name in sorted(os.listdir(lib)):
        if name.endswith(".so"):
            with open(os.path.join(lib, name), "rb") as f:
                h.update(name.encode() + f.read())
    return h.hexdigest()[:16]


def snapshot_plugin():
    """Copies the plugin build aside, so that a rebuild in build/ while the
    benchmark runs cannot mix two builds in one set of results. Returns the
    path to load and the build's id."""
    global PLUGIN
    if os.path.dirname(PLUGIN).startswith(os.path.join(WORK, "plugin")):
        return PLUGIN, plugin_id()
    pid = plugin_id()
    dest = os.path.join(WORK, "plugin", pid)
    if not os.path.isdir(dest):
        tmp = dest + ".tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        lib = os.path.dirname(PLUGIN)
        for name in os.listdir(lib):
            if name.endswith(".so"):
                shutil.copy2(os.path.join(lib, name), tmp)
        if plugin_id(tmp) != pid:  # rebuilt while copying: try again later
            sys.exit("the plugin changed while being copied; run again")
        os.rename(tmp, dest)
    PLUGIN = os.path.join(dest, os.path.basename(PLUGIN))
    return PLUGIN, pid


class Cache:
    """Append-only JSON-lines files, one per project and kind of run."""

    def __init__(self, project, kind, key):
        self.path = os.path.join(WORK, "cache", "%s.%s.jsonl" % (project, kind))
        self.key = key
        self.entries = {}
        if os.path.exists(self.path):
            with open(self.path) as f:
                for line in f:
                    e = json.loads(line)
                    if e.get("key") == key:
                        self.entries[e["file"]] = e

    def get(self, file):
        return self.entries.get(file)

    def put(self, entry):
        entry["key"] = self.key
        with _lock:
            self.entries[entry["file"]] = entry
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with open(self.path, "a") as f:
                f.write(json.dumps(entry) + "\n")


_line_counts = {}


def count_lines(path):
    n = _line_counts.get(path)
    if n is None:
        try:
            with open(path, "rb") as f:
                n = f.read().count(b"\n")
        except OSError:
            n = 0
        _line_counts[path] = n
    return n


def owned(tu, path):
    """The project-relative name of a file the project owns, or None."""
    path = os.path.normpath(path)
    if path.startswith(tu.src_root + "/"):
        return os.path.relpath(path, tu.src_root)
    if path.startswith(tu.build_dir + "/"):
        return os.path.join("<build>", os.path.relpath(path, tu.build_dir))
    return None


def header_filter(tu):
    roots = sorted({tu.src_root, tu.build_dir})
    return "^(%s)/" % "|".join(r.replace(".", "\\.").replace("+", "\\+") for r in roots)


def tidy_entry(tu, res, checks):
    entry = {"file": tu.file, "rel": tu.rel, "cpu": res.cpu, "wall": res.wall,
             "rss_kb": res.maxrss_kb, "rc": res.rc, "crashed": res.crashed,
             "timed_out": res.timed_out, "errors": res.errors,
             "profile": {c: measure.check_cpu(res, c) for c in checks}, "warnings": []}
    for w in res.warnings:
        if w["check"].startswith("defer-race-"):
            name = owned(tu, w["file"]) or w["file"]
            entry["warnings"].append({"file": name, "line": w["line"], "col": w["col"],
                                      "check": w["check"], "msg": w["msg"]})
    if res.crashed or res.timed_out or res.rc not in (0, 1):
        entry["stderr_tail"] = res.stderr[-20000:]
        entry["cmd"] = res.cmd
    return entry


def measure_tu(tu, caches, timed):
    parse_cache, ours_cache, peers_cache = caches
    if timed and parse_cache.get(tu.file) is None:
        res = measure.parse(tu, timeout=TIMEOUT)
        files = [tu.file] + res.headers
        parse_cache.put({"file": tu.file, "rel": tu.rel, "cpu": res.cpu, "wall": res.wall,
                         "rss_kb": res.maxrss_kb, "rc": res.rc, "errors": res.errors,
                         "lines": sum(count_lines(p) for p in files),
                         "own_files": sorted({o for o in map(lambda p: owned(tu, p), files) if o}),
                         "first_error": next((l for l in res.stderr.splitlines()
                                              if ": error: " in l), "")})
    if ours_cache.get(tu.file) is None:
        res = measure.tidy(tu, [measure.OUR_CHECKS], PLUGIN, header_filter(tu), timeout=TIMEOUT)
        entry = tidy_entry(tu, res, measure.OURS)
        ours_cache.put(entry)
        if entry["crashed"] or entry["timed_out"]:
            log("CRASH/TIMEOUT %s: %s" % (tu.rel, res.stderr[-400:]))
    if timed and peers_cache.get(tu.file) is None:
        res = measure.tidy(tu, measure.PEERS, PLUGIN, header_filter(tu), timeout=TIMEOUT)
        peers_cache.put(tidy_entry(tu, res, measure.PEERS))


def step_setup(projects):
    os.makedirs(os.path.join(WORK, "build"), exist_ok=True)
    setup_log = os.path.join(WORK, "setup.log")
    log("fetching sources and build dependencies (log: %s)" % setup_log)
    corpus.fetch(WORK, projects, setup_log)
    for p in projects:
        log("configuring %s %s" % (p.name, p.version(WORK)))
        corpus.configure(WORK, p, os.path.join(WORK, "build", p.name + ".configure.log"))


def step_corpus(projects):
    pid = plugin_id()
    todo = []
    for p in projects:
        caches = (Cache(p.name, "parse", corpus.LLVM), Cache(p.name, "ours", pid),
                  Cache(p.name, "peers", corpus.LLVM))
        for i, tu in enumerate(corpus.translation_units(WORK, p)):
            timed = i % TIMING_EVERY == 0
            if any(c.get(tu.file) is None for c in (caches if timed else caches[1:2])):
                todo.append((tu, caches, timed))
    log("corpus: %d translation units to measure with %d jobs (plugin %s; parse and peers "
        "on %s)" % (len(todo), JOBS, pid, "every translation unit" if TIMING_EVERY == 1
                     else "one translation unit in %d" % TIMING_EVERY))
    done = 0
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        futures = [pool.submit(measure_tu, *job) for job in todo]
        for fut in concurrent.futures.as_completed(futures):
            fut.result()
            done += 1
            if done % 25 == 0 or done == len(todo):
                log("corpus: %d/%d" % (done, len(todo)))


def load_corpus(projects):
    pid = plugin_id()
    data = {}
    for p in projects:
        parse, ours, peers = (Cache(p.name, "parse", corpus.LLVM), Cache(p.name, "ours", pid),
                              Cache(p.name, "peers", corpus.LLVM))
        rows = []
        for i, tu in enumerate(corpus.translation_units(WORK, p)):
            if not ours.get(tu.file):
                continue
            timed = i % TIMING_EVERY == 0 and parse.get(tu.file) and peers.get(tu.file)
            rows.append({"tu": tu, "ours": ours.get(tu.file), "timed": bool(timed),
                         "parse": parse.get(tu.file) if timed else None,
                         "peers": peers.get(tu.file) if timed else None})
        data[p.name] = rows
    return data


def step_memory(projects):
    data = load_corpus(projects)
    rows = [r for rs in data.values() for r in rs if r["timed"]]
    if not rows:
        return
    largest = max(rows, key=lambda r: r["parse"]["lines"])
    tu = largest["tu"]
    log("memory: largest translation unit %s/%s (%d lines)" % (tu.project.name, tu.rel,
                                                              largest["parse"]["lines"]))
    out = {"project": tu.project.name, "file": tu.rel, "lines": largest["parse"]["lines"],
           "runs": []}
    for label, fn in [
            ("clang++ -fsyntax-only", lambda: measure.parse(tu, timeout=TIMEOUT)),
            ("clang-tidy %s (without our checks)" % measure.BASELINE_CHECK,
             lambda: measure.tidy(tu, [measure.BASELINE_CHECK], PLUGIN, header_filter(tu),
                                  timeout=TIMEOUT)),
            ("clang-tidy defer-race-* (with our checks)",
             lambda: measure.tidy(tu, [measure.OUR_CHECKS], PLUGIN, header_filter(tu),
                                  timeout=TIMEOUT)),
            ("clang-tidy %s + defer-race-*" % measure.BASELINE_CHECK,
             lambda: measure.tidy(tu, [measure.BASELINE_CHECK, measure.OUR_CHECKS], PLUGIN,
                                  header_filter(tu), timeout=TIMEOUT))]:
        res = fn()
        out["runs"].append({"label": label, "rss_kb": res.maxrss_kb, "cpu": res.cpu,
                            "rc": res.rc})
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(WORK, "memory.json"), "w") as f:
        json.dump(out, f, indent=1)


def step_scaling():
    directory = os.path.join(WORK, "scaling")
    pid = plugin_id()
    cache = Cache("scaling", "runs", pid)
    tus = scaling.prepare(directory, SCALING_SIZES)
    for tu in tus:
        if cache.get(tu.file):
            continue
        log("scaling: %s" % tu.rel)
        # The limit is on CPU time, so that a busy machine does not cut a run short.
        p = measure.parse(tu, timeout=4 * SCALING_TIMEOUT, cpu_limit=SCALING_TIMEOUT)
        res = measure.tidy(tu, [measure.OUR_CHECKS], PLUGIN, "^" + directory + "/",
                           timeout=4 * SCALING_TIMEOUT, cpu_limit=SCALING_TIMEOUT)
        entry = tidy_entry(tu, res, measure.OURS)
        entry.update({"n": tu.n, "shape": tu.shape, "parse_cpu": p.cpu,
                      "lines": count_lines(tu.file), "timeout": SCALING_TIMEOUT,
                      "counts": {c: sum(1 for w in res.warnings if w["check"] == c)
                                 for c in measure.OURS}})
        entry["warnings"] = []  # thousands of expected findings: only their counts
        cache.put(entry)


def step_crosstu(projects):
    """Both phases of the two-phase mode over every translation unit of the
    BENCH_CROSSTU projects, one phase after the other, as defer-race-run
    --summaries does. Results go to work/crosstu.json."""
    pid = plugin_id()
    out = {"plugin": pid, "projects": []}
    for p in projects:
        if p.name not in CROSSTU_PROJECTS:
            continue
        tus = corpus.translation_units(WORK, p)
        summaries = os.path.join(WORK, "crosstu", pid, p.name)
        shutil.rmtree(summaries, ignore_errors=True)
        os.makedirs(summaries)
        single = Cache(p.name, "ours", pid)
        row = {"project": p.name, "tus": len(tus), "phases": {}}
        for phase, mode in (("export", "export"), ("import", "import")):
            config = ("{CheckOptions: [{key: SummaryDirectory, value: '%s'}, "
                      "{key: SummaryMode, value: %s}]}" % (summaries, mode))
            log("crosstu: %s, phase %s over %d translation units" % (p.name, mode, len(tus)))
            runs = []
            with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
                futures = [pool.submit(measure.tidy, tu, [measure.OUR_CHECKS], PLUGIN,
                                       header_filter(tu), TIMEOUT, (), None, config)
                           for tu in tus]
                for tu, fut in zip(tus, futures):
                    runs.append((tu, tidy_entry(tu, fut.result(), measure.OURS)))
            warnings = {(w["file"], w["line"], w["check"])
                        for _, e in runs for w in e["warnings"]}
            alone = {(w["file"], w["line"], w["check"])
                     for tu, _ in runs for w in (single.get(tu.file) or {}).get("warnings", [])}
            row["phases"][phase] = {
                "cpu": sum(e["cpu"] for _, e in runs),
                "ours": sum(sum(e["profile"].values()) for _, e in runs),
                "crashed": sum(1 for _, e in runs if e["crashed"] or e["timed_out"]),
                "warnings": len(warnings),
                "new_warnings": sorted(warnings - alone)}
        row["single"] = {
            "cpu": sum((single.get(tu.file) or {}).get("cpu", 0.0) for tu in tus),
            "ours": sum(sum((single.get(tu.file) or {}).get("profile", {}).values())
                        for tu in tus)}
        row["summary_files"] = len(os.listdir(summaries))
        out["projects"].append(row)
    with open(os.path.join(WORK, "crosstu.json"), "w") as f:
        json.dump(out, f, indent=1)


def scaling_results():
    """The scaling runs of this plugin build or, when it has none (they take
    the longest), of the latest build that has them; each entry keeps its
    build's id in "key"."""
    path = os.path.join(WORK, "cache", "scaling.runs.jsonl")
    latest = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                e = json.loads(line)
                latest.setdefault(e["key"], {})[e["file"]] = e
    pid = plugin_id()
    if pid in latest:
        return list(latest[pid].values())
    return list(latest[list(latest)[-1]].values()) if latest else []


def step_inject(projects, plugin, pid):
    """Plants bugs and safe twins in real functions; see inject.py."""
    cache = Cache("inject", "mutants", pid)
    keep = os.path.join(WORK, "inject-misses")

    def analyse_many(tus):  # processes: walking an AST in Python holds the GIL
        with concurrent.futures.ProcessPoolExecutor(JOBS) as pool:
            return list(zip(tus, pool.map(inject.analyse, tus)))

    rows = []
    for p in projects:
        items = inject.sample(p, corpus.translation_units(WORK, p), analyse_many, INJECT_SITES,
                              INJECT_PER_TU, batch=4 * JOBS, max_tus=INJECT_TUS)
        log("inject: %s: %d sites in %d translation units" % (
            p.name, len(items), len({i["tu"].file for i in items})))
        jobs = [(item, racy) for item in items for racy in (True, False)]

        def one(job):
            item, racy = job
            planted = inject.mutation(item, racy)
            key = inject.mutant_key(item, racy, planted[0])
            hit = cache.get(key)
            if hit is None:
                result = inject.run(item, racy, planted, plugin, TIMEOUT, keep)
                hit = {"file": key, "row": inject.row(p.name, item, racy, result)}
                cache.put(hit)
            if not racy and not hit["row"]["compiled"] and item["twin"] == "copied":
                # A field that cannot be copied (a thread, a unique_ptr): join instead.
                return one((dict(item, twin="joined"), racy))
            return hit["row"]

        with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
            for n, r in enumerate(pool.map(one, jobs), 1):
                rows.append(r)
                if n % 20 == 0 or n == len(jobs):
                    log("inject: %s: %d/%d mutants" % (p.name, n, len(jobs)))
    inject.write_results(RESULTS, rows, pid)
    log("inject: wrote %s/inject.md and inject.tsv" % RESULTS)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("steps", nargs="*", help="any of: " + " ".join(STEPS))
    ap.add_argument("--projects", default=os.environ.get("BENCH_PROJECTS", ""),
                    help="comma-separated subset of: " + ",".join(p.name for p in corpus.PROJECTS))
    args = ap.parse_args()
    steps = args.steps or DEFAULT_STEPS
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        ap.error("unknown step: " + " ".join(unknown))
    projects = [p for p in corpus.PROJECTS
                if not args.projects or p.name in args.projects.split(",")]
    if not os.path.exists(PLUGIN):
        sys.exit("no plugin at %s: run scripts/build.sh %s" % (PLUGIN, corpus.LLVM))
    plugin, pid = snapshot_plugin()
    log("plugin %s (copy of the build at %s)" % (pid, plugin))
    for step in STEPS:
        if step not in steps:
            continue
        if step == "setup":
            step_setup(projects)
        elif step == "corpus":
            step_corpus(projects)
        elif step == "memory":
            step_memory(projects)
        elif step == "scaling":
            step_scaling()
        elif step == "crosstu":
            step_crosstu(projects)
        elif step == "inject":
            step_inject(projects, plugin, pid)
        elif step == "report":
            data = load_corpus(projects)
            scal = scaling_results()
            mem_path = os.path.join(WORK, "memory.json")
            mem = json.load(open(mem_path)) if os.path.exists(mem_path) else None
            xtu_path = os.path.join(WORK, "crosstu.json")
            xtu = json.load(open(xtu_path)) if os.path.exists(xtu_path) else None
            ok = report.write(RESULTS, os.path.join(HERE, "reviewed.tsv"), projects, WORK, data,
                              scal, mem, PLUGIN, xtu)
            if not ok:
                log("FAILED: see %s/summary.md" % RESULTS)
                return 1
    log("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
