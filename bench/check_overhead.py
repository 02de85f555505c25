#!/usr/bin/env python3
"""What the ErrorShield checks cost on top of parsing, on Beast-heavy translation units.

Every configuration analyses the same TUs, one process per TU, one after another, `--repeat` times
(median). The baseline is the parse-only floor: clang-tidy's frontend with no check enabled
(`errorshield scan --checks=-* --skip-system-bodies=never`; stock clang-tidy refuses to run with
`--checks=-*`), measured in the same run. Also shown: `clang++ -fsyntax-only`, the plugin in stock
clang-tidy-22 with and without the user-code traversal scope, and the runner.

  bench/check_overhead.py [--build build] [--repeat 3] [TU ...]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_TUS = ['test/integration/ws-chat-session-beast.cpp', 'examples/ws_concurrent_write_bad.cpp',
               'examples/ws_handshake_origin_good.cpp', 'examples/ws_blocking_in_handler_good.cpp']
FLAGS = ['-std=c++20']


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('tus', nargs='*', default=DEFAULT_TUS)
    a = ap.parse_args()
    runner = os.path.join(a.build, 'bin', 'errorshield')
    plugin = os.path.join(a.build, 'lib', 'libErrorShield.so')
    tus = [os.path.join(ROOT, t) for t in a.tus]
    unscoped = '--config={CheckOptions: {ErrorShieldUserCodeTraversal: false}}'
    configs = [
        ('floor: clang-tidy frontend, no checks', lambda f: [runner, 'scan', f, '--checks=-*', '--skip-system-bodies=never', '-j1', '--progress=none', '--'] + FLAGS),
        ('clang++-22 -fsyntax-only', lambda f: ['clang++-22', '-fsyntax-only', f] + FLAGS),
        ('clang-tidy-22 --load, errorshield-*', lambda f: ['clang-tidy-22', '--load', plugin, '--checks=-*,errorshield-*', '--quiet', f, '--'] + FLAGS),
        ('  same, whole-TU traversal scope', lambda f: ['clang-tidy-22', '--load', plugin, '--checks=-*,errorshield-*', unscoped, '--quiet', f, '--'] + FLAGS),
        ('errorshield scan, exact parse', lambda f: [runner, 'scan', f, '--skip-system-bodies=never', '-j1', '--progress=none', '--'] + FLAGS),
        ('errorshield scan (default)', lambda f: [runner, 'scan', f, '-j1', '--progress=none', '--'] + FLAGS),
    ]
    print(f'{len(tus)} TU(s), median of {a.repeat} run(s) each, one process per TU')
    rows = []
    for name, make in configs:
        total, peak = 0.0, 0.0
        for tu in tus:
            seconds, rss, _ = benchlib.median_run(make(tu), a.repeat)
            total += seconds
            peak = max(peak, rss)
        rows.append((name, total, peak))
    floor = rows[0][1]
    print(f'{"configuration":42} {"seconds":>8} {"ratio":>7} {"peak MiB":>9}')
    for name, total, peak in rows:
        print(f'{name:42} {total:8.2f} {total / floor:6.3f}x {peak:9.0f}')

    # Per-check cost, from clang-tidy's own profiler, on the first TU.
    _, _, (out, err, _) = benchlib.median_run(
        ['clang-tidy-22', '--load', plugin, '--checks=-*,errorshield-*', '--enable-check-profile',
         '--quiet', tus[0], '--'] + FLAGS, 1)
    print(f'\nper-check cost on {os.path.relpath(tus[0], ROOT)} (clang-tidy --enable-check-profile):')
    for line in (out + err).splitlines():
        if 'errorshield-' in line or 'Total' in line:
            print('  ' + line.strip())


if __name__ == '__main__':
    main()
