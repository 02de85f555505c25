#!/usr/bin/env python3
"""tools/ws-load against the server, small and bounded: every mode completes, delivers exactly what
it should and reports the server's CPU over the measured phase. This proves the load client the
benchmark relies on (bench/ws_load.py), not the server's speed: nothing here is timed.

  load_client.py --server build/bin/es-chat-server --load build/bin/ws-load
"""
import argparse
import json
import subprocess
import sys

sys.path.insert(0, __import__('os').path.dirname(__file__))
from wsclient import ServerProcess  # noqa: E402


def run(load, server, *args):
    out = subprocess.run([load, f'--port={server.port}', f'--server-pid={server.proc.pid}',
                          '--seconds=60', *args], capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, (args, out.returncode, out.stdout, out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--server', required=True)
    ap.add_argument('--load', required=True)
    a = ap.parse_args()
    with ServerProcess(a.server, '--max-queued-messages=4096') as server:
        for args, delivered in ((['--mode=direct', '--connections=20', '--messages=50'], 1000),
                                (['--mode=direct', '--connections=20', '--messages=50',
                                  '--window=7'], 1000),  # A last window of 1: 50 = 7 * 7 + 1.
                                # Frames built by ws-load itself: 7-bit and 16-bit lengths.
                                (['--mode=direct', '--connections=20', '--messages=50',
                                  '--window=7', '--pipeline=1'], 1000),
                                (['--mode=direct', '--connections=5', '--messages=20',
                                  '--window=10', '--pipeline=1', '--size=1024'], 100),
                                (['--mode=direct', '--connections=20', '--messages=10',
                                  '--rate=400', '--size=1024'], 200),
                                (['--mode=broadcast', '--connections=30', '--messages=40'], 1200),
                                (['--mode=broadcast', '--connections=30', '--messages=10',
                                  '--rate=50'], 300)):
            r = run(a.load, server, *args)
            assert r['delivered'] == delivered and r['failed'] == 0, (args, r)
            assert 0 < r['p50_ms'] <= r['p99_ms'] <= r['max_ms'], (args, r)
            assert r['seconds'] > 0 and 'server_user_s' in r and 'server_system_s' in r, (args, r)
            if '--rate=400' in args:  # 200 messages at 400/s: the schedule sets the duration.
                assert 0.4 <= r['seconds'] < 5, r
            print('ok', ' '.join(args), f'p99 {r["p99_ms"]} ms')
        # A usage error is reported as such.
        bad = subprocess.run([a.load, '--mode=sideways', f'--port={server.port}'],
                             capture_output=True, text=True, timeout=30)
        assert bad.returncode == 2 and 'usage:' in bad.stderr, bad
        bad = subprocess.run([a.load, '--pipeline=yes', f'--port={server.port}'],
                             capture_output=True, text=True, timeout=30)
        assert bad.returncode == 2 and 'usage:' in bad.stderr, bad
    print('load client: all modes passed')


if __name__ == '__main__':
    sys.exit(main())
