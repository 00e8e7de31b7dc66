#!/usr/bin/env python3
"""Prints the CheckOptions of `clang-tidy --dump-config` as `name: value`
lines. LLVM 14 writes them as key/value pairs, later versions as a map."""

import re
import sys

lines = sys.stdin.read().splitlines()
in_options = False
key = None
for line in lines:
    if line.startswith("CheckOptions:"):
        in_options = True
        continue
    if in_options and line and not line.startswith(" "):
        break
    if not in_options:
        continue
    m = re.match(r"\s*- key:\s+(\S+)", line)
    if m:
        key = m.group(1)
        continue
    m = re.match(r"\s*value:\s*(.*)", line)
    if m and key:
        print("%s: %s" % (key, m.group(1)))
        key = None
        continue
    m = re.match(r"\s+(\S+):\s*(.*)", line)
    if m:
        print("%s: %s" % (m.group(1), m.group(2)))
