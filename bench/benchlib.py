"""Shared helpers of the ErrorShield benchmarks: timed runs with per-process peak memory.

Benchmarks print ratios against a baseline measured in the same run, on the same machine, so the
numbers compare like with like; nothing here asserts a time.
"""
import os
import re
import statistics
import subprocess
import time


def run_measured(cmd, cwd=None):
    """Like run(), but reaps the child with os.wait4 so its own peak RSS is known."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    return seconds, usage.ru_maxrss / 1024.0, out, err, proc.returncode


def median_run(cmd, repeat, cwd=None):
    """Median seconds and max peak RSS over `repeat` runs, plus the last run's output."""
    times, peaks, last = [], [], None
    for _ in range(repeat):
        seconds, peak, out, err, code = run_measured(cmd, cwd)
        times.append(seconds)
        peaks.append(peak)
        last = (out, err, code)
    return statistics.median(times), max(peaks), last


FINDING = re.compile(r'^(/[^:]+):(\d+):(\d+): (warning|error): (.*) \[([\w.,-]+)\]$')


def findings(text):
    """The set of (file, line, column, message, check) in clang-style output; the level is left out
    because the runner prints the catalog's level where clang-tidy always says warning."""
    out = set()
    for line in text.splitlines():
        m = FINDING.match(line.strip())
        if m:
            out.add((m.group(1), int(m.group(2)), int(m.group(3)), m.group(5), m.group(6)))
    return out
