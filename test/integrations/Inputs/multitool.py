#!/usr/bin/env python3
"""Validates a SARIF log with Microsoft's SARIF Multitool (`Sarif.Multitool
validate`), which checks the spec's rules beyond the JSON schema, and prints
each of its findings and the count per level, for FileCheck.

  multitool.py MULTITOOL LOG.sarif

Exits with 1 when the Multitool is missing or reports an error or a warning.
"""

import json
import os
import subprocess
import sys
import tempfile


def main():
    multitool, log = sys.argv[1], sys.argv[2]
    if not os.access(multitool, os.X_OK):
        print("multitool.py: no SARIF Multitool at %s; scripts/deps.sh "
              "--tests <LLVM major> installs it from the npm registry" %
              multitool)
        return 1
    with tempfile.TemporaryDirectory() as scratch:
        out = os.path.join(scratch, "validation.sarif")
        env = dict(os.environ)
        # The Multitool is a .NET program: no telemetry, no first-run text,
        # and no need for ICU on a minimal machine.
        env.update({"DOTNET_CLI_TELEMETRY_OPTOUT": "1",
                    "DOTNET_NOLOGO": "1",
                    "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"})
        proc = subprocess.run([multitool, "validate", log, "-o", out,
                               "--log", "ForceOverwrite"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, env=env)
        text = proc.stdout.decode(errors="replace")
        if not os.path.exists(out):
            print("multitool.py: the Multitool wrote no result (exit %d):\n%s"
                  % (proc.returncode, text))
            return 1
        with open(out, encoding="utf-8-sig") as f:
            validation = json.load(f)
    counts = {"error": 0, "warning": 0, "note": 0}
    for run in validation.get("runs", []):
        for result in run.get("results", []):
            level = result.get("level", "warning")
            counts[level] = counts.get(level, 0) + 1
            print("%s %s: %s" % (level, result.get("ruleId"),
                                 result.get("message", {}).get("text") or
                                 result.get("message", {}).get("id")))
    print("Sarif.Multitool validate: %d errors, %d warnings, %d notes" %
          (counts["error"], counts["warning"], counts.get("note", 0)))
    return 1 if counts["error"] or counts["warning"] else 0


if __name__ == "__main__":
    sys.exit(main())
