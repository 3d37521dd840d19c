#!/usr/bin/env python3
"""Reads `cargo test` output on stdin, passes it through unchanged, and at the end
prints the slowest test binaries (wall time each took to run its tests) and how many
crates were compiled.

    cargo test ... 2>&1 | python3 scripts/lib/test_timings.py
"""
import re
import sys

running = re.compile(r"^\s+(Running|Doc-tests) (.+?)(?: \(.*\))?$")
finished = re.compile(r"^test result: .*finished in ([0-9.]+)s")
compiling = re.compile(r"^\s+Compiling (\S+) ")

current = None
times = []
compiled = 0
for line in sys.stdin:
    sys.stdout.write(line)
    sys.stdout.flush()
    text = line.rstrip("\n")
    if compiling.match(text):
        compiled += 1
    match = running.match(text)
    if match:
        current = match.group(2) if match.group(1) == "Running" else "doc-tests " + match.group(2)
        continue
    match = finished.match(text)
    if match and current:
        times.append((float(match.group(1)), current))
        current = None

times.sort(reverse=True)
total = sum(seconds for seconds, _ in times)
print(f"\n-- {len(times)} test binaries ran for {total:.0f} s in all, after compiling {compiled} crates; the slowest:")
for seconds, name in times[:10]:
    print(f"   {seconds:7.1f} s  {name}")
