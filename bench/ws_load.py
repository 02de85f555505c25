#!/usr/bin/env python3
"""The reference server under load, side by side with a Node.js `ws` server doing the same routing.

Both servers run on loopback, one at a time, driven by tools/ws-load (Beast, bounded in count and
time). For each scenario: delivered messages per second, per second of the server's CPU time (the
per-core comparison: the C++ server runs --threads, Node one thread), and p50/p99 latency; then the
resident memory of each server holding 10,000 idle connections. Ratios are measured in this run.

  bench/ws_load.py [--build build] [--quick]
"""
import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TICKS = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    fields = open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def rss_mib(pid):
    for line in open(f'/proc/{pid}/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
    return 0.0


def start(argv):
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    if not line.startswith('listening on'):
        raise RuntimeError(f'{argv[0]} did not start: {line}')
    return proc, int(line.rsplit(':', 1)[1])


def run_load(load, port, mode, connections, messages, size, seconds=120):
    out = subprocess.run([load, f'--port={port}', f'--mode={mode}', f'--connections={connections}',
                          f'--messages={messages}', f'--size={size}', f'--seconds={seconds}'],
                         capture_output=True, text=True, timeout=seconds + 30)
    lines = [l for l in out.stdout.splitlines() if l.startswith('{')]
    if not lines:
        raise RuntimeError('ws-load printed nothing: ' + out.stderr)
    return json.loads(lines[-1])


def idle_rss(load, proc, port, connections):
    holder = subprocess.Popen([load, f'--port={port}', '--mode=idle', f'--connections={connections}',
                               '--seconds=60'], stdout=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    line = ''
    while time.monotonic() < deadline and not line.startswith('ready'):
        line = holder.stdout.readline()
    time.sleep(1)
    rss = rss_mib(proc.pid)
    holder.terminate()
    holder.wait(timeout=30)
    return rss if line.startswith('ready') else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--build', default=os.path.join(ROOT, 'build'))
    ap.add_argument('--quick', action='store_true', help='smaller counts, for a smoke run')
    ap.add_argument('--threads', type=int, default=2, help="the C++ server's thread pool")
    a = ap.parse_args()
    load = os.path.join(a.build, 'bin', 'ws-load')
    node_dir = os.path.join(ROOT, 'bench', 'node-chat')
    if not os.path.isdir(os.path.join(node_dir, 'node_modules', 'ws')):
        subprocess.run(['npm', 'ci', '--prefix', node_dir, '--no-audit', '--no-fund'], check=True)
    ours = [os.path.join(a.build, 'bin', 'es-chat-server'), '--port=0', f'--threads={a.threads}',
            '--max-queued-messages=4096']
    node = ['node', os.path.join(ROOT, 'bench', 'node-chat', 'server.js'), '0']
    q = 10 if a.quick else 1
    scenarios = [('direct', 100, 2000 // q, 32), ('direct', 100, 2000 // q, 1024),
                 ('direct', 1000, 200 // q, 32), ('direct', 1000, 200 // q, 1024),
                 ('broadcast', 1000, 100 // q, 32)]
    idle_n = 1000 if a.quick else 10000
    results = {}
    for name, argv in (('es-chat-server', ours), ('node ws', node)):
        proc, port = start(argv)
        try:
            for mode, conns, msgs, size in scenarios:
                before = cpu_seconds(proc.pid)
                r = run_load(load, port, mode, conns, msgs, size)
                r['server_cpu_s'] = cpu_seconds(proc.pid) - before
                results[(name, mode, conns, size)] = r
            results[(name, 'idle')] = idle_rss(load, proc, port, idle_n)
        finally:
            proc.terminate()
            proc.wait(timeout=30)

    print(f'loopback, es-chat-server --threads={a.threads} vs node ws (one thread); '
          f'{os.cpu_count()} cores')
    print(f'{"scenario":28} {"server":15} {"msgs/s":>9} {"per CPU-s":>10} {"p50 ms":>8} '
          f'{"p99 ms":>8} {"failed":>6}')
    for mode, conns, msgs, size in scenarios:
        per_cpu = {}
        for name in ('es-chat-server', 'node ws'):
            r = results[(name, mode, conns, size)]
            per_cpu[name] = r['delivered'] / max(r['server_cpu_s'], 1e-9)
            print(f'{mode} {conns} conns {size} B'.ljust(28) +
                  f' {name:15} {r["msgs_per_sec"]:9.0f} {per_cpu[name]:10.0f} {r["p50_ms"]:8.2f} '
                  f'{r["p99_ms"]:8.2f} {r["failed"]:6}')
        print(f'{"":28} ratio per CPU-second: {per_cpu["es-chat-server"] / per_cpu["node ws"]:.2f}x')
    for name in ('es-chat-server', 'node ws'):
        rss = results[(name, 'idle')]
        print(f'{idle_n} idle connections, {name}: ' + (f'{rss:.0f} MiB RSS' if rss else 'not all connected'))


if __name__ == '__main__':
    sys.exit(main())
