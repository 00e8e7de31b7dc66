#!/usr/bin/env python3
"""Compare the checks' own CPU time of two plugin builds on the corpus.

Runs clang-tidy with only the defer-race checks and --enable-check-profile
on translation units of the corpus that have a cached parse time, once per
plugin in turn (A, B, A, B, ...), REPEAT times, and keeps each unit's
minimum for each plugin, so that load from other processes counts as little
as possible. Prints the sums, their ratio, and each plugin's share of the
parse time of the same units.

  bench/ab_plugins.py OLD.so NEW.so [--project icinga2] [--units 20]
                      [--repeat 2]

Needs a corpus set up by bench/run.sh (bench/work/). Not part of CI.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import bench  # noqa: E402
import corpus  # noqa: E402
import measure  # noqa: E402


def checks_cpu(res):
    return sum(measure.check_cpu(res, c) for c in measure.OURS)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--project", default="icinga2")
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=2)
    a = ap.parse_args()
    a.old, a.new = os.path.abspath(a.old), os.path.abspath(a.new)
    project = next(p for p in corpus.PROJECTS if p.name == a.project)
    parse = bench.Cache(project.name, "parse", corpus.LLVM)
    units = [tu for tu in corpus.translation_units(bench.WORK, project)
             if parse.get(tu.file)][:a.units]
    if not units:
        sys.exit("ab_plugins: no unit of %s has a cached parse time; run "
                 "bench/run.sh first" % a.project)
    total = {a.old: 0.0, a.new: 0.0}
    parse_sum = 0.0
    for tu in units:
        best = {}
        for _ in range(a.repeat):
            for plugin in (a.old, a.new):
                res = measure.tidy(tu, [measure.OUR_CHECKS], plugin,
                                   bench.header_filter(tu))
                if not res.profile:
                    sys.exit("ab_plugins: no profile from %s on %s:\n%s"
                             % (plugin, tu.rel, res.stderr[-2000:]))
                cpu = checks_cpu(res)
                best[plugin] = min(best.get(plugin, cpu), cpu)
        for plugin in best:
            total[plugin] += best[plugin]
        parse_sum += parse.get(tu.file)["cpu"]
        print("%-60s old %.4f new %.4f" % (tu.rel[:60], best[a.old], best[a.new]))
    print("units %d  parse %.2f s" % (len(units), parse_sum))
    print("old %.4f s (%.3f%% of parse)  new %.4f s (%.3f%% of parse)  "
          "new/old %.3f" % (total[a.old], 100 * total[a.old] / parse_sum,
                            total[a.new], 100 * total[a.new] / parse_sum,
                            total[a.new] / total[a.old] if total[a.old] else 0))


if __name__ == "__main__":
    main()
