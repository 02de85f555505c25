#!/usr/bin/env python3
"""Score every check directory of test/eval-blind and print (or write) its floors.

    test/eval-blind/measure_floors.py --tidy 'clang-tidy-22 --load build/lib/libErrorShield.so'
    test/eval-blind/measure_floors.py --tidy '...' --write      # update floors.json
    test/eval-blind/measure_floors.py --tidy '...' --check      # fail below floors.json

A floor is the measured precision or recall rounded down to two decimals, less MARGIN: ctest's
eval/blind/<check> tests fail when a check drops below it. Directories are scored in parallel
(one scorer per core), each by ../shared/eval/score.py, the project's external scorer.
"""
import argparse, concurrent.futures, json, math, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCORER = os.path.join(HERE, '..', '..', '..', 'shared', 'eval', 'score.py')
SUMMARY = re.compile(r'^precision (?P<p>[\d.]+) recall (?P<r>[\d.]+) tp (?P<tp>\d+) fp (?P<fp>\d+) '
                     r'fn (?P<fn>\d+) crashes (?P<crashes>\d+)$', re.M)
MARGIN = 0.02


def score(tidy, directory):
    out = subprocess.run([sys.executable, SCORER, '--tidy', tidy, directory],
                         capture_output=True, text=True).stdout
    m = SUMMARY.search(out)
    if not m:
        raise SystemExit(f'{directory}: the scorer printed no summary:\n{out}')
    return {k: float(v) if k in 'pr' else int(v) for k, v in m.groupdict().items()}


def ratio(tp, wrong):
    return tp / (tp + wrong) if tp + wrong else 1.0


def floor(measured):
    return max(0.0, round(math.floor(measured * 100) / 100 - MARGIN, 2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tidy', required=True)
    ap.add_argument('--jobs', type=int, default=os.cpu_count() or 1)
    # Checking against floors just rewritten from the same scores could never fail.
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument('--write', action='store_true', help='rewrite floors.json')
    mode.add_argument('--check', action='store_true', help='exit 1 if a check is below its floors')
    a = ap.parse_args()
    checks = sorted(d for d in os.listdir(HERE) if os.path.isdir(os.path.join(HERE, d)))
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = dict(zip(checks, pool.map(lambda c: score(a.tidy, os.path.join(HERE, c)), checks)))
    floors = {}
    total = {'tp': 0, 'fp': 0, 'fn': 0}
    for check, r in results.items():
        # The summary rounds to two decimals; recompute from the counts.
        p, rec = ratio(r['tp'], r['fp']), ratio(r['tp'], r['fn'])
        floors[check] = {'precision': floor(p), 'recall': floor(rec)}
        for k in total:
            total[k] += r[k]
        print(f'{check:26} tp {r["tp"]:4} fp {r["fp"]:3} fn {r["fn"]:3}  precision {p:.3f} '
              f'recall {rec:.3f}  floors {floors[check]["precision"]:.2f} / '
              f'{floors[check]["recall"]:.2f}')
    tp, fp, fn = total['tp'], total['fp'], total['fn']
    print(f'all: tp {tp} fp {fp} fn {fn}  precision {tp / (tp + fp):.3f} recall {tp / (tp + fn):.3f}')
    if a.write:
        with open(os.path.join(HERE, 'floors.json'), 'w') as f:
            json.dump(floors, f, indent=2)
            f.write('\n')
    if a.check:
        with open(os.path.join(HERE, 'floors.json')) as f:
            committed = json.load(f)
        below = [c for c, r in results.items()
                 if ratio(r['tp'], r['fp']) < committed[c]['precision']
                 or ratio(r['tp'], r['fn']) < committed[c]['recall']]
        for c in below:
            print(f'{c}: below its floors {committed[c]["precision"]:.2f} / '
                  f'{committed[c]["recall"]:.2f}')
        if below:
            sys.exit(1)


if __name__ == '__main__':
    main()
