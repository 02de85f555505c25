#!/usr/bin/env python3
"""Run clang-tidy on labelled cases with and without the eval PCH and fail on any difference.

    test/eval-pch/compare.py --tidy 'clang-tidy-22 --load build/lib/libErrorShield.so' \\
        --pch build/test/eval-headers.pch [--known known-divergences.txt] CASE.cpp...

The eval tests read Beast, Asio and nlohmann/json from a PCH built with function bodies skipped
(headers.hpp says why). A check whose findings depend on a library function's body, or on an
instantiation only such a body makes, reports less with the PCH than in clang-tidy; this names
the case, the mode and the finding. A divergence listed in --known (`CASE:LINE:COL MODE`,
CASE relative to test/, MODE `full-only` or `pch-only`) is a known miss of one mode: expected,
and reported once it no longer happens, so the list only shrinks.
"""
import argparse, os, re, shlex, subprocess, sys

TEST_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CHECKS = re.compile(r'//\s*checks:\s*(?P<globs>\S+)')
FINDING = re.compile(r'^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?:warning|error): ')


def findings(tidy, case, extra):
    """{'CASE:LINE:COL': diagnostic line} for the case's own checks."""
    with open(case) as f:
        m = CHECKS.search(f.read())
    if not m:
        raise SystemExit(f'{case}: no "// checks:" line')
    cmd = shlex.split(tidy) + extra + [f'--checks=-*,{m.group("globs")}', case, '--', '-std=c++20']
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode not in (0, 1) or 'PLEASE submit a bug report' in out.stderr:
        raise SystemExit(f'{case}: clang-tidy exited with {out.returncode}:\n{out.stderr[-2000:]}')
    found = {}
    for line in out.stdout.splitlines():
        m = FINDING.match(line)
        if m:
            where = os.path.relpath(os.path.abspath(m.group('file')), TEST_DIR)
            found[f'{where}:{m.group("line")}:{m.group("col")}'] = line
    return found


def known_divergences(path):
    known = set()
    if not path:
        return known
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        line = line.split('#', 1)[0].strip()
        if line:
            where, mode = line.split()
            if mode not in ('full-only', 'pch-only'):
                raise SystemExit(f'{path}: {line}: the mode is full-only or pch-only')
            known.add((where, mode))
    return known


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tidy', required=True)
    ap.add_argument('--pch', required=True)
    ap.add_argument('--known', help='known divergences, one "CASE:LINE:COL MODE" per line')
    ap.add_argument('cases', nargs='+')
    a = ap.parse_args()
    # Only the divergences of the cases run here can be seen or found fixed.
    run = {os.path.relpath(os.path.abspath(case), TEST_DIR) for case in a.cases}
    known = {(w, m) for w, m in known_divergences(a.known) if w.rsplit(':', 2)[0] in run}
    with_pch = ['--extra-arg=-include-pch', f'--extra-arg={a.pch}']
    seen = set()
    for case in a.cases:
        full, pch = findings(a.tidy, case, []), findings(a.tidy, case, with_pch)
        if not full:
            # Every case listed has findings: an empty result means the run itself went wrong.
            raise SystemExit(f'{case}: no findings without the PCH; list a case with findings')
        for mode, only, other in (('full-only', full, pch), ('pch-only', pch, full)):
            for where in sorted(only.keys() - other.keys()):
                seen.add((where, mode))
                print(f'{"known" if (where, mode) in known else "NEW"} {mode}: {only[where]}')
        for where in sorted(k for k in full.keys() & pch.keys() if full[k] != pch[k]):
            seen.add((where, 'message'))  # never listed as known: always a failure
            print(f'NEW message: {full[where]}\n         vs: {pch[where]}')
        print(f'{case}: {len(full)} finding(s) without the PCH, {len(pch)} with it')
    for where, mode in sorted(known - seen):
        print(f'FIXED {mode}: {where} no longer differs; remove it from {a.known}')
    new, fixed = seen - known, known - seen
    print(f'{len(a.cases)} case(s): {len(seen & known)} known divergence(s), {len(new)} new, '
          f'{len(fixed)} fixed')
    return 1 if new or fixed else 0


if __name__ == '__main__':
    sys.exit(main())
