#!/usr/bin/env python3
"""errorshield scan -j2 against run-clang-tidy-22 -j2 with the plugin, on one compile database.

Both analyse the same TUs with the same checks (errorshield-*). The findings must be identical;
the ratio is run-clang-tidy's wall time over the runner's, measured in the same run.

  bench/runner_vs_run_clang_tidy.py [--build build] [--jobs 2] [--repeat 1] [path-regex]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import benchlib  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--jobs', default='2')
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('paths', nargs='*', default=[os.path.join(ROOT, 'examples')])
    a = ap.parse_args()
    runner = os.path.join(a.build, 'bin', 'errorshield')
    plugin = os.path.join(a.build, 'lib', 'libErrorShield.so')
    regex = '|'.join(os.path.abspath(p) + '/' for p in a.paths)
    rct = ['run-clang-tidy-22', '-j', a.jobs, '-p', a.build, '-clang-tidy-binary', 'clang-tidy-22',
           '-load', plugin, '-checks=-*,errorshield-*', '-quiet', regex]
    scan = [runner, 'scan', '-p', a.build, f'-j{a.jobs}', '--progress=none', '--gate', 'none'] + a.paths
    exact = scan + ['--skip-system-bodies=never']

    t_rct, m_rct, (out_rct, _, _) = benchlib.median_run(rct, a.repeat)
    t_exact, m_exact, (out_exact, _, _) = benchlib.median_run(exact, a.repeat)
    t_scan, m_scan, (out_scan, err_scan, _) = benchlib.median_run(scan, a.repeat)
    f_rct, f_exact, f_scan = (benchlib.findings(o) for o in (out_rct, out_exact, out_scan))
    units = next((l for l in err_scan.splitlines() if 'unit(s) analysed' in l), '')
    print(f'{units.strip()}\n-j{a.jobs}, median of {a.repeat} run(s)')
    print(f'{"configuration":40} {"seconds":>8} {"speed-up":>9} {"peak MiB":>9} {"findings":>9}')
    for name, t, m, f in (('run-clang-tidy-22 + plugin', t_rct, m_rct, f_rct),
                          ('errorshield scan --skip-system-bodies=never', t_exact, m_exact, f_exact),
                          ('errorshield scan (default)', t_scan, m_scan, f_scan)):
        print(f'{name:40} {t:8.2f} {t_rct / t:8.2f}x {m:9.0f} {len(f):9}')
    same = f_rct == f_exact == f_scan
    print('findings identical: ' + ('yes' if same else 'NO'))
    if not same:
        for name, f in (('exact', f_exact), ('default', f_scan)):
            for x in sorted(f_rct - f):
                print(f'  only run-clang-tidy (vs {name}): {x}')
            for x in sorted(f - f_rct):
                print(f'  only errorshield {name}: {x}')
    print('(peak MiB: for run-clang-tidy the largest single clang-tidy process, since a reaped '
          "process's peak includes its waited-for children; for the runner the one process that "
          'holds all its workers)')
    return 0 if same else 1


if __name__ == '__main__':
    sys.exit(main())
